/*
 * Carrying out a deploy's plan in one region: each write, then the wait
 * Lambda needs after it, a write refused for a passing reason (an update in
 * progress, a role IAM has not yet handed to Lambda) tried again, and what
 * was done marked on the plan's steps.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "aws/iam.h"
#include "aws/s3.h"
#include "core/clock.h"
#include "core/interrupt.h"
#include "core/wait.h"
#include "core/xalloc.h"
#include "deploy/internal.h"

/* The code of a step: its zip uploaded directly, or put in S3 (unless already there) and named. */
/*
 * The zips this process has put in S3 (or found there): "REGION BUCKET KEY".
 * The functions of a project share one zip; their lanes upload it once,
 * the first holding the lock while the others wait for it.
 */
static pthread_mutex_t s3_lock = PTHREAD_MUTEX_INITIALIZER;
static struct strlist s3_there = STRLIST_INIT;

static int step_code(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, const struct deploy_step *s,
		     struct lambda_code *code, struct buf *key, struct buf *label)
{
	memset(code, 0, sizeof(*code));
	buf_reset(label);
	buf_addf(label, "%s %s", deploy_kinds[s->kind].words, s->name);
	code->progress_label = o->quiet_progress ? NULL : label->ptr;
	if (!s->via_s3) {
		code->zip_path = s->art->path;
		return 0;
	}
	{
		struct buf where = BUF_INIT;
		uint64_t size;
		int exists, r = 0;

		buf_reset(key);
		buf_addf(key, "blambda/%s.zip", s->art->sha256);
		buf_addf(&where, "%s %s %s", p->region, o->s3_bucket, key->ptr);
		pthread_mutex_lock(&s3_lock);
		if (!strlist_has(&s3_there, where.ptr)) {
			if (s3_head_object(a, p->region, o->s3_bucket, key->ptr, &exists, &size, &p->err)) {
				r = deploy_failed(p, "look for s3://%s/%s", o->s3_bucket, key->ptr);
			} else if (!exists || size != s->art->size) {
				p->writes++;
				if (s3_put_object(a, p->region, o->s3_bucket, key->ptr, s->art->path, s->art->sha256,
						  s->art->size, code->progress_label, &p->err))
					r = deploy_failed(p, "upload '%s' to s3://%s/%s", s->art->path, o->s3_bucket, key->ptr);
			}
			if (!r)
				strlist_add(&s3_there, where.ptr);
		}
		pthread_mutex_unlock(&s3_lock);
		buf_release(&where);
		if (r)
			return r;
	}
	code->s3_bucket = o->s3_bucket;
	code->s3_key = key->ptr;
	return 0;
}

/* Who may use the layer version: layers.share's entries granted, blambda's statements no longer wanted taken back */
static int exec_share(struct aws *a, struct deploy_plan *p, struct deploy_step *s)
{
	struct buf sid = BUF_INIT;
	int r = 0;

	for (size_t i = 0; !r && i < s->share_add.nr; i++) {
		const char *e = s->share_add.items[i];
		int org = !strncmp(e, "o-", 2);

		buf_reset(&sid);
		deploy_share_sid(e, &sid);
		p->writes++;
		if (lambda_add_layer_permission(a, p->region, s->name, s->version, sid.ptr, org ? "*" : e, org ? e : NULL,
						&p->err))
			r = deploy_failed(p, "share %s '%s' version %ld with %s", deploy_kinds[s->kind].words, s->name,
					  s->version, e);
	}
	for (size_t i = 0; !r && i < s->share_remove.nr; i++) {
		p->writes++;
		if (lambda_remove_layer_permission(a, p->region, s->name, s->version, s->share_remove.items[i], &p->err))
			r = deploy_failed(p, "stop sharing %s '%s' version %ld", deploy_kinds[s->kind].words, s->name,
					  s->version);
	}
	buf_release(&sid);
	return r;
}

static int exec_layer(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, struct deploy_step *s)
{
	struct buf key = BUF_INIT, label = BUF_INIT, desc = BUF_INIT;
	struct lambda_layer_version v = { 0 };
	struct lambda_code code;
	int r = -1;

	if (s->action == DEPLOY_UPDATE) { /* the same version: who may use it changes */
		r = exec_share(a, p, s);
		s->done = !r;
		return r;
	}
	if (step_code(a, o, p, s, &code, &key, &label))
		goto out;
	if (s->kind == DEPLOY_RUNTIME_LAYER)
		buf_addf(&desc, "blambda %s runtime layer: Babashka %s (%s)", BLAMBDA_VERSION,
			 config_str(o->cfg, CFG_BABASHKA_VERSION), s->art->arch);
	else
		buf_addf(&desc, "blambda %s deps layer (%s)", BLAMBDA_VERSION, s->art->arch);
	p->writes++;
	if (lambda_publish_layer_version(a, p->region, s->name, desc.ptr, s->art->arch, &code, &v, &p->err)) {
		deploy_failed(p, "publish %s '%s'", deploy_kinds[s->kind].words, s->name);
		goto out;
	}
	deploy_set_str(&s->arn, v.version_arn);
	deploy_set_str(&s->code_sha256, v.code_sha256);
	s->version = v.version;
	if (exec_share(a, p, s))
		goto out;
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
	struct kvlist tags = KVLIST_INIT;
	struct iam_role role = { 0 };
	int r = -1;

	if (s->action == DEPLOY_CREATE) {
		kvlist_add(&tags, DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE);
		if (s->record)
			kvlist_add(&tags, DEPLOY_POLICIES_TAG_KEY, s->record);
		p->writes++;
		r = iam_create_role(a, s->name, iam_lambda_trust_policy, "Execution role made by blambda", &tags, &role,
				    &p->err);
		/* made already by an attempt whose answer was lost (a retry after a dropped connection) */
		if (r == 1 && error_is(&p->err, "EntityAlreadyExists")) {
			error_release(&p->err);
			r = iam_get_role(a, s->name, &role, &p->err);
			/* made meanwhile by someone else: not ours to use */
			if (!r && !deploy_is_ours(&role.tags)) {
				r = deploy_not_ours(p, 1, s->name, role.arn, &role.tags);
				goto out;
			}
		}
		if (r) {
			r = -1;
			deploy_failed(p, "create role '%s'", s->name);
			goto out;
		}
		deploy_set_str(&s->arn, role.arn);
	}
	for (size_t i = 0; i < s->attach.nr; i++) {
		p->writes++;
		if (iam_attach_role_policy(a, s->name, s->attach.items[i], &p->err)) {
			r = -1;
			deploy_failed(p, "attach %s to role '%s'", strrchr(s->attach.items[i], '/') + 1, s->name);
			goto out;
		}
	}
	if (s->inline_policy || s->inline_delete) {
		p->writes++;
		r = s->inline_policy ? iam_put_role_policy(a, s->name, DEPLOY_INLINE_POLICY, s->inline_policy, &p->err)
				     : iam_delete_role_policy(a, s->name, DEPLOY_INLINE_POLICY, &p->err);
		if (r == 1 && !s->inline_policy && error_is(&p->err, "NoSuchEntity")) { /* deleted meanwhile */
			error_release(&p->err);
			r = 0;
		}
		if (r) {
			r = -1;
			deploy_failed(p, "%s the inline policy of role '%s'", s->inline_policy ? "put" : "delete", s->name);
			goto out;
		}
	}
	for (size_t i = 0; i < s->detach.nr; i++) {
		p->writes++;
		r = iam_detach_role_policy(a, s->name, s->detach.items[i], &p->err);
		if (r == 1 && error_is(&p->err, "NoSuchEntity")) { /* detached meanwhile */
			error_release(&p->err);
			r = 0;
		}
		if (r) {
			r = -1;
			deploy_failed(p, "detach %s from role '%s'", strrchr(s->detach.items[i], '/') + 1, s->name);
			goto out;
		}
	}
	/* the record last: a run cut short leaves it naming what may still be there */
	if (s->record && s->action != DEPLOY_CREATE) {
		p->writes++;
		if (iam_tag_role(a, s->name, DEPLOY_POLICIES_TAG_KEY, s->record, &p->err)) {
			r = -1;
			deploy_failed(p, "tag role '%s'", s->name);
			goto out;
		}
	}
	s->done = 1;
	r = 0;
out:
	iam_role_release(&role);
	kvlist_clear(&tags);
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
		deploy_failed(p, "wait for %s", label.ptr);
	if (out && !r) {
		*out = w.f;
		memset(&w.f, 0, sizeof(w.f));
	}
	lambda_function_release(&w.f);
	buf_release(&label);
	return r ? -1 : 0;
}

/*
 * A write to a function, tried again while Lambda refuses it for a passing
 * reason: another update in progress (409), or, after a role was just made
 * or given a policy, "cannot be assumed by Lambda" or "does not have
 * permissions" (IAM takes seconds to reach Lambda).
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
	struct lambda_function seen; /* the function as the last wait saw it, once its writes were done */
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
		       (c->role_new && c->p->err.message && (strstr(c->p->err.message, "cannot be assumed by Lambda") ||
							      strstr(c->p->err.message, "does not have permissions"))))) {
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
	return lambda_update_code(c->a, c->p->region, c->name, c->settings->architecture, c->settings->revision_id,
				  c->code, &c->out, &c->p->err);
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
	return r ? deploy_failed(c->p, "%s", what) : 0;
}

/*
 * One update of the function (code or configuration), retried while Lambda
 * is busy with the last, then waited for until it is in effect.
 */
static int update_function(struct conflict_retry *c, struct deploy_step *s, enum deploy_write w,
			   int (*attempt)(struct conflict_retry *), double timeout_s, const char *part)
{
	struct buf what = BUF_INIT;
	int r;

	struct lambda_function now = { 0 };

	buf_addf(&what, "update the %s of function '%s'", part, s->name);
	r = run_write(c, attempt, timeout_s, what.ptr) ? -1 : 0;
	if (!r && wait_function(c->a, c->o, c->p, s->name, 0, &now)) {
		/* sent, not seen in effect yet (a stop asked during the wait): it is written all the same */
		s->written |= w;
		r = -1;
	}
	if (!r) {
		s->written |= w;
		/* the revision it is at after our own write: the next write is made at it */
		deploy_set_str(&s->revision_id, now.revision_id ? now.revision_id : c->out.revision_id);
		lambda_function_release(&c->seen);
		c->seen = now;
		memset(&now, 0, sizeof(now));
	}
	lambda_function_release(&now);
	buf_release(&what);
	return r;
}

/* The reserved concurrency as blambda.yml says (none: the reservation deleted) */
static int set_concurrency(struct aws *a, struct deploy_plan *p, struct deploy_step *s, const struct lambda_settings *want)
{
	p->writes++;
	if (lambda_set_concurrency(a, p->region, s->name, want->reserve ? want->reserved_concurrency : -1, &p->err))
		return deploy_failed(p, "set the reserved concurrency of function '%s'", s->name);
	s->written |= DEPLOY_WRITE_CONCURRENCY;
	return 0;
}

static int create_function(struct conflict_retry *c, struct deploy_step *s)
{
	struct buf what = BUF_INIT;
	int r = -1;

	buf_addf(&what, "create function '%s'", s->name);
	/* IAM makes a new role usable by Lambda within seconds; wait up to two minutes */
	c->role_new = 1;
	if (run_write(c, attempt_create, DEPLOY_ROLE_WAIT_S, what.ptr))
		goto out;
	if (c->exists) {
		/* it was there after all: ours (an attempt whose answer was lost) is brought to what blambda.yml says */
		struct lambda_function f = { 0 };
		int bad = lambda_get_function(c->a, c->p->region, s->name, &f, &c->p->err) ?
			  deploy_failed(c->p, "read function '%s'", s->name) :
			  !deploy_is_ours(&f.tags) ? deploy_not_ours(c->p, 0, s->name, f.arn, &f.tags) : 0;

		lambda_function_release(&f);
		if (bad)
			goto out;
		s->writes |= DEPLOY_WRITE_CODE | DEPLOY_WRITE_CONFIG | DEPLOY_WRITE_TAGS;
	} else {
		s->written |= DEPLOY_WRITE_CREATE;
		if (wait_function(c->a, c->o, c->p, s->name, 1, &c->seen))
			goto out;
	}
	r = 0;
out:
	buf_release(&what);
	return r;
}

/*
 * Tag the function as it is now, and note its ARN, state and code: as the
 * wait after the last write saw it (`seen`, taken), or read when none did.
 */
static int finish_function(struct aws *a, struct deploy_plan *p, struct deploy_step *s, const struct kvlist *want,
			   struct lambda_function *seen, int code_only)
{
	struct kvlist own = KVLIST_INIT;
	const struct kvlist *tags = want;
	struct lambda_function final = { 0 };
	int r = -1;

	if (seen->arn) {
		final = *seen;
		memset(seen, 0, sizeof(*seen));
	} else if (lambda_get_function(a, p->region, s->name, &final, &p->err)) {
		deploy_failed(p, "read function '%s'", s->name);
		goto out;
	}
	if (code_only) {
		/* blambda's own records alone: the user's tags are neither written back as read nor taken off */
		for (size_t i = 0; i < want->nr; i++)
			if (!strncmp(want->items[i].key, "blambda:", 8))
				kvlist_add(&own, want->items[i].key, want->items[i].value);
		tags = &own;
	}
	if (s->writes & DEPLOY_WRITE_TAGS) {
		struct strlist gone = STRLIST_INIT;

		if (!code_only)
			deploy_tags_removed(&final.tags, tags, &gone);
		p->writes++;
		if (lambda_tag_resource(a, p->region, final.arn, tags, &p->err)) {
			strlist_clear(&gone);
			deploy_failed(p, "tag function '%s'", s->name);
			goto out;
		}
		/* the keys blambda set that blambda.yml no longer has */
		for (size_t i = 0; i < gone.nr; i++) {
			p->writes++;
			if (lambda_untag_resource(a, p->region, final.arn, gone.items[i], &p->err)) {
				deploy_failed(p, "remove tag '%s' from function '%s'", gone.items[i], s->name);
				strlist_clear(&gone);
				goto out;
			}
		}
		strlist_clear(&gone);
	}
	deploy_set_str(&s->arn, final.arn);
	deploy_set_str(&s->state, final.state);
	deploy_set_str(&s->code_sha256, final.code_sha256);
	s->done = 1;
	r = 0;
out:
	lambda_function_release(&final);
	kvlist_clear(&own);
	return r;
}

static int exec_function(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, size_t fs)
{
	struct deploy_step *s = &p->steps[fs];
	const struct deploy_step *role = s->role >= 0 ? &p->steps[s->role] : NULL;
	struct strlist layers = STRLIST_INIT;
	struct kvlist tags = KVLIST_INIT;
	struct buf key = BUF_INIT, label = BUF_INIT, rw = BUF_INIT;
	struct conflict_retry c;
	struct lambda_settings want;
	struct lambda_code code = { 0 };
	int r = -1;

	memset(&c, 0, sizeof(c));
	deploy_desired_settings(o, p, fs, &want, &layers, &tags);
	c.a = a;
	c.o = o;
	c.p = p;
	c.name = s->name;
	c.settings = &want;
	c.code = &code;
	/* a role made, or given a policy, in this run: IAM takes seconds to tell Lambda */
	c.role_new = role && (role->action == DEPLOY_CREATE || role->attach.nr);
	if (c.role_new) {
		buf_addf(&rw, "IAM to let Lambda assume role '%s'", role->name);
		c.label = rw.ptr;
	}
	if ((s->action == DEPLOY_CREATE || s->writes & DEPLOY_WRITE_CODE) && step_code(a, o, p, s, &code, &key, &label))
		goto out;
	if (s->action == DEPLOY_CREATE && create_function(&c, s))
		goto out;
	want.revision_id = s->revision_id; /* the one the plan read: nobody else's update is overwritten */
	if (s->writes & DEPLOY_WRITE_CODE &&
	    update_function(&c, s, DEPLOY_WRITE_CODE, attempt_code, DEPLOY_WAIT_S, "code"))
		goto out;
	want.revision_id = s->revision_id;
	if (s->writes & DEPLOY_WRITE_CONFIG &&
	    update_function(&c, s, DEPLOY_WRITE_CONFIG, attempt_config, c.role_new ? DEPLOY_ROLE_WAIT_S : DEPLOY_WAIT_S,
			    "configuration"))
		goto out;
	if (((s->action == DEPLOY_CREATE && want.reserve) || s->writes & DEPLOY_WRITE_CONCURRENCY) &&
	    set_concurrency(a, p, s, &want))
		goto out;
	/* what the function looks like now (its ARN for tagging, if it was not known) */
	r = finish_function(a, p, s, &tags, &c.seen, o->code_only && s->action != DEPLOY_CREATE);
out:
	lambda_function_release(&c.out);
	lambda_function_release(&c.seen);
	error_release(&c.last);
	strlist_clear(&layers);
	kvlist_clear(&tags);
	buf_release(&key);
	buf_release(&label);
	buf_release(&rw);
	return r;
}

static int exec_version(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, struct deploy_step *s)
{
	const char *name = config_str(&o->fns[s->fn], CFG_FUNCTION_NAME);
	const struct deploy_step *fs = deploy_function_step(p, s->fn);
	struct buf what = BUF_INIT;
	char *arn = NULL;
	int r;

	/* what the version holds, for 'blambda versions' and the console: the code's digest, the commit */
	buf_addf(&what, "blambda: code %s", fs && fs->code_sha256 ? fs->code_sha256 : "?");
	if (o->git_commit)
		buf_addf(&what, ", git %.12s", o->git_commit);
	p->writes++;
	r = lambda_publish_version(a, p->region, name, what.ptr, &s->version, &arn, &p->err);
	buf_release(&what);
	if (r) {
		free(arn);
		return deploy_failed(p, "publish a version of function '%s'", name);
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
		return deploy_failed(p, "%s alias '%s' of function '%s'", s->action == DEPLOY_CREATE ? "create" : "update",
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

	const struct deploy_step *fs = deploy_function_step(p, s->fn);

	deploy_wanted_url(f, &want);
	p->writes++;
	if (s->action == DEPLOY_DELETE) {
		if (lambda_delete_url(a, p->region, name, &p->err))
			return deploy_failed(p, "delete the URL of function '%s'", name);
		p->writes++;
		if (lambda_remove_permission(a, p->region, name, DEPLOY_URL_STATEMENT, &p->err))
			return deploy_failed(p, "remove the public permission of function '%s'", name);
		/* the mark goes with the URL: one made by hand later is not blambda's to delete */
		p->writes++;
		if (fs && fs->arn && lambda_untag_resource(a, p->region, fs->arn, DEPLOY_URL_TAG_KEY, &p->err))
			return deploy_failed(p, "untag function '%s'", name);
		s->done = 1;
		return 0;
	}
	if (lambda_put_url(a, p->region, name, &want, s->action == DEPLOY_CREATE, &url, &p->err)) {
		free(url);
		return deploy_failed(p, "%s the URL of function '%s'", s->action == DEPLOY_CREATE ? "create" : "update", name);
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
			return deploy_failed(p, "tag function '%s'", name);
	}
	/* a public URL needs everyone allowed to call it; a signed one must not keep that */
	p->writes++;
	if (!strcmp(want.auth, "NONE") ? lambda_allow_public_url(a, p->region, name, DEPLOY_URL_STATEMENT, &p->err)
				      : lambda_remove_permission(a, p->region, name, DEPLOY_URL_STATEMENT, &p->err))
		return deploy_failed(p, "set who may call the URL of function '%s'", name);
	s->done = 1;
	return 0;
}

/*
 * A function's lane: its step and the version, alias and URL steps after
 * it, in order, on a view of the plan of its own (the steps shared, the
 * failure and the count of writes its own).
 */
struct lane {
	size_t first, end;       /* the steps [first, end) */
	size_t fn;               /* the function's step, where the lane's failure is kept */
	struct deploy_plan view;
};

/* A schedule's target is the function as its step knows it now (made in this lane, maybe) */
static int exec_schedule(struct aws *a, struct deploy_plan *p, size_t fs, struct deploy_step *s)
{
	const struct deploy_step *f = &p->steps[fs];

	if (!f->arn && s->action != DEPLOY_DELETE) {
		aws_error_set(&p->err, "Internal", "the ARN of function '%s' is not known", f->name);
		return deploy_failed(p, "deploy schedule '%s'", s->name);
	}
	return deploy_exec_schedule(a, p, f->name, f->arn, s);
}

/* blambda's records on the function as they are once its lane is done: what went is forgotten last */
static int write_records(struct aws *a, struct deploy_plan *p, struct deploy_step *f)
{
	struct kvlist set = KVLIST_INIT;
	int r = 0;

	for (size_t i = 0; !r && i < f->records_after.nr; i++) {
		const struct kv *e = &f->records_after.items[i];

		if (*e->value) {
			kvlist_add(&set, e->key, e->value);
			continue;
		}
		p->writes++;
		r = lambda_untag_resource(a, p->region, f->arn, e->key, &p->err);
	}
	if (!r && set.nr) {
		p->writes++;
		r = lambda_tag_resource(a, p->region, f->arn, &set, &p->err);
	}
	kvlist_clear(&set);
	return r ? deploy_failed(p, "tag function '%s'", f->name) : 0;
}

/* "creating", "updating", "publishing", "deleting": a step as it begins */
static const char *doing(enum deploy_action a)
{
	switch (a) {
	case DEPLOY_CREATE: return "creating";
	case DEPLOY_UPDATE: return "updating";
	case DEPLOY_PUBLISH: return "publishing";
	case DEPLOY_DELETE: return "deleting";
	default: return "checking";
	}
}

/*
 * A step begins: said to the observer (not with several at once: their
 * display is the lanes' own), unless a stop was asked for, which ends the
 * deploy here, before the step's first write. Its start time, or -1.
 */
static double step_begin(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, const struct deploy_step *s)
{
	if (interrupt_requested()) {
		deploy_interrupted(&p->err);
		return deploy_failed(p, "%s %s '%s'", deploy_action_name(s->action, 1), deploy_kinds[s->kind].words,
				     s->name);
	}
	if (o->quiet_progress)
		;
	else if (s->kind == DEPLOY_VERSION)
		observe_step(a->obs, STEP_BEGIN, 0, "publishing a version of function '%s'", s->name);
	else
		observe_step(a->obs, STEP_BEGIN, 0, "%s %s '%s'", doing(s->action), deploy_kinds[s->kind].words, s->name);
	return clock_seconds();
}

/* The step begun at `start` ends: r is its result, passed on */
static int step_end(struct aws *a, const struct deploy_opts *o, const struct deploy_step *s, double start, int r)
{
	if (o->quiet_progress)
		;
	else if (s->kind == DEPLOY_VERSION)
		observe_step(a->obs, STEP_END, clock_seconds() - start, "a version of function '%s': %s", s->name,
			     r ? "failed" : "published");
	else
		observe_step(a->obs, STEP_END, clock_seconds() - start, "%s '%s': %s", deploy_kinds[s->kind].words, s->name,
			     r ? "failed" : deploy_action_name(s->action, 0));
	return r;
}

static int exec_lane(struct aws *a, const struct deploy_opts *o, struct lane *l)
{
	struct deploy_plan *p = &l->view;
	long published = 0;

	for (size_t i = l->first; i < l->end; i++) {
		struct deploy_step *s = &p->steps[i];
		int r = 0;

		if (s->kind == DEPLOY_VERSION && s->action == DEPLOY_UNCHANGED)
			published = s->version; /* the newest holds it all: the alias follows it */
		double start;

		if (s->action == DEPLOY_UNCHANGED)
			continue;
		if ((start = step_begin(a, o, p, s)) < 0)
			return -1;
		if (s->kind == DEPLOY_ROLE)
			r = exec_role(a, p, s);
		else if (s->kind == DEPLOY_FUNCTION)
			r = exec_function(a, o, p, i);
		else if (s->kind == DEPLOY_VERSION && !(r = exec_version(a, o, p, s)))
			published = s->version;
		else if (s->kind == DEPLOY_ALIAS)
			r = exec_alias(a, o, p, s, published);
		else if (s->kind == DEPLOY_URL)
			r = exec_url(a, o, p, s);
		else if (s->kind == DEPLOY_SCHEDULE)
			r = exec_schedule(a, p, l->fn, s);
		else if (s->kind == DEPLOY_MAPPING)
			r = deploy_exec_mapping(a, o, p, p->steps[l->fn].name, s);
		else if (s->kind == DEPLOY_ASYNC)
			r = deploy_exec_async(a, o, p, s);
		else if (s->kind == DEPLOY_LOG_GROUP)
			r = deploy_exec_log_group(a, p, s);
		else if (s->kind == DEPLOY_ROUTES)
			r = deploy_exec_routes(a, p, &p->steps[l->fn], s);
		else if (s->kind == DEPLOY_S3)
			r = deploy_exec_s3(a, o, p, &p->steps[l->fn], s);
		if (step_end(a, o, s, start, r))
			return -1;
	}
	return write_records(a, p, &p->steps[l->fn]);
}

struct lanes {
	struct lane *lane;
	const struct deploy_opts *o;
	const struct observer *obs; /* one display for all the lanes: its wait line, or a note as each ends */
	int notes;                  /* a note as each ends: no line is drawn (off a terminal, several regions) */
	double start;
};

/* A lane that had something to do (a note says it is done), or failed */
static int lane_acted(const struct lane *l)
{
	if (l->view.failed)
		return 1;
	for (size_t i = l->first; i < l->end; i++)
		if (l->view.steps[i].action != DEPLOY_UNCHANGED)
			return 1;
	return 0;
}

static void lane_work(struct aws *a, void *ctx, size_t i)
{
	struct lanes *l = ctx;
	const struct deploy_step *fs = &l->lane[i].view.steps[l->lane[i].fn];

	exec_lane(a, l->o, &l->lane[i]);
	if (l->notes && lane_acted(&l->lane[i]))
		observe_note(l->obs, NOTE_INFO, "%s: function '%s': %s", l->lane[i].view.region, fs->name,
			     l->lane[i].view.failed ? "failed" : "done");
}

static void lanes_tick(void *ctx, size_t finished, size_t n)
{
	struct lanes *l = ctx;
	char label[96];

	if (!l->obs || l->notes)
		return;
	if (finished >= n) {
		observe_wait(l->obs, "", -1);
		return;
	}
	snprintf(label, sizeof(label), "%zu of %zu functions (%zu done)", n - finished, n, finished);
	observe_wait(l->obs, label, clock_seconds() - l->start);
}

/*
 * Every lane, `jobs` at a time; several at once draw one display for all
 * (each lane's own spinners would overwrite each other).
 */
static void run_lanes(struct aws *a, const struct deploy_opts *o, struct lane *lane, size_t n, size_t jobs)
{
	struct deploy_opts quiet = *o;
	struct lanes l = { lane, o, NULL, 0, clock_seconds() };

	if (n > 1 && jobs > 1) {
		quiet.quiet_progress = 1;
		l.o = &quiet;
		l.obs = a->obs;
		l.notes = a->obs && (o->quiet_progress || !a->obs->draws); /* several regions, or off a terminal */
	}
	deploy_pool(a, n, jobs, lane_work, &l, lanes_tick);
}

/* Each lane's failure onto its function step, its writes onto the plan; the first failure is the plan's too */
static void gather_lanes(struct deploy_plan *p, struct lane *lane, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct deploy_plan *v = &lane[i].view;
		struct deploy_step *fs = &p->steps[lane[i].fn];

		p->writes += v->writes;
		if (!v->failed)
			continue;
		p->functions_failed++;
		if (!p->failed) {
			p->failed = xstrdup(v->failed);
			error_copy(&p->err, &v->err);
		}
		fs->failed = v->failed;
		error_move(&fs->err, &v->err);
	}
}

/* A function's lane starts at its role's step (when blambda makes one) or else at its own step */
static int starts_lane(const struct deploy_plan *p, size_t i)
{
	const struct deploy_step *s = &p->steps[i];

	return s->kind == DEPLOY_ROLE || (s->kind == DEPLOY_FUNCTION && !(i && p->steps[i - 1].kind == DEPLOY_ROLE));
}

/* The lanes of the steps from `from` on: each up to where the next begins */
static struct lane *make_lanes(struct deploy_plan *p, size_t from, size_t *n)
{
	struct lane *lane = xcalloc(p->nr ? p->nr : 1, sizeof(*lane));

	*n = 0;
	for (size_t i = from; i < p->nr; i++) {
		if (!starts_lane(p, i))
			continue;
		if (*n)
			lane[*n - 1].end = i;
		lane[*n].first = lane[*n].fn = i;
		lane[*n].end = p->nr;
		lane[*n].view.region = p->region;
		lane[*n].view.steps = p->steps;
		lane[*n].view.nr = p->nr;
		++*n;
	}
	for (size_t l = 0; l < *n; l++)
		while (lane[l].fn + 1 < lane[l].end && p->steps[lane[l].fn].kind != DEPLOY_FUNCTION)
			lane[l].fn++;
	return lane;
}

int deploy_plan_execute(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p)
{
	struct lane *lane;
	double start;
	size_t i, n;

	/* the layers first: every function needs them */
	for (i = 0; i < p->nr && (p->steps[i].kind == DEPLOY_RUNTIME_LAYER || p->steps[i].kind == DEPLOY_DEPS_LAYER); i++)
		if (p->steps[i].action != DEPLOY_UNCHANGED &&
		    ((start = step_begin(a, o, p, &p->steps[i])) < 0 ||
		     step_end(a, o, &p->steps[i], start, exec_layer(a, o, p, &p->steps[i]))))
			return -1;
	/* the HTTP API next: the functions' routes go on it */
	for (; i < p->nr && p->steps[i].kind == DEPLOY_HTTP_API; i++)
		if (p->steps[i].action != DEPLOY_UNCHANGED &&
		    ((start = step_begin(a, o, p, &p->steps[i])) < 0 ||
		     step_end(a, o, &p->steps[i], start, deploy_exec_http_api(a, p, &p->steps[i]))))
			return -1;
	lane = make_lanes(p, i, &n);
	run_lanes(a, o, lane, n, o->jobs ? (size_t)o->jobs : DEPLOY_JOBS_DEFAULT);
	gather_lanes(p, lane, n);
	free(lane);
	return p->failed ? -1 : 0;
}
