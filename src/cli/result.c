#include "cli/result.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "cli/msg.h"
#include "core/json.h"

/* A string of the function's answer, made printable: no escape sequence of it reaches the terminal */
static const char *printable(struct buf *b, const cJSON *s)
{
	buf_reset(b);
	if (cJSON_IsString(s))
		buf_add_printable(b, s->valuestring, strlen(s->valuestring), 0);
	return b->ptr;
}

/* "TYPE: MESSAGE" of one error of the chain */
static void add_type_message(struct buf *out, const cJSON *e, const char *type)
{
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "errorMessage");
	const cJSON *own = cJSON_GetObjectItemCaseSensitive(e, "errorType");
	struct buf b = BUF_INIT;

	buf_adds(out, type ? type : cJSON_IsString(own) ? printable(&b, own) : "error");
	if (cJSON_IsString(msg))
		buf_addf(out, ": %s", printable(&b, msg));
	buf_release(&b);
}

/*
 * The function's error for people, once: type and message, the ex-data,
 * each cause in turn ("caused by: ..."), then the stack trace of the
 * innermost error that has one (where it began).
 */
static void print_error(const struct invoke_view *v)
{
	cJSON *doc = cJSON_ParseWithLength(v->payload->ptr, v->payload->len);
	const cJSON *e = doc, *trace = NULL, *item;
	struct buf text = BUF_INIT, b = BUF_INIT;
	int depth = 0;

	/* the type Lambda reported (X-Amz-Function-Error's kind) wins over the document's own */
	if (v->error_type)
		buf_add_printable(&b, v->error_type, strlen(v->error_type), 0);
	add_type_message(&text, doc, v->error_type ? b.ptr : NULL);
	error_exit(EXIT_FUNCTION, "'%s' failed: %s", v->name, text.ptr);
	if (!cJSON_IsObject(doc) && v->payload->len) { /* not an error document: a glimpse of what came */
		size_t n = v->payload->len > 300 ? 300 : v->payload->len;

		buf_reset(&b);
		buf_add_printable(&b, v->payload->ptr, n, 0);
		fprintf(stderr, "  the error as sent (%zu bytes, not a JSON object): %s%s\n", v->payload->len, b.ptr,
			n < v->payload->len ? "..." : "");
	}
	for (; cJSON_IsObject(e) && depth <= 10; e = cJSON_GetObjectItemCaseSensitive(e, "cause"), depth++) {
		const cJSON *data = cJSON_GetObjectItemCaseSensitive(e, "errorData");
		const cJSON *lines = cJSON_GetObjectItemCaseSensitive(e, "stackTrace");

		if (depth) {
			buf_reset(&text);
			add_type_message(&text, e, NULL);
			fprintf(stderr, "  caused by: %s\n", text.ptr);
		}
		if (cJSON_IsString(data))
			fprintf(stderr, "  %sdata: %s\n", depth ? "  " : "", printable(&b, data));
		if (cJSON_IsArray(lines) && cJSON_GetArraySize(lines))
			trace = lines;
	}
	cJSON_ArrayForEach(item, trace) {
		if (cJSON_IsString(item))
			fprintf(stderr, "    %s\n", printable(&b, item));
	}
	buf_release(&text);
	buf_release(&b);
	cJSON_Delete(doc);
}

int invoke_view_print(const struct invoke_view *v)
{
	const struct buf *p = v->payload;

	/* a function's error is said once, on stderr, whatever shape it came in */
	if (!v->function_error) {
		fwrite(p->ptr, 1, p->len, stdout);
		if (p->len && p->ptr[p->len - 1] != '\n')
			putchar('\n');
	}
	if (!v->function_error)
		return EXIT_OK;
	fflush(stdout);
	print_error(v);
	return EXIT_FUNCTION;
}

cJSON *invoke_view_json(const struct invoke_view *v)
{
	cJSON *o = cJSON_CreateObject();
	const struct buf *p = v->payload;
	cJSON *payload = cJSON_ParseWithLength(p->ptr, p->len);

	cJSON_AddNumberToObject(o, "status_code", (double)v->status_code);
	if (v->executed_version)
		cJSON_AddStringToObject(o, "executed_version", v->executed_version);
	else
		cJSON_AddNullToObject(o, "executed_version");
	if (v->function_error)
		cJSON_AddStringToObject(o, "function_error", v->function_error);
	else
		cJSON_AddNullToObject(o, "function_error");
	/* an answer that is not JSON, and a log, may hold any bytes: they go in as valid UTF-8 */
	if (payload)
		cJSON_AddItemToObject(o, "payload", payload);
	else
		json_add_text(o, "payload", p->ptr, p->len);
	if (v->log)
		json_add_text(o, "log", v->log->ptr, v->log->len);
	else
		cJSON_AddNullToObject(o, "log");
	return o;
}
