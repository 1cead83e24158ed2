#ifndef BLAMBDA_CLI_HELP_H
#define BLAMBDA_CLI_HELP_H

#include <stdio.h>

#include "cli/opt.h"
#include "core/buf.h"

/* The overview shown by `blambda --help` and `blambda help`: the commands of t and the global options. */
void help_print_main(FILE *out, const struct command_table *t);
/*
 * The page of one command or subcommand: `blambda help CMD [SUB]` and
 * `blambda CMD [SUB] --help`. A command with subcommands lists them.
 */
void help_print_command(FILE *out, const struct command *cmd);
/* The option as shown in a synopsis or option list: "-c, --config FILE". */
void help_opt_spelling(struct buf *b, const struct opt *o);
/* The help line with the allowed values or range appended. */
void help_opt_text(struct buf *b, const struct opt *o);

#endif
