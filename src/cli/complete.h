#ifndef BLAMBDA_CLI_COMPLETE_H
#define BLAMBDA_CLI_COMPLETE_H

#include <stdio.h>

/*
 * Shell completion scripts, generated from the command and option tables
 * (and the blambda.yml key table for `blambda config KEY`). `shell` is
 * "bash", "zsh" or "fish"; returns -1 for any other.
 */
int complete_write(FILE *out, const char *shell);

extern const char *const complete_shells[];

#endif
