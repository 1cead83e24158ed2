/*
 * blambda: build, deploy and run Clojure functions on AWS Lambda.
 *
 * main() owns the edges: it parses the command line, sets up messages,
 * changes directory, loads the configuration for commands that need it,
 * runs the command and chooses the exit status. Nothing here initialises
 * libcurl or OpenSSL: commands do that when they need it, so `--help` and a
 * misspelt option answer at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/help.h"
#include "cli/opt.h"
#include "cmd/cmd.h"
#include "cmd/setup.h"
#include "config/config.h"
#include "core/msg.h"

static int change_dirs(const struct args *args)
{
	const struct opt_value *v = args_value(args, GLOBAL_DIRECTORY);

	for (size_t i = 0; i < v->list.nr; i++)
		if (chdir(v->list.items[i]))
			return error_status(EXIT_USAGE, "cannot change to directory '%s': %s", v->list.items[i],
					    strerror(errno));
	return 0;
}

int main(int argc, char **argv)
{
	struct args args;
	struct config cfg;
	struct error err = ERROR_INIT;
	int status, have_cfg = 0;
	const char *nc = getenv("NO_COLOR");

	msg_set_color(!(nc && *nc));
	/* honour --no-color even for a mistake found while parsing */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--no-color"))
			msg_set_color(0);
	if (args_parse(&args, argc, argv, &blambda_commands, &err)) {
		status = error_print(&err);
		goto out;
	}
	if (args_flag(&args, GLOBAL_NO_COLOR))
		msg_set_color(0);
	if (args_flag(&args, GLOBAL_QUIET))
		msg_set_level(MSG_QUIET);
	else
		msg_set_level(args_flag(&args, GLOBAL_VERBOSE));

	if (args_flag(&args, GLOBAL_HELP)) {
		if (args.cmd)
			help_print_command(stdout, args.cmd);
		else
			help_print_main(stdout, &blambda_commands);
		status = EXIT_OK;
		goto out;
	}
	if (args_flag(&args, GLOBAL_VERSION)) {
		status = cmd_version.exec(&args, NULL) ? msg_exit_status() : EXIT_OK;
		goto out;
	}
	if (!args.cmd) {
		help_print_main(stderr, &blambda_commands);
		status = EXIT_USAGE;
		goto out;
	}
	if (change_dirs(&args)) {
		status = msg_exit_status();
		goto out;
	}
	if (args.cmd->flags & CMD_CONFIG) {
		have_cfg = 1;
		if (args_load_config(&args, &cfg)) {
			status = msg_exit_status();
			goto out;
		}
	}
	status = args.cmd->exec(&args, have_cfg ? &cfg : NULL);
	status = status < 0 ? (int)msg_exit_status() : status;
out:
	if (have_cfg)
		config_release(&cfg);
	args_release(&args);
	error_release(&err);
	if (fflush(stdout) || ferror(stdout)) {
		if (errno != EPIPE)
			error("cannot write to standard output: %s", strerror(errno));
		status = status ? status : EXIT_FAIL;
	}
	return status;
}
