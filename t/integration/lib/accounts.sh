# Helpers for the account family's integration tests (bash).  Source it after t/lib/harness.sh.
#
# Every account a test creates has a name starting with "jta", the names reserved for these tests, and is
# removed on exit whatever happened.  The agent manages the private group jtaccgrp instead of
# jabali-users, and its homes live in the test's temporary directory, so nothing of the host's own
# accounts is in reach.

ACC_GROUP=jtaccgrp
ACC_USERS=()
# Command that acc_start puts before the agent's socket activator, such as (ip netns exec NS).
ACC_AGENT_PREFIX=()

# acc_setup TITLE [CONFIG_LINES]: acc_begin, then acc_start.
acc_setup() {
        acc_begin "$1"
        acc_start "${2:-}"
}

# acc_begin TITLE: the temporary directory, the cleanup and the managed group.
acc_begin() {
        t_begin "$1"
        t_on_exit acc_purge_all
        if ! getent group "$ACC_GROUP" >/dev/null; then
                groupadd "$ACC_GROUP"
                t_on_exit "groupdel $ACC_GROUP"
        fi
}

# acc_start [CONFIG_LINES]: writes $T_DIR/agent.conf, whose [accounts] section points at ACC_HOME (default
# $T_DIR/home), and starts journald and the agent.  ACC_TABLE and ACC_QUOTA_PATH override the egress table
# and quota.path.  CONFIG_LINES are appended to the config as they are.
acc_start() {
        local extra=${1:-}

        ACC_HOME=${ACC_HOME:-$T_DIR/home}
        mkdir -p "$ACC_HOME" "$T_DIR/units"
        chmod 0755 "$ACC_HOME"
        ACC_TABLE=${ACC_TABLE:-jtacc_$$}
        ACC_QUOTA_PATH=${ACC_QUOTA_PATH-$ACC_HOME}
        cat >"$T_DIR/agent.conf" <<CONF
[agent]
lock_dir = $T_DIR/locks
apparmor = off

[accounts]
managed_group = $ACC_GROUP
home_root = $ACC_HOME

[limits]
unit_dir = $T_DIR/units
io_path = $ACC_HOME

[quota]
path = $ACC_QUOTA_PATH

[egress]
table = $ACC_TABLE
$extra
CONF

        t_journald_start || {
                t_fail "journald started"
                t_end
                exit 1
        }
        acc_agent_start "$T_DIR/agent.conf" "${ACC_AGENT_PREFIX[@]}"
}

# acc_agent_start CONFIG [PREFIX...]: (re)starts the agent on $T_DIR/agent.sock.  PREFIX runs the socket
# activator, for example "ip netns exec NS" to make the agent change a network namespace.
acc_agent_start() {
        local conf=$1
        shift
        local sock=$T_DIR/agent.sock
        if [[ -n "${ACC_AGENT_PID:-}" ]]; then
                kill "$ACC_AGENT_PID" 2>/dev/null
                wait "$ACC_AGENT_PID" 2>/dev/null
        fi
        rm -f "$sock"
        "$@" systemd-socket-activate --accept -l "$sock" "$T_BUILD/jabali-agent" --config "$conf" \
                </dev/null >/dev/null 2>>"$T_DIR/agent.stderr" &
        ACC_AGENT_PID=$!
        t_on_exit "kill $ACC_AGENT_PID"
        local i
        for i in $(seq 100); do
                [[ -S "$sock" ]] && break
                sleep 0.05
        done
        ACC_SOCK=$sock
}

# acc_call ACTION PARAMS_JSON: prints the response.  PARAMS_JSON is sent as written, because jq would turn
# numbers such as 1e3 or 9223372036854775807 into other numbers.
acc_call() {
        printf '{"action": "%s", "params": %s}' "$1" "$2" | "$T_BUILD/t/tools/frame-client" "$ACC_SOCK"
}

# acc_code RESPONSE: prints OK or the error code.
acc_code() {
        jq -r 'if .ok then "OK" else .code end' <<<"$1"
}

# acc_expect NAME CODE ACTION PARAMS_JSON: one request whose outcome must be CODE (OK for success).
# Leaves the response in ACC_OUT.
acc_expect() {
        local name=$1 code=$2
        ACC_OUT=$(acc_call "$3" "$4")
        local got
        got=$(acc_code "$ACC_OUT")
        if [[ "$got" == "$code" ]]; then
                t_ok "$name"
        else
                t_fail "$name: expected $code, got $got: $(jq -c . <<<"$ACC_OUT" 2>/dev/null || echo "$ACC_OUT")"
        fi
}

# acc_track NAME: removes the account NAME (passwd entry, group, home) when the test exits.  Tests stop the
# processes they start as an account themselves, by pid.
acc_track() {
        ACC_USERS+=("$1")
}

acc_purge() {
        local name=$1
        case "$name" in
        jta*) ;;
        *) return 0 ;;
        esac
        id -u "$name" >/dev/null 2>&1 && userdel "$name" 2>/dev/null
        getent group "$name" >/dev/null && groupdel "$name" 2>/dev/null
        [[ -n "${ACC_HOME:-}" && -e "$ACC_HOME/$name" ]] && rm -rf --one-file-system "${ACC_HOME:?}/$name"
        return 0
}

acc_purge_all() {
        local name
        for name in "${ACC_USERS[@]}"; do
                acc_purge "$name"
        done
}

# acc_as USER COMMAND...: runs COMMAND as USER with only USER's groups.
acc_as() {
        local user=$1
        shift
        setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups -- "$@"
}

# acc_quota_mount_probe: succeeds when this kernel mounts a loop ext4 image with user quotas, which needs
# CONFIG_QUOTA and CONFIG_QFMT_V2.  Mounting is the check because neither /proc/modules nor the dquot_
# symbols show the quota format.  On failure prints ext4's kernel message, or the mount error when dmesg
# has none.
acc_quota_mount_probe() {
        local dir status
        dir=$(mktemp -d /tmp/jabali-quota-probe.XXXXXX) || return 1
        mkdir "$dir/mnt"
        truncate -s 16M "$dir/img"
        mkfs.ext4 -q -F -O quota -E quotatype=usrquota "$dir/img" 2>"$dir/err"
        if mount -o loop,usrquota "$dir/img" "$dir/mnt" 2>>"$dir/err"; then
                umount "$dir/mnt"
                status=0
        else
                dmesg 2>/dev/null | grep 'EXT4-fs.*QUOTA' | tail -n1 | grep . || tr -s '\n ' ' ' <"$dir/err"
                status=1
        fi
        rm -rf "$dir"
        return "$status"
}
