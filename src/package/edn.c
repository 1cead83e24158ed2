#include "package/edn.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"

/* bb.edn and pod manifests nest a few levels; anything deeper is refused before the stack is at risk */
#define EDN_MAX_DEPTH 256
#define EDN_DEPTH_TEXT "256"

struct reader {
	const char *p, *file;
	int line, col;
	int failed;
	int depth;
	struct error *err;
};

static int fail(struct reader *r, const char *what)
{
	if (!r->failed)
		error_set(r->err, EXIT_USAGE, "%s:%d:%d: %s", r->file, r->line, r->col, what);
	r->failed = 1;
	return -1;
}

/* One character on; never past the end of the input. */
static void advance(struct reader *r)
{
	if (!*r->p)
		return;
	if (*r->p == '\n') {
		r->line++;
		r->col = 1;
	} else {
		r->col++;
	}
	r->p++;
}

static void skip_space(struct reader *r)
{
	for (;;) {
		if (isspace((unsigned char)*r->p) || *r->p == ',') {
			advance(r);
		} else if (*r->p == ';') {
			while (*r->p && *r->p != '\n')
				advance(r);
		} else {
			return;
		}
	}
}

static int delimiter(char c)
{
	return !c || isspace((unsigned char)c) || strchr(",()[]{}\";", c);
}

static struct edn *new_value(struct reader *r, enum edn_type t)
{
	struct edn *e = xcalloc(1, sizeof(*e));

	e->type = t;
	e->line = r->line;
	e->col = r->col;
	e->start = r->p;
	return e;
}

static void add_item(struct edn *coll, struct edn *item)
{
	XGROW(coll->items, coll->alloc, coll->nr + 1);
	coll->items[coll->nr++] = item;
}

static struct edn *read_value(struct reader *r);
static int is_discard(const struct edn *e);

/* Two keys of a map written alike (as bb reads them: a duplicate key is an error) */
static const struct edn *duplicate_key(const struct edn *map)
{
	for (size_t i = 2; i < map->nr; i += 2)
		for (size_t k = 0; k < i; k += 2) {
			const struct edn *a = map->items[i], *b = map->items[k];

			if (a->type == b->type && a->end - a->start == b->end - b->start &&
			    !memcmp(a->start, b->start, (size_t)(a->end - a->start)))
				return a;
		}
	return NULL;
}

static struct edn *read_coll(struct reader *r, enum edn_type t, int skip, char close)
{
	struct edn *e = new_value(r, t);

	for (int i = 0; i < skip; i++)
		advance(r);
	for (;;) {
		struct edn *item;

		skip_space(r);
		if (*r->p == close) {
			advance(r);
			break;
		}
		if (!*r->p) {
			fail(r, close == ')' ? "unclosed '('" : close == ']' ? "unclosed '['" : "unclosed '{'");
			edn_free(e);
			return NULL;
		}
		item = read_value(r);
		if (!item) {
			edn_free(e);
			return NULL;
		}
		if (is_discard(item)) {
			edn_free(item); /* a discarded form */
			continue;
		}
		add_item(e, item);
	}
	if (t == EDN_MAP && e->nr % 2) {
		fail(r, "a map needs an even number of forms");
		edn_free(e);
		return NULL;
	}
	if (t == EDN_MAP && e->nr <= 512 && duplicate_key(e)) {
		const struct edn *dup = duplicate_key(e);
		struct buf what = BUF_INIT;

		r->line = dup->line;
		r->col = dup->col;
		buf_addf(&what, "the key %.*s is in the map twice", (int)(dup->end - dup->start > 60 ? 60 : dup->end - dup->start),
			 dup->start);
		fail(r, what.ptr);
		buf_release(&what);
		edn_free(e);
		return NULL;
	}
	e->end = r->p;
	return e;
}

static struct edn *read_string(struct reader *r)
{
	struct edn *e = new_value(r, EDN_STRING);
	struct buf b = BUF_INIT;

	advance(r);
	while (*r->p && *r->p != '"') {
		if (*r->p == '\\') {
			advance(r);
			switch (*r->p) {
			case 'n': buf_addch(&b, '\n'); break;
			case 't': buf_addch(&b, '\t'); break;
			case 'r': buf_addch(&b, '\r'); break;
			case 'b': buf_addch(&b, '\b'); break;
			case 'f': buf_addch(&b, '\f'); break;
			case 'u': {
				/* \uXXXX: four hex digits, written as UTF-8 (a surrogate half as U+FFFD) */
				unsigned cp = 0;
				int k;

				for (k = 1; k <= 4 && isxdigit((unsigned char)r->p[k]); k++)
					cp = cp * 16 + (unsigned)(isdigit((unsigned char)r->p[k]) ? r->p[k] - '0'
										 : (tolower((unsigned char)r->p[k]) - 'a' + 10));
				if (k <= 4) {
					buf_release(&b);
					edn_free(e);
					fail(r, "\\u needs four hex digits");
					return NULL;
				}
				for (k = 0; k < 4; k++)
					advance(r);
				if (cp >= 0xd800 && cp <= 0xdfff)
					cp = 0xfffd;
				if (cp < 0x80) {
					buf_addch(&b, (char)cp);
				} else if (cp < 0x800) {
					buf_addch(&b, (char)(0xc0 | (cp >> 6)));
					buf_addch(&b, (char)(0x80 | (cp & 0x3f)));
				} else {
					buf_addch(&b, (char)(0xe0 | (cp >> 12)));
					buf_addch(&b, (char)(0x80 | ((cp >> 6) & 0x3f)));
					buf_addch(&b, (char)(0x80 | (cp & 0x3f)));
				}
				break;
			}
			case '\0': break;
			default: buf_addch(&b, *r->p);
			}
			if (*r->p)
				advance(r);
			continue;
		}
		buf_addch(&b, *r->p);
		advance(r);
	}
	if (!*r->p) {
		buf_release(&b);
		edn_free(e);
		fail(r, "unterminated string");
		return NULL;
	}
	advance(r);
	e->text = buf_detach(&b);
	e->end = r->p;
	return e;
}

static struct edn *read_token(struct reader *r)
{
	struct edn *e = new_value(r, EDN_SYMBOL);
	const char *s = r->p;

	while (!delimiter(*r->p))
		advance(r);
	e->end = r->p;
	e->text = xstrndup(s, (size_t)(r->p - s));
	if (s[0] == ':') {
		char *k = xstrdup(e->text + 1);
		free(e->text);
		e->text = k;
		e->type = EDN_KEYWORD;
	} else if (isdigit((unsigned char)s[0]) || ((s[0] == '-' || s[0] == '+') && isdigit((unsigned char)s[1]))) {
		e->type = EDN_NUMBER;
	} else if (!strcmp(e->text, "nil")) {
		e->type = EDN_NIL;
	} else if (!strcmp(e->text, "true") || !strcmp(e->text, "false")) {
		e->type = EDN_BOOL;
	}
	return e;
}

static struct edn *read_form(struct reader *r);

static int is_discard(const struct edn *e)
{
	return e->type == EDN_NIL && e->text && !strcmp(e->text, "#_");
}

/* The form an operator applies to (#_, #tag, ^meta): a discarded form in between does not count */
static struct edn *read_operand(struct reader *r)
{
	struct edn *e = read_value(r);

	while (e && is_discard(e)) {
		edn_free(e);
		e = read_value(r);
	}
	return e;
}

static struct edn *read_value(struct reader *r)
{
	struct edn *e;

	if (r->depth >= EDN_MAX_DEPTH) {
		skip_space(r);
		fail(r, "nested deeper than " EDN_DEPTH_TEXT " levels");
		return NULL;
	}
	r->depth++;
	e = read_form(r);
	r->depth--;
	return e;
}

/* \c, \newline, \u0041: kept as written */
static struct edn *read_char(struct reader *r)
{
	struct edn *e;
	const char *s = r->p;

	if (!r->p[1]) {
		fail(r, "'\\' at the end of the input: a character literal needs its character");
		return NULL;
	}
	e = new_value(r, EDN_CHAR);
	advance(r);
	advance(r);
	while (!delimiter(*r->p))
		advance(r);
	e->text = xstrndup(s, (size_t)(r->p - s));
	e->end = r->p;
	return e;
}

/* #_ drops the next form: a nil that says so */
static struct edn *read_discard(struct reader *r)
{
	struct edn *gone, *e = new_value(r, EDN_NIL);

	advance(r);
	advance(r);
	gone = read_operand(r);
	if (!gone) {
		edn_free(e);
		return NULL;
	}
	edn_free(gone);
	e->text = xstrdup("#_");
	e->end = r->p;
	return e;
}

/* #tag value */
static struct edn *read_tagged(struct reader *r)
{
	struct edn *e = new_value(r, EDN_TAGGED), *v;
	const char *s = r->p;

	while (!delimiter(*r->p))
		advance(r);
	e->text = xstrndup(s, (size_t)(r->p - s));
	v = read_operand(r);
	if (!v) {
		edn_free(e);
		return NULL;
	}
	add_item(e, v);
	e->end = r->p;
	return e;
}

static struct edn *read_form(struct reader *r)
{
	struct edn *meta;

	skip_space(r);
	switch (*r->p) {
	case '\0':
		fail(r, "unexpected end of input");
		return NULL;
	case '(':
		return read_coll(r, EDN_LIST, 1, ')');
	case '[':
		return read_coll(r, EDN_VECTOR, 1, ']');
	case '{':
		return read_coll(r, EDN_MAP, 1, '}');
	case ')': case ']': case '}':
		fail(r, "unmatched closing bracket");
		return NULL;
	case '"':
		return read_string(r);
	case '\\':
		return read_char(r);
	case '^':
		advance(r); /* metadata: read and drop it, then the value it annotates */
		meta = read_operand(r);
		if (!meta)
			return NULL;
		edn_free(meta);
		return read_operand(r);
	case '#':
		return r->p[1] == '{' ? read_coll(r, EDN_SET, 2, '}') : r->p[1] == '_' ? read_discard(r) : read_tagged(r);
	default:
		return read_token(r);
	}
}

struct edn *edn_parse(const char *text, const char *file, struct error *err)
{
	struct reader r = { text, file, 1, 1, 0, 0, err };
	struct edn *e;

	/* a leading #_ discard is not a value */
	do {
		e = read_value(&r);
		if (e && e->type == EDN_NIL && e->text && !strcmp(e->text, "#_")) {
			edn_free(e);
			e = NULL;
			continue;
		}
		break;
	} while (!r.failed);
	return e;
}

void edn_free(struct edn *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nr; i++)
		edn_free(e->items[i]);
	free(e->items);
	free(e->text);
	free(e);
}

const struct edn *edn_get(const struct edn *map, const char *key)
{
	if (!map || map->type != EDN_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->nr; i += 2)
		if (map->items[i]->type == EDN_KEYWORD && !strcmp(map->items[i]->text, key))
			return map->items[i + 1];
	return NULL;
}
