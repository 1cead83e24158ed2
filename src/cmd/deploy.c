#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"
#include "aws/xml.h"
#include "cli/msg.h"
#include "cli/term.h"
#include "cmd/cmd.h"
#include "cmd/deploy_run.h"
#include "cmd/setup.h"
#include "core/array.h"
#include "core/fs.h"
#include "core/git.h"
#include "core/json.h"
#include "core/suggest.h"
#include "core/xalloc.h"
#include "deploy/deploy.h"
#include "package/limits.h"
#include "package/project.h"

/* the options, in the order of the table at the end */
enum { DEPLOY_OPT_LAYER, DEPLOY_OPT_DRY_RUN, DEPLOY_OPT_USE_S3, DEPLOY_OPT_S3_BUCKET, DEPLOY_OPT_PUBLISH, DEPLOY_OPT_ALIAS, DEPLOY_OPT_CODE_ONLY, DEPLOY_OPT_JOBS, OPTS__N };

static void add_list(cJSON *o, const char *key, const struct strlist *l)
{
	cJSON *list = cJSON_AddArrayToObject(o, key);

	for (size_t i = 0; i < l->nr; i++)
		cJSON_AddItemToArray(list, json_text(l->items[i], strlen(l->items[i])));
}

/* The DEPLOY_WRITE_* bits of `writes` as a list of their names. */
static void add_writes(cJSON *o, const char *key, unsigned writes)
{
	cJSON *list = cJSON_AddArrayToObject(o, key);

	for (unsigned bit = DEPLOY_WRITE_CREATE; bit <= DEPLOY_WRITE_TAGS; bit <<= 1)
		if (writes & bit)
			cJSON_AddItemToArray(list, cJSON_CreateString(deploy_write_name(bit)));
}

static cJSON *step_json(const struct deploy_step *s, int dry_run)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "kind", deploy_kinds[s->kind].id);
	cJSON_AddStringToObject(o, "name", s->name);
	cJSON_AddStringToObject(o, "action", deploy_action_name(s->action, dry_run));
	add_list(o, "reasons", &s->reasons);
	if (!dry_run)
		cJSON_AddBoolToObject(o, "done", s->done || s->action == DEPLOY_UNCHANGED);
	if (s->arn)
		json_add_text(o, "arn", s->arn, strlen(s->arn));
	else
		cJSON_AddNullToObject(o, "arn");
	switch (s->kind) {
	case DEPLOY_RUNTIME_LAYER:
	case DEPLOY_DEPS_LAYER:
		cJSON_AddNumberToObject(o, "version", (double)s->version);
		cJSON_AddBoolToObject(o, "via_s3", s->via_s3);
		break;
	case DEPLOY_VERSION:
	case DEPLOY_ALIAS:
		cJSON_AddNumberToObject(o, "version", (double)s->version);
		break;
	case DEPLOY_HTTP_API:
		if (s->resource)
			json_add_text(o, "id", s->resource, strlen(s->resource));
		if (s->source)
			json_add_text(o, "url", s->source, strlen(s->source));
		break;
	case DEPLOY_ROUTES:
		cJSON_AddStringToObject(o, "api", s->api);
		add_list(o, "routes", &s->routes);
		break;
	case DEPLOY_S3:
		add_list(o, "entries", &s->routes);
		break;
	case DEPLOY_FUNCTION:
		add_writes(o, "writes", s->writes);
		add_writes(o, "writes_done", s->written);
		cJSON_AddBoolToObject(o, "via_s3", s->via_s3);
		if (s->state)
			json_add_text(o, "state", s->state, strlen(s->state));
		if (s->code_sha256)
			json_add_text(o, "code_sha256", s->code_sha256, strlen(s->code_sha256));
		if (s->kept.nr) /* --code-only */
			add_list(o, "kept", &s->kept);
		if (s->failed)
			json_add_error(o, s->failed, &s->err);
		break;
	default:
		break;
	}
	return o;
}

static cJSON *plan_json(const struct deploy_plan *p, int dry_run, int ok)
{
	static const char *const lists[] = { "layers", "roles", "functions", "versions", "aliases", "urls",
					     "schedules", "mappings", "async", "log_groups", "http_apis", "routes", "s3" };
	cJSON *root = cJSON_CreateObject();

	cJSON_AddStringToObject(root, "region", p->region);
	cJSON_AddBoolToObject(root, "dry_run", dry_run);
	cJSON_AddBoolToObject(root, "ok", ok);
	cJSON_AddBoolToObject(root, "up_to_date", ok && deploy_plan_is_noop(p));
	for (size_t l = 0; l < ARRAY_SIZE(lists); l++)
		cJSON_AddArrayToObject(root, lists[l]);
	for (size_t i = 0; i < p->nr; i++) {
		/* a step the plan did not get to is not shown: "error" says where it stopped */
		if (p->steps[i].planned)
			cJSON_AddItemToArray(cJSON_GetObjectItem(root, deploy_kinds[p->steps[i].kind].list),
					     step_json(&p->steps[i], dry_run));
	}
	if (!ok)
		json_add_error(root, p->failed, &p->err);
	return root;
}

/* A line on stdout with what could steer a terminal shown as '?': names, ARNs and reasons hold what AWS answered. */
static void print_printable(const char *indent, const char *text)
{
	struct buf b = BUF_INIT;

	buf_add_printable(&b, text, strlen(text), 0);
	printf("%s%s\n", indent, b.ptr);
	buf_release(&b);
}

/* How far a step that failed got: "stopped after updating the code". */
static const char *stopped_after(const struct deploy_step *s)
{
	if (s->written & DEPLOY_WRITE_CONFIG)
		return "updating the configuration";
	if (s->written & DEPLOY_WRITE_CODE)
		return "updating the code";
	return "creating it (not Active yet)";
}

/* One step as a line: what was (or would be) done, the version, and why. */
static void step_line(const struct deploy_step *s, int dry_run, struct buf *line)
{
	const char *words = deploy_kinds[s->kind].words;
	int layer = s->kind == DEPLOY_RUNTIME_LAYER || s->kind == DEPLOY_DEPS_LAYER;

	if (!dry_run && s->action != DEPLOY_UNCHANGED && !s->done)
		buf_addf(line, "%s '%s': stopped after %s", words, s->name, stopped_after(s));
	else if (dry_run && s->action != DEPLOY_UNCHANGED)
		buf_addf(line, "would %s %s '%s'", deploy_action_name(s->action, 1), words, s->name);
	else
		buf_addf(line, "%s '%s': %s", words, s->name, deploy_action_name(s->action, 0));
	if ((layer || s->kind == DEPLOY_VERSION) && s->version && s->action != DEPLOY_UNCHANGED)
		buf_addf(line, " version %ld", s->version);
	if (s->kind == DEPLOY_ALIAS && s->version && (s->done || s->action == DEPLOY_UNCHANGED))
		buf_addf(line, " -> version %ld", s->version);
	for (size_t k = 0; k < s->reasons.nr; k++)
		buf_addf(line, "%s%s", k ? ", " : " (", s->reasons.items[k]);
	if (s->reasons.nr)
		buf_addch(line, ')');
	if (s->via_s3 && s->action != DEPLOY_UNCHANGED)
		buf_adds(line, ", through S3");
}

static void print_text(const struct deploy_plan *p, int dry_run, const char *indent)
{
	for (size_t i = 0; i < p->nr; i++) {
		const struct deploy_step *s = &p->steps[i];
		struct buf line = BUF_INIT;

		if (!s->planned)
			continue; /* the plan stopped before it: the error says where */
		if (!dry_run && s->action != DEPLOY_UNCHANGED && !s->done && !s->written)
			continue; /* not reached: the error says where it stopped */
		step_line(s, dry_run, &line);
		print_printable(indent, line.ptr);
		if (s->arn || (s->kind == DEPLOY_HTTP_API && s->source)) {
			buf_reset(&line);
			buf_addf(&line, "%s  ", indent);
			print_printable(line.ptr, s->arn ? s->arn : s->source);
		}
		buf_release(&line);
	}
	if (deploy_plan_is_noop(p) && !p->failed)
		printf("%sup to date\n", indent);
}

/* One failure said with the step it stopped at; its exit status */
static int report_one(struct error *e, const char *failed, const struct deploy_plan *p, int hint, int several)
{
	error_prefix(e, "%s%scannot %s", several ? p->region : "", several ? ": " : "", failed ? failed : "deploy");
	if (hint && p->writes && !e->hint)
		error_hint(e, "what was done%s is kept; run 'blambda deploy' again to finish", several ? " there" : "");
	return error_print(e);
}

/* A deploy stopped by Ctrl-C: what was not done (what was is printed above), and that a rerun finishes; the exit status */
static int report_interrupted(struct deploy_plan *p, int several)
{
	struct buf not_done = BUF_INIT;
	enum exit_status exit = p->err.exit; /* 130 for Ctrl-C, 128 + the signal for others */
	size_t n = 0;
	int r;

	for (size_t i = 0; i < p->nr; i++) {
		const struct deploy_step *s = &p->steps[i];

		if (!s->planned || s->action == DEPLOY_UNCHANGED || s->done)
			continue;
		if (n++ >= 8)
			continue;
		buf_addf(&not_done, "%s%s '%s' (%s", n > 1 ? ", " : "", deploy_kinds[s->kind].words, s->name,
			 deploy_action_name(s->action, 1));
		if (s->written) /* sent: what is left is to see it in effect, and the rest of its writes */
			buf_addf(&not_done, ": stopped after %s", stopped_after(s));
		buf_addch(&not_done, ')');
	}
	if (n > 8)
		buf_addf(&not_done, " and %zu more", n - 8);
	error_release(&p->err);
	if (!p->writes)
		error_set(&p->err, EXIT_INTERRUPTED, "%s%sinterrupted before any write: nothing was changed",
			  several ? p->region : "", several ? ": " : "");
	else
		error_set(&p->err, EXIT_INTERRUPTED, "%s%sinterrupted; not done: %s", several ? p->region : "",
			  several ? ": " : "", n ? not_done.ptr : "nothing");
	if (p->writes)
		error_hint(&p->err, "what was done (above) is kept; run 'blambda deploy' again to finish");
	p->err.exit = exit;
	r = error_print(&p->err);
	buf_release(&not_done);
	return r;
}

/* A region's failure: each function that failed (the others went on), or what stopped the region; the exit status */
static int report_failure(struct deploy_plan *p, int dry_run, int several)
{
	int r = EXIT_OK;
	size_t fns = 0, said = 0;

	if (deploy_was_interrupted(&p->err))
		return report_interrupted(p, several);
	if (p->functions_failed < 2)
		return report_one(&p->err, p->failed, p, !dry_run, several);
	for (size_t i = 0; i < p->nr; i++) {
		struct deploy_step *s = &p->steps[i];

		fns += s->kind == DEPLOY_FUNCTION;
		if (s->failed) /* the hint once, after the last */
			r = report_one(&s->err, s->failed, p, !dry_run && ++said == p->functions_failed, several);
	}
	error("%s%s%zu of %zu functions failed; the others are deployed", several ? p->region : "", several ? ": " : "",
	      p->functions_failed, fns);
	return r;
}

/* A project to deploy, and something in it to deploy. */
static int check_project(const struct args *args, const struct config *cfg, const struct deploy_mode *m,
			 struct error *err)
{
	int layers_only = m->layers_only;

	if (!cfg->path) {
		error_set(err, EXIT_USAGE, "there is no blambda.yml here to deploy");
		return error_hint(err, "'blambda new-function NAME' makes a project");
	}
	if (!layers_only && !config_function_count(cfg)) {
		error_set(err, EXIT_USAGE, "%s declares no function: set function.name, or list them under functions:",
			  cfg->path);
		return error_hint(err, "'blambda deploy --layer' publishes the layers alone");
	}
	if (layers_only && args->pos.nr)
		return error_set(err, EXIT_USAGE, "--layer publishes the project's layers: it takes no function names");
	if (layers_only && (m->publish || (m->command_opts && args_value(args, DEPLOY_OPT_ALIAS)->set)))
		return error_set(err, EXIT_USAGE, "--layer publishes the layers alone: --publish and --alias are for "
				 "functions");
	if (layers_only && m->code_only)
		return error_set(err, EXIT_USAGE, "--layer and --code-only: choose one (--layer publishes the layers alone, "
				 "--code-only the layers and the functions' code)");
	return 0;
}

/* One deploy of a checkout at a time: the lock in target/, held until blambda exits; -1 with err */
static int deploy_lock(struct error *err)
{
	long holder;
	int fd = fs_lock("target/.deploy.lock", &holder, err);

	if (fd < 0 && err->code && !strcmp(err->code, "Locked")) {
		error_release(err);
		error_set(err, EXIT_FAIL, "another deploy of this project is running: two at once would interleave");
		if (holder > 0)
			error_hint(err, "wait for it to finish (process %ld holds target/.deploy.lock)", holder);
		else
			error_hint(err, "wait for it to finish (it holds target/.deploy.lock)");
	}
	return fd;
}

/* Every region's plan as text or JSON, then its failure; the exit status */
static int render_plans(struct deploy_plan *plans, size_t n, int json, int dry_run, size_t failures)
{
	int r = EXIT_OK;

	if (json && n == 1) {
		json_print(plan_json(&plans[0], dry_run, !failures));
	} else if (json) {
		cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "regions");

		cJSON_AddBoolToObject(root, "ok", !failures);
		cJSON_AddBoolToObject(root, "dry_run", dry_run);
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(list, plan_json(&plans[i], dry_run, plans[i].failed == NULL));
		json_print(root);
	} else if (dry_run || msg_level() >= MSG_NORMAL) { /* -q: errors alone, unless the plan was asked for */
		for (size_t i = 0; i < n; i++) {
			if (n > 1)
				printf("%s:\n", plans[i].region);
			print_text(&plans[i], dry_run && !plans[i].failed, n > 1 ? "  " : "");
		}
	}
	for (size_t i = 0; i < n; i++)
		if (plans[i].failed)
			r = report_failure(&plans[i], dry_run, n > 1);
	if (failures && n > 1) /* the exit status stays the regions' own */
		error("%zu of %zu regions failed%s", failures, n,
		      dry_run || failures == n ? "" : "; the others are deployed");
	return r;
}

int deploy_run(struct args *args, struct config *cfg, const struct deploy_mode *m)
{
	int json = args_flag(args, GLOBAL_JSON), dry_run = m->dry_run;
	int layers_only = m->layers_only;
	struct strlist regions = STRLIST_INIT, origins = STRLIST_INIT;
	struct project_build_opts bo = { .runtime_layer = 1, .deps_layer = 1, .function = !layers_only };
	struct project_artifacts arts = { 0 };
	struct deploy_opts o = { 0 };
	struct deploy_plan *plans = NULL;
	struct http_fetcher fetch = HTTP_FETCHER_INIT(term_observer());
	struct error err = ERROR_INIT;
	const struct aws_credentials *creds;
	struct aws a, *awss = NULL;
	struct config *fns = NULL;
	size_t nfns = 0, n = 0, failures;
	int r = EXIT_OK, lock = -1;
	char commit[41];

	memset(&a, 0, sizeof(a));
	aws_credentials_init(&a.creds);
	term_plain_steps(!json);
	if (check_project(args, cfg, m, &err) || (!dry_run && (lock = deploy_lock(&err)) < 0) ||
	    (!layers_only && config_select_functions(cfg, &args->pos, &fns, &nfns, &err)) ||
	    cmd_aws_init(&a, cfg, &err) || cmd_pick_regions(&a, cfg, &regions, &origins, &err))
		goto out;
	/* build what is out of date, as `blambda build` would */
	if (project_build(cfg, &bo, &fetch, &arts, &err) ||
	    limits_check(arts.arts, arts.nr,
			 config_str(cfg, CFG_AWS_S3_BUCKET) != NULL || m->use_s3, &err) ||
	    aws_get_credentials(&a, &creds, &err) || xml_load(&err) ||
	    cmd_region_clients(cfg, &regions, &origins, creds, &awss, &n, &err))
		goto out;
	o.cfg = cfg;
	o.layers_only = layers_only;
	o.fns = fns;
	o.nfns = nfns;
	o.use_s3 = m->use_s3;
	o.publish = m->publish;
	o.code_only = m->code_only;
	o.code_files = m->code_files;
	o.jobs = m->jobs;
	if (!git_head_commit(".", commit))
		o.git_commit = commit;
	o.s3_bucket = config_str(cfg, CFG_AWS_S3_BUCKET);
	o.runtime_layer = arts.runtime_layer;
	o.deps_layer = arts.deps_layer;
	o.function = arts.function;
	plans = xcalloc(n, sizeof(*plans));
	/* from here on, Ctrl-C stops between steps: what was done can be said (a dry run writes nothing: it just ends) */
	if (!dry_run)
		term_catch_interrupts();
	failures = deploy_regions(awss, (const char *const *)regions.items, n, &o, dry_run, plans);
	term_release_interrupts();
	if (m->render)
		r = m->render(plans, n, json, failures);
	else
		r = render_plans(plans, n, json, dry_run, failures);
out:
	if (error_failed(&err) && json && err.exit != EXIT_USAGE) { /* before any plan (a build): the one shape still */
		cJSON *j = cJSON_CreateObject();

		cJSON_AddBoolToObject(j, "ok", 0);
		json_add_error(j, NULL, &err);
		json_print(j);
	}
	if (error_failed(&err))
		r = error_print(&err);
	error_release(&err);
	for (size_t i = 0; plans && i < n; i++)
		deploy_plan_release(&plans[i]);
	free(plans);
	for (size_t i = 0; awss && i < n; i++)
		aws_release(&awss[i]);
	free(awss);
	project_artifacts_release(&arts);
	http_fetcher_release(&fetch);
	aws_release(&a);
	for (size_t i = 0; i < nfns; i++)
		config_release(&fns[i]);
	free(fns);
	strlist_clear(&regions);
	strlist_clear(&origins);
	fs_unlock(lock);
	return r;
}

static int exec_deploy(struct args *args, struct config *cfg)
{
	struct deploy_mode m = { 0 };

	m.dry_run = args_flag(args, DEPLOY_OPT_DRY_RUN);
	m.layers_only = args_flag(args, DEPLOY_OPT_LAYER);
	m.use_s3 = args_flag(args, DEPLOY_OPT_USE_S3);
	m.publish = args_flag(args, DEPLOY_OPT_PUBLISH);
	m.code_only = args_flag(args, DEPLOY_OPT_CODE_ONLY);
	m.command_opts = 1;
	if (args_value(args, DEPLOY_OPT_JOBS)->set)
		m.jobs = (int)args_value(args, DEPLOY_OPT_JOBS)->num;
	return deploy_run(args, cfg, &m);
}

static const struct opt opts[OPTS__N + 1] = {
	[DEPLOY_OPT_LAYER] = OPT_BOOL_F(0, "layer", "publish the runtime and deps layers only", OPT_NO_NEGATE),
	[DEPLOY_OPT_DRY_RUN] = OPT_BOOL('n', "dry-run", "print the plan (what would be created, updated or left alone, "
				    "and why) and make no write call"),
	[DEPLOY_OPT_USE_S3] = OPT_BOOL(0, "use-s3", "upload every zip through S3, not only those over 50 MB"),
	[DEPLOY_OPT_S3_BUCKET] = OPT_STRING_KEY(0, "s3-bucket", "BUCKET", "the S3 bucket for uploads through S3",
					    "aws.s3-bucket"),
	[DEPLOY_OPT_PUBLISH] = OPT_BOOL(0, "publish", "publish a version of each function after the update"),
	[DEPLOY_OPT_ALIAS] = OPT_STRING_KEY(0, "alias", "NAME", "point this alias at the published version, making it if "
					"needed (implies --publish)", "function.alias"),
	[DEPLOY_OPT_CODE_ONLY] = OPT_BOOL(0, "code-only", "layers and code only: an existing function's settings, tags, "
				      "role and URL stay as they are"),
	[DEPLOY_OPT_JOBS] = OPT_INT('j', "jobs", "N", 1, 64, "functions deployed at once (default 8; 1: one after another)"),
	[OPTS__N] = OPT_END,
};

const struct command cmd_deploy = {
	.name = "deploy",
	.summary = "publish the layers and create or update the function",
	.usage = "[NAME...]",
	.description =
		"Builds what is out of date (as 'blambda build' does), then compares it with what AWS holds and "
		"changes only what differs. The plan is read first and printed with each step's reason; "
		"--dry-run stops there and makes no write call (it still builds, to know the zips' digests).\n\n"
		"Layers: the runtime layer (layers.runtime, default blambda) and, when bb.edn declares "
		":deps or :pods, the deps layer (layers.deps, default FUNCTION-deps) are published with "
		"PublishLayerVersion for provided.al2023 and provided.al2 and the function's architecture, "
		"described as 'blambda VERSION runtime layer: Babashka VERSION (ARCH)'. A layer whose newest "
		"version holds the same bytes (its CodeSha256) is not published again.\n\n"
		"Sharing: with layers.share (account ids, an organization id o-... or *), every layer version "
		"blambda publishes is shared that way (AddLayerVersionPermission), and the version in use is "
		"brought in line with it: blambda's statements (blambda-share-*) no longer wanted are taken "
		"back, others' are left alone.\n\n"
		"Role: without function.role, blambda makes FUNCTION-blambda-role, trusted by "
		"lambda.amazonaws.com, with AWSLambdaBasicExecutionRole attached and tagged "
		"blambda:managed-by=blambda, and reuses it afterwards; a role of that name without the tag is "
		"never used (set function.role to use it knowingly). A new role takes IAM some seconds to "
		"reach Lambda: CreateFunction is retried for up to two minutes while Lambda says the role "
		"cannot be assumed. The settings add to the role the managed policies they need: "
		"AWSLambdaVPCAccessExecutionRole with vpc, AWSXRayDaemonWriteAccess with tracing active; "
		"each is detached when its setting goes, and any other policy on the role stays. A write to "
		"the function right after is retried while Lambda says the role lacks a permission. "
		"function.policies adds to it: each managed policy ARN listed is attached, and the statements "
		"({effect, actions, resources}) make its inline policy 'blambda'; the tag blambda:policies "
		"remembers what they put there, so that a policy gone from the list is detached (and the "
		"inline policy deleted) while one someone else attached stays. With function.role, blambda "
		"touches no role (function.policies is then an error) and the plan says which of those "
		"policies the settings need.\n\n"
		"Function: created when it does not exist (runtime, handler, role, architecture, memory, "
		"timeout, environment, description, tracing, ephemeral storage, VPC, tags and the layers: the "
		"runtime layer, the deps layer, then function.layers), then awaited until Active. The "
		"environment is function.environment-file's variables (a dotenv file: NAME=VALUE lines, "
		"# comments, export, 'single' or \"double\" quotes; beside blambda.yml) under "
		"function.environment's, which win on a clash; the plan and every message name variables, "
		"never their values. function.reserved-concurrency is set with PutFunctionConcurrency and "
		"deleted when the key goes (Lambda's unreserved pool again). function.async.* become its event "
		"invoke config (retries, event age, destinations; the role blambda makes may send to them), and "
		"function.log-retention its log group's retention (the group made, tagged, when Lambda has not "
		"made it yet); each goes when its keys do, only when blambda set it. function.events' triggers "
		"follow the function in its lane: see CONFIGURATION. Its http routes go on the project's HTTP "
		"API (http-api.name), made or changed after the layers and before the functions; its URL is "
		"printed with it. A function of that name that blambda did "
		"not make (without the tag blambda:managed-by=blambda) is never taken over: the deploy stops "
		"before any write. Otherwise UpdateFunctionCode when the "
		"zip's digest or the architecture differs and UpdateFunctionConfiguration when a setting or "
		"the layer list differs, each awaited until done; a 409 (another update in progress) is "
		"waited out and retried. Tags from function.tags are added or changed; a key blambda set that is gone from function.tags "
		"is removed (the tag blambda:tags remembers which keys blambda set), and a tag someone else "
		"put on the function stays. Each update of a function is made only at the revision the plan "
		"read (RevisionId): when it changed meanwhile (another deploy, an edit in the console), "
		"blambda says so and plans again, once. Two deploys of one checkout never run at once: the "
		"second stops at once, naming the first (target/.deploy.lock; not with --dry-run). With "
		"nothing changed no write call is made and deploy says 'up to date'.\n\n"
		"Zips over Lambda's 50 MB direct upload, or every zip with --use-s3, go through S3: "
		"aws.s3-bucket (BLAMBDA_S3_BUCKET, --s3-bucket), key blambda/SHA256.zip, uploaded only when "
		"the object is not there yet. Without a bucket that is an error before any write. Direct "
		"uploads are streamed: memory does not grow with the zip.\n\n"
		"A project with several functions (functions: in blambda.yml) deploys them all, or the "
		"NAMEs given, with one function zip, one runtime layer and one deps layer, and a role for "
		"each function that has no function.role.\n\n"
		"Side by side: the layers are published first; then each function goes its own way with its "
		"role, its code and settings, its version, alias and URL in order, --jobs N functions at once "
		"(default 8), each on a connection of its own. A function that fails does not stop the "
		"others: each failure is said with the step it stopped at, then how many of the functions "
		"failed, and the exit status is the failure's; running deploy again finishes the job, as "
		"what was done is seen as done. With several at once, one line on a terminal says how many "
		"are under way and done (their own spinners and progress bars are left out); off a terminal, "
		"or with several regions, a line on stderr as each function ends (REGION: function 'x': done "
		"or failed).\n\n"
		"Regions: --region repeated, else aws.regions in blambda.yml (or BLAMBDA_REGIONS), else the "
		"one region in use. Several regions are deployed at once (layers are per region), with one "
		"summary; a failure in one region does not stop the others, and the exit status says that "
		"one failed. Every region is planned before any is written to, and a function or role that "
		"blambda did not make, in any region, stops them all. With --json and several regions the "
		"answer is {\"ok\", \"dry_run\", "
		"\"regions\": [...]}, one object per region as a single region prints it.\n\n"
		"Versions and aliases: --publish publishes a version of each function once it is updated "
		"(PublishVersion; Lambda makes no new version when nothing changed since the last). --alias NAME "
		"(or function.alias) publishes too and points the alias at that version, making the alias when "
		"it is not there. 'blambda invoke --qualifier' reaches either.\n\n"
		"Code only: --code-only publishes the layers and updates the code (and the architecture, "
		"which the layers are built for) of each function that exists, and nothing else: its "
		"settings, tags, role and URL stay as they are, also when they were changed outside "
		"blambda, and the plan counts those that differ from blambda.yml as left alone. Its layer "
		"list keeps the layers it has, blambda's runtime and deps layers moved to their new "
		"versions (put first when it has none of them). The plan's reasons count the settings and "
		"tags that differ and are left alone; --json lists them as \"kept\". --publish and the alias work as usual. A function that does not exist yet is "
		"made as a plain deploy makes it.\n\n"
		"Function URL: with function.url.auth (NONE for a public URL, AWS_IAM for signed requests) and "
		"function.url.cors.*, deploy makes the URL, or changes its auth and CORS when they differ, and "
		"prints it; for NONE it adds the permission that lets anyone call it (statement "
		"blambda-url-public), and removes that permission for AWS_IAM. When function.url goes from "
		"blambda.yml, the next deploy deletes the URL, but only one blambda made (the function is tagged "
		"blambda:url). Handlers answer a URL with Ring-style maps (see THE RUNTIME in the manual).\n\n"
		"Progress: each step is said as it begins and ends, reading what a region holds included. On a "
		"terminal that is a spinner with the step and its time so far ('updating function 'hello' (4 "
		"s)'), a bar while a zip is uploaded, and the wait and its reason while Lambda or IAM is "
		"awaited ('waiting for IAM to let Lambda assume role 'x' (12 s)'); it is cleared when the "
		"step ends, and the summary on stdout says what was done. Off a terminal (or with CI set) the "
		"same are plain lines on stderr ('updating function 'hello'', then 'function 'hello': updated "
		"(4.1 s)'), a wait said once. -q and --json leave them out.\n\n"
		"Ctrl-C (or SIGTERM, SIGHUP) once the plan is read: the call to AWS under way is let finish, "
		"then the deploy stops, before its next step or at once in a wait. It prints what was done, "
		"says which steps were not ('interrupted; not done: function 'hello' (create)'), and exits "
		"with 130 (128 + the signal for others); what was done is kept and 'blambda deploy' again "
		"finishes the rest. A second Ctrl-C ends blambda at once.\n\n"
		"A failure names the step, AWS's error code, message and request id; what was done is kept "
		"and the next run finishes the rest.",
	.opts = opts,
	.nopts = OPTS__N,
	.pos = POS_FUNCTION,
	.max_pos = -1,
	.flags = CMD_CONFIG | CMD_REGIONS,
	.examples = "blambda deploy\tbuild, publish the layers, create or update the function\n"
		    "blambda deploy --layer\tpublish the runtime (and deps) layer only\n"
		    "blambda deploy --dry-run\tsay what would change, and why\n"
		    "blambda deploy --use-s3 --s3-bucket my-artifacts\tupload through S3\n"
		    "blambda deploy --alias live\tpublish a version and point the alias live at it\n"
		    "blambda deploy --json\tthe result as JSON: ARNs, state, code hash, what was done",
	.exec = exec_deploy,
};
