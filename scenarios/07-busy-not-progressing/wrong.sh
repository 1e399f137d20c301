#!/bin/sh
. ./queue.sh
case $1 in restart-*)
    [ "$(poison)" = $(( $(offset) + 1 )) ] && echo "a poison message is at the head; a restarted consumer reads it again" ;;
esac
