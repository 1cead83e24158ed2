#include "aws/iam.h"

#include <stdlib.h>
#include <string.h>

#include "aws/protocol.h"
#include "core/xalloc.h"

const char iam_lambda_trust_policy[] =
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
	"\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";

void iam_role_release(struct iam_role *r)
{
	free(r->name);
	free(r->arn);
	kvlist_clear(&r->tags);
	memset(r, 0, sizeof(*r));
}

static void start_form(struct buf *form, const char *action)
{
	aws_form_add(form, "Action", action);
	aws_form_add(form, "Version", "2010-05-08");
}

static void read_role(const struct xml_node *role, struct iam_role *out)
{
	const char *v;

	iam_role_release(out);
	if ((v = xml_find_text(role, "RoleName")))
		out->name = xstrdup(v);
	if ((v = xml_find_text(role, "Arn")))
		out->arn = xstrdup(v);
	for (const struct xml_node *m = xml_child(xml_child(role, "Tags"), "member"); m; m = xml_next(m)) {
		const char *k = xml_find_text(m, "Key"), *val = xml_find_text(m, "Value");

		if (k)
			kvlist_add(&out->tags, k, val ? val : "");
	}
}

/* A call that answers with a Role (GetRole, CreateRole), read into out; one without its Arn is malformed. */
static int role_call(struct aws *a, const struct buf *form, struct iam_role *out, struct error *err)
{
	struct xml_node *doc;
	int r = aws_query_call(a, "iam", NULL, form, &doc, err);

	if (r == 0) {
		read_role(xml_find(doc, "Role"), out);
		if (!out->arn || !*out->arn) {
			aws_error_set(err, "MalformedAnswer", "IAM's answer has no Role.Arn");
			r = 1;
		}
	}
	xml_free(doc);
	return r;
}

int iam_get_role(struct aws *a, const char *name, struct iam_role *out, struct error *err)
{
	struct buf form = BUF_INIT;
	int r;

	memset(out, 0, sizeof(*out));
	start_form(&form, "GetRole");
	aws_form_add(&form, "RoleName", name);
	r = role_call(a, &form, out, err);
	buf_release(&form);
	return r;
}

int iam_create_role(struct aws *a, const char *name, const char *trust_policy, const char *description,
		    const struct kvlist *tags, struct iam_role *out, struct error *err)
{
	struct buf form = BUF_INIT, key = BUF_INIT;
	int r;

	memset(out, 0, sizeof(*out));
	start_form(&form, "CreateRole");
	aws_form_add(&form, "RoleName", name);
	aws_form_add(&form, "AssumeRolePolicyDocument", trust_policy);
	if (description)
		aws_form_add(&form, "Description", description);
	for (size_t i = 0; tags && i < tags->nr; i++) {
		buf_reset(&key);
		buf_addf(&key, "Tags.member.%zu.Key", i + 1);
		aws_form_add(&form, key.ptr, tags->items[i].key);
		buf_reset(&key);
		buf_addf(&key, "Tags.member.%zu.Value", i + 1);
		aws_form_add(&form, key.ptr, tags->items[i].value);
	}
	r = role_call(a, &form, out, err);
	buf_release(&form);
	buf_release(&key);
	return r;
}

/* a call that names a role (and maybe a policy) and answers nothing worth reading */
static int role_action(struct aws *a, const char *action, const char *role, const char *key, const char *value,
		       struct error *err)
{
	struct buf form = BUF_INIT;
	struct xml_node *doc;
	int r;

	start_form(&form, action);
	aws_form_add(&form, "RoleName", role);
	if (key)
		aws_form_add(&form, key, value);
	r = aws_query_call(a, "iam", NULL, &form, &doc, err);
	xml_free(doc);
	buf_release(&form);
	return r;
}

int iam_attach_role_policy(struct aws *a, const char *role, const char *policy_arn, struct error *err)
{
	return role_action(a, "AttachRolePolicy", role, "PolicyArn", policy_arn, err);
}

int iam_detach_role_policy(struct aws *a, const char *role, const char *policy_arn, struct error *err)
{
	return role_action(a, "DetachRolePolicy", role, "PolicyArn", policy_arn, err);
}

int iam_delete_role_policy(struct aws *a, const char *role, const char *policy_name, struct error *err)
{
	return role_action(a, "DeleteRolePolicy", role, "PolicyName", policy_name, err);
}

int iam_put_role_policy(struct aws *a, const char *role, const char *policy_name, const char *document,
			struct error *err)
{
	struct buf form = BUF_INIT;
	struct xml_node *doc;
	int r;

	start_form(&form, "PutRolePolicy");
	aws_form_add(&form, "RoleName", role);
	aws_form_add(&form, "PolicyName", policy_name);
	aws_form_add(&form, "PolicyDocument", document);
	r = aws_query_call(a, "iam", NULL, &form, &doc, err);
	xml_free(doc);
	buf_release(&form);
	return r;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int iam_get_role_policy(struct aws *a, const char *role, const char *policy_name, struct buf *document,
			struct error *err)
{
	struct buf form = BUF_INIT;
	struct xml_node *doc;
	const char *text;
	int r;

	start_form(&form, "GetRolePolicy");
	aws_form_add(&form, "RoleName", role);
	aws_form_add(&form, "PolicyName", policy_name);
	r = aws_query_call(a, "iam", NULL, &form, &doc, err);
	if (r == 0) {
		text = xml_find_text(doc, "PolicyDocument");
		/* IAM gives the document URL-encoded (RFC 3986) */
		for (const char *p = text ? text : ""; *p; p++) {
			if (*p == '%' && hex_digit(p[1]) >= 0 && hex_digit(p[2]) >= 0) {
				buf_addch(document, (char)(hex_digit(p[1]) * 16 + hex_digit(p[2])));
				p += 2;
			} else {
				buf_addch(document, *p);
			}
		}
	}
	xml_free(doc);
	buf_release(&form);
	return r;
}

int iam_tag_role(struct aws *a, const char *role, const char *key, const char *value, struct error *err)
{
	struct buf form = BUF_INIT;
	struct xml_node *doc;
	int r;

	start_form(&form, "TagRole");
	aws_form_add(&form, "RoleName", role);
	aws_form_add(&form, "Tags.member.1.Key", key);
	aws_form_add(&form, "Tags.member.1.Value", value);
	r = aws_query_call(a, "iam", NULL, &form, &doc, err);
	xml_free(doc);
	buf_release(&form);
	return r;
}

int iam_delete_role(struct aws *a, const char *role, struct error *err)
{
	return role_action(a, "DeleteRole", role, NULL, NULL, err);
}

/*
 * A listing about a role, every page: the text of `field` in each member of
 * `list` (the member's own text when field is NULL), appended to out.
 */
static int list_of_role(struct aws *a, const char *action, const char *role, const char *list, const char *field,
			struct strlist *out, struct error *err)
{
	struct buf form = BUF_INIT;
	char *marker = NULL;
	int r, page = 0;

	for (;;) {
		struct xml_node *doc;
		const char *truncated, *next;

		buf_reset(&form);
		start_form(&form, action);
		aws_form_add(&form, "RoleName", role);
		if (marker)
			aws_form_add(&form, "Marker", marker);
		r = aws_query_call(a, "iam", NULL, &form, &doc, err);
		if (r)
			break;
		for (const struct xml_node *m = xml_child(xml_find(doc, list), "member"); m; m = xml_next(m)) {
			const char *v = field ? xml_find_text(m, field) : m->text.ptr;

			if (v && *v)
				strlist_add(out, v);
		}
		truncated = xml_find_text(doc, "IsTruncated");
		next = xml_find_text(doc, "Marker");
		free(marker);
		marker = truncated && !strcmp(truncated, "true") && next && *next ? xstrdup(next) : NULL;
		xml_free(doc);
		if (!marker)
			break;
		if (++page >= 100) { /* a listing that never ends is not IAM's */
			aws_error_set(err, "MalformedAnswer", "IAM's answer to %s for '%s' does not end", action, role);
			r = 1;
			break;
		}
	}
	free(marker);
	buf_release(&form);
	return r;
}

int iam_attached_policies(struct aws *a, const char *role, struct strlist *arns, struct error *err)
{
	return list_of_role(a, "ListAttachedRolePolicies", role, "AttachedPolicies", "PolicyArn", arns, err);
}

int iam_inline_policies(struct aws *a, const char *role, struct strlist *names, struct error *err)
{
	return list_of_role(a, "ListRolePolicies", role, "PolicyNames", NULL, names, err);
}
