#include "aws/sigv4.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "core/xalloc.h"

static int unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

void sigv4_uri_encode(struct buf *out, const char *s, size_t len, int keep_slash)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (unreserved(c) || (keep_slash && c == '/'))
			buf_addch(out, (char)c);
		else
			buf_addf(out, "%%%02X", c);
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode %XX escapes (a '%' not followed by two hex digits stays as it is). */
static void uri_decode(struct buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			buf_addch(out, (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
			i += 2;
		} else {
			buf_addch(out, s[i]);
		}
	}
}

/* Remove "." and ".." segments and empty segments, keeping a leading and a trailing slash. */
static void normalize_path(const char *path, struct buf *out)
{
	struct strlist segs = STRLIST_INIT;
	const char *p = path;
	size_t n = strlen(path);
	int trailing = n > 1 && path[n - 1] == '/';

	while (*p) {
		size_t len = strcspn(p, "/");

		if (len == 1 && p[0] == '.') {
			trailing = p[1] == '\0' ? 1 : trailing;
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (segs.nr) {
				free(segs.items[segs.nr - 1]);
				segs.nr--;
			}
			trailing = p[2] == '\0' ? 1 : trailing;
		} else if (len) {
			strlist_add_owned(&segs, xstrndup(p, len));
		}
		p += len;
		if (*p)
			p++;
	}
	buf_addch(out, '/');
	for (size_t i = 0; i < segs.nr; i++) {
		buf_adds(out, segs.items[i]);
		if (i + 1 < segs.nr || trailing)
			buf_addch(out, '/');
	}
	strlist_clear(&segs);
}

void sigv4_canonical_uri(const char *path, int s3, struct buf *out)
{
	struct buf norm = BUF_INIT;

	if (!path || !*path)
		path = "/";
	if (s3) {
		/* as sent: existing escapes stay, anything unencoded is encoded once */
		for (const char *p = path; *p; p++) {
			if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
				buf_addch(out, '%');
				buf_addch(out, (char)toupper((unsigned char)p[1]));
				buf_addch(out, (char)toupper((unsigned char)p[2]));
				p += 2;
			} else {
				sigv4_uri_encode(out, p, 1, 1);
			}
		}
		return;
	}
	normalize_path(path, &norm);
	sigv4_uri_encode(out, norm.ptr, norm.len, 1);
	buf_release(&norm);
}

struct qparam {
	char *name, *value;
};

static int cmp_qparam(const void *a, const void *b)
{
	const struct qparam *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->value, y->value);
}

void sigv4_canonical_query(const char *query, struct buf *out)
{
	struct qparam *params = NULL;
	size_t nr = 0, alloc = 0;
	const char *p = query;

	if (!query || !*query)
		return;
	while (*p) {
		size_t len = strcspn(p, "&");
		const char *eq = memchr(p, '=', len);
		size_t nlen = eq ? (size_t)(eq - p) : len;
		struct buf raw = BUF_INIT, enc = BUF_INIT;

		if (len) {
			XGROW(params, alloc, nr + 1);
			uri_decode(&raw, p, nlen);
			sigv4_uri_encode(&enc, raw.ptr, raw.len, 0);
			params[nr].name = buf_detach(&enc);
			buf_reset(&raw);
			if (eq)
				uri_decode(&raw, eq + 1, len - nlen - 1);
			sigv4_uri_encode(&enc, raw.ptr, raw.len, 0);
			params[nr].value = buf_detach(&enc);
			nr++;
		}
		buf_release(&raw);
		p += len;
		if (*p)
			p++;
	}
	if (nr > 1) /* qsort wants a real array, even of nothing */
		qsort(params, nr, sizeof(*params), cmp_qparam);
	for (size_t i = 0; i < nr; i++) {
		buf_addf(out, "%s%s=%s", i ? "&" : "", params[i].name, params[i].value);
		free(params[i].name);
		free(params[i].value);
	}
	free(params);
}

/* headers that proxies and libcurl add or change on the way: never signed */
static const char *const unsigned_headers[] = {
	"authorization", "connection", "expect", "transfer-encoding", "user-agent", "x-amzn-trace-id", NULL,
};

struct hdr {
	char *name;
	struct buf value;
	size_t order;
};

static int cmp_hdr(const void *a, const void *b)
{
	const struct hdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->order < y->order ? -1 : x->order > y->order);
}

/* Trim and collapse runs of whitespace (folded lines included) to one space. */
static void add_trimmed(struct buf *out, const char *v)
{
	int space = 0, any = 0;

	for (; *v; v++) {
		if (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r') {
			space = any;
			continue;
		}
		if (space)
			buf_addch(out, ' ');
		buf_addch(out, *v);
		space = 0;
		any = 1;
	}
}

void sigv4_canonical_headers(const struct kvlist *headers, struct buf *canonical, struct buf *signed_names)
{
	struct hdr *h = xcalloc(headers->nr + 1, sizeof(*h));
	size_t nr = 0;

	for (size_t i = 0; i < headers->nr; i++) {
		char *name = xstrdup(headers->items[i].key);
		int skip = 0;

		for (char *c = name; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		for (size_t k = 0; unsigned_headers[k]; k++)
			skip |= !strcmp(name, unsigned_headers[k]);
		if (skip) {
			free(name);
			continue;
		}
		h[nr].name = name;
		h[nr].order = i;
		buf_init(&h[nr].value);
		add_trimmed(&h[nr].value, headers->items[i].value);
		nr++;
	}
	if (nr > 1)
		qsort(h, nr, sizeof(*h), cmp_hdr);
	for (size_t i = 0; i < nr; i++) {
		if (i && !strcmp(h[i].name, h[i - 1].name)) {
			/* a repeated name: values joined with commas in the order given */
			buf_setlen(canonical, canonical->len - 1);
			buf_addf(canonical, ",%s\n", h[i].value.ptr);
		} else {
			buf_addf(canonical, "%s:%s\n", h[i].name, h[i].value.ptr);
			buf_addf(signed_names, "%s%s", signed_names->len ? ";" : "", h[i].name);
		}
	}
	for (size_t i = 0; i < nr; i++) {
		free(h[i].name);
		buf_release(&h[i].value);
	}
	free(h);
}

void sigv4_canonical_request(const struct sigv4_request *req, struct buf *out, struct buf *signed_names)
{
	buf_addf(out, "%s\n", req->method);
	sigv4_canonical_uri(req->path, req->s3, out);
	buf_addch(out, '\n');
	sigv4_canonical_query(req->query, out);
	buf_addch(out, '\n');
	sigv4_canonical_headers(&req->headers, out, signed_names);
	buf_addf(out, "\n%s\n%s", signed_names->ptr, req->payload_hash);
}

void sigv4_scope(const char *amz_date, const char *region, const char *service, struct buf *out)
{
	buf_addf(out, "%.8s/%s/%s/aws4_request", amz_date, region, service);
}

void sigv4_string_to_sign(const char *amz_date, const char *scope, const char *creq, struct buf *out)
{
	char hash[SHA256_HEX_LEN + 1];

	sha256_hex(creq, strlen(creq), hash);
	buf_addf(out, "AWS4-HMAC-SHA256\n%s\n%s\n%s", amz_date, scope, hash);
}

void sigv4_signing_key(const char *secret, const char *amz_date, const char *region, const char *service,
		       unsigned char key[SHA256_LEN])
{
	struct buf k = BUF_SECRET;
	unsigned char a[SHA256_LEN], b[SHA256_LEN];

	buf_addf(&k, "AWS4%s", secret);
	hmac_sha256(k.ptr, k.len, amz_date, 8, a);
	hmac_sha256(a, SHA256_LEN, region, strlen(region), b);
	hmac_sha256(b, SHA256_LEN, service, strlen(service), a);
	hmac_sha256(a, SHA256_LEN, "aws4_request", 12, key);
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(b, sizeof(b));
	buf_release(&k);
}

void sigv4_signature(const unsigned char key[SHA256_LEN], const char *sts, char hex[SHA256_HEX_LEN + 1])
{
	unsigned char sig[SHA256_LEN];

	hmac_sha256(key, SHA256_LEN, sts, strlen(sts), sig);
	hex_encode(sig, SHA256_LEN, hex);
}

void sigv4_amz_date(time_t t, char out[17])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

void sigv4_sign(struct sigv4_request *req, const struct sigv4_key *key, const char *region, const char *service,
		time_t now, struct buf *authz)
{
	char date[17], sig[SHA256_HEX_LEN + 1];
	unsigned char skey[SHA256_LEN];
	struct buf creq = BUF_INIT, names = BUF_INIT, scope = BUF_INIT, sts = BUF_INIT;

	sigv4_amz_date(now, date);
	kvlist_remove_nocase(&req->headers, "x-amz-date");
	kvlist_add(&req->headers, "X-Amz-Date", date);
	kvlist_remove_nocase(&req->headers, "x-amz-security-token");
	if (key->session_token && *key->session_token)
		kvlist_add(&req->headers, "X-Amz-Security-Token", key->session_token);
	if (req->s3 && !kvlist_get_nocase(&req->headers, "x-amz-content-sha256"))
		kvlist_add(&req->headers, "X-Amz-Content-Sha256", req->payload_hash);
	sigv4_canonical_request(req, &creq, &names);
	sigv4_scope(date, region, service, &scope);
	sigv4_string_to_sign(date, scope.ptr, creq.ptr, &sts);
	sigv4_signing_key(key->secret_access_key, date, region, service, skey);
	sigv4_signature(skey, sts.ptr, sig);
	OPENSSL_cleanse(skey, sizeof(skey));
	buf_addf(authz, "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s", key->access_key_id,
		 scope.ptr, names.ptr, sig);
	buf_release(&creq);
	buf_release(&names);
	buf_release(&scope);
	buf_release(&sts);
}
