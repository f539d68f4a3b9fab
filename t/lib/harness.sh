# Shared helpers for the integration tests (bash).  Source it, then call t_begin, t_ok/t_fail or the
# assert helpers, and t_end at the end; t_end prints "N passed, N failed" and sets the exit status.
#
# Services started here are private to the test: a standalone systemd-journald when none runs (PID 1 is
# not systemd on the test machines), and the agent through systemd-socket-activate on a socket in a
# temporary directory.

T_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T_BUILD=${T_BUILD:-$T_TOP/build}
T_PASSED=0
T_FAILED=0
T_CLEANUPS=()

t_begin() {
        T_DIR=$(mktemp -d /tmp/jabali-test.XXXXXX)
        chmod 0755 "$T_DIR"
        trap t_cleanup EXIT
        echo "== $1"
}

t_on_exit() {
        T_CLEANUPS+=("$*")
}

t_cleanup() {
        local i
        for ((i = ${#T_CLEANUPS[@]} - 1; i >= 0; i--)); do
                eval "${T_CLEANUPS[i]}" >/dev/null 2>&1 || true
        done
        [[ -n "${T_DIR:-}" ]] && rm -rf "$T_DIR"
}

t_ok() {
        T_PASSED=$((T_PASSED + 1))
        echo "ok   $*"
}

t_fail() {
        T_FAILED=$((T_FAILED + 1))
        echo "FAIL $*"
}

# t_check NAME COMMAND...: passes when COMMAND exits 0.
t_check() {
        local name=$1
        shift
        if "$@"; then t_ok "$name"; else t_fail "$name"; fi
}

# t_eq NAME EXPECTED ACTUAL
t_eq() {
        if [[ "$2" == "$3" ]]; then
                t_ok "$1"
        else
                t_fail "$1: expected '$2', got '$3'"
        fi
}

t_end() {
        echo "$T_PASSED passed, $T_FAILED failed"
        [[ $T_FAILED -eq 0 ]]
}

# Starts systemd-journald standalone unless one already accepts connections on its socket.
t_journald_start() {
        if t_journald_running; then
                return 0
        fi
        /lib/systemd/systemd-journald </dev/null >/dev/null 2>&1 &
        T_JOURNALD_PID=$!
        local i
        for i in $(seq 50); do
                t_journald_running && return 0
                sleep 0.1
        done
        echo "systemd-journald did not start" >&2
        return 1
}

t_journald_running() {
        /usr/bin/python3 - <<'PY' 2>/dev/null
import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect("/run/systemd/journal/socket")
PY
}

t_journald_stop() {
        # Every standalone journald, not only the one this test started: a second one started elsewhere
        # may hold the socket.
        local pids
        pids=$(pgrep -x systemd-journal || true)
        [[ -n "$pids" ]] || return 0
        kill $pids 2>/dev/null || true
        local p
        for p in $pids; do
                while kill -0 "$p" 2>/dev/null; do sleep 0.05; done
        done
        T_JOURNALD_PID=
}

# t_agent_start NAME CONFIG [--inetd]: starts the agent socket-activated on $T_DIR/NAME.sock and sets
# T_SOCK to that path.  The socket gets mode 0666 so the caller-policy tests reach it as other users; the
# agent's own checks decide.  Its stderr goes to $T_DIR/NAME.stderr.
t_agent_start() {
        local name=$1 conf=$2
        shift 2
        local sock=$T_DIR/$name.sock
        systemd-socket-activate --accept "$@" -l "$sock" "$T_BUILD/jabali-agent" --config "$conf" \
                </dev/null >/dev/null 2>>"$T_DIR/$name.stderr" &
        local pid=$!
        t_on_exit "kill $pid"
        local i
        for i in $(seq 50); do
                [[ -S "$sock" ]] && break
                sleep 0.05
        done
        chmod 0666 "$sock"
        T_SOCK=$sock
}

# t_call SOCKET JSON: prints the response body.
t_call() {
        printf '%s' "$2" | "$T_BUILD/t/tools/frame-client" "$1"
}

# t_json EXPR: reads JSON on stdin and prints jq's raw output.
t_json() {
        jq -r "$1"
}

# t_journal_wait ID COUNT: waits until COUNT records with JABALI_REQUEST_ID=ID are in the journal.
t_journal_wait() {
        local i n
        for i in $(seq 50); do
                journalctl --sync >/dev/null 2>&1 || true
                n=$(journalctl -o json "JABALI_REQUEST_ID=$1" 2>/dev/null | wc -l)
                [[ $n -ge $2 ]] && return 0
                sleep 0.1
        done
        return 1
}
