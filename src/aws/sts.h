#ifndef BLAMBDA_AWS_STS_H
#define BLAMBDA_AWS_STS_H

#include "aws/client.h"

/* STS, the query API answering XML. Nothing here prints. */

struct sts_identity {
	char *account, *arn, *user_id;
};

/*
 * GetCallerIdentity with creds: who they belong to. `region` NULL uses the
 * region in use. Returns as aws_call_as() does: 0, 1 (AWS error in *err, or
 * "MalformedAnswer" for an account that is not twelve digits), -1. The Arn
 * and UserId are AWS's text: make them printable before they are shown.
 */
int sts_get_caller_identity(struct aws *a, const struct aws_credentials *creds, const char *region,
			    struct sts_identity *id, struct error *err);
void sts_identity_release(struct sts_identity *id);

struct sts_assume_role {
	const char *role_arn;
	const char *session_name;
	const char *external_id;  /* or NULL */
	const char *duration;     /* seconds as text, or NULL */
	const char *region;       /* the STS endpoint's region */
};

/*
 * AssumeRole with the source credentials `src`: fills *out (akid, secret and
 * token in wiped buffers, expiration) on 0. Returns as aws_call_as() does; an
 * answer without credentials is 1 with err->code "MissingCredentials".
 */
int sts_assume_role(struct aws *a, const struct aws_credentials *src, const struct sts_assume_role *req,
		    struct aws_credentials *out, struct error *err);

/*
 * AssumeRoleWithWebIdentity: the same with a web identity token (an OIDC
 * token from GitHub Actions, an EKS service account) in place of
 * credentials; the call is not signed, as AWS has it. The token is posted in
 * a wiped buffer and never traced. Returns as sts_assume_role() does.
 */
int sts_assume_role_with_web_identity(struct aws *a, const struct sts_assume_role *req, const char *token,
				      struct aws_credentials *out, struct error *err);

#endif
