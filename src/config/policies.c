/*
 * function.policies: what the role blambda makes may do beyond writing
 * logs. A list whose entries are managed policy ARNs, or statements
 * ({effect, actions, resources}) that together make one inline policy.
 */
#include <ctype.h>
#include <string.h>

#include "config/internal.h"
#include "core/suggest.h"

/* IAM's bounds: managed policies on a role (its default quota), one inline policy's size */
#define POLICIES_MAX_MANAGED 10
#define POLICY_MAX_BYTES 10240

/* arn:PARTITION:iam::aws|ACCOUNT:policy/[PATH/]NAME */
static int managed_arn(const char *v)
{
	const char *p;
	size_t n;

	if (strncmp(v, "arn:aws", 7) || !(p = strchr(v + 4, ':')) || strncmp(p, ":iam::", 6))
		return 0;
	p += 6;
	n = strspn(p, "0123456789"); /* an account's own policy, or AWS's */
	if (n != 12) {
		if (strncmp(p, "aws", 3))
			return 0;
		n = 3;
	}
	if (strncmp(p + n, ":policy/", 8))
		return 0;
	p += n + 8;
	return *p && p[strlen(p) - 1] != '/' && !strpbrk(p, " \t\n");
}

/* service:Action (letters, digits, * and ?), or * alone */
static int action_ok(const char *v)
{
	const char *colon = strchr(v, ':');

	if (!strcmp(v, "*"))
		return 1;
	if (!colon || colon == v || !colon[1])
		return 0;
	for (const char *p = v; p < colon; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-')
			return 0;
	for (const char *p = colon + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '*' && *p != '?')
			return 0;
	return 1;
}

static int resource_ok(const char *v)
{
	return !strcmp(v, "*") || (!strncmp(v, "arn:", 4) && !strpbrk(v, " \t\n"));
}

/* A scalar or a list of scalars, each passing ok: its entries' count, or -1 with why and *at */
static int each_scalar(const struct cfg_node *n, const char *field, int (*ok)(const char *), const char *like,
		       struct buf *why, const struct cfg_node **at)
{
	size_t count = n->type == CFG_NODE_LIST ? n->nkids : 1;

	for (size_t i = 0; i < count; i++) {
		const struct cfg_node *e = n->type == CFG_NODE_LIST ? &n->kids[i] : n;

		*at = e;
		if (e->type != CFG_NODE_SCALAR) {
			buf_addf(why, "each of a statement's %s must be a single value", field);
			return -1;
		}
		if (!ok(e->value)) {
			buf_addf(why, "'%s' is not one of a statement's %s (%s)", e->value, field, like);
			return -1;
		}
	}
	if (!count) {
		*at = n;
		buf_addf(why, "a statement's %s must not be empty", field);
		return -1;
	}
	return (int)count;
}

static int check_statement(const struct cfg_node *m, struct buf *why, const struct cfg_node **at)
{
	static const char *const fields[] = { "effect", "actions", "resources" };
	const struct cfg_node *effect = cfg_node_get(m, "effect");

	for (size_t i = 0; i < m->nkids; i++) {
		const char *k = m->kids[i].key;

		if (strcmp(k, "effect") && strcmp(k, "actions") && strcmp(k, "resources")) {
			const char *s = suggest(k, fields, 3);

			*at = &m->kids[i];
			buf_addf(why, "unknown key '%s' in a statement (it takes effect, actions and resources)", k);
			if (s)
				buf_addf(why, " (did you mean '%s'?)", s);
			return -1;
		}
	}
	if (effect && (effect->type != CFG_NODE_SCALAR || (strcmp(effect->value, "Allow") && strcmp(effect->value, "Deny")))) {
		*at = effect;
		buf_adds(why, "a statement's effect must be Allow or Deny");
		return -1;
	}
	if (!cfg_node_get(m, "actions") || !cfg_node_get(m, "resources")) {
		*at = m;
		buf_addf(why, "a statement needs %s", cfg_node_get(m, "actions") ? "resources" : "actions");
		return -1;
	}
	if (each_scalar(cfg_node_get(m, "actions"), "actions", action_ok, "like s3:GetObject, or *", why, at) < 0 ||
	    each_scalar(cfg_node_get(m, "resources"), "resources", resource_ok, "an ARN, or *", why, at) < 0)
		return -1;
	return 0;
}

static void add_values(const struct cfg_node *n, struct buf *out)
{
	size_t count = n->type == CFG_NODE_LIST ? n->nkids : 1;

	buf_addch(out, '[');
	for (size_t i = 0; i < count; i++) {
		const struct cfg_node *e = n->type == CFG_NODE_LIST ? &n->kids[i] : n;
		struct cfg_node text = *e;

		text.quoted = 1; /* always strings */
		if (i)
			buf_addch(out, ',');
		cfg_node_json(&text, out);
	}
	buf_addch(out, ']');
}

void config_policies(const struct cfg_node *list, struct strlist *managed, struct buf *document)
{
	size_t statements = 0;

	for (size_t i = 0; list && i < list->nkids; i++) {
		const struct cfg_node *e = &list->kids[i];
		const struct cfg_node *effect = cfg_node_get(e, "effect");

		if (e->type == CFG_NODE_SCALAR) {
			if (!strlist_has(managed, e->value))
				strlist_add(managed, e->value);
			continue;
		}
		buf_adds(document, statements++ ? "," : "{\"Version\":\"2012-10-17\",\"Statement\":[");
		buf_addf(document, "{\"Effect\":\"%s\",\"Action\":", effect ? effect->value : "Allow");
		add_values(cfg_node_get(e, "actions"), document);
		buf_adds(document, ",\"Resource\":");
		add_values(cfg_node_get(e, "resources"), document);
		buf_addch(document, '}');
	}
	if (statements)
		buf_adds(document, "]}");
}

int config_check_policies(const struct cfg_node *n, struct buf *why, const struct cfg_node **at)
{
	struct strlist managed = STRLIST_INIT;
	struct buf doc = BUF_INIT;
	int r = 0;

	*at = n;
	if (n->type != CFG_NODE_LIST) {
		buf_adds(why, "policies must be a list of managed policy ARNs and statements ({effect, actions, resources})");
		return -1;
	}
	for (size_t i = 0; !r && i < n->nkids; i++) {
		const struct cfg_node *e = &n->kids[i];

		*at = e;
		if (e->type == CFG_NODE_LIST) {
			buf_adds(why, "an entry of policies is a managed policy ARN or a statement, not a list");
			r = -1;
		} else if (e->type == CFG_NODE_SCALAR && !managed_arn(e->value)) {
			buf_addf(why, "'%s' is not a managed policy ARN like 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'",
				 e->value);
			r = -1;
		} else if (e->type == CFG_NODE_MAP) {
			r = check_statement(e, why, at);
		}
	}
	if (!r) {
		config_policies(n, &managed, &doc);
		*at = n;
		if (managed.nr > POLICIES_MAX_MANAGED) {
			buf_addf(why, "policies names %zu managed policies; IAM allows %d on a role", managed.nr,
				 POLICIES_MAX_MANAGED);
			r = -1;
		} else if (doc.len > POLICY_MAX_BYTES) {
			buf_addf(why, "the statements make a policy of %zu bytes; IAM allows %d", doc.len, POLICY_MAX_BYTES);
			r = -1;
		}
	}
	strlist_clear(&managed);
	buf_release(&doc);
	return r;
}
