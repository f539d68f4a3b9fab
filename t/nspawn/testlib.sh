# shellcheck shell=bash
# Test helpers for the scripts that drive a container (t/nspawn/selftest, t/nspawn/e2e, t/bench/).
# Results are printed in TAP ("ok N - name", "not ok N - name") and jt_finish exits 1 after any failure.
# shellcheck source=t/nspawn/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

JT_TESTS=0
JT_FAILURES=0
JT_LEADER=
JT_STATE=

jt_pass() {
        JT_TESTS=$((JT_TESTS + 1))
        echo "ok $JT_TESTS - $1"
}

# Records a failure: NAME, then lines of detail printed as TAP comments.
jt_fail() {
        JT_TESTS=$((JT_TESTS + 1))
        JT_FAILURES=$((JT_FAILURES + 1))
        echo "not ok $JT_TESTS - $1"
        shift
        local line
        for line in "$@"; do
                printf '%s\n' "$line" | sed 's/^/#   /'
        done
}

# Prints each argument, and each line of it, as a TAP comment.
jt_diag() {
        printf '%s\n' "$@" | sed 's/^/# /'
}

# Passes when COMMAND succeeds; its output is shown on failure.
jt_check() {
        local name=$1 output
        shift
        if output=$("$@" 2>&1); then
                jt_pass "$name"
        else
                jt_fail "$name" "command failed (exit $?): $*" "$output"
        fi
}

jt_check_eq() {
        local name=$1 expected=$2 actual=$3
        if [[ $actual == "$expected" ]]; then
                jt_pass "$name"
        else
                jt_fail "$name" "expected: $expected" "actual:   $actual"
        fi
}

# Passes when the text contains the fixed string NEEDLE.
jt_check_contains() {
        local name=$1 needle=$2 text=$3
        if [[ $text == *"$needle"* ]]; then
                jt_pass "$name"
        else
                jt_fail "$name" "expected to find: $needle" "in: $text"
        fi
}

# Runs COMMAND every 50 ms until it succeeds or MILLISECONDS have passed.
jt_wait_until() {
        local timeout_ms=$1 deadline
        shift
        deadline=$(($(jt_now_ms) + timeout_ms))
        until "$@" >/dev/null 2>&1; do
                (($(jt_now_ms) < deadline)) || return 1
                sleep 0.05
        done
}

# Boots a container with the given t/nspawn/boot options and stops it when the script exits.
jt_boot() {
        local output
        trap jt_shutdown EXIT
        trap 'exit 130' INT TERM HUP
        output=$("$JT_TOP/t/nspawn/boot" "$@") || jt_die "the container did not boot"
        JT_STATE=$(sed -n 's/^JT_STATE=//p' <<<"$output")
        JT_LEADER=$(sed -n 's/^JT_LEADER=//p' <<<"$output")
        JT_BOOT_MS=$(sed -n 's/^JT_BOOT_MS=//p' <<<"$output")
        jt_diag "container $JT_STATE booted in $JT_BOOT_MS ms, leader $JT_LEADER"
}

jt_shutdown() {
        if [[ -n $JT_STATE && -d $JT_STATE ]]; then
                "$JT_TOP/t/nspawn/stop" "$JT_STATE" >&2 || true
        fi
}

# Runs a command inside the container.
jt_in() {
        "$JT_TOP/t/nspawn/run" "$JT_LEADER" -- "$@"
}

# Runs a command inside the container as USER with that user's groups.
jt_in_as() {
        local user=$1
        shift
        jt_in setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
}

# Reads the container's journal from the host, as one JSON object a line.
jt_journal() {
        journalctl --root="/proc/$JT_LEADER/root" --no-pager -o json "$@"
}

# Waits up to 5 s for a journal record matching the given journalctl matches and prints it as JSON.
# Short-lived instances may be logged a moment after their client got the response.
jt_journal_wait() {
        local deadline record
        deadline=$(($(jt_now_ms) + 5000))
        while :; do
                record=$(jt_journal "$@" 2>/dev/null | tail -n 1)
                if [[ -n $record ]]; then
                        printf '%s\n' "$record"
                        return 0
                fi
                (($(jt_now_ms) < deadline)) || return 1
                sleep 0.05
        done
}

# Copies a service unit from standard input to standard output without the options that systemd.exec(5)
# lists under sandboxing, security, capabilities and system call filtering.  Everything else
# (ExecStart=, Standard*=, Runtime*=, CollectMode=, ...) stays, so the copy runs the same program the same
# way.
jt_strip_sandboxing() {
        local options='Protect[A-Za-z]*|Private[A-Za-z]*|Restrict[A-Za-z]*|SystemCall[A-Za-z]*|'
        options+='ReadWritePaths|ReadOnlyPaths|InaccessiblePaths|ExecPaths|NoExecPaths|TemporaryFileSystem|'
        options+='BindPaths|BindReadOnlyPaths|NetworkNamespacePath|IPCNamespacePath|MountAPIVFS|MountFlags|'
        options+='RootDirectory|RootImage|NoNewPrivileges|SecureBits|CapabilityBoundingSet|AmbientCapabilities|'
        options+='DynamicUser|RemoveIPC|IPAddressAllow|IPAddressDeny|DevicePolicy|DeviceAllow|KeyringMode|'
        options+='LockPersonality|MemoryDenyWriteExecute|ProcSubset|AppArmorProfile|SELinuxContext|'
        options+='SmackProcessLabel|SocketBindAllow|SocketBindDeny'
        grep -Ev "^[[:space:]]*($options)[[:space:]]*="
}

# Prints the number of loaded units matching PATTERN inside the container.
jt_unit_count() {
        jt_in systemctl list-units --all --no-legend --plain "$1" | grep -c . || true
}

# Stops the container and checks that nothing of it is left.
jt_stop_and_check() {
        local cgroups state=$JT_STATE leader=$JT_LEADER output
        cgroups=$(cat "$state/cgroups")
        if output=$("$JT_TOP/t/nspawn/stop" "$state" 2>&1); then
                jt_pass "stop cleans up"
        else
                jt_fail "stop cleans up" "$output"
        fi
        jt_diag "$output"
        JT_STATE=
        if jt_alive "$leader"; then
                jt_fail "container PID 1 gone after stop" "leader $leader is still running"
        else
                jt_pass "container PID 1 gone after stop"
        fi
        local dir left=
        for dir in $cgroups; do
                [[ -e $dir ]] && left+=" $dir"
        done
        jt_check_eq "cgroup directories gone after stop" "" "$left"
        jt_check_eq "state directory gone after stop" "no" "$([[ -e $state ]] && echo yes || echo no)"
}

jt_finish() {
        echo "1..$JT_TESTS"
        if ((JT_FAILURES)); then
                jt_diag "$JT_FAILURES of $JT_TESTS tests failed"
                exit 1
        fi
}
