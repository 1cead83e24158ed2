/*
 * SigV4 against both AWS test suites, stage by stage: canonical request,
 * string to sign, signature / Authorization header, then the whole signer.
 * The suites are the repository's copies in tests/data/ (BLAMBDA_TEST_DATA,
 * set by the build).
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "aws/sigv4.h"
#include "test.h"

static const char *data_dir = BLAMBDA_TEST_DATA;
static const char *const akid = "AKIDEXAMPLE";
static const char *const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
static int cases;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_detach(&b);
}

struct parsed {
	char *method, *path, *query, *body;
	struct kvlist headers;
};

/* Parse a suite request: request line (split on the last " HTTP/1.1"), headers with folded lines, body. */
static void parse_request(const char *text, struct parsed *r)
{
	const char *eol = strchr(text, '\n');
	const char *line_end = eol ? eol : text + strlen(text);
	const char *sp = strchr(text, ' ');
	const char *proto = NULL, *p;
	char *target, *q;

	memset(r, 0, sizeof(*r));
	for (p = text; p < line_end; p++)
		if (!strncmp(p, " HTTP/1.1", 9))
			proto = p;
	r->method = strndup(text, (size_t)(sp - text));
	target = strndup(sp + 1, (size_t)(proto - sp - 1));
	q = strchr(target, '?');
	if (q) {
		*q = '\0';
		r->query = strdup(q + 1);
	}
	r->path = target;
	p = eol ? eol + 1 : line_end;
	while (*p && *p != '\n') {
		size_t len = strcspn(p, "\n");

		if ((*p == ' ' || *p == '\t') && r->headers.nr) {
			struct kv *last = &r->headers.items[r->headers.nr - 1];
			struct buf v = BUF_INIT;

			buf_addf(&v, "%s\n%.*s", last->value, (int)len, p);
			free(last->value);
			last->value = buf_detach(&v);
		} else {
			const char *colon = memchr(p, ':', len);
			char *name = strndup(p, (size_t)(colon - p));
			char *value = strndup(colon + 1, len - (size_t)(colon - p) - 1);

			kvlist_add(&r->headers, name, value);
			free(name);
			free(value);
		}
		p += len;
		if (*p)
			p++;
	}
	r->body = strdup(*p == '\n' ? p + 1 : "");
}

static void free_request(struct parsed *r)
{
	free(r->method);
	free(r->path);
	free(r->query);
	free(r->body);
	kvlist_clear(&r->headers);
}

static char *authz_line(const char *signed_request)
{
	const char *a = strstr(signed_request, "Authorization:");
	const char *end;

	if (!a)
		return NULL;
	a += strlen("Authorization:");
	end = strchr(a, '\n');
	return strndup(a, end ? (size_t)(end - a) : strlen(a));
}

/* Checks one case; `expect` holds the expected creq, sts and authorization (or signature). */
static void check_case(const char *name, struct sigv4_request *req, const char *amz_date, const char *region,
		       const char *service, const char *key_secret, const char *creq_want, const char *sts_want,
		       const char *authz_want, const char *sig_want)
{
	struct buf creq = BUF_INIT, names = BUF_INIT, scope = BUF_INIT, sts = BUF_INIT, authz = BUF_INIT;
	unsigned char key[SHA256_LEN];
	char sig[SHA256_HEX_LEN + 1];

	cases++;
	sigv4_canonical_request(req, &creq, &names);
	if (strcmp(creq.ptr, creq_want))
		fprintf(stderr, "case %s: canonical request\n", name);
	CHECK_STR(creq.ptr, creq_want);
	sigv4_scope(amz_date, region, service, &scope);
	sigv4_string_to_sign(amz_date, scope.ptr, creq.ptr, &sts);
	if (strcmp(sts.ptr, sts_want))
		fprintf(stderr, "case %s: string to sign\n", name);
	CHECK_STR(sts.ptr, sts_want);
	sigv4_signing_key(key_secret, amz_date, region, service, key);
	sigv4_signature(key, sts.ptr, sig);
	if (sig_want)
		CHECK_STR(sig, sig_want);
	if (authz_want) {
		buf_addf(&authz, "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s", akid, scope.ptr,
			 names.ptr, sig);
		CHECK_STR(authz.ptr, authz_want);
	}
	buf_release(&creq);
	buf_release(&names);
	buf_release(&scope);
	buf_release(&sts);
	buf_release(&authz);
}

static char *path_join(const char *a, const char *b, const char *c)
{
	struct buf p = BUF_INIT;

	buf_addf(&p, "%s/%s%s%s", a, b, c ? "/" : "", c ? c : "");
	return buf_detach(&p);
}

/* ---- the 2019 suite (.req/.creq/.sts/.authz) ---- */

static void old_case(const char *dir, const char *name)
{
	struct buf f = BUF_INIT;
	char *req_text, *creq, *sts, *authz, hash[SHA256_HEX_LEN + 1];
	const char *token = NULL;
	struct parsed p;
	struct sigv4_request req = { 0 };

#define SUITE_FILE(ext) (buf_reset(&f), buf_addf(&f, "%s/%s.%s", dir, name, ext), slurp(f.ptr))
	req_text = SUITE_FILE("req");
	creq = SUITE_FILE("creq");
	sts = SUITE_FILE("sts");
	authz = SUITE_FILE("authz");
#undef SUITE_FILE
	if (!req_text || !creq || !sts || !authz) {
		CHECK(!"suite case is complete");
		goto out;
	}
	parse_request(req_text, &p);
	if (!strcmp(name, "get-vanilla-with-session-token")) {
		token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
		kvlist_add(&p.headers, "X-Amz-Security-Token", token);
	}
	sha256_hex(p.body, strlen(p.body), hash);
	req.method = p.method;
	req.path = p.path;
	req.query = p.query;
	req.headers = p.headers;
	req.payload_hash = hash;
	check_case(name, &req, "20150830T123600Z", "us-east-1", "service", secret, creq, sts, authz, NULL);

	/* the whole signer, from the request without its date (and with the token given as a credential) */
	if (strcmp(name, "post-sts-header-after")) {
		struct kvlist headers = KVLIST_INIT;
		struct buf got = BUF_INIT;
		struct sigv4_key key = { akid, secret, token };

		for (size_t i = 0; i < p.headers.nr; i++) {
			if (!strcasecmp(p.headers.items[i].key, "x-amz-date"))
				continue;
			if (!strcasecmp(p.headers.items[i].key, "x-amz-security-token"))
				key.session_token = p.headers.items[i].value;
			kvlist_add(&headers, p.headers.items[i].key, p.headers.items[i].value);
		}
		req.headers = headers;
		sigv4_sign(&req, &key, "us-east-1", "service", 1440938160, &got);
		CHECK_STR(got.ptr, authz);
		buf_release(&got);
		kvlist_clear(&req.headers);
	}
	free_request(&p);
out:
	free(req_text);
	free(creq);
	free(sts);
	free(authz);
	buf_release(&f);
}

/* A suite that is not there is a failure that says where it was looked for. */
static void missing_suite(const char *dir)
{
	test_failed++;
	fprintf(stderr, "cannot open the SigV4 test suite '%s': %s (the suites are in tests/data/ of the repository)\n",
		dir, strerror(errno));
}

static void walk_old(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d) {
		missing_suite(dir);
		return;
	}
	while ((e = readdir(d))) {
		char *sub, *req;
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		sub = path_join(dir, e->d_name, NULL);
		if (!stat(sub, &st) && S_ISDIR(st.st_mode)) {
			struct buf r = BUF_INIT;

			buf_addf(&r, "%s/%s.req", sub, e->d_name);
			req = buf_detach(&r);
			if (!stat(req, &st))
				old_case(sub, e->d_name);
			else
				walk_old(sub);
			free(req);
		}
		free(sub);
	}
	closedir(d);
}

static void test_old_suite(void)
{
	char *dir = path_join(data_dir, "aws-sig-v4-test-suite", NULL);
	int before = cases;

	walk_old(dir);
	free(dir);
	CHECK_INT(cases - before, 34); /* every case with a .req, across the nested folders */
}

/* ---- the aws-c-auth format (context.json + header-*.txt) ---- */

static void new_case(const char *dir, const char *name)
{
	char *cdir = path_join(dir, name, NULL);
	char *files[5] = { 0 };
	const char *names[5] = { "context.json", "request.txt", "header-canonical-request.txt",
				 "header-string-to-sign.txt", "header-signature.txt" };
	char *signed_req, *want_authz = NULL, hash[SHA256_HEX_LEN + 1], amz_date[17];
	cJSON *ctx = NULL, *creds, *tok;
	const char *ts, *region, *service, *token = NULL;
	int normalize, sign_body, omit_token;
	struct parsed p;
	struct sigv4_request req = { 0 };

	for (int i = 0; i < 5; i++) {
		char *fp = path_join(cdir, names[i], NULL);
		files[i] = slurp(fp);
		free(fp);
		if (!files[i]) {
			CHECK(!"suite case is complete");
			goto out;
		}
	}
	{
		char *fp = path_join(cdir, "header-signed-request.txt", NULL);
		signed_req = slurp(fp);
		free(fp);
		want_authz = signed_req ? authz_line(signed_req) : NULL;
		free(signed_req);
	}
	ctx = cJSON_Parse(files[0]);
	creds = cJSON_GetObjectItem(ctx, "credentials");
	ts = cJSON_GetStringValue(cJSON_GetObjectItem(ctx, "timestamp"));
	region = cJSON_GetStringValue(cJSON_GetObjectItem(ctx, "region"));
	service = cJSON_GetStringValue(cJSON_GetObjectItem(ctx, "service"));
	normalize = cJSON_IsTrue(cJSON_GetObjectItem(ctx, "normalize"));
	sign_body = cJSON_IsTrue(cJSON_GetObjectItem(ctx, "sign_body"));
	omit_token = cJSON_IsTrue(cJSON_GetObjectItem(ctx, "omit_session_token"));
	tok = cJSON_GetObjectItem(creds, "token");
	if (tok)
		token = cJSON_GetStringValue(tok);
	/* 2015-08-30T12:36:00Z -> 20150830T123600Z */
	snprintf(amz_date, sizeof(amz_date), "%.4s%.2s%.2sT%.2s%.2s%.2sZ", ts, ts + 5, ts + 8, ts + 11, ts + 14, ts + 17);

	parse_request(files[1], &p);
	sha256_hex(p.body, strlen(p.body), hash);
	kvlist_add(&p.headers, "X-Amz-Date", amz_date);
	if (token && !omit_token)
		kvlist_add(&p.headers, "X-Amz-Security-Token", token);
	if (sign_body)
		kvlist_add(&p.headers, "X-Amz-Content-Sha256", hash);
	req.method = p.method;
	req.path = p.path;
	req.query = p.query;
	req.headers = p.headers;
	req.payload_hash = hash;
	req.s3 = !normalize;
	check_case(name, &req, amz_date, region, service,
		   cJSON_GetStringValue(cJSON_GetObjectItem(creds, "secret_access_key")), files[2], files[3],
		   omit_token ? NULL : want_authz, files[4]);
	free_request(&p);
out:
	for (int i = 0; i < 5; i++)
		free(files[i]);
	free(want_authz);
	cJSON_Delete(ctx);
	free(cdir);
}

static void test_new_suite(void)
{
	char *dir = path_join(data_dir, "aws-signing-test-suite/v4", NULL);
	DIR *d = opendir(dir);
	struct dirent *e;
	int before = cases;

	if (!d)
		missing_suite(dir);
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			new_case(dir, e->d_name);
	if (d)
		closedir(d);
	free(dir);
	CHECK_INT(cases - before, 38);
}

/* ---- the rules the suites do not cover ---- */

static void test_double_encoding(void)
{
	struct buf out = BUF_INIT;

	/* a Lambda path with an ARN: %3A on the wire, %253A in the canonical request */
	sigv4_canonical_uri("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Ahello/invocations",
			    0, &out);
	CHECK_STR(out.ptr, "/2015-03-31/functions/arn%253Aaws%253Alambda%253Aeu-west-1%253A123456789012%253Afunction%253Ahello/invocations");
	buf_reset(&out);
	/* S3: as sent, no normalisation, escapes kept */
	sigv4_canonical_uri("/bucket/a%20key/../x%3a", 1, &out);
	CHECK_STR(out.ptr, "/bucket/a%20key/../x%3A");
	buf_reset(&out);
	sigv4_canonical_query("b=2&a=%2F+x&c", &out);
	CHECK_STR(out.ptr, "a=%2F%2Bx&b=2&c=");
	buf_reset(&out);
	/* a query of separators only has no parameters (and sorts nothing: no qsort of a NULL array) */
	sigv4_canonical_query("&", &out);
	CHECK_STR(out.ptr, "");
	buf_reset(&out);
	sigv4_canonical_query("&&&", &out);
	CHECK_STR(out.ptr, "");
	buf_release(&out);
}

static void test_unsigned_headers(void)
{
	struct kvlist h = KVLIST_INIT;
	struct buf canon = BUF_INIT, names = BUF_INIT;

	kvlist_add(&h, "Host", "lambda.eu-west-1.amazonaws.com");
	kvlist_add(&h, "User-Agent", "blambda/1");
	kvlist_add(&h, "Expect", "100-continue");
	kvlist_add(&h, "Transfer-Encoding", "chunked");
	kvlist_add(&h, "X-Amz-Date", "20150830T123600Z");
	sigv4_canonical_headers(&h, &canon, &names);
	CHECK_STR(names.ptr, "host;x-amz-date");
	kvlist_clear(&h);
	buf_release(&canon);
	buf_release(&names);
}

static void test_s3_sign(void)
{
	struct sigv4_request req = { "PUT", "/my-bucket/fn.zip", NULL, KVLIST_INIT, SIGV4_UNSIGNED_PAYLOAD, 1 };
	struct sigv4_key key = { akid, secret, "TOKEN" };
	struct buf authz = BUF_INIT;

	kvlist_add(&req.headers, "Host", "127.0.0.1:9000");
	sigv4_sign(&req, &key, "eu-west-1", "s3", 1440938160, &authz);
	CHECK_STR(kvlist_get_nocase(&req.headers, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
	CHECK_STR(kvlist_get_nocase(&req.headers, "x-amz-security-token"), "TOKEN");
	CHECK(strstr(authz.ptr, "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,") != NULL);
	CHECK(strstr(authz.ptr, "Credential=AKIDEXAMPLE/20150830/eu-west-1/s3/aws4_request") != NULL);
	kvlist_clear(&req.headers);
	buf_release(&authz);
}

TEST_MAIN(test_old_suite, test_new_suite, test_double_encoding, test_unsigned_headers, test_s3_sign)
