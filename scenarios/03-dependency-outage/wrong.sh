#!/bin/sh
case $1 in restart-*)
    [ "$(cat state/database)" = up ] || echo "the database is down; a restarted worker cannot connect" ;;
esac
