/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <syslog.h>

#include <systemd/sd-journal.h>

#include "audit.h"
#include "macro.h"

#define AUDIT_FIELDS_MAX 24

static const char *const audit_message_ids[_AUDIT_KIND_MAX] = {
        [AUDIT_ACCEPTED] = AUDIT_MESSAGE_ID_ACCEPTED,
        [AUDIT_FINISHED] = AUDIT_MESSAGE_ID_FINISHED,
        [AUDIT_REJECTED] = AUDIT_MESSAGE_ID_REJECTED,
};

static const char *const audit_kind_names[_AUDIT_KIND_MAX] = {
        [AUDIT_ACCEPTED] = "accepted",
        [AUDIT_FINISHED] = "finished",
        [AUDIT_REJECTED] = "rejected",
};

typedef struct FieldList {
        struct iovec iov[AUDIT_FIELDS_MAX];
        char *owned[AUDIT_FIELDS_MAX];
        json_t *json; /* the same fields for the stderr fallback */
        size_t n;
} FieldList;

static void field_add(FieldList *f, const char *name, const char *value)
{
        char *s = NULL;

        assert(f->n < AUDIT_FIELDS_MAX);

        if (!value || !*value)
                value = "-";
        if (asprintf(&s, "%s=%s", name, value) < 0)
                return;
        f->owned[f->n] = s;
        f->iov[f->n] = (struct iovec){ .iov_base = s, .iov_len = strlen(s) };
        f->n++;
        json_object_set_new(f->json, name, json_string(value));
}

static void field_add_uint(FieldList *f, const char *name, uint64_t v)
{
        char buf[32];

        snprintf(buf, sizeof(buf), "%" PRIu64, v);
        field_add(f, name, buf);
}

static void field_list_done(FieldList *f)
{
        for (size_t i = 0; i < f->n; i++)
                free(f->owned[i]);
        json_decref(f->json);
}

/* sd_journal_sendv() returns success when the journal socket does not exist, so a record would vanish
 * without a trace.  Connecting a datagram socket to it first detects a missing or dead journald. */
static int journal_reachable(void)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = AUDIT_JOURNAL_SOCKET };
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        return 0;
}

static int audit_priority(AuditKind kind, const char *result)
{
        if (kind == AUDIT_ACCEPTED || (result && streq(result, "ok")))
                return LOG_INFO;
        if (result && (streq(result, "PERMISSION_DENIED") || streq(result, "UNSAFE_PATH")))
                return LOG_WARNING;
        if (result && (streq(result, "INTERNAL") || streq(result, "AUDIT_UNAVAILABLE")))
                return LOG_ERR;
        return LOG_NOTICE;
}

int audit_write(AuditKind kind, const AuditRecord *r)
{
        FieldList f = { .json = json_object() };
        _cleanup_free_ char *message = NULL, *params = NULL;
        int ret;

        assert(kind >= 0 && kind < _AUDIT_KIND_MAX);
        assert(r);

        if (asprintf(&message, "request %s: %s %s for uid %u%s%s%s%s", r->request_id ?: "-",
                     r->action ?: "(no action)", audit_kind_names[kind], (unsigned) r->peer_uid,
                     r->result ? ": " : "", r->result ?: "", r->message ? ": " : "", r->message ?: "") < 0)
                message = NULL;

        if (r->params) {
                params = json_dumps(r->params, JSON_COMPACT | JSON_SORT_KEYS);
                if (params && strlen(params) > AUDIT_PARAMS_MAX) {
                        free(params);
                        params = strdup("<params larger than the audit limit>");
                }
        }

        field_add(&f, "MESSAGE_ID", audit_message_ids[kind]);
        field_add(&f, "MESSAGE", message);
        field_add_uint(&f, "PRIORITY", (uint64_t) audit_priority(kind, r->result));
        field_add(&f, "SYSLOG_IDENTIFIER", "jabali-agent");
        field_add(&f, "JABALI_EVENT", audit_kind_names[kind]);
        field_add(&f, "JABALI_REQUEST_ID", r->request_id);
        field_add(&f, "JABALI_ACTION", r->action);
        field_add(&f, "JABALI_SUBJECT_USER", r->subject_user);
        field_add(&f, "JABALI_TARGET_USER", r->target_user);
        field_add_uint(&f, "JABALI_PEER_UID", r->peer_uid);
        field_add_uint(&f, "JABALI_PEER_GID", r->peer_gid);
        field_add_uint(&f, "JABALI_PEER_PID", (uint64_t) r->peer_pid);
        field_add(&f, "JABALI_RESULT", kind == AUDIT_ACCEPTED ? "accepted" : r->result);
        field_add_uint(&f, "JABALI_DURATION_MS", r->duration_ms);
        field_add(&f, "JABALI_PARAMS", params);
        if (r->message)
                field_add(&f, "JABALI_ERROR", r->message);
        field_add(&f, "JABALI_APPARMOR", r->apparmor);
        field_add(&f, "JABALI_LANDLOCK", r->landlock);
        field_add(&f, "JABALI_CAPABILITIES", r->capabilities);

        ret = journal_reachable();
        if (ret >= 0)
                ret = sd_journal_sendv(f.iov, (int) f.n);
        if (ret < 0) {
                /* The journal cannot take the record, so stderr is the last place it can go. */
                _cleanup_free_ char *line = NULL;

                json_object_set_new(f.json, "JABALI_AUDIT_ERROR", json_string(strerror(-ret)));
                line = json_dumps(f.json, JSON_COMPACT | JSON_SORT_KEYS);
                if (line)
                        fprintf(stderr, "jabali-agent audit: %s\n", line);
                fflush(stderr);
        }

        field_list_done(&f);
        return ret < 0 ? ret : 0;
}
