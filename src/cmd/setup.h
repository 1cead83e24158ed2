#ifndef BLAMBDA_CMD_SETUP_H
#define BLAMBDA_CMD_SETUP_H

#include "aws/client.h"
#include "cli/opt.h"
#include "config/config.h"

/*
 * What commands do before their own work: the configuration from blambda.yml,
 * the environment and the flags, and from it what the AWS client needs.
 */

/*
 * Load the configuration the command runs with: blambda.yml (or -c FILE),
 * BLAMBDA_* variables, then the flags that set keys (and --region given
 * several times, for commands that take several). -1 with err.
 */
int cmd_load_config(const struct args *args, struct config *cfg, struct error *err);

/*
 * The event a command with PAYLOAD_OPTS sends to `function` (see
 * payload_load; --event-template: config_event_template, filled from the
 * function's triggers in cfg): 0, or -1 with err.
 */
int cmd_payload(const struct args *args, const struct config *cfg, const char *function, struct buf *out,
		struct error *err);

/*
 * The profile, region and endpoint the project sets (flags included), for
 * aws_init(), pointers into cfg; the terminal's observer.
 */
void cmd_aws_settings(const struct config *cfg, struct aws_settings *s);
/* aws_init() with those settings. */
int cmd_aws_init(struct aws *a, const struct config *cfg, struct error *err);

/*
 * The regions a command works in: --region (repeated), else aws.regions,
 * else the one region in use (AWS_REGION, the profile, aws.region); with
 * each, where it was set. -1 with err.
 */
int cmd_pick_regions(struct aws *a, const struct config *cfg, struct strlist *regions, struct strlist *origins,
		     struct error *err);
/*
 * cmd_aws_init() for a command that works in one region: the one
 * cmd_pick_regions() gives (aws.regions of one included), or an error
 * naming --region when the project has several.
 */
int cmd_aws_init_one(struct aws *a, const struct config *cfg, const char *command, struct error *err);
/*
 * A client per region (*out, *n of them made, to release even on failure),
 * all with the credentials found once. -1 with err.
 */
int cmd_region_clients(const struct config *cfg, const struct strlist *regions, const struct strlist *origins,
		       const struct aws_credentials *creds, struct aws **out, size_t *n, struct error *err);

#endif
