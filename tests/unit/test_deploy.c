/* Unit tests for what the deploy planner decides without AWS: the difference between a function and its wish. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "deploy/deploy.h"
#include "deploy/release.h"
#include "test.h"

/* A deployed function that matches `want` in every way. */
static void matching(struct lambda_function *f, const struct lambda_settings *want, const char *code)
{
	memset(f, 0, sizeof(*f));
	f->runtime = strdup(want->runtime);
	f->handler = strdup(want->handler);
	f->role = strdup(want->role);
	f->architecture = strdup(want->architecture);
	f->code_sha256 = strdup(code);
	f->memory = want->memory;
	f->timeout = want->timeout;
	for (size_t i = 0; i < want->environment->nr; i++)
		kvlist_add(&f->environment, want->environment->items[i].key, want->environment->items[i].value);
	for (size_t i = 0; i < want->layers->nr; i++)
		strlist_add(&f->layers, want->layers->items[i]);
	for (size_t i = 0; i < want->tags->nr; i++)
		kvlist_add(&f->tags, want->tags->items[i].key, want->tags->items[i].value);
}

struct wish {
	struct lambda_settings s;
	struct kvlist env, tags;
	struct strlist layers;
};

static void wish_init(struct wish *w)
{
	memset(w, 0, sizeof(*w));
	w->s.name = "hello";
	w->s.runtime = "provided.al2023";
	w->s.handler = "hello/handler";
	w->s.role = "arn:aws:iam::123456789012:role/hello-blambda-role";
	w->s.architecture = "x86_64";
	w->s.memory = 512;
	w->s.timeout = 5;
	kvlist_add(&w->env, "A", "1");
	kvlist_add(&w->env, "B", "2");
	strlist_add(&w->layers, "arn:aws:lambda:eu-west-1:123456789012:layer:blambda:3");
	kvlist_add(&w->tags, "blambda:managed-by", "blambda");
	w->s.environment = &w->env;
	w->s.layers = &w->layers;
	w->s.tags = &w->tags;
}

static void wish_release(struct wish *w)
{
	kvlist_clear(&w->env);
	kvlist_clear(&w->tags);
	strlist_clear(&w->layers);
}

/* diff of f against w, with the reasons joined by "; " */
static unsigned diff(const struct lambda_function *f, const struct wish *w, const char *code, struct buf *why)
{
	struct deploy_diff d = DEPLOY_DIFF_INIT;
	unsigned r = deploy_function_diff(f, &w->s, code, &d);
	const struct strlist *parts[] = { &d.code, &d.settings, &d.tags };
	size_t n = 0;

	buf_reset(why);
	if (d.code_changed)
		buf_addf(why, "%s", n++ ? "; " : "code changed");
	for (size_t k = 0; k < 3; k++)
		for (size_t i = 0; i < parts[k]->nr; i++)
			buf_addf(why, "%s%s", n++ ? "; " : "", parts[k]->items[i]);
	deploy_diff_release(&d);
	return r;
}

static void test_nothing_to_do(void)
{
	struct wish w;
	struct lambda_function f;
	struct buf why = BUF_INIT;

	wish_init(&w);
	matching(&f, &w.s, "CODE=");
	CHECK_INT(diff(&f, &w, "CODE=", &why), 0);
	CHECK_STR(why.ptr, "");
	/* the environment in another order is the same environment */
	kvlist_clear(&f.environment);
	kvlist_add(&f.environment, "B", "2");
	kvlist_add(&f.environment, "A", "1");
	CHECK_INT(diff(&f, &w, "CODE=", &why), 0);
	/* tags blambda does not set are not its business */
	kvlist_add(&f.tags, "team", "ops");
	CHECK_INT(diff(&f, &w, "CODE=", &why), 0);
	lambda_function_release(&f);
	wish_release(&w);
	buf_release(&why);
}

static void test_each_difference(void)
{
	struct wish w;
	struct lambda_function f;
	struct buf why = BUF_INIT;

	wish_init(&w);
	matching(&f, &w.s, "CODE=");
	CHECK_INT(diff(&f, &w, "OTHER=", &why), DEPLOY_WRITE_CODE);
	CHECK_STR(why.ptr, "code changed");
	w.s.architecture = "arm64";
	CHECK_INT(diff(&f, &w, "CODE=", &why), DEPLOY_WRITE_CODE);
	CHECK_STR(why.ptr, "architecture x86_64 -> arm64");
	w.s.architecture = "x86_64";
	w.s.memory = 1024;
	w.s.timeout = 30;
	CHECK_INT(diff(&f, &w, "CODE=", &why), DEPLOY_WRITE_CONFIG);
	CHECK_STR(why.ptr, "memory 512 -> 1024; timeout 5 -> 30");
	w.s.memory = 512;
	w.s.timeout = 5;
	kvlist_set(&w.env, "B", "3");
	CHECK_INT(diff(&f, &w, "CODE=", &why), DEPLOY_WRITE_CONFIG);
	CHECK_STR(why.ptr, "environment B changed");
	kvlist_set(&w.env, "B", "2");
	kvlist_add(&f.environment, "C", "extra");
	CHECK_INT(diff(&f, &w, "CODE=", &why), DEPLOY_WRITE_CONFIG); /* a variable set by hand goes */
	lambda_function_release(&f);
	matching(&f, &w.s, "CODE=");
	strlist_add(&w.layers, "arn:aws:lambda:eu-west-1:123456789012:layer:extra:1");
	CHECK_INT(diff(&f, &w, "CODE=", &why), DEPLOY_WRITE_CONFIG);
	CHECK_STR(why.ptr, "layers changed");
	lambda_function_release(&f);
	matching(&f, &w.s, "CODE=");
	/* a layer about to be published ("") is a change until it is */
	free(w.layers.items[0]);
	w.layers.items[0] = strdup("");
	CHECK_INT(diff(&f, &w, "CODE=", &why), DEPLOY_WRITE_CONFIG);
	lambda_function_release(&f);
	wish_release(&w);
	buf_release(&why);
}

static void test_role_and_tags(void)
{
	struct wish w;
	struct lambda_function f;
	struct buf why = BUF_INIT;

	wish_init(&w);
	matching(&f, &w.s, "CODE=");
	/* a role about to be made has no ARN yet: the configuration changes once it has */
	w.s.role = NULL;
	CHECK_INT(diff(&f, &w, "CODE=", &why), DEPLOY_WRITE_CONFIG);
	CHECK_STR(why.ptr, "role arn:aws:iam::123456789012:role/hello-blambda-role -> a new one");
	w.s.role = f.role;
	kvlist_clear(&f.tags);
	CHECK_INT(diff(&f, &w, "CODE=", &why), DEPLOY_WRITE_TAGS);
	CHECK_STR(why.ptr, "tag blambda:managed-by changed");
	kvlist_add(&f.tags, "blambda:managed-by", "someone-else");
	CHECK_INT(diff(&f, &w, "CODE=", &why), DEPLOY_WRITE_TAGS);
	/* all at once: every bit, every reason */
	w.s.handler = "other/handler";
	CHECK_INT(diff(&f, &w, "NEW=", &why), DEPLOY_WRITE_CODE | DEPLOY_WRITE_CONFIG | DEPLOY_WRITE_TAGS);
	CHECK_STR(why.ptr, "code changed; handler hello/handler -> other/handler; tag blambda:managed-by changed");
	lambda_function_release(&f);
	wish_release(&w);
	buf_release(&why);
}

/* Every kind has its words and list, and the write names are what --json documents. */
static void test_kinds(void)
{
	for (int k = 0; k < DEPLOY__KINDS; k++)
		CHECK(deploy_kinds[k].id && deploy_kinds[k].words && deploy_kinds[k].list);
	CHECK_STR(deploy_kinds[DEPLOY_DEPS_LAYER].words, "deps layer");
	CHECK_STR(deploy_kinds[DEPLOY_ALIAS].list, "aliases");
	CHECK_STR(deploy_write_name(DEPLOY_WRITE_CONFIG), "configuration");
	CHECK_STR(deploy_write_name(DEPLOY_WRITE_CREATE), "create");
}

/* blambda:tags records the keys blambda set; only those, once gone from blambda.yml, go */
static void test_tags_record(void)
{
	struct kvlist user = KVLIST_INIT, have = KVLIST_INIT, want = KVLIST_INIT;
	struct strlist gone = STRLIST_INIT;
	struct buf rec = BUF_INIT, long_key = BUF_INIT;

	kvlist_add(&user, "team", "a");
	kvlist_add(&user, "with space", "b");
	kvlist_add(&user, "owner", "c");
	deploy_tags_record(&user, &rec);
	CHECK_STR(rec.ptr, "team owner");
	for (int i = 0; i < 3; i++) {
		buf_reset(&long_key);
		for (int k = 0; k < 100; k++)
			buf_addch(&long_key, (char)('a' + i));
		kvlist_add(&user, long_key.ptr, "x");
	}
	buf_reset(&rec);
	deploy_tags_record(&user, &rec);
	CHECK(rec.len <= 256 && !strncmp(rec.ptr, "team owner aaaa", 15) && !strstr(rec.ptr, "ccc"));

	kvlist_add(&have, "team", "a");
	kvlist_add(&have, "owner", "c");
	kvlist_add(&have, "theirs", "d");
	kvlist_add(&have, DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE);
	kvlist_add(&have, DEPLOY_TAGS_TAG_KEY, "team owner gone-already blambda:managed-by");
	kvlist_add(&want, "team", "a");
	kvlist_add(&want, DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE);
	kvlist_add(&want, DEPLOY_TAGS_TAG_KEY, "team");
	deploy_tags_removed(&have, &want, &gone);
	CHECK_INT(gone.nr, 1);
	CHECK_STR(gone.nr ? gone.items[0] : NULL, "owner");
	strlist_clear(&gone);
	kvlist_clear(&want);
	kvlist_add(&want, DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE); /* no user tags at all: the record goes too */
	deploy_tags_removed(&have, &want, &gone);
	CHECK_INT(gone.nr, 3);
	CHECK(strlist_has(&gone, "team") && strlist_has(&gone, "owner") && strlist_has(&gone, DEPLOY_TAGS_TAG_KEY));
	CHECK(!strlist_has(&gone, "theirs"));
	strlist_clear(&gone);
	kvlist_clear(&user);
	kvlist_clear(&have);
	kvlist_clear(&want);
	buf_release(&rec);
	buf_release(&long_key);
}

static void add_version(struct lambda_versions *v, long n)
{
	XGROW(v->items, v->alloc, v->nr + 1);
	memset(&v->items[v->nr], 0, sizeof(v->items[0]));
	v->items[v->nr++].version = n;
}

static void add_alias(struct lambda_aliases *l, const char *name, long v, long extra)
{
	XGROW(l->items, l->alloc, l->nr + 1);
	l->items[l->nr].name = xstrdup(name);
	l->items[l->nr].version = v;
	l->items[l->nr++].extra_version = extra;
}

/* rollback's target and prune's choices, from what Lambda listed */
static void test_releases(void)
{
	struct lambda_versions v = { 0 };
	struct lambda_aliases al = { 0 };
	struct prune_list pl = { 0 };
	struct error err = ERROR_INIT;
	long from, to;

	add_version(&v, 2);
	add_version(&v, 5);
	add_version(&v, 7);
	add_version(&v, 9);
	CHECK_INT(release_rollback_target(&v, &al, "f", "live", 0, &from, &to, &err), -1);
	CHECK(err.message && strstr(err.message, "has no alias 'live' in Lambda"));
	error_release(&err);
	add_alias(&al, "live", 7, 0);
	add_alias(&al, "canary", 9, 2);
	CHECK_INT(release_rollback_target(&v, &al, "f", "live", 0, &from, &to, &err), 0);
	CHECK(from == 7 && to == 5);
	CHECK_INT(release_rollback_target(&v, &al, "f", "live", 9, &from, &to, &err), 0);
	CHECK(from == 7 && to == 9);
	CHECK_INT(release_rollback_target(&v, &al, "f", "live", 6, &from, &to, &err), -1);
	CHECK(err.message && strstr(err.message, "has no version 6"));
	error_release(&err);
	CHECK_INT(release_rollback_target(&v, &al, "f", "live", 7, &from, &to, &err), -1);
	error_release(&err);
	al.items[0].version = 2;
	CHECK_INT(release_rollback_target(&v, &al, "f", "live", 0, &from, &to, &err), -1);
	CHECK(err.message && strstr(err.message, "no earlier version"));
	error_release(&err);
	al.items[0].version = LAMBDA_VERSION_LATEST;
	CHECK_INT(release_rollback_target(&v, &al, "f", "live", 0, &from, &to, &err), -1);
	CHECK(err.message && strstr(err.message, "$LATEST"));
	error_release(&err);

	/* keep 1: 9 is the newest; 2 is canary's weighted second version; 5 and 7 go */
	release_prune_versions(&v, &al, 1, &pl);
	CHECK_INT(pl.nr, 4);
	CHECK(pl.nr == 4 && pl.items[0].version == 2 && pl.items[0].reason && !pl.items[1].reason &&
	      !pl.items[2].reason && pl.items[3].version == 9 && pl.items[3].reason);
	prune_list_release(&pl);
	release_prune_versions(&v, &al, 0, &pl);
	CHECK(pl.nr == 4 && pl.items[3].reason && strstr(pl.items[3].reason, "alias"));
	prune_list_release(&pl);
	lambda_versions_release(&v);
	lambda_aliases_release(&al);
}

/* --code-only's layer list: the function's own, blambda's layers moved to their new versions */
static void test_code_only_layers(void)
{
	static const char *const rt = "arn:aws:lambda:eu-west-1:1:layer:blambda:", *mine = "arn:aws:lambda:eu-west-1:1:layer:mine:3";
	struct strlist have = STRLIST_INIT, out = STRLIST_INIT;
	char old_rt[80], old_deps[80];

	snprintf(old_rt, sizeof(old_rt), "%s4", rt);
	snprintf(old_deps, sizeof(old_deps), "%s", "arn:aws:lambda:eu-west-1:1:layer:f-deps:2");
	/* the order the function has stays; a layer whose name merely starts like blambda's stays too */
	strlist_add(&have, mine);
	strlist_add(&have, old_rt);
	strlist_add(&have, "arn:aws:lambda:eu-west-1:1:layer:blambda-extra:1");
	deploy_code_only_layers(&have, "blambda", "NEW-RT", "f-deps", "NEW-DEPS", &out);
	CHECK_INT(out.nr, 4);
	CHECK(out.nr == 4 && !strcmp(out.items[0], mine) && !strcmp(out.items[1], "NEW-RT") &&
	      !strcmp(out.items[2], "NEW-DEPS") && strstr(out.items[3], "blambda-extra"));
	strlist_clear(&out);
	/* none of blambda's: the runtime layer (and the deps layer) go first */
	strlist_clear(&have);
	strlist_add(&have, mine);
	deploy_code_only_layers(&have, "blambda", "", NULL, NULL, &out);
	CHECK(out.nr == 2 && !strcmp(out.items[0], "") && !strcmp(out.items[1], mine));
	strlist_clear(&out);
	/* both there: replaced in place */
	strlist_clear(&have);
	strlist_add(&have, old_deps);
	strlist_add(&have, old_rt);
	deploy_code_only_layers(&have, "blambda", "NEW-RT", "f-deps", "NEW-DEPS", &out);
	CHECK(out.nr == 2 && !strcmp(out.items[0], "NEW-DEPS") && !strcmp(out.items[1], "NEW-RT"));
	strlist_clear(&out);
	strlist_clear(&have);
	CHECK(deploy_layer_arn_named(old_rt, "blambda") && !deploy_layer_arn_named(old_rt, "blam") &&
	      !deploy_layer_arn_named("blambda:4", "blambda") && !deploy_layer_arn_named(NULL, "blambda"));
}

/* tracing, /tmp, the VPC (a set: any order) and the reservation (a write of its own) */
static void test_more_settings(void)
{
	struct wish w;
	struct lambda_function f;
	struct buf why = BUF_INIT;
	struct strlist subnets = STRLIST_INIT, groups = STRLIST_INIT;
	char before[DEPLOY_SETTINGS_DIGEST_LEN + 1], after[DEPLOY_SETTINGS_DIGEST_LEN + 1];

	wish_init(&w);
	matching(&f, &w.s, "CODE=");
	/* Lambda's defaults, said or not, are no difference, and leave the digest as it was before they were covered */
	deploy_settings_digest_want(&w.s, before);
	w.s.tracing = "PassThrough";
	w.s.ephemeral_storage = 512;
	f.tracing = strdup("PassThrough");
	f.ephemeral_storage = 512;
	CHECK_INT(diff(&f, &w, "CODE=", &why), 0);
	deploy_settings_digest_have(&f, after);
	CHECK_STR(after, before);
	w.s.tracing = "Active";
	w.s.ephemeral_storage = 2048;
	CHECK_INT(diff(&f, &w, "CODE=", &why), DEPLOY_WRITE_CONFIG);
	CHECK_STR(why.ptr, "tracing PassThrough -> Active; ephemeral storage 512 -> 2048 MB");
	w.s.tracing = "PassThrough";
	w.s.ephemeral_storage = 512;
	strlist_add(&subnets, "subnet-11111111");
	strlist_add(&subnets, "subnet-22222222");
	strlist_add(&groups, "sg-33333333");
	w.s.subnets = &subnets;
	w.s.security_groups = &groups;
	CHECK_INT(diff(&f, &w, "CODE=", &why), DEPLOY_WRITE_CONFIG);
	CHECK_STR(why.ptr, "vpc added (2 subnets, 1 security groups)");
	strlist_add(&f.subnets, "subnet-22222222");
	strlist_add(&f.subnets, "subnet-11111111");
	strlist_add(&f.security_groups, "sg-33333333");
	CHECK_INT(diff(&f, &w, "CODE=", &why), 0); /* in another order */
	deploy_settings_digest_want(&w.s, before);
	deploy_settings_digest_have(&f, after);
	CHECK_STR(after, before);
	strlist_add(&groups, "sg-44444444");
	CHECK_INT(diff(&f, &w, "CODE=", &why), DEPLOY_WRITE_CONFIG);
	CHECK_STR(why.ptr, "vpc security groups changed");
	w.s.subnets = NULL;
	w.s.security_groups = NULL;
	CHECK_INT(diff(&f, &w, "CODE=", &why), DEPLOY_WRITE_CONFIG);
	CHECK_STR(why.ptr, "vpc removed (the function leaves its VPC)");
	strlist_clear(&f.subnets);
	strlist_clear(&f.security_groups);
	/* a reservation of 0 is one (it stops the function); none is none */
	w.s.reserve = 1;
	w.s.reserved_concurrency = 0;
	CHECK_INT(diff(&f, &w, "CODE=", &why), DEPLOY_WRITE_CONCURRENCY);
	CHECK_STR(why.ptr, "reserved concurrency none -> 0");
	f.reserved = 1;
	f.reserved_concurrency = 7;
	CHECK_INT(diff(&f, &w, "CODE=", &why), DEPLOY_WRITE_CONCURRENCY);
	CHECK_STR(why.ptr, "reserved concurrency 7 -> 0");
	w.s.reserve = 0;
	CHECK_INT(diff(&f, &w, "CODE=", &why), DEPLOY_WRITE_CONCURRENCY);
	CHECK_STR(why.ptr, "reserved concurrency 7 -> none");
	lambda_function_release(&f);
	strlist_clear(&subnets);
	strlist_clear(&groups);
	wish_release(&w);
	buf_release(&why);
}

/* role and rule names within AWS's 64 characters, long names that are alike kept apart */
static void test_names(void)
{
	struct buf a = BUF_INIT, b = BUF_INIT;

	deploy_role_name("hello", &a);
	CHECK_STR(a.ptr, "hello-blambda-role");
	buf_reset(&a);
	deploy_role_name("svc-orders-processing-pipeline-production-eu-west-1a", &a);
	deploy_role_name("svc-orders-processing-pipeline-production-eu-west-1b", &b);
	CHECK(strcmp(a.ptr, b.ptr) != 0);
	CHECK(a.len <= 64 && b.len <= 64);
	buf_reset(&a);
	buf_reset(&b);
	deploy_rule_name("fn-0123456789012345678901234567890123456789012345678", "schedule", &a);
	deploy_rule_prefix("fn-0123456789012345678901234567890123456789012345678", &b);
	CHECK(a.len <= 64);
	CHECK(!strncmp(a.ptr, b.ptr, b.len)); /* the listing finds it */
	buf_reset(&a);
	buf_reset(&b);
	deploy_rule_name("a", "nightly", &a);
	deploy_rule_prefix("a", &b);
	CHECK_STR(a.ptr, "blambda-a-nightly");
	CHECK_STR(b.ptr, "blambda-a-");
	buf_release(&a);
	buf_release(&b);
}

/* A bucket's notification set rewritten: blambda's entries for the function replaced, every other byte kept */
static void test_s3_rewrite(void)
{
	const char *arn = "arn:aws:lambda:eu-west-1:123456789012:function:hello";
	const char *theirs = "<QueueConfiguration>\n  <Id>q &amp; &#x41;</Id><Queue>arn:aws:sqs:eu-west-1:1:q</Queue>"
			     "<Event>s3:ObjectRemoved:*</Event></QueueConfiguration>";
	const char *other_fn = "<CloudFunctionConfiguration><Id>blambda-hello-000000000000</Id>"
			       "<CloudFunction>arn:aws:lambda:eu-west-1:123456789012:function:other</CloudFunction>"
			       "<Event>s3:ObjectCreated:*</Event></CloudFunctionConfiguration>";
	struct cfg_event e = { 0 }, *want[1] = { &e };
	struct buf have = BUF_INIT, out = BUF_INIT, why = BUF_INIT, id = BUF_INIT, doc2 = BUF_INIT;
	struct strlist found = STRLIST_INIT;

	e.kind = CFG_EVENT_S3;
	e.source = "uploads";
	strlist_add(&e.s3_events, "s3:ObjectCreated:*");
	e.prefix = "in/<&>";
	deploy_s3_entry_id("hello", &e, &id);
	CHECK(!strncmp(id.ptr, "blambda-hello-", 14) && id.len == 26);
	buf_addf(&have, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<NotificationConfiguration "
			"xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">%s<CloudFunctionConfiguration><Id>"
			"blambda-hello-aaaaaaaaaaaa</Id><CloudFunction>%s</CloudFunction><Event>s3:ObjectRemoved:*</Event>"
			"</CloudFunctionConfiguration>%s<EventBridgeConfiguration/></NotificationConfiguration>",
		 theirs, arn, other_fn);
	CHECK_INT(deploy_s3_rewrite(have.ptr, have.len, "hello", arn, (const struct cfg_event *const *)want, 1, &out,
				    &found, &why), 0);
	/* others' entries as they were, byte for byte (an empty element too); blambda's old one gone, the new one in */
	CHECK(strstr(out.ptr, theirs) != NULL);
	CHECK(strstr(out.ptr, other_fn) != NULL);
	CHECK(strstr(out.ptr, "<EventBridgeConfiguration/>") != NULL);
	CHECK(strstr(out.ptr, "aaaaaaaaaaaa") == NULL);
	CHECK(strstr(out.ptr, id.ptr) != NULL);
	CHECK(strstr(out.ptr, "<Value>in/&lt;&amp;&gt;</Value>") != NULL);
	CHECK_INT(found.nr, 1);
	CHECK_STR(found.items[0], "blambda-hello-aaaaaaaaaaaa");
	/* written again: the same document (its own entry found, nothing else moved) */
	strlist_clear(&found);
	CHECK_INT(deploy_s3_rewrite(out.ptr, out.len, "hello", arn, (const struct cfg_event *const *)want, 1, &doc2,
				    &found, &why), 0);
	CHECK_STR(doc2.ptr, out.ptr);
	CHECK_INT(found.nr, 1);
	/* nothing wanted: blambda's entries out, the rest kept */
	buf_reset(&doc2);
	strlist_clear(&found);
	CHECK_INT(deploy_s3_rewrite(out.ptr, out.len, "hello", arn, NULL, 0, &doc2, &found, &why), 0);
	CHECK(strstr(doc2.ptr, "blambda-hello-") == strstr(doc2.ptr, "blambda-hello-000000000000"));
	CHECK(strstr(doc2.ptr, theirs) != NULL);
	/* none at all, and what is not S3's document */
	buf_reset(&doc2);
	CHECK_INT(deploy_s3_rewrite("", 0, "hello", arn, NULL, 0, &doc2, &found, &why), 0);
	CHECK_STR(doc2.ptr, "<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
			    "</NotificationConfiguration>");
	buf_reset(&doc2);
	CHECK_INT(deploy_s3_rewrite("<Error><Code>x</Code></Error>", 29, "hello", arn, NULL, 0, &doc2, &found, &why), -1);
	CHECK(strstr(why.ptr, "<Error>") != NULL);
	/* what cannot be sent back as it came is refused, never sent changed */
	{
		static const char *const refused[][2] = {
			{ "<s3:NotificationConfiguration xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\"><s3:QueueConfiguration>"
			  "<s3:Id>theirs</s3:Id></s3:QueueConfiguration></s3:NotificationConfiguration>", "namespace prefixes" },
			{ "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><NotificationConfiguration><QueueConfiguration>"
			  "<Id>caf\xe9</Id></QueueConfiguration></NotificationConfiguration>", "not UTF-8" },
			{ "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><NotificationConfiguration><QueueConfiguration>"
			  "<Id>cafe</Id></QueueConfiguration></NotificationConfiguration>", "an encoding other than UTF-8" },
			{ "<NotificationConfiguration xmlns=\"urn:other\"><QueueConfiguration><Id>x</Id></QueueConfiguration>"
			  "</NotificationConfiguration>", "another namespace" },
		};

		for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
			buf_reset(&why);
			buf_reset(&doc2);
			CHECK_INT(deploy_s3_rewrite(refused[i][0], strlen(refused[i][0]), "hello", arn, NULL, 0, &doc2, &found,
						    &why), -1);
			CHECK(strstr(why.ptr, refused[i][1]) != NULL);
		}
		buf_reset(&doc2);
		CHECK_INT(deploy_s3_rewrite("<?xml version=\"1.0\" encoding=\"UTF-8\"?><NotificationConfiguration xmlns=\"http://s3."
					    "amazonaws.com/doc/2006-03-01/\"><QueueConfiguration><Id>caf\xc3\xa9</Id>"
					    "</QueueConfiguration></NotificationConfiguration>", 196, "hello", arn, NULL, 0, &doc2,
					    &found, &why), 0);
		CHECK(strstr(doc2.ptr, "<Id>caf\xc3\xa9</Id>") != NULL);
	}
	strlist_clear(&e.s3_events);
	strlist_clear(&found);
	buf_release(&have);
	buf_release(&out);
	buf_release(&why);
	buf_release(&id);
	buf_release(&doc2);
}

TEST_MAIN(test_s3_rewrite, test_names, test_code_only_layers, test_releases, test_tags_record, test_nothing_to_do, test_each_difference,
	  test_more_settings, test_role_and_tags, test_kinds)
