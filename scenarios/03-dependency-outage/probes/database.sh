#!/bin/sh
if [ "$(cat state/database 2>/dev/null)" = up ]; then echo "database accepts connections"; exit 0; fi
echo "database refuses connections"
exit 1
