#include "local/routes.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/hash.h"
#include "core/json.h"

/* ---- matching ---- */

static int hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A parameter's value, percent-decoded (a '%' not followed by two hex digits stays as it is) */
static void add_param(struct kvlist *l, const char *k, size_t kn, const char *v, size_t vn)
{
	struct buf key = BUF_INIT, value = BUF_INIT;

	buf_add(&key, k, kn);
	for (size_t i = 0; i < vn; i++) {
		if (v[i] == '%' && i + 2 < vn && hex(v[i + 1]) >= 0 && hex(v[i + 2]) >= 0) {
			buf_addch(&value, (char)(hex(v[i + 1]) * 16 + hex(v[i + 2])));
			i += 2;
		} else {
			buf_addch(&value, v[i]);
		}
	}
	kvlist_add(l, key.ptr, value.ptr);
	buf_release(&key);
	buf_release(&value);
}

long local_route_match(const char *route, const char *method, const char *path, struct kvlist *params)
{
	const char *sp = strchr(route, ' '), *r, *p = path;
	long statics = 0, segments = 0;
	int any, greedy = 0;

	if (!sp || *p != '/')
		return -1;
	any = (size_t)(sp - route) == 3 && !strncmp(route, "ANY", 3);
	if (!any && (strlen(method) != (size_t)(sp - route) || strncmp(route, method, (size_t)(sp - route))))
		return -1;
	r = sp + 1;
	if (!strcmp(r, "/"))
		return !strcmp(path, "/") ? (1L << 30) + !any : -1;
	while (*r == '/') {
		size_t rn = strcspn(r + 1, "/"), pn;
		const char *seg = r + 1;

		if (*p != '/')
			return -1;
		pn = strcspn(p + 1, "/");
		if (seg[0] == '{' && rn > 3 && seg[rn - 2] == '+') { /* {name+}: the rest, one segment at least */
			if (!pn)
				return -1;
			add_param(params, seg + 1, rn - 3, p + 1, strlen(p + 1));
			greedy = 1;
			p += strlen(p);
			r = seg + rn;
			segments++;
			break;
		}
		if (!pn)
			return -1;
		if (seg[0] == '{') {
			add_param(params, seg + 1, rn - 2, p + 1, pn);
		} else {
			if (rn != pn || strncmp(seg, p + 1, rn))
				return -1;
			statics++;
		}
		segments++;
		r = seg + rn;
		p += 1 + pn;
	}
	if (*r || *p)
		return -1;
	return ((long)!greedy << 30) + (statics << 16) + (segments << 8) + !any;
}

int local_route_pick(const char *const *routes, size_t n, const char *method, const char *path, struct kvlist *params)
{
	long best = -1;
	int at = -1;

	for (size_t i = 0; i < n; i++) {
		struct kvlist got = KVLIST_INIT;
		long m = local_route_match(routes[i], method, path, &got);

		if (m > best) {
			best = m;
			at = (int)i;
			kvlist_clear(params);
			*params = got;
		} else {
			kvlist_clear(&got);
		}
	}
	return at;
}

/* ---- the event ---- */

static int has_nocase(const char *s, const char *word)
{
	for (size_t n = strlen(word); *s; s++)
		if (!strncasecmp(s, word, n))
			return 1;
	return 0;
}

/* A body API Gateway passes as text: a text type (or none) and UTF-8; anything else goes base64 */
static int text_body(const char *type, const char *body, size_t len)
{
	if (type && strncasecmp(type, "text/", 5) && !has_nocase(type, "json") && !has_nocase(type, "xml") &&
	    !has_nocase(type, "javascript") && !has_nocase(type, "x-www-form-urlencoded"))
		return 0;
	return json_utf8_valid(body, len);
}

void local_http_event(const struct local_http_request *r, struct buf *out)
{
	cJSON *e = cJSON_CreateObject(), *headers = cJSON_CreateObject(), *cookies = cJSON_CreateArray();
	cJSON *ctx, *http, *q = NULL;
	struct buf host = BUF_INIT;
	const char *type = NULL, *ua = "";
	char stamp[64], *text;
	time_t secs = (time_t)(r->now_ms / 1000);
	struct tm tm;

	/* headers in lower case, repeated ones joined with commas; cookies apart */
	for (size_t i = 0; i < r->headers->nr; i++) {
		struct buf name = BUF_INIT;
		cJSON *have;

		for (const char *k = r->headers->items[i].key; *k; k++)
			buf_addch(&name, (char)tolower((unsigned char)*k));
		if (!strcmp(name.ptr, "cookie")) {
			const char *c = r->headers->items[i].value;

			while (*c) {
				size_t n = strcspn(c, ";");

				if (n)
					cJSON_AddItemToArray(cookies, json_text(c, n));
				c += n;
				c += strspn(c, "; ");
			}
		} else if ((have = cJSON_GetObjectItemCaseSensitive(headers, name.ptr))) {
			struct buf joined = BUF_INIT;

			buf_addf(&joined, "%s,%s", have->valuestring, r->headers->items[i].value);
			cJSON_ReplaceItemInObjectCaseSensitive(headers, name.ptr, json_text(joined.ptr, joined.len));
			buf_release(&joined);
		} else {
			json_add_text(headers, name.ptr, r->headers->items[i].value, strlen(r->headers->items[i].value));
		}
		if (!strcmp(name.ptr, "content-type"))
			type = r->headers->items[i].value;
		if (!strcmp(name.ptr, "user-agent"))
			ua = r->headers->items[i].value;
		if (!strcmp(name.ptr, "host"))
			buf_adds(&host, r->headers->items[i].value);
		buf_release(&name);
	}
	for (size_t i = 0; i < r->query->nr; i++) {
		cJSON *have;

		if (!q)
			q = cJSON_CreateObject();
		if ((have = cJSON_GetObjectItemCaseSensitive(q, r->query->items[i].key))) {
			struct buf joined = BUF_INIT;

			buf_addf(&joined, "%s,%s", have->valuestring, r->query->items[i].value);
			cJSON_ReplaceItemInObjectCaseSensitive(q, r->query->items[i].key, json_text(joined.ptr, joined.len));
			buf_release(&joined);
		} else {
			json_add_text(q, r->query->items[i].key, r->query->items[i].value, strlen(r->query->items[i].value));
		}
	}
	cJSON_AddStringToObject(e, "version", "2.0");
	json_add_text(e, "routeKey", r->route, strlen(r->route));
	json_add_text(e, "rawPath", r->path, strlen(r->path));
	json_add_text(e, "rawQueryString", r->raw_query ? r->raw_query : "", r->raw_query ? strlen(r->raw_query) : 0);
	if (cJSON_GetArraySize(cookies))
		cJSON_AddItemToObject(e, "cookies", cookies);
	else
		cJSON_Delete(cookies);
	cJSON_AddItemToObject(e, "headers", headers);
	if (q)
		cJSON_AddItemToObject(e, "queryStringParameters", q);
	ctx = cJSON_AddObjectToObject(e, "requestContext");
	cJSON_AddStringToObject(ctx, "accountId", "000000000000");
	cJSON_AddStringToObject(ctx, "apiId", "local");
	json_add_text(ctx, "domainName", host.len ? host.ptr : "127.0.0.1", host.len ? host.len : 9);
	cJSON_AddStringToObject(ctx, "domainPrefix", "local");
	http = cJSON_AddObjectToObject(ctx, "http");
	json_add_text(http, "method", r->method, strlen(r->method));
	json_add_text(http, "path", r->path, strlen(r->path));
	cJSON_AddStringToObject(http, "protocol", "HTTP/1.1");
	cJSON_AddStringToObject(http, "sourceIp", r->source_ip);
	json_add_text(http, "userAgent", ua, strlen(ua));
	cJSON_AddStringToObject(ctx, "requestId", r->request_id);
	json_add_text(ctx, "routeKey", r->route, strlen(r->route));
	cJSON_AddStringToObject(ctx, "stage", "$default");
	gmtime_r(&secs, &tm);
	strftime(stamp, sizeof(stamp), "%d/%b/%Y:%H:%M:%S +0000", &tm);
	cJSON_AddStringToObject(ctx, "time", stamp);
	cJSON_AddNumberToObject(ctx, "timeEpoch", (double)r->now_ms);
	if (r->params->nr) {
		cJSON *pp = cJSON_AddObjectToObject(e, "pathParameters");

		for (size_t i = 0; i < r->params->nr; i++)
			json_add_text(pp, r->params->items[i].key, r->params->items[i].value,
				      strlen(r->params->items[i].value));
	}
	if (r->len) {
		if (text_body(type, r->body, r->len)) {
			json_add_text(e, "body", r->body, r->len);
			cJSON_AddBoolToObject(e, "isBase64Encoded", 0);
		} else {
			struct buf b64 = BUF_INIT;

			base64_encode(r->body, r->len, &b64);
			cJSON_AddStringToObject(e, "body", b64.ptr);
			cJSON_AddBoolToObject(e, "isBase64Encoded", 1);
			buf_release(&b64);
		}
	} else {
		cJSON_AddBoolToObject(e, "isBase64Encoded", 0);
	}
	text = cJSON_PrintUnformatted(e);
	buf_adds(out, text);
	free(text);
	cJSON_Delete(e);
	buf_release(&host);
}

/* ---- the answer ---- */

void local_http_response_release(struct local_http_response *r)
{
	kvlist_clear(&r->headers);
	buf_release(&r->body);
}

/*
 * A header value on one line (a line break the handler put there would end
 * the header); none of the connection's own (hop-by-hop, or the length:
 * the server frames the answer)
 */
static void add_header(struct local_http_response *out, const char *k, const char *v)
{
	static const char *const framing[] = { "connection", "keep-alive", "proxy-connection", "transfer-encoding",
					       "upgrade", "te", "trailer", "content-length", NULL };
	struct buf name = BUF_INIT, value = BUF_INIT;

	for (size_t i = 0; framing[i]; i++)
		if (!strcasecmp(k, framing[i]))
			return;

	for (; *k; k++)
		if ((unsigned char)*k > 0x20 && *k != ':' && *k != 0x7f)
			buf_addch(&name, *k);
	for (; *v; v++)
		buf_addch(&value, *v == '\r' || *v == '\n' ? ' ' : *v);
	if (name.len)
		kvlist_add(&out->headers, name.ptr, value.ptr);
	buf_release(&name);
	buf_release(&value);
}

void local_http_response(const char *payload, size_t len, int function_error, struct local_http_response *out)
{
	cJSON *a = function_error ? NULL : cJSON_ParseWithLength(payload, len);
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(a, "statusCode"), *v;

	memset(out, 0, sizeof(*out));
	buf_init(&out->body);
	if (function_error || !a) {
		out->status = function_error || len ? 500 : 200;
		add_header(out, "Content-Type", "application/json");
		buf_adds(&out->body, out->status == 500 ? "{\"message\":\"Internal Server Error\"}" : "");
		cJSON_Delete(a);
		return;
	}
	if (!cJSON_IsObject(a) || !cJSON_IsNumber(status)) {
		/* not API Gateway's shape: the JSON itself is the body */
		out->status = 200;
		add_header(out, "Content-Type", "application/json");
		buf_add(&out->body, payload, len);
		cJSON_Delete(a);
		return;
	}
	/* a 1xx would leave the client waiting for another answer: API Gateway's 500 */
	out->status = status->valuedouble >= 200 && status->valuedouble <= 599 ? (unsigned)status->valuedouble : 500;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(a, "headers"))
		if (v->string && (cJSON_IsString(v) || cJSON_IsNumber(v) || cJSON_IsBool(v))) {
			char *text = cJSON_IsString(v) ? NULL : cJSON_PrintUnformatted(v);

			add_header(out, v->string, text ? text : v->valuestring);
			free(text);
		}
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(a, "cookies"))
		if (cJSON_IsString(v))
			add_header(out, "Set-Cookie", v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(a, "body");
	if (cJSON_IsString(v)) {
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "isBase64Encoded"))) {
			if (base64_decode(v->valuestring, strlen(v->valuestring), &out->body)) {
				buf_reset(&out->body);
				out->status = 500;
				buf_adds(&out->body, "{\"message\":\"Internal Server Error\"}");
			}
		} else {
			buf_adds(&out->body, v->valuestring);
		}
	} else if (v && !cJSON_IsNull(v)) {
		char *text = cJSON_PrintUnformatted(v);

		buf_adds(&out->body, text);
		free(text);
	}
	cJSON_Delete(a);
}
