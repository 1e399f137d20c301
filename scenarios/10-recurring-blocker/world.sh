#!/bin/sh
# The timeline: 5 s of work, then the token is rotated three times, 9 s apart; 6 s after the last.
. ./lib/world.sh
echo "token-0" > "$STATE/token-current"
start_worker worker sh ./worker.sh worker
sleep 5
for rotation in 1 2 3; do
    log_event inject "$rotation" token
    echo "token-$rotation" > "$STATE/token-current"
    sleep 9
done
sleep 6
