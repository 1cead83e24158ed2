#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/lambda.h"
#include "cli/msg.h"
#include "cli/term.h"
#include "cmd/cmd.h"
#include "cmd/setup.h"
#include "core/json.h"
#include "deploy/release.h"

/* "blambda:3" for a layer version ARN (arn:...:layer:blambda:3) */
static void layer_short(const char *arn, struct buf *out)
{
	const char *p = strstr(arn, ":layer:");

	buf_adds(out, p ? p + 7 : arn);
}

static void print_text(const char *name, const char *region, const struct lambda_versions *v,
		       const struct lambda_aliases *al)
{
	printf("function '%s' in %s\n", name, region);
	printf("%-8s  %-20s  %-12s  %-14s  %-24s  %s\n", "VERSION", "PUBLISHED", "CODE", "ALIASES", "LAYERS",
	       "DESCRIPTION");
	for (size_t i = v->nr; i-- > 0;) {
		const struct lambda_version *e = &v->items[i];
		struct strlist names = STRLIST_INIT;
		struct buf aliases = BUF_INIT, layers = BUF_INIT, line = BUF_INIT, shown = BUF_INIT;

		release_aliases_of(al, e->version, &names);
		for (size_t k = 0; k < names.nr; k++)
			buf_addf(&aliases, "%s%s", k ? "," : "", names.items[k]);
		for (size_t k = 0; k < e->layers.nr; k++) {
			if (k)
				buf_addch(&layers, ',');
			layer_short(e->layers.items[k], &layers);
		}
		buf_addf(&line, "%-8ld  %-20.19s  %-12.12s  %-14s  %-24s  %s", e->version,
			 e->last_modified ? e->last_modified : "", e->code_sha256 ? e->code_sha256 : "",
			 aliases.len ? aliases.ptr : "-", layers.len ? layers.ptr : "-", e->description ? e->description : "");
		buf_add_printable(&shown, line.ptr, line.len, 0); /* names and descriptions are Lambda's text */
		printf("%s\n", shown.ptr);
		strlist_clear(&names);
		buf_release(&aliases);
		buf_release(&layers);
		buf_release(&line);
		buf_release(&shown);
	}
	if (!v->nr)
		info("'%s' has no published version: 'blambda deploy --publish' (or function.alias) makes one", name);
}

/* a text from Lambda, escaped as JSON text is ("" for none) */
static void add_text(cJSON *o, const char *key, const char *s)
{
	json_add_text(o, key, s ? s : "", s ? strlen(s) : 0);
}

static void print_json(const char *name, const char *region, const struct lambda_versions *v,
		       const struct lambda_aliases *al)
{
	cJSON *o = cJSON_CreateObject(), *list, *aliases;

	cJSON_AddStringToObject(o, "function", name);
	cJSON_AddStringToObject(o, "region", region);
	list = cJSON_AddArrayToObject(o, "versions");
	for (size_t i = v->nr; i-- > 0;) {
		const struct lambda_version *e = &v->items[i];
		cJSON *j = cJSON_CreateObject(), *names = cJSON_AddArrayToObject(j, "aliases");
		cJSON *layers = cJSON_AddArrayToObject(j, "layers");
		struct strlist n = STRLIST_INIT;

		cJSON_AddNumberToObject(j, "version", (double)e->version);
		add_text(j, "published", e->last_modified);
		add_text(j, "code_sha256", e->code_sha256);
		add_text(j, "description", e->description);
		release_aliases_of(al, e->version, &n);
		for (size_t k = 0; k < n.nr; k++)
			cJSON_AddItemToArray(names, cJSON_CreateString(n.items[k]));
		for (size_t k = 0; k < e->layers.nr; k++)
			cJSON_AddItemToArray(layers, cJSON_CreateString(e->layers.items[k]));
		strlist_clear(&n);
		cJSON_AddItemToArray(list, j);
	}
	aliases = cJSON_AddArrayToObject(o, "aliases");
	for (size_t i = 0; i < al->nr; i++) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "name", al->items[i].name);
		if (al->items[i].version == LAMBDA_VERSION_LATEST)
			cJSON_AddStringToObject(j, "version", "$LATEST");
		else
			cJSON_AddNumberToObject(j, "version", (double)al->items[i].version);
		if (al->items[i].extra_version)
			cJSON_AddNumberToObject(j, "extra_version", (double)al->items[i].extra_version);
		cJSON_AddItemToArray(aliases, j);
	}
	json_print(o);
}

static int exec_versions(struct args *args, struct config *cfg)
{
	struct lambda_versions v = { 0 };
	struct lambda_aliases al = { 0 };
	struct error err = ERROR_INIT;
	const char *region;
	struct aws a;
	char *name;
	int r = EXIT_OK;

	if (!(name = config_one_function(cfg, args->pos.nr ? args->pos.items[0] : NULL, "versions", &err)))
		return error_print_release(&err);
	if (cmd_aws_init_one(&a, cfg, "versions", &err) || aws_region(&a, &region, &err) ||
	    lambda_list_versions(&a, NULL, name, &v, &err) || lambda_aliases(&a, NULL, name, &al, &err)) {
		error_prefix(&err, "cannot list the versions of function '%s'", name);
		r = error_print_release(&err);
	} else if (args_flag(args, GLOBAL_JSON)) {
		print_json(name, region, &v, &al);
	} else {
		print_text(name, region, &v, &al);
	}
	lambda_versions_release(&v);
	lambda_aliases_release(&al);
	aws_release(&a);
	free(name);
	return r;
}

const struct command cmd_versions = {
	.name = "versions",
	.summary = "list a function's published versions and where its aliases point",
	.usage = "[NAME]",
	.description =
		"Lists the published versions of the function (NAME, or the project's one function), newest "
		"first: the version, when it was published, its code's digest (CodeSha256, the first 12 "
		"characters), the aliases that send calls to it (a weighted alias's second version "
		"included), the layer versions it runs with, and its description; a version 'blambda deploy "
		"--publish' (or function.alias) published says 'blambda: code DIGEST, git COMMIT': what was "
		"deployed, and from which commit of a git checkout.\n\n"
		"With --json: {\"function\", \"region\", \"versions\": [{\"version\", \"published\", "
		"\"code_sha256\", \"description\", \"aliases\", \"layers\"}], \"aliases\": [{\"name\", "
		"\"version\", \"extra_version\"}]}.",
	.pos = POS_FUNCTION,
	.max_pos = 1,
	.flags = CMD_CONFIG,
	.examples = "blambda versions\tthe project's function\n"
		    "blambda versions api --json\tone function of several, as JSON",
	.exec = exec_versions,
};
