#include "package/function_zip.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fs.h"
#include "core/suggest.h"
#include "core/xalloc.h"
#include "package/tree.h"
#include "package/zip.h"

#define ZIP_FORMAT "function/1"

static const char *const skipped_dirs[] = { ".git", "target", ".cpcache", NULL };
static const char *const backups[] = { "*~", ".#*", "#*#", "*.swp", "*.swo", ".DS_Store", NULL };

static int ignored_by(const struct strlist *patterns, const char *relpath, const char *name, int is_dir)
{
	for (size_t i = 0; i < patterns->nr; i++) {
		char *p = patterns->items[i];
		size_t n = strlen(p);
		int dir_only = n > 1 && p[n - 1] == '/';
		char *pat = xstrndup(p + (p[0] == '/'), n - (p[0] == '/') - (size_t)dir_only);
		int hit;

		if (dir_only && !is_dir) {
			free(pat);
			continue;
		}
		if (strchr(p, '/') && !(dir_only && !strchr(pat, '/')))
			hit = !fnmatch(pat, relpath, FNM_PATHNAME);
		else
			hit = !fnmatch(pat, name, 0);
		free(pat);
		if (hit)
			return 1;
	}
	return 0;
}

static int skip(const struct strlist *ignore, const char *relpath, const char *name, int is_dir)
{
	if (is_dir)
		for (size_t i = 0; skipped_dirs[i]; i++)
			if (!strcmp(name, skipped_dirs[i]))
				return 1;
	if (!is_dir)
		for (size_t i = 0; backups[i]; i++)
			if (!fnmatch(backups[i], name, 0))
				return 1;
	return ignored_by(ignore, relpath, name, is_dir);
}

static int skip_cb(void *ctx, const char *path, const char *name, int is_dir)
{
	return skip(ctx, path, name, is_dir);
}

static void read_ignore_file(struct strlist *out)
{
	struct buf text = BUF_INIT;
	char *line, *save = NULL;

	if (fs_read_file(".blambdaignore", &text, 1 << 20))
		return;
	for (line = strtok_r(text.ptr, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);

		while (n && (line[n - 1] == ' ' || line[n - 1] == '\r' || line[n - 1] == '\t'))
			line[--n] = '\0';
		if (n && line[0] != '#')
			strlist_add(out, line);
	}
	buf_release(&text);
}

static const char *const clj_exts[] = { ".clj", ".cljc", ".bb" };

/* name without a Clojure extension, as a namespace (a/b_c.clj -> a.b-c) into out; 0 when it is no Clojure file */
static int name_to_ns(const char *name, struct buf *out)
{
	size_t n = strlen(name);

	for (size_t k = 0; k < sizeof(clj_exts) / sizeof(*clj_exts); k++) {
		size_t e = strlen(clj_exts[k]);

		if (n > e && !strcmp(name + n - e, clj_exts[k])) {
			buf_reset(out);
			for (size_t i = 0; i < n - e; i++)
				buf_addch(out, name[i] == '/' ? '.' : name[i] == '_' ? '-' : name[i]);
			return 1;
		}
	}
	return 0;
}

static int symbol_char(char c)
{
	return c && !strchr(" \t\r\n,()[]{}\"';@^`~\\", c);
}

/*
 * The names def'd at the start of a form ((defn NAME, (def NAME, (defn- ...,
 * metadata skipped) into defs; whether fn appears as a symbol anywhere
 */
static int scan_defs(const char *text, const char *fn, struct strlist *defs)
{
	size_t fl = strlen(fn);
	int named = 0;

	for (const char *p = text; *p; p++) {
		if (*p == ';') { /* a comment, to the end of its line */
			p += strcspn(p, "\n");
			if (!*p)
				break;
			continue;
		}
		if (!strncmp(p, fn, fl) && !symbol_char(p[fl]) && (p == text || !symbol_char(p[-1])))
			named = 1;
		if (p[0] == '(' && !strncmp(p + 1, "def", 3)) {
			const char *q = p + 4, *s;

			while (symbol_char(*q)) /* defn, defn-, defmacro, defmulti... */
				q++;
			for (;;) {
				q += strspn(q, " \t\r\n,");
				if (*q != '^')
					break;
				q++; /* ^:kw, ^Type: one token; ^{...}: to its brace */
				if (*q == '{')
					q += strcspn(q, "}");
				while (symbol_char(*q) || *q == ':' || *q == '}')
					q++;
			}
			for (s = q; symbol_char(*s); s++)
				;
			if (s > q && defs->nr < 10000)
				strlist_add_owned(defs, xstrndup(q, (size_t)(s - q)));
		}
	}
	return named;
}

int function_zip_check_handler(const char *handler, const char *origin, const char *const *names, size_t n,
			       int (*read)(void *ctx, const char *name, struct buf *text), void *ctx,
			       struct error *err)
{
	const char *slash = strrchr(handler, '/'), *fn, *file = NULL, *s;
	struct strlist nss = STRLIST_INIT, defs = STRLIST_INIT;
	struct buf ns = BUF_INIT, path = BUF_INIT, text = BUF_INIT;
	int r = 0;

	if (!slash) /* the configuration's check says what a handler looks like */
		return 0;
	fn = slash + 1;
	for (const char *c = handler; c < slash; c++)
		buf_addch(&path, *c == '.' ? '/' : *c == '-' ? '_' : *c);
	for (size_t k = 0; !file && k < sizeof(clj_exts) / sizeof(*clj_exts); k++)
		for (size_t i = 0; !file && i < n; i++)
			if (!strncmp(names[i], path.ptr, path.len) && !strcmp(names[i] + path.len, clj_exts[k]))
				file = names[i];
	if (!file) {
		for (size_t i = 0; i < n; i++)
			if (name_to_ns(names[i], &ns))
				strlist_add(&nss, ns.ptr);
		buf_reset(&ns);
		buf_add(&ns, handler, (size_t)(slash - handler));
		r = error_set(err, EXIT_USAGE, "handler '%s' (function.handler, %s): namespace %s is not in the function "
			      "zip (no %s.clj in the source paths)", handler, origin, ns.ptr, path.ptr);
		if ((s = suggest(ns.ptr, (const char *const *)nss.items, nss.nr)))
			error_hint(err, "did you mean namespace '%s' (handler '%s/%s')?", s, s, fn);
		goto out;
	}
	if (read(ctx, file, &text)) /* unreadable here: the zip's build says so */
		goto out;
	if (!scan_defs(text.ptr, fn, &defs)) {
		r = error_set(err, EXIT_USAGE, "handler '%s' (function.handler, %s): %s defines no '%s'", handler, origin,
			      file, fn);
		if ((s = suggest(fn, (const char *const *)defs.items, defs.nr)))
			error_hint(err, "did you mean '%s' (handler '%.*s/%s')?", s, (int)(slash - handler), handler, s);
	}
out:
	strlist_clear(&nss);
	strlist_clear(&defs);
	buf_release(&ns);
	buf_release(&path);
	buf_release(&text);
	return r;
}

/* A zip entry's text, from its file on disk (the tree's entry of that name) */
static int read_entry(void *ctx, const char *name, struct buf *text)
{
	const struct tree *e = ctx;

	for (size_t i = 0; i < e->nr; i++)
		if (!strcmp(e->items[i].name, name))
			return fs_read_file(e->items[i].path, text, 4 << 20);
	return -1;
}

int function_zip_build(const struct function_zip_opts *o, struct artifact *out, struct error *err)
{
	struct tree e = { 0 };
	struct strlist ignore = STRLIST_INIT;
	struct buf inputs_text = BUF_INIT;
	char inputs[SHA256_HEX_LEN + 1];
	int r = -1;

	artifact_init(out, "function", o->out_dir, o->arch);
	read_ignore_file(&ignore);
	for (size_t i = 0; i < o->source_paths->nr; i++) {
		const char *sp = o->source_paths->items[i];
		struct stat st;

		if (stat(sp, &st) || !S_ISDIR(st.st_mode)) {
			error_set(err, EXIT_USAGE, "source path '%s' (function.source-paths, %s) %s", sp, o->origin,
				  errno == ENOENT ? "does not exist" : "is not a directory");
			goto out;
		}
		if (tree_collect(sp, "", skip_cb, &ignore, &e, err))
			goto out;
	}
	if (tree_sort_unique(&e, "the function zip", err))
		goto out;
	/* bb reads a bb.edn in its working directory, /var/task, at start: its :pods and :deps would be processed in Lambda */
	for (size_t i = 0; i < e.nr; i++) {
		if (strcmp(e.items[i].name, "bb.edn"))
			continue;
		observe_note(o->obs, NOTE_INFO, "leaving '%s' out of the function zip: at /var/task/bb.edn bb would read "
			     "it at start and process its :deps and :pods in Lambda (the deps layer carries them)",
			     e.items[i].path);
		free(e.items[i].name);
		free(e.items[i].path);
		memmove(&e.items[i], &e.items[i + 1], (e.nr - i - 1) * sizeof(e.items[0]));
		e.nr--;
		break;
	}
	if (!e.nr) {
		error_set(err, EXIT_USAGE, "the source paths (%s) hold no files", o->origin);
		goto out;
	}
	for (size_t h = 0; o->handlers && h < o->handlers->nr; h++) {
		const char **names = xcalloc(e.nr, sizeof(*names));
		int bad;

		for (size_t i = 0; i < e.nr; i++)
			names[i] = e.items[i].name;
		bad = function_zip_check_handler(o->handlers->items[h], o->handler_origins->items[h], names, e.nr,
						 read_entry, &e, err);
		free(names);
		if (bad)
			goto out;
	}
	buf_addf(&inputs_text, "%s\nlevel %d\n", ZIP_FORMAT, ZIP_LEVEL_DEFAULT);
	for (size_t i = 0; i < e.nr; i++) {
		char sha[SHA256_HEX_LEN + 1];

		if (sha256_file_hex(e.items[i].path, sha)) {
			error_set(err, EXIT_FAIL, "cannot read '%s': %s", e.items[i].path, strerror(errno));
			goto out;
		}
		buf_addf(&inputs_text, "%s %o %s\n", sha, (unsigned)e.items[i].mode, e.items[i].name);
	}
	sha256_hex(inputs_text.ptr, inputs_text.len, inputs);
	if (!artifact_should_build(out, inputs, o->force, o->dry_run)) {
		r = 0;
		goto out;
	}
	observe_note(o->obs, NOTE_INFO, "Building %s (%zu file%s)", out->path, e.nr, e.nr == 1 ? "" : "s");
	if (fs_mkdirs(o->out_dir, 0755, err) || tree_zip(&e, out->path, ZIP_LEVEL_DEFAULT, err) ||
	    artifact_record(out, inputs, err))
		goto out;
	out->built = 1;
	r = 0;
out:
	tree_release(&e);
	strlist_clear(&ignore);
	buf_release(&inputs_text);
	return r;
}
