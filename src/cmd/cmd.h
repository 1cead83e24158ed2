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
extern const struct command cmd_terraform;

#endif
