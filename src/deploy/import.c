/*
 * blambda import: a function made elsewhere becomes the project's. Its
 * settings go into blambda.yml as an entry of functions: (the file's text
 * is edited, then read back and checked before it may be written), the
 * differences that remain are what the next deploy changes, and the tag
 * comes last, so that a failure leaves nothing half-adopted: rerun, and the
 * function already in blambda.yml only waits for its tag.
 */
#include "deploy/import.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aws/lambda.h"
#include "core/fs.h"
#include "core/xalloc.h"
#include "deploy/deploy.h"
#include "deploy/internal.h"

/* 1 when layer version ARN `arn` is a version of the project's runtime or deps layer */
static int blambdas_layer(const struct config *cfg, const char *arn)
{
	return deploy_layer_arn_named(arn, config_str(cfg, CFG_LAYERS_RUNTIME)) ||
	       deploy_layer_arn_named(arn, config_str(cfg, CFG_LAYERS_DEPS));
}

static void add_list(struct buf *b, const char *key, const struct strlist *l, int indent)
{
	if (!l->nr)
		return;
	buf_addf(b, "%*s%s:\n", indent, "", key);
	for (size_t i = 0; i < l->nr; i++) {
		buf_addf(b, "%*s  - ", indent, "");
		config_yaml_quote(b, l->items[i]);
		buf_addch(b, '\n');
	}
}

/* function.url.* as the function's URL has them */
static void add_url(struct buf *b, const struct lambda_url *u)
{
	buf_adds(b, "url:\n  auth: ");
	config_yaml_quote(b, u->auth ? u->auth : "");
	buf_addch(b, '\n');
	if (!u->origins.nr && !u->methods.nr && !u->headers.nr && !u->max_age && !u->credentials)
		return;
	buf_adds(b, "  cors:\n");
	add_list(b, "allow-origins", &u->origins, 4);
	add_list(b, "allow-methods", &u->methods, 4);
	add_list(b, "allow-headers", &u->headers, 4);
	if (u->max_age)
		buf_addf(b, "    max-age: %ld\n", u->max_age);
	if (u->credentials)
		buf_adds(b, "    allow-credentials: true\n");
}

static void add_scalar(struct buf *b, const char *key, const char *v)
{
	buf_addf(b, "%s: ", key);
	config_yaml_quote(b, v);
	buf_addch(b, '\n');
}

/* The settings of f worth writing, as YAML lines; what cannot be carried over goes to notes. */
/* With `shown`, the entry as it may be printed: the environment's values (secrets, often) left out */
static char *entry_of(const struct config *cfg, const struct lambda_function *f, const struct lambda_url *url,
		      const struct strlist *aliases, int shown, struct strlist *notes)
{
	struct buf b = BUF_INIT, why = BUF_INIT;
	struct strlist layers = STRLIST_INIT;

	if (f->handler && !config_check_handler(NULL, f->handler, &why))
		add_scalar(&b, "handler", f->handler);
	else
		strlist_add_owned(notes, buf_fmt("its handler '%s' is not NAMESPACE/FUNCTION: the project's handler "
						 "takes its place", f->handler ? f->handler : ""));
	buf_addf(&b, "memory: %ld\ntimeout: %ld\n", f->memory, f->timeout);
	if (f->role)
		add_scalar(&b, "role", f->role);
	if (f->description && *f->description)
		add_scalar(&b, "description", f->description);
	if (f->environment.nr)
		buf_adds(&b, "environment:\n");
	for (size_t i = 0; i < f->environment.nr; i++) {
		buf_adds(&b, "  ");
		config_yaml_quote(&b, f->environment.items[i].key);
		buf_adds(&b, ": ");
		if (shown)
			buf_adds(&b, "(its value, not shown)");
		else
			config_yaml_quote(&b, f->environment.items[i].value);
		buf_addch(&b, '\n');
	}
	if (f->tracing && !strcmp(f->tracing, "Active"))
		buf_adds(&b, "tracing: active\n");
	if (f->ephemeral_storage && f->ephemeral_storage != 512)
		buf_addf(&b, "ephemeral-storage: %ld\n", f->ephemeral_storage);
	if (f->reserved)
		buf_addf(&b, "reserved-concurrency: %ld\n", f->reserved_concurrency);
	if (f->subnets.nr) {
		buf_adds(&b, "vpc:\n");
		add_list(&b, "subnets", &f->subnets, 2);
		add_list(&b, "security-groups", &f->security_groups, 2);
	}
	for (size_t i = 0; i < f->layers.nr; i++)
		if (!blambdas_layer(cfg, f->layers.items[i]))
			strlist_add(&layers, f->layers.items[i]);
	add_list(&b, "layers", &layers, 0);
	if (aliases->nr == 1)
		add_scalar(&b, "alias", aliases->items[0]);
	else if (aliases->nr > 1)
		strlist_add(notes, "it has several aliases: function.alias names the one deploy moves; set it by hand");
	if (url)
		add_url(&b, url);
	strlist_clear(&layers);
	buf_release(&why);
	return buf_detach(&b);
}

/* blambda.yml's text as a configuration: the file alone, or as the command reads it (with_env) */
static int read_back(const char *path, const char *text, size_t len, int with_env, struct config *out,
		     struct error *err)
{
	config_init(out);
	return config_read_text(out, path, text, len, err) || (with_env && config_read_env(out, err)) ||
		       config_finish(out, err) ? -1 : 0;
}

/* Value id of a and b alike (present or not, the same text) */
static int same_value(const struct config *a, const struct config *b, int id)
{
	struct buf va = BUF_INIT, vb = BUF_INIT;
	int same;

	config_format_value(a, id, &va);
	config_format_value(b, id, &vb);
	same = a->v[id].present == b->v[id].present && !strcmp(va.ptr ? va.ptr : "", vb.ptr ? vb.ptr : "");
	buf_release(&va);
	buf_release(&vb);
	return same;
}

/* Every value function i of a holds, and b's function of the same name */
static int same_function(const struct config *a, size_t i, const struct config *b)
{
	int k = config_function_index(b, config_function_name(a, i));
	struct config fa, fb;
	int same = k >= 0;

	if (!same)
		return 0;
	config_for_function(a, i, &fa);
	config_for_function(b, (size_t)k, &fb);
	for (int id = 0; same && id < CFG__COUNT; id++)
		same = same_value(&fa, &fb, id);
	config_release(&fa);
	config_release(&fb);
	return same;
}

/* What the entry says of the new function k is what Lambda holds */
static int entry_faithful(const struct config *after, int k, const struct lambda_function *f)
{
	const struct cfg_value *v = after->fns[k].v;
	struct kvlist env = KVLIST_INIT;
	int same;

	for (size_t i = 0; v[CFG_FUNCTION_ENVIRONMENT].present && i < v[CFG_FUNCTION_ENVIRONMENT].map.nr; i++)
		kvlist_add(&env, v[CFG_FUNCTION_ENVIRONMENT].map.items[i].key,
			   v[CFG_FUNCTION_ENVIRONMENT].map.items[i].value);
	same = v[CFG_FUNCTION_MEMORY].num == f->memory && v[CFG_FUNCTION_TIMEOUT].num == f->timeout &&
	       env.nr == f->environment.nr;
	for (size_t i = 0; same && i < env.nr; i++) {
		const char *want = kvlist_get(&f->environment, env.items[i].key);

		same = want && !strcmp(want, env.items[i].value);
	}
	if (same && f->description && *f->description)
		same = v[CFG_FUNCTION_DESCRIPTION].present && !strcmp(v[CFG_FUNCTION_DESCRIPTION].str, f->description);
	if (same && f->role)
		same = v[CFG_FUNCTION_ROLE].present && !strcmp(v[CFG_FUNCTION_ROLE].str, f->role);
	kvlist_clear(&env);
	return same;
}

/*
 * The edited text means what it should: the file's own values as before,
 * the same functions as before with the same values, and the new one with
 * the values of its entry and a handler. Read without the environment, so
 * that a BLAMBDA_* variable hides no change to the file.
 */
static int check_edit(const char *path, const char *text, size_t len, struct import_plan *p,
		      const struct lambda_function *f)
{
	struct config before = { 0 }, after = { 0 }, one;
	struct error ignored = ERROR_INIT;
	int k = -1, ok = !read_back(path, text, len, 0, &before, &ignored);

	if (ok && read_back(path, p->text.ptr, p->text.len, 0, &after, &p->err)) {
		error_prefix(&p->err, "the settings of '%s' from Lambda do not pass blambda's checks (in the entry "
			     "import would add, as --dry-run shows it)", p->name);
		config_release(&after);
		config_release(&before);
		error_release(&ignored);
		return -1;
	}
	for (int id = 0; ok && id < CFG__COUNT; id++)
		ok = id == CFG_FUNCTION_NAME || same_value(&before, &after, id);
	for (size_t i = 0; ok && i < config_function_count(&before); i++)
		ok = same_function(&before, i, &after);
	k = ok ? config_function_index(&after, p->name) : -1;
	ok = k >= 0 && (size_t)k < after.nfns && entry_faithful(&after, k, f);
	if (!ok)
		error_set(&p->err, EXIT_FAIL, "%s: adding '%s' would change what the file says, or not say what "
			  "Lambda holds: add it by hand (--dry-run shows the entry)", path, p->name);
	if (ok) {
		config_for_function(&after, (size_t)k, &one);
		if (!config_str(&one, CFG_FUNCTION_HANDLER)) {
			error_set(&p->err, EXIT_USAGE, "its handler '%s' is not NAMESPACE/FUNCTION, and %s sets no "
				  "function.handler for it to run instead", f->handler ? f->handler : "", path);
			error_hint(&p->err, "set handler: under function: in %s (or the project's own function's), then "
				   "import again", path);
			ok = 0;
		}
		config_release(&one);
	}
	error_release(&ignored);
	config_release(&before);
	config_release(&after);
	return ok ? 0 : -1;
}

/* The project's idea of the function: the file as it will be, this function's view of it */
static int project_view(const struct config *cfg, struct import_plan *p, struct config *out)
{
	struct config edited;
	int k;

	if (!p->entry) {
		config_for_function(cfg, (size_t)config_function_index(cfg, p->name), out);
		return 0;
	}
	if (read_back(cfg->path, p->text.ptr, p->text.len, 1, &edited, &p->err)) {
		config_release(&edited);
		return -1;
	}
	k = config_function_index(&edited, p->name);
	config_for_function(&edited, (size_t)k, out);
	config_release(&edited);
	return 0;
}

/* What Lambda holds of the function */
struct found {
	struct lambda_function f;
	struct lambda_url url;
	int has_url;
	struct strlist aliases;
};

/* The tags, the alias and the URL the project's view gives the function, where they differ */
static void around_changes(const struct config *one, const struct found *h, struct strlist *out)
{
	const struct kvlist *tags = config_map(one, CFG_FUNCTION_TAGS);
	const char *alias = config_str(one, CFG_FUNCTION_ALIAS);
	struct lambda_url want;

	for (size_t i = 0; i < tags->nr; i++) {
		const char *v = kvlist_get(&h->f.tags, tags->items[i].key);

		if (!v || strcmp(v, tags->items[i].value))
			strlist_add_owned(out, buf_fmt("tag %s %s", tags->items[i].key, v ? "changed" : "added"));
	}
	if (alias)
		strlist_add_owned(out, buf_fmt("a version is published, and alias '%s' %s", alias,
					       strlist_has(&h->aliases, alias) ? "moves to it" : "is made for it"));
	deploy_wanted_url(one, &want);
	if (want.auth && !h->has_url)
		strlist_add_owned(out, buf_fmt("a URL is made (auth %s%s)", want.auth,
					       strcmp(want.auth, "NONE") ? "" : ": anyone may call it"));
	else if (want.auth && strcmp(want.auth, h->url.auth ? h->url.auth : ""))
		strlist_add_owned(out, buf_fmt("URL auth %s -> %s", h->url.auth ? h->url.auth : "none", want.auth));
	else if (want.auth && (!strlist_equal(&want.origins, &h->url.origins) ||
			       !strlist_equal(&want.methods, &h->url.methods) ||
			       !strlist_equal(&want.headers, &h->url.headers) || want.max_age != h->url.max_age ||
			       want.credentials != h->url.credentials))
		strlist_add(out, "URL CORS changed");
}

/* What the next deploy would change: the function as it is against the project's view of it */
static int list_changes(const struct config *cfg, const struct found *h, struct import_plan *p)
{
	const struct lambda_function *f = &h->f;
	struct config one;
	struct lambda_settings want = { 0 };
	struct strlist layers = STRLIST_INIT;
	struct deploy_diff diff = DEPLOY_DIFF_INIT;
	int had_runtime = 0;

	if (project_view(cfg, p, &one))
		return -1;
	/* blambda's layers are replaced by the versions deploy publishes: compare the others */
	for (size_t i = 0; i < f->layers.nr; i++)
		if (blambdas_layer(&one, f->layers.items[i])) {
			strlist_add(&layers, f->layers.items[i]);
			had_runtime |= deploy_layer_arn_named(f->layers.items[i], config_str(&one, CFG_LAYERS_RUNTIME));
		}
	if (!had_runtime)
		strlist_add(&layers, "");
	for (size_t i = 0; i < config_list(&one, CFG_FUNCTION_LAYERS)->nr; i++)
		strlist_add(&layers, config_list(&one, CFG_FUNCTION_LAYERS)->items[i]);
	want.name = p->name;
	want.runtime = config_str(&one, CFG_FUNCTION_RUNTIME);
	want.handler = config_str(&one, CFG_FUNCTION_HANDLER);
	want.architecture = config_str(&one, CFG_FUNCTION_ARCHITECTURE);
	want.description = config_str(&one, CFG_FUNCTION_DESCRIPTION);
	want.memory = config_int(&one, CFG_FUNCTION_MEMORY);
	want.timeout = config_int(&one, CFG_FUNCTION_TIMEOUT);
	want.environment = config_map(&one, CFG_FUNCTION_ENVIRONMENT);
	want.role = config_str(&one, CFG_FUNCTION_ROLE);
	want.tracing = deploy_tracing_mode(config_str(&one, CFG_FUNCTION_TRACING));
	want.ephemeral_storage = config_int(&one, CFG_FUNCTION_EPHEMERAL_STORAGE);
	want.subnets = config_list(&one, CFG_FUNCTION_VPC_SUBNETS);
	want.security_groups = config_list(&one, CFG_FUNCTION_VPC_SECURITY_GROUPS);
	want.reserve = one.v[CFG_FUNCTION_RESERVED_CONCURRENCY].present;
	want.reserved_concurrency = config_int(&one, CFG_FUNCTION_RESERVED_CONCURRENCY);
	want.layers = &layers;
	/* the code is always the project's build: said once, plainly */
	strlist_add(&p->changes, "code: the project's build replaces it");
	deploy_function_diff(f, &want, f->code_sha256, &diff);
	for (size_t i = 0; i < diff.code.nr; i++) /* the architecture (the code itself is said above) */
		strlist_add(&p->changes, diff.code.items[i]);
	for (size_t i = 0; i < diff.settings.nr; i++)
		if (!strcmp(diff.settings.items[i], "layers changed"))
			strlist_add(&p->changes, had_runtime ? "layers changed" : "layers: blambda's runtime layer added");
		else
			strlist_add(&p->changes, diff.settings.items[i]);
	around_changes(&one, h, &p->changes);
	deploy_diff_release(&diff);
	strlist_clear(&layers);
	config_release(&one);
	return 0;
}

/* GetFunction and what goes with it: the URL, the aliases. */
static int read_function(struct aws *a, struct import_plan *p, struct found *h)
{
	struct lambda_aliases al = { 0 };
	int r;

	if (lambda_get_function(a, NULL, p->name, &h->f, &p->err)) {
		if (error_is(&p->err, "ResourceNotFoundException"))
			error_prefix(&p->err, "there is no function '%s' in %s", p->name, p->region);
		return -1;
	}
	if (h->f.package_type && !strcmp(h->f.package_type, "Image"))
		return error_set(&p->err, EXIT_USAGE, "function '%s' is a container image: blambda deploys functions "
				 "from zips, with its layers", p->name);
	r = lambda_get_url(a, NULL, p->name, &h->url, &h->has_url, &p->err) ||
	    lambda_aliases(a, NULL, p->name, &al, &p->err) ? -1 : 0;

	for (size_t i = 0; i < al.nr; i++)
		strlist_add(&h->aliases, al.items[i].name);
	lambda_aliases_release(&al);
	return r;
}

int import_plan_make(struct aws *a, const struct config *cfg, const char *text, size_t len, const char *name,
		     struct import_plan *p)
{
	struct found h = { .aliases = STRLIST_INIT };
	struct strlist ignored = STRLIST_INIT; /* the notes, said once */
	const char *tag;
	int r = -1;

	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->original = xmalloc(len + 1);
	memcpy(p->original, text, len);
	p->original_len = len;
	if (aws_region(a, &p->region, &p->err) || read_function(a, p, &h))
		goto out;
	p->arn = xstrdup_or_null(h.f.arn);
	tag = kvlist_get(&h.f.tags, DEPLOY_TAG_KEY);
	p->ours = deploy_is_ours(&h.f.tags);
	p->other_tag = tag && !p->ours ? xstrdup(tag) : NULL;
	p->in_project = config_function_index(cfg, name) >= 0;
	if (!p->in_project) {
		p->moved = cfg->nfns ? NULL : config_str(cfg, CFG_FUNCTION_NAME);
		p->entry = entry_of(cfg, &h.f, h.has_url ? &h.url : NULL, &h.aliases, 0, &p->notes);
		p->entry_shown = entry_of(cfg, &h.f, h.has_url ? &h.url : NULL, &h.aliases, 1, &ignored);
		if (h.f.environment.nr)
			strlist_add(&p->notes, "its environment's values are written into blambda.yml as they are (not "
				    "shown here): keep secrets out of a file you commit (SSM, Secrets Manager)");
		if (config_add_function(cfg, text, len, name, p->entry, &p->text, &p->err) ||
		    check_edit(cfg->path, text, len, p, &h.f))
			goto out;
	}
	r = list_changes(cfg, &h, p);
out:
	lambda_function_release(&h.f);
	lambda_url_release(&h.url);
	strlist_clear(&h.aliases);
	strlist_clear(&ignored);
	return r;
}

int import_plan_has_work(const struct import_plan *p)
{
	return p->entry || !p->ours;
}

/*
 * Where blambda.yml's new text goes: the file itself, or the file a
 * symbolic link names (the link stays); never anything but a regular file,
 * and only when it still holds what the plan was made from.
 */
static char *write_target(const char *path, const struct import_plan *p, struct error *err)
{
	char *real = realpath(path, NULL);
	struct buf now = BUF_INIT;
	struct stat st;

	if (!real || stat(real, &st) || !S_ISREG(st.st_mode)) {
		error_set(err, EXIT_USAGE, "%s is not a regular file: import writes only to one", path);
		free(real);
		return NULL;
	}
	if (fs_read_file(real, &now, 1 << 20)) {
		error_set(err, EXIT_FAIL, "cannot read %s again before writing it: %s", path,
			  errno == EFBIG ? "it grew past 1 MB" : strerror(errno));
		free(real);
		real = NULL;
	} else if (now.len != p->original_len || memcmp(now.ptr ? now.ptr : "", p->original, now.len)) {
		error_set(err, EXIT_USAGE, "%s changed while import was at work: nothing was written", path);
		error_hint(err, "run 'blambda import %s' again", p->name);
		free(real);
		real = NULL;
	}
	buf_release(&now);
	return real;
}

int import_apply(struct aws *a, const struct config *cfg, struct import_plan *p)
{
	struct kvlist tags = KVLIST_INIT;
	int r = 0;

	if (p->entry) {
		char *target = write_target(cfg->path, p, &p->err);
		struct stat st;

		if (!target)
			return -1;
		r = stat(target, &st) ? -1 : fs_write_atomic(target, p->text.ptr, p->text.len, st.st_mode & 07777, &p->err);
		if (r && !error_failed(&p->err))
			error_set(&p->err, EXIT_FAIL, "cannot read %s: %s", target, strerror(errno));
		free(target);
		if (r)
			return -1;
		p->written = 1;
	}
	if (p->ours)
		return 0;
	kvlist_set(&tags, DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE);
	r = lambda_tag_resource(a, NULL, p->arn, &tags, &p->err) ? -1 : 0;
	p->tagged = !r;
	kvlist_clear(&tags);
	return r;
}

void import_plan_release(struct import_plan *p)
{
	free(p->name);
	free(p->arn);
	free(p->other_tag);
	free(p->entry);
	free(p->entry_shown);
	free(p->original);
	buf_release(&p->text);
	strlist_clear(&p->changes);
	strlist_clear(&p->notes);
	error_release(&p->err);
	memset(p, 0, sizeof(*p));
}
