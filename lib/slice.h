/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * Resource limits of an account as a drop-in for its systemd slice, jabali-user-<user>.slice.  The name
 * nests under jabali-user.slice and jabali.slice because systemd reads '-' in a slice name as a level of
 * the hierarchy, which is why account names never contain '-'.
 */

/* Bounds of each limit.  0 in a SliceLimits field means no limit. */
#define SLICE_CPU_PERCENT_MAX 100000u /* 1000 CPUs */
#define SLICE_MEMORY_MB_MIN   16u
#define SLICE_MEMORY_MB_MAX   (16u * 1024u * 1024u) /* 16 TiB */
#define SLICE_TASKS_MAX       4194304u              /* the kernel's PID_MAX_LIMIT on 64-bit */
#define SLICE_IO_MBPS_MAX     1000000u              /* 1 TB/s */

typedef struct SliceLimits {
        uint64_t cpu_percent;   /* CPUQuota=, 100 is one CPU */
        uint64_t memory_mb;     /* MemoryMax=, in MiB */
        uint64_t tasks;         /* TasksMax= */
        uint64_t io_read_mbps;  /* IOReadBandwidthMax=, in MB/s (10^6 bytes per second) */
        uint64_t io_write_mbps; /* IOWriteBandwidthMax=, in MB/s */
} SliceLimits;

/* The drop-in file inside <unit dir>/<unit>.d/. */
#define SLICE_DROPIN_NAME "50-jabali-limits.conf"

/* Returns "jabali-user-<user>.slice", or -EINVAL when user is not a valid account name. */
int slice_unit_name(const char *user, char **ret);

/* Returns true when no field is set. */
bool slice_limits_empty(const SliceLimits *l);

/* Renders the drop-in, with MemoryHigh= at memory_high_percent (50-99) of MemoryMax=.  io_path is the file
 * or device whose block device the IO limits apply to.  It must be an absolute path of [A-Za-z0-9/._-], so
 * it needs no quoting and contains no systemd specifier.  Returns -EINVAL for a value outside its bounds. */
int slice_render_dropin(const SliceLimits *l, unsigned memory_high_percent, const char *io_path, char **ret);

/* Writes content as the drop-in of the user's slice under unit_dir (creating the .d directory), or removes
 * it when content is NULL, together with the .d directory once it is empty.  Sets *ret_changed to whether
 * the file changed. */
int slice_dropin_update(const char *unit_dir, const char *user, const char *content, bool *ret_changed);
