# Sourced by every world's scripts, which run in the world's folder (the harness's copy of it). POSIX sh, GNU
# coreutils and curl only.
#
# What the harness reads afterwards, one line per event, each starting with the time in milliseconds:
#   state/events.log   inject ID CAUSE | clear ID | restored ID     (the world's own account of its faults)
#   state/actions.log  action NAME | wrong NAME REASON              (every action that ran, and the wrong ones)
#   state/acked.log    SLUG KIND                                    (every ping Vigil answered with 2xx)
STATE=state
mkdir -p "$STATE/pids"

now_ms() { date +%s%3N; }

# An event of the world: inject ID CAUSE, clear ID, restored ID.
log_event() { echo "$(now_ms) $*" >> "$STATE/events.log"; }

# ping SLUG [KIND] [VALUE]: success, fail, log, or a typed signal; counted as acknowledged only on a 2xx.
ping() {
    slug=$1
    kind=${2:-success}
    value=${3:-}
    case $kind in
        success) path="/ping/$VIGIL_PING_KEY/$slug" ;;
        fail | log) path="/ping/$VIGIL_PING_KEY/$slug/$kind" ;;
        *) path="/ping/$VIGIL_PING_KEY/$slug/signal/$kind" ;;
    esac
    [ -n "$value" ] && path="$path?value=$value"
    if curl -fsS -m 5 -X POST -o /dev/null "$VIGIL_URL$path" 2>/dev/null; then
        echo "$(now_ms) $slug $kind" >> "$STATE/acked.log"
    fi
}

# start_worker NAME COMMAND...: in its own session (so an action's process group can end without it), output to
# state/NAME.log, pid in state/pids/NAME.
start_worker() {
    name=$1
    shift
    setsid "$@" >> "$STATE/$name.log" 2>&1 < /dev/null &
    echo $! > "$STATE/pids/$name"
}

# stop_worker NAME: SIGKILL to its whole process group; a hung worker may ignore SIGTERM.
stop_worker() {
    if [ -f "$STATE/pids/$1" ]; then
        kill -KILL "-$(cat "$STATE/pids/$1")" 2>/dev/null
        rm -f "$STATE/pids/$1"
    fi
}

# judge ACTION: logs that the action ran and, when the world's ./wrong.sh says it is the wrong thing to do now,
# why.
judge() {
    echo "$(now_ms) action $1" >> "$STATE/actions.log"
    if [ -x ./wrong.sh ]; then
        reason=$(./wrong.sh "$1")
        [ -n "$reason" ] && echo "$(now_ms) wrong $1 $reason" >> "$STATE/actions.log"
    fi
    return 0
}

# A worker's cold start: loading, connecting; what every restart costs.
warm_up() { sleep 1.5; }
