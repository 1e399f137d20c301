#!/bin/sh
. ./volume.sh
case $1 in restart-*)
    [ "$(used_kb)" -lt $((QUOTA_KB - 16)) ] || echo "the volume is full; a restart frees nothing" ;;
esac
