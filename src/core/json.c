#include "core/json.h"

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

int json_check(const char *text, size_t len, size_t *line, size_t *column)
{
	const char *end = NULL;
	cJSON *v;
	size_t at;

	at = lax_mistake(text, len);
	if (at < len) {
		position(text, at, line, column);
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
