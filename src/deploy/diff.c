/*
 * What differs between a function as Lambda holds it and as blambda.yml
 * wants it: a pure function of the two, so that the planner's decisions
 * are tested without AWS (tests/unit/test_deploy.c).
 */
#include <string.h>

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

static unsigned code_diff(const struct lambda_function *have, const struct lambda_settings *want, const char *code,
			  struct strlist *reasons)
{
	unsigned w = 0;

	if (!same_str(have->code_sha256, code)) {
		w = DEPLOY_WRITE_CODE;
		strlist_add(reasons, "code changed");
	}
	if (!same_str(have->architecture, want->architecture)) {
		w = DEPLOY_WRITE_CODE;
		strlist_add_owned(reasons, buf_fmt("architecture %s -> %s", have->architecture ? have->architecture : "none",
						   want->architecture));
	}
	return w;
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
		strlist_add(reasons, "environment changed");
	if (!strlist_equal(want->layers, &have->layers)) /* in order: layers are applied in order */
		strlist_add(reasons, "layers changed");
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
			if (strcmp(want->tags->items[i].key, DEPLOY_TAGS_TAG_KEY)) /* blambda's own record: no news */
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

unsigned deploy_function_diff(const struct lambda_function *have, const struct lambda_settings *want,
			      const char *code, struct strlist *reasons)
{
	return code_diff(have, want, code, reasons) | config_diff(have, want, reasons) | tags_diff(have, want, reasons);
}
