#ifndef BLAMBDA_CLI_MAN_H
#define BLAMBDA_CLI_MAN_H

#include <stdio.h>

#include "cli/opt.h"

/*
 * Render the man page from its template: prose is copied, and each line that
 * is exactly one of @SYNOPSIS@, @GLOBAL_OPTIONS@, @COMMANDS@, @CONFIG_KEYS@,
 * @CONFIG_ENV@ is replaced by man(7) text generated from the same tables as
 * --help. @VERSION@ anywhere is replaced by the version.
 */
int man_render(FILE *out, FILE *template_file, const char *template_name, const struct command_table *t,
	       struct error *err);

#endif
