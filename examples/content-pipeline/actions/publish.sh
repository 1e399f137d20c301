#!/bin/sh
# Publishes through a channel that needs a credential: fails when the credential has expired.
kind="$1"
credential="$2"
if [ "$(cat "state/credentials/$credential" 2>/dev/null)" != "valid" ]; then
    echo "$credential rejected the request: credential expired" >&2
    exit 1
fi
"$VIGIL_BIN" ping content-pipeline --signal "$kind" --retries 0 >/dev/null
echo "published via $credential"
