/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "safefile.h"
#include "slice.h"
#include "validate.h"

#define SLICE_DROPIN_SIZE_MAX (64u * 1024u)

int slice_unit_name(const char *user, char **ret)
{
        char *name = NULL;

        assert(user);
        assert(ret);

        if (validate_account_name(user, NULL, NULL) < 0)
                return -EINVAL;
        if (asprintf(&name, "jabali-user-%s.slice", user) < 0)
                return -ENOMEM;

        *ret = name;
        return 0;
}

bool slice_limits_empty(const SliceLimits *l)
{
        assert(l);

        return l->cpu_percent == 0 && l->memory_mb == 0 && l->tasks == 0 && l->io_read_mbps == 0 &&
               l->io_write_mbps == 0;
}

static bool io_path_valid(const char *p)
{
        if (!p || p[0] != '/')
                return false;
        for (; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '/' || *p == '.' || *p == '_' || *p == '-'))
                        return false;
        return true;
}

int slice_render_dropin(const SliceLimits *l, unsigned memory_high_percent, const char *io_path, char **ret)
{
        _cleanup_free_ char *out = NULL;
        size_t size = 0;
        FILE *f;

        assert(l);
        assert(ret);

        if (l->cpu_percent > SLICE_CPU_PERCENT_MAX || l->tasks > SLICE_TASKS_MAX ||
            l->io_read_mbps > SLICE_IO_MBPS_MAX || l->io_write_mbps > SLICE_IO_MBPS_MAX ||
            (l->memory_mb != 0 &&
             (l->memory_mb < SLICE_MEMORY_MB_MIN || l->memory_mb > SLICE_MEMORY_MB_MAX)))
                return -EINVAL;
        if (memory_high_percent < 50 || memory_high_percent > 99)
                return -EINVAL;
        if ((l->io_read_mbps || l->io_write_mbps) && !io_path_valid(io_path))
                return -EINVAL;

        f = open_memstream(&out, &size);
        if (!f)
                return -ENOMEM;

        fputs("# Written by jabali-agent (user.limits.apply); the next apply or clear replaces this file.\n"
              "[Slice]\n",
              f);
        if (l->cpu_percent)
                fprintf(f, "CPUQuota=%" PRIu64 "%%\n", l->cpu_percent);
        if (l->memory_mb) {
                /* In KiB, so the percentage keeps its precision for small limits. */
                uint64_t high_kib = l->memory_mb * 1024 * memory_high_percent / 100;

                fprintf(f, "MemoryMax=%" PRIu64 "M\n", l->memory_mb);
                fprintf(f, "MemoryHigh=%" PRIu64 "K\n", high_kib);
        }
        if (l->tasks)
                fprintf(f, "TasksMax=%" PRIu64 "\n", l->tasks);
        /* In bytes per second: systemd reads an "M" suffix here as 10^6 but as 2^20 in MemoryMax=. */
        if (l->io_read_mbps)
                fprintf(f, "IOReadBandwidthMax=%s %" PRIu64 "\n", io_path, l->io_read_mbps * 1000000);
        if (l->io_write_mbps)
                fprintf(f, "IOWriteBandwidthMax=%s %" PRIu64 "\n", io_path, l->io_write_mbps * 1000000);

        if (fclose(f) != 0)
                return -ENOMEM;

        *ret = TAKE_PTR(out);
        return 0;
}

int slice_dropin_update(const char *unit_dir, const char *user, const char *content, bool *ret_changed)
{
        _cleanup_free_ char *unit = NULL, *dropin_dir = NULL, *old = NULL;
        _cleanup_close_ int unit_dir_fd = -1, dir_fd = -1;
        size_t old_size = 0;
        int r;

        assert(unit_dir);
        assert(user);
        assert(ret_changed);

        r = slice_unit_name(user, &unit);
        if (r < 0)
                return r;
        if (asprintf(&dropin_dir, "%s.d", unit) < 0)
                return -ENOMEM;

        unit_dir_fd = safe_open_path(unit_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        if (unit_dir_fd < 0)
                return unit_dir_fd;

        if (!content) {
                dir_fd = safe_open_beneath(unit_dir_fd, dropin_dir, O_RDONLY | O_DIRECTORY, 0);
                if (dir_fd == -ENOENT) {
                        *ret_changed = false;
                        return 0;
                }
                if (dir_fd < 0)
                        return dir_fd;

                if (unlinkat(dir_fd, SLICE_DROPIN_NAME, 0) < 0) {
                        if (errno != ENOENT)
                                return -errno;
                        *ret_changed = false;
                } else
                        *ret_changed = true;

                /* Drop-ins an operator added keep the directory alive. */
                if (unlinkat(unit_dir_fd, dropin_dir, AT_REMOVEDIR) < 0 && errno != ENOTEMPTY &&
                    errno != EEXIST)
                        return -errno;
                return 0;
        }

        dir_fd = safe_mkdir_beneath(unit_dir_fd, dropin_dir, 0755, (uid_t) -1, (gid_t) -1, false);
        if (dir_fd < 0)
                return dir_fd;

        r = safe_read_beneath(dir_fd, SLICE_DROPIN_NAME, SLICE_DROPIN_SIZE_MAX, &old, &old_size);
        if (r < 0 && r != -ENOENT)
                return r;
        if (r >= 0 && old_size == strlen(content) && memcmp(old, content, old_size) == 0) {
                *ret_changed = false;
                return 0;
        }

        r = safe_write_atomic(dir_fd, SLICE_DROPIN_NAME, content, strlen(content), 0644, (uid_t) -1,
                              (gid_t) -1);
        if (r < 0)
                return r;

        *ret_changed = true;
        return 0;
}
