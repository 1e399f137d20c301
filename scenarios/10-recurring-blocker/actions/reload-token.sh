#!/bin/sh
# Tells the worker to reload its token (as SIGHUP would): no restart, no cold start.
. ./lib/world.sh
judge reload-token
cp "$STATE/token-current" "$STATE/token-worker"
echo "worker reloaded its token"
