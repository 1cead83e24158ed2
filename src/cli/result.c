#include "cli/result.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "cli/msg.h"
#include "core/json.h"

/* the function's error for people: type, message, the stack trace when there is one */
static void print_error(const struct invoke_view *v)
{
	cJSON *e = cJSON_ParseWithLength(v->payload->ptr, v->payload->len);
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "errorMessage");
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "errorType");
	const cJSON *trace = cJSON_GetObjectItemCaseSensitive(e, "stackTrace");
	const cJSON *lines = cJSON_IsArray(trace) ? trace : NULL;
	const cJSON *item;
	const char *t = v->error_type ? v->error_type : cJSON_IsString(type) ? type->valuestring : "error";

	struct buf text = BUF_INIT;

	/* all of it comes from the function: no escape sequence of it reaches the terminal */
	buf_add_printable(&text, t, strlen(t), 0);
	if (cJSON_IsString(msg)) {
		buf_adds(&text, ": ");
		buf_add_printable(&text, msg->valuestring, strlen(msg->valuestring), 0);
	}
	error_exit(EXIT_FUNCTION, "'%s' failed: %s", v->name, text.ptr);
	cJSON_ArrayForEach(item, lines) {
		if (cJSON_IsString(item)) {
			buf_reset(&text);
			buf_add_printable(&text, item->valuestring, strlen(item->valuestring), 0);
			fprintf(stderr, "    %s\n", text.ptr);
		}
	}
	buf_release(&text);
	cJSON_Delete(e);
}

int invoke_view_print(const struct invoke_view *v)
{
	const struct buf *p = v->payload;

	fwrite(p->ptr, 1, p->len, stdout);
	if (p->len && p->ptr[p->len - 1] != '\n')
		putchar('\n');
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
