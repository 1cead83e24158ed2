#include <stdio.h>

#include "cli/complete.h"
#include "cmd/cmd.h"

static int exec_completion(struct args *args, struct config *cfg)
{
	(void)cfg;
	return complete_write(stdout, args->pos.items[0], &blambda_commands) ? EXIT_USAGE : EXIT_OK;
}

const struct command cmd_completion = {
	.name = "completion",
	.summary = "print the shell completion script for bash, zsh or fish",
	.usage = "SHELL",
	.description = "Prints a completion script for SHELL (bash, zsh or fish) on stdout. Installed "
		       "packages already carry these scripts; this command is for a blambda that was not "
		       "installed, or to load completion for one session.",
	.pos = POS_ENUM,
	.pos_values = complete_shells,
	.min_pos = 1,
	.max_pos = 1,
	.examples = "source <(blambda completion bash)\tcomplete blambda in this bash session\n"
		    "blambda completion zsh > ~/.zfunc/_blambda\tinstall for zsh (with ~/.zfunc in fpath)",
	.exec = exec_completion,
};
