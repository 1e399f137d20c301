#!/bin/sh
# Works items and reports its throughput (items per minute, measured); once it has picked up the leak
# (state/leak), each item takes 12% longer than the last. A fresh process is at full speed again.
. ./lib/world.sh
warm_up
delay_ms=400
leaking=no
last=$(now_ms)
first=yes
while :; do
    if [ -f "$STATE/leak" ]; then
        rm -f "$STATE/leak"
        leaking=yes
        touch "$STATE/leaked"
        echo "worker: leaking"
    fi
    if [ "$leaking" = yes ]; then delay_ms=$((delay_ms * 112 / 100)); fi
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    ping "$1" item.done
    now=$(now_ms)
    ping "$1" throughput $((60000 / (now - last + 1)))
    last=$now
    if [ "$first" = yes ] && [ -f "$STATE/leaked" ] && [ "$leaking" = no ]; then
        # The leaking process is gone and this one works at full speed: the flow is restored.
        rm -f "$STATE/leaked"
        log_event restored 1
    fi
    first=no
done
