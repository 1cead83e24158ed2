/*
 * function.environment-file: a dotenv file of environment variables, read
 * into the function's environment when its functions are selected. Its
 * values are secrets: no message quotes them, only names and line numbers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/internal.h"
#include "core/fs.h"
#include "core/strlist.h"
#include "core/xalloc.h"

/* a dotenv of the 4 KB Lambda allows, with comments to spare */
#define DOTENV_MAX_BYTES (64 * 1024)

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/*
 * One value (after the '='): 'literal', "with \n \" \\ escapes", or bare
 * (trimmed, a " #" starts a comment). -1 with why for an unterminated quote
 * or text after the closing one.
 */
static int read_value(const char *p, const char *end, struct buf *out, struct buf *why)
{
	p = skip_blanks(p, end);
	if (p < end && (*p == '\'' || *p == '"')) {
		char q = *p++;

		for (; p < end && *p != q; p++) {
			if (q == '"' && *p == '\\' && p + 1 < end) {
				p++;
				buf_addch(out, *p == 'n' ? '\n' : *p == 't' ? '\t' : *p == 'r' ? '\r' : *p);
			} else {
				buf_addch(out, *p);
			}
		}
		if (p == end) {
			buf_addf(why, "its value's quote (%c) is not closed on its line", q);
			return -1;
		}
		p = skip_blanks(p + 1, end);
		if (p < end && *p != '#') {
			buf_adds(why, "text after the value's closing quote");
			return -1;
		}
		return 0;
	}
	{
		const char *stop = p;

		for (const char *c = p; c < end; c++) {
			if (*c == '#' && (c == p || c[-1] == ' ' || c[-1] == '\t'))
				break;
			stop = c + 1;
		}
		while (stop > p && (stop[-1] == ' ' || stop[-1] == '\t'))
			stop--;
		buf_add(out, p, (size_t)(stop - p));
	}
	return 0;
}

int config_dotenv_parse(const char *path, const char *text, size_t len, struct kvlist *out, struct error *err)
{
	const struct cfg_key *k = &cfg_keys[CFG_FUNCTION_ENVIRONMENT];
	const char *p = text, *end = text + len;
	struct buf name = BUF_INIT, value = BUF_SECRET, why = BUF_INIT;
	int line = 0, r = 0;

	if (memchr(text, '\0', len))
		return error_set(err, EXIT_USAGE, "%s: not a text file (it holds a NUL byte)", path);
	for (; !r && p < end; p++) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *eq, *c;

		if (!eol)
			eol = end;
		line++;
		c = skip_blanks(p, eol);
		if (eol > c && eol[-1] == '\r')
			eol--;
		if (c == eol || *c == '#') {
			p = eol < end && *eol == '\r' ? eol + 1 : eol;
			continue;
		}
		if ((size_t)(eol - c) > 7 && !strncmp(c, "export ", 7))
			c = skip_blanks(c + 7, eol);
		eq = memchr(c, '=', (size_t)(eol - c));
		buf_reset(&name);
		buf_reset(&value);
		if (!eq) {
			r = error_set(err, EXIT_USAGE, "%s:%d: expected NAME=VALUE", path, line);
			break;
		}
		buf_add(&name, c, (size_t)(eq - c));
		while (name.len && (name.ptr[name.len - 1] == ' ' || name.ptr[name.len - 1] == '\t'))
			name.ptr[--name.len] = '\0';
		if (k->check(name.ptr, "", &why)) {
			/* not echoed: a line of a value that runs over several lines may be what it holds */
			r = error_set(err, EXIT_USAGE, "%s:%d: not a variable name Lambda takes (a letter, then letters, digits "
				      "and '_'; not one Lambda reserves)", path, line);
			error_hint(err, "a value over several lines goes in \"double quotes\", its line breaks written \\n");
			break;
		}
		if (read_value(eq + 1, eol, &value, &why)) {
			r = error_set(err, EXIT_USAGE, "%s:%d: %s: %s", path, line, name.ptr, why.ptr);
			break;
		}
		if (kvlist_get(out, name.ptr)) {
			r = error_set(err, EXIT_USAGE, "%s:%d: %s is set twice in the file", path, line, name.ptr);
			break;
		}
		kvlist_add(out, name.ptr, value.ptr ? value.ptr : "");
		p = eol < end && *eol == '\r' ? eol + 1 : eol;
	}
	buf_release(&value);
	buf_release(&name);
	buf_release(&why);
	return r;
}

/* Where a function.environment-file is: from blambda.yml, beside it; else from the working directory. */
static void dotenv_path(const struct config *f, struct buf *out)
{
	const struct cfg_value *v = &f->v[CFG_FUNCTION_ENVIRONMENT_FILE];
	const char *slash = f->path ? strrchr(f->path, '/') : NULL;

	if (v->source == SRC_FILE && slash && v->str[0] != '/')
		buf_addf(out, "%.*s/", (int)(slash - f->path), f->path);
	buf_adds(out, v->str);
}

int config_read_environment_file(struct config *f, struct error *err)
{
	struct cfg_value *env = &f->v[CFG_FUNCTION_ENVIRONMENT];
	struct kvlist vars = KVLIST_INIT;
	struct buf path = BUF_INIT, text = BUF_SECRET;
	size_t total = 0;
	int r = -1;

	if (!config_str(f, CFG_FUNCTION_ENVIRONMENT_FILE))
		return 0;
	dotenv_path(f, &path);
	if (fs_read_file(path.ptr, &text, DOTENV_MAX_BYTES)) {
		error_set(err, EXIT_USAGE, "%s: cannot read the environment file '%s': %s",
			  f->v[CFG_FUNCTION_ENVIRONMENT_FILE].origin, path.ptr,
			  errno == EFBIG ? "larger than 64 KB" : strerror(errno));
		error_hint(err, "a relative path is taken from the directory of blambda.yml");
		goto out;
	}
	if (config_dotenv_parse(path.ptr, text.ptr ? text.ptr : "", text.len, &vars, err))
		goto out;
	/* function.environment wins on a clash */
	for (size_t i = 0; i < vars.nr; i++) {
		if (kvlist_get(&env->map, vars.items[i].key))
			continue;
		kvlist_add(&env->map, vars.items[i].key, vars.items[i].value);
		strlist_add(&env->hidden, vars.items[i].key);
	}
	for (size_t i = 0; i < env->map.nr; i++)
		total += strlen(env->map.items[i].key) + strlen(env->map.items[i].value);
	if (total > 4096) {
		error_set(err, EXIT_USAGE, "%s: environment and %s hold %zu bytes together; Lambda allows 4 KB",
			  env->present ? env->origin : "function.environment", path.ptr, total);
		goto out;
	}
	if (!env->present)
		config_set_origin(env, f->v[CFG_FUNCTION_ENVIRONMENT_FILE].source, path.ptr, 0);
	r = 0;
out:
	for (size_t i = 0; i < vars.nr; i++) /* the copies in env->map live as long as the configuration */
		explicit_bzero(vars.items[i].value, strlen(vars.items[i].value));
	kvlist_clear(&vars);
	buf_release(&text);
	buf_release(&path);
	return r;
}
