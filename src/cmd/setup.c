/*
 * From the command line to the configuration: what main() does before a
 * command that reads blambda.yml, and what `local start --watch` does again
 * after an edit. Kept apart so the option parser knows nothing of config.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/term.h"
#include "cmd/cmd.h"
#include "cmd/setup.h"
#include "core/buf.h"
#include "core/payload.h"
#include "core/xalloc.h"

/* --region given more than once: the regions a command that takes several works in */
static int set_regions(const struct args *args, struct config *cfg, struct error *err)
{
	const struct opt_value *v = args_value(args, GLOBAL_REGION);
	struct buf all = BUF_INIT;
	int r;

	if (v->list.nr < 2)
		return config_finish(cfg, err);
	if (!(args->cmd->flags & CMD_REGIONS))
		return error_set(err, EXIT_USAGE, "--region is given %zu times; 'blambda %s' works in one region",
				 v->list.nr, command_path(args->cmd));
	for (size_t i = 0; i < v->list.nr; i++)
		buf_addf(&all, "%s%s", i ? "," : "", v->list.items[i]);
	r = config_set_flag(cfg, "aws.regions", all.ptr, "region", err);
	buf_release(&all);
	return r ? -1 : config_finish(cfg, err);
}

/* The flags of one table that set blambda.yml keys; `base` is the id of the table's first row. */
static int apply_flags(const struct args *args, struct config *cfg, const struct opt *opts, int base,
		       struct error *err)
{
	for (size_t i = 0; opts && opts[i].name; i++) {
		const struct opt_value *v = args_value(args, base + (int)i);

		if (opts[i].config_key && v->set && config_set_flag(cfg, opts[i].config_key, v->str, opts[i].name, err))
			return -1;
	}
	return 0;
}

int cmd_load_config(const struct args *args, struct config *cfg, struct error *err)
{
	const char *path = args_str(args, GLOBAL_CONFIG);

	config_init(cfg);
	if (config_read_file(cfg, path ? path : "blambda.yml", path != NULL, err) || config_read_env(cfg, err) ||
	    apply_flags(args, cfg, global_options, GLOBAL_DIRECTORY, err) ||
	    apply_flags(args, cfg, args->cmd->opts, 0, err))
		return -1;
	return set_regions(args, cfg, err);
}

static void setting_from(const struct cfg_value *v, struct aws_setting *out)
{
	out->value = v->present ? v->str : NULL;
	out->origin = v->present ? v->origin : NULL;
	out->flag = v->present && v->source == SRC_FLAG;
}

void cmd_aws_settings(const struct config *cfg, struct aws_settings *s)
{
	setting_from(&cfg->v[CFG_AWS_PROFILE], &s->profile);
	setting_from(&cfg->v[CFG_AWS_REGION], &s->region);
	setting_from(&cfg->v[CFG_AWS_ENDPOINT_URL], &s->endpoint_url);
	s->obs = term_observer();
}

int cmd_aws_init(struct aws *a, const struct config *cfg, struct error *err)
{
	struct aws_settings s;

	cmd_aws_settings(cfg, &s);
	return aws_init(a, &s, err);
}

int cmd_payload(const struct args *args, const struct config *cfg, const char *function, struct buf *out,
		struct error *err)
{
	const char *kind = args_str(args, PAYLOAD_TEMPLATE), *region;
	struct config one;
	int k, r;

	if (!kind)
		return payload_load(args_str(args, PAYLOAD_JSON), args_str(args, PAYLOAD_FILE),
				    args_str(args, PAYLOAD_EVENT), out, err);
	if (args_str(args, PAYLOAD_JSON) || args_str(args, PAYLOAD_FILE) || args_str(args, PAYLOAD_EVENT))
		return error_set(err, EXIT_USAGE, "give one of --payload, --payload-file, --event and --event-template");
	/* the region the event names: the project's or the environment's; the sample needs no more */
	region = config_str(cfg, CFG_AWS_REGION);
	if (!region)
		region = getenv("AWS_REGION") && *getenv("AWS_REGION") ? getenv("AWS_REGION") : "us-east-1";
	k = function ? config_function_index(cfg, function) : -1;
	if (k < 0)
		return config_event_template(cfg, kind, region, out, err);
	config_for_function(cfg, (size_t)k, &one);
	r = config_event_template(&one, kind, region, out, err);
	config_release(&one);
	return r;
}

int cmd_pick_regions(struct aws *a, const struct config *cfg, struct strlist *regions, struct strlist *origins,
		     struct error *err)
{
	const struct cfg_value *many = &cfg->v[CFG_AWS_REGIONS], *one = &cfg->v[CFG_AWS_REGION];
	const char *region;

	if (many->present && many->list.nr && !(one->source == SRC_FLAG && many->source != SRC_FLAG)) {
		for (size_t i = 0; i < many->list.nr; i++) {
			if (strlist_has(regions, many->list.items[i]))
				continue;
			strlist_add(regions, many->list.items[i]);
			strlist_add(origins, many->origin);
		}
		return 0;
	}
	if (aws_region(a, &region, err))
		return -1;
	strlist_add(regions, region);
	strlist_add(origins, a->region_origin ? a->region_origin : "?");
	return 0;
}

int cmd_region_clients(const struct config *cfg, const struct strlist *regions, const struct strlist *origins,
		       const struct aws_credentials *creds, struct aws **out, size_t *n, struct error *err)
{
	struct aws_settings settings;

	cmd_aws_settings(cfg, &settings);
	if (regions->nr > 1)
		settings.obs = term_observer_plain(); /* one spinner cannot say what several regions wait for */
	*out = xcalloc(regions->nr, sizeof(**out));
	for (*n = 0; *n < regions->nr; ++*n)
		if (aws_init_region(&(*out)[*n], &settings, regions->items[*n], origins->items[*n], creds, err)) {
			++*n;
			return -1;
		}
	return 0;
}

int cmd_aws_init_one(struct aws *a, const struct config *cfg, const char *command, struct error *err)
{
	struct strlist regions = STRLIST_INIT, origins = STRLIST_INIT;
	int r = -1;

	if (cmd_aws_init(a, cfg, err) || cmd_pick_regions(a, cfg, &regions, &origins, err))
		goto out;
	if (regions.nr > 1) {
		error_set(err, EXIT_USAGE, "the project works in %zu regions (aws.regions): '%s' works in one",
			  regions.nr, command);
		error_hint(err, "name it: 'blambda %s --region REGION'", command);
		goto out;
	}
	free(a->region);
	free(a->region_origin);
	a->region = xstrdup(regions.items[0]);
	a->region_origin = xstrdup(origins.items[0]);
	r = 0;
out:
	strlist_clear(&regions);
	strlist_clear(&origins);
	return r;
}
