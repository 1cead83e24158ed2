#ifndef BLAMBDA_CLI_COMPLETE_H
#define BLAMBDA_CLI_COMPLETE_H

#include <stdio.h>

#include "cli/opt.h"

/*
 * Shell completion scripts, generated from the command table t, the option
 * tables (and the blambda.yml key table for `blambda config KEY`). `shell`
 * is "bash", "zsh" or "fish"; returns -1 for any other.
 */
int complete_write(FILE *out, const char *shell, const struct command_table *t);

extern const char *const complete_shells[];

#endif
