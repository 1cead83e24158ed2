/*
 * What differs between a function as Lambda holds it and as blambda.yml
 * wants it: a pure function of the two, so that the planner's decisions
 * are tested without AWS (tests/unit/test_deploy.c).
 */
#include <string.h>

#include "core/hash.h"
#include "deploy/internal.h"

static int same_str(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* The same keys with the same values, in any order. */
static int same_map(const struct kvlist *want, const struct kvlist *have)
{
	if (want->nr != have->nr)
		return 0;
	for (size_t i = 0; i < want->nr; i++)
		if (!kvlist_get(have, want->items[i].key) ||
		    !same_str(kvlist_get(have, want->items[i].key), want->items[i].value))
			return 0;
	return 1;
}

void deploy_environment_changes(const struct kvlist *have, const struct kvlist *want, struct strlist *out)
{
	for (size_t i = 0; i < want->nr; i++) {
		const char *v = kvlist_get(have, want->items[i].key);

		if (!v || strcmp(v, want->items[i].value))
			strlist_add_owned(out, buf_fmt("environment %s %s", want->items[i].key, v ? "changed" : "added"));
	}
	for (size_t i = 0; i < have->nr; i++)
		if (!kvlist_get(want, have->items[i].key))
			strlist_add_owned(out, buf_fmt("environment %s removed", have->items[i].key));
}

const char *deploy_tracing_mode(const char *setting)
{
	return setting && !strcmp(setting, "active") ? "Active" : "PassThrough";
}

/* The settings a digest covers beyond the first ones, each as the function has it or is to have it */
struct more_settings {
	const char *tracing;
	long ephemeral_storage;
	const struct strlist *subnets, *security_groups;
};

/*
 * The settings as one text, the same whether read from Lambda or about to be
 * written. Those added later go in only when not Lambda's default, so that a
 * function deployed before they were covered keeps its digest.
 */
static void settings_text(const char *runtime, const char *handler, const char *role, const char *arch,
			  const char *description, long memory, long timeout, const struct kvlist *env,
			  const struct strlist *layers, const struct more_settings *m, struct buf *out)
{
	struct strlist keys = STRLIST_INIT;

	buf_addf(out, "%s\n%s\n%s\n%s\n%s\n%ld\n%ld\n", runtime ? runtime : "", handler ? handler : "",
		 role ? role : "", arch ? arch : "x86_64", description ? description : "", memory, timeout);
	for (size_t i = 0; env && i < env->nr; i++)
		strlist_add(&keys, env->items[i].key);
	strlist_sort(&keys);
	for (size_t i = 0; i < keys.nr; i++)
		buf_addf(out, "env %s=%s\n", keys.items[i], kvlist_get(env, keys.items[i]));
	for (size_t i = 0; layers && i < layers->nr; i++)
		buf_addf(out, "layer %s\n", layers->items[i]);
	if (m->tracing && strcmp(m->tracing, "PassThrough"))
		buf_addf(out, "tracing %s\n", m->tracing);
	if (m->ephemeral_storage && m->ephemeral_storage != 512)
		buf_addf(out, "ephemeral-storage %ld\n", m->ephemeral_storage);
	for (int k = 0; k < 2; k++) { /* sets: sorted */
		const struct strlist *l = k ? m->security_groups : m->subnets;
		struct strlist sorted = STRLIST_INIT;

		for (size_t i = 0; l && i < l->nr; i++)
			strlist_add(&sorted, l->items[i]);
		strlist_sort(&sorted);
		for (size_t i = 0; i < sorted.nr; i++)
			buf_addf(out, "%s %s\n", k ? "security-group" : "subnet", sorted.items[i]);
		strlist_clear(&sorted);
	}
	strlist_clear(&keys);
}

static void digest_of(struct buf *text, char out[DEPLOY_SETTINGS_DIGEST_LEN + 1])
{
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex(text->ptr, text->len, hex);
	memcpy(out, hex, DEPLOY_SETTINGS_DIGEST_LEN);
	out[DEPLOY_SETTINGS_DIGEST_LEN] = '\0';
	buf_release(text);
}

void deploy_settings_digest_have(const struct lambda_function *f, char out[DEPLOY_SETTINGS_DIGEST_LEN + 1])
{
	struct buf t = BUF_INIT;

	struct more_settings m = { f->tracing, f->ephemeral_storage, &f->subnets, &f->security_groups };

	settings_text(f->runtime, f->handler, f->role, f->architecture, f->description, f->memory, f->timeout,
		      &f->environment, &f->layers, &m, &t);
	digest_of(&t, out);
}

void deploy_settings_digest_want(const struct lambda_settings *s, char out[DEPLOY_SETTINGS_DIGEST_LEN + 1])
{
	struct buf t = BUF_INIT;

	struct more_settings m = { s->tracing, s->ephemeral_storage, s->subnets, s->security_groups };

	settings_text(s->runtime, s->handler, s->role, s->architecture, s->description, s->memory, s->timeout,
		      s->environment, s->layers, &m, &t);
	digest_of(&t, out);
}

int deploy_changed_outside(const struct lambda_function *f)
{
	const char *recorded = kvlist_get(&f->tags, DEPLOY_SETTINGS_TAG_KEY);
	char now[DEPLOY_SETTINGS_DIGEST_LEN + 1];

	if (!recorded)
		return 0;
	deploy_settings_digest_have(f, now);
	return strcmp(recorded, now) != 0;
}

static unsigned code_diff(const struct lambda_function *have, const struct lambda_settings *want, const char *code,
			  struct deploy_diff *d)
{
	struct strlist *reasons = &d->code;
	unsigned w = 0;

	if (!same_str(have->code_sha256, code)) {
		w = DEPLOY_WRITE_CODE;
		d->code_changed = 1;
	}
	if (!same_str(have->architecture, want->architecture)) {
		w = DEPLOY_WRITE_CODE;
		strlist_add_owned(reasons, buf_fmt("architecture %s -> %s", have->architecture ? have->architecture : "none",
						   want->architecture));
	}
	return w;
}

static size_t list_size(const struct strlist *l)
{
	return l ? l->nr : 0;
}

/* The same entries, in any order (a VPC's subnets and groups are sets) */
static int same_set(const struct strlist *want, const struct strlist *have)
{
	if (list_size(want) != have->nr)
		return 0;
	for (size_t i = 0; i < have->nr; i++)
		if (!strlist_has(want, have->items[i]))
			return 0;
	return 1;
}

static void vpc_diff(const struct lambda_function *have, const struct lambda_settings *want, struct strlist *reasons)
{
	int had = have->subnets.nr > 0, wants = list_size(want->subnets) > 0;

	if (had && !wants)
		strlist_add(reasons, "vpc removed (the function leaves its VPC)");
	else if (!had && wants)
		strlist_add_owned(reasons, buf_fmt("vpc added (%zu subnets, %zu security groups)", want->subnets->nr,
						   list_size(want->security_groups)));
	else if (had && !same_set(want->subnets, &have->subnets))
		strlist_add(reasons, "vpc subnets changed");
	if (had && wants && !same_set(want->security_groups, &have->security_groups))
		strlist_add(reasons, "vpc security groups changed");
}

static unsigned config_diff(const struct lambda_function *have, const struct lambda_settings *want,
			    struct strlist *reasons)
{
	size_t before = reasons->nr;

	if (!same_str(have->runtime, want->runtime))
		strlist_add_owned(reasons, buf_fmt("runtime %s -> %s", have->runtime ? have->runtime : "none",
						   want->runtime ? want->runtime : "none"));
	if (!same_str(have->handler, want->handler))
		strlist_add_owned(reasons, buf_fmt("handler %s -> %s", have->handler ? have->handler : "none",
						   want->handler ? want->handler : "none"));
	if (!want->role || !same_str(have->role, want->role))
		strlist_add_owned(reasons, buf_fmt("role %s -> %s", have->role ? have->role : "none",
						   want->role ? want->role : "a new one"));
	if (have->memory != want->memory)
		strlist_add_owned(reasons, buf_fmt("memory %ld -> %ld", have->memory, want->memory));
	if (have->timeout != want->timeout)
		strlist_add_owned(reasons, buf_fmt("timeout %ld -> %ld", have->timeout, want->timeout));
	if (!same_str(have->description, want->description))
		strlist_add(reasons, "description changed");
	if (!same_map(want->environment, &have->environment))
		deploy_environment_changes(&have->environment, want->environment, reasons);
	if (!strlist_equal(want->layers, &have->layers)) /* in order: layers are applied in order */
		strlist_add(reasons, "layers changed");
	if (!same_str(have->tracing ? have->tracing : "PassThrough", want->tracing ? want->tracing : "PassThrough"))
		strlist_add_owned(reasons, buf_fmt("tracing %s -> %s", have->tracing ? have->tracing : "PassThrough",
						   want->tracing ? want->tracing : "PassThrough"));
	if ((have->ephemeral_storage ? have->ephemeral_storage : 512) !=
	    (want->ephemeral_storage ? want->ephemeral_storage : 512))
		strlist_add_owned(reasons, buf_fmt("ephemeral storage %ld -> %ld MB",
						   have->ephemeral_storage ? have->ephemeral_storage : 512,
						   want->ephemeral_storage ? want->ephemeral_storage : 512));
	vpc_diff(have, want, reasons);
	return reasons->nr > before ? DEPLOY_WRITE_CONFIG : 0;
}

/*
 * Tags blambda.yml sets (and blambda's own) that the function lacks or holds
 * with another value, and those blambda set before that blambda.yml no
 * longer has.
 */
static unsigned tags_diff(const struct lambda_function *have, const struct lambda_settings *want,
			  struct strlist *reasons)
{
	unsigned w = 0;

	for (size_t i = 0; want->tags && i < want->tags->nr; i++) {
		const char *v = kvlist_get(&have->tags, want->tags->items[i].key);

		if (!v || strcmp(v, want->tags->items[i].value)) {
			w = DEPLOY_WRITE_TAGS;
			/* blambda's own records: no news */
			if (strcmp(want->tags->items[i].key, DEPLOY_TAGS_TAG_KEY) &&
			    strcmp(want->tags->items[i].key, DEPLOY_SETTINGS_TAG_KEY) &&
			    strcmp(want->tags->items[i].key, DEPLOY_EVENTS_TAG_KEY) &&
			    strcmp(want->tags->items[i].key, DEPLOY_ASYNC_TAG_KEY) &&
			    strcmp(want->tags->items[i].key, DEPLOY_RETENTION_TAG_KEY) &&
			    strcmp(want->tags->items[i].key, DEPLOY_HTTP_API_TAG_KEY) &&
			    strcmp(want->tags->items[i].key, DEPLOY_S3_TAG_KEY))
				strlist_add_owned(reasons, buf_fmt("tag %s changed", want->tags->items[i].key));
		}
	}
	if (want->tags) {
		struct strlist gone = STRLIST_INIT;

		deploy_tags_removed(&have->tags, want->tags, &gone);
		for (size_t i = 0; i < gone.nr; i++) {
			w = DEPLOY_WRITE_TAGS;
			if (strcmp(gone.items[i], DEPLOY_TAGS_TAG_KEY))
				strlist_add_owned(reasons, buf_fmt("tag %s removed", gone.items[i]));
		}
		strlist_clear(&gone);
	}
	return w;
}

/* Reserved concurrency is a write of its own (PutFunctionConcurrency), said among the settings */
static unsigned concurrency_diff(const struct lambda_function *have, const struct lambda_settings *want,
				 struct strlist *reasons)
{
	long w = want->reserve ? want->reserved_concurrency : -1, h = have->reserved ? have->reserved_concurrency : -1;
	struct buf from = BUF_INIT, to = BUF_INIT;

	if (w == h)
		return 0;
	if (h >= 0)
		buf_addf(&from, "%ld", h);
	if (w >= 0)
		buf_addf(&to, "%ld", w);
	strlist_add_owned(reasons, buf_fmt("reserved concurrency %s -> %s", h >= 0 ? from.ptr : "none",
					   w >= 0 ? to.ptr : "none"));
	buf_release(&from);
	buf_release(&to);
	return DEPLOY_WRITE_CONCURRENCY;
}

unsigned deploy_function_diff(const struct lambda_function *have, const struct lambda_settings *want,
			      const char *code, struct deploy_diff *d)
{
	return code_diff(have, want, code, d) | config_diff(have, want, &d->settings) |
	       concurrency_diff(have, want, &d->settings) | tags_diff(have, want, &d->tags);
}

void deploy_diff_release(struct deploy_diff *d)
{
	strlist_clear(&d->code);
	strlist_clear(&d->settings);
	strlist_clear(&d->tags);
	d->code_changed = 0;
}

int deploy_layer_arn_named(const char *arn, const char *name)
{
	const char *p = arn ? strstr(arn, ":layer:") : NULL;
	size_t n = name ? strlen(name) : 0;

	return p && n && !strncmp(p + 7, name, n) && p[7 + n] == ':';
}

void deploy_code_only_layers(const struct strlist *have, const char *runtime, const char *runtime_arn,
			     const char *deps, const char *deps_arn, struct strlist *out)
{
	int had_runtime = 0, had_deps = 0;

	for (size_t i = 0; i < have->nr; i++) {
		had_runtime |= deploy_layer_arn_named(have->items[i], runtime);
		had_deps |= deps && deploy_layer_arn_named(have->items[i], deps);
	}
	if (!had_runtime) {
		strlist_add(out, runtime_arn);
		if (deps && !had_deps)
			strlist_add(out, deps_arn);
	}
	for (size_t i = 0; i < have->nr; i++) {
		if (deploy_layer_arn_named(have->items[i], runtime)) {
			strlist_add(out, runtime_arn);
			/* a deps layer missing goes right after the runtime layer, as a full deploy orders them */
			if (deps && !had_deps) {
				strlist_add(out, deps_arn);
				had_deps = 1;
			}
		} else if (deps && deploy_layer_arn_named(have->items[i], deps)) {
			strlist_add(out, deps_arn);
		} else {
			strlist_add(out, have->items[i]);
		}
	}
}
