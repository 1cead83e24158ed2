#include "aws/sts.h"

#include <stdlib.h>
#include <string.h>

#include "aws/xml.h"
#include "core/xalloc.h"

int sts_get_caller_identity(struct aws *a, const struct aws_credentials *creds, const char *region,
			    struct sts_identity *id, struct error *err)
{
	struct buf form = BUF_INIT;
	struct xml_node *doc;
	const char *v;
	int r;

	memset(id, 0, sizeof(*id));
	aws_form_add(&form, "Action", "GetCallerIdentity");
	aws_form_add(&form, "Version", "2011-06-15");
	r = aws_query_call_as(a, creds, "sts", region, &form, 0, &doc, err);
	if (r == 0) {
		/* the account goes into ARNs and file names: twelve digits, or the answer is wrong */
		if (!aws_account_valid(v = xml_find_text(doc, "Account"))) {
			aws_error_set(err, "MalformedAnswer", "STS answered GetCallerIdentity with an account that is not "
				      "twelve digits");
			err->exit = EXIT_AWS;
			r = 1;
		} else {
			id->account = xstrdup(v);
		}
		if (!r && (v = xml_find_text(doc, "Arn")))
			id->arn = xstrdup(v);
		if (!r && (v = xml_find_text(doc, "UserId")))
			id->user_id = xstrdup(v);
	}
	xml_free(doc);
	buf_release(&form);
	return r;
}

void sts_identity_release(struct sts_identity *id)
{
	free(id->account);
	free(id->arn);
	free(id->user_id);
	memset(id, 0, sizeof(*id));
}

int sts_assume_role(struct aws *a, const struct aws_credentials *src, const struct sts_assume_role *req,
		    struct aws_credentials *out, struct error *err)
{
	struct buf form = BUF_INIT;
	const struct xml_node *c;
	struct xml_node *doc;
	int r;

	aws_form_add(&form, "Action", "AssumeRole");
	aws_form_add(&form, "Version", "2011-06-15");
	aws_form_add(&form, "RoleArn", req->role_arn);
	aws_form_add(&form, "RoleSessionName", req->session_name);
	if (req->external_id)
		aws_form_add(&form, "ExternalId", req->external_id);
	if (req->duration)
		aws_form_add(&form, "DurationSeconds", req->duration);
	r = aws_query_call_as(a, src, "sts", req->region, &form, 1, &doc, err);
	if (r == 0) {
		const char *akid, *secret, *token, *exp;

		c = xml_find(doc, "Credentials");
		akid = xml_find_text(c, "AccessKeyId");
		secret = xml_find_text(c, "SecretAccessKey");
		token = xml_find_text(c, "SessionToken");
		exp = xml_find_text(c, "Expiration");
		if (!akid || !*akid || !secret || !*secret) {
			aws_error_set(err, "MissingCredentials", "STS AssumeRole answered without credentials");
			r = 1;
		} else {
			buf_init_secret(&out->secret_access_key);
			buf_init_secret(&out->session_token);
			buf_adds(&out->access_key_id, akid);
			buf_adds(&out->secret_access_key, secret);
			buf_adds(&out->session_token, token ? token : "");
			out->expiration = aws_parse_time(exp);
			if (out->expiration < 0)
				out->expiration = 0;
		}
	}
	xml_free(doc);
	buf_release(&form);
	return r;
}
