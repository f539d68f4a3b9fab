/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/stat.h>

#include "home.h"
#include "macro.h"

int home_dir_ensure(int parent_fd, const char *name, mode_t mode, uid_t uid, gid_t gid, bool create,
                    bool *ret_changed)
{
        _cleanup_close_ int fd = -1;
        bool changed = false;
        struct stat st;

        assert(parent_fd >= 0);
        assert(name);
        assert(!strchr(name, '/'));
        assert(ret_changed);

        if (create) {
                /* Created without access for anyone else.  Owner and mode are set on the descriptor below.
                 */
                if (mkdirat(parent_fd, name, 0700) == 0)
                        changed = true;
                else if (errno != EEXIST)
                        return -errno;
        }

        fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;

        if (st.st_uid != uid || st.st_gid != gid) {
                if (fchown(fd, uid, gid) < 0)
                        return -errno;
                changed = true;
        }
        if ((st.st_mode & 07777) != mode) {
                if (fchmod(fd, mode) < 0)
                        return -errno;
                changed = true;
        }

        if (changed)
                *ret_changed = true;
        return TAKE_FD(fd);
}

static int group_id(const char *name, gid_t *ret)
{
        struct group gr, *found = NULL;
        char buf[16384];
        int r;

        r = getgrnam_r(name, &gr, buf, sizeof(buf), &found);
        if (r != 0)
                return -r;
        if (!found)
                return -ENOENT;

        *ret = gr.gr_gid;
        return 0;
}

int home_layout_ensure(const AgentConfig *c, const Account *a, int home_root_fd, bool *ret_changed)
{
        static const struct {
                const char *name;
                mode_t mode;
                bool web_group;
        } layout[] = {
                { "domains", 0750, true },
                { ".ssh", 0700, false },
                { "tmp", 0700, false },
        };
        _cleanup_close_ int home_fd = -1;
        bool changed = false;
        gid_t web_gid;
        int r;

        assert(c);
        assert(a);
        assert(ret_changed);

        r = group_id(config_get(c, "accounts", "home_group"), &web_gid);
        if (r < 0)
                return r;

        home_fd = home_dir_ensure(home_root_fd, a->name, 0750, a->uid, web_gid, true, &changed);
        if (home_fd < 0)
                return home_fd;

        for (size_t i = 0; i < ELEMENTSOF(layout); i++) {
                _cleanup_close_ int fd = -1;

                fd = home_dir_ensure(home_fd, layout[i].name, layout[i].mode, a->uid,
                                     layout[i].web_group ? web_gid : a->gid, true, &changed);
                if (fd < 0)
                        return fd;
        }

        if (changed)
                *ret_changed = true;
        return TAKE_FD(home_fd);
}
