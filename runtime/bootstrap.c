/*
 * bootstrap: the AWS Lambda custom runtime of blambda's runtime layer.
 *
 * Lambda runs this program at /opt/bootstrap. It starts ONE long-lived
 * Babashka process (`bb`, next to this binary, or BLAMBDA_BB) running the
 * Babashka side of the runtime (blambda/runtime.clj, next to this binary),
 * which loads the handler named by _HANDLER once. Then, for every
 * invocation, it fetches the event from the Runtime API, passes it to bb over
 * a pipe, and posts bb's answer back.
 *
 * The event and answer travel over two dedicated pipes (bb's fds 3 and 4),
 * never over bb's stdout and stderr, which stay the function's log so that
 * `println` in a handler reaches CloudWatch. Messages are single lines:
 *
 *   bootstrap -> bb   {"lambda-runtime-aws-request-id": ..., ...}\n   the /next headers
 *                     EVENT\n                                          the event, CR/LF made spaces
 *   bb -> bootstrap   I\n                   the handler is loaded
 *                     FTYPE\tJSON\n         it is not: the init error to post
 *                     RJSON\n               the handler's answer
 *                     ETYPE\tJSON\n         the handler threw: the error to post
 *
 * JSON holds a raw newline only as whitespace, so turning CR and LF into
 * spaces keeps an event intact. bb that dies during an invocation fails that
 * invocation and is started again for the next one.
 *
 * It is built static against musl (musl-gcc for x86_64, aarch64-linux-musl-gcc for arm64)
 * and uses nothing but libc: its HTTP/1.1 client speaks just what the Runtime
 * API needs, with no timeout on /next, a short connect timeout, and bounded
 * retries that reset after each success (as aws-lambda-cpp does).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define API_PREFIX "/2018-06-01/runtime"
#define CONNECT_TIMEOUT_MS 2000
#define MAX_CONNECT_RETRIES 5
#define MAX_HEADERS 256 /* more is not an answer of the Runtime API */
#define MAX_REQUEST_ID 128
#define MAX_LINE (64u << 20) /* the longest answer bb may give; Lambda allows 6 MB */
#define PAYLOAD_LIMIT 6291556 /* what the Runtime API accepts, for the error message */

/* ---- small helpers ------------------------------------------------------- */

static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

struct str {
	char *p;
	size_t len, cap;
};

static void str_grow(struct str *s, size_t extra)
{
	size_t want = s->cap ? s->cap : 256;

	if (s->len + extra + 1 <= s->cap)
		return;
	while (want < s->len + extra + 1)
		want *= 2;
	s->p = realloc(s->p, want);
	if (!s->p) {
		logmsg("bootstrap: out of memory");
		_exit(1);
	}
	s->cap = want;
}

static void str_add(struct str *s, const void *data, size_t len)
{
	str_grow(s, len);
	memcpy(s->p + s->len, data, len);
	s->len += len;
	s->p[s->len] = '\0';
}

static void str_adds(struct str *s, const char *z)
{
	str_add(s, z, strlen(z));
}

static void str_reset(struct str *s)
{
	s->len = 0;
	if (s->p)
		s->p[0] = '\0';
}

static void str_free(struct str *s)
{
	free(s->p);
	s->p = NULL;
	s->len = s->cap = 0;
}

/* Append z as a JSON string literal. */
static void str_add_json(struct str *s, const char *z, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	str_add(s, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)z[i];

		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			str_add(s, e, 2);
		} else if (c < 0x20) {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			str_add(s, e, 6);
		} else {
			str_add(s, &z[i], 1);
		}
	}
	str_add(s, "\"", 1);
}

/* Write head and body in one go (writev), so the request leaves in as few packets as it can. */
static int writev_all(int fd, const char *head, size_t hlen, const char *body, size_t blen)
{
	struct iovec iov[2] = { { (void *)head, hlen }, { (void *)body, blen } };
	int n_iov = blen ? 2 : 1;
	struct iovec *v = iov;

	while (n_iov) {
		ssize_t n = writev(fd, v, n_iov);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n_iov && (size_t)n >= v->iov_len) {
			n -= (ssize_t)v->iov_len;
			v++;
			n_iov--;
		}
		if (n_iov) {
			v->iov_base = (char *)v->iov_base + n;
			v->iov_len -= (size_t)n;
		}
	}
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A buffered line and block reader over a file descriptor. */
struct reader {
	int fd;
	char buf[65536];
	size_t start, end;
};

static int fill(struct reader *r)
{
	ssize_t n;

	if (r->start == r->end)
		r->start = r->end = 0;
	if (r->end == sizeof(r->buf)) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	do
		n = read(r->fd, r->buf + r->end, sizeof(r->buf) - r->end);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	r->end += (size_t)n;
	return 0;
}

/* Read up to and without the next '\n' (a preceding '\r' dropped too); -1 at EOF or when longer than max. */
static int read_line(struct reader *r, struct str *line, size_t max)
{
	str_reset(line);
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		size_t n = nl ? (size_t)(nl - (r->buf + r->start)) : r->end - r->start;

		str_add(line, r->buf + r->start, n);
		if (line->len > max)
			return -1;
		if (nl) {
			r->start += n + 1;
			if (line->len && line->p[line->len - 1] == '\r')
				line->p[--line->len] = '\0';
			return 0;
		}
		r->start = r->end;
		if (fill(r))
			return -1;
	}
}

static int read_exact(struct reader *r, struct str *out, size_t len)
{
	while (len) {
		size_t n;

		if (r->start == r->end && fill(r))
			return -1;
		n = r->end - r->start < len ? r->end - r->start : len;
		str_add(out, r->buf + r->start, n);
		r->start += n;
		len -= n;
	}
	return 0;
}

/* ---- the Runtime API client ---------------------------------------------- */

struct header {
	char *name, *value; /* name lower-cased */
};

struct response {
	int status;
	struct header *headers;
	int nheaders, cap;
	struct str body;
};

static char *api_host, *api_port, *api_hostport;
static struct reader conn; /* in .bss, not the binary: fd set to -1 in main() */

static void close_conn(void)
{
	if (conn.fd >= 0)
		close(conn.fd);
	conn.fd = -1;
	conn.start = conn.end = 0;
}

/*
 * The Runtime API is a numeric address ("127.0.0.1:9001"); name lookup is
 * avoided on purpose: a static glibc would need the NSS libraries of the
 * glibc it was built with at run time. "localhost" is understood.
 */
static int resolve(struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	const char *host = strcmp(api_host, "localhost") ? api_host : "127.0.0.1";
	char *end;
	long port = strtol(api_port, &end, 10);

	memset(ss, 0, sizeof(*ss));
	if (*end || port <= 0 || port > 65535)
		return -1;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*len = sizeof(*v4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*v6);
		return 0;
	}
	return -1;
}

static int connect_once(void)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct pollfd p;
	int fd, err = 0;
	socklen_t elen = sizeof(err);

	if (resolve(&ss, &sslen)) {
		logmsg("bootstrap: AWS_LAMBDA_RUNTIME_API '%s' is not an IP address and port", api_hostport);
		return -2;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, sslen) && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	p.fd = fd;
	p.events = POLLOUT;
	if (poll(&p, 1, CONNECT_TIMEOUT_MS) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) || err) {
		close(fd);
		return -1;
	}
	/* connected: blocking from now on, so /next may wait as long as it takes */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	/* requests go out whole (see send_request): no need to wait for ACKs between writes */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
	return fd;
}

static int ensure_conn(void)
{
	if (conn.fd >= 0)
		return 0;
	/* bounded retries with backoff; the count starts afresh after every success */
	for (int attempt = 0; attempt < MAX_CONNECT_RETRIES; attempt++) {
		conn.fd = connect_once();
		if (conn.fd >= 0) {
			conn.start = conn.end = 0;
			return 0;
		}
		if (conn.fd == -2) { /* not an address: retrying will not help */
			conn.fd = -1;
			return -1;
		}
		{
			struct timespec ts = { 0, (long)(50L << attempt) * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	logmsg("bootstrap: cannot connect to the Runtime API at %s", api_hostport);
	return -1;
}

static void response_free(struct response *r)
{
	for (int i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	r->headers = NULL;
	r->nheaders = r->cap = 0;
	str_free(&r->body);
}

static int add_header(struct response *r, const char *name, const char *value)
{
	if (r->nheaders == r->cap) {
		int cap = r->cap ? r->cap * 2 : 16;
		struct header *h;

		if (cap > MAX_HEADERS)
			return -1;
		h = realloc(r->headers, (size_t)cap * sizeof(*h));
		if (!h) {
			logmsg("bootstrap: out of memory");
			_exit(1);
		}
		r->headers = h;
		r->cap = cap;
	}
	r->headers[r->nheaders].name = strdup(name);
	r->headers[r->nheaders].value = strdup(value);
	if (!r->headers[r->nheaders].name || !r->headers[r->nheaders].value) {
		logmsg("bootstrap: out of memory");
		_exit(1);
	}
	r->nheaders++;
	return 0;
}

static int header_count(const struct response *r, const char *name)
{
	int n = 0;

	for (int i = 0; i < r->nheaders; i++)
		n += !strcmp(r->headers[i].name, name);
	return n;
}

static const char *response_header(const struct response *r, const char *name)
{
	for (int i = 0; i < r->nheaders; i++)
		if (!strcmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

/* Transfer-Encoding whose last coding is chunked (the only one the Runtime API uses). */
static int is_chunked(const char *te)
{
	const char *last = strrchr(te, ',');
	size_t n;

	last = last ? last + 1 : te;
	while (*last == ' ' || *last == '\t')
		last++;
	n = strlen(last);
	while (n && (last[n - 1] == ' ' || last[n - 1] == '\t'))
		n--;
	return n == 7 && !strncasecmp(last, "chunked", 7);
}

/* The status line and headers, interim answers (100 Continue) read and dropped, a few of them. */
static int read_head(struct response *r, struct str *line)
{
	int interim = 0, lines;

	do {
		response_free(r);
		if (++interim > 8)
			return -1;
		lines = 0;
		if (read_line(&conn, line, 65536) || strncmp(line->p, "HTTP/1.", 7) || line->len < 12)
			return -1;
		r->status = atoi(line->p + 9);
		if (r->status < 100 || r->status > 599)
			return -1;
		for (;;) {
			char *colon, *v;

			if (read_line(&conn, line, 65536))
				return -1;
			if (!line->len)
				break;
			if (++lines > MAX_HEADERS)
				return -1; /* endless header lines: not the Runtime API */
			colon = strchr(line->p, ':');
			if (!colon)
				continue;
			*colon = '\0';
			for (char *c = line->p; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c - 'A' + 'a');
			v = colon + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			if (add_header(r, line->p, v))
				return -1; /* hundreds of headers: not the Runtime API */
		}
	} while (r->status < 200);
	return 0;
}

/* A chunked body, then its trailers (read and dropped). */
static int read_chunked(struct response *r, struct str *line)
{
	int lines = 0;

	for (;;) {
		unsigned long n;
		char *end;

		if (read_line(&conn, line, 1024))
			return -1;
		/* hex digits, then at most extensions after ';' */
		if (!((line->p[0] >= '0' && line->p[0] <= '9') || (line->p[0] >= 'a' && line->p[0] <= 'f') ||
		      (line->p[0] >= 'A' && line->p[0] <= 'F')))
			return -1;
		n = strtoul(line->p, &end, 16);
		if (*end && *end != ';' && *end != ' ' && *end != '\t')
			return -1;
		if (!n)
			break;
		if (n > MAX_LINE || r->body.len + n > MAX_LINE)
			return -1;
		/* the data, then an empty line */
		if (read_exact(&conn, &r->body, n) || read_line(&conn, line, 16) || line->len)
			return -1;
	}
	do {
		if (read_line(&conn, line, 65536) || ++lines > MAX_HEADERS)
			return -1;
	} while (line->len);
	return 0;
}

/* A body that runs to the end of the connection. */
static int read_to_close(struct response *r)
{
	str_add(&r->body, conn.buf + conn.start, conn.end - conn.start);
	conn.start = conn.end;
	while (!fill(&conn)) {
		str_add(&r->body, conn.buf + conn.start, conn.end - conn.start);
		conn.start = conn.end;
		if (r->body.len > MAX_LINE)
			return -1;
	}
	return 0;
}

static int read_response(struct response *r)
{
	struct str line = { 0 };
	const char *te, *cl, *c;
	int keep = 1, bad;

	memset(r, 0, sizeof(*r));
	bad = read_head(r, &line);
	if (!bad) {
		str_add(&r->body, "", 0);
		te = response_header(r, "transfer-encoding");
		cl = response_header(r, "content-length");
		if (r->status == 204 || r->status == 304) {
			/* no body, whatever the headers say */
		} else if (te && is_chunked(te)) {
			bad = read_chunked(r, &line);
		} else if (cl) {
			char *end;
			unsigned long long n = strtoull(cl, &end, 10);

			while (*end == ' ' || *end == '\t')
				end++;
			bad = end == cl || *end || n > MAX_LINE || read_exact(&conn, &r->body, (size_t)n);
		} else {
			keep = 0;
			bad = read_to_close(r);
		}
	}
	str_free(&line);
	if (bad) {
		response_free(r);
		close_conn();
		return -1;
	}
	c = response_header(r, "connection");
	if (!keep || (c && !strcasecmp(c, "close")))
		close_conn();
	return 0;
}

/*
 * One request; on a broken connection it reconnects and tries once more
 * (the Runtime API is local, so a failure here means it restarted).
 */
static int api_request(const char *method, const char *path, const char *extra_headers, const char *body,
		       size_t len, struct response *resp)
{
	struct str req = { 0 };
	char num[32];
	int r = -1;

	memset(resp, 0, sizeof(*resp)); /* callers free it whatever happened */
	str_adds(&req, method);
	str_adds(&req, " ");
	str_adds(&req, path);
	str_adds(&req, " HTTP/1.1\r\nHost: ");
	str_adds(&req, api_hostport);
	str_adds(&req, "\r\nUser-Agent: blambda-bootstrap\r\n");
	if (body) {
		snprintf(num, sizeof(num), "%zu", len);
		str_adds(&req, "Content-Type: application/json\r\nContent-Length: ");
		str_adds(&req, num);
		str_adds(&req, "\r\n");
	}
	if (extra_headers)
		str_adds(&req, extra_headers);
	str_adds(&req, "\r\n");
	for (int attempt = 0; attempt < 2 && r; attempt++) {
		if (ensure_conn())
			break;
		if (writev_all(conn.fd, req.p, req.len, body, body ? len : 0)) {
			/* the server may have answered (413) and closed before reading it all */
			if (!read_response(resp)) {
				r = 0;
				break;
			}
			close_conn();
			continue;
		}
		r = read_response(resp);
	}
	str_free(&req);
	return r;
}

/* Post an error report to path; `type` goes in Lambda-Runtime-Function-Error-Type. */
static void post_error(const char *path, const char *type, const char *json)
{
	struct response resp;
	struct str hdr = { 0 };

	str_adds(&hdr, "Lambda-Runtime-Function-Error-Type: ");
	for (const char *t = type; *t; t++) /* a header value: no line breaks, whatever bb sent */
		str_add(&hdr, (unsigned char)*t < 0x20 || *t == 0x7f ? "_" : t, 1);
	str_adds(&hdr, "\r\n");
	if (api_request("POST", path, hdr.p, json, strlen(json), &resp))
		logmsg("bootstrap: cannot post an error report to %s", path);
	else if (resp.status != 202)
		logmsg("bootstrap: the Runtime API answered %d to %s: %s", resp.status, path, resp.body.p);
	response_free(&resp);
	str_free(&hdr);
}

static void error_json(struct str *out, const char *type, const char *message)
{
	str_reset(out);
	str_adds(out, "{\"errorMessage\":");
	str_add_json(out, message, strlen(message));
	str_adds(out, ",\"errorType\":");
	str_add_json(out, type, strlen(type));
	str_adds(out, ",\"stackTrace\":[]}");
}

/* ---- the bb child -------------------------------------------------------- */

static volatile sig_atomic_t child_pid; /* the running bb, for the signal handler */

struct child {
	pid_t pid;
	int to_bb;           /* events, our end */
	struct reader from;  /* answers, our end */
};

static char self_dir[PATH_MAX];
static const char *bb_path;
static char runtime_script[PATH_MAX + 32];
static struct str classpath;

static void find_self(void)
{
	ssize_t n = readlink("/proc/self/exe", self_dir, sizeof(self_dir) - 1);
	char *slash;

	if (n <= 0) {
		strcpy(self_dir, ".");
		return;
	}
	self_dir[n] = '\0';
	slash = strrchr(self_dir, '/');
	if (slash)
		*slash = '\0';
}

/* $LAMBDA_TASK_ROOT first, then the deps layer's deps-classpath when it is there */
static void build_classpath(void)
{
	const char *root = getenv("LAMBDA_TASK_ROOT");
	char path[PATH_MAX + 32];
	FILE *f;

	str_adds(&classpath, root && *root ? root : "/var/task");
	snprintf(path, sizeof(path), "%s/deps-classpath", self_dir);
	f = fopen(path, "r");
	if (f) {
		char chunk[4096];
		size_t n;
		struct str deps = { 0 };

		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			str_add(&deps, chunk, n);
		fclose(f);
		while (deps.len && (deps.p[deps.len - 1] == '\n' || deps.p[deps.len - 1] == '\r' ||
				    deps.p[deps.len - 1] == ' '))
			deps.p[--deps.len] = '\0';
		if (deps.len) {
			str_adds(&classpath, ":");
			str_adds(&classpath, deps.p);
		}
		str_free(&deps);
	}
}

/*
 * In the child: the event pipe's read end as fd 3, the answer pipe's write
 * end as fd 4, nothing else open above stderr, Babashka's environment;
 * then bb. Never returns.
 */
static void exec_bb(int ev_read, int ans_write, const sigset_t *mask)
{
	char *argv[] = { (char *)bb_path, "--classpath", classpath.p, "--file", runtime_script, NULL };
	static char path[PATH_MAX + 4096];
	char dir[PATH_MAX + 32];
	const char *old_path = getenv("PATH");
	/* moved out of the way first, as either may be 3 or 4 now */
	int e = fcntl(ev_read, F_DUPFD, 10), a = fcntl(ans_write, F_DUPFD, 10);

	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	sigprocmask(SIG_SETMASK, mask, NULL);
	if (e < 0 || a < 0 || dup2(e, 3) < 0 || dup2(a, 4) < 0)
		_exit(127);
	for (int fd = 5; fd < 1024; fd++)
		close(fd);
	setenv("BLAMBDA_EVENTS", "/dev/fd/3", 1);
	setenv("BLAMBDA_ANSWERS", "/dev/fd/4", 1);
	setenv("BABASHKA_DISABLE_SIGNAL_HANDLERS", "true", 0);
	snprintf(dir, sizeof(dir), "%s/.babashka/pods", self_dir);
	setenv("BABASHKA_PODS_DIR", dir, 0);
	snprintf(dir, sizeof(dir), "%s/gitlibs", self_dir);
	setenv("GITLIBS", dir, 0);
	setenv("HOME", "/tmp", 0);
	/* the layers' top (/opt) first on PATH, as Blambda! has it: local pods load by name from there */
	snprintf(path, sizeof(path), "%s%s%s", self_dir, old_path && *old_path ? ":" : "", old_path ? old_path : "");
	setenv("PATH", path, 1);
	signal(SIGPIPE, SIG_DFL);
	execv(bb_path, argv);
	fprintf(stderr, "bootstrap: cannot run %s: %s\n", bb_path, strerror(errno));
	_exit(127);
}

static int start_bb(struct child *c)
{
	int ev[2] = { -1, -1 }, ans[2] = { -1, -1 };
	sigset_t term, old;
	pid_t pid;

	if (pipe(ev) || pipe(ans)) {
		logmsg("bootstrap: cannot create pipes: %s", strerror(errno));
		goto fail;
	}
	/* no SIGTERM between fork and child_pid being set: it would leave bb behind */
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGINT);
	sigprocmask(SIG_BLOCK, &term, &old);
	pid = fork();
	if (pid < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		logmsg("bootstrap: cannot fork: %s", strerror(errno));
		goto fail;
	}
	if (!pid)
		exec_bb(ev[0], ans[1], &old);
	child_pid = pid; /* from now on a SIGTERM reaches bb, during init and restarts too */
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(ev[0]);
	close(ans[1]);
	fcntl(ev[1], F_SETFD, FD_CLOEXEC);
	fcntl(ans[0], F_SETFD, FD_CLOEXEC);
	c->pid = pid;
	c->to_bb = ev[1];
	c->from.fd = ans[0];
	c->from.start = c->from.end = 0;
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (ev[i] >= 0)
			close(ev[i]);
		if (ans[i] >= 0)
			close(ans[i]);
	}
	return -1;
}

/* Reap bb after its pipe closed; describe how it ended. */
static void reap(struct child *c, char *how, size_t n)
{
	int status = 0;

	close(c->to_bb);
	close(c->from.fd);
	/* closing its event pipe ends bb; one that lingers (its answer pipe closed, itself alive) is killed */
	for (int i = 0; i < 200; i++) {
		pid_t w = waitpid(c->pid, &status, WNOHANG);
		struct timespec ts = { 0, 10 * 1000000L };

		if (w == c->pid || (w < 0 && errno != EINTR))
			goto reaped;
		nanosleep(&ts, NULL);
	}
	kill(c->pid, SIGKILL);
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
reaped:
	child_pid = 0;
	if (WIFEXITED(status))
		snprintf(how, n, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(how, n, "signal %d", WTERMSIG(status));
	else
		snprintf(how, n, "status %d", status);
	c->pid = 0;
}

/*
 * Start bb and wait until the handler is loaded. Returns 0 when it is; else
 * the init error (type and JSON) is in *type / *json for the caller to post.
 */
static int init_bb(struct child *c, struct str *type, struct str *json)
{
	struct str line = { 0 };
	int r = -1;

	str_reset(type);
	str_reset(json);
	if (start_bb(c)) {
		str_adds(type, "Runtime.ExitError");
		error_json(json, "Runtime.ExitError", "cannot start bb");
		logmsg("bootstrap: Runtime.ExitError: cannot start bb");
		return -1;
	}
	if (read_line(&c->from, &line, MAX_LINE)) {
		char how[64], msg[PATH_MAX + 128];

		reap(c, how, sizeof(how));
		snprintf(msg, sizeof(msg), "bb (%s) exited with %s while loading the handler", bb_path, how);
		str_adds(type, "Runtime.ExitError");
		error_json(json, "Runtime.ExitError", msg);
		logmsg("bootstrap: Runtime.ExitError: %s", msg);
	} else if (line.p[0] == 'I') {
		r = 0;
	} else if (line.p[0] == 'F' && strchr(line.p, '\t')) {
		char *tab = strchr(line.p, '\t');

		/* the runtime has said it in the log already ("Failed to load handler ...") */
		str_add(type, line.p + 1, (size_t)(tab - line.p - 1));
		str_adds(json, tab + 1);
	} else {
		str_adds(type, "Runtime.InvalidResponse");
		error_json(json, "Runtime.InvalidResponse", "bb answered something other than the runtime protocol");
		logmsg("bootstrap: Runtime.InvalidResponse: bb answered something other than the runtime protocol");
	}
	str_free(&line);
	return r;
}

/* ---- the invocation loop ------------------------------------------------- */

/* Lambda's request ids are UUIDs: letters, digits and '-' (a few more allowed), and short. */
static int valid_request_id(const char *id)
{
	size_t n = strlen(id);

	if (!n || n > MAX_REQUEST_ID || id[0] == '.')
		return 0; /* "." and ".." would make another path */
	for (size_t i = 0; i < n; i++) {
		char ch = id[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		      ch == '_' || ch == '.'))
			return 0;
	}
	return 1;
}

/* Did bb end since the last invocation? */
static int child_gone(const struct child *c)
{
	struct pollfd p = { c->from.fd, POLLIN, 0 };

	/* its answer pipe reads as closed once it is gone */
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR));
}

static void invocation_path(char *out, size_t n, const char *id, const char *what)
{
	snprintf(out, n, API_PREFIX "/invocation/%s/%s", id, what);
}

/* The /next headers as one JSON object line, names lower-case. */
static void headers_line(const struct response *r, struct str *out)
{
	str_reset(out);
	str_add(out, "{", 1);
	for (int i = 0; i < r->nheaders; i++) {
		if (i)
			str_add(out, ",", 1);
		str_add_json(out, r->headers[i].name, strlen(r->headers[i].name));
		str_add(out, ":", 1);
		str_add_json(out, r->headers[i].value, strlen(r->headers[i].value));
	}
	str_add(out, "}\n", 2);
}

/*
 * SIGTERM (Lambda shutting the environment down) or SIGINT: pass it to bb and
 * wait for bb to finish its shutdown hooks, for two seconds at most (Lambda
 * gives the runtime a little time before it kills everything), then go.
 * waitpid, kill and nanosleep are async-signal-safe.
 */
static void on_term(int sig)
{
	pid_t pid = (pid_t)child_pid;

	if (pid > 0) {
		kill(pid, sig == SIGINT ? SIGINT : SIGTERM);
		for (int i = 0; i < 200 && waitpid(pid, NULL, WNOHANG) == 0; i++) {
			struct timespec ts = { 0, 10 * 1000000L };

			nanosleep(&ts, NULL);
		}
		if (waitpid(pid, NULL, WNOHANG) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static int split_hostport(const char *api)
{
	const char *colon = strrchr(api, ':');

	api_hostport = strdup(api);
	if (api[0] == '[') { /* [::1]:9001 */
		const char *end = strchr(api, ']');
		if (!end || end[1] != ':')
			return -1;
		api_host = strndup(api + 1, (size_t)(end - api - 1));
		api_port = strdup(end + 2);
		return 0;
	}
	if (!colon)
		return -1;
	api_host = strndup(api, (size_t)(colon - api));
	api_port = strdup(colon + 1);
	return 0;
}

/* The event loop's state: bb, and buffers kept from one invocation to the next */
struct loop {
	struct child c;
	struct str type, json, line, hdrs, event;
};

/* Where bb, its runtime script and the classpath are; 0, or -1 when the Runtime API's address is unusable */
static int setup(const char *api)
{
	static char bb[PATH_MAX + 8];

	if (!api || !*api || split_hostport(api)) {
		logmsg("bootstrap: AWS_LAMBDA_RUNTIME_API must be HOST:PORT (it is '%s'); this program runs inside AWS Lambda",
		       api ? api : "");
		return -1;
	}
	find_self();
	bb_path = getenv("BLAMBDA_BB");
	if (!bb_path || !*bb_path) {
		snprintf(bb, sizeof(bb), "%s/bb", self_dir);
		bb_path = bb;
	}
	snprintf(runtime_script, sizeof(runtime_script), "%s/blambda/runtime.clj", self_dir);
	build_classpath();
	return 0;
}

/* The init phase: bb started with the handler loaded, or the reason posted to init/error */
static int init(struct loop *l, const char *handler)
{
	if (!handler || !*handler || !strchr(handler, '/')) {
		char msg[512];

		snprintf(msg, sizeof(msg), "the handler '%s' is not NAMESPACE/FUNCTION", handler ? handler : "");
		error_json(&l->json, "Runtime.NoSuchHandler", msg);
		logmsg("bootstrap: %s", msg);
		post_error(API_PREFIX "/init/error", "Runtime.NoSuchHandler", l->json.p);
		return -1;
	}
	logmsg("Loading babashka lambda handler: %s", handler);
	if (init_bb(&l->c, &l->type, &l->json)) { /* said in the log by init_bb or the runtime */
		post_error(API_PREFIX "/init/error", l->type.p, l->json.p);
		if (l->c.pid) {
			char how[64];

			reap(&l->c, how, sizeof(how));
		}
		return -1;
	}
	child_pid = l->c.pid;
	logmsg("Starting babashka lambda event loop");
	return 0;
}

/* Post an error for invocation id */
static void post_invocation_error(const char *id, const char *type, const char *json)
{
	char path[512];

	invocation_path(path, sizeof(path), id, "error");
	post_error(path, type, json);
}

/* bb failed to take the event or to answer it: it is gone (or killed for too large an answer) */
static void bb_failed(struct loop *l, const char *id)
{
	char how[64], msg[256];

	if (l->line.len > MAX_LINE) {
		snprintf(msg, sizeof(msg), "the handler's answer is larger than %u bytes", MAX_LINE);
		error_json(&l->json, "Function.ResponseSizeTooLarge", msg);
		kill(l->c.pid, SIGKILL);
		reap(&l->c, how, sizeof(how));
		post_invocation_error(id, "Function.ResponseSizeTooLarge", l->json.p);
	} else {
		reap(&l->c, how, sizeof(how));
		snprintf(msg, sizeof(msg), "bb exited with %s during the invocation", how);
		logmsg("bootstrap: %s", msg);
		error_json(&l->json, "Runtime.ExitError", msg);
		post_invocation_error(id, "Runtime.ExitError", l->json.p);
	}
	child_pid = 0;
}

/* bb's answer line (R<json> or E<type>\t<json>) to the Runtime API */
static void post_answer(struct loop *l, const char *id)
{
	struct str *line = &l->line;
	struct response posted;
	char path[512];

	if (line->p[0] == 'R') {
		invocation_path(path, sizeof(path), id, "response");
		if (api_request("POST", path, NULL, line->p + 1, line->len - 1, &posted)) {
			logmsg("bootstrap: cannot post the response of %s", id);
			return;
		}
		if (posted.status == 413)
			/* the Runtime API fails the invocation itself and closes it (as AWS's emulator does) */
			logmsg("bootstrap: Response payload size (%zu bytes) exceeded maximum allowed payload size "
			       "(%d bytes).", line->len - 1, PAYLOAD_LIMIT);
		else if (posted.status != 202)
			logmsg("bootstrap: the Runtime API answered %d to the response of %s: %s", posted.status, id,
			       posted.body.p);
		response_free(&posted);
	} else if (line->p[0] == 'E' && strchr(line->p, '\t')) {
		char *tab = strchr(line->p, '\t');

		*tab = '\0';
		post_invocation_error(id, line->p + 1, tab + 1);
	} else {
		error_json(&l->json, "Runtime.InvalidResponse", "bb answered something other than the runtime protocol");
		post_invocation_error(id, "Runtime.InvalidResponse", l->json.p);
	}
}

/* The event to bb (its headers line, then the event on one line), its answer back. */
static void invoke(struct loop *l, const struct response *next, const char *id)
{
	struct str *event = &l->event;

	headers_line(next, &l->hdrs);
	str_reset(event);
	str_add(event, next->body.p, next->body.len);
	for (size_t i = 0; i < event->len; i++)
		if (event->p[i] == '\n' || event->p[i] == '\r')
			event->p[i] = ' ';
	if (!event->len)
		str_adds(event, "null");
	str_add(event, "\n", 1);
	str_reset(&l->line);
	if (write_all(l->c.to_bb, l->hdrs.p, l->hdrs.len) || write_all(l->c.to_bb, event->p, event->len) ||
	    read_line(&l->c.from, &l->line, MAX_LINE))
		bb_failed(l, id);
	else
		post_answer(l, id);
	/* a big event or answer is not kept for the life of the environment */
	if (l->line.cap > (1u << 20))
		str_free(&l->line);
	if (event->cap > (1u << 20))
		str_free(event);
}

/* One turn of the loop: the next invocation, answered. -1 when the environment must end. */
static int next_invocation(struct loop *l)
{
	struct response next;
	const char *id;
	int r = 0;

	if (api_request("GET", API_PREFIX "/invocation/next", NULL, NULL, 0, &next)) {
		logmsg("bootstrap: cannot get the next invocation");
		return -1;
	}
	id = response_header(&next, "lambda-runtime-aws-request-id");
	if (next.status != 200 || !id) {
		logmsg("bootstrap: the Runtime API answered %d to /next", next.status);
		r = -1;
	} else if (!valid_request_id(id) || header_count(&next, "lambda-runtime-aws-request-id") != 1) {
		/* it goes into a request line: one that could break it cannot be answered at all */
		logmsg("bootstrap: the Runtime API gave an invalid request id; the invocation is left unanswered");
	} else {
		if (l->c.pid && child_gone(&l->c)) {
			/* bb died between invocations (a future calling System/exit): not this invocation's fault */
			char how[64];

			reap(&l->c, how, sizeof(how));
			logmsg("bootstrap: bb exited with %s between invocations; starting it again", how);
		}
		if (!l->c.pid && init_bb(&l->c, &l->type, &l->json)) {
			/* it cannot come back: this invocation fails with the reason, and the environment ends */
			logmsg("bootstrap: bb could not be started again: %s", l->json.p);
			post_invocation_error(id, l->type.p, l->json.p);
			r = -1;
		} else {
			invoke(l, &next, id);
		}
	}
	response_free(&next);
	return r;
}

int main(void)
{
	struct loop l = { { 0, -1, { -1, { 0 }, 0, 0 } }, { 0 }, { 0 }, { 0 }, { 0 }, { 0 } };

	conn.fd = -1;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	if (setup(getenv("AWS_LAMBDA_RUNTIME_API")) || init(&l, getenv("_HANDLER")))
		return 1;
	while (!next_invocation(&l))
		;
	if (l.c.pid) {
		char how[64];

		reap(&l.c, how, sizeof(how)); /* closing its event pipe tells bb to exit */
	}
	close_conn();
	str_free(&l.type);
	str_free(&l.json);
	str_free(&l.line);
	str_free(&l.hdrs);
	str_free(&l.event);
	str_free(&classpath);
	free(api_host);
	free(api_port);
	free(api_hostport);
	return 1;
}
