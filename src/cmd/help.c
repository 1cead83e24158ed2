#include <stdio.h>
#include <string.h>

#include "cli/help.h"
#include "cmd/cmd.h"

static int exec_help(struct args *args, struct config *cfg)
{
	const struct command *c = args->pos.nr ? command_find(&blambda_commands, args->pos.items[0]) : NULL;

	(void)cfg;
	/* the parser checked the names: a command, then one of its subcommands */
	for (size_t i = 0; c && c->subcommands && args->pos.nr > 1 && c->subcommands[i]; i++)
		if (!strcmp(c->subcommands[i]->name, args->pos.items[1])) {
			c = c->subcommands[i];
			break;
		}
	if (c)
		help_print_command(stdout, c);
	else
		help_print_main(stdout, &blambda_commands);
	return 0;
}

const struct command cmd_help = {
	.name = "help",
	.summary = "show help for blambda or one of its commands",
	.usage = "[COMMAND [SUBCOMMAND]]",
	.description = "Without COMMAND, lists the commands and the global options. With COMMAND, shows "
		       "what 'blambda COMMAND --help' shows: its synopsis, options and examples (for a "
		       "command with subcommands, the list of them; name one for its own page). The manual "
		       "page, blambda(1), says the same at more length.",
	.pos = POS_COMMAND,
	.min_pos = 0,
	.max_pos = 2,
	.examples = "blambda help config\tshow how 'blambda config' is used\n"
		    "blambda help local invoke\tshow how 'blambda local invoke' is used",
	.exec = exec_help,
};
