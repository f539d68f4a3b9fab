# shellcheck shell=bash
# Shared by the container harness scripts in t/nspawn/, which source it.
#
# Each container has an id and a state directory $JT_RUN_DIR/ID on the host with these entries:
#   nspawn.pid   pid of systemd-nspawn
#   leader.pid   pid of the container's PID 1, as seen from the host
#   mntns        the private mount namespace, as readlink /proc/PID/ns/mnt prints it
#   cgroups      the cgroup directories made for the container, one a line
#   nspawn.log   output of nspawn, of the container's console and of the setup before it
#   share/       bound at /run/jabali-test inside the container, to exchange sockets and results
#   tree/        files copied over the container's root before it boots
#   mnt/         mount point of the tmpfs with the overlay, visible only in the private mount namespace

# shellcheck disable=SC2034 # the scripts that source this file use these
JT_RUN_DIR=${JT_RUN_DIR:-/run/jabali-test}
JT_CGROUP_PREFIX=jabali-test-
JT_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Ignores write errors, so a closed stderr cannot stop a cleanup half-way under set -e.
jt_log() {
        printf '%s: %s\n' "${0##*/}" "$*" >&2 2>/dev/null || true
}

jt_die() {
        jt_log "$@"
        exit 1
}

jt_now_ms() {
        date +%s%3N
}

# Succeeds while PID exists and is not a zombie.  An exited process can stay a zombie for a while when
# its parent is a slow reaper, but by then it has released its namespaces and mounts.
jt_alive() {
        local state
        state=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
        [[ -n $state && $state != Z && $state != X ]]
}

# Prints the cgroup roots a container gets on this machine, one a line.  Hybrid layout (cgroup v1 with
# name=systemd plus cgroup v2 at unified/): both.  Pure cgroup v2: the root itself.
# NOTE: only the hybrid layout has been run; the pure cgroup v2 and the v1-only branches are untested.
jt_cgroup_roots() {
        local fs
        fs=$(stat -fc %T /sys/fs/cgroup)
        if [[ $fs == cgroup2fs ]]; then
                echo /sys/fs/cgroup
                return
        fi
        [[ -d /sys/fs/cgroup/systemd ]] || jt_die "no name=systemd hierarchy at /sys/fs/cgroup/systemd"
        echo /sys/fs/cgroup/systemd
        if [[ $(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null) == cgroup2fs ]]; then
                echo /sys/fs/cgroup/unified
        fi
}

# Resolves a state directory, a container id or a leader pid to the state directory.
jt_state_dir() {
        local arg=$1 dir
        if [[ -d $arg && -e $arg/nspawn.pid ]]; then
                (cd "$arg" && pwd)
                return
        fi
        if [[ -d $JT_RUN_DIR/$arg && -e $JT_RUN_DIR/$arg/nspawn.pid ]]; then
                echo "$JT_RUN_DIR/$arg"
                return
        fi
        if [[ $arg =~ ^[0-9]+$ ]]; then
                for dir in "$JT_RUN_DIR"/*/; do
                        if [[ -e $dir/leader.pid && $(<"$dir/leader.pid") == "$arg" ]]; then
                                echo "${dir%/}"
                                return
                        fi
                done
        fi
        jt_die "no container found for '$arg': expected a state directory under $JT_RUN_DIR, an id or a leader pid"
}

# Resolves anything jt_state_dir accepts to the leader pid of a running container.  A bare pid is
# accepted only when it is the leader of a container of this harness.
jt_leader() {
        local arg=$1 state leader
        state=$(jt_state_dir "$arg") || exit 1
        leader=$(cat "$state/leader.pid" 2>/dev/null) || jt_die "container '$arg' has no leader: it never booted"
        jt_alive "$leader" || jt_die "container '$arg' is not running (leader $leader is gone)"
        echo "$leader"
}

# Prints the processes in a cgroup directory and every directory below it.
jt_cgroup_procs() {
        local dir=$1
        [[ -d $dir ]] || return 0
        find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null
}
