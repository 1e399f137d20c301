#!/bin/sh
# Frees the volume: removes the temporary files.
. ./lib/world.sh
. ./volume.sh
judge clean-tmp
rm -rf "$VOLUME/tmp"/*
echo "cleaned tmp: $(used_kb) of $QUOTA_KB kB used"
