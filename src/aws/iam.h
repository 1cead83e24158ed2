#ifndef BLAMBDA_AWS_IAM_H
#define BLAMBDA_AWS_IAM_H

#include "aws/aws.h"
#include "core/strlist.h"

/*
 * IAM (query+XML, global, signed in us-east-1): the execution roles blambda
 * makes for functions. Knows the API, never prints. Calls return as
 * aws_call() does: 0, 1 (AWS's error in *err, or "MalformedAnswer"), -1.
 * An `out` role is zeroed first and filled on 0; the caller releases it with
 * iam_role_release whatever the result.
 */

struct iam_role {
	char *name, *arn;
	struct kvlist tags;
};
void iam_role_release(struct iam_role *r);

/* GetRole. A role that does not exist is 1 with err->code "NoSuchEntity". */
int iam_get_role(struct aws *a, const char *name, struct iam_role *out, struct error *err);
/* CreateRole with a trust policy (JSON), a description (or NULL) and tags; *out is the new role. */
int iam_create_role(struct aws *a, const char *name, const char *trust_policy, const char *description,
		    const struct kvlist *tags, struct iam_role *out, struct error *err);
/* AttachRolePolicy: policy_arn (a managed policy) attached to role; attaching it again is no error in IAM. */
int iam_attach_role_policy(struct aws *a, const char *role, const char *policy_arn, struct error *err);
/*
 * ListAttachedRolePolicies, every page (100 at most): the policies' ARNs
 * appended to arns (caller clears it; on an error it holds the pages read).
 */
int iam_attached_policies(struct aws *a, const char *role, struct strlist *arns, struct error *err);

/* ListRolePolicies, every page: the names of the role's inline policies appended to names. */
int iam_inline_policies(struct aws *a, const char *role, struct strlist *names, struct error *err);
/* DetachRolePolicy, DeleteRolePolicy (an inline one) and DeleteRole (which IAM refuses while policies remain). */
int iam_detach_role_policy(struct aws *a, const char *role, const char *policy_arn, struct error *err);
int iam_delete_role_policy(struct aws *a, const char *role, const char *policy_name, struct error *err);
int iam_delete_role(struct aws *a, const char *role, struct error *err);

/* PutRolePolicy: the inline policy policy_name of role set to document (JSON). */
int iam_put_role_policy(struct aws *a, const char *role, const char *policy_name, const char *document,
			struct error *err);
/* GetRolePolicy: the inline policy's document (JSON, decoded) appended to document; none is 1, NoSuchEntity. */
int iam_get_role_policy(struct aws *a, const char *role, const char *policy_name, struct buf *document,
			struct error *err);
/* TagRole with one tag. */
int iam_tag_role(struct aws *a, const char *role, const char *key, const char *value, struct error *err);

/* The trust policy that lets Lambda assume a role. */
extern const char iam_lambda_trust_policy[];

#endif
