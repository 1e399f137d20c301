#!/bin/sh
# The timeline: 5 s of threads, then the credential expires at "06:11" and stays expired.
. ./lib/world.sh
echo valid > "$STATE/credential"
echo threads > "$STATE/mode"
start_worker pipeline sh ./worker.sh pipeline
sleep 5
log_event inject 1 x-api
echo "expired at 06:11" > "$STATE/credential"
sleep 20
