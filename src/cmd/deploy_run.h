#ifndef BLAMBDA_CMD_DEPLOY_RUN_H
#define BLAMBDA_CMD_DEPLOY_RUN_H

#include "cli/opt.h"
#include "config/config.h"
#include "deploy/deploy.h"

/*
 * What deploy does up to its plan (the project built, a client per region,
 * every region planned, and unless dry_run executed), shared by the
 * commands that show the plan another way: status and diff.
 */
struct deploy_mode {
	int dry_run, layers_only, use_s3, publish, code_only;
	int code_files; /* diff --files */
	int jobs;       /* --jobs: functions at once (0: the default) */
	int command_opts; /* args holds deploy's own options (not status's or diff's) */
	/* prints the plans and returns the exit status; NULL: deploy's own rendering */
	int (*render)(struct deploy_plan *plans, size_t n, int json, size_t failures);
};

int deploy_run(struct args *args, struct config *cfg, const struct deploy_mode *m);

#endif
