#!/bin/sh
if [ "$(cat state/upstream 2>/dev/null)" = up ]; then echo "upstream answers 200"; exit 0; fi
echo "upstream answers 503"
exit 1
