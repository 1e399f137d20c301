#!/bin/sh
# Loads the token at start; its calls fail with 401 while the token it holds is stale.
. ./lib/world.sh
cp "$STATE/token-current" "$STATE/token-worker"
warm_up
while :; do
    if [ "$(cat "$STATE/token-worker")" = "$(cat "$STATE/token-current")" ]; then
        ping "$1"
    else
        echo "worker: 401 token expired"
    fi
    sleep 0.5
done
