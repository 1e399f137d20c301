#!/bin/sh
# The timeline: 5 s of work, then a log spew fills the volume; 20 s for supervision to act.
. ./lib/world.sh
. ./volume.sh
start_worker worker sh ./worker.sh worker
sleep 5
log_event inject 1 disk
head -c $(( (QUOTA_KB - $(used_kb)) * 1024 )) /dev/zero > "$VOLUME/tmp/debug-spew.log"
sleep 20
