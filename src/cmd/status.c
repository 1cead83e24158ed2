/*
 * blambda status and blambda diff: deploy's plan (read only, every region),
 * shown as what is there rather than as what a deploy would do.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/msg.h"
#include "cli/term.h"
#include "cmd/cmd.h"
#include "cmd/deploy_run.h"
#include "core/json.h"

/* The planned step of kind k for function fn, or NULL */
static const struct deploy_step *step_of(const struct deploy_plan *p, enum deploy_kind k, size_t fn)
{
	for (size_t i = 0; i < p->nr; i++)
		if (p->steps[i].kind == k && p->steps[i].fn == fn && p->steps[i].planned)
			return &p->steps[i];
	return NULL;
}

/* One line of Lambda's text on stdout, nothing in it steering a terminal */
static void print_line(const char *indent, const char *text)
{
	struct buf b = BUF_INIT;

	buf_add_printable(&b, text, strlen(text), 0);
	printf("%s%s\n", indent, b.ptr);
	buf_release(&b);
}

/* The settings that differ, the architecture among them */
static size_t settings_differing(const struct deploy_step *s)
{
	return s->diff.code.nr + s->diff.settings.nr;
}

/* What a person is told of: the code, the settings, the tags (not blambda's own records) */
static size_t visible_differences(const struct deploy_step *s)
{
	return (size_t)s->diff.code_changed + s->diff.code.nr + s->diff.settings.nr + s->diff.tags.nr;
}

/* "version 3", "$LATEST" or "not made yet" */
static void alias_words(const struct deploy_step *alias, struct buf *out)
{
	if (alias->old_version == LAMBDA_VERSION_LATEST)
		buf_adds(out, "$LATEST");
	else if (alias->old_version > 0)
		buf_addf(out, "version %ld", alias->old_version);
	else
		buf_adds(out, "not made yet");
}

/* The HTTP API a function's routes are on (its step in the plan), or NULL */
static const struct deploy_step *api_of(const struct deploy_plan *p, const struct deploy_step *routes)
{
	for (size_t i = 0; routes && i < p->nr; i++)
		if (p->steps[i].kind == DEPLOY_HTTP_API && !strcmp(p->steps[i].api, routes->api))
			return &p->steps[i];
	return NULL;
}

/* What a function has around it that status reports one by one: its role, triggers, async settings, log group */
static int around_kind(enum deploy_kind k)
{
	return k == DEPLOY_ROLE || k == DEPLOY_SCHEDULE || k == DEPLOY_MAPPING || k == DEPLOY_ASYNC ||
	       k == DEPLOY_LOG_GROUP || k == DEPLOY_S3;
}

/* How a step's resource stands against blambda.yml: "as blambda.yml says", "differs", ... */
static const char *standing(const struct deploy_step *s)
{
	switch (s->action) {
	case DEPLOY_UNCHANGED:
		return "as blambda.yml says";
	case DEPLOY_CREATE:
	case DEPLOY_PUBLISH:
		return "not deployed";
	case DEPLOY_DELETE:
		return "gone from blambda.yml (the next deploy removes it)";
	default:
		return "differs";
	}
}

/* INDENT"schedule 'nightly': differs (cron(...) -> cron(...))", its reasons in brackets */
static void standing_line(const struct deploy_step *s, const char *indent)
{
	struct buf line = BUF_INIT;

	buf_addf(&line, "%s%s '%s'", indent, deploy_kinds[s->kind].words, s->name);
	if (s->kind == DEPLOY_HTTP_API && s->source)
		buf_addf(&line, " at %s", s->source);
	buf_addf(&line, ": %s", standing(s));
	for (size_t k = 0; k < s->reasons.nr; k++)
		buf_addf(&line, "%s%s", k ? ", " : " (", s->reasons.items[k]);
	if (s->reasons.nr)
		buf_adds(&line, ")");
	print_line("", line.ptr);
	buf_release(&line);
}

/* {"kind", "name", "state", "reasons"}: how one resource around a function (or the HTTP API) stands */
static cJSON *standing_json(const struct deploy_step *s)
{
	static const char *const states[] = {
		[DEPLOY_UNCHANGED] = "as-configured", [DEPLOY_CREATE] = "not-deployed", [DEPLOY_UPDATE] = "differs",
		[DEPLOY_PUBLISH] = "not-deployed",    [DEPLOY_DELETE] = "not-configured",
	};
	cJSON *o = cJSON_CreateObject(), *reasons;

	cJSON_AddStringToObject(o, "kind", deploy_kinds[s->kind].id);
	json_add_text(o, "name", s->name, strlen(s->name));
	cJSON_AddStringToObject(o, "state", states[s->action]);
	reasons = cJSON_AddArrayToObject(o, "reasons");
	for (size_t k = 0; k < s->reasons.nr; k++)
		cJSON_AddItemToArray(reasons, json_text(s->reasons.items[k], strlen(s->reasons.items[k])));
	return o;
}

static void status_function(const struct deploy_plan *p, const struct deploy_step *s, const char *indent)
{
	const struct deploy_step *alias = step_of(p, DEPLOY_ALIAS, s->fn), *url = step_of(p, DEPLOY_URL, s->fn);
	const struct deploy_step *routes = step_of(p, DEPLOY_ROUTES, s->fn), *api;
	size_t differ = settings_differing(s);
	struct buf line = BUF_INIT;

	buf_addf(&line, "function '%s': deployed, %s", s->name, s->state ? s->state : "state unknown");
	if (s->last_modified)
		buf_addf(&line, ", last updated %s", s->last_modified);
	print_line(indent, line.ptr);
	printf("%s  code: %s\n", indent, s->diff.code_changed ? "differs from the build here" : "the build here");
	if (!differ)
		printf("%s  settings: as blambda.yml says\n", indent);
	else
		printf("%s  settings: %zu differ%s from blambda.yml ('blambda diff' shows them)%s\n", indent, differ,
		       differ == 1 ? "s" : "", s->outside ? "; changed outside blambda" : "");
	if (alias) {
		buf_reset(&line);
		buf_addf(&line, "  alias '%s': ", alias->name);
		alias_words(alias, &line);
		print_line(indent, line.ptr);
	}
	if (url && url->arn) {
		buf_reset(&line);
		buf_addf(&line, "  url: %s", url->arn);
		print_line(indent, line.ptr);
	}
	if (routes && routes->routes.nr && (api = api_of(p, routes)) && api->source) {
		buf_reset(&line);
		buf_addf(&line, "  http: %s", api->source);
		for (size_t k = 0; k < routes->routes.nr; k++)
			buf_addf(&line, "%s%s", k ? ", " : " (", routes->routes.items[k]);
		buf_addf(&line, ")%s", routes->action == DEPLOY_UNCHANGED ? "" : ", differs ('blambda diff' shows how)");
		print_line(indent, line.ptr);
	}
	buf_reset(&line);
	buf_addf(&line, "%s  ", indent);
	for (size_t i = 0; i < p->nr; i++)
		if (p->steps[i].planned && p->steps[i].fn == s->fn && around_kind(p->steps[i].kind))
			standing_line(&p->steps[i], line.ptr);
	buf_release(&line);
}

static void files_json(cJSON *o, const struct zip_changes *c)
{
	const struct strlist *lists[] = { &c->added, &c->removed, &c->changed };
	static const char *const keys[] = { "added", "removed", "changed" };
	cJSON *files = cJSON_AddObjectToObject(o, "files");

	for (size_t l = 0; l < 3; l++) {
		cJSON *list = cJSON_AddArrayToObject(files, keys[l]);

		for (size_t k = 0; k < lists[l]->nr; k++)
			cJSON_AddItemToArray(list, json_text(lists[l]->items[k], strlen(lists[l]->items[k])));
	}
}

static cJSON *status_json(const struct deploy_plan *p)
{
	cJSON *o = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(o, "functions");

	cJSON_AddStringToObject(o, "region", p->region ? p->region : "");
	for (size_t i = 0; i < p->nr; i++) {
		const struct deploy_step *s = &p->steps[i], *alias, *url, *rt, *api;
		cJSON *j, *diffs;

		if (s->kind != DEPLOY_FUNCTION || !s->planned)
			continue;
		j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "name", s->name);
		cJSON_AddBoolToObject(j, "deployed", s->action != DEPLOY_CREATE);
		if (s->action != DEPLOY_CREATE) {
			json_add_text(j, "state", s->state ? s->state : "", s->state ? strlen(s->state) : 0);
			json_add_text(j, "last_modified", s->last_modified ? s->last_modified : "",
				      s->last_modified ? strlen(s->last_modified) : 0);
			cJSON_AddBoolToObject(j, "code_is_local_build", !s->diff.code_changed);
			if (s->files_known)
				files_json(j, &s->files);
			cJSON_AddBoolToObject(j, "changed_outside_blambda", s->outside);
			diffs = cJSON_AddArrayToObject(j, "differences");
			for (size_t k = 0; k < s->diff.code.nr; k++)
				cJSON_AddItemToArray(diffs, json_text(s->diff.code.items[k], strlen(s->diff.code.items[k])));
			for (size_t k = 0; k < s->diff.settings.nr; k++)
				cJSON_AddItemToArray(diffs, json_text(s->diff.settings.items[k], strlen(s->diff.settings.items[k])));
			diffs = cJSON_AddArrayToObject(j, "tag_differences");
			for (size_t k = 0; k < s->diff.tags.nr; k++)
				cJSON_AddItemToArray(diffs, json_text(s->diff.tags.items[k], strlen(s->diff.tags.items[k])));
			if ((alias = step_of(p, DEPLOY_ALIAS, s->fn)) && alias->old_version)
				cJSON_AddNumberToObject(j, "alias_version", (double)alias->old_version);
			if ((url = step_of(p, DEPLOY_URL, s->fn)) && url->arn)
				json_add_text(j, "url", url->arn, strlen(url->arn));
			if ((rt = step_of(p, DEPLOY_ROUTES, s->fn)) && rt->routes.nr && (api = api_of(p, rt)) && api->source)
				json_add_text(j, "http_api_url", api->source, strlen(api->source));
		}
		diffs = cJSON_AddArrayToObject(j, "resources");
		for (size_t k = 0; k < p->nr; k++)
			if (p->steps[k].planned && p->steps[k].fn == s->fn &&
			    (around_kind(p->steps[k].kind) || p->steps[k].kind == DEPLOY_ROUTES))
				cJSON_AddItemToArray(diffs, standing_json(&p->steps[k]));
		cJSON_AddItemToArray(list, j);
	}
	list = cJSON_AddArrayToObject(o, "http_apis");
	for (size_t i = 0; i < p->nr; i++)
		if (p->steps[i].planned && p->steps[i].kind == DEPLOY_HTTP_API) {
			cJSON *api_json = standing_json(&p->steps[i]);

			if (p->steps[i].source)
				json_add_text(api_json, "url", p->steps[i].source, strlen(p->steps[i].source));
			cJSON_AddItemToArray(list, api_json);
		}
	if (p->failed)
		json_add_error(o, p->failed, &p->err);
	return o;
}

/* Each region's failure, said once; the exit status */
static int report_failures(struct deploy_plan *plans, size_t n)
{
	int r = EXIT_OK;

	for (size_t i = 0; i < n; i++)
		if (plans[i].failed) {
			error_prefix(&plans[i].err, "%s: cannot %s", plans[i].region, plans[i].failed);
			r = error_print(&plans[i].err);
		}
	return r;
}

static int render_status(struct deploy_plan *plans, size_t n, int json, size_t failures)
{
	if (json) {
		cJSON *root = cJSON_CreateObject(), *list;

		cJSON_AddBoolToObject(root, "ok", !failures);
		list = cJSON_AddArrayToObject(root, "regions");

		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(list, status_json(&plans[i]));
		json_print(root);
	} else {
		for (size_t i = 0; i < n; i++) {
			if (n > 1)
				printf("%s:\n", plans[i].region);
			for (size_t k = 0; k < plans[i].nr; k++) {
				const struct deploy_step *s = &plans[i].steps[k];

				if (s->kind != DEPLOY_FUNCTION || !s->planned)
					continue;
				if (s->action == DEPLOY_CREATE)
					printf("%sfunction '%s': not deployed\n", n > 1 ? "  " : "", s->name);
				else
					status_function(&plans[i], s, n > 1 ? "  " : "");
			}
			for (size_t k = 0; k < plans[i].nr; k++)
				if (plans[i].steps[k].planned && plans[i].steps[k].kind == DEPLOY_HTTP_API)
					standing_line(&plans[i].steps[k], n > 1 ? "  " : "");
		}
	}
	return report_failures(plans, n);
}

/* diff --files: each file the code differs in, as a deploy would change it: + added, - removed, ~ changed */
static void files_lines(const struct deploy_step *s)
{
	const struct strlist *lists[] = { &s->files.added, &s->files.removed, &s->files.changed };
	static const char *const marks[] = { "    + ", "    - ", "    ~ " };

	if (!s->files_known)
		return;
	for (size_t l = 0; l < 3; l++)
		for (size_t k = 0; k < lists[l]->nr; k++)
			print_line(marks[l], lists[l]->items[k]);
	if (!s->files.added.nr && !s->files.removed.nr && !s->files.changed.nr)
		printf("    (the same files: the zips differ in their packing alone)\n");
}

/* A deployed function's differences, one line each: the code, the settings (marked when changed elsewhere), the tags */
static void diff_lines(const struct deploy_step *s)
{
	struct buf line = BUF_INIT;

	if (s->diff.code_changed)
		printf("  code differs from the build here\n");
	files_lines(s);
	for (size_t k = 0; k < s->diff.code.nr; k++)
		print_line("  ", s->diff.code.items[k]);
	for (size_t k = 0; k < s->diff.settings.nr; k++) {
		buf_reset(&line);
		buf_addf(&line, "%s%s", s->diff.settings.items[k], s->outside ? " (changed outside blambda)" : "");
		print_line("  ", line.ptr);
	}
	for (size_t k = 0; k < s->diff.tags.nr; k++)
		print_line("  ", s->diff.tags.items[k]);
	buf_release(&line);
}

/* An alias that does not point at the newest version, which holds what the build here has */
static int alias_behind(const struct deploy_step *s)
{
	return s->kind == DEPLOY_ALIAS && s->planned && s->action == DEPLOY_UPDATE && s->version > 0 &&
	       s->old_version > 0;
}

/* What goes with a function (its role, triggers, routes, async settings, log group) that the next deploy changes */
static int around_function(const struct deploy_step *s)
{
	return s->planned && s->action != DEPLOY_UNCHANGED &&
	       (s->kind == DEPLOY_ROLE || s->kind == DEPLOY_SCHEDULE || s->kind == DEPLOY_MAPPING ||
		s->kind == DEPLOY_ASYNC || s->kind == DEPLOY_LOG_GROUP || s->kind == DEPLOY_HTTP_API ||
		s->kind == DEPLOY_ROUTES || s->kind == DEPLOY_S3);
}

static void around_lines(const struct deploy_step *s, const char *region)
{
	struct buf head = BUF_INIT;

	buf_addf(&head, "%s '%s'%s%s:", deploy_kinds[s->kind].words, s->name, region ? " in " : "", region ? region : "");
	print_line("", head.ptr);
	if (s->action == DEPLOY_CREATE)
		printf("  not deployed\n");
	else if (s->action == DEPLOY_DELETE)
		printf("  deployed, and gone from blambda.yml\n");
	for (size_t k = 0; k < s->reasons.nr; k++)
		print_line("  ", s->reasons.items[k]);
	buf_release(&head);
}

/* diff: the differences, one line each (old -> new); exit 1 when there are any, as diff(1) */
static int render_diff(struct deploy_plan *plans, size_t n, int json, size_t failures)
{
	size_t found = 0;
	int r;

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < plans[i].nr; k++) {
			const struct deploy_step *s = &plans[i].steps[k];
			struct buf head = BUF_INIT;

			if (around_function(s)) {
				found++;
				if (!json)
					around_lines(s, n > 1 ? plans[i].region : NULL);
				continue;
			}
			if (alias_behind(s)) { /* rolled back: the next deploy moves it to the newest */
				found++;
				if (!json)
					printf("alias '%s':\n  version %ld -> %ld (the newest, which the next deploy points it at)\n",
					       s->name, s->old_version, s->version);
				continue;
			}
			if (s->kind != DEPLOY_FUNCTION || !s->planned || s->action == DEPLOY_UNCHANGED ||
			    (s->action == DEPLOY_UPDATE && !visible_differences(s))) /* blambda's own records only */
				continue;
			found++;
			if (json)
				continue;
			buf_addf(&head, "function '%s'%s%s:", s->name, n > 1 ? " in " : "", n > 1 ? plans[i].region : "");
			print_line("", head.ptr);
			if (s->action == DEPLOY_CREATE)
				printf("  not deployed\n");
			else
				diff_lines(s);
			buf_release(&head);
		}
	if (json) {
		r = render_status(plans, n, 1, failures);
		return r != EXIT_OK ? r : found ? EXIT_FAIL : EXIT_OK;
	}
	if (!found && !failures)
		info("no differences: what is deployed is what blambda.yml and the build here say");
	r = report_failures(plans, n);
	return r != EXIT_OK ? r : found ? EXIT_FAIL : EXIT_OK;
}

static int exec_status(struct args *args, struct config *cfg)
{
	struct deploy_mode m = { .dry_run = 1, .render = render_status };

	return deploy_run(args, cfg, &m);
}

enum { DIFF_OPT_FILES, DIFF_OPTS__N };

static int exec_diff(struct args *args, struct config *cfg)
{
	struct deploy_mode m = { .dry_run = 1, .render = render_diff };

	m.code_files = args_flag(args, DIFF_OPT_FILES);
	return deploy_run(args, cfg, &m);
}

const struct command cmd_status = {
	.name = "status",
	.summary = "show each function as deployed: state, code, settings, alias, URL, triggers",
	.usage = "[NAME...]",
	.description =
		"For each of the project's functions (or the NAMEs given) and each region (as deploy picks "
		"them): whether it is deployed, its state and when it last changed, whether its code is the "
		"build here (the project is built as deploy builds it), how many settings differ from "
		"blambda.yml and whether they were changed outside blambda (the tag blambda:settings holds a "
		"digest of what blambda last wrote), where its alias points, its URL, and its HTTP API's URL "
		"with its routes; then each thing blambda keeps around it (its role, schedules, event source "
		"mappings, bucket notifications, async settings and log group), each one as blambda.yml says, "
		"differs (and how), not deployed, or gone from blambda.yml; and the HTTP API itself. Nothing "
		"is written. With --json: {\"ok\", \"regions\": [{\"region\", \"functions\": [{\"name\", "
		"\"deployed\", \"state\", \"last_modified\", \"code_is_local_build\", \"changed_outside_blambda\", "
		"\"differences\", \"tag_differences\", \"alias_version\", \"url\", \"http_api_url\", "
		"\"resources\": [{\"kind\", \"name\", \"state\", \"reasons\"}]}], \"http_apis\": [{\"kind\", "
		"\"name\", \"state\", \"reasons\", \"url\"}]}]}; a state is as-configured, differs, "
		"not-deployed or not-configured.",
	.pos = POS_FUNCTION,
	.max_pos = -1,
	.flags = CMD_CONFIG | CMD_REGIONS,
	.examples = "blambda status\tevery function of the project\n"
		    "blambda status --json\tthe same as JSON",
	.exec = exec_status,
};

static const struct opt diff_opts[DIFF_OPTS__N + 1] = {
	[DIFF_OPT_FILES] = OPT_BOOL(0, "files", "when the code differs, fetch the deployed zip and list the files that "
				    "differ"),
	[DIFF_OPTS__N] = OPT_END,
};

const struct command cmd_diff = {
	.name = "diff",
	.summary = "show what differs between the deployed functions and the project",
	.usage = "[NAME...]",
	.description =
		"Prints, for each function that differs, one line per difference as the next deploy would "
		"change it (old -> new: memory 256 -> 512; environment KEY added, changed or removed, names "
		"only; the code; tags), marking those changed outside blambda since its last deploy; then "
		"what goes with it that differs: its role's policies, its schedules and event source mappings "
		"(rate(5 minutes) -> rate(1 hour); batch size 10 -> 20; one gone from blambda.yml), its async "
		"settings and its log group's retention. A function not deployed says so. Exits 0 when nothing differs and 1 when something does, as "
		"diff(1), so that a CI job can watch for drift; a failure exits with its own status, and a "
		"code location that cannot be used (refused, not the code Lambda reports, not a zip) with 3, "
		"never 1. Nothing is written. With --json, the "
		"answer of 'blambda status --json'.\n\n"
		"With --files, a function whose code differs has its deployed zip fetched from the location "
		"Lambda gives (GetFunction's Code.Location: an https URL, valid for minutes, never printed), "
		"checked against the digest Lambda reports, and compared with the build here entry by entry "
		"(names, sizes, CRC-32 and modes from the zips' directories; nothing is unpacked): one line "
		"per file, '+' for a file the next deploy adds, '-' for one it removes, '~' for one it "
		"changes. The zip is held in target/ while it is compared, and removed. --json adds "
		"\"files\": {\"added\", \"removed\", \"changed\"} to each such function.",
	.opts = diff_opts,
	.nopts = DIFF_OPTS__N,
	.pos = POS_FUNCTION,
	.max_pos = -1,
	.flags = CMD_CONFIG | CMD_REGIONS,
	.examples = "blambda diff\twhat a deploy would change\n"
		    "blambda diff api || echo drift\tin a CI job\n"
		    "blambda diff --files\tand which files the code differs in",
	.exec = exec_diff,
};
