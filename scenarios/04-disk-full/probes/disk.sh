#!/bin/sh
. ./volume.sh
used=$(used_kb)
if [ "$used" -lt $((QUOTA_KB - 16)) ]; then echo "volume has room: ${used} of ${QUOTA_KB} kB used"; exit 0; fi
echo "volume full: ${used} of ${QUOTA_KB} kB used"
exit 1
