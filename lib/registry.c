/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "macro.h"

/* Each family file exports a NULL-terminated list of its actions; add a new family here. */
extern const Action *const agent_family_actions[];
extern const Action *const domain_family_actions[];
extern const Action *const user_family_actions[];

static const Action *const *const families[] = {
        agent_family_actions,
        domain_family_actions,
        user_family_actions,
};

static const Action **registry;
static size_t registry_size;

static int action_compare(const void *a, const void *b)
{
        return strcmp((*(const Action *const *) a)->name, (*(const Action *const *) b)->name);
}

/* Builds the sorted registry once per process; the agent serves one request, so this runs once. */
static void registry_build(void)
{
        size_t n = 0;

        if (registry)
                return;

        for (size_t f = 0; f < ELEMENTSOF(families); f++)
                for (const Action *const *a = families[f]; *a; a++)
                        n++;

        registry = calloc(n ? n : 1, sizeof(Action *));
        if (!registry)
                abort();
        for (size_t f = 0; f < ELEMENTSOF(families); f++)
                for (const Action *const *a = families[f]; *a; a++)
                        registry[registry_size++] = *a;

        qsort(registry, registry_size, sizeof(Action *), action_compare);
}

const Action *action_lookup(const char *name)
{
        const Action key = { .name = name }, *k = &key, **found;

        if (!name)
                return NULL;
        registry_build();
        found = bsearch(&k, registry, registry_size, sizeof(Action *), action_compare);
        return found ? *found : NULL;
}

size_t action_count(void)
{
        registry_build();
        return registry_size;
}

const Action *action_at(size_t i)
{
        registry_build();
        return i < registry_size ? registry[i] : NULL;
}
