# The simulated volume: state/volume, 256 kB; sourced.
VOLUME=state/volume
QUOTA_KB=256
mkdir -p "$VOLUME/out" "$VOLUME/tmp"
used_kb() { du -sk "$VOLUME" | cut -f1; }
