/* Unit tests for local/routes: which route API Gateway picks, and how a handler's answer becomes HTTP. */
#include <stdlib.h>
#include <string.h>

#include "local/routes.h"
#include "test.h"

static long match(const char *route, const char *method, const char *path)
{
	struct kvlist p = KVLIST_INIT;
	long r = local_route_match(route, method, path, &p);

	kvlist_clear(&p);
	return r;
}

/* The route of `routes` (NULL-ended) that serves a request, as local start picks it */
static const char *pick(const char *const *routes, const char *method, const char *path)
{
	struct kvlist p = KVLIST_INIT;
	size_t n = 0;
	int at;

	while (routes[n])
		n++;
	at = local_route_pick(routes, n, method, path, &p);
	kvlist_clear(&p);
	return at < 0 ? NULL : routes[at];
}

static void test_match(void)
{
	static const char *const routes[] = { "ANY /{proxy+}", "GET /a/{x}", "ANY /a/{x}", "GET /a/b", "GET /", NULL };
	struct kvlist p = KVLIST_INIT;

	CHECK_STR(pick(routes, "GET", "/a/b"), "GET /a/b");
	CHECK_STR(pick(routes, "GET", "/a/c"), "GET /a/{x}");
	CHECK_STR(pick(routes, "POST", "/a/c"), "ANY /a/{x}");
	CHECK_STR(pick(routes, "POST", "/a/b"), "ANY /a/{x}");
	CHECK_STR(pick(routes, "GET", "/a/b/c"), "ANY /{proxy+}");
	CHECK_STR(pick(routes, "GET", "/"), "GET /");
	CHECK(pick(routes, "POST", "/") == NULL); /* a greedy parameter takes a segment at least */
	/* nothing but the whole path, segment for segment */
	CHECK(match("GET /a/{x}", "GET", "/a/") < 0);
	CHECK(match("GET /a/{x}", "GET", "/a") < 0);
	CHECK(match("GET /a", "GET", "/a/") < 0);
	CHECK(match("GET /a", "GET", "/ab") < 0);
	CHECK(match("GET /a", "get", "/a") < 0);
	CHECK(match("GET /a", "GET", "a") < 0);
	CHECK(match("GET /a/{x}", "GET", "/a/x") >= 0);
	/* the parameters */
	CHECK(local_route_match("GET /u/{id}/files/{rest+}", "GET", "/u/42/files/x/y.txt", &p) >= 0);
	CHECK_INT(p.nr, 2);
	CHECK_STR(kvlist_get(&p, "id"), "42");
	CHECK_STR(kvlist_get(&p, "rest"), "x/y.txt");
	kvlist_clear(&p);
	/* an encoded '/' is no separator; a parameter's value comes decoded */
	CHECK_STR(pick(routes, "GET", "/a/b%2Fc"), "GET /a/{x}");
	CHECK(local_route_match("GET /a/{x}", "GET", "/a/b%2Fc%20d%zz", &p) >= 0);
	CHECK_STR(kvlist_get(&p, "x"), "b/c d%zz");
	kvlist_clear(&p);
}

#define RESPONSE(text, error) local_http_response(text, strlen(text), error, &r)

static void test_response(void)
{
	struct local_http_response r;
	const char *shaped = "{\"statusCode\":201,\"headers\":{\"X-A\":\"1\",\"X-Bad\\r\\nInjected\":\"v\\r\\nSet-Cookie: "
			     "evil=1\",\"X-N\":5},\"cookies\":[\"a=1\",\"b=2\"],\"body\":\"made\"}";

	local_http_response(shaped, strlen(shaped), 0, &r);
	CHECK_INT(r.status, 201);
	CHECK_STR(r.body.ptr, "made");
	CHECK_STR(kvlist_get(&r.headers, "X-A"), "1");
	CHECK_STR(kvlist_get(&r.headers, "X-N"), "5");
	/* a line break never ends a header: the name loses it, the value has a space for it */
	CHECK_STR(kvlist_get(&r.headers, "X-BadInjected"), "v  Set-Cookie: evil=1");
	CHECK_INT(r.headers.nr, 5);
	CHECK_STR(r.headers.items[3].key, "Set-Cookie");
	CHECK_STR(r.headers.items[4].value, "b=2");
	local_http_response_release(&r);

	/* any other JSON is the body of a 200 */
	RESPONSE("\"hi\"", 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.body.ptr, "\"hi\"");
	CHECK_STR(kvlist_get(&r.headers, "Content-Type"), "application/json");
	local_http_response_release(&r);
	RESPONSE("{\"status\":200}", 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.body.ptr, "{\"status\":200}");
	local_http_response_release(&r);

	/* base64 bodies decoded; a bad one, an error or a status out of range is API Gateway's 500 */
	RESPONSE("{\"statusCode\":200,\"body\":\"AAH+/w==\",\"isBase64Encoded\":true}", 0);
	CHECK_INT(r.body.len, 4);
	CHECK(!memcmp(r.body.ptr, "\x00\x01\xfe\xff", 4));
	local_http_response_release(&r);
	RESPONSE("{\"statusCode\":200,\"body\":\"!!\",\"isBase64Encoded\":true}", 0);
	CHECK_INT(r.status, 500);
	local_http_response_release(&r);
	RESPONSE("{\"statusCode\":99}", 0);
	CHECK_INT(r.status, 500);
	local_http_response_release(&r);
	RESPONSE("{\"errorMessage\":\"x\"}", 1);
	CHECK_INT(r.status, 500);
	CHECK_STR(r.body.ptr, "{\"message\":\"Internal Server Error\"}");
	local_http_response_release(&r);
	RESPONSE("{\"statusCode\":101,\"headers\":{\"Upgrade\":\"websocket\",\"Connection\":\"Upgrade\",\"Content-Length\":\"9\"}}", 0);
	CHECK_INT(r.status, 500);
	CHECK_INT(r.headers.nr, 0); /* the connection's own headers are the server's */
	local_http_response_release(&r);
	RESPONSE("not json", 0);
	CHECK_INT(r.status, 500);
	local_http_response_release(&r);
}

static void test_event(void)
{
	struct kvlist q = KVLIST_INIT, h = KVLIST_INIT, p = KVLIST_INIT;
	struct local_http_request r = { 0 };
	struct buf out = BUF_INIT;

	kvlist_add(&q, "a b", "c&d");
	kvlist_add(&h, "Content-Type", "text/plain");
	kvlist_add(&h, "X-Two", "1");
	kvlist_add(&h, "x-two", "2");
	kvlist_add(&h, "Cookie", "s=1; t=2");
	kvlist_add(&p, "id", "7");
	r.method = "PUT";
	r.path = "/i/7";
	r.raw_query = "a%20b=c%26d";
	r.query = &q;
	r.headers = &h;
	r.body = "caf\xc3\xa9";
	r.len = 5;
	r.source_ip = "127.0.0.1";
	r.route = "PUT /i/{id}";
	r.params = &p;
	r.request_id = "rid";
	r.now_ms = 1767225600000LL;
	local_http_event(&r, &out);
	CHECK(strstr(out.ptr, "\"rawQueryString\":\"a%20b=c%26d\"") != NULL);
	CHECK(strstr(out.ptr, "\"queryStringParameters\":{\"a b\":\"c&d\"}") != NULL);
	CHECK(strstr(out.ptr, "\"x-two\":\"1,2\"") != NULL);
	CHECK(strstr(out.ptr, "\"cookies\":[\"s=1\",\"t=2\"]") != NULL);
	CHECK(strstr(out.ptr, "\"body\":\"caf\xc3\xa9\",\"isBase64Encoded\":false") != NULL);
	CHECK(strstr(out.ptr, "\"time\":\"01/Jan/2026:00:00:00 +0000\"") != NULL);
	CHECK(strstr(out.ptr, "\"pathParameters\":{\"id\":\"7\"}") != NULL);
	/* not UTF-8 (an overlong form), though text/plain: base64 */
	buf_reset(&out);
	r.body = "\xc0\x80x";
	r.len = 3;
	local_http_event(&r, &out);
	CHECK(strstr(out.ptr, "\"body\":\"wIB4\",\"isBase64Encoded\":true") != NULL);
	buf_reset(&out);
	r.body = "\xff\xfe";
	r.len = 2;
	local_http_event(&r, &out);
	CHECK(strstr(out.ptr, "\"body\":\"//4=\",\"isBase64Encoded\":true") != NULL);
	buf_release(&out);
	kvlist_clear(&q);
	kvlist_clear(&h);
	kvlist_clear(&p);
}

TEST_MAIN(test_match, test_response, test_event)
