#!/bin/sh
case $1 in restart-*)
    [ "$(cat state/upstream)" = up ] || echo "the upstream is failing; a restart cannot fix it and costs a cold start" ;;
esac
