#include "package/scaffold.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "core/fs.h"
#include "core/xalloc.h"

int scaffold_check_name(const char *name, struct error *err)
{
	size_t n = strlen(name);
	int ok = n > 0 && n <= 64 && isalpha((unsigned char)name[0]);

	for (size_t i = 0; ok && i < n; i++)
		ok = isalnum((unsigned char)name[i]) || name[i] == '-' || name[i] == '_';
	if (ok && (strstr(name, "--") || name[n - 1] == '-'))
		ok = 0;
	if (!ok)
		return error_set(err, EXIT_USAGE, "'%s' cannot name a function: use 1 to 64 letters, digits, '-' and '_', "
				 "starting with a letter (it is both the Lambda function's name and its namespace)", name);
	return 0;
}

int scaffold_check_ns(const char *ns, struct error *err)
{
	size_t n = strlen(ns);
	int ok = n > 0 && n <= 200;

	for (const char *seg = ns; ok; seg += strcspn(seg, ".") + 1) {
		size_t len = strcspn(seg, ".");

		ok = len > 0 && isalpha((unsigned char)seg[0]) && seg[len - 1] != '-';
		for (size_t i = 0; ok && i < len; i++)
			ok = isalnum((unsigned char)seg[i]) || seg[i] == '-' || seg[i] == '_';
		if (!seg[len])
			break;
	}
	if (!ok)
		return error_set(err, EXIT_USAGE, "'%s' cannot name the handler's namespace: use segments of letters, digits, "
				 "'-' and '_' joined by '.', each starting with a letter (my.app.core), at most 200 "
				 "characters", ns);
	return 0;
}

/*
 * The blambda.yml of a project that dir would land inside (in a directory
 * above it), into out; 0 when there is none
 */
static int enclosing_project(const char *dir, struct buf *out)
{
	struct buf path = BUF_INIT;
	char cwd[4096];
	int found = 0;

	if (dir[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd)))
			return 0;
		buf_addf(&path, "%s/", strcmp(cwd, "/") ? cwd : "");
	}
	buf_adds(&path, dir);
	for (;;) {
		char *slash = strrchr(path.ptr, '/');

		if (!slash)
			break;
		path.len = (size_t)(slash - path.ptr);
		buf_adds(&path, "/blambda.yml");
		if (!access(path.ptr, F_OK)) {
			buf_add(out, path.ptr, path.len);
			found = 1;
			break;
		}
		path.len = (size_t)(slash - path.ptr);
		path.ptr[path.len] = '\0';
	}
	buf_release(&path);
	return found;
}

void scaffold_result_release(struct scaffold_result *r)
{
	free(r->dir);
	free(r->handler);
	rendered_set_release(&r->files);
	memset(r, 0, sizeof(*r));
}

/* Creates the parent directories of dir/rel. */
static int mkparents(const char *dir, const char *rel, struct error *err)
{
	struct buf p = BUF_INIT;
	const char *slash = strrchr(rel, '/');
	int r = 0;

	if (slash) {
		buf_addf(&p, "%s/%.*s", dir, (int)(slash - rel), rel);
		r = fs_mkdirs(p.ptr, 0755, err);
	}
	buf_release(&p);
	return r;
}

static int write_all(const char *dir, const struct rendered_set *files, struct error *err)
{
	struct buf path = BUF_INIT;
	int r = 0;

	for (size_t i = 0; !r && i < files->nr; i++) {
		buf_reset(&path);
		buf_addf(&path, "%s/%s", dir, files->items[i].path);
		r = mkparents(dir, files->items[i].path, err) ||
		    fs_write_atomic(path.ptr, files->items[i].text.ptr, files->items[i].text.len, files->items[i].mode, err);
	}
	buf_release(&path);
	return r;
}

static const char *or_default(const char *v, enum cfg_id id)
{
	return v ? v : cfg_keys[id].def;
}

/* The template's variables; the values checked as blambda.yml's are. */
static int template_vars(const struct scaffold_opts *o, const char *handler, struct kvlist *vars, struct error *err)
{
	struct buf file = BUF_INIT, why = BUF_INIT;
	int r = 0;

	buf_adds(&file, o->ns ? o->ns : o->name);
	for (char *c = file.ptr; *c; c++)
		if (*c == '-')
			*c = '_';
		else if (*c == '.')
			*c = '/';
	kvlist_set(vars, "name", o->name);
	kvlist_set(vars, "ns", o->ns ? o->ns : o->name);
	kvlist_set(vars, "file", file.ptr);
	kvlist_set(vars, "handler", handler);
	kvlist_set(vars, "arch", or_default(o->arch, CFG_FUNCTION_ARCHITECTURE));
	kvlist_set(vars, "bb_version", or_default(o->bb_version, CFG_BABASHKA_VERSION));
	kvlist_set(vars, "memory", or_default(o->memory, CFG_FUNCTION_MEMORY));
	kvlist_set(vars, "timeout", or_default(o->timeout, CFG_FUNCTION_TIMEOUT));
	kvlist_set(vars, "gh", "${{"); /* a GitHub Actions expression opens with it */
	if (cfg_keys[CFG_BABASHKA_VERSION].check(NULL, kvlist_get(vars, "bb_version"), &why))
		r = error_set(err, EXIT_USAGE, "option '--bb-version': %s", why.ptr);
	buf_release(&file);
	buf_release(&why);
	return r;
}

/* Into an existing directory: no file there is overwritten unless forced. */
static int check_conflicts(const char *dir, const struct rendered_set *files, struct error *err)
{
	struct buf conflicts = BUF_INIT, p = BUF_INIT;
	int r = 0;

	for (size_t i = 0; i < files->nr; i++) {
		buf_reset(&p);
		buf_addf(&p, "%s/%s", dir, files->items[i].path);
		if (!access(p.ptr, F_OK))
			buf_addf(&conflicts, "%s%s", conflicts.len ? ", " : "", p.ptr);
	}
	if (conflicts.len) {
		error_set(err, EXIT_USAGE, "would overwrite %s", conflicts.ptr);
		r = error_hint(err, "use --force to overwrite them, or --dir to make the project elsewhere");
	}
	buf_release(&p);
	buf_release(&conflicts);
	return r;
}

/* A new directory appears whole or not at all: built aside, then renamed (an interrupt leaves nothing). */
static int write_new_dir(const struct scaffold_opts *o, const char *dir, const struct rendered_set *files,
			 struct error *err)
{
	const char *slash = strrchr(dir, '/');
	struct buf tmp = BUF_INIT;
	char *left = NULL;
	int r = -1;

	if (slash && slash != dir) {
		char *parent = xstrndup(dir, (size_t)(slash - dir));
		int bad = fs_mkdirs(parent, 0755, err);

		free(parent);
		if (bad)
			return -1;
	}
	buf_addf(&tmp, "%s.tmp-XXXXXX", dir);
	if (!mkdtemp(tmp.ptr)) {
		error_set(err, EXIT_FAIL, "cannot create '%s': %s", tmp.ptr, strerror(errno));
		goto out;
	}
	fs_temp_register_tree(tmp.ptr);
	if (write_all(tmp.ptr, files, err)) {
		r = -1;
	} else if (chmod(tmp.ptr, 0755) || rename(tmp.ptr, dir)) {
		r = error_set(err, EXIT_FAIL, "cannot create '%s': %s", dir, strerror(errno));
	} else {
		r = 0;
	}
	if (r) {
		if (fs_remove_tree(tmp.ptr, &left))
			observe_note(o->obs, NOTE_WARNING, "could not remove '%s': %s", left ? left : tmp.ptr,
				     strerror(errno));
	}
	fs_temp_unregister(tmp.ptr);
out:
	free(left);
	buf_release(&tmp);
	return r;
}

/*
 * Into an existing directory: the entries the project adds there (files,
 * and folders it makes) are removed again when the writing fails or is
 * interrupted, so what was there before is all that is left; a file
 * overwritten with --force stays overwritten.
 */
static int write_into(const struct scaffold_opts *o, const char *dir, const struct rendered_set *files,
		      struct error *err)
{
	struct strlist fresh = STRLIST_INIT;
	struct buf p = BUF_INIT;
	int r;

	for (size_t i = 0; i < files->nr; i++) {
		const char *rel = files->items[i].path;

		buf_reset(&p);
		buf_addf(&p, "%s/%.*s", dir, (int)strcspn(rel, "/"), rel);
		/* a handful: the interrupt handler keeps 16, and atomic writes take one each */
		if (access(p.ptr, F_OK) && !strlist_has(&fresh, p.ptr) && fresh.nr < 12) {
			strlist_add(&fresh, p.ptr);
			fs_temp_register_tree(p.ptr);
		}
	}
	r = write_all(dir, files, err);
	for (size_t i = 0; i < fresh.nr; i++) {
		if (r && fs_remove_tree(fresh.items[i], NULL))
			observe_note(o->obs, NOTE_WARNING, "could not remove '%s': %s", fresh.items[i], strerror(errno));
		fs_temp_unregister(fresh.items[i]);
	}
	strlist_clear(&fresh);
	buf_release(&p);
	return r;
}

int scaffold_create(const struct scaffold_opts *o, struct scaffold_result *out, struct error *err)
{
	struct kvlist vars = KVLIST_INIT;
	struct stat st;
	size_t len;
	int exists, r = -1;

	struct buf outer = BUF_INIT;

	memset(out, 0, sizeof(*out));
	if (scaffold_check_name(o->name, err) || (o->ns && scaffold_check_ns(o->ns, err)))
		return -1;
	/* "out/" is the directory "out": the new one is built beside it, not inside */
	out->dir = xstrdup(o->dir ? o->dir : o->name);
	for (len = strlen(out->dir); len > 1 && out->dir[len - 1] == '/'; len--)
		out->dir[len - 1] = '\0';
	if (!o->force && enclosing_project(out->dir, &outer)) {
		error_set(err, EXIT_USAGE, "'%s' would be inside the project of %s", out->dir, outer.ptr);
		error_hint(err, "to add a function to that project, list it under functions: in its blambda.yml; for "
			   "a project of its own, make it elsewhere (--dir PATH), or nest it anyway with --force");
		buf_release(&outer);
		goto out;
	}
	out->handler = buf_fmt("%s/handler", o->ns ? o->ns : o->name);
	if (template_vars(o, out->handler, &vars, err) || template_render(o->template_dir, &vars, &out->files, err) ||
	    (o->ci && template_render_ci(o->ci, &vars, &out->files, err)))
		goto out;
	exists = !stat(out->dir, &st);
	if (exists && !S_ISDIR(st.st_mode))
		error_set(err, EXIT_USAGE, "'%s' exists and is not a directory", out->dir);
	else if (!exists)
		r = write_new_dir(o, out->dir, &out->files, err);
	else if (o->force || !check_conflicts(out->dir, &out->files, err))
		r = write_into(o, out->dir, &out->files, err);
out:
	kvlist_clear(&vars);
	if (r)
		scaffold_result_release(out);
	return r ? -1 : 0;
}
