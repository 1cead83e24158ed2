#ifndef BLAMBDA_CMD_CMD_H
#define BLAMBDA_CMD_CMD_H

#include "cli/opt.h"
#include "config/config.h"

/* One entry per command, each defined in its own file; collected in commands.c. */
extern const struct command cmd_help;
extern const struct command cmd_version;
extern const struct command cmd_config;
extern const struct command cmd_completion;
extern const struct command cmd_doctor;
extern const struct command cmd_build;
extern const struct command cmd_deploy;
extern const struct command cmd_new_function;
extern const struct command cmd_local;
extern const struct command cmd_invoke;
extern const struct command cmd_logs;
extern const struct command cmd_destroy;
extern const struct command cmd_import;
extern const struct command cmd_versions;
extern const struct command cmd_rollback;
extern const struct command cmd_prune;
extern const struct command cmd_status;
extern const struct command cmd_diff;
extern const struct command cmd_terraform;

/* local's subcommands */
extern const struct command cmd_local_invoke;
extern const struct command cmd_local_start;

/* All of them: what main() parses against and gendocs documents. */
extern const struct command_table blambda_commands;

/*
 * The event options `invoke` and `local invoke` share, written once: the
 * first rows of both tables (PAYLOAD_OPTS), their ids the first of both
 * enums, read with cmd_payload() (cmd/setup.h).
 */
enum { PAYLOAD_JSON, PAYLOAD_FILE, PAYLOAD_EVENT, PAYLOAD_TEMPLATE, PAYLOAD__N };
#define PAYLOAD_OPTS                                                                                        \
	[PAYLOAD_JSON] = OPT_STRING('p', "payload", "JSON", "the event (default {})"),                      \
	[PAYLOAD_FILE] = OPT_PATH(0, "payload-file", "FILE", "read the event from FILE, '-' for standard input"), \
	[PAYLOAD_EVENT] = OPT_ROW('e', "event", OPTION_STRING, "NAME", "send events/NAME.json of the project, or the file at a path", \
			       0, 0, NULL, NULL, OPT_EVENT_NAME),         \
	[PAYLOAD_TEMPLATE] = OPT_STRING(0, "event-template", "KIND",                                        \
					"send a sample event of a trigger: schedule, sqs, stream, http or s3 (from function.events)")

#endif
