#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/msg.h"
#include "cli/term.h"
#include "cmd/cmd.h"
#include "cmd/setup.h"
#include "core/fs.h"
#include "core/json.h"
#include "deploy/deploy.h"
#include "deploy/import.h"

/* the options, in the order of the table at the end */
enum { IMPORT_OPT_DRY_RUN, IMPORT_OPT_YES, OPTS__N };

/* A line from AWS or blambda.yml, shown without what a terminal would act on */
static void print_clean(FILE *to, const char *prefix, const char *s)
{
	struct buf b = BUF_INIT;

	buf_add_printable(&b, s, strlen(s), 1);
	fprintf(to, "%s%s\n", prefix, b.ptr);
	buf_release(&b);
}

static void print_plan(FILE *to, const struct import_plan *p, const char *path)
{
	fprintf(to, "function '%s' in %s\n", p->name, p->region);
	if (p->ours)
		fprintf(to, "  carries %s=%s already\n", DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE);
	else if (p->other_tag)
		print_clean(to, "  its " DEPLOY_TAG_KEY " tag names something else: ", p->other_tag);
	if (p->in_project) {
		fprintf(to, "%s names it already: its settings there stay\n", path);
	} else {
		if (p->moved)
			fprintf(to, "%s: function.name '%s' becomes an entry of functions: too (function: keeps what they "
				"share; commands then take a function's name)\n", path, p->moved);
		const char *s = p->entry_shown, *nl;

		fprintf(to, "%s gets it under functions:\n", path);
		for (; *s; s = nl + 1) {
			struct buf line = BUF_INIT;

			nl = strchr(s, '\n');
			buf_add_printable(&line, s, (size_t)(nl - s), 0);
			fprintf(to, "  %s\n", line.ptr);
			buf_release(&line);
		}
	}
	if (!p->ours)
		fprintf(to, "tag: %s=%s goes on it\n", DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE);
	for (size_t i = 0; i < p->notes.nr; i++)
		print_clean(to, "note: ", p->notes.items[i]);
	fprintf(to, "the next deploy changes:\n");
	for (size_t i = 0; i < p->changes.nr; i++)
		print_clean(to, "  ", p->changes.items[i]);
}

static void print_json(const struct import_plan *p, int dry_run)
{
	cJSON *o = cJSON_CreateObject(), *changes, *notes;

	cJSON_AddBoolToObject(o, "ok", !error_failed(&p->err));
	cJSON_AddBoolToObject(o, "dry_run", dry_run);
	cJSON_AddStringToObject(o, "function", p->name);
	if (p->region)
		cJSON_AddStringToObject(o, "region", p->region);
	if (p->arn)
		cJSON_AddStringToObject(o, "arn", p->arn);
	cJSON_AddBoolToObject(o, "in_project", p->in_project);
	if (p->entry_shown)
		cJSON_AddStringToObject(o, "entry", p->entry_shown);
	changes = cJSON_AddArrayToObject(o, "changes");
	for (size_t i = 0; i < p->changes.nr; i++)
		cJSON_AddItemToArray(changes, cJSON_CreateString(p->changes.items[i]));
	notes = cJSON_AddArrayToObject(o, "notes");
	for (size_t i = 0; i < p->notes.nr; i++)
		cJSON_AddItemToArray(notes, cJSON_CreateString(p->notes.items[i]));
	cJSON_AddBoolToObject(o, "written", p->written);
	cJSON_AddBoolToObject(o, "tagged", p->tagged);
	if (error_failed(&p->err))
		json_add_error(o, NULL, &p->err);
	json_print(o);
}

/* --yes, or a yes on the terminal; 1 to go on, else 0 with *r the exit status */
static int may_adopt(const struct args *args, const struct import_plan *p, const char *path, int *r)
{
	struct buf what = BUF_INIT;
	int yes;

	if (args_flag(args, IMPORT_OPT_YES))
		return 1;
	if (!term_can_ask()) {
		buf_addf(&what, "blambda import %s --dry-run", p->name);
		*r = term_refuse_unasked("importing", what.ptr);
		buf_release(&what);
		return 0;
	}
	print_plan(stderr, p, path);
	if (p->entry && !p->ours)
		yes = term_confirm("Write %s and tag '%s'?", path, p->name);
	else if (p->entry)
		yes = term_confirm("Write %s?", path);
	else
		yes = term_confirm("Tag '%s' %s=%s?", p->name, DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE);
	if (yes)
		return 1;
	info("Nothing changed");
	*r = EXIT_OK;
	return 0;
}

/* Say what was done; the exit status */
static int report(const struct import_plan *p, const char *path, int json, int failed)
{
	struct import_plan *q = (struct import_plan *)p;

	if (failed) {
		if (p->written)
			error_hint(&q->err, "%s names it now: run 'blambda import %s' again to tag it", path, p->name);
		error_prefix(&q->err, "cannot %s", p->written ? "tag the function" : "write the configuration");
	}
	if (json)
		print_json(p, 0);
	if (failed)
		return error_print(&q->err);
	if (!json) {
		if (p->written)
			printf("%s: added function '%s'\n", path, p->name);
		if (p->tagged)
			printf("function '%s': tagged %s=%s\n", p->name, DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE);
		info("'blambda deploy %s' now brings it to what %s says", p->name, path);
	}
	return EXIT_OK;
}

/* The project's file, and a client in the one region the function is looked for in; -1 with err */
static int setup(const struct config *cfg, const char *name, struct buf *text, struct aws *a, struct strlist *regions,
		 struct error *err)
{
	struct strlist origins = STRLIST_INIT;
	const struct aws_credentials *creds;
	struct aws_settings settings;
	struct aws first;
	int r = -1;

	memset(&first, 0, sizeof(first));
	aws_credentials_init(&first.creds);
	if (!cfg->path) {
		error_set(err, EXIT_USAGE, "there is no blambda.yml here to import '%s' into", name);
		error_hint(err, "'blambda new-function NAME' makes a project; then run 'blambda import %s' in it", name);
	} else if (config_check_function_name("function.name", name, text) < 0) {
		error_set(err, EXIT_USAGE, "%s", text->ptr);
	} else if (fs_read_file(cfg->path, text, 1 << 20) < 0) {
		error_set(err, EXIT_FAIL, "cannot read %s: %s", cfg->path, strerror(errno));
	} else if (!cmd_aws_init(&first, cfg, err) && !cmd_pick_regions(&first, cfg, regions, &origins, err)) {
		if (regions->nr > 1) {
			error_set(err, EXIT_USAGE, "the project deploys to %zu regions (aws.regions): import looks for "
				  "'%s' in one", regions->nr, name);
			error_hint(err, "name the region it is in: 'blambda import %s --region REGION'", name);
		} else if (!aws_get_credentials(&first, &creds, err)) {
			cmd_aws_settings(cfg, &settings);
			r = aws_init_region(a, &settings, regions->items[0], origins.items[0], creds, err);
		}
	}
	aws_release(&first);
	strlist_clear(&origins);
	return r;
}

static int exec_import(struct args *args, struct config *cfg)
{
	int dry_run = args_flag(args, IMPORT_OPT_DRY_RUN), json = args_flag(args, GLOBAL_JSON);
	const char *name = args->pos.items[0];
	const struct cfg_value *many = &cfg->v[CFG_AWS_REGIONS];
	struct strlist regions = STRLIST_INIT;
	struct import_plan p = { 0 };
	struct error err = ERROR_INIT;
	struct buf text = BUF_INIT;
	struct aws a;
	int r = EXIT_OK;

	memset(&a, 0, sizeof(a));
	aws_credentials_init(&a.creds);
	if (setup(cfg, name, &text, &a, &regions, &err)) {
		r = error_print_release(&err);
		goto out;
	}
	if (import_plan_make(&a, cfg, text.ptr ? text.ptr : "", text.len, name, &p)) {
		error_prefix(&p.err, "cannot import '%s'", name);
		if (json)
			print_json(&p, dry_run);
		r = error_print(&p.err);
		goto out;
	}
	if (many->present && many->list.nr > 1 && !p.in_project)
		strlist_add_owned(&p.notes, buf_fmt("the project deploys to %zu regions (aws.regions): the next deploy "
						    "also makes '%s' in those where it is not", many->list.nr, name));
	if (dry_run || !import_plan_has_work(&p)) {
		if (json)
			print_json(&p, 1);
		else
			print_plan(stdout, &p, cfg->path);
		if (!import_plan_has_work(&p))
			info("'%s' is blambda's and in %s already: nothing to import", name, cfg->path);
	} else if (may_adopt(args, &p, cfg->path, &r)) {
		if (!json && args_flag(args, IMPORT_OPT_YES))
			print_plan(stdout, &p, cfg->path);
		r = report(&p, cfg->path, json, import_apply(&a, cfg, &p) != 0);
	}
out:
	import_plan_release(&p);
	aws_release(&a);
	buf_release(&text);
	strlist_clear(&regions);
	return r;
}

static const struct opt opts[OPTS__N + 1] = {
	[IMPORT_OPT_DRY_RUN] = OPT_BOOL('n', "dry-run", "show what would be written and changed, and change nothing"),
	[IMPORT_OPT_YES] = OPT_BOOL_F('y', "yes", "write and tag without asking (needed when not on a terminal)",
				      OPT_NO_NEGATE),
	[OPTS__N] = OPT_END,
};

const struct command cmd_import = {
	.name = "import",
	.summary = "adopt a function blambda did not make",
	.usage = "NAME",
	.description =
		"Makes an existing Lambda function the project's, so that "
		"deploy updates it and destroy may delete it: deploy never takes over a function without "
		"blambda's tag (blambda:managed-by=blambda). It is looked for in the region in use "
		"(--region, else the one of aws.regions, else AWS_REGION and the profile); a project that "
		"deploys to several regions needs --region.\n\n"
		"When blambda.yml does not name NAME, its settings are written there, as an entry of "
		"functions: (a project of one function.name gets a functions: block, that function as its "
		"first entry, and function: keeps what they share): handler (when it is NAMESPACE/FUNCTION), "
		"memory, timeout, role, description, environment, the layers that are not blambda's, the "
		"alias (when it has one) and the URL with its CORS settings; what it shows leaves the "
		"environment's values out (they are secrets, often), and says that they go into the file. "
		"The rest of blambda.yml stays as "
		"it was, comments included; the new text is read back and checked before it replaces the "
		"file (the file a symbolic link names, when it is one; and only when nobody changed it "
		"meanwhile). A value from Lambda that blambda.yml cannot hold as it is, or a function left "
		"without a handler (its own is not NAMESPACE/FUNCTION and function: sets none), stops the "
		"import with nothing written. When blambda.yml names NAME already, its settings stay and "
		"nothing is written there.\n\n"
		"Then it shows what the next deploy would change (the code always: the project's build "
		"replaces it; the runtime, the handler, the architecture, the environment's keys, the tags, "
		"the alias, the URL and the rest where they differ, those the entry takes from function: "
		"included), "
		"and on a terminal asks; --yes goes ahead without asking, and is needed when there is no "
		"terminal or CI is set. blambda.yml is written first, then the tag is put on the function: after a "
		"failure, running import again finishes. A container image function cannot be imported. "
		"With --json: {\"ok\", \"dry_run\", \"function\", \"region\", \"arn\", \"in_project\", \"entry\", "
		"\"changes\": [...], \"notes\": [...], \"written\", \"tagged\"}.",
	.opts = opts,
	.nopts = OPTS__N,
	.pos = POS_WORD,
	.min_pos = 1,
	.max_pos = 1,
	.flags = CMD_CONFIG,
	.examples = "blambda import legacy --dry-run\twhat importing 'legacy' would write and change\n"
		    "blambda import legacy --yes\twrite its settings into blambda.yml and tag it",
	.exec = exec_import,
};
