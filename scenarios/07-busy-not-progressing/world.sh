#!/bin/sh
# The timeline: 5 s of work, then a poison message arrives at the head of the queue; 20 s for supervision to act.
. ./lib/world.sh
. ./queue.sh
echo 0 > "$STATE/offset"
start_worker consumer sh ./worker.sh consumer
sleep 5
log_event inject 1 queue-head
echo $(( $(offset) + 2 )) > "$STATE/poison"
sleep 20
