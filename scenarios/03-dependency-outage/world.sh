#!/bin/sh
# The timeline: 5 s of work, a 20 s database outage, 12 s after it.
. ./lib/world.sh
echo up > "$STATE/database"
start_worker worker sh ./worker.sh worker
sleep 5
log_event inject 1 database
echo down > "$STATE/database"
sleep 20
echo up > "$STATE/database"
log_event clear 1
sleep 12
