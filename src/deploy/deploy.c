/*
 * What deploying shares: the kinds of step, the plan's steps and its
 * release, and the regions, each deployed on a thread of its own. The plan
 * is made in plan.c, carried out in execute.c; diff.c says what differs.
 */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/xalloc.h"
#include "core/clock.h"
#include "core/hash.h"
#include "core/interrupt.h"
#include "deploy/internal.h"

const struct deploy_kind_info deploy_kinds[DEPLOY__KINDS] = {
	[DEPLOY_RUNTIME_LAYER] = { "runtime-layer", "runtime layer", "layers" },
	[DEPLOY_DEPS_LAYER] = { "deps-layer", "deps layer", "layers" },
	[DEPLOY_ROLE] = { "role", "role", "roles" },
	[DEPLOY_FUNCTION] = { "function", "function", "functions" },
	[DEPLOY_VERSION] = { "version", "version", "versions" },
	[DEPLOY_ALIAS] = { "alias", "alias", "aliases" },
	[DEPLOY_URL] = { "url", "url", "urls" },
	[DEPLOY_SCHEDULE] = { "schedule", "schedule", "schedules" },
	[DEPLOY_MAPPING] = { "mapping", "event source mapping", "mappings" },
	[DEPLOY_ASYNC] = { "async", "async settings", "async" },
	[DEPLOY_LOG_GROUP] = { "log-group", "log group", "log_groups" },
	[DEPLOY_HTTP_API] = { "http-api", "HTTP API", "http_apis" },
	[DEPLOY_ROUTES] = { "routes", "http routes of function", "routes" },
	[DEPLOY_S3] = { "s3", "notifications of bucket", "s3" },
};

const char *deploy_write_name(unsigned bit)
{
	switch (bit) {
	case DEPLOY_WRITE_CREATE: return "create";
	case DEPLOY_WRITE_CODE: return "code";
	case DEPLOY_WRITE_CONFIG: return "configuration";
	case DEPLOY_WRITE_TAGS: return "tags";
	case DEPLOY_WRITE_POLICY: return "policy";
	case DEPLOY_WRITE_CONCURRENCY: return "concurrency";
	default: return "?";
	}
}

const char *deploy_action_name(enum deploy_action a, int dry_run)
{
	switch (a) {
	case DEPLOY_CREATE:
		return dry_run ? "create" : "created";
	case DEPLOY_UPDATE:
		return dry_run ? "update" : "updated";
	case DEPLOY_PUBLISH:
		return dry_run ? "publish" : "published";
	case DEPLOY_DELETE:
		return dry_run ? "delete" : "deleted";
	default:
		return "unchanged";
	}
}

int deploy_plan_is_noop(const struct deploy_plan *p)
{
	for (size_t i = 0; i < p->nr; i++)
		if (p->steps[i].action != DEPLOY_UNCHANGED || p->steps[i].records_after.nr)
			return 0;
	return 1;
}

void deploy_step_release(struct deploy_step *s)
{
	free(s->name);
	strlist_clear(&s->reasons);
	deploy_diff_release(&s->diff);
	strlist_clear(&s->kept);
	zip_changes_release(&s->files);
	if (s->have) {
		lambda_function_release(s->have);
		free(s->have);
	}
	free(s->arn);
	free(s->state);
	free(s->code_sha256);
	free(s->revision_id);
	free(s->last_modified);
	strlist_clear(&s->share_add);
	strlist_clear(&s->share_remove);
	strlist_clear(&s->attach);
	strlist_clear(&s->detach);
	free(s->inline_policy);
	free(s->record);
	kvlist_clear(&s->records);
	kvlist_clear(&s->records_after);
	cfg_event_free(s->event);
	free(s->resource);
	free(s->source);
	free(s->api);
	strlist_clear(&s->routes);
	strlist_clear(&s->drop);
	if (s->cors) {
		apigw_cors_release(s->cors);
		free(s->cors);
	}
	deploy_http_reads_free(s->http_reads);
	free(s->failed);
	error_release(&s->err);
	memset(s, 0, sizeof(*s));
}

void deploy_plan_release(struct deploy_plan *p)
{
	for (size_t i = 0; i < p->nr; i++)
		deploy_step_release(&p->steps[i]);
	free(p->steps);
	free(p->region);
	free(p->failed);
	error_release(&p->err);
	memset(p, 0, sizeof(*p));
}

void deploy_reason(struct deploy_step *s, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	strlist_add_owned(&s->reasons, buf_detach(&b));
}

int deploy_is_ours(const struct kvlist *tags)
{
	const char *tag = kvlist_get(tags, DEPLOY_TAG_KEY);

	return tag && !strcmp(tag, DEPLOY_TAG_VALUE);
}

void deploy_share_sid(const char *entry, struct buf *out)
{
	buf_addf(out, "%s%s", DEPLOY_SHARE_SID_PREFIX, strcmp(entry, "*") ? entry : "any");
}

void deploy_tags_record(const struct kvlist *user_tags, struct buf *out)
{
	for (size_t i = 0; i < user_tags->nr; i++) {
		const char *k = user_tags->items[i].key;

		if (strchr(k, ' ') || out->len + (out->len > 0) + strlen(k) > 256)
			continue;
		buf_addf(out, "%s%s", out->len ? " " : "", k);
	}
}

void deploy_tags_removed(const struct kvlist *have, const struct kvlist *want, struct strlist *out)
{
	const char *record = kvlist_get(have, DEPLOY_TAGS_TAG_KEY);

	for (const char *p = record; p && *p;) {
		size_t n = strcspn(p, " ");
		char *k = xstrndup(p, n);

		if (*k && !kvlist_get(want, k) && kvlist_get(have, k) && strncmp(k, "blambda:", 8) &&
		    !strlist_has(out, k))
			strlist_add(out, k);
		free(k);
		p += n + (p[n] == ' ');
	}
	if (record && !kvlist_get(want, DEPLOY_TAGS_TAG_KEY))
		strlist_add(out, DEPLOY_TAGS_TAG_KEY);
}

/* a version number as blambda and Babashka write them: digits, dots, letters and '-' */
static const char *skip_version(const char *s)
{
	const char *start = s;

	while (*s && (isalnum((unsigned char)*s) || *s == '.' || *s == '-'))
		s++;
	return s > start ? s : NULL;
}

/* "(x86_64)" or "(arm64)", and the end */
static int arch_end(const char *s)
{
	return !strcmp(s, "(x86_64)") || !strcmp(s, "(arm64)");
}

/*
 * Exactly a description blambda writes on the layers it publishes (see
 * deploy.c): "blambda V runtime layer: Babashka V (ARCH)" or "blambda V deps
 * layer (ARCH)".
 */
int deploy_layer_is_blambdas(const char *d)
{
	const char *p;

	if (!d || strncmp(d, "blambda ", 8) || !(p = skip_version(d + 8)))
		return 0;
	if (!strncmp(p, " runtime layer: Babashka ", 25)) {
		p = skip_version(p + 25);
		return p && *p == ' ' && arch_end(p + 1);
	}
	return !strncmp(p, " deps layer ", 12) && arch_end(p + 12);
}

int deploy_not_ours(struct deploy_plan *p, int is_role, const char *name, const char *arn, const struct kvlist *tags)
{
	const char *tag = kvlist_get(tags, DEPLOY_TAG_KEY);

	aws_error_set(&p->err, "NotOurs", "it exists%s%s and blambda did not make it (%s): blambda never takes over "
		      "what it did not make", is_role ? "" : " in ", is_role ? "" : p->region,
		      tag ? "its " DEPLOY_TAG_KEY " tag names something else" : "it has no " DEPLOY_TAG_KEY " tag");
	if (is_role)
		error_hint(&p->err, "to use it, set function.role to %s; if blambda should own it, tag it %s=%s",
			   arn ? arn : name, DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE);
	else
		error_hint(&p->err, "choose another function.name; if the function is yours, 'blambda import %s%s%s' "
			   "adopts it (it shows what the next deploy changes, then tags it %s=%s)", name,
			   p->region ? " --region " : "", p->region ? p->region : "", DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE);
	return deploy_failed(p, "%s '%s'", is_role ? "use role" : "deploy function", name);
}

int deploy_check_ours(struct aws *a, const char *region, const char *name, struct error *err)
{
	struct lambda_function f = { 0 };
	struct deploy_plan p = { 0 };
	int r = lambda_get_function(a, region, name, &f, err) ? -1 : 0;

	if (!r && !deploy_is_ours(&f.tags)) {
		p.region = (char *)(region ? region : a->region); /* borrowed, for the message */
		deploy_not_ours(&p, 0, name, f.arn, &f.tags);
		error_move(err, &p.err);
		free(p.failed);
		r = -1;
	}
	lambda_function_release(&f);
	return r;
}

int deploy_failed(struct deploy_plan *p, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	free(p->failed);
	p->failed = buf_detach(&b);
	/*
	 * a wait or a retry cut short by a stop: that is the cause; an answer of
	 * AWS's to the call let finish is said as it is
	 */
	if (interrupt_requested() && !p->err.status)
		deploy_interrupted(&p->err);
	return -1;
}

int deploy_interrupted(struct error *err)
{
	int sig = interrupt_requested();

	error_release(err);
	error_set(err, sig == SIGINT || sig <= 1 ? EXIT_INTERRUPTED : (enum exit_status)(128 + sig), "interrupted");
	err->code = xstrdup("Interrupted");
	return -1;
}

int deploy_was_interrupted(const struct error *err)
{
	return err->code && !strcmp(err->code, "Interrupted");
}

void deploy_set_str(char **slot, const char *v)
{
	free(*slot);
	*slot = xstrdup_or_null(v);
}

struct deploy_step *deploy_add_step(struct deploy_plan *p, enum deploy_kind kind, const char *name)
{
	struct deploy_step *s;

	p->steps = xrealloc(p->steps, (p->nr + 1) * sizeof(*p->steps));
	s = &p->steps[p->nr++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->name = xstrdup(name);
	s->role = -1;
	return s;
}

struct deploy_step *deploy_append_step(struct deploy_plan *p, struct deploy_step *s)
{
	p->steps = xrealloc(p->steps, (p->nr + 1) * sizeof(*p->steps));
	p->steps[p->nr] = *s;
	memset(s, 0, sizeof(*s));
	return &p->steps[p->nr++];
}

struct deploy_step *deploy_find_step(struct deploy_plan *p, enum deploy_kind kind)
{
	for (size_t i = 0; i < p->nr; i++)
		if (p->steps[i].kind == kind)
			return &p->steps[i];
	return NULL;
}

const struct deploy_step *deploy_function_step(const struct deploy_plan *p, size_t fn)
{
	for (size_t i = 0; i < p->nr; i++)
		if (p->steps[i].kind == DEPLOY_FUNCTION && p->steps[i].fn == fn)
			return &p->steps[i];
	return NULL;
}

struct pool {
	size_t n, next, finished;
	void (*work)(struct aws *a, void *ctx, size_t i);
	void *ctx;
	pthread_mutex_t lock;
};

struct pool_worker {
	struct pool *pool;
	struct aws *a; /* own, or the caller's on the calling thread */
	struct aws own;
	pthread_t thread;
};

static void *pool_worker(void *arg)
{
	struct pool_worker *w = arg;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&w->pool->lock);
		i = w->pool->next++;
		pthread_mutex_unlock(&w->pool->lock);
		if (i >= w->pool->n)
			return NULL;
		w->pool->work(w->a, w->pool->ctx, i);
		pthread_mutex_lock(&w->pool->lock);
		w->pool->finished++;
		pthread_mutex_unlock(&w->pool->lock);
	}
}

/* While the threads work: tick(ctx, finished, n) four times a second, and once more at the end */
static void watch_pool(struct pool *pool, void (*tick)(void *ctx, size_t finished, size_t n), void *ctx)
{
	for (;;) {
		struct timespec quarter = { 0, 250000000L };
		size_t finished;

		pthread_mutex_lock(&pool->lock);
		finished = pool->finished;
		pthread_mutex_unlock(&pool->lock);
		tick(ctx, finished, pool->n);
		if (finished >= pool->n)
			return;
		nanosleep(&quarter, NULL);
	}
}

void deploy_pool(struct aws *a, size_t n, size_t jobs, void (*work)(struct aws *a, void *ctx, size_t i), void *ctx,
		 void (*tick)(void *ctx, size_t finished, size_t n))
{
	struct pool pool = { n, 0, 0, work, ctx, PTHREAD_MUTEX_INITIALIZER };
	struct pool_worker *w = xcalloc(jobs ? jobs : 1, sizeof(*w));
	size_t started = 0;

	while (n > 1 && jobs > 1 && started < jobs && started < n) {
		struct error err = ERROR_INIT;
		int bad = aws_clone(&w[started].own, a, &err);

		w[started].pool = &pool;
		w[started].a = &w[started].own;
		error_release(&err);
		if (bad || pthread_create(&w[started].thread, NULL, pool_worker, &w[started])) {
			aws_release(&w[started].own);
			break;
		}
		started++;
	}
	if (!started) {
		w[0].pool = &pool;
		w[0].a = a;
		pool_worker(&w[0]);
	} else if (tick) {
		watch_pool(&pool, tick, ctx);
	}
	for (size_t i = 0; i < started; i++) {
		pthread_join(w[i].thread, NULL);
		aws_release(&w[i].own);
	}
	free(w);
}

const struct deploy_managed_policy deploy_managed_policies[] = {
	{ "AWSLambdaBasicExecutionRole", "service-role/", NULL },
	{ "AWSLambdaVPCAccessExecutionRole", "service-role/", "vpc" },
	{ "AWSXRayDaemonWriteAccess", "", "tracing" },
	{ "AWSLambdaSQSQueueExecutionRole", "service-role/", "sqs" },
	{ "AWSLambdaDynamoDBExecutionRole", "service-role/", "dynamodb" },
	{ "AWSLambdaKinesisExecutionRole", "service-role/", "kinesis" },
};
const size_t deploy_managed_policies_nr = sizeof(deploy_managed_policies) / sizeof(deploy_managed_policies[0]);

/* The first 8 hexadecimal digits of the SHA-256 of an ARN: 28 of them fit a tag's 256 characters */
static void arn_token(const char *arn, char out[9])
{
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex(arn, strlen(arn), hex);
	memcpy(out, hex, 8);
	out[8] = '\0';
}

void deploy_policies_record(const struct strlist *managed, int has_inline, struct buf *out)
{
	struct strlist tokens = STRLIST_INIT;
	char t[9];

	for (size_t i = 0; i < managed->nr; i++) {
		arn_token(managed->items[i], t);
		strlist_add(&tokens, t);
	}
	strlist_sort(&tokens);
	for (size_t i = 0; i < tokens.nr; i++)
		buf_addf(out, "%s%s", i ? " " : "", tokens.items[i]);
	if (has_inline)
		buf_addf(out, "%sinline", tokens.nr ? " " : "");
	strlist_clear(&tokens);
}

int deploy_policies_recorded(const char *record, const char *arn)
{
	char t[9];
	size_t n = 8;

	arn_token(arn, t);
	for (const char *p = record ? record : ""; (p = strstr(p, t)); p += n)
		if ((p == record || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

void deploy_managed_policy_arn(size_t i, const char *region, struct buf *out)
{
	buf_addf(out, "arn:%s:iam::aws:policy/%s%s", aws_partition(region), deploy_managed_policies[i].path,
		 deploy_managed_policies[i].name);
}

/* Whether function.events has a trigger that needs the policy of `setting` (sqs, dynamodb, kinesis) */
static int wants_trigger_policy(const struct config *f, const char *setting)
{
	struct cfg_events events;
	struct buf why = BUF_INIT;
	const struct cfg_node *at;
	int want = 0;

	if (cfg_events_read(config_tree(f, CFG_FUNCTION_EVENTS), &events, &why, &at)) {
		buf_release(&why);
		return 0;
	}
	for (size_t i = 0; i < events.nr; i++) {
		const struct cfg_event *e = &events.items[i];

		if (e->kind == CFG_EVENT_SQS)
			want |= !strcmp(setting, "sqs");
		else if (e->kind == CFG_EVENT_STREAM)
			want |= !strcmp(setting, strstr(e->source, ":dynamodb:") ? "dynamodb" : "kinesis");
	}
	cfg_events_release(&events);
	return want;
}

/* What a destination ARN's service takes from Lambda's role */
static const char *destination_action(const char *arn)
{
	static const struct { const char *service, *action; } map[] = {
		{ ":sqs:", "sqs:SendMessage" },     { ":sns:", "sns:Publish" }, { ":lambda:", "lambda:InvokeFunction" },
		{ ":events:", "events:PutEvents" }, { ":s3:", "s3:PutObject" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strstr(arn, map[i].service))
			return map[i].action;
	return NULL;
}

void deploy_role_document(const struct config *f, struct strlist *managed, struct buf *document)
{
	const char *dest[2] = { config_str(f, CFG_FUNCTION_ASYNC_ON_SUCCESS), config_str(f, CFG_FUNCTION_ASYNC_ON_FAILURE) };
	struct buf listed = BUF_INIT;
	cJSON *doc, *statements;
	char *text;

	config_policies(config_tree(f, CFG_FUNCTION_POLICIES), managed, &listed);
	if (!dest[0] && !dest[1]) {
		buf_add(document, listed.ptr, listed.len);
		buf_release(&listed);
		return;
	}
	doc = listed.len ? cJSON_Parse(listed.ptr) : NULL;
	if (!doc) {
		doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "Version", "2012-10-17");
		cJSON_AddArrayToObject(doc, "Statement");
	}
	statements = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
	for (int i = 0; i < 2; i++) {
		const char *action = dest[i] ? destination_action(dest[i]) : NULL;
		struct buf resource = BUF_INIT;
		cJSON *st;

		if (!action || (i == 1 && dest[0] && !strcmp(dest[0], dest[1])))
			continue;
		buf_addf(&resource, "%s%s", dest[i], strstr(dest[i], ":s3:") ? "/*" : "");
		st = cJSON_CreateObject();
		cJSON_AddStringToObject(st, "Effect", "Allow");
		cJSON_AddItemToObject(st, "Action", cJSON_CreateStringArray(&action, 1));
		cJSON_AddItemToArray(cJSON_AddArrayToObject(st, "Resource"), cJSON_CreateString(resource.ptr));
		{ /* function.policies may say it already */
			const cJSON *have;
			int dup = 0;

			cJSON_ArrayForEach(have, statements)
				dup |= cJSON_Compare(have, st, 1);
			if (dup)
				cJSON_Delete(st);
			else
				cJSON_AddItemToArray(statements, st);
		}
		buf_release(&resource);
	}
	text = cJSON_PrintUnformatted(doc);
	buf_adds(document, text);
	cJSON_free(text);
	cJSON_Delete(doc);
	buf_release(&listed);
}

int deploy_wants_policy(const struct config *f, size_t i)
{
	const char *setting = deploy_managed_policies[i].setting;

	if (!setting)
		return 1;
	if (!strcmp(setting, "vpc"))
		return config_list(f, CFG_FUNCTION_VPC_SUBNETS)->nr > 0;
	if (!strcmp(setting, "tracing"))
		return !strcmp(deploy_tracing_mode(config_str(f, CFG_FUNCTION_TRACING)), "Active");
	return wants_trigger_policy(f, setting);
}

void deploy_role_name(const char *function, struct buf *out)
{
	char hex[SHA256_HEX_LEN + 1];

	if (strlen(function) <= 51) {
		buf_addf(out, "%s-blambda-role", function);
		return;
	}
	/* two long names alike in their first 51 characters must not share a role */
	sha256_hex(function, strlen(function), hex);
	buf_addf(out, "%.42s-%.8s-blambda-role", function, hex);
}

/* ---- several regions at once ---- */

struct region_job {
	struct aws *a;
	struct deploy_opts o;
	int dry_run;
	struct deploy_plan *plan;
	int joined;    /* ran on the calling thread: nothing to join */
	int executing; /* the second round: the plan is made */
	int r;
};

/* A write refused because the function changed since the plan read it (another deploy, a console edit) */
static int changed_meanwhile(const struct deploy_plan *p)
{
	return p->err.code && !strcmp(p->err.code, "PreconditionFailedException");
}

/*
 * What the first run of a plan did, carried into the plan made again after
 * it: a step the new plan finds up to date because the first run made it so
 * is reported as the first run did it.
 */
static void carry_over(struct deploy_plan *before, struct deploy_plan *after)
{
	for (size_t i = 0; i < after->nr; i++) {
		struct deploy_step *s = &after->steps[i];

		if (s->action != DEPLOY_UNCHANGED)
			continue;
		for (size_t k = 0; k < before->nr; k++) {
			struct deploy_step *o = &before->steps[k];
			struct strlist reasons;

			if (o->kind != s->kind || o->fn != s->fn || strcmp(o->name, s->name) || o->action == DEPLOY_UNCHANGED ||
			    !(o->done || o->written))
				continue;
			reasons = s->reasons;
			s->reasons = o->reasons;
			o->reasons = reasons;
			s->action = o->action;
			s->written |= o->written;
			s->writes |= o->writes;
			s->done = 1;
			break;
		}
	}
	after->writes += before->writes;
}

static void *region_thread(void *arg)
{
	struct region_job *j = arg;

	if (!j->executing) {
		double start = clock_seconds();

		if (!j->o.quiet_progress)
			observe_step(j->a->obs, STEP_BEGIN, 0, "reading what %s holds", j->o.region);
		j->r = deploy_plan_make(j->a, &j->o, j->plan);
		if (!j->o.quiet_progress)
			observe_step(j->a->obs, STEP_END, clock_seconds() - start, "%s what %s holds",
				     j->r ? "could not read" : "read", j->o.region);
	} else if (j->r) {
		;
	} else if (interrupt_requested()) { /* between the plan and the first write */
		j->r = deploy_failed(j->plan, "deploy"); /* the error says it was interrupted */
	} else {
		j->r = deploy_plan_execute(j->a, &j->o, j->plan);
		if (j->r && changed_meanwhile(j->plan) && !interrupt_requested()) {
			/* planned again, once, from what is there now */
			struct deploy_plan first = *j->plan;

			observe_note(j->a->obs, NOTE_WARNING, "%s: cannot %s: the function changed since the plan read it "
				     "(another deploy?): planning again", j->o.region, j->plan->failed);
			j->r = deploy_plan_make(j->a, &j->o, j->plan) || deploy_plan_execute(j->a, &j->o, j->plan);
			carry_over(&first, j->plan);
			deploy_plan_release(&first);
		}
	}
	return NULL;
}

/* Each job's thread (or, with one job or no thread to be had, the calling one), then each joined */
static void run_jobs(struct region_job *jobs, pthread_t *threads, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		jobs[i].joined = 0;
		if (n == 1 || pthread_create(&threads[i], NULL, region_thread, &jobs[i])) {
			region_thread(&jobs[i]);
			jobs[i].joined = 1;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!jobs[i].joined)
			pthread_join(threads[i], NULL);
}

/* A region whose plan met what blambda did not make: then no region is written to */
static const char *foreign_region(const struct region_job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (jobs[i].r && jobs[i].plan->err.code &&
		    (!strcmp(jobs[i].plan->err.code, "NotOurs") || !strcmp(jobs[i].plan->err.code, "SharedRole")))
			return jobs[i].o.region;
	return NULL;
}

size_t deploy_regions(struct aws *awss, const char *const *regions, size_t n, const struct deploy_opts *o,
		      int dry_run, struct deploy_plan *plans)
{
	struct region_job *jobs = xcalloc(n ? n : 1, sizeof(*jobs));
	pthread_t *threads = xcalloc(n ? n : 1, sizeof(*threads));
	const char *foreign;
	size_t failures = 0;

	for (size_t i = 0; i < n; i++) {
		jobs[i].a = &awss[i];
		jobs[i].o = *o;
		jobs[i].o.region = regions[i];
		jobs[i].o.quiet_progress = o->quiet_progress || n > 1;
		jobs[i].o.regions = regions;
		jobs[i].o.nregions = n;
		jobs[i].dry_run = dry_run;
		jobs[i].plan = &plans[i];
		memset(&plans[i], 0, sizeof(plans[i]));
	}
	/* every region's plan first: what is not ours anywhere stops the deploy before any write */
	run_jobs(jobs, threads, n);
	foreign = dry_run ? NULL : foreign_region(jobs, n); /* a read-only run reports each region as it is */
	for (size_t i = 0; foreign && i < n; i++)
		if (!jobs[i].r) {
			aws_error_set(&plans[i].err, "NotOurs", "nothing was written here either: %s cannot be deployed as "
				      "it is (its error says why), and a deploy writes to every region or to none", foreign);
			jobs[i].r = deploy_failed(&plans[i], "deploy");
		}
	for (size_t i = 0; i < n; i++)
		jobs[i].executing = 1;
	if (!dry_run && !foreign)
		run_jobs(jobs, threads, n);
	for (size_t i = 0; i < n; i++)
		failures += jobs[i].r != 0;
	free(jobs);
	free(threads);
	return failures;
}
