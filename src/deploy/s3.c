/*
 * The s3 triggers of function.events: entries in a bucket's notification
 * set that call the function, and the function's permission for that
 * bucket. S3 replaces a bucket's whole set on every write, and others put
 * their entries there too: each write reads the set, takes out the
 * function's entries blambda made (their ids begin blambda-FUNCTION- and
 * they call this function), puts in what blambda.yml says, and sends every
 * other entry back byte for byte. Writes to buckets go one at a time in a
 * run (the functions' lanes run side by side), and the plan only decides
 * whether a bucket needs one. The function's tag blambda:s3 names the
 * buckets that hold its entries, so that a bucket gone from blambda.yml is
 * cleaned too.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/client.h"
#include "aws/s3.h"
#include "aws/xml.h"
#include "core/hash.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "deploy/internal.h"

#define S3_XMLNS "http://s3.amazonaws.com/doc/2006-03-01/"

/* one read-modify-write of a notification set at a time in this run */
static pthread_mutex_t notification_lock = PTHREAD_MUTEX_INITIALIZER;

void deploy_s3_entry_id(const char *function, const struct cfg_event *e, struct buf *out)
{
	struct buf what = BUF_INIT;
	char hex[SHA256_HEX_LEN + 1];

	buf_addf(&what, "%s\n", e->source);
	for (size_t i = 0; i < e->s3_events.nr; i++)
		buf_addf(&what, "%s\n", e->s3_events.items[i]);
	buf_addf(&what, "prefix=%s\nsuffix=%s", e->prefix ? e->prefix : "", e->suffix ? e->suffix : "");
	sha256_hex(what.ptr, what.len, hex);
	buf_addf(out, "blambda-%s-%.12s", function, hex);
	buf_release(&what);
}

static void xml_text_escaped(struct buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			buf_adds(out, "&lt;");
		else if (*s == '>')
			buf_adds(out, "&gt;");
		else if (*s == '&')
			buf_adds(out, "&amp;");
		else if (*s == '"')
			buf_adds(out, "&quot;");
		else if (*s == '\'')
			buf_adds(out, "&apos;");
		else
			buf_addch(out, *s);
	}
}

static void entry_xml(const char *function, const char *function_arn, const struct cfg_event *e, struct buf *out)
{
	struct buf id = BUF_INIT;

	deploy_s3_entry_id(function, e, &id);
	buf_adds(out, "<CloudFunctionConfiguration><Id>");
	xml_text_escaped(out, id.ptr);
	buf_adds(out, "</Id><CloudFunction>");
	xml_text_escaped(out, function_arn);
	buf_adds(out, "</CloudFunction>");
	for (size_t i = 0; i < e->s3_events.nr; i++) {
		buf_adds(out, "<Event>");
		xml_text_escaped(out, e->s3_events.items[i]);
		buf_adds(out, "</Event>");
	}
	if (e->prefix || e->suffix) {
		buf_adds(out, "<Filter><S3Key>");
		for (int k = 0; k < 2; k++) {
			const char *v = k ? e->suffix : e->prefix;

			if (!v)
				continue;
			buf_addf(out, "<FilterRule><Name>%s</Name><Value>", k ? "suffix" : "prefix");
			xml_text_escaped(out, v);
			buf_adds(out, "</Value></FilterRule>");
		}
		buf_adds(out, "</S3Key></Filter>");
	}
	buf_adds(out, "</CloudFunctionConfiguration>");
	buf_release(&id);
}

/* An entry blambda made for this function: its id as blambda names them, calling this function */
static int entry_is_ours(const struct xml_node *n, const char *function, const char *function_arn)
{
	const char *id = xml_find_text(n, "Id"), *target = xml_find_text(n, "CloudFunction");
	struct buf prefix = BUF_INIT;
	int ours;

	buf_addf(&prefix, "blambda-%s-", function);
	ours = !strcmp(n->name, "CloudFunctionConfiguration") && id && !strncmp(id, prefix.ptr, prefix.len) &&
	       strlen(id) == prefix.len + 12 && target && !strcmp(target, function_arn);
	buf_release(&prefix);
	return ours;
}

/*
 * Whether the bytes of the set's entries can be sent back as they are, in a
 * document of blambda's: UTF-8 (as sent, without a declaration saying
 * otherwise), the S3 namespace as the default one, no prefixed names (whose
 * binding would stay behind on the old root). S3 answers so; a document
 * that is not so is refused rather than sent back changed.
 */
static int keepable(const char *have, size_t len, const struct xml_node *doc, struct buf *why)
{
	const char *decl_end, *root_end, *ns;

	if (memchr(have, '\0', len) || !json_utf8_valid(have, len)) {
		buf_adds(why, "the bucket's notification configuration is not UTF-8: blambda does not rewrite it");
		return -1;
	}
	if (!strncmp(have, "<?xml", 5) && (decl_end = strstr(have, "?>")) && decl_end < have + len) {
		const char *enc = strstr(have, "encoding=");

		if (enc && enc < decl_end && strncasecmp(enc + 10, "utf-8", 5) && strncasecmp(enc + 10, "utf8", 4)) {
			buf_adds(why, "the bucket's notification configuration declares an encoding other than UTF-8: "
				      "blambda does not rewrite it");
			return -1;
		}
	}
	root_end = memchr(have + doc->start, '>', len - doc->start);
	ns = root_end ? strstr(have + doc->start, "xmlns=") : NULL;
	if (ns && ns < root_end && strncmp(ns + 7, S3_XMLNS, strlen(S3_XMLNS))) {
		buf_adds(why, "the bucket's notification configuration is in another namespace than S3's: blambda does "
			      "not rewrite it");
		return -1;
	}
	for (size_t i = doc->start; i + 1 < len; i++) {
		size_t k = i + 1;

		if (have[i] != '<' || !(isalpha((unsigned char)have[k]) || have[k] == '_'))
			continue;
		while (k < len && !strchr(" \t\r\n/>:", have[k]))
			k++;
		if (k < len && have[k] == ':') {
			buf_adds(why, "the bucket's notification configuration uses namespace prefixes: blambda does not "
				      "rewrite it");
			return -1;
		}
	}
	return 0;
}

int deploy_s3_rewrite(const char *have, size_t len, const char *function, const char *function_arn,
		      const struct cfg_event *const *want, size_t nwant, struct buf *out, struct strlist *found,
		      struct buf *why)
{
	struct xml_node *doc = NULL;

	if (len && strspn(have, " \t\r\n") < len) {
		if (!(doc = xml_parse(have, len, 0, why)))
			return -1;
		/* an empty set may come as an empty element of another name: there is nothing in it to keep */
		if (strcmp(doc->name, "NotificationConfiguration") && doc->first) {
			buf_addf(why, "the bucket's notification configuration is a <%s>", doc->name);
			xml_free(doc);
			return -1;
		}
		if (keepable(have, len, doc, why)) {
			xml_free(doc);
			return -1;
		}
	}
	buf_adds(out, "<NotificationConfiguration xmlns=\"" S3_XMLNS "\">");
	for (const struct xml_node *n = doc ? doc->first : NULL; n; n = n->next) {
		if (entry_is_ours(n, function, function_arn)) {
			strlist_add(found, xml_find_text(n, "Id"));
			continue;
		}
		buf_add(out, have + n->start, n->end - n->start);
	}
	for (size_t i = 0; i < nwant; i++)
		entry_xml(function, function_arn, want[i], out);
	buf_adds(out, "</NotificationConfiguration>");
	xml_free(doc);
	return 0;
}

/* ---- planning ---- */

/* Function f's s3 triggers of bucket (all buckets: NULL), copies into out (free each) */
static size_t wanted_entries(const struct config *f, const char *bucket, struct cfg_event ***out, struct strlist *buckets)
{
	struct cfg_events events;
	struct buf why = BUF_INIT;
	const struct cfg_node *at;
	size_t n = 0;

	*out = NULL;
	if (cfg_events_read(config_tree(f, CFG_FUNCTION_EVENTS), &events, &why, &at)) { /* checked when read */
		buf_release(&why);
		return 0;
	}
	for (size_t i = 0; i < events.nr; i++) {
		const struct cfg_event *e = &events.items[i];

		if (e->kind != CFG_EVENT_S3)
			continue;
		if (buckets && !strlist_has(buckets, e->source))
			strlist_add(buckets, e->source);
		if (bucket && strcmp(bucket, e->source))
			continue;
		*out = xrealloc(*out, (n + 1) * sizeof(**out));
		(*out)[n++] = cfg_event_copy(&events.items[i]);
	}
	cfg_events_release(&events);
	return n;
}

static void free_entries(struct cfg_event **e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cfg_event_free(e[i]);
	free(e);
}

static void sid_of(const char *bucket, struct buf *out)
{
	buf_adds(out, "blambda-s3-");
	for (; *bucket; bucket++)
		buf_addch(out, *bucket == '.' ? '_' : *bucket); /* a statement id takes no '.' (a bucket takes no '_') */
}

/* One bucket's step: what the function's entries there are to become */
static int plan_bucket(struct aws *a, struct deploy_plan *p, size_t fn, const char *function, const char *function_arn,
		       const char *bucket, struct cfg_event **want, size_t nwant, const struct strlist *sids)
{
	struct buf have = BUF_INIT, out = BUF_INIT, why = BUF_INIT, sid = BUF_INIT, id = BUF_INIT;
	struct strlist found = STRLIST_INIT;
	struct deploy_step *s;
	int r = 0;

	/* read also for a function not made yet: a bucket that is not there stops the plan before any write */
	if (s3_get_notification(a, p->region, bucket, &have, &p->err)) {
		if (error_is(&p->err, "NoSuchBucket"))
			error_hint(&p->err, "function.events names bucket '%s': make it first", bucket);
		r = deploy_failed(p, "read the notifications of bucket '%s'", bucket);
		goto out;
	}
	if (function_arn) {
		if (deploy_s3_rewrite(have.ptr, have.len, function, function_arn, (const struct cfg_event *const *)want,
				      nwant, &out, &found, &why)) {
			aws_error_set(&p->err, "MalformedAnswer", "%s", why.ptr);
			r = deploy_failed(p, "read the notifications of bucket '%s'", bucket);
			goto out;
		}
	}
	if (!nwant && !found.nr)
		goto out;
	s = deploy_add_step(p, DEPLOY_S3, bucket);
	s->fn = fn;
	s->planned = 1;
	deploy_set_str(&s->resource, bucket);
	sid_of(bucket, &sid);
	for (size_t i = 0; i < nwant; i++) {
		buf_reset(&id);
		deploy_s3_entry_id(function, want[i], &id);
		strlist_add(&s->routes, id.ptr);
		if (!strlist_has(&found, id.ptr)) {
			struct buf words = BUF_INIT;

			for (size_t k = 0; k < want[i]->s3_events.nr; k++)
				buf_addf(&words, "%s%s", k ? " " : "", want[i]->s3_events.items[k]);
			if (want[i]->prefix)
				buf_addf(&words, " prefix %s", want[i]->prefix);
			if (want[i]->suffix)
				buf_addf(&words, " suffix %s", want[i]->suffix);
			deploy_reason(s, "%s added", words.ptr);
			buf_release(&words);
		}
	}
	for (size_t i = 0; i < found.nr; i++)
		if (!strlist_has(&s->routes, found.items[i]))
			deploy_reason(s, "entry %s removed", found.items[i]);
	if (nwant && !strlist_has(sids, sid.ptr)) {
		s->trigger_writes |= DEPLOY_TRIGGER_PERMISSION;
		if (function_arn && !s->reasons.nr)
			deploy_reason(s, "permission for the bucket");
	}
	if (!nwant && strlist_has(sids, sid.ptr))
		strlist_add(&s->share_remove, sid.ptr);
	if (s->reasons.nr)
		s->trigger_writes |= DEPLOY_TRIGGER_NOTIFICATION;
	s->action = !nwant ? DEPLOY_DELETE : !found.nr ? DEPLOY_CREATE : s->trigger_writes ? DEPLOY_UPDATE : DEPLOY_UNCHANGED;
	if (!nwant)
		deploy_reason(s, "gone from function.events");
	else if (s->action == DEPLOY_UNCHANGED)
		deploy_reason(s, "%zu entr%s", nwant, nwant == 1 ? "y" : "ies");
out:
	buf_release(&have);
	buf_release(&out);
	buf_release(&why);
	buf_release(&sid);
	buf_release(&id);
	strlist_clear(&found);
	return r;
}

int deploy_plan_s3(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, size_t fn)
{
	const struct config *f = &o->fns[fn];
	const char *function = config_str(f, CFG_FUNCTION_NAME);
	const struct deploy_step *fs = deploy_function_step(p, fn);
	int exists = fs && fs->have;
	char *function_arn = exists ? xstrdup_or_null(fs->have->arn) : NULL;
	struct strlist buckets = STRLIST_INIT, recorded = STRLIST_INIT, sids = STRLIST_INIT;
	struct cfg_event **all;
	size_t nall = wanted_entries(f, NULL, &all, &buckets);
	int r = 0;

	free_entries(all, nall); /* the buckets are what is wanted here */
	if (exists)
		strlist_split(&recorded, kvlist_get(&fs->have->tags, DEPLOY_S3_TAG_KEY) ?
				      kvlist_get(&fs->have->tags, DEPLOY_S3_TAG_KEY) : "", ' ');
	for (size_t i = 0; i < recorded.nr; i++)
		if (*recorded.items[i] && !strlist_has(&buckets, recorded.items[i]))
			strlist_add(&buckets, recorded.items[i]);
	if (!buckets.nr)
		goto out;
	if (function_arn && lambda_policy_sids(a, p->region, function, &sids, &p->err)) {
		r = deploy_failed(p, "read who may call function '%s'", function);
		goto out;
	}
	for (size_t i = 0; !r && i < buckets.nr; i++) {
		struct cfg_event **want;
		size_t n = wanted_entries(f, buckets.items[i], &want, NULL);

		r = plan_bucket(a, p, fn, function, function_arn, buckets.items[i], want, n, &sids);
		free_entries(want, n);
	}
out:
	free(function_arn);
	strlist_clear(&buckets);
	strlist_clear(&recorded);
	strlist_clear(&sids);
	return r;
}

void deploy_s3_records(const struct deploy_opts *o, size_t fn, const struct lambda_function *have, struct kvlist *early,
		       struct kvlist *after)
{
	const char *old = have ? kvlist_get(&have->tags, DEPLOY_S3_TAG_KEY) : NULL;
	struct strlist want = STRLIST_INIT, both = STRLIST_INIT;
	struct buf during = BUF_INIT, final = BUF_INIT;
	struct cfg_event **all;
	size_t nall = wanted_entries(&o->fns[fn], NULL, &all, &want);

	free_entries(all, nall);
	strlist_split(&both, old ? old : "", ' ');
	for (size_t i = 0; i < want.nr; i++)
		if (!strlist_has(&both, want.items[i]))
			strlist_add(&both, want.items[i]);
	strlist_sort(&both);
	strlist_sort(&want);
	for (size_t i = 0; i < both.nr; i++)
		if (*both.items[i])
			buf_addf(&during, "%s%s", during.len ? " " : "", both.items[i]);
	for (size_t i = 0; i < want.nr; i++)
		buf_addf(&final, "%s%s", final.len ? " " : "", want.items[i]);
	/* the buckets that may hold entries stay named until their entries are gone */
	if (during.len)
		kvlist_set(early, DEPLOY_S3_TAG_KEY, during.ptr);
	if (strcmp(during.ptr, final.ptr))
		kvlist_set(after, DEPLOY_S3_TAG_KEY, final.ptr);
	strlist_clear(&want);
	strlist_clear(&both);
	buf_release(&during);
	buf_release(&final);
}

/* ---- execution ---- */

int deploy_s3_set(struct aws *a, const char *region, const char *function, const char *function_arn,
		  const char *bucket, struct cfg_event **want, size_t nwant, int *found, struct error *err)
{
	struct buf have = BUF_INIT, out = BUF_INIT, why = BUF_INIT;
	struct strlist ids = STRLIST_INIT;
	int r;

	pthread_mutex_lock(&notification_lock);
	r = s3_get_notification(a, region, bucket, &have, err);
	if (!r && deploy_s3_rewrite(have.ptr, have.len, function, function_arn, (const struct cfg_event *const *)want,
				    nwant, &out, &ids, &why)) {
		aws_error_set(err, "MalformedAnswer", "%s", why.ptr);
		r = 1;
	}
	if (found && !r)
		*found = ids.nr > 0;
	if (!r && !found)
		r = s3_put_notification(a, region, bucket, out.ptr, err);
	pthread_mutex_unlock(&notification_lock);
	buf_release(&have);
	buf_release(&out);
	buf_release(&why);
	strlist_clear(&ids);
	return r;
}

/* arn:PARTITION:s3:::BUCKET and the account, from the function's ARN */
static int bucket_arn(const char *function_arn, const char *bucket, struct buf *arn, struct buf *account)
{
	struct buf partition = BUF_INIT;
	int r = aws_arn_field(function_arn, 1, &partition) || aws_arn_field(function_arn, 4, account) ? -1 : 0;

	if (!r)
		buf_addf(arn, "arn:%s:s3:::%s", partition.ptr, bucket);
	buf_release(&partition);
	return r;
}

int deploy_exec_s3(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, const struct deploy_step *f,
		   struct deploy_step *s)
{
	struct buf sid = BUF_INIT, arn = BUF_INIT, account = BUF_INIT;
	struct cfg_event **want;
	size_t n = wanted_entries(&o->fns[s->fn], s->resource, &want, NULL);
	int r = -1;

	if (!f->arn || bucket_arn(f->arn, s->resource, &arn, &account)) {
		aws_error_set(&p->err, "Internal", "the ARN of function '%s' is not known", f->name);
		deploy_failed(p, "let bucket '%s' call function '%s'", s->resource, f->name);
		goto out;
	}
	sid_of(s->resource, &sid);
	/* S3 checks that it may call the function when the set is written: the permission first */
	if (n && (s->trigger_writes & DEPLOY_TRIGGER_PERMISSION)) {
		p->writes++;
		if (lambda_add_permission(a, p->region, f->name, sid.ptr, "s3.amazonaws.com", arn.ptr, account.ptr,
					  &p->err)) {
			deploy_failed(p, "let bucket '%s' call function '%s'", s->resource, f->name);
			goto out;
		}
	}
	if (s->trigger_writes & DEPLOY_TRIGGER_NOTIFICATION) {
		p->writes++;
		if (deploy_s3_set(a, p->region, f->name, f->arn, s->resource, want, n, NULL, &p->err)) {
			deploy_failed(p, "write the notifications of bucket '%s'", s->resource);
			goto out;
		}
	}
	for (size_t i = 0; i < s->share_remove.nr; i++) {
		p->writes++;
		if (lambda_remove_permission(a, p->region, f->name, s->share_remove.items[i], &p->err)) {
			deploy_failed(p, "take back bucket '%s''s permission to call function '%s'", s->resource, f->name);
			goto out;
		}
	}
	s->done = 1;
	r = 0;
out:
	free_entries(want, n);
	buf_release(&sid);
	buf_release(&arn);
	buf_release(&account);
	return r;
}
