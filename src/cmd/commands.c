#include "cmd/cmd.h"
#include "core/array.h"

/* The command table, in the order `blambda --help` lists them. */
static const struct command *const commands[] = {
	&cmd_new_function,
	&cmd_build,
	&cmd_deploy,
	&cmd_local,
	&cmd_invoke,
	&cmd_logs,
	&cmd_destroy,
	&cmd_import,
	&cmd_versions,
	&cmd_rollback,
	&cmd_prune,
	&cmd_status,
	&cmd_diff,
	&cmd_terraform,
	&cmd_doctor,
	&cmd_config,
	&cmd_completion,
	&cmd_version,
	&cmd_help,
};

const struct command_table blambda_commands = { commands, ARRAY_SIZE(commands) };
