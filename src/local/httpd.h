#ifndef BLAMBDA_LOCAL_HTTPD_H
#define BLAMBDA_LOCAL_HTTPD_H

#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/strlist.h"

/*
 * A small HTTP/1.1 server on loopback over libmicrohttpd, for the local
 * Runtime API and Invoke API. One thread a connection, so a handler may
 * block (a runtime's GET /next waits for an event). The handler sees each
 * request once, with its whole body read (up to a cap), and fills a reply.
 */
struct httpd;

struct httpd_request {
	const char *method;
	const char *url;     /* the path, without the query, percent-decoded */
	const char *raw_uri; /* the path and query as sent */
	const char *body;    /* NUL-terminated; empty when too_large */
	size_t len;
	size_t total;        /* bytes the client sent, kept or not */
	int too_large;       /* the body was over the cap and was not kept */
	void *conn;          /* for httpd_header / httpd_query */
	const struct httpd *server;
};

struct httpd_reply {
	unsigned status;     /* 200 unless set */
	struct buf body;
	struct kvlist headers;
	int close;           /* close the connection after this reply */
};

typedef void (*httpd_handler)(void *ctx, const struct httpd_request *req, struct httpd_reply *rep);
/* Whether a request that carries an Origin header (a web page's) may be served; the Host is checked anyway */
typedef int (*httpd_origin_check)(void *ctx, const struct httpd_request *req, const char *origin);

/* A request header (case-insensitive) or query argument; NULL when absent. */
const char *httpd_header(const struct httpd_request *req, const char *name);
const char *httpd_query(const struct httpd_request *req, const char *name);
/* Every request header (query: every query argument, decoded), in order, appended to out. */
void httpd_values(const struct httpd_request *req, int query, struct kvlist *out);

/*
 * Serve on 127.0.0.1:port (0: a free port) with `handler`. Bodies over
 * body_cap bytes are read and dropped (req->too_large). A connection that
 * sends nothing for idle_s seconds is closed (0: never). NULL with err
 * when the port cannot be had or libmicrohttpd not loaded.
 */
struct httpd *httpd_start(unsigned port, size_t body_cap, unsigned idle_s, httpd_handler handler, void *ctx,
			  struct error *err);
unsigned httpd_port(const struct httpd *h);
/* From now on, serve a request with an Origin header when check says so (default: never). Set before serving. */
void httpd_allow_origins(struct httpd *h, httpd_origin_check check);
/* Stop serving and wait for every connection's thread (the caller wakes handlers that block first). */
void httpd_stop(struct httpd *h);

#endif
