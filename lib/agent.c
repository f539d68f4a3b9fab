/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "action.h"
#include "agent.h"
#include "audit.h"
#include "confine.h"
#include "envelope.h"
#include "frame.h"
#include "macro.h"
#include "param.h"
#include "policy.h"
#include "timeutil.h"

/* The state of one request as it moves through the agent: everything the response and the audit records
 * need. */
typedef struct Request {
        const AgentConfig *config;
        int out_fd;
        uint64_t start_usec;
        PeerInfo peer;
        bool peer_known;
        bool no_response; /* the peer closed before sending a byte */
        bool journal_ok;

        Envelope envelope;
        const Action *action;
        json_t *redacted_params;
        ConfineReport confinement;

        AgentCode code;
        char *message;
        json_t *details;
        json_t *result;
        char *target_user;
} Request;

static void request_done(Request *q)
{
        envelope_done(&q->envelope);
        json_decref(q->redacted_params);
        confine_report_done(&q->confinement);
        free(q->message);
        json_decref(q->details);
        json_decref(q->result);
        free(q->target_user);
}

_printf_(4, 5) static void request_fail(Request *q, AgentCode code, json_t *details, const char *fmt, ...)
{
        va_list ap;

        q->code = code;
        json_decref(q->details);
        q->details = details;
        free(q->message);
        va_start(ap, fmt);
        if (vasprintf(&q->message, fmt, ap) < 0)
                q->message = NULL;
        va_end(ap);
}

static uint64_t request_duration_ms(const Request *q)
{
        return (now_usec() - q->start_usec) / USEC_PER_MSEC;
}

static int request_audit(const Request *q, AuditKind kind)
{
        AuditRecord r = {
                .request_id = q->envelope.request_id,
                .action = q->action ? q->action->name : q->envelope.action,
                .subject_user = q->envelope.subject_user,
                .target_user = q->target_user,
                .peer_uid = q->peer_known ? q->peer.uid : (uid_t) -1,
                .peer_gid = q->peer_known ? q->peer.gid : (gid_t) -1,
                .peer_pid = q->peer.pid,
                .result = kind == AUDIT_ACCEPTED ? NULL : agent_code_to_string(q->code),
                .message = kind == AUDIT_ACCEPTED ? NULL : q->message,
                .duration_ms = kind == AUDIT_ACCEPTED ? 0 : request_duration_ms(q),
                .params = q->redacted_params,
                .apparmor = q->confinement.apparmor,
                .landlock = q->confinement.landlock,
                .capabilities = q->confinement.capabilities,
        };

        if (r.result && q->code == AGENT_OK)
                r.result = "ok";
        return audit_write(kind, &r);
}

static int request_respond(Request *q)
{
        _cleanup_json_ json_t *response = NULL;
        _cleanup_free_ char *text = NULL;
        unsigned timeout = (unsigned) config_get_uint(q->config, "agent", "write_timeout_ms");

        if (q->code == AGENT_OK)
                response = json_pack("{s:s?, s:b, s:O}", "request_id", q->envelope.request_id, "ok", true,
                                     "result", q->result ?: json_object());
        else {
                response = json_pack("{s:s?, s:b, s:s, s:s}", "request_id", q->envelope.request_id, "ok",
                                     false, "error", q->message ?: agent_code_description(q->code), "code",
                                     agent_code_to_string(q->code));
                if (response && q->details)
                        json_object_set(response, "details", q->details);
        }
        if (!response)
                return -ENOMEM;

        /* The result is returned verbatim: handlers never put a secret in it unless the action hands one
         * back by design (documented per action). */
        text = json_dumps(response, JSON_COMPACT);
        if (!text)
                return -ENOMEM;

        return frame_write(q->out_fd, text, strlen(text), timeout);
}

/* Reads and checks everything before the handler: the frame, the envelope, the action, the caller and
 * the params.  Returns 0 when the handler may run, or -EINVAL with q->code set. */
static int request_admit(Request *q, int in_fd, void **ret_params)
{
        _cleanup_free_ char *body = NULL;
        size_t size = 0, max = (size_t) config_get_uint(q->config, "agent", "max_request_bytes");
        unsigned timeout = (unsigned) config_get_uint(q->config, "agent", "read_timeout_ms");
        EnvelopeError env_error = {};
        ParamError param_error = {};
        const char *reason;
        int io_errno = 0, r;

        FrameError fe = frame_read(in_fd, max, timeout, &body, &size, &io_errno);
        if (fe != FRAME_OK) {
                /* Without a parsed envelope there is no caller id: mint one for the response and audit. */
                q->envelope.request_id = ulid_new();
                q->envelope.request_id_minted = true;
                switch (fe) {
                case FRAME_TOO_LARGE:
                        request_fail(q, AGENT_REQUEST_TOO_LARGE,
                                     json_pack("{s:I, s:I}", "length", (json_int_t) size, "max",
                                               (json_int_t) max),
                                     "request of %zu bytes exceeds the maximum of %zu bytes", size, max);
                        break;
                case FRAME_TIMEOUT:
                        request_fail(q, AGENT_TIMEOUT, NULL, "request frame did not arrive within %u ms",
                                     timeout);
                        break;
                default:
                        request_fail(q, AGENT_INVALID_REQUEST, NULL, "%s", frame_error_to_string(fe));
                        break;
                }
                q->no_response = fe == FRAME_EOF;
                if (fe == FRAME_IO)
                        fprintf(stderr, "Failed to read the request: %s\n", strerror(io_errno));
                return -EINVAL;
        }

        /* A caller that no policy admits gets PERMISSION_DENIED whatever its request holds, so it can
         * probe neither the catalogue nor the params checks.  The envelope is still parsed, so that the
         * audit record names the request id and the action it tried. */
        if (!q->peer_known || !policy_peer_known(q->config, &q->peer)) {
                (void) envelope_parse(body, size, &q->envelope, &env_error);
                envelope_error_done(&env_error);
                if (!q->peer_known)
                        request_fail(q, AGENT_PERMISSION_DENIED, NULL,
                                     "the caller's credentials could not be read");
                else {
                        reason = "the caller is neither root nor in an allowed group";
                        request_fail(q, AGENT_PERMISSION_DENIED, NULL, "permission denied for uid %u: %s",
                                     (unsigned) q->peer.uid, reason);
                }
                return -EINVAL;
        }

        r = envelope_parse(body, size, &q->envelope, &env_error);
        if (r < 0) {
                json_t *details = env_error.field ? json_pack("{s:s}", "field", env_error.field) : NULL;
                request_fail(q, r == -ENOMEM ? AGENT_INTERNAL : env_error.code, details, "%s",
                             env_error.message ?: "out of memory");
                envelope_error_done(&env_error);
                return -EINVAL;
        }

        q->action = action_lookup(q->envelope.action);
        if (!q->action) {
                request_fail(q, AGENT_UNKNOWN_ACTION, json_pack("{s:s}", "action", q->envelope.action),
                             "unknown action %s", q->envelope.action);
                return -EINVAL;
        }

        q->redacted_params = param_redact(q->action->params, q->envelope.params);

        if (policy_check(q->config, q->action, &q->peer, &reason) < 0) {
                request_fail(q, AGENT_PERMISSION_DENIED, NULL, "permission denied for uid %u: %s",
                             (unsigned) q->peer.uid, reason);
                return -EINVAL;
        }

        _cleanup_free_ void *params = calloc(1, q->action->params_size ?: 1);
        if (!params) {
                request_fail(q, AGENT_INTERNAL, NULL, "out of memory");
                return -EINVAL;
        }
        r = param_parse(q->action->params, q->envelope.params, params, &param_error);
        if (r < 0) {
                request_fail(q, r == -ENOMEM ? AGENT_INTERNAL : AGENT_INVALID_PARAMS,
                             param_error.param ? json_pack("{s:s}", "param", param_error.param) : NULL, "%s",
                             param_error.message ?: "invalid params");
                param_error_done(&param_error);
                return -EINVAL;
        }

        /* A "user" param names the account acted on, so the accepted-record carries it already; the
         * handler may correct it for the finished one. */
        json_t *user = json_object_get(q->envelope.params, "user");
        if (json_is_string(user))
                q->target_user = strdup(json_string_value(user));

        *ret_params = TAKE_PTR(params);
        return 0;
}

static void request_run(Request *q, void *params)
{
        const Action *a = q->action;
        uint64_t timeout_ms = a->timeout_ms;
        int r;

        if (q->envelope.timeout_ms > 0 && q->envelope.timeout_ms < timeout_ms)
                timeout_ms = q->envelope.timeout_ms;

        ActionContext ctx = {
                .action = a,
                .config = q->config,
                .request_id = q->envelope.request_id,
                .subject_user = q->envelope.subject_user,
                .peer_uid = q->peer.uid,
                .peer_gid = q->peer.gid,
                .peer_pid = q->peer.pid,
                .deadline_usec = q->start_usec + timeout_ms * USEC_PER_MSEC,
                .journal_ok = q->journal_ok,
                .apparmor_state = q->confinement.apparmor,
                .landlock_state = q->confinement.landlock,
                .capabilities_kept = q->confinement.capabilities,
        };

        r = a->handler(&ctx, params);
        if (r >= 0 && ctx.code == AGENT_OK) {
                q->code = AGENT_OK;
                q->result = ctx.result ?: json_object();
                ctx.result = NULL;
        } else if (ctx.code != AGENT_OK) {
                q->code = ctx.code;
                q->message = TAKE_PTR(ctx.message);
                q->details = TAKE_PTR(ctx.details);
        } else
                request_fail(q, AGENT_INTERNAL, NULL, "%s failed: %s", a->name, strerror(r < 0 ? -r : EIO));

        json_decref(ctx.result);
        free(ctx.message);
        json_decref(ctx.details);
        if (ctx.target_user) {
                free(q->target_user);
                q->target_user = TAKE_PTR(ctx.target_user);
        }
}

int agent_serve(const AgentConfig *c, int in_fd, int out_fd)
{
        Request q = { .config = c, .out_fd = out_fd, .start_usec = now_usec(), .code = AGENT_OK };
        _cleanup_free_ void *params = NULL;
        int r, audit_r;

        q.peer_known = peer_get(in_fd, &q.peer) >= 0;

        r = request_admit(&q, in_fd, &params);
        if (r < 0) {
                bool hung_up = false;

                audit_r = request_audit(&q, AUDIT_REJECTED);
                /* A peer that closed before sending anything gets no response. */
                if (!q.no_response) {
                        r = request_respond(&q);
                        hung_up = r == -EPIPE || r == -ECONNRESET;
                } else
                        r = 0;
                request_done(&q);
                if (r < 0 && !hung_up)
                        return r;
                /* As for handled requests: a lost audit record fails the instance only when failing
                 * closed, so a development host without a journal does not count every rejection. */
                return audit_r < 0 && config_get_bool(c, "audit", "fail_closed") ? audit_r : 0;
        }

        /* Confinement before the accepted-record, so that record already carries its outcome.  Entering
         * an AppArmor subprofile and dropping capabilities change nothing on the host. */
        r = confine_enter(c, q.action, &q.confinement);
        if (r < 0) {
                request_fail(&q, AGENT_UNAVAILABLE, json_pack("{s:s}", "step", q.confinement.failed),
                             "confinement for %s failed at the %s step: %s", q.action->name,
                             q.confinement.failed, strerror(-r));
                goto finish;
        }

        /* The accepted-record is written before anything changes.  Without it, a changing action does not
         * run unless the configuration allows it for development. */
        audit_r = request_audit(&q, AUDIT_ACCEPTED);
        q.journal_ok = audit_r >= 0;
        if (audit_r < 0 && q.action->changing && config_get_bool(c, "audit", "fail_closed")) {
                request_fail(&q, AGENT_AUDIT_UNAVAILABLE, NULL,
                             "the audit record could not be written (%s); %s was not performed",
                             strerror(-audit_r), q.action->name);
                goto finish;
        }

        request_run(&q, params);
        param_free(q.action->params, params);

finish:
        r = request_respond(&q);
        if (r == -EPIPE || r == -ECONNRESET) {
                /* The client hung up after sending.  The action has run all the same and is audited. */
                r = 0;
        } else if (r < 0)
                fprintf(stderr, "Failed to write the response to request %s: %s\n", q.envelope.request_id,
                        strerror(-r));

        audit_r = request_audit(&q, AUDIT_FINISHED);
        request_done(&q);
        return r < 0 ? r : audit_r < 0 && c && config_get_bool(c, "audit", "fail_closed") ? audit_r : 0;
}
