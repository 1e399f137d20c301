#!/bin/sh
# Available while state/credentials/NAME says "valid"; the first line of output is the reason.
file="state/credentials/$1"
if [ "$(cat "$file" 2>/dev/null)" = "valid" ]; then
    echo "$1 credential is valid"
    exit 0
fi
echo "$1 credential expired ($(cat "$file" 2>/dev/null || echo missing))"
exit 1
