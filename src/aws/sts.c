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

/* Printable ASCII without spaces: what may go into a header */
static int header_safe(const char *s)
{
	for (; *s; s++)
		if (*s <= ' ' || *s >= 0x7f)
			return 0;
	return 1;
}

/* The Credentials of an AssumeRole* answer into out; 1 with err when there are none */
static int read_credentials(const struct xml_node *doc, const char *action, struct aws_credentials *out,
			    struct error *err)
{
	const struct xml_node *c = xml_find(doc, "Credentials");
	const char *akid = xml_find_text(c, "AccessKeyId"), *secret = xml_find_text(c, "SecretAccessKey");
	const char *token = xml_find_text(c, "SessionToken"), *exp = xml_find_text(c, "Expiration");

	if (!akid || !*akid || !secret || !*secret)
		return aws_error_set(err, "MissingCredentials", "STS %s answered without credentials", action), 1;
	/* they go into every request's headers: printable, without spaces; and a time that reads as one */
	if (!header_safe(akid) || !header_safe(secret) || (token && *token && !header_safe(token)))
		return aws_error_set(err, "MalformedAnswer", "STS %s answered with credentials that are not printable "
				     "text", action), 1;
	if (exp && aws_parse_time(exp) < 0)
		return aws_error_set(err, "MalformedAnswer", "STS %s answered with an Expiration blambda cannot read",
				     action), 1;
	buf_init_secret(&out->secret_access_key);
	buf_init_secret(&out->session_token);
	buf_adds(&out->access_key_id, akid);
	buf_adds(&out->secret_access_key, secret);
	buf_adds(&out->session_token, token ? token : "");
	out->expiration = aws_parse_time(exp);
	if (out->expiration < 0)
		out->expiration = 0;
	return 0;
}

int sts_assume_role(struct aws *a, const struct aws_credentials *src, const struct sts_assume_role *req,
		    struct aws_credentials *out, struct error *err)
{
	struct buf form = BUF_INIT;
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
	if (r == 0)
		r = read_credentials(doc, "AssumeRole", out, err);
	xml_free(doc);
	buf_release(&form);
	return r;
}

int sts_assume_role_with_web_identity(struct aws *a, const struct sts_assume_role *req, const char *token,
				      struct aws_credentials *out, struct error *err)
{
	struct buf form;
	struct xml_node *doc;
	int r;

	buf_init_secret(&form); /* it holds the token */
	aws_form_add(&form, "Action", "AssumeRoleWithWebIdentity");
	aws_form_add(&form, "Version", "2011-06-15");
	aws_form_add(&form, "RoleArn", req->role_arn);
	aws_form_add(&form, "RoleSessionName", req->session_name);
	aws_form_add(&form, "WebIdentityToken", token);
	if (req->duration)
		aws_form_add(&form, "DurationSeconds", req->duration);
	r = aws_query_call_as(a, NULL, "sts", req->region, &form, 1, &doc, err);
	if (r == 0)
		r = read_credentials(doc, "AssumeRoleWithWebIdentity", out, err);
	xml_free(doc);
	buf_release(&form);
	return r;
}
