#!/bin/sh
if [ "$(cat state/token-worker 2>/dev/null)" = "$(cat state/token-current)" ]; then
    echo "the worker's token is current"
    exit 0
fi
echo "the worker's token is stale: rotated by the auth service"
exit 1
