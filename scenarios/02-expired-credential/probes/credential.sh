#!/bin/sh
if [ "$(cat state/credential 2>/dev/null)" = valid ]; then echo "x-api credential is valid"; exit 0; fi
echo "x-api rejects the credential: $(cat state/credential 2>/dev/null || echo missing)"
exit 1
