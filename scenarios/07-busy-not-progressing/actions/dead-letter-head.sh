#!/bin/sh
# Moves the message at the head to the dead-letter queue for a person to look at later.
. ./lib/world.sh
. ./queue.sh
judge dead-letter-head
head=$(( $(offset) + 1 ))
if [ "$(poison)" = "$head" ]; then
    echo "$head" >> "$STATE/dead-letter"
    rm -f "$STATE/poison"
    echo "moved message $head to the dead-letter queue"
else
    echo "message $head is fine; nothing moved"
fi
