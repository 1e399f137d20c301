#!/bin/sh
# Needs the database: exits at start when it is down; hangs on its dead connection when it goes down later.
. ./lib/world.sh
if [ "$(cat "$STATE/database")" != up ]; then
    echo "worker: cannot connect to the database; exiting"
    exit 1
fi
warm_up
while :; do
    if [ "$(cat "$STATE/database")" != up ]; then
        echo "worker: connection lost; waiting on a dead socket"
        while :; do sleep 1; done
    fi
    ping "$1"
    sleep 0.5
done
