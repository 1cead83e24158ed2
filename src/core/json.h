#ifndef BLAMBDA_CORE_JSON_H
#define BLAMBDA_CORE_JSON_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "core/buf.h"


/*
 * Whether text[0..len) is exactly one JSON value (whitespace around it
 * allowed; no trailing data, no NUL or raw control character, valid UTF-8,
 * numbers as JSON writes them). On -1,
 * *line and *column (from 1) say where the mistake is.
 */
int json_check(const char *text, size_t len, size_t *line, size_t *column);
/*
 * json_check, and for a mistake of structure what was expected there and
 * what was found, appended to why: "expected ',' or '}' after a member,
 * found ']'". why may be NULL.
 */
int json_check_why(const char *text, size_t len, size_t *line, size_t *column, struct buf *why);

/* text[0..len), one JSON value json_check accepts, without whitespace outside strings, appended to out. */
void json_compact(const char *text, size_t len, struct buf *out);

/*
 * v as a JSON document for people, appended to out: each member and
 * element on its own line, indented by two spaces a level ("key": value),
 * an empty object or array as {} or []; no newline at the end.
 */
void json_pretty(const cJSON *v, struct buf *out);

/*
 * Add text[0..len) to o as a string under key, made valid UTF-8 (a NUL or a
 * byte that is not UTF-8 becomes U+FFFD): runtime output may hold anything.
 */
void json_add_text(cJSON *o, const char *key, const char *text, size_t len);
/* The same as a string value of its own (for an array) */
cJSON *json_text(const char *text, size_t len);

/* The length of the valid UTF-8 sequence at s (at most n bytes; no NUL), 0 when there is none */
size_t json_utf8_len(const unsigned char *s, size_t n);
/* Whether s[0..n) is all valid UTF-8 without a NUL */
int json_utf8_valid(const char *s, size_t n);

/* {"errorMessage": message, "errorType": type}, escaped as JSON, appended to out. */
void json_error_body(struct buf *out, const char *type, const char *message);

#endif
