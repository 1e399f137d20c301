# The upstream's rate limiter, in state/banned-until (milliseconds); sourced.
banned_until() { cat state/banned-until 2>/dev/null || echo 0; }
# call_upstream: 0 when the call went through; 1 (a 429) during a ban, which the call extends by 4 s.
call_upstream() {
    now=$(date +%s%3N)
    ends=$(banned_until)
    if [ "$now" -lt "$ends" ]; then
        [ $((now + 4000)) -gt "$ends" ] && ends=$((now + 4000))
        echo "$ends" > state/banned-until
        return 1
    fi
    return 0
}
