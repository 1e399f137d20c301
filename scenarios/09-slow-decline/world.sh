#!/bin/sh
# The timeline: 6 s of work, then the worker picks up a leak; 28 s for supervision to act.
. ./lib/world.sh
start_worker worker sh ./worker.sh worker
sleep 6
log_event inject 1 leak
touch "$STATE/leak"
sleep 28
