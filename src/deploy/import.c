/*
 * blambda import: a function made elsewhere becomes the project's. Its
 * settings go into blambda.yml as an entry of functions: (the file's text
 * is edited, then read back and checked before it may be written), the
 * differences that remain are what the next deploy changes, and the tag
 * comes last, so that a failure leaves nothing half-adopted: rerun, and the
 * function already in blambda.yml only waits for its tag.
 */
#include "deploy/import.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aws/lambda.h"
#include "core/fs.h"
#include "core/xalloc.h"
#include "deploy/deploy.h"

/* 1 when layer version ARN `arn` is a version of layer `layer` (arn:...:layer:NAME:N) */
static int layer_named(const char *arn, const char *layer)
{
	const char *p = arn ? strstr(arn, ":layer:") : NULL;
	size_t n = layer ? strlen(layer) : 0;

	return p && n && !strncmp(p + 7, layer, n) && p[7 + n] == ':';
}

static int blambdas_layer(const struct config *cfg, const char *arn)
{
	return layer_named(arn, config_str(cfg, CFG_LAYERS_RUNTIME)) || layer_named(arn, config_str(cfg, CFG_LAYERS_DEPS));
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
	buf_addf(b, "url:\n  auth: %s\n", u->auth);
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
static char *entry_of(const struct config *cfg, const struct lambda_function *f, const struct lambda_url *url,
		      const struct strlist *aliases, struct strlist *notes)
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
		config_yaml_quote(&b, f->environment.items[i].value);
		buf_addch(&b, '\n');
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

/* blambda.yml's text read as the command would read it (the environment too); -1 with err */
static int read_back(const char *path, const char *text, size_t len, struct config *out, struct error *err)
{
	config_init(out);
	return config_read_text(out, path, text, len, err) || config_read_env(out, err) || config_finish(out, err)
		       ? -1 : 0;
}

/* Every function.* value function i of a holds, and b's function of the same name */
static int same_function(const struct config *a, size_t i, const struct config *b)
{
	int k = config_function_index(b, config_function_name(a, i));
	struct config fa, fb;
	int same = k >= 0;

	if (!same)
		return 0;
	config_for_function(a, i, &fa);
	config_for_function(b, (size_t)k, &fb);
	for (int id = 0; same && id < CFG__COUNT; id++) {
		struct buf va = BUF_INIT, vb = BUF_INIT;

		config_format_value(&fa, id, &va);
		config_format_value(&fb, id, &vb);
		same = fa.v[id].present == fb.v[id].present && !strcmp(va.ptr ? va.ptr : "", vb.ptr ? vb.ptr : "");
		buf_release(&va);
		buf_release(&vb);
	}
	config_release(&fa);
	config_release(&fb);
	return same;
}

/*
 * The edited text means what it should: the same functions as before with
 * the same values, and the new one with the values of its entry.
 */
static int check_edit(const char *path, const char *text, size_t len, struct import_plan *p,
		      const struct lambda_function *f)
{
	struct config before, after;
	struct error ignored = ERROR_INIT;
	int k, ok;

	ok = !read_back(path, text, len, &before, &ignored) && !read_back(path, p->text.ptr, p->text.len, &after, &p->err);
	for (size_t i = 0; ok && i < config_function_count(&before); i++)
		ok = same_function(&before, i, &after);
	k = ok ? config_function_index(&after, p->name) : -1;
	if (ok && k >= 0) {
		struct config one;

		config_for_function(&after, (size_t)k, &one);
		ok = config_int(&one, CFG_FUNCTION_MEMORY) == f->memory && config_int(&one, CFG_FUNCTION_TIMEOUT) == f->timeout;
		config_release(&one);
	}
	if ((!ok || k < 0) && !error_failed(&p->err))
		error_set(&p->err, EXIT_FAIL, "%s: adding '%s' would change what the file says of its other functions",
			  path, p->name);
	error_release(&ignored);
	config_release(&before);
	config_release(&after);
	return ok && k >= 0 ? 0 : -1;
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
	if (read_back(cfg->path, p->text.ptr, p->text.len, &edited, &p->err))
		return -1;
	k = config_function_index(&edited, p->name);
	config_for_function(&edited, (size_t)k, out);
	config_release(&edited);
	return 0;
}

/* What the next deploy would change: the function as it is against the project's view of it */
static int list_changes(const struct config *cfg, const struct lambda_function *f, struct import_plan *p)
{
	struct config one;
	struct lambda_settings want = { 0 };
	struct strlist layers = STRLIST_INIT;
	int had_runtime = 0;

	if (project_view(cfg, p, &one))
		return -1;
	/* blambda's layers are replaced by the versions deploy publishes: compare the others */
	for (size_t i = 0; i < f->layers.nr; i++)
		if (blambdas_layer(&one, f->layers.items[i])) {
			strlist_add(&layers, f->layers.items[i]);
			had_runtime |= layer_named(f->layers.items[i], config_str(&one, CFG_LAYERS_RUNTIME));
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
	want.layers = &layers;
	/* the code is always the project's build: said once, plainly */
	strlist_add(&p->changes, "code: the project's build replaces it");
	deploy_function_diff(f, &want, f->code_sha256, &p->changes);
	strlist_clear(&layers);
	config_release(&one);
	return 0;
}

/* GetFunction and what goes with it: the URL, the aliases. */
static int read_function(struct aws *a, struct import_plan *p, struct lambda_function *f, struct lambda_url *url,
			 int *has_url, struct strlist *aliases)
{
	if (lambda_get_function(a, NULL, p->name, f, &p->err)) {
		if (error_is(&p->err, "ResourceNotFoundException"))
			error_prefix(&p->err, "there is no function '%s' in %s", p->name, p->region);
		return -1;
	}
	if (f->package_type && !strcmp(f->package_type, "Image"))
		return error_set(&p->err, EXIT_USAGE, "function '%s' is a container image: blambda deploys functions "
				 "from zips, with its layers", p->name);
	if (lambda_get_url(a, NULL, p->name, url, has_url, &p->err) ||
	    lambda_list_aliases(a, NULL, p->name, aliases, &p->err))
		return -1;
	return 0;
}

int import_plan_make(struct aws *a, const struct config *cfg, const char *text, size_t len, const char *name,
		     struct import_plan *p)
{
	struct lambda_function f = { 0 };
	struct lambda_url url = { 0 };
	struct strlist aliases = STRLIST_INIT;
	const char *tag;
	int has_url = 0, r = -1;

	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	if (aws_region(a, &p->region, &p->err) || read_function(a, p, &f, &url, &has_url, &aliases))
		goto out;
	p->arn = f.arn ? xstrdup(f.arn) : NULL;
	tag = kvlist_get(&f.tags, DEPLOY_TAG_KEY);
	p->ours = deploy_is_ours(&f.tags);
	p->other_tag = tag && !p->ours ? xstrdup(tag) : NULL;
	p->in_project = config_function_index(cfg, name) >= 0;
	if (!p->in_project) {
		p->entry = entry_of(cfg, &f, has_url ? &url : NULL, &aliases, &p->notes);
		if (config_add_function(cfg, text, len, name, p->entry, &p->text, &p->err) ||
		    check_edit(cfg->path, text, len, p, &f))
			goto out;
	}
	r = list_changes(cfg, &f, p);
out:
	lambda_function_release(&f);
	lambda_url_release(&url);
	strlist_clear(&aliases);
	return r;
}

int import_plan_has_work(const struct import_plan *p)
{
	return p->entry || !p->ours;
}

int import_apply(struct aws *a, const struct config *cfg, struct import_plan *p)
{
	struct kvlist tags = KVLIST_INIT;
	int r = 0;

	if (p->entry) {
		struct stat st;
		mode_t mode = stat(cfg->path, &st) ? 0644 : st.st_mode & 07777; /* as the file was */

		if (fs_write_atomic(cfg->path, p->text.ptr, p->text.len, mode, &p->err))
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
	buf_release(&p->text);
	strlist_clear(&p->changes);
	strlist_clear(&p->notes);
	error_release(&p->err);
	memset(p, 0, sizeof(*p));
}
