# The queue: state/offset is the last processed message; state/poison holds the number of a message that cannot
# be processed; sourced.
offset() { cat state/offset 2>/dev/null || echo 0; }
poison() { cat state/poison 2>/dev/null || echo 0; }
