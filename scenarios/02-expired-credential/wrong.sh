#!/bin/sh
# A restart while the credential is expired cannot help: the new process reads the same credential.
case $1 in restart-*)
    [ "$(cat state/credential)" = valid ] || echo "the x-api credential is expired; a restart cannot renew it" ;;
esac
