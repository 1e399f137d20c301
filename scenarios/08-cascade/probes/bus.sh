#!/bin/sh
if [ "$(cat state/bus 2>/dev/null)" = up ]; then echo "message bus accepts connections"; exit 0; fi
echo "message bus refuses connections"
exit 1
