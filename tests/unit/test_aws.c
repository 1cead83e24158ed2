/* Unit tests for the AWS pieces that need no network: errors, XML, times, the shared config files. */
#include <stdlib.h>
#include <unistd.h>

#include "aws/aws.h"
#include "aws/logs.h"
#include "aws/protocol.h"
#include "aws/xml.h"
#include "core/array.h"
#include "core/hash.h"
#include "core/xalloc.h"
#include "test.h"

static void response(struct http_response *r, long status, const char *body)
{
	http_response_init(r);
	r->status = status;
	r->attempts = 1;
	buf_adds(&r->body, body);
}

static void test_json_errors(void)
{
	struct http_response r;
	struct error e = ERROR_INIT;

	response(&r, 404, "{\"Type\":\"User\",\"Message\":\"Function not found: arn:x\"}");
	kvlist_add(&r.headers, "X-Amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/coral/");
	kvlist_add(&r.headers, "x-amzn-RequestId", "req-1");
	aws_error_parse(&r, &e);
	CHECK_STR(e.code, "ResourceNotFoundException");
	CHECK_STR(e.message, "Function not found: arn:x");
	CHECK_STR(e.request_id, "req-1");
	CHECK_INT(e.status, 404);
	error_release(&e);
	http_response_release(&r);

	response(&r, 400, "{\"__type\":\"com.amazonaws.lambda#InvalidParameterValueException\",\"message\":\"bad\"}");
	aws_error_parse(&r, &e);
	CHECK_STR(e.code, "InvalidParameterValueException");
	CHECK_STR(e.message, "bad");
	CHECK_STR(e.request_id, NULL);
	error_release(&e);
	http_response_release(&r);
}

static void test_xml_errors(void)
{
	struct http_response r;
	struct error e = ERROR_INIT;

	response(&r, 403, "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
			  "<Message>User: a &amp; b is not authorized &lt;here&gt;</Message></Error>"
			  "<RequestId>abc-123</RequestId></ErrorResponse>");
	aws_error_parse(&r, &e);
	CHECK_STR(e.code, "AccessDenied");
	CHECK_STR(e.message, "User: a & b is not authorized <here>");
	CHECK_STR(e.request_id, "abc-123");
	error_release(&e);
	http_response_release(&r);

	response(&r, 502, "Bad Gateway\nfrom a proxy");
	aws_error_parse(&r, &e);
	CHECK_STR(e.code, "HTTP 502");
	CHECK_STR(e.message, "Bad Gateway");
	error_release(&e);
	http_response_release(&r);
}

static void test_xml_tree(void)
{
	const char *doc = "<?xml version=\"1.0\"?>\n<R xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
			  "<Arn>arn:1</Arn><Empty/><L><member><K>a</K></member><member><K>b&amp;c</K></member></L>"
			  "<Account>12</Account><Arn>arn:2</Arn></R>";
	struct buf why = BUF_INIT;
	struct xml_node *root = xml_parse(doc, strlen(doc), 0, &why);
	const struct xml_node *m, *arn;
	int n = 0;

	CHECK(root != NULL);
	CHECK_STR(xml_find_text(root, "Account"), "12");
	CHECK_STR(xml_find_text(root, "Empty"), "");
	CHECK_STR(xml_find_text(root, "Missing"), NULL);
	CHECK_STR(xml_find_text(root, "Ar"), NULL); /* no prefix matches */
	arn = xml_child(root, "Arn");
	CHECK_STR(arn ? arn->text.ptr : NULL, "arn:1");
	CHECK_STR(xml_next(arn) ? xml_next(arn)->text.ptr : NULL, "arn:2");
	/* a list walked member by member */
	for (m = xml_child(xml_child(root, "L"), "member"); m; m = xml_next(m))
		n++;
	CHECK_INT(n, 2);
	CHECK_STR(xml_find_text(xml_next(xml_child(xml_child(root, "L"), "member")), "K"), "b&c");
	xml_free(root);
}

static void expect_bad_xml(const char *doc, size_t len, const char *why_has)
{
	struct buf why = BUF_INIT;
	struct xml_node *root = xml_parse(doc, len, 0, &why);

	CHECK(root == NULL);
	CHECK(why.ptr && strstr(why.ptr, why_has));
	if (!(why.ptr && strstr(why.ptr, why_has)))
		fprintf(stderr, "  why: %s\n", why.ptr);
	xml_free(root);
	buf_release(&why);
}

static void test_xml_hostile(void)
{
	struct buf deep = BUF_INIT;
	const char *bomb = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;\">]>"
			   "<l>&b;</l>";

	/* truncated tags, at every length: refused, never read past the end */
	const char *full = "<R><Tag>v</Tag><Code/></R>";
	for (size_t i = 0; i < strlen(full); i++) {
		char *copy = malloc(i ? i : 1);

		memcpy(copy, full, i);
		expect_bad_xml(copy, i, i ? "line" : "");
		free(copy);
	}
	expect_bad_xml("<R><Tag/", 8, "line 1");
	expect_bad_xml(bomb, strlen(bomb), "entities");
	for (int i = 0; i < 10000; i++)
		buf_adds(&deep, "<a>");
	expect_bad_xml(deep.ptr, deep.len, "nested too deep");
	expect_bad_xml("not xml at all", 14, "line 1");
	buf_release(&deep);
}

static void test_xml_error_variants(void)
{
	struct http_response r;
	struct error e = ERROR_INIT;

	/* S3's error document: Code and Message at the top */
	response(&r, 404, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code>"
			  "<Message>The specified bucket does not exist</Message><RequestId>r9</RequestId></Error>");
	aws_error_parse(&r, &e);
	CHECK_STR(e.code, "NoSuchBucket");
	CHECK_STR(e.message, "The specified bucket does not exist");
	CHECK_STR(e.request_id, "r9");
	error_release(&e);
	http_response_release(&r);
	/* a truncated error document still yields a status code */
	response(&r, 500, "<Error><Code>Intern");
	aws_error_parse(&r, &e);
	CHECK_STR(e.code, "HTTP 500");
	error_release(&e);
	http_response_release(&r);
}

static void test_path_segments(void)
{
	struct buf b = BUF_INIT;
	char b64[45];

	aws_path_segment(&b, "arn:aws:lambda:eu-west-1:123456789012:function:f/x y");
	CHECK_STR(b.ptr, "arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Af%2Fx%20y");
	buf_reset(&b);
	aws_path_key(&b, "blambda/ab c.zip");
	CHECK_STR(b.ptr, "blambda/ab%20c.zip");
	buf_release(&b);
	CHECK_INT(sha256_hex_to_base64("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", b64), 0);
	CHECK_STR(b64, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
	CHECK_INT(sha256_hex_to_base64("zz", b64), -1);
	base64_encode("hello!?", 7, &b);
	CHECK_STR(b.ptr, "aGVsbG8hPw==");
	buf_release(&b);
}

/* Read a streamed body whole, in pieces of `step` bytes. */
static long drain(const struct http_body_source *src, struct buf *out, size_t step)
{
	char piece[7000];
	long n, total = 0;

	while ((n = src->read(src->ctx, piece, step)) > 0) {
		buf_add(out, piece, (size_t)n);
		total += n;
	}
	return n < 0 ? -1 : total;
}

static void test_zip_json_stream(void)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 4, 3071, 3072, 3073, 10000 };
	char path[] = "/tmp/blambda-zipjson-XXXXXX";
	int fd = mkstemp(path);

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct buf want = BUF_INIT, got = BUF_INIT, again = BUF_INIT;
		unsigned char *data = malloc(sizes[i] + 1);
		struct aws_zip_json z;
		FILE *f = fopen(path, "wb");

		for (size_t k = 0; k < sizes[i]; k++)
			data[k] = (unsigned char)(k * 7 + i);
		fwrite(data, 1, sizes[i], f);
		fclose(f);
		buf_adds(&want, "{\"Code\":{\"ZipFile\":\"");
		base64_encode(data, sizes[i], &want);
		buf_adds(&want, "\"},\"A\":1}");
		CHECK_INT(aws_zip_json_init(&z, "{\"Code\":{\"ZipFile\":\"", "\"},\"A\":1}", path), 0);
		CHECK_INT(z.source.len, want.len);
		/* pieces of odd sizes, then again after a rewind (another attempt) */
		CHECK_INT(drain(&z.source, &got, 5), (long)want.len);
		CHECK_STR(got.ptr, want.ptr);
		CHECK_INT(z.source.rewind(z.source.ctx), 0);
		CHECK_INT(drain(&z.source, &again, 6999), (long)want.len);
		CHECK_STR(again.ptr, want.ptr);
		aws_zip_json_release(&z);
		free(data);
		buf_release(&want);
		buf_release(&got);
		buf_release(&again);
	}
	/* a file that grows between the size was taken and the read fails the body */
	{
		struct aws_zip_json z;
		struct buf got = BUF_INIT;
		FILE *f = fopen(path, "wb");

		fputs("abc", f);
		fclose(f);
		CHECK_INT(aws_zip_json_init(&z, "[\"", "\"]", path), 0);
		f = fopen(path, "ab");
		fputs("more bytes", f);
		fclose(f);
		CHECK_INT(drain(&z.source, &got, 4096), -1);
		aws_zip_json_release(&z);
		buf_release(&got);
	}
	CHECK_INT(aws_zip_json_init(&(struct aws_zip_json){ 0 }, "", "", "/nonexistent/zip"), -1);
	close(fd);
	unlink(path);
}

static void test_times(void)
{
	CHECK_INT(aws_parse_time("2015-08-30T12:36:00Z"), 1440938160);
	CHECK_INT(aws_parse_time("2015-08-30T12:36:00.123Z"), 1440938160);
	CHECK_INT(aws_parse_time("2015-08-30T12:36:00+00:00"), 1440938160);
	CHECK_INT(aws_parse_time("2015-08-30T12:36:00UTC"), 1440938160);
	CHECK_INT(aws_parse_time("2015-08-30T12:36:00+02:00"), -1);
	CHECK_INT(aws_parse_time("yesterday"), -1);
}

static void test_profiles(void)
{
	char dir[] = "/tmp/blambda-profiles-XXXXXX";
	char cfg[128], cred[128];
	struct aws_profiles p;
	struct error perr = ERROR_INIT;
	const char *file;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(cfg, sizeof(cfg), "%s/config", dir);
	snprintf(cred, sizeof(cred), "%s/credentials", dir);
	f = fopen(cfg, "w");
	fputs("# comment\n[default]\nregion = eu-west-1\n\n[profile dev]\nregion=us-east-2\n"
	      "aws_access_key_id = FROMCONFIG\ns3 =\n  region = nested-ignored\nOutput = json\n"
	      "[sso-session corp]\nsso_region = eu-north-1\n[dev]\nregion = not-a-profile-in-config\n", f);
	fclose(f);
	f = fopen(cred, "w");
	fputs("[dev]\naws_access_key_id = FROMCREDS\n; comment\n[default]\naws_secret_access_key = s\n", f);
	fclose(f);
	setenv("AWS_CONFIG_FILE", cfg, 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", cred, 1);
	CHECK_INT(aws_profiles_load(&p, &perr), 0);
	CHECK_STR(aws_profile_get(&p, "default", "region", NULL), "eu-west-1");
	CHECK_STR(aws_profile_get(&p, "dev", "region", NULL), "us-east-2");
	CHECK_STR(aws_profile_get(&p, "dev", "aws_access_key_id", &file), "FROMCREDS");
	CHECK_STR(file, cred);
	CHECK_STR(aws_profile_get(&p, "dev", "output", NULL), "json"); /* keys are case-insensitive */
	CHECK_STR(aws_sso_session_get(&p, "corp", "sso_region"), "eu-north-1");
	CHECK(aws_profile_exists(&p, "dev"));
	CHECK(!aws_profile_exists(&p, "corp"));
	CHECK_STR(aws_profile_get(&p, "nope", "region", NULL), NULL);
	aws_profiles_release(&p);
	unsetenv("AWS_CONFIG_FILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	unlink(cfg);
	unlink(cred);
	rmdir(dir);
}

static void test_form(void)
{
	struct buf f = BUF_INIT;

	aws_form_add(&f, "Action", "AssumeRole");
	aws_form_add(&f, "RoleArn", "arn:aws:iam::1:role/a b+c");
	CHECK_STR(f.ptr, "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa+b%2Bc");
	buf_release(&f);
}

static void add_event(struct logs_events *ev, long long t, const char *id)
{
	XGROW(ev->items, ev->alloc, ev->nr + 1);
	ev->items[ev->nr].timestamp = t;
	ev->items[ev->nr].stream = xstrdup("s");
	ev->items[ev->nr].message = xstrdup(id);
	ev->items[ev->nr++].id = xstrdup(id);
}

/* logs --follow: each look starts at the newest millisecond seen; nothing is given twice, nothing lost */
static void test_logs_cursor(void)
{
	struct logs_cursor c = LOGS_CURSOR_INIT(1000);
	struct logs_events ev = { 0 };

	add_event(&ev, 1005, "b");
	add_event(&ev, 1000, "a");
	add_event(&ev, 1005, "c");
	logs_cursor_advance(&c, &ev);
	CHECK_INT(ev.nr, 3);
	CHECK_STR(ev.items[0].id, "a"); /* sorted by time */
	CHECK_INT(c.start_ms, 1005);
	logs_events_release(&ev);

	/* the next look gives 1005's events again, and one more of it, and a later one */
	add_event(&ev, 1005, "b");
	add_event(&ev, 1005, "c");
	add_event(&ev, 1005, "d");
	add_event(&ev, 1010, "e");
	logs_cursor_advance(&c, &ev);
	CHECK_INT(ev.nr, 2);
	CHECK_STR(ev.items[0].id, "d");
	CHECK_STR(ev.items[1].id, "e");
	CHECK_INT(c.start_ms, 1010);
	logs_events_release(&ev);

	/* a server that ignores startTime, and an event that came late: neither is given again */
	add_event(&ev, 1000, "a");
	add_event(&ev, 1005, "b");
	add_event(&ev, 1007, "late");
	add_event(&ev, 1010, "e");
	logs_cursor_advance(&c, &ev);
	CHECK_INT(ev.nr, 0);
	CHECK_INT(c.start_ms, 1010);
	logs_events_release(&ev);

	/* an empty look keeps the cursor */
	logs_cursor_advance(&c, &ev);
	CHECK_INT(c.start_ms, 1010);
	add_event(&ev, 1010, "e");
	logs_cursor_advance(&c, &ev);
	CHECK_INT(ev.nr, 0);
	logs_events_release(&ev);
	logs_cursor_release(&c);
}

TEST_MAIN(test_json_errors, test_xml_errors, test_xml_tree, test_xml_hostile, test_xml_error_variants,
	  test_path_segments, test_zip_json_stream, test_times, test_profiles, test_form,
	  test_logs_cursor)
