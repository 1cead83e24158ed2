/*
 * Writing into blambda.yml as a person would: one function added under
 * `functions:` with the rest of the file as it was, comments included.
 * The edit is made on the text, line by line; whoever calls it reads the
 * result back (config_read_text) before it replaces the file, so a form this
 * does not know ends in a refusal, never in a changed meaning.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"
#include "core/xalloc.h"

void config_yaml_quote(struct buf *out, const char *s)
{
	buf_addch(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_addf(out, "\\%c", *p);
		else if (*p == '\n')
			buf_adds(out, "\\n");
		else if (*p == '\t')
			buf_adds(out, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			buf_addf(out, "\\x%02x", *p);
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) /* C1 controls: not printable in YAML */
			buf_addf(out, "\\u00%02x", *++p);
		else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) /* YAML's line breaks */
			buf_addf(out, "\\u%s", p[2] == 0xa8 ? "2028" : "2029"), p += 2;
		else if (p[0] == 0xef && ((p[1] == 0xbb && p[2] == 0xbf) || (p[1] == 0xbf && p[2] >= 0xbe)))
			buf_addf(out, "\\u%s", p[1] == 0xbb ? "feff" : p[2] == 0xbe ? "fffe" : "ffff"), p += 2;
		else
			buf_addch(out, (char)*p);
	}
	buf_addch(out, '"');
}

/* The lines of text: line i (from 0) starts at starts[i]; the last entry is len. */
struct lines {
	size_t *starts;
	size_t nr;
	const char *text;
};

static void split_lines(const char *text, size_t len, struct lines *l)
{
	size_t alloc = 0;

	memset(l, 0, sizeof(*l));
	l->text = text;
	XGROW(l->starts, alloc, 1);
	l->starts[0] = 0;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n' && i + 1 < len) {
			XGROW(l->starts, alloc, l->nr + 2);
			l->starts[++l->nr] = i + 1;
		}
	l->nr += len > 0;
	XGROW(l->starts, alloc, l->nr + 1);
	l->starts[l->nr] = len;
}

/* Spaces before line i's first character; -1 for a blank or comment line */
static int indent_of(const struct lines *l, size_t i)
{
	size_t a = l->starts[i], b = l->starts[i + 1], n = 0;

	while (a + n < b && l->text[a + n] == ' ')
		n++;
	if (a + n == b || l->text[a + n] == '\n' || l->text[a + n] == '#' || l->text[a + n] == '\r')
		return -1;
	return (int)n;
}

/* Line i's text, after the byte order mark the first line may start with */
static const char *line_text(const struct lines *l, size_t i)
{
	const char *s = l->text + l->starts[i];

	return i == 0 && !strncmp(s, "\xef\xbb\xbf", 3) ? s + 3 : s;
}

/* The top-level `functions:` line, or -1 */
static long functions_line(const struct lines *l)
{
	for (size_t i = 0; i < l->nr; i++)
		if ((indent_of(l, i) == 0 || i == 0) && !strncmp(line_text(l, i), "functions:", 10))
			return (long)i;
	return -1;
}

/* The settings lines of body, each indented by n spaces */
static void add_indented(struct buf *out, const char *body, int n)
{
	for (const char *p = body; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);

		buf_addf(out, "%*s", n, "");
		buf_add(out, p, len);
		p += len;
	}
}

static void add_entry(struct buf *out, const char *name, const char *body, int indent)
{
	buf_addf(out, "%*s", indent, "");
	config_yaml_quote(out, name);
	buf_adds(out, *body ? ":\n" : ": {}\n");
	add_indented(out, body, indent + 2);
}

/* Under an existing block `functions:` at line at: after its last entry line */
static int append_to_block(const struct lines *l, size_t at, const char *name, const char *body, struct buf *out,
			   struct error *err)
{
	const char *after = line_text(l, at) + 10;
	size_t last = at, end = l->starts[l->nr];
	int indent = -1;

	while (*after == ' ')
		after++;
	if (*after != '\n' && *after != '#' && *after != '\r' && *after)
		return error_set(err, EXIT_USAGE, "blambda.yml:%zu: functions: is written on one line (flow style): "
				 "import adds to a block", at + 1);
	for (size_t i = at + 1; i < l->nr; i++) {
		int n = indent_of(l, i);

		if (n == 0)
			break;
		if (n > 0) {
			last = i;
			if (indent < 0)
				indent = n;
		}
	}
	buf_add(out, l->text, l->starts[last + 1]);
	if (out->len && out->ptr[out->len - 1] != '\n')
		buf_addch(out, '\n');
	add_entry(out, name, body, indent > 0 ? indent : 2);
	buf_add(out, l->text + l->starts[last + 1], end - l->starts[last + 1]);
	return 0;
}

/* The single function's `name:` line, when it is one plain line of its own, or -1 */
static long name_line(const struct config *cfg, const struct lines *l)
{
	const struct cfg_value *v = &cfg->v[CFG_FUNCTION_NAME];
	size_t i;
	const char *s;

	if (!v->present || v->source != SRC_FILE || v->line < 1 || (size_t)v->line > l->nr)
		return -1;
	i = (size_t)v->line - 1;
	s = l->text + l->starts[i];
	while (*s == ' ')
		s++;
	return indent_of(l, i) > 0 && !strncmp(s, "name:", 5) ? (long)i : -1;
}

int config_add_function(const struct config *cfg, const char *text, size_t len, const char *name, const char *body,
			struct buf *out, struct error *err)
{
	struct lines l;
	long at;
	int r = 0;

	split_lines(text, len, &l);
	buf_reset(out);
	if ((at = functions_line(&l)) >= 0) {
		r = append_to_block(&l, (size_t)at, name, body, out, err);
	} else if (cfg->v[CFG_FUNCTION_NAME].present) {
		/* one function: it becomes an entry of its own, and function: holds what both share */
		long drop = name_line(cfg, &l);

		if (drop < 0) {
			r = error_set(err, EXIT_USAGE, "%s: function.name is not written on a line of its own: import "
				      "cannot move it under functions:", cfg->v[CFG_FUNCTION_NAME].origin);
		} else {
			buf_add(out, text, l.starts[drop]);
			buf_add(out, text + l.starts[drop + 1], len - l.starts[drop + 1]);
			if (out->len && out->ptr[out->len - 1] != '\n')
				buf_addch(out, '\n');
			buf_adds(out, "functions:\n");
			add_entry(out, cfg->v[CFG_FUNCTION_NAME].str, "", 2);
			add_entry(out, name, body, 2);
		}
	} else {
		buf_add(out, text, len);
		if (out->len && out->ptr[out->len - 1] != '\n')
			buf_addch(out, '\n');
		buf_adds(out, "functions:\n");
		add_entry(out, name, body, 2);
	}
	free(l.starts);
	return r;
}
