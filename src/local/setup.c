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
#include "core/msg.h"
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
static int write_classpath(const char *tmp, const char *dir, const struct strlist *extra, const char *layer_cp)
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
	r = fs_write_atomic(path.ptr, out.ptr, out.len, 0644);
	buf_release(&out);
	buf_release(&path);
	return r;
}

/* fill the staging directory tmp, whose final name is dir */
static int fill_opt(const char *tmp, const char *dir, const struct bootstrap *boot, const char *deps_zip,
		    const struct strlist *extra)
{
	struct buf path = BUF_INIT, cp = BUF_INIT;
	int r = -1;

	buf_addf(&path, "%s/bootstrap", tmp);
	if (fs_write_atomic(path.ptr, boot->data, (size_t)(boot->end - boot->data), 0755))
		goto out;
	buf_reset(&path);
	buf_addf(&path, "%s/blambda", tmp);
	if (fs_mkdirs(path.ptr, 0755))
		goto out;
	buf_adds(&path, "/runtime.clj");
	if (fs_write_atomic(path.ptr, blambda_runtime_clj, (size_t)(blambda_runtime_clj_end - blambda_runtime_clj),
			    0644))
		goto out;
	if (deps_zip) {
		if (zip_extract(deps_zip, tmp))
			goto out;
		buf_reset(&path);
		buf_addf(&path, "%s/deps-classpath", tmp);
		if (fs_read_file(path.ptr, &cp, 1 << 20))
			goto out;
	}
	/* the paths inside name the directory by its final name */
	r = write_classpath(tmp, dir, extra, cp.ptr);
out:
	buf_release(&path);
	buf_release(&cp);
	return r;
}

static char *host_bb(const struct config *cfg, struct http_client **http)
{
	const char *env = getenv("BLAMBDA_BB");
	char *bb;

	if (env && *env) {
		if (access(env, X_OK)) {
			error("BLAMBDA_BB names '%s', which is not an executable: %s", env, strerror(errno));
			return NULL;
		}
		return absolute(env);
	}
	if ((bb = fs_find_program("bb")))
		return bb;
	if ((bb = bb_host_binary(config_str(cfg, CFG_BABASHKA_VERSION), config_str(cfg, CFG_BABASHKA_MIRROR), NULL)))
		return bb;
	info("Fetching Babashka %s for this machine", config_str(cfg, CFG_BABASHKA_VERSION));
	bb = bb_host_binary(config_str(cfg, CFG_BABASHKA_VERSION), config_str(cfg, CFG_BABASHKA_MIRROR), http);
	if (!bb) {
		error("no Babashka to run the function with");
		hint("install bb on PATH, or set BLAMBDA_BB to one");
	}
	return bb;
}

int local_host_prepare(const struct config *cfg, const char *out_dir, struct http_client **http,
		       struct local_host *h)
{
	const struct strlist *paths = config_list(cfg, CFG_FUNCTION_SOURCE_PATHS);
	const struct bootstrap *boot;
	struct project_build_opts po = { 0 };
	struct project_artifacts arts = { 0 };
	struct strlist extra = STRLIST_INIT;
	struct buf key = BUF_INIT, dir = BUF_INIT, tmp = BUF_INIT, local = BUF_INIT;
	char digest[SHA256_HEX_LEN + 1], boot_sha[SHA256_HEX_LEN + 1];
	int r = -1;

	memset(h, 0, sizeof(*h));
	h->arch = bb_host_arch();
	if (!h->arch || !(boot = bootstrap_for(h->arch))) {
		error("blambda has no bootstrap for this machine's architecture");
		hint("'blambda local' runs on Linux on x86_64 or arm64");
		return -1;
	}
	if (!(h->bb = host_bb(cfg, http)))
		return -1;
	for (size_t i = 1; paths && i < paths->nr; i++) {
		char *abs = absolute(paths->items[i]);

		if (!abs) {
			error("cannot use source path '%s': %s", paths->items[i], strerror(errno));
			goto out;
		}
		strlist_add_owned(&extra, abs);
	}
	/* the deps layer, for this machine: pods are built per architecture */
	po.deps_layer = 1;
	po.out_dir = out_dir;
	po.arch = h->arch;
	if (project_build(cfg, &po, http, &arts))
		goto out;

	sha256_hex(boot->data, (size_t)(boot->end - boot->data), boot_sha);
	buf_addf(&key, "bootstrap %s\n", boot_sha);
	sha256_hex(blambda_runtime_clj, (size_t)(blambda_runtime_clj_end - blambda_runtime_clj), digest);
	buf_addf(&key, "runtime.clj %s\ndeps %s\n", digest, arts.deps_layer ? arts.deps_layer->sha256 : "none");
	for (size_t i = 0; i < extra.nr; i++)
		buf_addf(&key, "path %s\n", extra.items[i]);
	sha256_hex(key.ptr, key.len, digest);

	buf_addf(&local, "%s/local", out_dir);
	if (fs_mkdirs(local.ptr, 0755))
		goto out;
	{
		char *abs = absolute(local.ptr);

		if (!abs) {
			error("cannot use '%s': %s", local.ptr, strerror(errno));
			goto out;
		}
		buf_reset(&local);
		buf_adds(&local, abs);
		free(abs);
	}
	buf_addf(&dir, "%s/opt-%.16s", local.ptr, digest);
	if (access(dir.ptr, F_OK)) {
		buf_addf(&tmp, "%s/.opt-XXXXXX", local.ptr);
		if (!mkdtemp(tmp.ptr)) {
			error("cannot make a directory in '%s': %s", local.ptr, strerror(errno));
			goto out;
		}
		fs_temp_register_tree(tmp.ptr);
		chmod(tmp.ptr, 0755); /* mkdtemp makes it 0700 */
		if (fill_opt(tmp.ptr, dir.ptr, boot, arts.deps_layer ? arts.deps_layer->path : NULL, &extra) ||
		    (rename(tmp.ptr, dir.ptr) && errno != ENOTEMPTY && errno != EEXIST &&
		     error("cannot rename '%s' to '%s': %s", tmp.ptr, dir.ptr, strerror(errno)))) {
			fs_remove_tree(tmp.ptr, NULL);
			fs_temp_unregister(tmp.ptr);
			goto out;
		}
		/* another blambda may have made the same directory first: then ours goes */
		fs_remove_tree(tmp.ptr, NULL);
		fs_temp_unregister(tmp.ptr);
	}
	h->opt_dir = buf_detach(&dir);
	r = 0;
out:
	project_artifacts_release(&arts);
	strlist_clear(&extra);
	buf_release(&key);
	buf_release(&dir);
	buf_release(&tmp);
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
				      const char *account, const struct kvlist *base_env)
{
	const struct strlist *paths = config_list(c, CFG_FUNCTION_SOURCE_PATHS);
	const struct kvlist *vars = config_map(c, CFG_FUNCTION_ENVIRONMENT);
	const char *first = paths && paths->nr ? paths->items[0] : ".";
	struct local_fn *fn;
	char *root = absolute(first);

	if (!root) {
		error("cannot use source path '%s': %s", first, strerror(errno));
		return NULL;
	}
	fn = local_fn_new();
	fn->name = xstrdup(config_str(c, CFG_FUNCTION_NAME));
	fn->handler = xstrdup(config_str(c, CFG_FUNCTION_HANDLER));
	fn->region = xstrdup(region);
	fn->account = xstrdup(account);
	fn->memory_mb = config_int(c, CFG_FUNCTION_MEMORY);
	fn->timeout_s = config_int(c, CFG_FUNCTION_TIMEOUT);
	fn->task_root = root;
	fn->opt_dir = xstrdup(h->opt_dir);
	fn->bb = xstrdup(h->bb);
	for (size_t i = 0; base_env && i < base_env->nr; i++)
		kvlist_set(&fn->env, base_env->items[i].key, base_env->items[i].value);
	for (size_t i = 0; vars && i < vars->nr; i++)
		kvlist_set(&fn->env, vars->items[i].key, vars->items[i].value);
	return fn;
}
