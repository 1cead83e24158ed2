#ifndef BLAMBDA_LOCAL_ROUTES_H
#define BLAMBDA_LOCAL_ROUTES_H

#include <stddef.h>

#include "core/buf.h"
#include "core/strlist.h"

/*
 * API Gateway's HTTP API, as `local start` serves it: a request matched to
 * a route ("GET /hello/{name}"), turned into a payload-format-2.0 event, and
 * the handler's answer turned back into an HTTP response. Pure functions:
 * server.c does the serving.
 */

/*
 * How well `route` matches a request of method to path (its parameters
 * into params, percent-decoded): -1 when it does not (path is as sent: an
 * encoded '/' is no separator),
 * else a score where more is more specific (a method over ANY, a fixed
 * segment over a parameter, anything over a greedy {name+}), as API
 * Gateway picks the most specific route.
 */
long local_route_match(const char *route, const char *method, const char *path, struct kvlist *params);

/* The most specific of routes[0..n) for the request (its parameters into params), or -1 when none matches */
int local_route_pick(const char *const *routes, size_t n, const char *method, const char *path, struct kvlist *params);

struct local_http_request {
	const char *method;
	const char *path;            /* as sent, without the query */
	const char *raw_query;       /* as sent, without the '?' */
	const struct kvlist *query;  /* decoded name=value pairs, in order */
	const struct kvlist *headers;
	const char *body;
	size_t len;
	const char *source_ip;
	const char *route;           /* the route key matched */
	const struct kvlist *params; /* its path parameters */
	const char *request_id;
	long long now_ms;
};

/* The event API Gateway sends (payload format 2.0), as JSON into out */
void local_http_event(const struct local_http_request *r, struct buf *out);

struct local_http_response {
	unsigned status;
	struct kvlist headers;   /* each Set-Cookie too */
	struct buf body;
};
void local_http_response_release(struct local_http_response *r);
/*
 * The handler's answer as API Gateway returns it: {statusCode, headers,
 * cookies, body, isBase64Encoded} as said; any other JSON as a 200 of
 * application/json with that JSON as the body; a function error as 500
 * Internal Server Error.
 */
void local_http_response(const char *payload, size_t len, int function_error, struct local_http_response *out);

#endif
