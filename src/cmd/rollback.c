#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/lambda.h"
#include "cli/msg.h"
#include "cli/term.h"
#include "cmd/cmd.h"
#include "cmd/setup.h"
#include "deploy/deploy.h"
#include "deploy/release.h"

/* the options, in the order of the table at the end */
enum { ROLLBACK_OPT_TO, ROLLBACK_OPT_DRY_RUN, ROLLBACK_OPT_ALIAS, OPTS__N };

static void say(const char *name, const char *alias, long from, long to, int dry_run, int json)
{
	if (json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddBoolToObject(o, "ok", 1);
		cJSON_AddBoolToObject(o, "dry_run", dry_run);
		cJSON_AddStringToObject(o, "function", name);
		cJSON_AddStringToObject(o, "alias", alias);
		cJSON_AddNumberToObject(o, "from", (double)from);
		cJSON_AddNumberToObject(o, "to", (double)to);
		json_print(o);
	} else {
		printf("%salias '%s' of function '%s': version %ld -> %ld\n", dry_run ? "would move " : "", alias, name,
		       from, to);
	}
}

static int exec_rollback(struct args *args, struct config *cfg)
{
	int dry_run = args_flag(args, ROLLBACK_OPT_DRY_RUN);
	struct lambda_versions v = { 0 };
	struct lambda_aliases al = { 0 };
	struct error err = ERROR_INIT;
	struct config one = { 0 };
	const char *alias;
	long from = 0, to = 0;
	struct aws a;
	char *name, *arn = NULL;
	int k, r = EXIT_OK;

	memset(&a, 0, sizeof(a));
	aws_credentials_init(&a.creds);
	if (!(name = config_one_function(cfg, args->pos.nr ? args->pos.items[0] : NULL, "rollback", &err)))
		return error_print_release(&err);
	k = config_function_index(cfg, name);
	config_for_function(cfg, k < 0 ? 0 : (size_t)k, &one);
	if (!(alias = config_str(&one, CFG_FUNCTION_ALIAS))) {
		error_set(&err, EXIT_USAGE, "function '%s' has no function.alias: rollback moves an alias back", name);
		error_hint(&err, "name it with --alias NAME, or set function.alias in blambda.yml (deploy then points it at "
			   "each version it publishes)");
	} else if (!cmd_aws_init_one(&a, cfg, "rollback", &err) && !deploy_check_ours(&a, NULL, name, &err) &&
		   !lambda_list_versions(&a, NULL, name, &v, &err) &&
		   !lambda_aliases(&a, NULL, name, &al, &err) &&
		   !release_rollback_target(&v, &al, name, alias, args_value(args, ROLLBACK_OPT_TO)->num, &from, &to,
					    &err) &&
		   (dry_run || !lambda_put_alias(&a, NULL, name, alias, to, 0, &arn, &err))) {
		say(name, alias, from, to, dry_run, args_flag(args, GLOBAL_JSON));
	}
	if (error_failed(&err)) {
		if ((!err.hint || (err.code && !strcmp(err.code, "NotOurs"))) && err.exit != EXIT_USAGE)
			error_prefix(&err, "cannot roll back alias '%s' of function '%s'", alias ? alias : "", name);
		if (args_flag(args, GLOBAL_JSON)) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddBoolToObject(o, "ok", 0);
			json_add_error(o, NULL, &err);
			json_print(o);
		}
		r = error_print_release(&err);
	}
	free(arn);
	lambda_versions_release(&v);
	lambda_aliases_release(&al);
	config_release(&one);
	aws_release(&a);
	free(name);
	return r;
}

static const struct opt opts[OPTS__N + 1] = {
	[ROLLBACK_OPT_TO] = OPT_INT(0, "to", "VERSION", 1, 1000000000, "the version to point the alias at"),
	[ROLLBACK_OPT_DRY_RUN] = OPT_BOOL('n', "dry-run", "say what would move, and move nothing"),
	[ROLLBACK_OPT_ALIAS] = OPT_STRING_KEY(0, "alias", "NAME", "the alias to move back (else function.alias)",
					      "function.alias"),
	[OPTS__N] = OPT_END,
};

const struct command cmd_rollback = {
	.name = "rollback",
	.summary = "point the function's alias back at an earlier version",
	.usage = "[NAME]",
	.description =
		"Points the alias named by function.alias at the published version before the one it points "
		"at now, or at --to VERSION, and says what moved (version A -> B). Nothing else changes: the "
		"code of $LATEST and the settings stay, and the next 'blambda deploy' points the alias at the "
		"newest version again (publishing one first when the code or layers changed); until then "
		"'blambda diff' shows the alias as a difference.\n\n"
		"It refuses, saying why, when the function has no function.alias, the alias does not exist in "
		"Lambda or points at $LATEST, there is no earlier version, or --to names a version that does "
		"not exist or the one the alias points at. 'blambda versions' lists the versions and where "
		"the aliases point. With --json: {\"ok\", \"dry_run\", \"function\", \"alias\", \"from\", \"to\"}, or "
		"{\"ok\": false, \"error\"} when it refuses.",
	.opts = opts,
	.nopts = OPTS__N,
	.pos = POS_FUNCTION,
	.max_pos = 1,
	.flags = CMD_CONFIG,
	.examples = "blambda rollback\tthe alias back to the version before\n"
		    "blambda rollback api --to 7\tfunction api's alias to version 7",
	.exec = exec_rollback,
};
