#ifndef BLAMBDA_CLI_HELP_H
#define BLAMBDA_CLI_HELP_H

#include <stdio.h>

#include "cli/opt.h"
#include "core/buf.h"

/* The overview shown by `blambda --help` and `blambda help`. */
void help_print_main(FILE *out);
/* The page of one command: `blambda help CMD` and `blambda CMD --help`. */
void help_print_command(FILE *out, const struct command *cmd);
/* The option as shown in a synopsis or option list: "-c, --config FILE". */
void help_opt_spelling(struct buf *b, const struct opt *o);
/* The help line with the allowed values or range appended. */
void help_opt_text(struct buf *b, const struct opt *o);

#endif
