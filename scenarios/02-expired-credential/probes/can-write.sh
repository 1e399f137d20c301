#!/bin/sh
mkdir -p state/drafts
if touch state/drafts/.probe 2>/dev/null; then echo "drafts folder is writable"; exit 0; fi
echo "cannot write to state/drafts"
exit 1
