#include <stdio.h>

#include "cli/help.h"
#include "cmd/cmd.h"

static int exec_help(struct args *args, struct config *cfg)
{
	(void)cfg;
	if (args->pos.nr)
		help_print_command(stdout, command_find(args->pos.items[0]));
	else
		help_print_main(stdout);
	return 0;
}

static const struct opt opts[] = { OPT_END };

const struct command cmd_help = {
	.name = "help",
	.summary = "show help for blambda or one of its commands",
	.usage = "[COMMAND]",
	.description = "Without COMMAND, lists the commands and the global options. With COMMAND, shows "
		       "what 'blambda COMMAND --help' shows: its synopsis, options and examples. The manual "
		       "page, blambda(1), says the same at more length.",
	.opts = opts,
	.pos = POS_COMMAND,
	.min_pos = 0,
	.max_pos = 1,
	.examples = "blambda help config\tshow how 'blambda config' is used",
	.exec = exec_help,
};
