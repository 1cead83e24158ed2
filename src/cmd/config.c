#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"
#include "cli/msg.h"
#include "cli/term.h"
#include "cmd/cmd.h"
#include "cmd/setup.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/suggest.h"
#include "core/xalloc.h"

/* the options, in the order of the table at the end */
enum { CONFIG_OPT_FUNCTIONS, OPTS__N };

/* The project's function names, one a line (as JSON, a list), for scripts and shell completion */
static int list_functions(const struct args *args, const struct config *cfg)
{
	if (args_flag(args, GLOBAL_JSON)) {
		cJSON *list = cJSON_CreateArray();

		for (size_t i = 0; i < config_function_count(cfg); i++)
			cJSON_AddItemToArray(list, cJSON_CreateString(config_function_name(cfg, i)));
		json_print(list);
		return EXIT_OK;
	}
	for (size_t i = 0; i < config_function_count(cfg); i++)
		printf("%s\n", config_function_name(cfg, i));
	return EXIT_OK;
}

/*
 * What AWS settings are in effect where blambda.yml, BLAMBDA_* and the
 * flags leave them unset: the region, profile and endpoint the AWS
 * environment and shared config files give, as deploy resolves them (no
 * network). Values and origins point into `a`.
 */
struct aws_effect {
	struct aws a;
	int inited, ok; /* aws_init ran (release it, whatever it answered); it succeeded */
	const char *value[CFG__COUNT], *origin[CFG__COUNT];
	struct buf endpoint;
};

/* only: the one key asked for (-1: every key); nothing is read when the AWS settings cannot change it */
static void aws_effect_read(const struct config *cfg, int only, struct aws_effect *e)
{
	struct error err = ERROR_INIT;
	const char *region = NULL, *origin = NULL;

	memset(e, 0, sizeof(*e));
	buf_init(&e->endpoint);
	if (only >= 0 && (cfg->v[only].present ||
			  (only != CFG_AWS_REGION && only != CFG_AWS_PROFILE && only != CFG_AWS_ENDPOINT_URL)))
		return;
	e->inited = 1;
	e->ok = !cmd_aws_init(&e->a, cfg, &err);
	if (!e->ok) { /* said, not fatal: the rest of the configuration is still worth seeing */
		error_prefix(&err, "the AWS settings in effect are not known");
		warning_error(&err);
		error_release(&err);
		return;
	}
	if (!cfg->v[CFG_AWS_REGION].present && !aws_region_try(&e->a, &region)) {
		e->value[CFG_AWS_REGION] = region;
		e->origin[CFG_AWS_REGION] = e->a.region_origin;
	}
	if (!cfg->v[CFG_AWS_PROFILE].present && e->a.profile) {
		e->value[CFG_AWS_PROFILE] = e->a.profile;
		e->origin[CFG_AWS_PROFILE] = e->a.profile_origin;
	}
	if (!cfg->v[CFG_AWS_ENDPOINT_URL].present &&
	    !aws_endpoint_in(&e->a, "lambda", region ? region : "us-east-1", &e->endpoint, &origin) && origin) {
		e->value[CFG_AWS_ENDPOINT_URL] = e->endpoint.ptr;
		e->origin[CFG_AWS_ENDPOINT_URL] = origin;
	}
}

static void aws_effect_release(struct aws_effect *e)
{
	if (e->inited)
		aws_release(&e->a);
	buf_release(&e->endpoint);
}

static const char *source_name(const struct cfg_value *v)
{
	if (!v->present)
		return "unset";
	switch (v->source) {
	case SRC_FILE: return "file";
	case SRC_ENV: return "env";
	case SRC_FLAG: return "flag";
	default: return "default";
	}
}

static cJSON *json_value(const struct config *cfg, int id)
{
	const struct cfg_value *v = &cfg->v[id];
	cJSON *val;

	if (!v->present)
		return cJSON_CreateNull();
	switch (cfg_keys[id].type) {
	case CFG_INT:
		return cJSON_CreateNumber((double)v->num);
	case CFG_LIST:
		val = cJSON_CreateArray();
		for (size_t i = 0; i < v->list.nr; i++)
			cJSON_AddItemToArray(val, cJSON_CreateString(v->list.items[i]));
		return val;
	case CFG_MAP:
		val = cJSON_CreateObject();
		for (size_t i = 0; i < v->map.nr; i++)
			cJSON_AddStringToObject(val, v->map.items[i].key, v->map.items[i].value);
		return val;
	case CFG_TREE: {
		struct buf text = BUF_INIT;

		cfg_node_json(v->tree, &text);
		val = cJSON_Parse(text.ptr);
		buf_release(&text);
		return val ? val : cJSON_CreateNull();
	}
	default:
		return cJSON_CreateString(v->str);
	}
}

static cJSON *json_entry(const struct config *cfg, int id, const struct aws_effect *aws)
{
	cJSON *e = cJSON_CreateObject();

	if (aws && aws->value[id]) {
		cJSON_AddStringToObject(e, "value", aws->value[id]);
		cJSON_AddStringToObject(e, "source", "aws");
		cJSON_AddStringToObject(e, "origin", aws->origin[id]);
		return e;
	}

	cJSON_AddItemToObject(e, "value", json_value(cfg, id));
	cJSON_AddStringToObject(e, "source", source_name(&cfg->v[id]));
	if (cfg->v[id].present)
		cJSON_AddStringToObject(e, "origin", cfg->v[id].origin);
	else
		cJSON_AddNullToObject(e, "origin");
	return e;
}

/*
 * "functions.NAME.LEAF": function NAME's value of function.LEAF, as it sees
 * it. 0 with *view set, -1 when key is not of that form, -2 (said) when
 * there is no such function.
 */
static int function_key(const struct config *cfg, const char *key, struct config *view, int *id)
{
	const char *name, *dot;
	struct buf full = BUF_INIT;
	char *fname;
	int i;

	if (strncmp(key, "functions.", 10))
		return -1;
	name = key + strlen("functions.");
	if (!(dot = strrchr(name, '.')))
		return -1;
	fname = xstrndup(name, (size_t)(dot - name));
	i = config_function_index(cfg, fname);
	buf_addf(&full, "function.%s", dot + 1);
	*id = config_key_index(full.ptr);
	buf_release(&full);
	if (i < 0 || !cfg->nfns) {
		error_exit(EXIT_USAGE, "there is no function '%s' under functions:", fname);
		free(fname);
		return -2;
	}
	free(fname);
	if (*id < 0)
		return -1;
	config_for_function(cfg, (size_t)i, view);
	return 0;
}

/* The value of one key on stdout; the exit status (1 when it is not set). */
static int show_one(const struct args *args, const struct config *cfg, const char *key)
{
	int id = config_key_index(key), fk;
	const struct cfg_value *v;
	struct aws_effect aws;
	struct config view;

	if (id < 0 && (fk = function_key(cfg, key, &view, &id)) != -1) {
		int r;

		if (fk == -2)
			return EXIT_USAGE;
		r = show_one(args, &view, cfg_keys[id].key);
		config_release(&view);
		return r;
	}
	if (id < 0) {
		const char *names[CFG__COUNT];

		for (int i = 0; i < CFG__COUNT; i++)
			names[i] = cfg_keys[i].key;
		{
			const char *s = suggest(key, names, CFG__COUNT);

			for (int i = 0; !s && i < CFG__COUNT; i++) { /* "memory": the key whose last part it is */
				const char *leaf = strrchr(names[i], '.');

				if (leaf && !strcmp(leaf + 1, key))
					s = names[i];
			}
			if (s)
				return error_exit(EXIT_USAGE, "unknown key '%s' (did you mean '%s'?)", key, s);
		}
		error_exit(EXIT_USAGE, "unknown key '%s'", key);
		hint("'blambda config' lists every key");
		return EXIT_USAGE;
	}
	v = &cfg->v[id];
	aws_effect_read(cfg, id, &aws);
	if (args_flag(args, GLOBAL_JSON)) {
		cJSON *e = json_entry(cfg, id, &aws);
		int set = v->present || aws.value[id];

		cJSON_AddStringToObject(e, "key", key);
		json_print(e);
		aws_effect_release(&aws);
		return set ? 0 : 1;
	}
	if (!v->present && aws.value[id]) {
		puts(aws.value[id]);
		aws_effect_release(&aws);
		return 0;
	}
	aws_effect_release(&aws);
	if (!v->present)
		return error_exit(EXIT_FAIL, "'%s' is not set", key);
	if (cfg_keys[id].type == CFG_LIST) {
		for (size_t i = 0; i < v->list.nr; i++)
			puts(v->list.items[i]);
	} else if (cfg_keys[id].type == CFG_MAP) {
		for (size_t i = 0; i < v->map.nr; i++)
			printf("%s=%s\n", v->map.items[i].key, v->map.items[i].value);
	} else if (cfg_keys[id].type == CFG_TREE) {
		for (size_t i = 0; v->tree && i < v->tree->nkids; i++) { /* a list: an entry a line */
			struct buf line = BUF_INIT;

			cfg_node_format(&v->tree->kids[i], &line);
			puts(line.ptr);
			buf_release(&line);
		}
	} else {
		puts(v->str);
	}
	return 0;
}

static int exec_config(struct args *args, struct config *cfg)
{
	size_t kw = 0, vw = 0;
	struct buf vals[CFG__COUNT];
	struct aws_effect aws;

	if (args_flag(args, CONFIG_OPT_FUNCTIONS)) {
		if (args->pos.nr)
			return error_exit(EXIT_USAGE, "--functions lists the functions: it takes no KEY");
		return list_functions(args, cfg);
	}
	if (args->pos.nr)
		return show_one(args, cfg, args->pos.items[0]);
	aws_effect_read(cfg, -1, &aws);
	if (args_flag(args, GLOBAL_JSON)) {
		cJSON *root = cJSON_CreateObject(), *values = cJSON_CreateObject();

		if (cfg->path)
			cJSON_AddStringToObject(root, "path", cfg->path);
		else
			cJSON_AddNullToObject(root, "path");
		for (int i = 0; i < CFG__COUNT; i++)
			cJSON_AddItemToObject(values, cfg_keys[i].key, json_entry(cfg, i, &aws));
		cJSON_AddItemToObject(root, "values", values);
		if (cfg->nfns) {
			cJSON *fns = cJSON_AddObjectToObject(root, "functions");

			for (size_t f = 0; f < cfg->nfns; f++) {
				cJSON *o = cJSON_AddObjectToObject(fns, cfg->fns[f].name);
				struct config view;

				config_for_function(cfg, f, &view);
				for (int i = 0; i < CFG__COUNT; i++)
					if (!strncmp(cfg_keys[i].key, "function.", 9))
						cJSON_AddItemToObject(o, cfg_keys[i].key, json_entry(&view, i, NULL));
				config_release(&view);
			}
		}
		json_print(root);
		aws_effect_release(&aws);
		return 0;
	}
	for (int i = 0; i < CFG__COUNT; i++) {
		struct buf init = BUF_INIT;

		vals[i] = init;
		config_format_value(cfg, i, &vals[i]);
		if (!cfg->v[i].present)
			buf_adds(&vals[i], aws.value[i] ? aws.value[i] : "-");
		if (strlen(cfg_keys[i].key) > kw)
			kw = strlen(cfg_keys[i].key);
		if (vals[i].len > vw)
			vw = vals[i].len;
	}
	for (size_t f = 0; f < cfg->nfns; f++)
		for (int i = 0; i < CFG__COUNT; i++)
			if (cfg->fns[f].v[i].present && strlen("functions..") + strlen(cfg->fns[f].name) +
								strlen(cfg_keys[i].key + 9) > kw)
				kw = strlen("functions..") + strlen(cfg->fns[f].name) + strlen(cfg_keys[i].key + 9);
	if (vw > 40)
		vw = 40;
	for (int i = 0; i < CFG__COUNT; i++) {
		printf("%-*s  %-*s  %s%s\n", (int)kw, cfg_keys[i].key, (int)vw, vals[i].ptr,
		       cfg->v[i].present ? cfg->v[i].origin : aws.value[i] ? aws.origin[i] : "unset",
		       !cfg->v[i].present && aws.value[i] ? " (AWS settings)" : "");
		buf_release(&vals[i]);
	}
	aws_effect_release(&aws);
	for (size_t f = 0; f < cfg->nfns; f++) {
		for (int i = 0; i < CFG__COUNT; i++) {
			const struct cfg_value *v = &cfg->fns[f].v[i];
			struct buf key = BUF_INIT, val = BUF_INIT;
			struct config one = { 0 };

			if (!v->present)
				continue;
			buf_addf(&key, "functions.%s.%s", cfg->fns[f].name, cfg_keys[i].key + 9);
			one.v[i] = *v;
			config_format_value(&one, i, &val);
			printf("%-*s  %-*s  %s\n", (int)kw, key.ptr, (int)vw, val.ptr, v->origin);
			buf_release(&key);
			buf_release(&val);
		}
	}
	if (!cfg->path)
		info("(no blambda.yml here: showing defaults and the environment)");
	return 0;
}

static const struct opt opts[OPTS__N + 1] = {
	[CONFIG_OPT_FUNCTIONS] = OPT_BOOL_F(0, "functions", "list the project's function names, one a line",
					    OPT_NO_NEGATE),
	[OPTS__N] = OPT_END,
};

const struct command cmd_config = {
	.name = "config",
	.summary = "show the resolved configuration and where each value comes from",
	.usage = "[KEY]",
	.description = "Reads blambda.yml (or the file given with -c), the BLAMBDA_* environment variables "
		       "and the command-line flags, and prints every setting with its value and where the "
		       "value came from: a flag, an environment variable, a line of blambda.yml, or the "
		       "built-in default. Flags win over the environment, the environment over the file, "
		       "and the file over the defaults.\n\n"
		       "Where those leave aws.region, aws.profile or aws.endpoint-url unset, the value the "
		       "AWS settings give is shown, as every command that talks to AWS resolves it (AWS_REGION, "
		       "AWS_PROFILE, AWS_ENDPOINT_URL, the profile in ~/.aws/config), with its origin (source "
		       "\"aws\" in --json); a profile that is not there is said as a warning.\n\n"
		       "A project with several functions lists them under functions: (NAME: the keys of "
		       "function:); each is shown as functions.NAME.KEY, and 'blambda config "
		       "functions.NAME.KEY' prints the value that function sees.\n\n"
		       "With KEY, prints only that setting's value (a list or map one entry per line) and "
		       "exits 1 when it is not set. Any mistake in blambda.yml is reported with its file, "
		       "line and column.\n\n"
		       "--functions prints the names of the project's functions, one a line (with --json, a list): "
		       "shell completion offers them to every command that takes a function's name.",
	.opts = opts,
	.nopts = OPTS__N,
	.pos = POS_CONFIG_KEY,
	.min_pos = 0,
	.max_pos = 1,
	.flags = CMD_CONFIG,
	.examples = "blambda config\tlist every setting and its origin\n"
		    "blambda config function.memory\tprint one value\n"
		    "blambda --json config\tthe same as JSON\n"
		    "blambda config --functions\tthe function names",
	.exec = exec_config,
};
