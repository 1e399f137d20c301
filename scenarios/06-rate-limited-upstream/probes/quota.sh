#!/bin/sh
# Reads the ban (as a client reads Retry-After) without calling the API, so probing does not extend it.
. ./upstream.sh
left=$(( $(banned_until) - $(date +%s%3N) ))
if [ "$left" -le 0 ]; then echo "upstream quota available"; exit 0; fi
echo "upstream rate-limits us for $((left / 1000 + 1)) s more (429, Retry-After)"
exit 1
