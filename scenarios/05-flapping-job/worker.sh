#!/bin/sh
# Runs the job every half second: success while the upstream answers, a failure while it does not.
. ./lib/world.sh
warm_up
while :; do
    if [ "$(cat "$STATE/upstream")" = up ]; then
        ping "$1"
    else
        ping "$1" fail
    fi
    sleep 0.5
done
