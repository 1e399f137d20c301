#!/bin/sh
# The timeline: 5 s of work, a 15 s bus outage, 10 s after it.
. ./lib/world.sh
echo up > "$STATE/bus"
for worker in ingest index thumbnails mailer search; do start_worker "$worker" sh ./worker.sh "$worker"; done
sleep 5
log_event inject 1 bus
echo down > "$STATE/bus"
sleep 15
echo up > "$STATE/bus"
log_event clear 1
sleep 10
