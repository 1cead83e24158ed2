#include "local/setup.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/hash.h"
#include "core/observer.h"
#include "core/xalloc.h"
#include "package/babashka.h"
#include "package/bootstrap.h"
#include "package/project.h"
#include "package/zip.h"

static char *absolute(const char *path)
{
	char real[PATH_MAX];

	return realpath(path, real) ? xstrdup(real) : NULL;
}

/*
 * deps-classpath for this machine: the source paths after the first (the
 * first is LAMBDA_TASK_ROOT), then the layer's entries with /opt replaced
 * by dir, written into tmp (which becomes dir).
 */
static int write_classpath(const char *tmp, const char *dir, const struct strlist *extra, const char *layer_cp,
			   struct error *err)
{
	struct buf out = BUF_INIT, path = BUF_INIT;
	const char *s = layer_cp ? layer_cp : "";
	int r;

	for (size_t i = 0; i < extra->nr; i++)
		buf_addf(&out, "%s%s", out.len ? ":" : "", extra->items[i]);
	while (*s && *s != '\n') {
		size_t n = strcspn(s, ":\n");

		if (n >= 4 && !strncmp(s, "/opt", 4) && (n == 4 || s[4] == '/'))
			buf_addf(&out, "%s%s%.*s", out.len ? ":" : "", dir, (int)(n - 4), s + 4);
		else if (n)
			buf_addf(&out, "%s%.*s", out.len ? ":" : "", (int)n, s);
		s += n + (s[n] == ':');
	}
	buf_addch(&out, '\n');
	buf_addf(&path, "%s/deps-classpath", tmp);
	r = fs_write_atomic(path.ptr, out.ptr, out.len, 0644, err);
	buf_release(&out);
	buf_release(&path);
	return r;
}

/* fill the staging directory tmp, whose final name is dir */
static int fill_opt(const char *tmp, const char *dir, const struct bootstrap *boot, const char *deps_zip,
		    const struct strlist *extra, struct error *err)
{
	struct buf path = BUF_INIT, cp = BUF_INIT;
	int r = -1;

	buf_addf(&path, "%s/bootstrap", tmp);
	if (fs_write_atomic(path.ptr, boot->data, (size_t)(boot->end - boot->data), 0755, err))
		goto out;
	buf_reset(&path);
	buf_addf(&path, "%s/blambda", tmp);
	if (fs_mkdirs(path.ptr, 0755, err))
		goto out;
	buf_adds(&path, "/runtime.clj");
	if (fs_write_atomic(path.ptr, blambda_runtime_clj, (size_t)(blambda_runtime_clj_end - blambda_runtime_clj),
			    0644, err))
		goto out;
	if (deps_zip) {
		if (zip_extract(deps_zip, tmp, err))
			goto out;
		buf_reset(&path);
		buf_addf(&path, "%s/deps-classpath", tmp);
		if (fs_read_file(path.ptr, &cp, 1 << 20)) {
			error_set(err, EXIT_FAIL, "cannot read '%s' of the deps layer: %s", path.ptr, strerror(errno));
			goto out;
		}
	}
	/* the paths inside name the directory by its final name */
	r = write_classpath(tmp, dir, extra, cp.ptr, err);
out:
	buf_release(&path);
	buf_release(&cp);
	return r;
}

static char *host_bb(const struct config *cfg, struct http_fetcher *fetch, struct error *err)
{
	const char *env = getenv("BLAMBDA_BB");
	char *bb;

	if (env && *env) {
		if (!access(env, X_OK) && (bb = absolute(env)))
			return bb;
		error_set(err, EXIT_USAGE, "BLAMBDA_BB names '%s', which is not an executable: %s", env, strerror(errno));
		return NULL;
	}
	if ((bb = fs_find_program("bb")))
		return bb;
	if ((bb = bb_host_binary(config_str(cfg, CFG_BABASHKA_VERSION), config_str(cfg, CFG_BABASHKA_MIRROR), NULL,
				 NULL)))
		return bb;
	observe_note(fetch->obs, NOTE_INFO, "Fetching Babashka %s for this machine", config_str(cfg, CFG_BABASHKA_VERSION));
	bb = bb_host_binary(config_str(cfg, CFG_BABASHKA_VERSION), config_str(cfg, CFG_BABASHKA_MIRROR), fetch, err);
	if (!bb) {
		error_prefix(err, "no Babashka to run the function with");
		error_hint(err, "install bb on PATH, or set BLAMBDA_BB to one");
	}
	return bb;
}

/* The key of an /opt directory: what goes into it (bootstrap, runtime.clj, the deps layer, the extra paths). */
static void opt_digest(const struct bootstrap *boot, const struct artifact *deps, const struct strlist *extra,
		       char digest[SHA256_HEX_LEN + 1])
{
	struct buf key = BUF_INIT;
	char sha[SHA256_HEX_LEN + 1];

	sha256_hex(boot->data, (size_t)(boot->end - boot->data), sha);
	buf_addf(&key, "bootstrap %s\n", sha);
	sha256_hex(blambda_runtime_clj, (size_t)(blambda_runtime_clj_end - blambda_runtime_clj), sha);
	buf_addf(&key, "runtime.clj %s\ndeps %s\n", sha, deps ? deps->sha256 : "none");
	for (size_t i = 0; i < extra->nr; i++)
		buf_addf(&key, "path %s\n", extra->items[i]);
	sha256_hex(key.ptr, key.len, digest);
	buf_release(&key);
}

/*
 * The /opt directory `dir` in `local`, made when it is not there yet: filled
 * aside, then renamed into place (another blambda may have made the same
 * one first: then ours goes).
 */
static int make_opt(const char *local, const char *dir, const struct bootstrap *boot, const struct artifact *deps,
		    const struct strlist *extra, struct error *err)
{
	struct buf tmp = BUF_INIT;
	int r = -1;

	if (!access(dir, F_OK))
		return 0;
	buf_addf(&tmp, "%s/.opt-XXXXXX", local);
	if (!mkdtemp(tmp.ptr)) {
		error_set(err, EXIT_FAIL, "cannot make a directory in '%s': %s", local, strerror(errno));
		goto out;
	}
	fs_temp_register_tree(tmp.ptr);
	chmod(tmp.ptr, 0755); /* mkdtemp makes it 0700 */
	if (!fill_opt(tmp.ptr, dir, boot, deps ? deps->path : NULL, extra, err)) {
		if (rename(tmp.ptr, dir) && errno != ENOTEMPTY && errno != EEXIST)
			error_set(err, EXIT_FAIL, "cannot rename '%s' to '%s': %s", tmp.ptr, dir, strerror(errno));
		else
			r = 0;
	}
	fs_remove_tree(tmp.ptr, NULL);
	fs_temp_unregister(tmp.ptr);
out:
	buf_release(&tmp);
	return r;
}

/* The source paths after the first, absolute (the first is the task root) */
static int extra_paths(const struct config *cfg, struct strlist *extra, struct error *err)
{
	const struct strlist *paths = config_list(cfg, CFG_FUNCTION_SOURCE_PATHS);

	for (size_t i = 1; paths && i < paths->nr; i++) {
		char *abs = absolute(paths->items[i]);

		if (!abs)
			return error_set(err, EXIT_FAIL, "cannot use source path '%s': %s", paths->items[i], strerror(errno));
		strlist_add_owned(extra, abs);
	}
	return 0;
}

int local_host_prepare(const struct config *cfg, const char *out_dir, struct http_fetcher *fetch,
		       struct local_host *h, struct error *err)
{
	const struct bootstrap *boot;
	/* the deps layer, for this machine: pods are built per architecture */
	struct project_build_opts po = { .deps_layer = 1, .out_dir = out_dir };
	struct project_artifacts arts = { 0 };
	struct strlist extra = STRLIST_INIT;
	struct buf dir = BUF_INIT, local = BUF_INIT;
	char digest[SHA256_HEX_LEN + 1], *abs = NULL;
	int r = -1;

	memset(h, 0, sizeof(*h));
	h->arch = bb_host_arch();
	if (!h->arch || !(boot = bootstrap_for(h->arch))) {
		error_set(err, EXIT_FAIL, "blambda has no bootstrap for this machine's architecture");
		return error_hint(err, "'blambda local' runs on Linux on x86_64 or arm64");
	}
	po.arch = h->arch;
	if (!(h->bb = host_bb(cfg, fetch, err)) || extra_paths(cfg, &extra, err) ||
	    project_build(cfg, &po, fetch, &arts, err))
		goto out;
	opt_digest(boot, arts.deps_layer, &extra, digest);
	buf_addf(&local, "%s/local", out_dir);
	if (fs_mkdirs(local.ptr, 0755, err))
		goto out;
	if (!(abs = absolute(local.ptr))) {
		error_set(err, EXIT_FAIL, "cannot use '%s': %s", local.ptr, strerror(errno));
		goto out;
	}
	buf_addf(&dir, "%s/opt-%.16s", abs, digest);
	if (make_opt(abs, dir.ptr, boot, arts.deps_layer, &extra, err))
		goto out;
	h->opt_dir = buf_detach(&dir);
	r = 0;
out:
	free(abs);
	project_artifacts_release(&arts);
	strlist_clear(&extra);
	buf_release(&dir);
	buf_release(&local);
	if (r)
		local_host_release(h);
	return r;
}

void local_host_release(struct local_host *h)
{
	free(h->opt_dir);
	free(h->bb);
	memset(h, 0, sizeof(*h));
}

struct local_fn *local_fn_from_config(const struct config *c, const struct local_host *h, const char *region,
				      const char *account, const struct kvlist *base_env, struct error *err)
{
	const struct strlist *paths = config_list(c, CFG_FUNCTION_SOURCE_PATHS);
	const struct kvlist *vars = config_map(c, CFG_FUNCTION_ENVIRONMENT);
	const char *first = paths && paths->nr ? paths->items[0] : ".";
	struct local_fn *fn;
	char *root = absolute(first);

	if (!root) {
		error_set(err, EXIT_FAIL, "cannot use source path '%s': %s", first, strerror(errno));
		return NULL;
	}
	fn = local_fn_new();
	fn->name = xstrdup(config_str(c, CFG_FUNCTION_NAME));
	fn->handler = xstrdup(config_str(c, CFG_FUNCTION_HANDLER));
	fn->runtime = xstrdup(config_str(c, CFG_FUNCTION_RUNTIME));
	fn->reserved = config_str(c, CFG_FUNCTION_RESERVED_CONCURRENCY) ? config_int(c, CFG_FUNCTION_RESERVED_CONCURRENCY) : -1;
	fn->async_retries = config_str(c, CFG_FUNCTION_ASYNC_MAX_RETRIES) ? config_int(c, CFG_FUNCTION_ASYNC_MAX_RETRIES) : 2;
	fn->async_max_age_s = config_str(c, CFG_FUNCTION_ASYNC_MAX_EVENT_AGE) ? config_int(c, CFG_FUNCTION_ASYNC_MAX_EVENT_AGE)
									       : 21600;
	fn->on_success = xstrdup_or_null(config_str(c, CFG_FUNCTION_ASYNC_ON_SUCCESS));
	fn->on_failure = xstrdup_or_null(config_str(c, CFG_FUNCTION_ASYNC_ON_FAILURE));
	fn->region = xstrdup(region);
	fn->account = xstrdup(account);
	fn->memory_mb = config_int(c, CFG_FUNCTION_MEMORY);
	fn->timeout_s = config_int(c, CFG_FUNCTION_TIMEOUT);
	fn->task_root = root;
	fn->opt_dir = xstrdup(h->opt_dir);
	fn->bb = xstrdup(h->bb);
	fn->sandbox = h->sandbox;
	fn->tmp_mb = config_int(c, CFG_FUNCTION_EPHEMERAL_STORAGE);
	strlist_add(&fn->keep, root);
	strlist_add(&fn->keep, h->opt_dir); /* reused by later runs: nothing may be written into it */
	if (extra_paths(c, &fn->keep, err)) {
		local_fn_unref(fn);
		return NULL;
	}
	if (h->bb[0] == '/' && strrchr(h->bb, '/') != h->bb)
		strlist_add_owned(&fn->keep, xstrndup(h->bb, (size_t)(strrchr(h->bb, '/') - h->bb)));
	config_http_routes(c, &fn->routes);
	for (size_t i = 0; base_env && i < base_env->nr; i++)
		kvlist_set(&fn->env, base_env->items[i].key, base_env->items[i].value);
	for (size_t i = 0; vars && i < vars->nr; i++)
		kvlist_set(&fn->env, vars->items[i].key, vars->items[i].value);
	return fn;
}

int local_fns_make(const struct config *cfg, const struct strlist *names, const struct local_host *h,
		   const struct local_env *e, struct local_fn ***out, size_t *n, struct error *err)
{
	struct config *fns = NULL;
	size_t nfns = 0;
	int r = 0;

	*out = NULL;
	*n = 0;
	if (config_select_functions(cfg, names, &fns, &nfns, err))
		return -1;
	if (!nfns) {
		free(fns);
		error_set(err, EXIT_USAGE, "%s names no function", cfg->path ? cfg->path : "the project");
		return error_hint(err, "set function.name and function.handler in blambda.yml, or run 'blambda "
				  "new-function NAME'");
	}
	*out = xcalloc(nfns, sizeof(**out));
	for (size_t i = 0; i < nfns; i++) {
		if (!r && !((*out)[*n] = local_fn_from_config(&fns[i], h, e->region, e->account, &e->base, err)))
			r = -1;
		else if (!r)
			(*n)++;
		config_release(&fns[i]);
	}
	free(fns);
	return r;
}

void local_fns_free(struct local_fn **fns, size_t n)
{
	for (size_t i = 0; i < n; i++)
		local_fn_unref(fns[i]);
	free(fns);
}
