#include "deploy/deploy.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/iam.h"
#include "aws/s3.h"
#include "core/hash.h"
#include "core/wait.h"
#include "core/xalloc.h"
#include "package/limits.h"

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
		if (p->steps[i].action != DEPLOY_UNCHANGED)
			return 0;
	return 1;
}

void deploy_plan_release(struct deploy_plan *p)
{
	for (size_t i = 0; i < p->nr; i++) {
		struct deploy_step *s = &p->steps[i];

		free(s->name);
		strlist_clear(&s->reasons);
		free(s->arn);
		free(s->state);
		free(s->code_sha256);
	}
	free(p->steps);
	free(p->region);
	free(p->failed);
	error_release(&p->err);
	memset(p, 0, sizeof(*p));
}

static void reason(struct deploy_step *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reason(struct deploy_step *s, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	strlist_add_owned(&s->reasons, buf_detach(&b));
}

/* Record what failed; the error itself is already in p->err. Returns -1. */
static int failed(struct deploy_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int failed(struct deploy_plan *p, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	free(p->failed);
	p->failed = buf_detach(&b);
	return -1;
}

static void set_str(char **slot, const char *v)
{
	free(*slot);
	*slot = v ? xstrdup(v) : NULL;
}

/* A new step; pointers to earlier steps do not survive it (the array grows): keep indexes. */
static struct deploy_step *add_step(struct deploy_plan *p, const char *kind, const char *name)
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

static struct deploy_step *find_step(struct deploy_plan *p, const char *kind)
{
	for (size_t i = 0; i < p->nr; i++)
		if (!strcmp(p->steps[i].kind, kind))
			return &p->steps[i];
	return NULL;
}

static const struct config *fn_cfg(const struct deploy_opts *o, const struct deploy_step *s)
{
	return &o->fns[s->fn];
}

const char *deploy_kind_words(const char *kind)
{
	return !strcmp(kind, "runtime-layer") ? "runtime layer" : !strcmp(kind, "deps-layer") ? "deps layer" : kind;
}

void deploy_role_name(const char *function, struct buf *out)
{
	buf_addf(out, "%.51s-blambda-role", function);
}

/* ---- the plan ---- */

static int plan_layer(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, const char *kind,
		      const char *name, const struct artifact *art)
{
	struct deploy_step *s = add_step(p, kind, name);
	struct lambda_layer_version v;
	char want[45];

	s->art = art;
	s->via_s3 = o->use_s3 || art->size > LAMBDA_DIRECT_UPLOAD_MAX;
	if (lambda_latest_layer_version(a, p->region, name, &v, &p->err))
		return failed(p, "read the versions of %s '%s'", deploy_kind_words(kind), name);
	if (v.version && v.code_sha256 && !sha256_hex_to_base64(art->sha256, want) && !strcmp(v.code_sha256, want)) {
		s->action = DEPLOY_UNCHANGED;
		reason(s, "version %ld holds the same bytes", v.version);
		set_str(&s->arn, v.version_arn);
		s->version = v.version;
	} else {
		s->action = DEPLOY_PUBLISH;
		if (v.version)
			reason(s, "version %ld holds other bytes", v.version);
		else
			reason(s, "no version published yet");
	}
	s->planned = 1;
	lambda_layer_version_release(&v);
	return 0;
}

static int plan_role(struct aws *a, struct deploy_plan *p, const char *function, size_t fn)
{
	struct buf name = BUF_INIT, policy = BUF_INIT;
	struct strlist attached = STRLIST_INIT;
	struct deploy_step *s;
	struct iam_role role;
	int r = 0;

	deploy_role_name(function, &name);
	s = add_step(p, "role", name.ptr);
	s->fn = fn;
	buf_addf(&policy, DEPLOY_BASIC_POLICY, aws_partition(p->region));
	r = iam_get_role(a, name.ptr, &role, &p->err);
	if (r == 1 && error_is(&p->err, "NoSuchEntity")) {
		error_release(&p->err);
		s->action = DEPLOY_CREATE;
		s->attach_policy = 1;
		reason(s, "function.role is not set and blambda has not made one yet");
		r = 0;
		goto out;
	}
	if (r) {
		r = failed(p, "read role '%s'", name.ptr);
		goto out;
	}
	set_str(&s->arn, role.arn);
	if (iam_attached_policies(a, name.ptr, &attached, &p->err)) {
		r = failed(p, "list the policies of role '%s'", name.ptr);
		goto out;
	}
	if (!strlist_has(&attached, policy.ptr)) {
		s->action = DEPLOY_UPDATE;
		s->attach_policy = 1;
		reason(s, "AWSLambdaBasicExecutionRole is not attached");
	} else {
		s->action = DEPLOY_UNCHANGED;
		reason(s, kvlist_get(&role.tags, DEPLOY_TAG_KEY) ? "made by blambda" : "exists, not made by blambda");
	}
out:
	if (!r)
		s->planned = 1;
	iam_role_release(&role);
	strlist_clear(&attached);
	buf_release(&name);
	buf_release(&policy);
	return r;
}

/* The settings function step fs should have; layers and role as far as the plan knows them. */
static void desired_settings(const struct deploy_opts *o, struct deploy_plan *p, size_t fs, struct lambda_settings *s,
			     struct strlist *layers, struct kvlist *tags)
{
	const struct config *cfg = fn_cfg(o, &p->steps[fs]);
	struct deploy_step *rt = find_step(p, "runtime-layer"), *deps = find_step(p, "deps-layer");
	struct deploy_step *role = p->steps[fs].role >= 0 ? &p->steps[p->steps[fs].role] : NULL;
	const struct strlist *extra = config_list(cfg, CFG_FUNCTION_LAYERS);
	const struct kvlist *user_tags = config_map(cfg, CFG_FUNCTION_TAGS);

	memset(s, 0, sizeof(*s));
	s->name = config_str(cfg, CFG_FUNCTION_NAME);
	s->runtime = config_str(cfg, CFG_FUNCTION_RUNTIME);
	s->handler = config_str(cfg, CFG_FUNCTION_HANDLER);
	s->architecture = config_str(cfg, CFG_FUNCTION_ARCHITECTURE);
	s->description = config_str(cfg, CFG_FUNCTION_DESCRIPTION);
	s->memory = config_int(cfg, CFG_FUNCTION_MEMORY);
	s->timeout = config_int(cfg, CFG_FUNCTION_TIMEOUT);
	s->environment = config_map(cfg, CFG_FUNCTION_ENVIRONMENT);
	s->role = role ? role->arn : config_str(cfg, CFG_FUNCTION_ROLE);
	/* a layer about to be published has no ARN yet: "" stands for its new version */
	strlist_add(layers, rt && rt->arn ? rt->arn : "");
	if (deps)
		strlist_add(layers, deps->arn ? deps->arn : "");
	for (size_t i = 0; i < extra->nr; i++)
		strlist_add(layers, extra->items[i]);
	s->layers = layers;
	for (size_t i = 0; i < user_tags->nr; i++)
		kvlist_add(tags, user_tags->items[i].key, user_tags->items[i].value);
	kvlist_set(tags, DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE);
	s->tags = tags;
}

static int same_str(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static int same_map(const struct kvlist *want, const struct kvlist *have)
{
	if (want->nr != have->nr)
		return 0;
	for (size_t i = 0; i < want->nr; i++)
		if (!same_str(kvlist_get(have, want->items[i].key), want->items[i].value) ||
		    !kvlist_get(have, want->items[i].key))
			return 0;
	return 1;
}

static int plan_function(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, size_t fn, int role)
{
	const char *name = config_str(&o->fns[fn], CFG_FUNCTION_NAME);
	size_t fs = p->nr;
	struct deploy_step *s = add_step(p, "function", name);
	struct strlist layers = STRLIST_INIT;
	struct kvlist tags = KVLIST_INIT;
	struct lambda_settings want;
	struct lambda_function f;
	char code[45] = "";
	int r;

	s->fn = fn;
	s->role = role;
	s->art = o->function;
	s->via_s3 = o->use_s3 || o->function->size > LAMBDA_DIRECT_UPLOAD_MAX;
	sha256_hex_to_base64(o->function->sha256, code);
	desired_settings(o, p, fs, &want, &layers, &tags);
	r = lambda_get_function(a, p->region, name, &f, &p->err);
	if (r == 1 && error_is(&p->err, "ResourceNotFoundException")) {
		error_release(&p->err);
		s->action = DEPLOY_CREATE;
		reason(s, "it does not exist yet");
		r = 0;
		goto out;
	}
	if (r) {
		r = failed(p, "read function '%s'", name);
		goto out;
	}
	set_str(&s->arn, f.arn);
	set_str(&s->state, f.state);
	set_str(&s->code_sha256, f.code_sha256);
	if (!same_str(f.code_sha256, code)) {
		s->update_code = 1;
		reason(s, "code changed");
	}
	if (!same_str(f.architecture, want.architecture)) {
		s->update_code = 1;
		reason(s, "architecture %s -> %s", f.architecture, want.architecture);
	}
	if (!same_str(f.runtime, want.runtime))
		s->update_config = 1, reason(s, "runtime %s -> %s", f.runtime ? f.runtime : "none", want.runtime);
	if (!same_str(f.handler, want.handler))
		s->update_config = 1, reason(s, "handler %s -> %s", f.handler ? f.handler : "none", want.handler);
	if (!want.role || !same_str(f.role, want.role))
		s->update_config = 1, reason(s, "role %s -> %s", f.role ? f.role : "none", want.role ? want.role : "a new one");
	if (f.memory != want.memory)
		s->update_config = 1, reason(s, "memory %ld -> %ld", f.memory, want.memory);
	if (f.timeout != want.timeout)
		s->update_config = 1, reason(s, "timeout %ld -> %ld", f.timeout, want.timeout);
	if (!same_str(f.description, want.description))
		s->update_config = 1, reason(s, "description changed");
	if (!same_map(want.environment, &f.environment))
		s->update_config = 1, reason(s, "environment changed");
	{
		int same = f.layers.nr == layers.nr;

		for (size_t i = 0; same && i < layers.nr; i++)
			same = !strcmp(f.layers.items[i], layers.items[i]);
		if (!same)
			s->update_config = 1, reason(s, "layers changed");
	}
	for (size_t i = 0; i < tags.nr; i++) {
		if (!same_str(kvlist_get(&f.tags, tags.items[i].key), tags.items[i].value) ||
		    !kvlist_get(&f.tags, tags.items[i].key)) {
			s->update_tags = 1;
			reason(s, "tag %s changed", tags.items[i].key);
		}
	}
	if (s->update_code || s->update_config || s->update_tags) {
		s->action = DEPLOY_UPDATE;
	} else {
		s->action = DEPLOY_UNCHANGED;
		reason(s, "up to date");
	}
out:
	if (!r)
		s->planned = 1;
	lambda_function_release(&f);
	strlist_clear(&layers);
	kvlist_clear(&tags);
	return r;
}

/*
 * With --publish or function.alias: a version published after the update,
 * and the alias pointed at it (made when it is not there).
 */
static int plan_version(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, size_t fn)
{
	const char *name = config_str(&o->fns[fn], CFG_FUNCTION_NAME);
	const char *alias = config_str(&o->fns[fn], CFG_FUNCTION_ALIAS);
	struct deploy_step *s;

	if (!o->publish && !alias)
		return 0;
	s = add_step(p, "version", name);
	s->fn = fn;
	s->action = DEPLOY_PUBLISH;
	reason(s, alias ? "alias '%s' follows it" : "--publish", alias);
	s->planned = 1;
	if (!alias)
		return 0;
	{
		/* named FUNCTION:ALIAS, as Lambda's qualified names are */
		char *qualified = buf_fmt("%s:%s", name, alias);

		s = add_step(p, "alias", qualified);
		free(qualified);
	}
	s->fn = fn;
	if (lambda_get_alias(a, p->region, name, alias, &s->old_version, &p->err))
		return failed(p, "read alias '%s' of function '%s'", alias, name);
	s->action = s->old_version ? DEPLOY_UPDATE : DEPLOY_CREATE;
	if (s->old_version)
		reason(s, "points at version %ld", s->old_version);
	else
		reason(s, "it does not exist yet");
	s->planned = 1;
	return 0;
}

/* the URL blambda.yml asks for (function.url.*): a view into f's values, not to be released */
static void wanted_url(const struct config *f, struct lambda_url *u)
{
	const struct strlist *l;

	memset(u, 0, sizeof(*u));
	u->auth = (char *)config_str(f, CFG_FUNCTION_URL_AUTH);
	if ((l = config_list(f, CFG_FUNCTION_URL_CORS_ORIGINS)))
		u->origins = *l;
	if ((l = config_list(f, CFG_FUNCTION_URL_CORS_METHODS)))
		u->methods = *l;
	if ((l = config_list(f, CFG_FUNCTION_URL_CORS_HEADERS)))
		u->headers = *l;
	u->max_age = config_int(f, CFG_FUNCTION_URL_CORS_MAX_AGE);
	u->credentials = config_str(f, CFG_FUNCTION_URL_CORS_CREDENTIALS) &&
			 !strcmp(config_str(f, CFG_FUNCTION_URL_CORS_CREDENTIALS), "true");
}

static int same_list(const struct strlist *a, const struct strlist *b)
{
	if (a->nr != b->nr)
		return 0;
	for (size_t i = 0; i < a->nr; i++)
		if (strcmp(a->items[i], b->items[i]))
			return 0;
	return 1;
}

/*
 * The function's URL: made when function.url.auth is set and there is none,
 * changed when its auth or CORS differ, and deleted when function.url is
 * gone from blambda.yml, but only a URL blambda made (the function carries
 * blambda:url).
 */
static int plan_url(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, size_t fn)
{
	const struct config *f = &o->fns[fn];
	const char *name = config_str(f, CFG_FUNCTION_NAME);
	const struct deploy_step *fs = NULL;
	struct lambda_url want, have;
	struct deploy_step *s;
	int exists = 0, r = 0;

	for (size_t i = 0; i < p->nr; i++)
		if (!strcmp(p->steps[i].kind, "function") && p->steps[i].fn == fn)
			fs = &p->steps[i];
	wanted_url(f, &want);
	if (fs && fs->action == DEPLOY_CREATE) {
		if (!want.auth)
			return 0;
		s = add_step(p, "url", name);
		s->fn = fn;
		s->action = DEPLOY_CREATE;
		reason(s, "the function is new");
		s->planned = 1;
		return 0;
	}
	if (lambda_get_url(a, p->region, name, &have, &exists, &p->err)) {
		lambda_url_release(&have);
		return failed(p, "read the URL of function '%s'", name);
	}
	if (!want.auth && exists) {
		struct lambda_function fun;

		r = lambda_get_function(a, p->region, name, &fun, &p->err);
		if (r)
			r = failed(p, "read function '%s'", name);
		else if (kvlist_get(&fun.tags, DEPLOY_URL_TAG_KEY)) {
			s = add_step(p, "url", name);
			s->fn = fn;
			s->action = DEPLOY_DELETE;
			reason(s, "function.url is not set");
			set_str(&s->arn, have.url);
			s->planned = 1;
		}
		lambda_function_release(&fun);
	} else if (want.auth) {
		s = add_step(p, "url", name);
		s->fn = fn;
		s->planned = 1;
		if (!exists) {
			s->action = DEPLOY_CREATE;
			reason(s, "it does not exist yet");
		} else {
			set_str(&s->arn, have.url);
			if (strcmp(want.auth, have.auth))
				reason(s, "auth %s -> %s", have.auth, want.auth);
			if (!same_list(&want.origins, &have.origins) || !same_list(&want.methods, &have.methods) ||
			    !same_list(&want.headers, &have.headers) || want.max_age != have.max_age ||
			    want.credentials != have.credentials)
				reason(s, "cors");
			s->action = s->reasons.nr ? DEPLOY_UPDATE : DEPLOY_UNCHANGED;
		}
	}
	lambda_url_release(&have);
	return r;
}

int deploy_plan_make(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p)
{
	int need_bucket = 0;

	memset(p, 0, sizeof(*p));
	p->region = xstrdup(o->region);
	if (plan_layer(a, o, p, "runtime-layer", config_str(o->cfg, CFG_LAYERS_RUNTIME), o->runtime_layer))
		return -1;
	if (o->deps_layer && plan_layer(a, o, p, "deps-layer", config_str(o->cfg, CFG_LAYERS_DEPS), o->deps_layer))
		return -1;
	for (size_t f = 0; !o->layers_only && f < o->nfns; f++) {
		int role = -1;

		if (!config_str(&o->fns[f], CFG_FUNCTION_ROLE)) {
			role = (int)p->nr;
			if (plan_role(a, p, config_str(&o->fns[f], CFG_FUNCTION_NAME), f))
				return -1;
		}
		if (plan_function(a, o, p, f, role) || plan_version(a, o, p, f) || plan_url(a, o, p, f))
			return -1;
	}
	/* a zip that must go through S3 needs a bucket: said before any write */
	for (size_t i = 0; i < p->nr; i++) {
		const struct deploy_step *s = &p->steps[i];

		need_bucket |= s->via_s3 && s->art &&
			       (s->action == DEPLOY_PUBLISH || s->action == DEPLOY_CREATE || s->update_code);
	}
	if (need_bucket && !o->s3_bucket) {
		aws_error_set(&p->err, "NoBucket",
			      "a zip goes through S3 (over Lambda's 50 MB direct upload, or --use-s3) and no bucket is set: "
			      "set aws.s3-bucket, BLAMBDA_S3_BUCKET or --s3-bucket");
		return failed(p, "deploy");
	}
	return 0;
}

/* ---- execution ---- */

/* The code of a step: its zip uploaded directly, or put in S3 (unless already there) and named. */
static int step_code(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, const struct deploy_step *s,
		     struct lambda_code *code, struct buf *key, struct buf *label)
{
	memset(code, 0, sizeof(*code));
	buf_reset(label);
	buf_addf(label, "%s %s", deploy_kind_words(s->kind), s->name);
	code->progress_label = o->quiet_progress ? NULL : label->ptr;
	if (!s->via_s3) {
		code->zip_path = s->art->path;
		return 0;
	}
	{
		uint64_t size;
		int exists;

		buf_reset(key);
		buf_addf(key, "blambda/%s.zip", s->art->sha256);
		if (s3_head_object(a, p->region, o->s3_bucket, key->ptr, &exists, &size, &p->err))
			return failed(p, "look for s3://%s/%s", o->s3_bucket, key->ptr);
		if (!exists || size != s->art->size) {
			p->writes++;
			if (s3_put_object(a, p->region, o->s3_bucket, key->ptr, s->art->path, s->art->sha256, s->art->size,
					  label->ptr, &p->err))
				return failed(p, "upload '%s' to s3://%s/%s", s->art->path, o->s3_bucket, key->ptr);
		}
	}
	code->s3_bucket = o->s3_bucket;
	code->s3_key = key->ptr;
	return 0;
}

static int exec_layer(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, struct deploy_step *s)
{
	struct buf key = BUF_INIT, label = BUF_INIT, desc = BUF_INIT;
	struct lambda_layer_version v = { 0 };
	struct lambda_code code;
	int r = -1;

	if (step_code(a, o, p, s, &code, &key, &label))
		goto out;
	if (!strcmp(s->kind, "runtime-layer"))
		buf_addf(&desc, "blambda %s runtime layer: Babashka %s (%s)", BLAMBDA_VERSION,
			 config_str(o->cfg, CFG_BABASHKA_VERSION), s->art->arch);
	else
		buf_addf(&desc, "blambda %s deps layer (%s)", BLAMBDA_VERSION, s->art->arch);
	p->writes++;
	if (lambda_publish_layer_version(a, p->region, s->name, desc.ptr, s->art->arch, &code, &v, &p->err)) {
		failed(p, "publish %s '%s'", deploy_kind_words(s->kind), s->name);
		goto out;
	}
	set_str(&s->arn, v.version_arn);
	set_str(&s->code_sha256, v.code_sha256);
	s->version = v.version;
	s->done = 1;
	r = 0;
out:
	lambda_layer_version_release(&v);
	buf_release(&key);
	buf_release(&label);
	buf_release(&desc);
	return r;
}

static int exec_role(struct aws *a, struct deploy_plan *p, struct deploy_step *s)
{
	struct buf policy = BUF_INIT;
	struct kvlist tags = KVLIST_INIT;
	struct iam_role role = { 0 };
	int r = -1;

	buf_addf(&policy, DEPLOY_BASIC_POLICY, aws_partition(p->region));
	if (s->action == DEPLOY_CREATE) {
		kvlist_add(&tags, DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE);
		p->writes++;
		r = iam_create_role(a, s->name, iam_lambda_trust_policy, "Execution role made by blambda", &tags, &role,
				    &p->err);
		/* made already by an attempt whose answer was lost (a retry after a dropped connection) */
		if (r == 1 && error_is(&p->err, "EntityAlreadyExists")) {
			error_release(&p->err);
			r = iam_get_role(a, s->name, &role, &p->err);
		}
		if (r) {
			r = -1;
			failed(p, "create role '%s'", s->name);
			goto out;
		}
		set_str(&s->arn, role.arn);
	}
	if (s->attach_policy) {
		p->writes++;
		if (iam_attach_role_policy(a, s->name, policy.ptr, &p->err)) {
			failed(p, "attach AWSLambdaBasicExecutionRole to role '%s'", s->name);
			goto out;
		}
	}
	s->done = 1;
	r = 0;
out:
	iam_role_release(&role);
	kvlist_clear(&tags);
	buf_release(&policy);
	return r;
}

/* ---- waits ---- */

struct fn_wait {
	struct aws *a;
	struct deploy_plan *p;
	const char *name;
	int for_active; /* State Active; else LastUpdateStatus Successful */
	struct lambda_function f;
};

static enum wait_answer check_function(void *ctx)
{
	struct fn_wait *w = ctx;
	const char *status;

	lambda_function_release(&w->f);
	error_release(&w->p->err); /* an error that led here (a 409) is answered by waiting */
	if (lambda_get_function(w->a, w->p->region, w->name, &w->f, &w->p->err))
		return WAIT_FAILED;
	if (w->for_active) {
		status = w->f.state ? w->f.state : "Active";
		if (!strcmp(status, "Active"))
			return WAIT_DONE;
		if (!strcmp(status, "Failed") || !strcmp(status, "Inactive")) {
			aws_error_set(&w->p->err, "FunctionFailed", "the function is %s: %s", status,
				      w->f.state_reason ? w->f.state_reason : "no reason given");
			return WAIT_FAILED;
		}
		return WAIT_AGAIN;
	}
	status = w->f.last_update_status ? w->f.last_update_status : "Successful";
	if (!strcmp(status, "Successful"))
		return WAIT_DONE;
	if (!strcmp(status, "Failed")) {
		aws_error_set(&w->p->err, "UpdateFailed", "the update failed: %s",
			      w->f.last_update_reason ? w->f.last_update_reason : "no reason given");
		return WAIT_FAILED;
	}
	return WAIT_AGAIN;
}

/* Wait until the function is Active (for_active) or its last update is done; 0 or -1 (p->err, p->failed). */
static int wait_function(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, const char *name,
			 int for_active, struct lambda_function *out)
{
	struct fn_wait w = { a, p, name, for_active, { 0 } };
	struct buf label = BUF_INIT;
	struct wait_opts wo = { 0 };
	int r;

	buf_addf(&label, "function '%s' to %s", name, for_active ? "become Active" : "finish updating");
	wo.label = label.ptr;
	wo.obs = o->quiet_progress ? NULL : a->obs;
	wo.timeout_s = DEPLOY_WAIT_S;
	r = wait_until(&wo, check_function, &w);
	if (r == 1)
		aws_error_set(&p->err, "Timeout", "still not done after %.0f s", wo.timeout_s);
	if (r)
		failed(p, "wait for %s", label.ptr);
	if (out && !r) {
		*out = w.f;
		memset(&w.f, 0, sizeof(w.f));
	}
	lambda_function_release(&w.f);
	buf_release(&label);
	return r ? -1 : 0;
}

/* A write that Lambda refuses while another update runs (409): wait for that one, then try again. */
/*
 * A write to a function, tried again while Lambda refuses it for a passing
 * reason: another update in progress (409), or, after a role was just made,
 * "cannot be assumed by Lambda" (IAM takes seconds to reach Lambda).
 */
struct conflict_retry {
	struct aws *a;
	const struct deploy_opts *o;
	struct deploy_plan *p;
	const char *name;
	int (*attempt)(struct conflict_retry *c);
	const struct lambda_code *code;
	const struct lambda_settings *settings;
	const char *label;     /* what is awaited, for the spinner; NULL: none */
	int role_new;          /* the role was made in this run: wait for IAM */
	int exists;            /* CreateFunction: "already exist" (an earlier attempt's answer was lost) */
	struct error last; /* the last refusal, kept for the message when time runs out */
	struct lambda_function out;
};

static int attempt_create(struct conflict_retry *c);

static int already_exists(const struct error *e)
{
	return error_is(e, "ResourceConflictException") && e->message && strstr(e->message, "already exist");
}

static enum wait_answer try_write(void *ctx)
{
	struct conflict_retry *c = ctx;
	int r;

	error_release(&c->p->err);
	lambda_function_release(&c->out);
	c->p->writes++;
	r = c->attempt(c);
	if (!r)
		return WAIT_DONE;
	if (r == 1 && c->attempt == attempt_create && already_exists(&c->p->err)) {
		/* an attempt whose answer was lost made it (or another deploy did): update it instead */
		error_release(&c->p->err);
		c->exists = 1;
		return WAIT_DONE;
	}
	if (r == 1 && (error_is(&c->p->err, "ResourceConflictException") ||
		       (c->role_new && c->p->err.message && strstr(c->p->err.message, "cannot be assumed by Lambda")))) {
		error_release(&c->last);
		c->last = c->p->err;
		memset(&c->p->err, 0, sizeof(c->p->err));
		if (error_is(&c->last, "ResourceConflictException"))
			return wait_function(c->a, c->o, c->p, c->name, 0, NULL) ? WAIT_FAILED : WAIT_AGAIN;
		return WAIT_AGAIN;
	}
	return WAIT_FAILED;
}

static int attempt_create(struct conflict_retry *c)
{
	return lambda_create_function(c->a, c->p->region, c->settings, c->code, &c->out, &c->p->err);
}

static int attempt_code(struct conflict_retry *c)
{
	return lambda_update_code(c->a, c->p->region, c->name, c->settings->architecture, c->code, &c->out,
				  &c->p->err);
}

static int attempt_config(struct conflict_retry *c)
{
	return lambda_update_configuration(c->a, c->p->region, c->settings, &c->out, &c->p->err);
}

static int run_write(struct conflict_retry *c, int (*attempt)(struct conflict_retry *), double timeout_s,
		     const char *what)
{
	struct wait_opts wo = { 0 };
	int r;

	c->attempt = attempt;
	wo.label = c->label;
	wo.obs = c->o->quiet_progress ? NULL : c->a->obs;
	wo.timeout_s = timeout_s;
	wo.first_delay_s = 2;
	r = wait_until(&wo, try_write, c);
	if (r == 1 && !c->p->err.code) {
		/* time ran out: say so with Lambda's last refusal, code and request id included */
		char *last = c->last.message;

		c->p->err = c->last;
		memset(&c->last, 0, sizeof(c->last));
		c->p->err.message = buf_fmt("still refused after %.0f s; the last answer: %s", timeout_s,
					    last ? last : "(none)");
		free(last);
	}
	error_release(&c->last);
	return r ? failed(c->p, "%s", what) : 0;
}

static int exec_function(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, size_t fs)
{
	struct deploy_step *s = &p->steps[fs];
	const struct deploy_step *role = s->role >= 0 ? &p->steps[s->role] : NULL;
	struct strlist layers = STRLIST_INIT;
	struct kvlist tags = KVLIST_INIT;
	struct buf key = BUF_INIT, label = BUF_INIT, what = BUF_INIT, rw = BUF_INIT;
	struct conflict_retry c;
	struct lambda_settings want;
	struct lambda_function final = { 0 };
	struct lambda_code code = { 0 };
	int r = -1;

	memset(&c, 0, sizeof(c));
	desired_settings(o, p, fs, &want, &layers, &tags);
	c.a = a;
	c.o = o;
	c.p = p;
	c.name = s->name;
	c.settings = &want;
	c.code = &code;
	c.role_new = role && role->action == DEPLOY_CREATE;
	if (c.role_new) {
		buf_addf(&rw, "role '%s' to be usable by Lambda", role->name);
		c.label = rw.ptr;
	}
	if ((s->action == DEPLOY_CREATE || s->update_code) && step_code(a, o, p, s, &code, &key, &label))
		goto out;
	if (s->action == DEPLOY_CREATE) {
		buf_addf(&what, "create function '%s'", s->name);
		/* IAM makes a new role usable by Lambda within seconds; wait up to two minutes */
		c.role_new = 1;
		if (run_write(&c, attempt_create, DEPLOY_ROLE_WAIT_S, what.ptr))
			goto out;
		if (c.exists) {
			/* it was there after all: bring it to what blambda.yml says */
			s->update_code = s->update_config = s->update_tags = 1;
		} else {
			s->create_done = 1;
			if (wait_function(a, o, p, s->name, 1, NULL))
				goto out;
		}
	}
	if (s->update_code) {
		buf_reset(&what);
		buf_addf(&what, "update the code of function '%s'", s->name);
		if (run_write(&c, attempt_code, DEPLOY_WAIT_S, what.ptr) || wait_function(a, o, p, s->name, 0, NULL))
			goto out;
		s->code_done = 1;
	}
	if (s->update_config) {
		buf_reset(&what);
		buf_addf(&what, "update the configuration of function '%s'", s->name);
		if (run_write(&c, attempt_config, c.role_new ? DEPLOY_ROLE_WAIT_S : DEPLOY_WAIT_S, what.ptr) ||
		    wait_function(a, o, p, s->name, 0, NULL))
			goto out;
		s->config_done = 1;
	}
	/* what the function looks like now (its ARN for tagging, if it was not known) */
	if (lambda_get_function(a, p->region, s->name, &final, &p->err)) {
		failed(p, "read function '%s'", s->name);
		goto out;
	}
	if (s->update_tags) {
		p->writes++;
		if (lambda_tag_resource(a, p->region, final.arn, &tags, &p->err)) {
			failed(p, "tag function '%s'", s->name);
			goto out;
		}
	}
	set_str(&s->arn, final.arn);
	set_str(&s->state, final.state);
	set_str(&s->code_sha256, final.code_sha256);
	s->done = 1;
	r = 0;
out:
	lambda_function_release(&c.out);
	lambda_function_release(&final);
	error_release(&c.last);
	strlist_clear(&layers);
	kvlist_clear(&tags);
	buf_release(&key);
	buf_release(&label);
	buf_release(&what);
	buf_release(&rw);
	return r;
}

static int exec_version(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, struct deploy_step *s)
{
	const char *name = config_str(&o->fns[s->fn], CFG_FUNCTION_NAME);
	char *arn = NULL;
	int r;

	p->writes++;
	r = lambda_publish_version(a, p->region, name, &s->version, &arn, &p->err);
	if (r) {
		free(arn);
		return failed(p, "publish a version of function '%s'", name);
	}
	free(s->arn);
	s->arn = arn;
	s->done = 1;
	return 0;
}

static int exec_alias(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, struct deploy_step *s,
		      long version)
{
	const char *name = config_str(&o->fns[s->fn], CFG_FUNCTION_NAME);
	const char *alias = config_str(&o->fns[s->fn], CFG_FUNCTION_ALIAS);
	char *arn = NULL;

	s->version = version;
	if (s->old_version == version) {
		/* Lambda published no new version (nothing changed since the last): the alias is right */
		s->action = DEPLOY_UNCHANGED;
		s->done = 1;
		return 0;
	}
	p->writes++;
	if (lambda_put_alias(a, p->region, name, alias, version, s->action == DEPLOY_CREATE, &arn, &p->err)) {
		free(arn);
		return failed(p, "%s alias '%s' of function '%s'", s->action == DEPLOY_CREATE ? "create" : "update",
			      alias, name);
	}
	free(s->arn);
	s->arn = arn;
	s->done = 1;
	return 0;
}

static int exec_url(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, struct deploy_step *s)
{
	const struct config *f = &o->fns[s->fn];
	const char *name = config_str(f, CFG_FUNCTION_NAME);
	struct lambda_url want;
	char *url = NULL;

	const struct deploy_step *fs = NULL;

	for (size_t i = 0; i < p->nr; i++)
		if (!strcmp(p->steps[i].kind, "function") && p->steps[i].fn == s->fn)
			fs = &p->steps[i];
	wanted_url(f, &want);
	p->writes++;
	if (s->action == DEPLOY_DELETE) {
		if (lambda_delete_url(a, p->region, name, &p->err))
			return failed(p, "delete the URL of function '%s'", name);
		p->writes++;
		if (lambda_remove_permission(a, p->region, name, DEPLOY_URL_STATEMENT, &p->err))
			return failed(p, "remove the public permission of function '%s'", name);
		/* the mark goes with the URL: one made by hand later is not blambda's to delete */
		p->writes++;
		if (fs && fs->arn && lambda_untag_resource(a, p->region, fs->arn, DEPLOY_URL_TAG_KEY, &p->err))
			return failed(p, "untag function '%s'", name);
		s->done = 1;
		return 0;
	}
	if (lambda_put_url(a, p->region, name, &want, s->action == DEPLOY_CREATE, &url, &p->err)) {
		free(url);
		return failed(p, "%s the URL of function '%s'", s->action == DEPLOY_CREATE ? "create" : "update", name);
	}
	free(s->arn);
	s->arn = url;
	if (s->action == DEPLOY_CREATE) {
		/* marked, so that only a URL blambda made goes when function.url goes */
		struct kvlist tag = KVLIST_INIT;
		int r;

		kvlist_add(&tag, DEPLOY_URL_TAG_KEY, DEPLOY_TAG_VALUE);
		p->writes++;
		r = fs && fs->arn ? lambda_tag_resource(a, p->region, fs->arn, &tag, &p->err) : 0;
		kvlist_clear(&tag);
		if (r)
			return failed(p, "tag function '%s'", name);
	}
	/* a public URL needs everyone allowed to call it; a signed one must not keep that */
	p->writes++;
	if (!strcmp(want.auth, "NONE") ? lambda_allow_public_url(a, p->region, name, DEPLOY_URL_STATEMENT, &p->err)
				      : lambda_remove_permission(a, p->region, name, DEPLOY_URL_STATEMENT, &p->err))
		return failed(p, "set who may call the URL of function '%s'", name);
	s->done = 1;
	return 0;
}

int deploy_plan_execute(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p)
{
	long published = 0;

	for (size_t i = 0; i < p->nr; i++) {
		struct deploy_step *s = &p->steps[i];
		int r = 0;

		if (s->action == DEPLOY_UNCHANGED)
			continue;
		if (!strcmp(s->kind, "role"))
			r = exec_role(a, p, s);
		else if (!strcmp(s->kind, "function"))
			r = exec_function(a, o, p, i);
		else if (!strcmp(s->kind, "version") && !(r = exec_version(a, o, p, s)))
			published = s->version;
		else if (!strcmp(s->kind, "alias"))
			r = exec_alias(a, o, p, s, published);
		else if (!strcmp(s->kind, "url"))
			r = exec_url(a, o, p, s);
		else
			r = exec_layer(a, o, p, s);
		if (r)
			return -1;
	}
	return 0;
}

/* ---- several regions at once ---- */

struct region_job {
	struct aws *a;
	struct deploy_opts o;
	int dry_run;
	struct deploy_plan *plan;
	int joined; /* ran on the calling thread: nothing to join */
	int r;
};

static void *region_thread(void *arg)
{
	struct region_job *j = arg;

	j->r = deploy_plan_make(j->a, &j->o, j->plan);
	if (!j->r && !j->dry_run)
		j->r = deploy_plan_execute(j->a, &j->o, j->plan);
	return NULL;
}

size_t deploy_regions(struct aws *awss, const char *const *regions, size_t n, const struct deploy_opts *o,
		      int dry_run, struct deploy_plan *plans)
{
	struct region_job *jobs = xcalloc(n ? n : 1, sizeof(*jobs));
	pthread_t *threads = xcalloc(n ? n : 1, sizeof(*threads));
	size_t failures = 0;

	for (size_t i = 0; i < n; i++) {
		jobs[i].a = &awss[i];
		jobs[i].o = *o;
		jobs[i].o.region = regions[i];
		jobs[i].o.quiet_progress = o->quiet_progress || n > 1;
		jobs[i].dry_run = dry_run;
		jobs[i].plan = &plans[i];
		memset(&plans[i], 0, sizeof(plans[i]));
		/* one region needs no thread; if a thread cannot be had, the region runs here */
		if (n == 1 || pthread_create(&threads[i], NULL, region_thread, &jobs[i])) {
			region_thread(&jobs[i]);
			jobs[i].joined = 1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!jobs[i].joined)
			pthread_join(threads[i], NULL);
		failures += jobs[i].r != 0;
	}
	free(jobs);
	free(threads);
	return failures;
}
