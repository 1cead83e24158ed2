#include "local/httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "local/mhd_lazy.h"

#define HTTPD_MAX_CONNECTIONS 256 /* connections at once; more wait in the kernel's backlog */
#define HTTPD_CONNECTION_MEMORY (64 * 1024) /* a request's line and headers (API Gateway takes a 10 KB line) */

struct httpd {
	const struct mhd_api *api;
	struct MHD_Daemon *daemon;
	unsigned port;
	size_t cap;
	httpd_handler handler;
	void *ctx;
	httpd_origin_check origin_ok;
};

/* what one request has read so far */
struct pending {
	char *raw_uri; /* as the client sent it */
	int started;
	struct buf body;
	size_t total;
};

/* A request begins: its URI kept as sent (libmicrohttpd hands the handler a decoded path) */
static void *begin(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct pending *p = xcalloc(1, sizeof(*p));

	(void)cls;
	(void)conn;
	p->raw_uri = xstrdup(uri ? uri : "/");
	buf_init(&p->body);
	return p;
}

void httpd_allow_origins(struct httpd *h, httpd_origin_check check)
{
	h->origin_ok = check;
}

const char *httpd_header(const struct httpd_request *req, const char *name)
{
	return req->server->api->lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *httpd_query(const struct httpd_request *req, const char *name)
{
	return req->server->api->lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result add_value(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	kvlist_add(cls, key ? key : "", value ? value : "");
	return MHD_YES;
}

void httpd_values(const struct httpd_request *req, int query, struct kvlist *out)
{
	req->server->api->get_connection_values(req->conn, query ? MHD_GET_ARGUMENT_KIND : MHD_HEADER_KIND, add_value,
						out);
}

/*
 * A Host that names this machine, and no Origin header (browsers send one
 * with every cross-site POST) unless the server allows that origin for
 * that request (the routes of an HTTP API with CORS).
 */
static int from_here(const struct httpd *h, const struct httpd_request *req)
{
	const char *host = httpd_header(req, "Host"), *origin = httpd_header(req, "Origin");
	size_t n;

	if (origin && !(h->origin_ok && h->origin_ok(h->ctx, req, origin)))
		return 0;
	if (!host)
		return 1; /* HTTP/1.0 */
	n = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":");
	return (n == 9 && !strncmp(host, "127.0.0.1", 9)) || (n == 9 && !strncmp(host, "localhost", 9)) ||
	       (n == 5 && !strncmp(host, "[::1]", 5));
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct httpd *h = cls;
	struct pending *p = *con_cls;
	struct httpd_request req = { 0 };
	struct httpd_reply rep = { .body = BUF_INIT };
	struct MHD_Response *resp;
	enum MHD_Result r;

	(void)version;
	if (!p) /* not begun (no URI seen): cannot be */
		return MHD_NO;
	if (!p->started) {
		p->started = 1;
		return MHD_YES;
	}
	if (*upload_size) {
		p->total += *upload_size;
		if (p->total <= h->cap)
			buf_add(&p->body, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	rep.status = 200;
	req.conn = conn;
	req.server = h;
	req.method = method;
	req.url = url;
	req.raw_uri = p->raw_uri;
	if (!from_here(h, &req)) {
		/*
		 * A web page may post to loopback (a form needs no preflight) or reach it
		 * under another name (DNS rebinding): neither may run a function.
		 */
		rep.status = 403;
		buf_adds(&rep.body, "{\"Type\":\"User\",\"message\":\"blambda serves requests from this machine's programs "
				    "only, not from web pages\"}");
		kvlist_add(&rep.headers, "Content-Type", "application/json");
		kvlist_add(&rep.headers, "X-Amzn-ErrorType", "AccessDeniedException");
		goto send;
	}
	req.too_large = p->total > h->cap;
	req.body = req.too_large ? "" : p->body.ptr;
	req.len = req.too_large ? 0 : p->body.len;
	req.total = p->total;
	h->handler(h->ctx, &req, &rep);
send:
	resp = h->api->create_response_from_buffer(rep.body.len, rep.body.ptr,
						   MHD_RESPMEM_MUST_COPY);
	/* a header value with a line break is refused by libmicrohttpd: values are made one line by their makers */
	for (size_t i = 0; i < rep.headers.nr; i++)
		h->api->add_response_header(resp, rep.headers.items[i].key, rep.headers.items[i].value);
	if (rep.close)
		h->api->add_response_header(resp, "Connection", "close");
	r = h->api->queue_response(conn, rep.status, resp);
	h->api->destroy_response(resp);
	buf_release(&rep.body);
	kvlist_clear(&rep.headers);
	return r;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode why)
{
	struct pending *p = *con_cls;

	(void)cls;
	(void)conn;
	(void)why;
	if (p) {
		buf_release(&p->body);
		free(p->raw_uri);
		free(p);
		*con_cls = NULL;
	}
}

struct httpd *httpd_start(unsigned port, size_t body_cap, unsigned idle_s, httpd_handler handler, void *ctx,
			  struct error *err)
{
	const struct mhd_api *api = mhd_api(err);
	struct sockaddr_in addr = { 0 };
	const union MHD_DaemonInfo *info;
	struct httpd *h;

	if (!api)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	h->api = api;
	h->cap = body_cap;
	h->handler = handler;
	h->ctx = ctx;
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	errno = 0;
	/*
	 * The idle timeout closes connections that send nothing; a handler that
	 * waits (a runtime's GET /next, a long invocation) is not idle. The
	 * limit keeps idle clients from taking every thread.
	 */
	h->daemon = api->start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD, (uint16_t)port,
				      NULL, NULL, answer, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				      MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_URI_LOG_CALLBACK, begin, NULL,
				      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTPD_CONNECTION_MEMORY,
				      MHD_OPTION_CONNECTION_TIMEOUT,
				      (unsigned int)idle_s, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTPD_MAX_CONNECTIONS,
				      MHD_OPTION_END);
	if (!h->daemon) {
		if (errno == EADDRINUSE)
			error_set(err, EXIT_FAIL, "port %u on 127.0.0.1 is in use", port);
		else
			error_set(err, EXIT_FAIL, "cannot serve on 127.0.0.1:%u%s%s", port, errno ? ": " : "",
				  errno ? strerror(errno) : "");
		free(h);
		return NULL;
	}
	info = api->get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : port;
	return h;
}

unsigned httpd_port(const struct httpd *h)
{
	return h->port;
}

void httpd_stop(struct httpd *h)
{
	if (!h)
		return;
	h->api->stop_daemon(h->daemon);
	free(h);
}
