/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

/*
 * The audit trail: structured journal records with fixed MESSAGE_IDs, so that
 * `journalctl MESSAGE_ID=...` finds them and the shipped catalog explains them.
 */

#define AUDIT_MESSAGE_ID_ACCEPTED "58ef481628fa4283a4267faeb63c25b4"
#define AUDIT_MESSAGE_ID_FINISHED "852f43236f304f27a9669b821d393914"
#define AUDIT_MESSAGE_ID_REJECTED "b152d36b780041a6a0e3891de6e847bd"

#define AUDIT_PARAMS_MAX     8192
#define AUDIT_JOURNAL_SOCKET "/run/systemd/journal/socket"

typedef enum AuditKind {
        AUDIT_ACCEPTED, /* written before the handler runs */
        AUDIT_FINISHED, /* the handler ran; result is "ok" or the code */
        AUDIT_REJECTED, /* refused before dispatch: malformed frame, caller, unknown action, invalid params
                         */
        _AUDIT_KIND_MAX,
} AuditKind;

typedef struct AuditRecord {
        const char *request_id;
        const char *action;       /* NULL when the frame could not be parsed */
        const char *subject_user; /* NULL when absent */
        const char *target_user;
        uid_t peer_uid;
        gid_t peer_gid;
        pid_t peer_pid;
        const char *result;  /* "ok" or an error code; NULL for AUDIT_ACCEPTED */
        const char *message; /* the error message, if any */
        uint64_t duration_ms;
        json_t *params;       /* redacted params, or NULL */
        const char *apparmor; /* confinement outcome, e.g. "jabali-agent//domain", "unavailable", "off" */
        const char *landlock; /* the Landlock rules in force, "unavailable" or "off" */
        const char *capabilities; /* the capabilities kept, space-separated */
} AuditRecord;

/* Writes the record to the journal.  When that fails, writes it as one JSON line to stderr and returns the
 * journal's negative errno, so the caller can refuse a changing action. */
int audit_write(AuditKind kind, const AuditRecord *r);
