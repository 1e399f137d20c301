#!/bin/sh
# Works an item every half second; when state/hang appears, this process hangs for good (a deadlock): alive, silent.
. ./lib/world.sh
warm_up
while :; do
    if [ -f "$STATE/hang" ]; then
        rm -f "$STATE/hang"
        echo "worker: deadlocked"
        while :; do sleep 1; done
    fi
    ping "$1"
    sleep 0.5
done
