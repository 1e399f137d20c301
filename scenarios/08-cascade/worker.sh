#!/bin/sh
# Needs the bus: exits at start when it is down; when it goes down later, reconnects every half second.
. ./lib/world.sh
if [ "$(cat "$STATE/bus")" != up ]; then
    echo "$1: cannot connect to the bus; exiting"
    exit 1
fi
warm_up
while :; do
    if [ "$(cat "$STATE/bus")" = up ]; then
        ping "$1"
    else
        echo "$1: bus connection lost; reconnecting"
    fi
    sleep 0.5
done
