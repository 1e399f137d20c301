#!/bin/sh
# Processes a message every half second and reports its offset; on a poison message it retries and reports the
# same offset again: busy, alive, not progressing.
. ./lib/world.sh
. ./queue.sh
warm_up
while :; do
    next=$(( $(offset) + 1 ))
    if [ "$(poison)" = "$next" ]; then
        echo "consumer: message $next failed to parse; retrying"
    else
        echo "$next" > "$STATE/offset"
    fi
    ping "$1" queue.offset "$(offset)"
    sleep 0.5
done
