#!/bin/sh
# The content pipeline: publishes threads while its X credential is valid, then stops, as on the essay's morning.
mkdir -p state/credentials
echo valid > state/credentials/x-api
echo valid > state/credentials/reddit-session
for n in 1 2; do
    "$VIGIL_BIN" ping content-pipeline --signal thread.published --retries 0 >/dev/null
    echo "pipeline: published thread $n"
    sleep 1
done
# 06:11 — the last action. The credentials expire and nothing publishes any more.
echo "expired at 06:11" > state/credentials/x-api
echo "session dropped" > state/credentials/reddit-session
echo "pipeline: X API rejects the credential; Reddit session dropped; stopping"
