#include "core/json.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static void position(const char *text, size_t at, size_t *line, size_t *column)
{
	*line = 1;
	*column = 1;
	for (size_t i = 0; i < at; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*column = 1;
		} else {
			(*column)++;
		}
	}
}


/* the length of the JSON number at s (at most n bytes), 0 when it is not one: cJSON takes 01, 1. and more */
static size_t number_len(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		size_t d = ++i;

		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t d;

		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		d = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == d)
			return 0;
	}
	/* a number ends at a delimiter: "01" is a 0 followed by junk */
	if (i < n && !strchr(" \t\r\n,]}", s[i]))
		return 0;
	return i;
}

/*
 * What cJSON lets through and JSON does not: a raw control character or NUL,
 * bytes that are not UTF-8, a byte order mark, numbers such as 01 or 1.
 * The offset of the first such mistake, or len.
 */
static size_t lax_mistake(const char *text, size_t len)
{
	int in_string = 0;

	for (size_t at = 0; at < len;) {
		unsigned char c = (unsigned char)text[at];

		if (c < 0x20 && !(!in_string && strchr(" \t\r\n", c) && c))
			return at;
		if (c >= 0x80) {
			size_t n = in_string ? json_utf8_len((const unsigned char *)text + at, len - at) : 0;

			if (!n)
				return at;
			at += n;
			continue;
		}
		if (in_string) {
			if (c == '\\')
				at++;
			else if (c == '"')
				in_string = 0;
			at++;
			continue;
		}
		if (c == '"') {
			in_string = 1;
			at++;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			size_t n = number_len(text + at, len - at);

			if (!n)
				return at;
			at += n;
		} else {
			at++;
		}
	}
	return len;
}

/* A scalar, or a key as a JSON string, as cJSON writes it */
static void pretty_scalar(const cJSON *v, struct buf *out)
{
	char *text = cJSON_PrintUnformatted(v);

	buf_adds(out, text ? text : "null"); /* NULL: out of memory; the document stays whole */
	free(text);
}

static void pretty_at(const cJSON *v, size_t depth, struct buf *out)
{
	int object = cJSON_IsObject(v);
	const cJSON *c;

	if (!object && !cJSON_IsArray(v)) {
		pretty_scalar(v, out);
		return;
	}
	if (!v->child) {
		buf_adds(out, object ? "{}" : "[]");
		return;
	}
	buf_addch(out, object ? '{' : '[');
	for (c = v->child; c; c = c->next) {
		buf_addch(out, '\n');
		for (size_t i = 0; i <= depth; i++)
			buf_adds(out, "  ");
		if (object) {
			cJSON key = { .type = cJSON_String, .valuestring = c->string };

			pretty_scalar(&key, out);
			buf_adds(out, ": ");
		}
		pretty_at(c, depth + 1, out);
		if (c->next)
			buf_addch(out, ',');
	}
	buf_addch(out, '\n');
	for (size_t i = 0; i < depth; i++)
		buf_adds(out, "  ");
	buf_addch(out, object ? '}' : ']');
}

void json_pretty(const cJSON *v, struct buf *out)
{
	pretty_at(v, 0, out);
}

void json_compact(const char *text, size_t len, struct buf *out)
{
	int in_string = 0;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (in_string) {
			buf_addch(out, c);
			if (c == '\\' && i + 1 < len)
				buf_addch(out, text[++i]);
			else if (c == '"')
				in_string = 0;
		} else if (!strchr(" \t\r\n", c)) {
			in_string = c == '"';
			buf_addch(out, c);
		}
	}
	if (!out->ptr)
		buf_adds(out, "");
}

static int check_lax(const char *text, size_t len, size_t *line, size_t *column, struct buf *why);

/*
 * A reading of JSON's grammar (RFC 8259) that stops at the first mistake
 * and says what it expected there: a person's typo gets a reason, not only
 * a place. It checks the structure; lax_mistake and cJSON check the rest.
 */
struct scan {
	const char *s;
	size_t len, at;
	int depth;
	const char *expected; /* at the mistake */
};

#define SCAN_VALUE "a value (an object, array, string, number, true, false or null)"

static int scan_fail(struct scan *j, const char *expected)
{
	j->expected = expected;
	return -1;
}

static int scan_peek(const struct scan *j)
{
	return j->at < j->len ? (unsigned char)j->s[j->at] : -1;
}

static void scan_blank(struct scan *j)
{
	while (j->at < j->len && strchr(" \t\r\n", j->s[j->at]) && j->s[j->at])
		j->at++;
}

static int scan_string(struct scan *j)
{
	for (j->at++; j->at < j->len; j->at++) {
		unsigned char c = (unsigned char)j->s[j->at];

		if (c == '"') {
			j->at++;
			return 0;
		}
		if (c < 0x20)
			return scan_fail(j, "'\"' to end the string (a line break or control character in it must be "
					    "escaped)");
		if (c != '\\')
			continue;
		c = (unsigned char)(++j->at < j->len ? j->s[j->at] : 0);
		if (c == 'u') {
			for (int k = 0; k < 4; k++)
				if (++j->at >= j->len || !isxdigit((unsigned char)j->s[j->at]))
					return scan_fail(j, "four hex digits after \\u");
		} else if (!c || !strchr("\"\\/bfnrt", c)) {
			return scan_fail(j, "an escape after '\\': \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX");
		}
	}
	return scan_fail(j, "'\"' to end the string");
}

static int scan_digits(struct scan *j, const char *expected)
{
	if (!isdigit(scan_peek(j)))
		return scan_fail(j, expected);
	while (isdigit(scan_peek(j)))
		j->at++;
	return 0;
}

static int scan_number(struct scan *j)
{
	if (scan_peek(j) == '-')
		j->at++;
	if (scan_peek(j) == '0' && j->at + 1 < j->len && isdigit((unsigned char)j->s[j->at + 1]))
		return scan_fail(j, "a number without a leading zero");
	if (scan_peek(j) == '0')
		j->at++;
	else if (scan_digits(j, "a digit"))
		return -1;
	if (scan_peek(j) == '.' && (j->at++, scan_digits(j, "a digit after the decimal point")))
		return -1;
	if (scan_peek(j) == 'e' || scan_peek(j) == 'E') {
		j->at++;
		if (scan_peek(j) == '+' || scan_peek(j) == '-')
			j->at++;
		if (scan_digits(j, "a digit in the exponent"))
			return -1;
	}
	return 0;
}

static int scan_value(struct scan *j);

/* An object or an array, from its opening bracket */
static int scan_container(struct scan *j, int object)
{
	int close = object ? '}' : ']';

	if (++j->depth > CJSON_NESTING_LIMIT)
		return scan_fail(j, "less nesting (1000 levels at most)");
	j->at++;
	scan_blank(j);
	if (scan_peek(j) == close) {
		j->at++;
		j->depth--;
		return 0;
	}
	for (int first = 1;; first = 0) {
		scan_blank(j);
		if (object) {
			if (scan_peek(j) != '"')
				return scan_fail(j, first ? "'\"' to start a member's name, or '}'"
							  : "'\"' to start a member's name (no ',' before '}')");
			if (scan_string(j))
				return -1;
			scan_blank(j);
			if (scan_peek(j) != ':')
				return scan_fail(j, "':' after the member's name");
			j->at++;
		}
		if (scan_value(j))
			return -1;
		scan_blank(j);
		if (scan_peek(j) == close) {
			j->at++;
			j->depth--;
			return 0;
		}
		if (scan_peek(j) != ',')
			return scan_fail(j, object ? "',' or '}' after a member" : "',' or ']' after an element");
		j->at++;
		if (!object) {
			scan_blank(j);
			if (scan_peek(j) == ']')
				return scan_fail(j, "another element after ',' (no ',' before ']')");
		}
	}
}

static int scan_value(struct scan *j)
{
	static const char *const words[] = { "true", "false", "null" };
	int c;

	scan_blank(j);
	c = scan_peek(j);
	if (c == '{' || c == '[')
		return scan_container(j, c == '{');
	if (c == '"')
		return scan_string(j);
	if (c == '-' || isdigit(c))
		return scan_number(j);
	for (size_t k = 0; k < 3; k++) {
		size_t n = strlen(words[k]);

		if (c == words[k][0]) {
			if (j->len - j->at >= n && !memcmp(j->s + j->at, words[k], n)) {
				j->at += n;
				return 0;
			}
			/* "nul", "tru": the word misspelt; "nope": no JSON value at all */
			if (j->len - j->at >= 2 && j->s[j->at + 1] == words[k][1])
				return scan_fail(j, k == 0 ? "true" : k == 1 ? "false" : "null");
			break;
		}
	}
	return scan_fail(j, SCAN_VALUE);
}

/* What the scanner found at `at`: a character, quoted, or the end */
static void found_at(const char *text, size_t len, size_t at, struct buf *why)
{
	unsigned char c = at < len ? (unsigned char)text[at] : 0;

	if (at >= len)
		buf_adds(why, "the end of the input");
	else if (c == '\n' || c == '\r')
		buf_adds(why, "the end of the line");
	else if (c == '\'')
		buf_adds(why, "a single quote (JSON takes double quotes)");
	else if (c >= 0x20 && c < 0x7f)
		buf_addf(why, "'%c'", c);
	else
		buf_addf(why, "byte 0x%02x", c);
}

int json_check_why(const char *text, size_t len, size_t *line, size_t *column, struct buf *why)
{
	struct scan j = { text, len, 0, 0, NULL };

	if (!scan_value(&j)) {
		scan_blank(&j);
		if (j.at < len)
			scan_fail(&j, "nothing after the value (one JSON value only)");
	}
	if (j.expected) {
		position(text, j.at, line, column);
		if (why) {
			buf_addf(why, "expected %s, found ", j.expected);
			found_at(text, len, j.at, why);
		}
		return -1;
	}
	return check_lax(text, len, line, column, why);
}

int json_check(const char *text, size_t len, size_t *line, size_t *column)
{
	return json_check_why(text, len, line, column, NULL);
}

/* What the grammar leaves to others: bytes (NUL, control characters, UTF-8) and cJSON's own reading */
static int check_lax(const char *text, size_t len, size_t *line, size_t *column, struct buf *why)
{
	const char *end = NULL;
	cJSON *v;
	size_t at;

	at = lax_mistake(text, len);
	if (at < len) {
		position(text, at, line, column);
		if (why) {
			buf_adds(why, "expected text JSON takes (UTF-8, a control character escaped, no lone surrogate "
				      "\\uD800-\\uDFFF), found ");
			found_at(text, len, at, why);
		}
		return -1;
	}
	v = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (v) {
		cJSON_Delete(v);
		at = (size_t)(end - text);
		while (at < len && strchr(" \t\r\n", text[at]))
			at++;
		if (at == len)
			return 0;
	} else {
		end = cJSON_GetErrorPtr();
		at = end && end >= text && end <= text + len ? (size_t)(end - text) : len;
	}
	position(text, at, line, column);
	if (why) {
		buf_adds(why, "expected text JSON takes (UTF-8, a control character escaped, no lone surrogate "
			      "\\uD800-\\uDFFF), found ");
		found_at(text, len, at, why);
	}
	return -1;
}

int json_utf8_valid(const char *s, size_t n)
{
	for (size_t i = 0, k; i < n; i += k)
		if (!(k = json_utf8_len((const unsigned char *)s + i, n - i)))
			return 0;
	return 1;
}

size_t json_utf8_len(const unsigned char *s, size_t n)
{
	size_t need;
	unsigned cp;

	if (s[0] && s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates and what lies past U+10FFFF are not UTF-8 */
	if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

cJSON *json_text(const char *text, size_t len)
{
	struct buf b = BUF_INIT;
	cJSON *v;
	const unsigned char *s = (const unsigned char *)(text ? text : "");

	for (size_t i = 0; i < len;) {
		size_t n = json_utf8_len(s + i, len - i);

		if (n) {
			buf_add(&b, s + i, n);
			i += n;
		} else {
			buf_adds(&b, "\xef\xbf\xbd");
			i++;
		}
	}
	v = cJSON_CreateString(b.ptr ? b.ptr : "");
	buf_release(&b);
	return v;
}

void json_add_text(cJSON *o, const char *key, const char *text, size_t len)
{
	cJSON_AddItemToObject(o, key, json_text(text, len));
}

void json_error_body(struct buf *out, const char *type, const char *message)
{
	cJSON *o = cJSON_CreateObject();
	char *text;

	json_add_text(o, "errorMessage", message, strlen(message));
	json_add_text(o, "errorType", type, strlen(type));
	text = cJSON_PrintUnformatted(o);
	buf_adds(out, text);
	free(text);
	cJSON_Delete(o);
}
