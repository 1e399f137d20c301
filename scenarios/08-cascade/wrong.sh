#!/bin/sh
case $1 in restart-*)
    [ "$(cat state/bus)" = up ] || echo "the bus is down; a restarted worker cannot connect and exits" ;;
esac
