#!/bin/sh
# Calls the upstream for every item; dies on the first 429, which it does not handle.
. ./lib/world.sh
. ./upstream.sh
warm_up
while :; do
    if ! call_upstream; then
        echo "worker: upstream answered 429; unhandled, exiting"
        exit 1
    fi
    ping "$1"
    sleep 0.5
done
