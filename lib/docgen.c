/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <string.h>

#include "action.h"
#include "capability.h"
#include "docgen.h"
#include "errcode.h"

/* Table cells cannot hold a '|' or a newline. */
static void cell(FILE *f, const char *s)
{
        for (; s && *s; s++) {
                if (*s == '|')
                        fputs("\\|", f);
                else if (*s == '\n')
                        fputc(' ', f);
                else
                        fputc(*s, f);
        }
}

static void params_table(FILE *f, const ParamSpec *table, const char *prefix)
{
        for (const ParamSpec *s = table; s->name; s++) {
                fprintf(f, "| `%s%s` | %s | %s | %s | ", prefix, s->name, param_type_to_string(s->type),
                        s->flags & PARAM_REQUIRED ? "yes" : "no", s->flags & PARAM_SECRET ? "yes" : "no");

                switch (s->type) {
                case PARAM_INT:
                        fprintf(f, "%" PRId64 " to %" PRId64 "%s", s->min == 0 && s->max == 0 ? 0 : s->min,
                                s->max ?: (int64_t) INT32_MAX, "");
                        if (!(s->flags & PARAM_REQUIRED))
                                fprintf(f, ", default %" PRId64, s->def);
                        fputs("; ", f);
                        break;
                case PARAM_BOOL:
                        if (!(s->flags & PARAM_REQUIRED))
                                fprintf(f, "default %s; ", s->def ? "true" : "false");
                        break;
                case PARAM_STRING:
                        fprintf(f, "%" PRId64 "-%" PRId64 " bytes; ", s->min ?: 1,
                                s->max ?: (int64_t) PARAM_STRING_MAX_DEFAULT);
                        break;
                case PARAM_STRING_ARRAY:
                case PARAM_OBJECT_ARRAY:
                        fprintf(f, "%" PRId64 "-%" PRId64 " items; ", s->min,
                                s->max ?: (int64_t) PARAM_ARRAY_MAX_DEFAULT);
                        break;
                default:
                        break;
                }
                if (s->choices) {
                        fputs("one of", f);
                        for (const char *const *c = s->choices; *c; c++)
                                fprintf(f, " `%s`", *c);
                        fputs("; ", f);
                }
                cell(f, s->constraint);
                fputs(" | ", f);
                cell(f, s->description);
                fputs(" |\n", f);

                if (s->type == PARAM_OBJECT_ARRAY && s->items) {
                        char nested[128];
                        snprintf(nested, sizeof(nested), "%s%s[].", prefix, s->name);
                        params_table(f, s->items, nested);
                }
        }
}

void docgen_actions_markdown(FILE *f)
{
        fputs("# Action reference\n\n"
              "Generated from the agent's registry by `jabali-agent --dump-actions-markdown`; `make "
              "docs-check` "
              "fails when this file is stale.  Every changing action returns `changed` (boolean) in its "
              "result.\n\n"
              "Callers: `panel` actions are open to root and the groups and users of `[policy]` (default: "
              "group "
              "`jabali`); `root` actions to root only.  Capabilities are the only ones the instance keeps "
              "while "
              "the handler runs.\n\n",
              f);

        fputs("| action | family | changing | caller | timeout |\n| --- | --- | --- | --- | --- |\n", f);
        for (size_t i = 0; i < action_count(); i++) {
                const Action *a = action_at(i);
                char anchor[128];
                size_t n = 0;

                /* Markdown renderers drop the dots from heading anchors. */
                for (const char *p = a->name; *p && n + 1 < sizeof(anchor); p++)
                        if (*p != '.')
                                anchor[n++] = *p;
                anchor[n] = '\0';
                fprintf(f, "| [`%s`](#%s) | %s | %s | %s | %u ms |\n", a->name, anchor,
                        action_family_to_string(a->family), a->changing ? "yes" : "no",
                        caller_policy_to_string(a->policy), a->timeout_ms);
        }
        fputc('\n', f);

        for (size_t i = 0; i < action_count(); i++) {
                const Action *a = action_at(i);

                fprintf(f, "## %s\n\n", a->name);
                fprintf(f, "%s\n\n", a->description ?: "");
                fprintf(f, "- Family and AppArmor subprofile: `%s`\n", action_family_to_string(a->family));
                fprintf(f, "- Caller: %s\n", caller_policy_to_string(a->policy));
                fprintf(f, "- Changes host state: %s\n", a->changing ? "yes" : "no");
                fprintf(f, "- Timeout: %u ms\n", a->timeout_ms);
                fputs("- Capabilities:", f);
                if (!a->capabilities || a->capabilities[0] < 0)
                        fputs(" none", f);
                for (const int *c = a->capabilities; c && *c >= 0; c++)
                        fprintf(f, " `%s`", capability_to_name(*c) ?: "?");
                fputs("\n", f);
                if (a->result_doc)
                        fprintf(f, "- Result: `%s`\n", a->result_doc);
                fputc('\n', f);

                if (!a->params || !a->params[0].name) {
                        fputs("No params.\n\n", f);
                        continue;
                }
                fputs("| param | type | required | secret | constraint | description |\n"
                      "| --- | --- | --- | --- | --- | --- |\n",
                      f);
                params_table(f, a->params, "");
                fputc('\n', f);
        }

        fputs("## Error codes\n\n| code | retry can help | when |\n| --- | --- | --- |\n", f);
        for (int c = AGENT_OK + 1; c < _AGENT_CODE_MAX; c++) {
                fprintf(f, "| `%s` | %s | ", agent_code_to_string((AgentCode) c),
                        agent_code_retryable((AgentCode) c) ? "yes" : "no");
                cell(f, agent_code_description((AgentCode) c));
                fputs(" |\n", f);
        }
}

void docgen_config_markdown(FILE *f)
{
        static const char *const type_names[] = {
                [CONFIG_STRING] = "string", [CONFIG_PATH] = "path", [CONFIG_BOOL] = "boolean",
                [CONFIG_UINT] = "integer",  [CONFIG_LIST] = "list", [CONFIG_ENUM] = "one of",
        };
        const char *section = NULL;

        fputs("# Configuration reference\n\n"
              "Generated by `jabali-agent --dump-config-markdown`.  The agent reads "
              "`/etc/jabali-agent/agent.conf`, "
              "then `/etc/jabali-agent/agent.conf.d/*.conf` in lexical order (INI syntax; a later file "
              "overrides "
              "an earlier one key by key).  An unknown section or key is an error, so a typo cannot leave a "
              "default silently in place.  Lists are space-separated words.\n",
              f);

        for (size_t i = 0; config_key_at(i); i++) {
                const ConfigKey *k = config_key_at(i);

                if (!section || !streq(section, k->section)) {
                        section = k->section;
                        fprintf(f,
                                "\n## [%s]\n\n| key | type | default | description |\n| --- | --- | --- | "
                                "--- |\n",
                                section);
                }
                fprintf(f, "| `%s` | %s", k->key, type_names[k->type]);
                for (const char *const *c = k->choices; c && *c; c++)
                        fprintf(f, " `%s`", *c);
                fprintf(f, " | `%s` | ", k->def);
                cell(f, k->description);
                fputs(" |\n", f);
        }
}
