/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdio.h>

/* Writes the action reference (docs/actions.md) from the registry, with the default configuration. */
void docgen_actions_markdown(FILE *f);

/* Writes the configuration reference (docs/configuration.md) from the declared keys. */
void docgen_config_markdown(FILE *f);
