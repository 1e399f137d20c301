#!/bin/sh
. ./upstream.sh
case $1 in restart-*)
    [ "$(date +%s%3N)" -lt "$(banned_until)" ] && echo "the upstream still rate-limits us; a restart only hammers it" ;;
esac
