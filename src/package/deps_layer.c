#define _GNU_SOURCE /* posix_spawn_file_actions_addchdir_np */
#include "package/deps_layer.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <zip.h>

#include "config/config.h"
#include "core/fs.h"
#include "core/observer.h"
#include "core/spawn.h"
#include "core/xalloc.h"
#include "package/archive_lazy.h"
#include "package/babashka.h"
#include "package/edn.h"
#include "package/tree.h"
#include "package/zip.h"

extern char **environ;

#define LAYER_FORMAT "deps-layer/1"

/* Run argv in dir with GITLIBS set; its stdout into out. */
static int run_tool(char *const argv[], const char *dir, const char *gitlibs, struct buf *out, struct error *err)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2], status = 0, e;
	pid_t pid;
	char chunk[4096];
	ssize_t n;
	struct buf envbuf = BUF_INIT;
	struct strlist env = STRLIST_INIT;

	for (char **v = environ; *v; v++)
		if (strncmp(*v, "GITLIBS=", 8))
			strlist_add(&env, *v);
	buf_addf(&envbuf, "GITLIBS=%s", gitlibs);
	strlist_add_owned(&env, buf_detach(&envbuf));
	strlist_add_owned(&env, NULL);
	env.nr--;
	if (pipe(pipefd)) {
		strlist_clear(&env);
		return error_set(err, EXIT_FAIL, "cannot create a pipe: %s", strerror(errno));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	/* in dir: changed to in the child alone (a chdir here would move every thread of blambda) */
	posix_spawn_file_actions_addchdir_np(&fa, dir);
	e = spawn_child(&pid, argv[0], 1, &fa, NULL, argv, env.items);
	if (!e)
		fs_temp_child(pid); /* an interrupt stops it before the trees it writes into go */
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	strlist_clear(&env);
	if (e) {
		close(pipefd[0]);
		return error_set(err, EXIT_FAIL, "cannot run '%s': %s", argv[0], strerror(e));
	}
	while ((n = read(pipefd[0], chunk, sizeof(chunk))) > 0)
		buf_add(out, chunk, (size_t)n);
	close(pipefd[0]);
	spawn_wait(pid, &status, 0);
	fs_temp_child(0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return error_set(err, EXIT_FAIL, "'%s %s%s%s' failed while resolving the dependencies (%s %d)", argv[0], argv[1],
			     argv[2] ? " " : "", argv[2] ? argv[2] : "", WIFEXITED(status) ? "exit status" : "signal",
			     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return 0;
}

/* Resolve :deps into layer/m2-repo and layer/gitlibs; write layer/deps-classpath with /opt paths. */
static int resolve_deps(const struct deps_layer_opts *o, const struct edn *deps, const char *layer, const char *work,
			struct error *err)
{
	char *host_bb = NULL;
	char *cached_argv[] = { NULL, "clojure", "-Spath", NULL };
	struct buf depsedn = BUF_INIT, path = BUF_INIT, cp = BUF_INIT, out = BUF_INIT, gitlibs = BUF_INIT;
	char *bb_argv[] = { "bb", "clojure", "-Spath", NULL };
	const char *env_bb = getenv("BLAMBDA_BB");
	char *env_argv[] = { NULL, "clojure", "-Spath", NULL };
	char *clj_argv[] = { "clojure", "-Spath", NULL };
	char *const *argv;
	int r = -1;

	buf_addf(&depsedn, "{:paths []\n :mvn/local-repo \"%s/m2-repo\"\n :deps %.*s}\n", layer,
		 (int)(deps->end - deps->start), deps->start);
	buf_addf(&path, "%s/deps.edn", work);
	buf_addf(&gitlibs, "%s/gitlibs", layer);
	if (fs_write_atomic(path.ptr, depsedn.ptr, depsedn.len, 0644, err))
		goto out;
	if (env_bb && *env_bb) { /* the Babashka `blambda local` runs, so both see the same classpath */
		/* made absolute: the resolver runs in a work directory */
		if (access(env_bb, X_OK) || !(env_argv[0] = host_bb = realpath(env_bb, NULL))) {
			error_set(err, EXIT_USAGE, "BLAMBDA_BB names '%s', which is not an executable: %s", env_bb,
				  strerror(errno));
			goto out;
		}
		argv = env_argv;
	} else if (fs_on_path("bb")) {
		argv = bb_argv;
	} else if (o->bb_version && (host_bb = bb_host_binary(o->bb_version, o->mirror, NULL, NULL))) {
		cached_argv[0] = host_bb;
		argv = cached_argv;
	} else if (fs_on_path("clojure")) {
		argv = clj_argv;
	} else {
		error_set(err, EXIT_FAIL, "resolving the dependencies needs bb or the Clojure CLI (clojure) on PATH");
		error_hint(err, "install Babashka (https://babashka.org) or the Clojure CLI, or run 'blambda build "
		     "--runtime-layer' on a machine of the layer's architecture to cache one");
		goto out;
	}
	if (argv == clj_argv)
		observe_note(o->obs, NOTE_INFO, "Resolving the dependencies with 'clojure -Spath'");
	else
		observe_note(o->obs, NOTE_INFO, "Resolving the dependencies with '%s clojure -Spath'", argv[0]);
	if (run_tool(argv, work, gitlibs.ptr, &cp, err)) {
		if (argv == clj_argv)
			error_hint(err, "'clojure -Spath' needs the Clojure CLI (tools.deps); Debian's clojure package is only the "
			     "language, so install the CLI or Babashka");
		goto out;
	}
	/* every path must lie in the layer; under /opt it is found again in Lambda */
	{
		char *s = cp.ptr;
		size_t llen = strlen(layer);

		s[strcspn(s, "\r\n")] = '\0';
		while (*s) {
			size_t n = strcspn(s, ":");

			if (n) {
				if (n < llen + 1 || strncmp(s, layer, llen) || s[llen] != '/') {
					error_set(err, EXIT_FAIL, "dependency path '%.*s' is outside the layer: only Maven and git "
					      "dependencies can go in the deps layer", (int)n, s);
					goto out;
				}
				buf_addf(&out, "%s/opt%.*s", out.len ? ":" : "", (int)(n - llen), s + llen);
			}
			s += n + (s[n] == ':');
		}
	}
	if (!out.len) { /* the layer would hold no library: the function would fail at its first require */
		error_set(err, EXIT_FAIL, "'%s %s%s%s' printed no classpath for the :deps of %s", argv[0], argv[1],
			  argv[2] ? " " : "", argv[2] ? argv[2] : "", o->deps_file);
		error_hint(err, "each entry of :deps names a library and its version, as {cheshire/cheshire {:mvn/version "
			   "\"5.11.0\"}}");
		goto out;
	}
	buf_addch(&out, '\n');
	buf_reset(&path);
	buf_addf(&path, "%s/deps-classpath", layer);
	r = fs_write_atomic(path.ptr, out.ptr, out.len, 0644, err);
out:
	free(host_bb);
	buf_release(&depsedn);
	buf_release(&path);
	buf_release(&cp);
	buf_release(&out);
	buf_release(&gitlibs);
	return r;
}

static int get_url(struct http_fetcher *fetch, const char *url, struct buf *body, struct error *err)
{
	struct http_request req = { 0 };
	struct http_response resp;
	int r;

	if (!http_fetcher_client(fetch, err))
		return -1;
	req.method = "GET";
	req.url = url;
	if (http_perform(fetch->client, &req, &resp))
		return http_failure_error(&resp, err);
	if (resp.status != 200) {
		r = error_set(err, EXIT_NETWORK, "cannot download '%s': HTTP %ld", url, resp.status);
	} else {
		buf_add(body, resp.body.ptr, resp.body.len);
		r = 0;
	}
	http_response_release(&resp);
	return r;
}

/* re-matches: the whole of s matches pattern */
static int re_matches(const char *pattern, const char *s)
{
	struct buf anchored = BUF_INIT;
	regex_t re;
	int ok;

	buf_addf(&anchored, "^(%s)$", pattern);
	if (regcomp(&re, anchored.ptr, REG_EXTENDED | REG_NOSUB)) {
		buf_release(&anchored);
		return 0;
	}
	ok = !regexec(&re, s, 0, NULL, 0);
	regfree(&re);
	buf_release(&anchored);
	return ok;
}

static const char *edn_str(const struct edn *map, const char *key)
{
	const struct edn *v = edn_get(map, key);

	return v && (v->type == EDN_STRING || v->type == EDN_SYMBOL) ? v->text : NULL;
}

/* The largest pod executable taken into a layer. */
#define POD_MAX_SIZE (256 << 20)

/* Take the executable `exe` out of the downloaded artifact (zip, tar.gz, or the file itself). */
static int extract_exe(const char *url, const struct buf *data, const char *exe, struct buf *out, struct error *err)
{
	size_t ul = strlen(url);

	if (ul > 4 && !strcmp(url + ul - 4, ".zip")) {
		zip_error_t ze;
		zip_source_t *src;
		zip_t *za;
		zip_file_t *zf;
		zip_stat_t st;
		char chunk[65536];
		zip_int64_t n;

		zip_error_init(&ze);
		src = zip_source_buffer_create(data->ptr, data->len, 0, &ze);
		za = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
		if (!za) {
			zip_source_free(src);
			zip_error_fini(&ze);
			return error_set(err, EXIT_FAIL, "'%s' is not a zip file", url);
		}
		if (zip_stat(za, exe, 0, &st) || !(zf = zip_fopen(za, exe, 0))) {
			zip_discard(za);
			return error_set(err, EXIT_FAIL, "'%s' holds no '%s'", url, exe);
		}
		while ((n = zip_fread(zf, chunk, sizeof(chunk))) > 0)
			buf_add(out, chunk, (size_t)n);
		zip_fclose(zf);
		zip_discard(za);
		return n < 0 ? error_set(err, EXIT_FAIL, "cannot read '%s' from '%s'", exe, url) : 0;
	}
	if ((ul > 7 && !strcmp(url + ul - 7, ".tar.gz")) || (ul > 4 && !strcmp(url + ul - 4, ".tgz"))) {
		const struct archive_api *ar = archive_api(err);
		struct archive *a;
		struct archive_entry *e;
		int found = 0, rc;

		if (!ar)
			return -1;
		a = archive_open_tgz(ar);
		rc = ar->read_open_memory(a, data->ptr, data->len);
		while (rc == ARCHIVE_OK && ar->read_next_header(a, &e) == ARCHIVE_OK) {
			const char *name = ar->entry_pathname(e);
			const void *blk;
			size_t size;
			la_int64_t off;

			if (strcmp(name, exe) && !(name[0] == '.' && name[1] == '/' && !strcmp(name + 2, exe)))
				continue;
			if (ar->entry_filetype(e) != AE_IFREG) {
				ar->read_free(a);
				return error_set(err, EXIT_FAIL, "'%s' in '%s' is not a regular file", exe, url);
			}
			found = 1;
			while (ar->read_data_block(a, &blk, &size, &off) == ARCHIVE_OK) {
				if (off < 0 || (size_t)off + size > POD_MAX_SIZE) {
					ar->read_free(a);
					return error_set(err, EXIT_FAIL, "'%s' in '%s' is larger than %d MB", exe, url, POD_MAX_SIZE >> 20);
				}
				if ((size_t)off > out->len) /* a sparse hole reads as zeros */
					buf_add_zeros(out, (size_t)off - out->len);
				buf_add(out, blk, size);
			}
			break;
		}
		ar->read_free(a);
		return found ? 0 : error_set(err, EXIT_FAIL, "'%s' holds no '%s'", url, exe);
	}
	buf_add(out, data->ptr, data->len);
	return 0;
}

/*
 * Pod coordinates go into a URL and a path inside the layer: a qualified
 * name of plain parts (org.babashka/go-sqlite3) and a version of version
 * characters, neither able to climb out ("..") or add a directory.
 */
static int plain_part(const char *s, size_t n, const char *extra)
{
	if (!n || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.') || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(extra, s[i]))
			return 0;
	return 1;
}

static int check_pod(const char *deps_file, const struct edn *k, const char *qsym, const char *version,
		     struct error *err)
{
	const char *slash = strchr(qsym, '/');

	if (!slash || !plain_part(qsym, (size_t)(slash - qsym), "._-") || !plain_part(slash + 1, strlen(slash + 1), "._-"))
		return error_set(err, EXIT_USAGE, "%s:%d:%d: pod name '%s' is not a plain qualified name like "
				    "org.babashka/go-sqlite3", deps_file, k->line, k->col, qsym);
	if (!plain_part(version, strlen(version), "._+-"))
		return error_set(err, EXIT_USAGE, "%s:%d:%d: pod %s has version '%s'; a version is letters, digits, "
				    "'.', '_', '+' and '-'", deps_file, k->line, k->col, qsym, version);
	return 0;
}

static int fetch_pod(struct http_fetcher *fetch, const char *registry, const char *qsym, const char *version,
		     const char *arch, const char *layer, struct error *err)
{
	struct buf url = BUF_INIT, manifest = BUF_INIT, art = BUF_INIT, exe = BUF_INIT, dir = BUF_INIT, path = BUF_INIT;
	const char *want_arch = !strcmp(arch, "x86_64") ? "x86_64" : "aarch64";
	struct edn *m = NULL;
	const struct edn *arts;
	const struct edn *pick = NULL;
	int r = -1;

	buf_addf(&url, "%s/manifests/%s/%s/manifest.edn", registry, qsym, version);
	observe_note(fetch->obs, NOTE_INFO, "Fetching pod %s %s for linux/%s", qsym, version, want_arch);
	if (get_url(fetch, url.ptr, &manifest, err) || !(m = edn_parse(manifest.ptr, url.ptr, err)))
		goto out;
	arts = edn_get(m, "pod/artifacts");
	for (size_t i = 0; arts && arts->type == EDN_VECTOR && i < arts->nr && !pick; i++) {
		const char *os = edn_str(arts->items[i], "os/name");
		const char *a = edn_str(arts->items[i], "os/arch");
		const char *norm = a && !strcmp(a, "amd64") ? "x86_64" : a;

		if (os && norm && re_matches(os, "Linux") && re_matches(norm, want_arch))
			pick = arts->items[i];
	}
	if (!pick) {
		error_set(err, EXIT_FAIL, "pod %s %s has no build for linux/%s", qsym, version, want_arch);
		goto out;
	}
	{
		const char *aurl = edn_str(pick, "artifact/url"), *ename = edn_str(pick, "artifact/executable");
		const char *hash = edn_str(pick, "artifact/hash");

		if (!aurl || !ename || !plain_part(ename, strlen(ename), "._+-")) {
			error_set(err, EXIT_FAIL, "the manifest of pod %s %s lacks :artifact/url or a plain :artifact/executable", qsym, version);
			goto out;
		}
		if (!hash)
			observe_note(fetch->obs, NOTE_WARNING, "the manifest of pod %s %s gives no :artifact/hash: its "
				     "download cannot be checked", qsym, version);
		else if (strncmp(hash, "sha256:", 7))
			observe_note(fetch->obs, NOTE_WARNING, "the manifest of pod %s %s gives :artifact/hash '%.20s', "
				     "not sha256:...: its download cannot be checked", qsym, version, hash);
		if (get_url(fetch, aurl, &art, err))
			goto out;
		if (hash && !strncmp(hash, "sha256:", 7)) {
			unsigned char d[SHA256_LEN];
			unsigned char b64[64];

			sha256(art.ptr, art.len, d);
			EVP_EncodeBlock(b64, d, SHA256_LEN);
			if (strcmp((const char *)b64, hash + 7)) {
				error_set(err, EXIT_FAIL, "checksum mismatch for pod artifact '%s': expected %s, got sha256:%s", aurl, hash, b64);
				goto out;
			}
		}
		if (extract_exe(aurl, &art, ename, &exe, err))
			goto out;
		buf_addf(&dir, "%s/.babashka/pods/repository/%s/%s/linux/%s", layer, qsym, version, want_arch);
		buf_addf(&path, "%s/%s", dir.ptr, ename);
		if (fs_mkdirs(dir.ptr, 0755, err) || fs_write_atomic(path.ptr, exe.ptr, exe.len, 0755, err))
			goto out;
		buf_reset(&path);
		buf_addf(&path, "%s/.babashka/pods/repository/%s/%s/manifest.edn", layer, qsym, version);
		r = fs_write_atomic(path.ptr, manifest.ptr, manifest.len, 0644, err);
	}
out:
	edn_free(m);
	buf_release(&url);
	buf_release(&manifest);
	buf_release(&art);
	buf_release(&exe);
	buf_release(&dir);
	buf_release(&path);
	return r;
}

/* A regular file (a FIFO or /dev/zero would never end a read). */
static int regular_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/* A local pod's file, relative to the deps file's directory, into out. */
static void local_pod_path(const char *deps_file, const char *path, struct buf *out)
{
	const char *slash = strrchr(deps_file, '/');

	if (path[0] == '/' || !slash)
		buf_adds(out, path);
	else
		buf_addf(out, "%.*s/%s", (int)(slash - deps_file), deps_file, path);
}

/*
 * A local pod ({:path "bin/my-pod"}) goes to the layer's top, /opt/NAME in
 * Lambda, which bootstrap puts on PATH: (pods/load-pod "my-pod") finds it
 * there, as under Blambda!.
 */
static int copy_local_pod(const struct deps_layer_opts *o, const struct edn *k, const char *path, const char *layer,
			  struct error *err)
{
	struct buf from = BUF_INIT, to = BUF_INIT, data = BUF_INIT;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int r = -1;

	/* the layers' tops share /opt: the runtime layer's and this layer's own names are taken */
	if (!plain_part(base, strlen(base), "._+-") || !strcmp(base, "bootstrap") || !strcmp(base, "bb") ||
	    !strcmp(base, "deps-classpath") || !strcmp(base, "blambda") || !strcmp(base, "m2-repo") ||
	    !strcmp(base, "gitlibs")) {
		error_set(err, EXIT_USAGE, "%s:%d:%d: local pod %s is named '%s', which cannot go at the top of the layer",
			     o->deps_file, k->line, k->col, k->text, base);
		goto out;
	}
	buf_addf(&to, "%s/%s", layer, base);
	if (!access(to.ptr, F_OK)) {
		error_set(err, EXIT_USAGE, "%s:%d:%d: two local pods are named '%s': one would replace the other in the layer",
			     o->deps_file, k->line, k->col, base);
		goto out;
	}
	local_pod_path(o->deps_file, path, &from);
	if (!regular_file(from.ptr)) {
		error_set(err, EXIT_USAGE, "%s:%d:%d: local pod %s at '%s' is not a file", o->deps_file, k->line, k->col,
			     k->text, from.ptr);
		goto out;
	}
	if (fs_read_file(from.ptr, &data, POD_MAX_SIZE)) {
		error_set(err, EXIT_USAGE, "%s:%d:%d: cannot read local pod %s at '%s': %s", o->deps_file, k->line, k->col,
			     k->text, from.ptr, strerror(errno));
		goto out;
	}
	r = fs_write_atomic(to.ptr, data.ptr, data.len, 0755, err);
out:
	buf_release(&from);
	buf_release(&to);
	buf_release(&data);
	return r;
}

static int nonempty_map(const struct edn *e)
{
	return e && e->type == EDN_MAP && e->nr;
}

/*
 * The :deps and :pods maps of bb.edn (NULL when absent or nil), pointing
 * into text, which holds the file. 0, also when there is no bb.edn at all
 * (root stays NULL); -1 with err.
 */
static int read_deps_file(const struct deps_layer_opts *o, struct buf *text, struct edn **root,
			  const struct edn **deps, const struct edn **pods, struct error *err)
{
	const struct edn *bad;

	*root = NULL;
	*deps = *pods = NULL;
	if (fs_read_file(o->deps_file, text, 16u << 20)) {
		if (errno != ENOENT)
			return error_set(err, EXIT_FAIL, "cannot read '%s': %s", o->deps_file, strerror(errno));
		return 0;
	}
	*root = edn_parse(text->ptr, o->deps_file, err);
	if (!*root)
		return -1;
	if ((*root)->type != EDN_MAP)
		return error_set(err, EXIT_USAGE, "%s:%d:%d: the top level must be a map", o->deps_file, (*root)->line,
				 (*root)->col);
	*deps = edn_get(*root, "deps");
	*pods = edn_get(*root, "pods");
	bad = *deps && (*deps)->type != EDN_MAP && (*deps)->type != EDN_NIL ? *deps
	    : *pods && (*pods)->type != EDN_MAP && (*pods)->type != EDN_NIL ? *pods : NULL;
	if (bad)
		return error_set(err, EXIT_USAGE, "%s:%d:%d: :%s must be a map", o->deps_file, bad->line, bad->col,
				 bad == *deps ? "deps" : "pods");
	return 0;
}

/* What the layer is made from, hashed: a change to any of it rebuilds the layer. */
static void layer_inputs(const struct deps_layer_opts *o, const struct edn *deps, const struct edn *pods,
			 char inputs[SHA256_HEX_LEN + 1])
{
	struct buf text = BUF_INIT;

	buf_addf(&text, "%s\narch %s\n", LAYER_FORMAT, o->arch);
	if (nonempty_map(deps))
		buf_addf(&text, "deps %.*s\n", (int)(deps->end - deps->start), deps->start);
	if (nonempty_map(pods))
		buf_addf(&text, "pods %.*s\n", (int)(pods->end - pods->start), pods->start);
	/* a local pod's bytes are an input too: a rebuilt pod rebuilds the layer */
	for (size_t i = 0; nonempty_map(pods) && i + 1 < pods->nr; i += 2) {
		const char *lp = edn_str(pods->items[i + 1], "path");
		struct buf full = BUF_INIT;
		char sha[SHA256_HEX_LEN + 1];

		if (!lp)
			continue;
		local_pod_path(o->deps_file, lp, &full);
		if (regular_file(full.ptr) && !sha256_file_hex(full.ptr, sha))
			buf_addf(&text, "pod-file %s %s\n", lp, sha);
		buf_release(&full);
	}
	sha256_hex(text.ptr, text.len, inputs);
	buf_release(&text);
}

/* Every pod of :pods into the layer tree: a local one copied, a released one fetched from the registry. */
static int add_pods(const struct deps_layer_opts *o, const struct edn *pods, struct http_fetcher *fetch,
		    const char *layer, struct error *err)
{
	for (size_t i = 0; nonempty_map(pods) && i + 1 < pods->nr; i += 2) {
		const struct edn *k = pods->items[i], *v = pods->items[i + 1];
		const char *version = edn_str(v, "version");

		if (k->type != EDN_SYMBOL || !strchr(k->text, '/'))
			return error_set(err, EXIT_USAGE,
					 "%s:%d:%d: a pod is named by a qualified symbol like org.babashka/go-sqlite3",
					 o->deps_file, k->line, k->col);
		if (!version && edn_str(v, "path")) {
			if (copy_local_pod(o, k, edn_str(v, "path"), layer, err))
				return -1;
			continue;
		}
		if (!version)
			return error_set(err, EXIT_USAGE, "%s:%d:%d: pod %s needs {:version \"...\"} or {:path \"...\"}",
					 o->deps_file, v->line, v->col, k->text);
		if (check_pod(o->deps_file, k, k->text, version, err) ||
		    fetch_pod(fetch, o->registry ? o->registry : POD_REGISTRY, k->text, version, o->arch, layer, err))
			return -1;
	}
	return 0;
}

/*
 * The layer's tree (layer) and the resolver's work tree (work), empty, in
 * target/: an interrupt removes both (after stopping a resolver still
 * writing there).
 */
static int stage_trees(const struct deps_layer_opts *o, struct buf *layer, struct buf *work, struct error *err)
{
	char *cwd = getcwd(NULL, 0);

	buf_addf(layer, "%s/%s/.deps-layer-%s", cwd, o->out_dir, o->arch);
	buf_addf(work, "%s/%s/.deps-resolve-%s", cwd, o->out_dir, o->arch);
	free(cwd);
	if (fs_remove_tree(layer->ptr, NULL) || fs_remove_tree(work->ptr, NULL))
		return error_set(err, EXIT_FAIL, "cannot clear '%s' and '%s' for a new deps layer: %s", layer->ptr,
				 work->ptr, strerror(errno));
	fs_temp_register_tree(layer->ptr);
	fs_temp_register_tree(work->ptr);
	return fs_mkdirs(layer->ptr, 0755, err) || fs_mkdirs(work->ptr, 0755, err) ? -1 : 0;
}

static void unstage_tree(const struct deps_layer_opts *o, const struct buf *tree)
{
	if (!tree->len)
		return;
	if (fs_remove_tree(tree->ptr, NULL))
		observe_note(o->obs, NOTE_WARNING, "could not remove '%s': %s", tree->ptr, strerror(errno));
	fs_temp_unregister(tree->ptr);
}

int deps_layer_build(const struct deps_layer_opts *o, struct http_fetcher *fetch, struct artifact *out, int *none,
		     struct error *err)
{
	struct buf text = BUF_INIT, layer = BUF_INIT, work = BUF_INIT;
	char inputs[SHA256_HEX_LEN + 1];
	const struct edn *deps, *pods;
	struct edn *root = NULL;
	struct tree files = { 0 };
	int r = -1;

	*none = 0;
	artifact_init(out, "deps-layer", o->out_dir, o->arch);
	if (read_deps_file(o, &text, &root, &deps, &pods, err))
		goto out;
	if (!nonempty_map(deps) && !nonempty_map(pods)) {
		*none = 1;
		r = 0;
		goto out;
	}
	layer_inputs(o, deps, pods, inputs);
	if (!artifact_should_build(out, inputs, o->force, o->dry_run)) {
		r = 0;
		goto out;
	}
	observe_note(o->obs, NOTE_INFO, "Building %s", out->path);
	if (stage_trees(o, &layer, &work, err) || (nonempty_map(deps) && resolve_deps(o, deps, layer.ptr, work.ptr, err)) ||
	    add_pods(o, pods, fetch, layer.ptr, err))
		goto out;
	if (tree_collect(layer.ptr, "", NULL, NULL, &files, err) || tree_sort_unique(&files, "the deps layer", err) ||
	    tree_zip(&files, out->path, ZIP_LEVEL_DEFAULT, err) || artifact_record(out, inputs, err))
		goto out;
	out->built = 1;
	r = 0;
out:
	unstage_tree(o, &layer);
	unstage_tree(o, &work);
	tree_release(&files);
	edn_free(root);
	buf_release(&text);
	buf_release(&layer);
	buf_release(&work);
	return r;
}
