#include "core/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void json_print(cJSON *root)
{
	char *text = cJSON_Print(root);

	if (text)
		puts(text);
	free(text);
	cJSON_Delete(root);
}

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

int json_check(const char *text, size_t len, size_t *line, size_t *column)
{
	const char *end = NULL;
	cJSON *v;
	size_t at;

	/* cJSON takes raw control characters inside strings, and stops at a NUL: JSON has neither */
	for (at = 0; at < len; at++)
		if ((unsigned char)text[at] < 0x20 && !strchr(" \t\r\n", text[at] ? text[at] : 'x'))
			break;
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

/* the length of the valid UTF-8 sequence at s (at most n bytes), 0 when there is none */
static size_t utf8_len(const unsigned char *s, size_t n)
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

void json_add_text(cJSON *o, const char *key, const char *text, size_t len)
{
	struct buf b = BUF_INIT;
	const unsigned char *s = (const unsigned char *)(text ? text : "");

	for (size_t i = 0; i < len;) {
		size_t n = utf8_len(s + i, len - i);

		if (n) {
			buf_add(&b, s + i, n);
			i += n;
		} else {
			buf_adds(&b, "\xef\xbf\xbd");
			i++;
		}
	}
	cJSON_AddStringToObject(o, key, buf_cstr(&b));
	buf_release(&b);
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
