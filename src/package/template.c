#include "package/template.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/array.h"
#include "core/fs.h"
#include "core/suggest.h"
#include "core/xalloc.h"

#define TEMPLATE(path, i)                                      \
	extern const unsigned char blambda_template_##i[];    \
	extern const unsigned char blambda_template_##i##_end[];
#include "templates.inc"
#undef TEMPLATE

static const struct {
	const char *path;
	const unsigned char *start, *end;
} embedded[] = {
#define TEMPLATE(path, i) { path, blambda_template_##i, blambda_template_##i##_end },
#include "templates.inc"
#undef TEMPLATE
};

#define CI_TEMPLATE(set, path, i)                               \
	extern const unsigned char blambda_template_##i[];    \
	extern const unsigned char blambda_template_##i##_end[];
#include "templates_ci.inc"
#undef CI_TEMPLATE

/* What new-function --ci SET adds: files under templates/ci/SET, each written as ".PATH" */
static const struct {
	const char *set, *path;
	const unsigned char *start, *end;
} ci_embedded[] = {
#define CI_TEMPLATE(set, path, i) { set, path, blambda_template_##i, blambda_template_##i##_end },
#include "templates_ci.inc"
#undef CI_TEMPLATE
};

size_t template_embedded_count(void)
{
	return ARRAY_SIZE(embedded);
}

void rendered_set_release(struct rendered_set *s)
{
	for (size_t i = 0; i < s->nr; i++) {
		free(s->items[i].path);
		buf_release(&s->items[i].text);
	}
	free(s->items);
	memset(s, 0, sizeof(*s));
}

/* The first "}}" in [p, p + n), or NULL. */
static const char *find_close(const char *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (p[i] == '}' && p[i + 1] == '}')
			return p + i;
	return NULL;
}

/* Substitute {{var}} in text; `where` names the template file for messages. */
int template_substitute(const char *where, const char *text, size_t len, const struct kvlist *vars, struct buf *out,
			struct error *err)
{
	int line = 1;

	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n')
			line++;
		if (text[i] == '{' && i + 1 < len && text[i + 1] == '{') {
			const char *end = find_close(text + i + 2, len - i - 2);
			char *name;
			const char *v;

			if (!end)
				return error_set(err, EXIT_USAGE, "template '%s':%d: '{{' without '}}'", where, line);
			name = xstrndup(text + i + 2, (size_t)(end - text - i - 2));
			v = kvlist_get(vars, name);
			if (!v) {
				const char **names = xcalloc(vars->nr + 1, sizeof(*names));
				const char *s;

				for (size_t k = 0; k < vars->nr; k++)
					names[k] = vars->items[k].key;
				s = suggest(name, names, vars->nr);
				if (s)
					error_set(err, EXIT_USAGE, "template '%s':%d: unknown variable '{{%s}}' (did you mean '{{%s}}'?)",
						     where, line, name, s);
				else
					error_set(err, EXIT_USAGE, "template '%s':%d: unknown variable '{{%s}}'", where, line, name);
				free(names);
				free(name);
				return -1;
			}
			buf_adds(out, v);
			free(name);
			i = (size_t)(end - text) + 1;
			continue;
		}
		buf_addch(out, text[i]);
	}
	return 0;
}

/* The output path of a template path: NAME components and gitignore renamed, variables substituted. */
static int output_path(const char *tpath, const struct kvlist *vars, struct buf *out, struct error *err)
{
	struct buf raw = BUF_INIT;
	const char *p = tpath;
	int r;

	while (*p) {
		size_t n = strcspn(p, "/");
		const char *dot = memchr(p, '.', n);
		size_t stem = dot ? (size_t)(dot - p) : n;

		if (stem >= 4 && !strncmp(p, "NAME", 4)) {
			/* NAME, NAME.clj, NAME_test.clj */
			buf_adds(&raw, kvlist_get(vars, "file"));
			buf_add(&raw, p + 4, n - 4);
		} else if (n == 9 && !strncmp(p, "gitignore", 9)) {
			buf_adds(&raw, ".gitignore");
		} else {
			buf_add(&raw, p, n);
		}
		p += n;
		if (*p) {
			buf_addch(&raw, '/');
			p++;
		}
	}
	r = template_substitute(tpath, raw.ptr, raw.len, vars, out, err);
	buf_release(&raw);
	return r;
}

static int add_rendered(struct rendered_set *s, const char *tpath, const char *text, size_t len, mode_t mode,
			const struct kvlist *vars, struct error *err)
{
	struct rendered r = { NULL, BUF_INIT, mode };
	struct buf path = BUF_INIT;

	if (output_path(tpath, vars, &path, err) || template_substitute(tpath, text, len, vars, &r.text, err)) {
		buf_release(&path);
		buf_release(&r.text);
		return -1;
	}
	r.path = buf_detach(&path);
	XGROW(s->items, s->alloc, s->nr + 1);
	s->items[s->nr++] = r;
	return 0;
}

/* A template is a few directories deep; deeper is a mistake (or a loop) */
#define TEMPLATE_MAX_DEPTH 32

/*
 * A symbolic link in a template is followed only to a regular file inside
 * the template: a link out of it would copy any readable file (a key, a
 * password file) into the new project. `real_root` is the template's
 * resolved path.
 */
static int check_link(const char *real_root, const char *full, const char *sub, struct stat *st, struct error *err)
{
	char *target = realpath(full, NULL);
	size_t n = strlen(real_root);
	int inside = target && !strncmp(target, real_root, n) && (target[n] == '/' || !target[n]);

	if (!target)
		return error_set(err, EXIT_USAGE, "template file '%s' is a link to nothing", sub);
	if (!inside || stat(target, st) || !S_ISREG(st->st_mode)) {
		error_set(err, EXIT_USAGE, "template file '%s' is a link to '%s'%s", sub, target,
			     !inside ? ", outside the template: not followed" : ", not a file: not followed");
		free(target);
		return -1;
	}
	free(target);
	return 0;
}

static int walk(const char *root, const char *real_root, const char *rel, int depth, const struct kvlist *vars,
		struct rendered_set *out, struct error *err)
{
	struct buf dir = BUF_INIT;
	struct dirent **names;
	int n, r = 0;

	if (depth > TEMPLATE_MAX_DEPTH)
		return error_set(err, EXIT_USAGE, "template directory '%s' nests more than %d directories deep", root,
				    TEMPLATE_MAX_DEPTH);
	buf_addf(&dir, "%s%s%s", root, *rel ? "/" : "", rel);
	n = scandir(dir.ptr, &names, NULL, alphasort);
	if (n < 0) {
		r = error_set(err, EXIT_USAGE, "cannot read template directory '%s': %s", dir.ptr, strerror(errno));
		buf_release(&dir);
		return r;
	}
	for (int i = 0; i < n; i++) {
		struct buf full = BUF_INIT, sub = BUF_INIT, text = BUF_INIT;
		struct stat st;
		const char *name = names[i]->d_name;

		if (!r && strcmp(name, ".") && strcmp(name, "..")) {
			buf_addf(&sub, "%s%s%s", rel, *rel ? "/" : "", name);
			buf_addf(&full, "%s/%s", root, sub.ptr);
			if (lstat(full.ptr, &st)) {
				r = error_set(err, EXIT_FAIL, "cannot read '%s': %s", full.ptr, strerror(errno));
			} else if (S_ISLNK(st.st_mode) && check_link(real_root, full.ptr, sub.ptr, &st, err)) {
				r = -1;
			} else if (S_ISDIR(st.st_mode)) {
				r = walk(root, real_root, sub.ptr, depth + 1, vars, out, err);
			} else if (S_ISREG(st.st_mode)) {
				if (fs_read_file(full.ptr, &text, 16u << 20))
					r = error_set(err, EXIT_FAIL, "cannot read '%s': %s", full.ptr, strerror(errno));
				else
					r = add_rendered(out, sub.ptr, text.ptr, text.len, st.st_mode & 0111 ? 0755 : 0644, vars, err);
			}
		}
		buf_release(&full);
		buf_release(&sub);
		buf_release(&text);
		free(names[i]);
	}
	free(names);
	buf_release(&dir);
	return r;
}

/* Two template files that render to one path, or to a file and a directory of the same name. */
static int check_collisions(const struct rendered_set *s, struct error *err)
{
	for (size_t i = 0; i < s->nr; i++) {
		for (size_t k = 0; k < s->nr; k++) {
			const char *a = s->items[i].path, *b = s->items[k].path;
			size_t n = strlen(a);

			if (i < k && !strcmp(a, b))
				return error_set(err, EXIT_USAGE, "two template files would both be '%s'", a);
			if (i != k && !strncmp(a, b, n) && b[n] == '/')
				return error_set(err, EXIT_USAGE, "the template makes '%s' a file and a directory (of '%s')", a,
						    b);
		}
	}
	return 0;
}

int template_render(const char *dir, const struct kvlist *vars, struct rendered_set *out, struct error *err)
{
	memset(out, 0, sizeof(*out));
	if (dir) {
		char *real_root = realpath(dir, NULL);
		int bad;

		if (!real_root) {
			error_set(err, EXIT_USAGE, "cannot read template directory '%s': %s", dir, strerror(errno));
			goto fail;
		}
		bad = walk(dir, real_root, "", 0, vars, out, err);
		free(real_root);
		if (bad)
			goto fail;
		if (!out->nr) {
			error_set(err, EXIT_USAGE, "template directory '%s' holds no files", dir);
			goto fail;
		}
	} else {
		for (size_t i = 0; i < template_embedded_count(); i++)
			if (add_rendered(out, embedded[i].path, (const char *)embedded[i].start,
					 (size_t)(embedded[i].end - embedded[i].start), 0644, vars, err))
				goto fail;
	}
	if (check_collisions(out, err))
		goto fail;
	return 0;
fail:
	rendered_set_release(out);
	return -1;
}

int template_render_ci(const char *set, const struct kvlist *vars, struct rendered_set *out, struct error *err)
{
	size_t before = out->nr;

	for (size_t i = 0; i < ARRAY_SIZE(ci_embedded); i++) {
		char *dotted;

		if (strcmp(ci_embedded[i].set, set))
			continue;
		if (add_rendered(out, ci_embedded[i].path, (const char *)ci_embedded[i].start,
				 (size_t)(ci_embedded[i].end - ci_embedded[i].start), 0644, vars, err))
			return -1;
		dotted = buf_fmt(".%s", out->items[out->nr - 1].path); /* github/... is .github/... */
		free(out->items[out->nr - 1].path);
		out->items[out->nr - 1].path = dotted;
	}
	if (out->nr == before)
		return error_set(err, EXIT_USAGE, "there is no CI template '%s'", set);
	return check_collisions(out, err);
}
