#!/bin/sh
# The restart action every world declares as restart-SLUG: ends the worker of SLUG and starts it again.
. ./lib/world.sh
judge "restart-$1"
stop_worker "$1"
start_worker "$1" sh ./worker.sh "$1"
echo "restarted $1"
