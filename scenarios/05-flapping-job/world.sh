#!/bin/sh
# The timeline: 5 s of work, then four upstream hiccups of 2 s, 3 s apart, then 6 s of calm.
. ./lib/world.sh
echo up > "$STATE/upstream"
start_worker job sh ./worker.sh job
sleep 5
for flap in 1 2 3 4; do
    log_event inject "$flap" upstream
    echo down > "$STATE/upstream"
    sleep 2
    echo up > "$STATE/upstream"
    log_event clear "$flap"
    sleep 3
done
sleep 6
