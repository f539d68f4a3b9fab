/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * The agent's configuration: /etc/jabali-agent/agent.conf, then agent.conf.d/\*.conf in lexical order, INI
 * syntax.  Every key is declared in a table with its default and description; an undeclared section or
 * key is an error, so a typo never silently leaves a default in place.
 */

typedef enum ConfigType {
        CONFIG_STRING,
        CONFIG_PATH, /* absolute, normalised, no ".." */
        CONFIG_BOOL,
        CONFIG_UINT,
        CONFIG_LIST, /* space-separated words */
        CONFIG_ENUM, /* one of .choices */
} ConfigType;

typedef struct ConfigKey {
        const char *section;
        const char *key;
        ConfigType type;
        const char *def;
        const char *const *choices; /* CONFIG_ENUM */
        const char *description;
} ConfigKey;

typedef struct AgentConfig AgentConfig;

#define AGENT_CONFIG_PATH SYSCONFDIR "/jabali-agent/agent.conf"

/* Loads path and path.d/\*.conf.  A missing main file means all defaults.  On error, *ret_error says which
 * file, line and key. */
int config_load(const char *path, AgentConfig **ret, char **ret_error);
AgentConfig *config_free(AgentConfig *c);

/* Typed getters for a declared key; the value is the file's or the key's default.  Asking for an
 * undeclared key is a programming error and aborts. */
const char *config_get(const AgentConfig *c, const char *section, const char *key);
bool config_get_bool(const AgentConfig *c, const char *section, const char *key);
uint64_t config_get_uint(const AgentConfig *c, const char *section, const char *key);
/* Returns a NULL-terminated copy of the words; free with strv_free(). */
char **config_get_list(const AgentConfig *c, const char *section, const char *key);

/* All declared keys, for the documentation. */
const ConfigKey *config_key_at(size_t i);
