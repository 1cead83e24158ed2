/*
 * function.events: what calls the function besides a direct invoke. A list
 * whose entries each name one trigger by its key (schedule, sqs, stream, http, s3),
 * short (`schedule: rate(5 minutes)`) or as a map of its fields. Read into
 * typed entries here, so that everything after the file speaks of
 * struct cfg_event and every mistake is found, with its place, before a
 * call is made.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"
#include "core/json.h"
#include "core/suggest.h"
#include "core/xalloc.h"

#define EVENTS_MAX 50
/* the queues and streams a function's tag blambda:events can remember: 28 digests in AWS's 256 characters */
#define MAPPED_MAX 28
#define SCHEDULE_INPUT_MAX 8192

const char *const cfg_event_kinds[CFG_EVENT__KINDS] = { "schedule", "sqs", "stream", "http", "s3" };

void cfg_events_release(struct cfg_events *e)
{
	for (size_t i = 0; i < e->nr; i++) {
		struct cfg_event *v = &e->items[i];

		free(v->name);
		free(v->expression);
		free(v->input);
		free(v->source);
		free(v->starting_position);
		free(v->route);
		strlist_clear(&v->s3_events);
		free(v->prefix);
		free(v->suffix);
	}
	free(e->items);
	memset(e, 0, sizeof(*e));
}

struct cfg_event *cfg_event_copy(const struct cfg_event *e)
{
	struct cfg_event *c = xmalloc(sizeof(*c));

	*c = *e;
	c->name = xstrdup_or_null(e->name);
	c->expression = xstrdup_or_null(e->expression);
	c->input = xstrdup_or_null(e->input);
	c->source = xstrdup_or_null(e->source);
	c->starting_position = xstrdup_or_null(e->starting_position);
	c->route = xstrdup_or_null(e->route);
	memset(&c->s3_events, 0, sizeof(c->s3_events));
	for (size_t i = 0; i < e->s3_events.nr; i++)
		strlist_add(&c->s3_events, e->s3_events.items[i]);
	c->prefix = xstrdup_or_null(e->prefix);
	c->suffix = xstrdup_or_null(e->suffix);
	return c;
}

void cfg_event_free(struct cfg_event *e)
{
	if (!e)
		return;
	free(e->name);
	free(e->expression);
	free(e->input);
	free(e->source);
	free(e->starting_position);
	free(e->route);
	strlist_clear(&e->s3_events);
	free(e->prefix);
	free(e->suffix);
	free(e);
}

/* ---- fields ---------------------------------------------------------------- */

struct reader {
	struct buf *why;
	const struct cfg_node **at;
};

static int fail(struct reader *r, const struct cfg_node *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct reader *r, const struct cfg_node *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(r->why, fmt, ap);
	va_end(ap);
	*r->at = at;
	return -1;
}

static int scalar(struct reader *r, const struct cfg_node *n, const char *field, const char **out)
{
	if (n->type != CFG_NODE_SCALAR)
		return fail(r, n, "%s must be a single value", field);
	*out = n->value;
	return 0;
}

static int number(struct reader *r, const struct cfg_node *n, const char *field, long min, long max, long *out)
{
	const char *v = "";
	char *end;

	if (scalar(r, n, field, &v))
		return -1;
	*out = strtol(v, &end, 10);
	if (!*v || *end || !isdigit((unsigned char)*v))
		return fail(r, n, "%s must be a whole number, got '%s'", field, v);
	if (*out < min || *out > max)
		return fail(r, n, "%s must be between %ld and %ld, got %s", field, min, max, v);
	return 0;
}

static int boolean(struct reader *r, const struct cfg_node *n, const char *field, int *out)
{
	const char *v = "";

	if (scalar(r, n, field, &v))
		return -1;
	if (!strcmp(v, "true") || !strcmp(v, "false")) {
		*out = !strcmp(v, "true");
		return 0;
	}
	return fail(r, n, "%s must be true or false, got '%s'", field, v);
}

/* Every key of map m one of `known` (NULL-ended), else a did-you-mean */
static int known_keys(struct reader *r, const struct cfg_node *m, const char *what, const char *const *known)
{
	size_t n = 0;

	while (known[n])
		n++;
	for (size_t i = 0; i < m->nkids; i++) {
		int ok = 0;

		for (size_t k = 0; k < n; k++)
			ok |= !strcmp(m->kids[i].key, known[k]);
		if (!ok) {
			const char *s = suggest(m->kids[i].key, known, n);
			struct buf list = BUF_INIT;

			for (size_t k = 0; k < n; k++)
				buf_addf(&list, "%s%s", k ? ", " : "", known[k]);
			fail(r, &m->kids[i], "unknown key '%s' in %s (it takes %s)", m->kids[i].key, what, list.ptr);
			if (s)
				buf_addf(r->why, " (did you mean '%s'?)", s);
			buf_release(&list);
			return -1;
		}
	}
	return 0;
}

/* ---- schedule expressions -------------------------------------------------- */

/* rate(N unit): N from 1, the unit singular for 1 and plural otherwise, as EventBridge wants */
static int check_rate(const char *inner, struct buf *why)
{
	static const char *const units[] = { "minute", "hour", "day" };
	char *end;
	long n;

	errno = 0;
	n = strtol(inner, &end, 10);
	if (!isdigit((unsigned char)*inner) || *end != ' ' || n < 1) {
		buf_addf(why, "rate(%s) needs a whole number from 1 and a unit, like rate(5 minutes)", inner);
		return -1;
	}
	if (errno == ERANGE || n > INT_MAX) { /* EventBridge reads it as a 32-bit number */
		buf_addf(why, "rate(%s): %.*s is too large (at most %d)", inner, (int)(end - inner), inner, INT_MAX);
		return -1;
	}
	end++;
	for (size_t i = 0; i < 3; i++) {
		size_t len = strlen(units[i]);

		if (!strncmp(end, units[i], len) && (!end[len] || (end[len] == 's' && !end[len + 1]))) {
			if ((n == 1) != !end[len]) {
				buf_addf(why, "rate(%s): EventBridge wants '%ld %s%s'", inner, n, units[i], n == 1 ? "" : "s");
				return -1;
			}
			return 0;
		}
	}
	buf_addf(why, "rate(%s): the unit is one of minute(s), hour(s), day(s)", inner);
	return -1;
}

/* One cron field: its characters, and each plain number within lo..hi (not an increment after '/' or '#') */
static int cron_field(const char *f, size_t len, const char *extra, long lo, long hi, const char *what, struct buf *why)
{
	for (size_t i = 0; i < len;) {
		if (isdigit((unsigned char)f[i])) {
			size_t start = i;
			long v = 0;

			while (i < len && isdigit((unsigned char)f[i]) && v < 100000)
				v = v * 10 + (f[i++] - '0');
			if ((!start || (f[start - 1] != '/' && f[start - 1] != '#')) && (v < lo || v > hi)) {
				buf_addf(why, "cron: %s takes %ld to %ld, got %ld", what, lo, hi, v);
				return -1;
			}
			continue;
		}
		if (isalpha((unsigned char)f[i]) && strchr(extra, 'A')) {
			i++;
			continue;
		}
		if (!strchr(",-*/", f[i]) && !strchr(extra, f[i])) {
			buf_addf(why, "cron: '%c' does not belong in the %s field", f[i], what);
			return -1;
		}
		i++;
	}
	return 0;
}

/* cron(minutes hours day-of-month month day-of-week year), one of the two days '?' */
static int check_cron(const char *inner, struct buf *why)
{
	static const struct { const char *what; const char *extra; long lo, hi; } fields[6] = {
		{ "minutes", "", 0, 59 }, { "hours", "", 0, 23 }, { "day-of-month", "?LW", 1, 31 },
		{ "month", "A", 1, 12 }, { "day-of-week", "?L#A", 1, 7 }, { "year", "", 1970, 2199 },
	};
	const char *f[6], *p = inner;
	size_t len[6], n = 0;

	while (*p && n < 7) {
		size_t l = strcspn(p, " ");

		if (l && n < 6) {
			f[n] = p;
			len[n] = l;
		}
		n += l > 0;
		p += l;
		p += strspn(p, " ");
	}
	if (n != 6) {
		buf_addf(why, "cron(%s) has %zu fields; EventBridge wants 6: minutes hours day-of-month month "
			 "day-of-week year, like cron(0 12 * * ? *)", inner, n);
		return -1;
	}
	for (size_t i = 0; i < 6; i++)
		if (cron_field(f[i], len[i], fields[i].extra, fields[i].lo, fields[i].hi, fields[i].what, why))
			return -1;
	if (!((len[2] == 1 && f[2][0] == '?') ^ (len[4] == 1 && f[4][0] == '?'))) {
		buf_adds(why, "cron: one of day-of-month and day-of-week must be '?', and only one");
		return -1;
	}
	return 0;
}

int cfg_check_schedule_expression(const char *v, struct buf *why)
{
	size_t n = strlen(v);
	struct buf inner = BUF_INIT;
	int r;

	if (n < 7 || v[n - 1] != ')' || (strncmp(v, "rate(", 5) && strncmp(v, "cron(", 5))) {
		buf_addf(why, "'%s' is not a schedule: rate(5 minutes) or cron(0 12 * * ? *)", v);
		return -1;
	}
	buf_add(&inner, v + 5, n - 6);
	r = v[0] == 'r' ? check_rate(inner.ptr, why) : check_cron(inner.ptr, why);
	buf_release(&inner);
	return r;
}

/* ---- entries --------------------------------------------------------------- */

static int name_ok(const char *v)
{
	size_t n = strlen(v);

	return n && n <= 32 && strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n;
}

static int read_schedule(struct reader *r, const struct cfg_node *n, struct cfg_event *e)
{
	static const char *const keys[] = { "expression", "name", "input", "enabled", NULL };
	const struct cfg_node *x = n, *f;
	const char *v = "";

	e->enabled = 1;
	if (n->type == CFG_NODE_MAP) {
		if (known_keys(r, n, "a schedule", keys))
			return -1;
		if (!(x = cfg_node_get(n, "expression")))
			return fail(r, n, "a schedule needs its expression: rate(5 minutes) or cron(0 12 * * ? *)");
		if ((f = cfg_node_get(n, "name"))) {
			if (scalar(r, f, "name", &v))
				return -1;
			if (!name_ok(v))
				return fail(r, f, "schedule name '%s' is not valid: 1 to 32 letters, digits, '-' and '_'", v);
			e->name = xstrdup(v);
		}
		if ((f = cfg_node_get(n, "enabled")) && boolean(r, f, "enabled", &e->enabled))
			return -1;
		if ((f = cfg_node_get(n, "input"))) {
			struct buf json = BUF_INIT;
			size_t line, col;

			if (f->type == CFG_NODE_SCALAR) {
				/* a string of JSON, as EventBridge takes it */
				if (json_check_why(f->value, strlen(f->value), &line, &col, &json)) {
					int failed = fail(r, f, "input is not JSON (at line %zu, column %zu of it: %s)", line,
							  col, json.len ? json.ptr : "not one JSON value");

					buf_release(&json);
					return failed;
				}
				json_compact(f->value, strlen(f->value), &json);
			} else {
				cfg_node_json(f, &json);
			}
			if (json.len > SCHEDULE_INPUT_MAX) {
				buf_release(&json);
				return fail(r, f, "input is %zu bytes of JSON; EventBridge allows %d", json.len,
					    SCHEDULE_INPUT_MAX);
			}
			e->input = buf_detach(&json);
		}
	}
	if (scalar(r, x, "a schedule", &v))
		return -1;
	{
		struct buf why = BUF_INIT;

		if (cfg_check_schedule_expression(v, &why)) {
			fail(r, x, "%s", why.ptr);
			buf_release(&why);
			return -1;
		}
	}
	e->expression = xstrdup(v);
	return 0;
}

/* arn:PARTITION:SERVICE:REGION:ACCOUNT:REST with REST starting `rest` (NULL: anything) */
static int arn_of(const char *v, const char *service, const char *rest)
{
	const char *p = v;
	size_t n = strlen(service);

	if (strncmp(p, "arn:aws", 7) || !(p = strchr(p + 4, ':')) || strncmp(p + 1, service, n) || p[1 + n] != ':')
		return 0;
	p += 2 + n; /* REGION:ACCOUNT:... */
	if (!(p = strchr(p, ':')) || strspn(p + 1, "0123456789") != 12 || p[13] != ':')
		return 0;
	p += 14;
	return *p && (!rest || !strncmp(p, rest, strlen(rest))) && !strpbrk(p, " \t\n");
}

/* An SQS queue's name: 1 to 80 letters, digits, '-' and '_', with .fifo at the end for a FIFO queue */
static int queue_name_ok(const char *v)
{
	size_t n = strlen(v), base = n > 5 && !strcmp(v + n - 5, ".fifo") ? n - 5 : n;

	return n && n <= 80 && base &&
	       strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == base;
}

static int read_sqs(struct reader *r, const struct cfg_node *n, struct cfg_event *e)
{
	static const char *const keys[] = { "queue", "batch-size", "batch-window", "max-concurrency",
					    "report-batch-item-failures", "enabled", NULL };
	const struct cfg_node *q = n, *f;
	const char *v = "";

	e->enabled = 1;
	e->batch_size = 10;
	if (n->type == CFG_NODE_MAP) {
		if (known_keys(r, n, "an sqs trigger", keys))
			return -1;
		if (!(q = cfg_node_get(n, "queue")))
			return fail(r, n, "an sqs trigger needs its queue (a name or an ARN)");
		if ((f = cfg_node_get(n, "batch-size")) && number(r, f, "batch-size", 1, 10000, &e->batch_size))
			return -1;
		if ((f = cfg_node_get(n, "batch-window")) && number(r, f, "batch-window", 0, 300, &e->batch_window))
			return -1;
		if ((f = cfg_node_get(n, "max-concurrency")) &&
		    number(r, f, "max-concurrency", 2, 1000, &e->max_concurrency))
			return -1;
		if ((f = cfg_node_get(n, "report-batch-item-failures")) &&
		    boolean(r, f, "report-batch-item-failures", &e->report_failures))
			return -1;
		if ((f = cfg_node_get(n, "enabled")) && boolean(r, f, "enabled", &e->enabled))
			return -1;
	}
	if (scalar(r, q, "queue", &v))
		return -1;
	if (!arn_of(v, "sqs", NULL) && !queue_name_ok(v))
		return fail(r, q, "'%s' is neither an SQS queue name nor a queue ARN like "
			    "'arn:aws:sqs:eu-west-1:123456789012:orders'", v);
	e->source = xstrdup(v);
	{
		size_t len = strlen(v);
		int fifo = len > 5 && !strcmp(v + len - 5, ".fifo");

		if (fifo && e->batch_size > 10)
			return fail(r, cfg_node_get(n, "batch-size"), "a FIFO queue takes batches of 10 at most");
		if (fifo && e->batch_window)
			return fail(r, cfg_node_get(n, "batch-window"), "a FIFO queue takes no batch-window (Lambda's rule)");
		if (e->batch_size > 10 && !e->batch_window)
			return fail(r, cfg_node_get(n, "batch-size"),
				    "batch-size over 10 needs a batch-window of 1 second or more (Lambda's rule)");
	}
	return 0;
}

static int read_stream(struct reader *r, const struct cfg_node *n, struct cfg_event *e)
{
	static const char *const keys[] = { "arn", "starting-position", "batch-size", "enabled", NULL };
	const struct cfg_node *a = n, *f;
	const char *v = "";

	e->enabled = 1;
	e->batch_size = 100;
	if (n->type == CFG_NODE_MAP) {
		if (known_keys(r, n, "a stream trigger", keys))
			return -1;
		if (!(a = cfg_node_get(n, "arn")))
			return fail(r, n, "a stream trigger needs its arn (a DynamoDB or Kinesis stream)");
		if ((f = cfg_node_get(n, "batch-size")) && number(r, f, "batch-size", 1, 10000, &e->batch_size))
			return -1;
		if ((f = cfg_node_get(n, "enabled")) && boolean(r, f, "enabled", &e->enabled))
			return -1;
		if ((f = cfg_node_get(n, "starting-position"))) {
			if (scalar(r, f, "starting-position", &v))
				return -1;
			if (strcmp(v, "LATEST") && strcmp(v, "TRIM_HORIZON"))
				return fail(r, f, "starting-position must be LATEST or TRIM_HORIZON, got '%s'", v);
			e->starting_position = xstrdup(v);
		}
	}
	if (scalar(r, a, "arn", &v))
		return -1;
	if (!(arn_of(v, "dynamodb", "table/") && strstr(v, "/stream/")) && !arn_of(v, "kinesis", "stream/"))
		return fail(r, a, "'%s' is not a stream ARN: a DynamoDB table's stream "
			    "(arn:aws:dynamodb:REGION:ACCOUNT:table/T/stream/LABEL) or a Kinesis stream "
			    "(arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)", v);
	e->source = xstrdup(v);
	if (!e->starting_position)
		e->starting_position = xstrdup("LATEST");
	return 0;
}

/* ---- http routes ---------------------------------------------------------- */

#define ROUTE_PATH_MAX 512

static const char *const http_methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY", NULL };

/* A path as API Gateway's routes take it: /, or /seg/{param}/..., a greedy {name+} only at the end */
static int check_route_path(const char *v, struct buf *why)
{
	struct strlist params = STRLIST_INIT;
	const char *p = v;
	int r = -1;

	if (*v != '/') {
		buf_addf(why, "the path '%s' must begin with '/'", v);
		return -1;
	}
	if (strlen(v) > ROUTE_PATH_MAX) {
		buf_addf(why, "the path is %zu characters long; %d at most", strlen(v), ROUTE_PATH_MAX);
		return -1;
	}
	if (!strcmp(v, "/"))
		return 0;
	while (*p == '/') {
		size_t n = strcspn(p + 1, "/");
		const char *seg = p + 1;

		if (!n) {
			buf_addf(why, "the path '%s' has an empty segment ('//' or a '/' at the end)", v);
			goto out;
		}
		if (*seg == '{') {
			int greedy = n > 3 && seg[n - 2] == '+';
			size_t name = n - 2 - (size_t)greedy;
			struct buf param = BUF_INIT;

			if (seg[n - 1] != '}' || !name ||
			    strspn(seg + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != name) {
				buf_addf(why, "'%.*s' in path '%s' is not a parameter: {name} or, last, {name+}", (int)n, seg,
					 v);
				goto out;
			}
			if (greedy && seg[n]) {
				buf_addf(why, "'%.*s' in path '%s' takes the rest of the path: it must come last", (int)n, seg, v);
				goto out;
			}
			buf_add(&param, seg + 1, name);
			if (strlist_has(&params, param.ptr)) {
				buf_addf(why, "the path '%s' names parameter '%s' twice", v, param.ptr);
				buf_release(&param);
				goto out;
			}
			strlist_add(&params, param.ptr);
			buf_release(&param);
		} else if (*seg == ':' && n > 1) {
			/* Ring, Compojure and reitit write parameters so; API Gateway would take it literally */
			buf_addf(why, "'%.*s' in path '%s' is a parameter in Ring's way: API Gateway writes it '{%.*s}'",
				 (int)n, seg, v, (int)n - 1, seg + 1);
			goto out;
		} else if (strspn(seg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:@!$&'()*,;=") < n) {
			size_t bad = strspn(seg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:@!$&'()*,;=");

			if (seg[bad] == '{' || seg[bad] == '}')
				buf_addf(why, "'%.*s' in path '%s' holds a brace: a parameter is a whole segment, {name}", (int)n,
					 seg, v);
			else
				buf_addf(why, "'%.*s' in path '%s' holds %s, which a route cannot", (int)n, seg, v,
					 seg[bad] == ' ' ? "a space" : (char[]){ '\'', seg[bad], '\'', 0 });
			goto out;
		}
		p = seg + n;
	}
	r = 0;
out:
	strlist_clear(&params);
	return r;
}

static int read_http(struct reader *r, const struct cfg_node *n, struct cfg_event *e)
{
	static const char *const keys[] = { "method", "path", NULL };
	const char *method = "", *path = "";
	struct buf m = BUF_INIT, why = BUF_INIT;
	const struct cfg_node *at = n;
	int k, rc = -1;

	if (n->type == CFG_NODE_MAP) {
		const struct cfg_node *f;

		if (known_keys(r, n, "an http route", keys))
			return -1;
		if (!(f = cfg_node_get(n, "path")))
			return fail(r, n, "an http route needs its path, like '/hello/{name}'");
		if (scalar(r, f, "path", &path))
			return -1;
		at = f;
		if ((f = cfg_node_get(n, "method")) && scalar(r, f, "method", &method))
			return -1;
		if (!f)
			method = "ANY";
		buf_adds(&m, method);
	} else {
		const char *v = "", *sp;

		if (scalar(r, n, "an http route", &v))
			return -1;
		sp = strchr(v, ' ');
		if (!sp && *v == '/') {
			fail(r, n, "'%s' is not a route: it needs a method first, like 'ANY %s' or 'GET %s'", v, v, v);
			goto out;
		}
		if (!sp) {
			fail(r, n, "'%s' is not a route: a method and a path, like 'GET /hello/{name}' or 'ANY /{proxy+}'", v);
			goto out;
		}
		buf_add(&m, v, (size_t)(sp - v));
		path = sp + strspn(sp, " ");
	}
	for (size_t i = 0; i < m.len; i++)
		m.ptr[i] = (char)toupper((unsigned char)m.ptr[i]);
	for (k = 0; http_methods[k] && strcmp(http_methods[k], m.ptr); k++)
		;
	if (!http_methods[k]) {
		const char *s = suggest(m.ptr, http_methods, 8);

		fail(r, n, "'%s' is not a method a route takes (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY)",
		     m.len ? m.ptr : method);
		if (s)
			buf_addf(r->why, " (did you mean '%s'?)", s);
		goto out;
	}
	if (check_route_path(path, &why)) {
		fail(r, at, "%s", why.ptr);
		goto out;
	}
	e->route = buf_fmt("%s %s", m.ptr, path);
	rc = 0;
out:
	buf_release(&m);
	buf_release(&why);
	return rc;
}

/* ---- s3 ------------------------------------------------------------------- */

#define S3_BUCKETS_MAX 4 /* what the function's tag blambda:s3 can name: 4 buckets of 63 characters */

static int bucket_ok(const char *v)
{
	size_t n = strlen(v);

	return n >= 3 && n <= 63 && strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789.-") == n && isalnum((unsigned char)v[0]) &&
	       isalnum((unsigned char)v[n - 1]) && !strstr(v, "..");
}

/* s3:ObjectCreated:*, s3:ObjectRemoved:Delete, ... */
static int s3_event_ok(const char *v)
{
	size_t n = strlen(v);

	return n > 3 && n <= 100 && !strncmp(v, "s3:", 3) && isupper((unsigned char)v[3]) &&
	       strspn(v + 3, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:*") == n - 3;
}

static int read_s3(struct reader *r, const struct cfg_node *n, struct cfg_event *e)
{
	static const char *const keys[] = { "bucket", "events", "prefix", "suffix", NULL };
	const struct cfg_node *b = n, *f;
	const char *v = "";

	if (n->type == CFG_NODE_MAP) {
		if (known_keys(r, n, "an s3 trigger", keys))
			return -1;
		if (!(b = cfg_node_get(n, "bucket")))
			return fail(r, n, "an s3 trigger needs its bucket");
		if ((f = cfg_node_get(n, "events"))) {
			if (f->type != CFG_NODE_LIST || !f->nkids)
				return fail(r, f, "events must be a list of S3 event types, like [s3:ObjectCreated:*]");
			for (size_t i = 0; i < f->nkids; i++) {
				if (scalar(r, &f->kids[i], "an event type", &v))
					return -1;
				if (!s3_event_ok(v))
					return fail(r, &f->kids[i], "'%s' is not an S3 event type, like s3:ObjectCreated:* or "
						    "s3:ObjectRemoved:Delete", v);
				strlist_add(&e->s3_events, v);
			}
		}
		if ((f = cfg_node_get(n, "prefix"))) {
			if (scalar(r, f, "prefix", &v))
				return -1;
			if (!*v || strlen(v) > 1024)
				return fail(r, f, "prefix must be 1 to 1024 characters");
			e->prefix = xstrdup(v);
		}
		if ((f = cfg_node_get(n, "suffix"))) {
			if (scalar(r, f, "suffix", &v))
				return -1;
			if (!*v || strlen(v) > 1024)
				return fail(r, f, "suffix must be 1 to 1024 characters");
			e->suffix = xstrdup(v);
		}
	}
	if (scalar(r, b, "bucket", &v))
		return -1;
	if (!bucket_ok(v))
		return fail(r, b, "'%s' is not an S3 bucket name: 3 to 63 lower-case letters, digits, '.' and '-'", v);
	e->source = xstrdup(v);
	if (!e->s3_events.nr)
		strlist_add(&e->s3_events, "s3:ObjectCreated:*");
	return 0;
}

/* Two event types that one event can match both: the same, or one a wildcard over the other */
static int types_overlap(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	if (!strcmp(a, b))
		return 1;
	if (na && a[na - 1] == '*' && !strncmp(a, b, na - 1))
		return 1;
	return nb && b[nb - 1] == '*' && !strncmp(a, b, nb - 1);
}

/* One string starts (or ends) as the other does: a key can have both */
static int fix_overlap(const char *a, const char *b, int at_end)
{
	size_t na = a ? strlen(a) : 0, nb = b ? strlen(b) : 0, n = na < nb ? na : nb;

	if (!n)
		return 1;
	return at_end ? !strcmp(a + na - n, b + nb - n) : !strncmp(a, b, n);
}

int cfg_s3_overlap(const struct cfg_event *a, const struct cfg_event *b)
{
	int types = 0;

	if (strcmp(a->source, b->source))
		return 0;
	for (size_t i = 0; i < a->s3_events.nr; i++)
		for (size_t k = 0; k < b->s3_events.nr; k++)
			types |= types_overlap(a->s3_events.items[i], b->s3_events.items[k]);
	return types && fix_overlap(a->prefix, b->prefix, 0) && fix_overlap(a->suffix, b->suffix, 1);
}

int cfg_events_read(const struct cfg_node *list, struct cfg_events *out, struct buf *why, const struct cfg_node **at)
{
	struct reader r = { why, at };
	size_t schedules = 0, mapped = 0;
	struct strlist buckets = STRLIST_INIT;

	memset(out, 0, sizeof(*out));
	if (!list)
		return 0;
	if (list->type != CFG_NODE_LIST)
		return fail(&r, list, "events must be a list, each entry one trigger: schedule, sqs, stream, http or s3");
	if (list->nkids > EVENTS_MAX)
		return fail(&r, list, "events lists %zu triggers; %d at most", list->nkids, EVENTS_MAX);
	out->items = list->nkids ? xcalloc(list->nkids, sizeof(*out->items)) : NULL;
	for (size_t i = 0; i < list->nkids; i++) {
		const struct cfg_node *n = &list->kids[i], *body;
		struct cfg_event *e = &out->items[out->nr];
		int kind = -1, rc;

		if (n->type != CFG_NODE_MAP || n->nkids != 1) {
			fail(&r, n, "each entry of events is one trigger, like '- schedule: rate(1 hour)' "
				    "(one of schedule, sqs, stream, http, s3)");
			goto bad;
		}
		for (int k = 0; k < CFG_EVENT__KINDS; k++)
			if (!strcmp(n->kids[0].key, cfg_event_kinds[k]))
				kind = k;
		if (kind < 0) {
			const char *s = suggest(n->kids[0].key, cfg_event_kinds, CFG_EVENT__KINDS);

			fail(&r, &n->kids[0], "unknown trigger '%s' (one of schedule, sqs, stream, http, s3)", n->kids[0].key);
			if (s)
				buf_addf(why, " (did you mean '%s'?)", s);
			goto bad;
		}
		body = &n->kids[0];
		e->kind = (enum cfg_event_kind)kind;
		e->line = n->line;
		out->nr++;
		if (body->type == CFG_NODE_LIST) {
			fail(&r, body, "%s takes a single value or a map of its fields, not a list", cfg_event_kinds[kind]);
			goto bad;
		}
		rc = kind == CFG_EVENT_SCHEDULE ? read_schedule(&r, body, e) :
		     kind == CFG_EVENT_SQS	? read_sqs(&r, body, e) :
		     kind == CFG_EVENT_HTTP	? read_http(&r, body, e) :
		     kind == CFG_EVENT_S3	? read_s3(&r, body, e) :
						  read_stream(&r, body, e);
		if (rc)
			goto bad;
		if (kind == CFG_EVENT_SCHEDULE && !e->name) { /* by its place among the schedules: schedule, schedule-2 */
			e->name = schedules ? buf_fmt("schedule-%zu", schedules + 1) : xstrdup("schedule");
		}
		schedules += kind == CFG_EVENT_SCHEDULE;
		mapped += cfg_event_mapped(e);
		if (kind == CFG_EVENT_S3 && !strlist_has(&buckets, e->source))
			strlist_add(&buckets, e->source);
		if (buckets.nr > S3_BUCKETS_MAX) {
			fail(&r, n, "more than %d buckets for one function (what blambda can remember of them)",
			     S3_BUCKETS_MAX);
			goto bad;
		}
		if (cfg_event_mapped(e) && mapped > MAPPED_MAX) {
			fail(&r, n, "more than %d queues and streams for one function (what blambda can remember of them)",
			     MAPPED_MAX);
			goto bad;
		}
		for (size_t k = 0; k + 1 < out->nr; k++) {
			const struct cfg_event *o = &out->items[k];

			if (kind == CFG_EVENT_SCHEDULE && o->kind == CFG_EVENT_SCHEDULE && !strcmp(o->name, e->name)) {
				fail(&r, n, "two schedules are named '%s' (give each its own name)", e->name);
				goto bad;
			}
			if (kind == CFG_EVENT_S3 && o->kind == CFG_EVENT_S3 && cfg_s3_overlap(o, e)) {
				fail(&r, n, "two s3 triggers of bucket '%s' could both take one event: S3 refuses that "
					    "(give them other events, or a prefix or suffix apart)", e->source);
				goto bad;
			}
			if (kind == CFG_EVENT_HTTP && o->kind == CFG_EVENT_HTTP && !strcmp(o->route, e->route)) {
				fail(&r, n, "route '%s' is listed twice", e->route);
				goto bad;
			}
			if (cfg_event_mapped(e) && o->kind == e->kind && !strcmp(o->source, e->source)) {
				fail(&r, n, "%s '%s' is listed twice", cfg_event_kinds[kind], e->source);
				goto bad;
			}
		}
	}
	strlist_clear(&buckets);
	return 0;
bad:
	strlist_clear(&buckets);
	cfg_events_release(out);
	return -1;
}

int cfg_event_mapped(const struct cfg_event *e)
{
	return e->kind == CFG_EVENT_SQS || e->kind == CFG_EVENT_STREAM;
}

int config_check_events(const struct cfg_node *n, struct buf *why, const struct cfg_node **at)
{
	struct cfg_events e;
	int r = cfg_events_read(n, &e, why, at);

	cfg_events_release(&e);
	return r;
}

void config_http_routes(const struct config *f, struct strlist *out)
{
	struct cfg_events events;
	struct buf why = BUF_INIT;
	const struct cfg_node *at;

	if (cfg_events_read(config_tree(f, CFG_FUNCTION_EVENTS), &events, &why, &at)) { /* said when it was read */
		buf_release(&why);
		return;
	}
	for (size_t i = 0; i < events.nr; i++)
		if (events.items[i].kind == CFG_EVENT_HTTP)
			strlist_add(out, events.items[i].route);
	cfg_events_release(&events);
}
