/*
 * blambda: build, deploy and run Clojure functions on AWS Lambda.
 *
 * main() owns the edges: it parses the command line, sets up messages,
 * changes directory, loads the configuration for commands that need it,
 * runs the command and ends with the exit status it returns. Nothing here
 * initialises libcurl or OpenSSL: commands do that when they need it, so
 * `--help` and a misspelt option answer at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/help.h"
#include "cli/msg.h"
#include "cli/opt.h"
#include "cmd/cmd.h"
#include "cmd/setup.h"
#include "config/config.h"
#include "local/keeper.h"

/* -C DIR, as many times as given, each relative to the one before. */
static int change_dirs(const struct args *args)
{
	const struct opt_value *v = args_value(args, GLOBAL_DIRECTORY);

	for (size_t i = 0; i < v->list.nr; i++)
		if (chdir(v->list.items[i]))
			return error_exit(EXIT_USAGE, "cannot change to directory '%s': %s", v->list.items[i],
					  strerror(errno));
	return EXIT_OK;
}

/* Colour, -q and -v, as the command line says (--no-color is honoured even for a mistake found while parsing). */
static void set_messages(int argc, char **argv)
{
	const char *nc = getenv("NO_COLOR");

	msg_set_color(!(nc && *nc));
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--no-color"))
			msg_set_color(0);
}

/* The command, once the command line was read well: help, version, or the command itself. */
static int run(struct args *args)
{
	struct error err = ERROR_INIT;
	struct config cfg;
	int status;

	if (args_flag(args, GLOBAL_HELP)) {
		if (args->cmd)
			help_print_command(stdout, args->cmd);
		else
			help_print_main(stdout, &blambda_commands);
		return EXIT_OK;
	}
	if (args_flag(args, GLOBAL_VERSION))
		return cmd_version.exec(args, NULL);
	if (!args->cmd) {
		help_print_main(stderr, &blambda_commands);
		return EXIT_USAGE;
	}
	if ((status = change_dirs(args)))
		return status;
	if (!(args->cmd->flags & CMD_CONFIG))
		return args->cmd->exec(args, NULL);
	if (cmd_load_config(args, &cfg, &err)) {
		status = error_print_release(&err);
	} else {
		status = args->cmd->exec(args, &cfg);
	}
	config_release(&cfg);
	return status;
}

int main(int argc, char **argv)
{
	struct error err = ERROR_INIT;
	struct args args;
	int status;

	/* an execution environment's keeper, for `blambda local` (blambda runs itself under this name) */
	if (argc > 0 && !strcmp(argv[0], LOCAL_KEEPER_NAME))
		return local_keeper_main(argc, argv);
	set_messages(argc, argv);
	if (args_parse(&args, argc, argv, &blambda_commands, &err)) {
		status = error_print_release(&err);
	} else {
		if (args_flag(&args, GLOBAL_NO_COLOR))
			msg_set_color(0);
		msg_set_level(args_flag(&args, GLOBAL_QUIET) ? MSG_QUIET : args_flag(&args, GLOBAL_VERBOSE));
		status = run(&args);
	}
	args_release(&args);
	if (fflush(stdout) || ferror(stdout)) {
		if (errno != EPIPE)
			error("cannot write to standard output: %s", strerror(errno));
		status = status ? status : EXIT_FAIL;
	}
	return status;
}
