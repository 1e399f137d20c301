#!/bin/sh
# The timeline: 5 s of work, then a 12 s ban; 25 s for supervision to act.
. ./lib/world.sh
start_worker worker sh ./worker.sh worker
sleep 5
log_event inject 1 upstream-quota
echo $(( $(now_ms) + 12000 )) > "$STATE/banned-until"
sleep 25
