/* Unit tests for the AWS pieces that need no network: errors, XML, times, the shared config files. */
#include <stdlib.h>
#include <unistd.h>

#include "aws/aws.h"
#include "aws/xml.h"
#include "test.h"

static void response(struct http_response *r, long status, const char *body)
{
	memset(r, 0, sizeof(*r));
	r->status = status;
	r->attempts = 1;
	buf_adds(&r->body, body);
}

static void test_json_errors(void)
{
	struct http_response r;
	struct aws_error e;

	response(&r, 404, "{\"Type\":\"User\",\"Message\":\"Function not found: arn:x\"}");
	kvlist_add(&r.headers, "X-Amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/coral/");
	kvlist_add(&r.headers, "x-amzn-RequestId", "req-1");
	aws_error_parse(&r, &e);
	CHECK_STR(e.code, "ResourceNotFoundException");
	CHECK_STR(e.message, "Function not found: arn:x");
	CHECK_STR(e.request_id, "req-1");
	CHECK_INT(e.status, 404);
	aws_error_release(&e);
	http_response_release(&r);

	response(&r, 400, "{\"__type\":\"com.amazonaws.lambda#InvalidParameterValueException\",\"message\":\"bad\"}");
	aws_error_parse(&r, &e);
	CHECK_STR(e.code, "InvalidParameterValueException");
	CHECK_STR(e.message, "bad");
	CHECK_STR(e.request_id, NULL);
	aws_error_release(&e);
	http_response_release(&r);
}

static void test_xml_errors(void)
{
	struct http_response r;
	struct aws_error e;

	response(&r, 403, "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
			  "<Message>User: a &amp; b is not authorized &lt;here&gt;</Message></Error>"
			  "<RequestId>abc-123</RequestId></ErrorResponse>");
	aws_error_parse(&r, &e);
	CHECK_STR(e.code, "AccessDenied");
	CHECK_STR(e.message, "User: a & b is not authorized <here>");
	CHECK_STR(e.request_id, "abc-123");
	aws_error_release(&e);
	http_response_release(&r);

	response(&r, 502, "Bad Gateway\nfrom a proxy");
	aws_error_parse(&r, &e);
	CHECK_STR(e.code, "HTTP 502");
	CHECK_STR(e.message, "Bad Gateway");
	aws_error_release(&e);
	http_response_release(&r);
}

static void test_xml_text(void)
{
	struct buf b = BUF_INIT;
	const char *doc = "<R><Arn>arn:1</Arn><Empty/><Account>12</Account><Arn>arn:2</Arn></R>";
	const char *p;

	p = xml_text(doc, "Arn", &b);
	CHECK_STR(b.ptr, "arn:1");
	buf_reset(&b);
	CHECK(xml_text(p, "Arn", &b) != NULL);
	CHECK_STR(b.ptr, "arn:2");
	buf_reset(&b);
	CHECK(xml_text(doc, "Missing", &b) == NULL);
	CHECK(xml_text(doc, "Empty", &b) != NULL);
	CHECK_INT(b.len, 0);
	CHECK(xml_text(doc, "Ar", &b) == NULL); /* no prefix matches */
	buf_release(&b);
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
	CHECK_INT(aws_profiles_load(&p), 0);
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
	CHECK_STR(f.ptr, "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa%20b%2Bc");
	buf_release(&f);
}

TEST_MAIN(test_json_errors, test_xml_errors, test_xml_text, test_times, test_profiles, test_form)
