/* SPDX-License-Identifier: GPL-2.0-or-later */
/* user.delete: removes a managed account with everything the agent set up for it. */
#include <assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "nginx-site.h"
#include "safefile.h"
#include "user-family.h"

#define USER_DELETE_TIMEOUT_MS 120000
/* Rounds of kill(-1, SIGKILL) before giving up on an account that keeps forking. */
#define KILL_ROUNDS_MAX 100

typedef struct UserDeleteParams {
        char *user;
        ParamBool keep_home;
        ParamBool force;
} UserDeleteParams;

static const ParamSpec user_delete_params[] = {
        USER_PARAM(UserDeleteParams, user),
        {
                .name = "keep_home",
                .type = PARAM_BOOL,
                .offset = offsetof(UserDeleteParams, keep_home),
                .description = "Keep the home directory and its files (false by default).",
        },
        {
                .name = "force",
                .type = PARAM_BOOL,
                .offset = offsetof(UserDeleteParams, force),
                .description = "Delete the account although it still has domains, and kill its processes "
                               "(false by default: both are FAILED_PRECONDITION).",
        },
        {},
};

/* Counts the live processes whose real, effective, saved or filesystem uid is uid. */
static int processes_of(uid_t uid, unsigned *ret)
{
        DIR *d;
        struct dirent *de;
        unsigned n = 0;

        d = opendir("/proc");
        if (!d)
                return -errno;

        while ((de = readdir(d))) {
                _cleanup_free_ char *path = NULL, *line = NULL;
                size_t size = 0;
                bool zombie = false, match = false;
                FILE *f;

                if (de->d_name[0] < '1' || de->d_name[0] > '9')
                        continue;
                if (asprintf(&path, "/proc/%s/status", de->d_name) < 0) {
                        closedir(d);
                        return -ENOMEM;
                }
                f = fopen(path, "re");
                if (!f)
                        continue; /* it exited meanwhile */

                while (getline(&line, &size, f) > 0) {
                        unsigned ids[4];
                        char state;

                        if (sscanf(line, "State: %c", &state) == 1 && state == 'Z')
                                zombie = true;
                        if (sscanf(line, "Uid: %u %u %u %u", &ids[0], &ids[1], &ids[2], &ids[3]) == 4)
                                for (size_t i = 0; i < 4; i++)
                                        if (ids[i] == uid)
                                                match = true;
                }
                fclose(f);

                if (match && !zombie)
                        n++;
        }
        closedir(d);

        *ret = n;
        return 0;
}

/* Sends SIGKILL to every process of the account once.  A child that becomes the account calls kill(-1):
 * that reaches exactly the processes whose real or saved uid is the account's, and never the child. */
static int kill_processes_once(const Account *a)
{
        pid_t pid;
        int status;

        pid = fork();
        if (pid < 0)
                return -errno;

        if (pid == 0) {
                if (setgroups(0, NULL) < 0 || setresgid(a->gid, a->gid, a->gid) < 0 ||
                    setresuid(a->uid, a->uid, a->uid) < 0)
                        _exit(EXIT_FAILURE);
                (void) kill(-1, SIGKILL);
                _exit(EXIT_SUCCESS);
        }

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;

        return WIFEXITED(status) && WEXITSTATUS(status) == EXIT_SUCCESS ? 0 : -EPERM;
}

/* Kills the account's processes until none is left alive, so processes forked meanwhile die too.  Dead
 * processes their parent has not reaped yet do not count. */
static int kill_processes(const Account *a)
{
        unsigned left = 0;
        int r;

        for (int i = 0; i < KILL_ROUNDS_MAX; i++) {
                r = kill_processes_once(a);
                if (r < 0)
                        return r;

                usleep(10000);
                r = processes_of(a->uid, &left);
                if (r < 0)
                        return r;
                if (left == 0)
                        return 0;
        }

        return -EBUSY;
}

static int userdel(ActionContext *ctx, const Account *a)
{
        const char *argv[] = { config_get(ctx->config, "accounts", "userdel"), "--", a->name, NULL };
        SpawnOptions o = { .argv = argv, .timeout_ms = action_remaining_ms(ctx) };
        SpawnResult res = {};
        int r;

        r = spawn_run(&o, &res);
        if (r < 0)
                return action_fail_errno(ctx, r, "failed to run %s", argv[0]);
        if (!spawn_succeeded(&res)) {
                r = user_fail_command(ctx, "userdel", &res, "failed to delete account %s", a->name);
                spawn_result_done(&res);
                return r;
        }

        spawn_result_done(&res);
        return 0;
}

/* Removes what the agent set up besides the passwd entry.  Runs before userdel, so a failed step can be
 * retried with the same request while the uid is still known. */
static int remove_resources(ActionContext *ctx, const char *name, const Account *a, bool exists,
                            bool *changed)
{
        bool step_changed = false;
        int r;

        r = user_limits_remove(ctx, name, &step_changed);
        if (r < 0)
                return r;
        *changed |= step_changed;

        step_changed = false;
        r = user_egress_remove(ctx, name, exists ? a->uid : (uid_t) -1, &step_changed);
        if (r < 0)
                return r;
        *changed |= step_changed;

        if (exists) {
                step_changed = false;
                r = user_quota_remove(ctx, a, &step_changed);
                if (r < 0)
                        return r;
                *changed |= step_changed;
        }

        return 0;
}

/* Opens the vhost directories and lists the account's vhosts; a host without them has none. */
static int owned_vhosts(const AgentConfig *c, const char *user, NginxSites *ret_sites, char ***ret_domains)
{
        int r;

        r = nginx_sites_open(c, ret_sites);
        if (r == -ENOENT) {
                *ret_domains = calloc(1, sizeof(char *));
                return *ret_domains ? 0 : -ENOMEM;
        }
        if (r < 0)
                return r;
        return nginx_sites_list_owned(ret_sites, user, ret_domains);
}

/* Removes the account's vhosts under the nginx lock, each through the change protocol (test, reload,
 * restore on failure).  Otherwise a site would stay served under the owner record of a deleted account,
 * and a later account of the same name would inherit it. */
static int remove_vhosts(ActionContext *ctx, const NginxSites *sites, char **domains, bool *changed)
{
        _cleanup_close_ int lock_fd = -EBADF;
        int r;

        if (!domains || !domains[0])
                return 0;

        lock_fd = nginx_lock(ctx);
        if (lock_fd < 0)
                return lock_fd;

        for (char **d = domains; *d; d++) {
                bool removed = false;

                r = nginx_site_apply(ctx, sites, *d, NULL, &removed);
                if (r < 0)
                        return r;
                *changed = *changed || removed;
        }
        return 0;
}

static int user_delete(ActionContext *ctx, void *params)
{
        UserDeleteParams *p = params;
        const AgentConfig *c = ctx->config;
        const char *home_root = config_get(c, "accounts", "home_root");
        _cleanup_(account_done) Account a = {};
        _cleanup_free_ char *lock_name = NULL;
        _cleanup_close_ int lock_fd = -1, user_lock_fd = -1, root_fd = -1;
        unsigned domains = 0, vhosts = 0, processes = 0;
        _cleanup_(nginx_sites_done) NginxSites sites = { .available_fd = -EBADF, .enabled_fd = -EBADF };
        _cleanup_strv_free_ char **owned = NULL;
        bool exists, changed = false, home_removed = false;
        int r;

        r = user_lookup_or_missing(ctx, p->user, &a, &exists);
        if (r < 0)
                return r;

        /* The order of the locks is accounts, then user.<name>, then egress, in every action. */
        lock_fd = user_lock(ctx, "accounts");
        if (lock_fd < 0)
                return lock_fd;
        if (asprintf(&lock_name, "user.%s", p->user) < 0)
                return action_fail_errno(ctx, -ENOMEM, "failed to name the lock");
        user_lock_fd = user_lock(ctx, lock_name);
        if (user_lock_fd < 0)
                return user_lock_fd;

        /* A missing account may still have leftovers of an earlier, interrupted delete.  Those are removed
         * and nothing else is looked at. */
        if (!exists) {
                r = remove_resources(ctx, p->user, &a, false, &changed);
                if (r < 0)
                        return r;
                ctx->result = json_pack("{s:b, s:s, s:b, s:i}", "changed", changed, "user", p->user,
                                        "home_removed", false, "domains", 0);
                return ctx->result ? 0 : action_fail_errno(ctx, -ENOMEM, "failed to build the result");
        }

        r = account_count_domains(c, &a, &domains);
        if (r == -ELOOP || r == -ENOTDIR || r == -EPERM)
                return action_fail(
                        ctx, AGENT_UNSAFE_PATH, NULL,
                        "%s or its domains/ is a symbolic link or not owned by %s; nothing was deleted",
                        a.home, a.name);
        if (r < 0)
                return action_fail_errno(ctx, r, "failed to count the domains of %s", a.name);

        /* The vhosts' owner records count too, so removing the directories from inside the home does not
         * hide a domain that is still served. */
        r = owned_vhosts(c, a.name, &sites, &owned);
        if (r < 0)
                return action_fail_errno(ctx, r, "failed to list the vhosts of %s", a.name);
        for (char **d = owned; *d; d++)
                vhosts++;
        if (vhosts > domains)
                domains = vhosts;
        if (domains > 0 && !p->force.v)
                return action_fail(ctx, AGENT_FAILED_PRECONDITION,
                                   json_pack("{s:I}", "domains", (json_int_t) domains),
                                   "account %s still has %u domain(s); delete them first or set force",
                                   a.name, domains);

        r = processes_of(a.uid, &processes);
        if (r < 0)
                return action_fail_errno(ctx, r, "failed to list the processes of %s", a.name);
        if (processes > 0) {
                if (!p->force.v)
                        return action_fail(
                                ctx, AGENT_FAILED_PRECONDITION,
                                json_pack("{s:I}", "processes", (json_int_t) processes),
                                "account %s still has %u running process(es); stop them or set force",
                                a.name, processes);
                r = kill_processes(&a);
                if (r < 0)
                        return action_fail_errno(ctx, r, "failed to stop the processes of %s", a.name);
        }

        /* With force, the sites go first, while the account still exists for their owner check. */
        r = remove_vhosts(ctx, &sites, owned, &changed);
        if (r < 0)
                return r;

        r = remove_resources(ctx, p->user, &a, true, &changed);
        if (r < 0)
                return r;

        /* The home goes before the passwd entry, so that a failure here leaves an account that the same
         * request can delete again. */
        if (!p->keep_home.v) {
                root_fd = safe_open_path(home_root, O_RDONLY | O_DIRECTORY, 0);
                if (root_fd < 0)
                        return action_fail_errno(ctx, root_fd, "failed to open %s", home_root);

                r = safe_remove_tree_beneath(root_fd, a.name);
                if (r == -EXDEV)
                        return action_fail(ctx, AGENT_FAILED_PRECONDITION, NULL,
                                           "%s contains a mount point; unmount it and retry", a.home);
                if (r < 0 && r != -ENOENT)
                        return action_fail_errno(ctx, r, "failed to remove the home %s", a.home);
                home_removed = r >= 0;
        }

        r = userdel(ctx, &a);
        if (r < 0)
                return r;

        ctx->result = json_pack("{s:b, s:s, s:b, s:I}", "changed", true, "user", a.name, "home_removed",
                                home_removed, "domains", (json_int_t) domains);
        return ctx->result ? 0 : action_fail_errno(ctx, -ENOMEM, "failed to build the result");
}

static const int user_delete_capabilities[] = {
        CAP_CHOWN,       CAP_DAC_OVERRIDE, CAP_FOWNER,    CAP_SETUID,           CAP_SETGID, CAP_KILL,
        CAP_AUDIT_WRITE, CAP_SYS_ADMIN,    CAP_NET_ADMIN, CAP_NET_BIND_SERVICE, -1,
};

/* The user family's write set plus what removing vhosts through nginx's test and reload writes. */
static const WritePath user_delete_paths[] = {
        { .path = "/etc" },
        { .section = "accounts", .key = "home_root" },
        { .section = "limits", .key = "unit_dir" },
        { .section = "agent", .key = "lock_dir", .create = true },
        { .path = "/var/mail" },
        { .path = "/var/log/lastlog" },
        { .path = "/var/log/faillog" },
        { .section = "nginx", .key = "sites_available" },
        { .section = "nginx", .key = "sites_enabled" },
        { .section = "nginx", .key = "log_dir" },
        { .section = "service.nginx", .key = "pidfile" },
        { .path = "/run/nginx.pid" },
        { .path = "/var/lib/nginx" },
        {},
};

const Action action_user_delete = {
        .name = "user.delete",
        .family = FAMILY_USER,
        .description =
                "Deletes a managed account: its slice limits, egress rules and disk quota, then its home "
                "(unless keep_home) and its passwd entry.  While the account has domains (vhosts naming it "
                "as owner, or directories under ~/domains) or running processes, it is refused unless "
                "force is set; force removes the vhosts (tested and reloaded like domain.delete) and stops "
                "the processes first.  A missing account is not an error; leftovers of an interrupted "
                "delete are removed.",
        .params = user_delete_params,
        .params_size = sizeof(UserDeleteParams),
        .handler = user_delete,
        .policy = CALLER_PANEL,
        .changing = true,
        .timeout_ms = USER_DELETE_TIMEOUT_MS,
        .capabilities = user_delete_capabilities,
        .write_paths = user_delete_paths,
        .result_doc = "{changed, user, home_removed, domains}",
};
