/*
 * The plan of a deploy to one region, made from reads alone: for each
 * layer, role, function, version, alias and URL what to create, update,
 * publish, delete or leave alone, and why.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "aws/iam.h"
#include "core/hash.h"
#include "core/xalloc.h"
#include "deploy/internal.h"
#include "package/limits.h"

/*
 * Who may use layer version s->version, brought in line with layers.share:
 * the entries to grant, and blambda's statements (blambda-share-*) to take
 * back; statements of others are left alone. A version about to be
 * published gets every entry.
 */
static int plan_share(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, struct deploy_step *s)
{
	const struct strlist *share = config_list(o->cfg, CFG_LAYERS_SHARE);
	struct strlist sids = STRLIST_INIT, wanted = STRLIST_INIT;
	struct buf sid = BUF_INIT;

	if (s->action == DEPLOY_UNCHANGED && lambda_layer_policy_sids(a, p->region, s->name, s->version, &sids, &p->err))
		return deploy_failed(p, "read who may use %s '%s' version %ld", deploy_kinds[s->kind].words, s->name,
				     s->version);
	for (size_t i = 0; i < share->nr; i++) {
		buf_reset(&sid);
		deploy_share_sid(share->items[i], &sid);
		strlist_add(&wanted, sid.ptr);
		if (!strlist_has(&sids, sid.ptr)) {
			strlist_add(&s->share_add, share->items[i]);
			deploy_reason(s, "share with %s", share->items[i]);
		}
	}
	for (size_t i = 0; i < sids.nr; i++)
		if (!strncmp(sids.items[i], DEPLOY_SHARE_SID_PREFIX, strlen(DEPLOY_SHARE_SID_PREFIX)) &&
		    !strlist_has(&wanted, sids.items[i])) {
			strlist_add(&s->share_remove, sids.items[i]);
			deploy_reason(s, "stop sharing with %s", sids.items[i] + strlen(DEPLOY_SHARE_SID_PREFIX));
		}
	if (s->action == DEPLOY_UNCHANGED && (s->share_add.nr || s->share_remove.nr))
		s->action = DEPLOY_UPDATE;
	strlist_clear(&sids);
	strlist_clear(&wanted);
	buf_release(&sid);
	return 0;
}

static int plan_layer(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, enum deploy_kind kind,
		      const char *name, const struct artifact *art)
{
	struct deploy_step *s = deploy_add_step(p, kind, name);
	struct lambda_layer_version v;
	char want[45];

	s->art = art;
	s->via_s3 = o->use_s3 || art->size > LAMBDA_DIRECT_UPLOAD_MAX;
	if (lambda_latest_layer_version(a, p->region, name, &v, &p->err))
		return deploy_failed(p, "read the versions of %s '%s'", deploy_kinds[kind].words, name);
	if (v.version && v.code_sha256 && !sha256_hex_to_base64(art->sha256, want) && !strcmp(v.code_sha256, want)) {
		s->action = DEPLOY_UNCHANGED;
		deploy_reason(s, "version %ld holds the same bytes", v.version);
		deploy_set_str(&s->arn, v.version_arn);
		s->version = v.version;
	} else {
		s->action = DEPLOY_PUBLISH;
		if (v.version)
			deploy_reason(s, "version %ld holds other bytes", v.version);
		else
			deploy_reason(s, "no version published yet");
	}
	lambda_layer_version_release(&v);
	if (plan_share(a, o, p, s))
		return -1;
	s->planned = 1;
	return 0;
}

/* A policy ARN's last part, for people: AWSLambdaBasicExecutionRole */
static const char *policy_name(const char *arn)
{
	const char *slash = strrchr(arn, '/');

	return slash ? slash + 1 : arn;
}

/*
 * The managed policies role s should gain and lose for function f's settings
 * and function.policies, as reasons: `attached` is what it holds, `record`
 * its tag blambda:policies (what blambda attached before). Only a policy
 * blambda attached is ever detached; one someone else attached stays, also
 * when a setting or function.policies wants it for a while. `ours` gets what
 * blambda has attached once this is done: the record to write.
 */
static void plan_role_managed(const struct config *f, struct deploy_plan *p, struct deploy_step *s,
			      const struct strlist *attached, const char *record, const struct strlist *listed,
			      struct strlist *ours)
{
	struct strlist wanted = STRLIST_INIT, why = STRLIST_INIT;
	struct buf arn = BUF_INIT;

	for (size_t i = 0; i < deploy_managed_policies_nr; i++) {
		buf_reset(&arn);
		deploy_managed_policy_arn(i, p->region, &arn);
		if (deploy_wants_policy(f, i) && !strlist_has(&wanted, arn.ptr)) {
			strlist_add(&wanted, arn.ptr);
			strlist_add_owned(&why, deploy_managed_policies[i].setting ?
							buf_fmt("for %s", deploy_managed_policies[i].setting) :
							xstrdup(s->action == DEPLOY_CREATE ? "" : "it is not attached"));
		}
	}
	for (size_t i = 0; i < listed->nr; i++)
		if (!strlist_has(&wanted, listed->items[i])) {
			strlist_add(&wanted, listed->items[i]);
			strlist_add(&why, "function.policies");
		}
	for (size_t i = 0; i < wanted.nr; i++) {
		const char *a = wanted.items[i];

		if (!strlist_has(attached, a)) {
			strlist_add(&s->attach, a);
			strlist_add(ours, a);
			if (*why.items[i])
				deploy_reason(s, "attach %s (%s)", policy_name(a), why.items[i]);
		} else if (deploy_policies_recorded(record, a)) {
			strlist_add(ours, a);
		} else if (s->action != DEPLOY_CREATE && strcmp(why.items[i], "it is not attached")) {
			deploy_reason(s, "%s is attached already, not by blambda: it stays when no longer wanted",
				      policy_name(a));
		}
	}
	/* what blambda attached and nothing wants any more; others' policies stay */
	for (size_t i = 0; i < attached->nr; i++)
		if (!strlist_has(&wanted, attached->items[i]) && deploy_policies_recorded(record, attached->items[i])) {
			strlist_add(&s->detach, attached->items[i]);
			deploy_reason(s, "detach %s (no longer wanted)", policy_name(attached->items[i]));
		}
	if (s->attach.nr || s->detach.nr)
		s->writes |= DEPLOY_WRITE_POLICY;
	strlist_clear(&wanted);
	strlist_clear(&why);
	buf_release(&arn);
}

/* The same JSON, whitespace and escapes aside */
static int same_json(const char *a, const char *b)
{
	cJSON *x = cJSON_Parse(a), *y = cJSON_Parse(b);
	int same = x && y && cJSON_Compare(x, y, 1);

	cJSON_Delete(x);
	cJSON_Delete(y);
	return same;
}

/*
 * The inline policy blambda of role s: put when function.policies' statements
 * differ from it, deleted when there are none and blambda put it (record).
 */
static int plan_role_inline(struct aws *a, struct deploy_plan *p, struct deploy_step *s, const char *record,
			    const char *want)
{
	struct buf have = BUF_INIT;
	int r = 0, had = 0;

	if (s->action != DEPLOY_CREATE && (*want || (record && strstr(record, "inline")))) {
		r = iam_get_role_policy(a, s->name, DEPLOY_INLINE_POLICY, &have, &p->err);
		if (r == 1 && error_is(&p->err, "NoSuchEntity")) {
			error_release(&p->err);
			r = 0;
		} else if (!r) {
			had = 1;
		} else {
			r = deploy_failed(p, "read the inline policy of role '%s'", s->name);
		}
	}
	if (!r && *want && !(had && same_json(have.ptr, want))) {
		s->inline_policy = xstrdup(want);
		s->writes |= DEPLOY_WRITE_POLICY;
		deploy_reason(s, "%s its inline policy %s (function.policies' statements, function.async's destinations)",
			      had ? "change" : "put", DEPLOY_INLINE_POLICY);
	} else if (!r && !*want && had) {
		s->inline_delete = 1;
		s->writes |= DEPLOY_WRITE_POLICY;
		deploy_reason(s, "delete its inline policy %s (no statement nor destination any more)", DEPLOY_INLINE_POLICY);
	}
	buf_release(&have);
	return r;
}

/*
 * A role is global, a function regional: the role blambda made for a
 * function of this name may be the role of the function of this name in
 * another region, deployed from another blambda.yml (or from this one
 * with other settings). Its policies are changed only when no function but
 * those of this run uses it; -1 (code "SharedRole") otherwise.
 */
static int role_shared(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, const char *function,
		       const char *role, const char *arn)
{
	struct role_users ru = ROLE_USERS_INIT;
	struct strlist run = STRLIST_INIT, going = STRLIST_INIT;
	char *user;
	int unsure, r = 0;

	for (size_t i = 0; i < o->nregions; i++) {
		strlist_add(&run, o->regions[i]);
		strlist_add_owned(&going, buf_fmt("%s %s", o->regions[i], function));
	}
	if (!run.nr)
		strlist_add(&run, p->region);
	if (!going.nr)
		strlist_add_owned(&going, buf_fmt("%s %s", p->region, function));
	deploy_scan_role_users(a, &run, &ru);
	user = deploy_role_user(&ru, arn, &going, &unsure);
	if (user && !unsure) { /* a region that could not be asked does not stop a deploy: destroy is the careful one */
		aws_error_set(&p->err, "SharedRole", "role '%s' is global, and %s: changing its policies here would "
			      "change them there", role, user);
		error_hint(&p->err, "deploy every region that uses it at once (aws.regions, or --region for each), "
			   "or give the functions roles of their own (function.role)");
		r = deploy_failed(p, "change the policies of role '%s'", role);
	}
	free(user);
	deploy_role_users_release(&ru);
	strlist_clear(&run);
	strlist_clear(&going);
	return r;
}

static int plan_role(struct aws *a, const struct deploy_opts *o, const struct config *f, struct deploy_plan *p,
		     const char *function, size_t fn)
{
	struct buf name = BUF_INIT, document = BUF_INIT, record = BUF_INIT;
	struct strlist attached = STRLIST_INIT, listed = STRLIST_INIT, ours = STRLIST_INIT;
	const char *had_record = NULL;
	struct deploy_step *s;
	struct iam_role role;
	int r = 0;

	deploy_role_document(f, &listed, &document);
	deploy_role_name(function, &name);
	s = deploy_add_step(p, DEPLOY_ROLE, name.ptr);
	s->fn = fn;
	r = iam_get_role(a, name.ptr, &role, &p->err);
	if (r == 1 && error_is(&p->err, "NoSuchEntity")) {
		error_release(&p->err);
		s->action = DEPLOY_CREATE;
		s->writes = DEPLOY_WRITE_CREATE;
		deploy_reason(s, "function.role is not set and blambda has not made one yet");
		plan_role_managed(f, p, s, &attached, NULL, &listed, &ours);
		r = plan_role_inline(a, p, s, NULL, document.ptr);
		deploy_policies_record(&ours, document.len > 0, &record);
		if (record.len)
			s->record = buf_detach(&record); /* a tag it is made with */
		goto out;
	}
	if (r) {
		r = deploy_failed(p, "read role '%s'", name.ptr);
		goto out;
	}
	deploy_set_str(&s->arn, role.arn);
	if (!deploy_is_ours(&role.tags)) {
		r = deploy_not_ours(p, 1, name.ptr, role.arn, &role.tags);
		goto out;
	}
	if (iam_attached_policies(a, name.ptr, &attached, &p->err)) {
		r = deploy_failed(p, "list the policies of role '%s'", name.ptr);
		goto out;
	}
	had_record = kvlist_get(&role.tags, DEPLOY_POLICIES_TAG_KEY);
	plan_role_managed(f, p, s, &attached, had_record, &listed, &ours);
	if ((r = plan_role_inline(a, p, s, had_record, document.ptr)))
		goto out;
	deploy_policies_record(&ours, document.len > 0, &record);
	if (strcmp(had_record ? had_record : "", record.ptr)) {
		s->record = buf_detach(&record);
		s->writes |= DEPLOY_WRITE_TAGS;
	}
	if ((s->attach.nr || s->detach.nr || s->inline_policy || s->inline_delete) &&
	    (r = role_shared(a, o, p, function, name.ptr, role.arn)))
		goto out;
	s->action = s->writes ? DEPLOY_UPDATE : DEPLOY_UNCHANGED;
	if (!s->writes)
		deploy_reason(s, "made by blambda");
out:
	if (!r)
		s->planned = 1;
	iam_role_release(&role);
	strlist_clear(&attached);
	strlist_clear(&listed);
	strlist_clear(&ours);
	buf_release(&name);
	buf_release(&document);
	buf_release(&record);
	return r;
}

/* The settings the function has: what a deploy --code-only leaves as they are */
static void kept_settings(const struct lambda_function *f, struct lambda_settings *s, struct kvlist *tags)
{
	s->runtime = f->runtime;
	s->handler = f->handler;
	s->architecture = f->architecture;
	s->description = f->description;
	s->memory = f->memory;
	s->timeout = f->timeout;
	s->environment = &f->environment;
	s->role = f->role;
	s->tracing = f->tracing;
	s->ephemeral_storage = f->ephemeral_storage;
	s->subnets = &f->subnets;
	s->security_groups = &f->security_groups;
	s->reserve = f->reserved != 0;
	s->reserved_concurrency = f->reserved_concurrency;
	for (size_t i = 0; i < f->tags.nr; i++)
		kvlist_add(tags, f->tags.items[i].key, f->tags.items[i].value);
}

/* blambda's records among the tags: its mark, a digest of the settings it wrote, the keys it set */
static void record_tags(const struct lambda_settings *s, const struct kvlist *user_tags, int digest,
			struct kvlist *tags)
{
	kvlist_set(tags, DEPLOY_TAG_KEY, DEPLOY_TAG_VALUE);
	if (digest) {
		char d[DEPLOY_SETTINGS_DIGEST_LEN + 1];

		deploy_settings_digest_want(s, d);
		kvlist_set(tags, DEPLOY_SETTINGS_TAG_KEY, d);
	}
	if (user_tags && user_tags->nr) {
		struct buf record = BUF_INIT;

		deploy_tags_record(user_tags, &record);
		kvlist_set(tags, DEPLOY_TAGS_TAG_KEY, record.ptr ? record.ptr : "");
		buf_release(&record);
	}
}

void deploy_desired_settings(const struct deploy_opts *o, struct deploy_plan *p, size_t fs,
			     struct lambda_settings *s, struct strlist *layers, struct kvlist *tags)
{
	const struct deploy_step *step = &p->steps[fs];
	const struct config *cfg = &o->fns[step->fn];
	struct deploy_step *rt = deploy_find_step(p, DEPLOY_RUNTIME_LAYER), *deps = deploy_find_step(p, DEPLOY_DEPS_LAYER);
	struct deploy_step *role = step->role >= 0 ? &p->steps[step->role] : NULL;
	const struct strlist *extra = config_list(cfg, CFG_FUNCTION_LAYERS);
	const struct kvlist *user_tags = config_map(cfg, CFG_FUNCTION_TAGS);
	/* a layer about to be published has no ARN yet: "" stands for its new version */
	const char *rt_arn = rt && rt->arn ? rt->arn : "", *deps_arn = deps && deps->arn ? deps->arn : "";

	memset(s, 0, sizeof(*s));
	s->name = config_str(cfg, CFG_FUNCTION_NAME);
	s->layers = layers;
	s->tags = tags;
	if (o->code_only && step->have) {
		/* its own settings and tags; blambda's layers at their new versions */
		kept_settings(step->have, s, tags);
		s->layers_only = 1; /* a configuration update sends the layers alone */
		/* the layers are built for blambda.yml's architecture: it goes with them */
		s->architecture = config_str(cfg, CFG_FUNCTION_ARCHITECTURE);
		deploy_code_only_layers(&step->have->layers, config_str(o->cfg, CFG_LAYERS_RUNTIME), rt_arn,
					deps ? config_str(o->cfg, CFG_LAYERS_DEPS) : NULL, deps_arn, layers);
		/* the digest follows blambda's own write, unless it already tells of a change made elsewhere */
		record_tags(s, NULL, !step->outside, tags);
		return;
	}
	s->runtime = config_str(cfg, CFG_FUNCTION_RUNTIME);
	s->handler = config_str(cfg, CFG_FUNCTION_HANDLER);
	s->architecture = config_str(cfg, CFG_FUNCTION_ARCHITECTURE);
	s->description = config_str(cfg, CFG_FUNCTION_DESCRIPTION);
	s->memory = config_int(cfg, CFG_FUNCTION_MEMORY);
	s->timeout = config_int(cfg, CFG_FUNCTION_TIMEOUT);
	s->environment = config_map(cfg, CFG_FUNCTION_ENVIRONMENT);
	s->role = role ? role->arn : config_str(cfg, CFG_FUNCTION_ROLE);
	s->tracing = deploy_tracing_mode(config_str(cfg, CFG_FUNCTION_TRACING));
	s->ephemeral_storage = config_int(cfg, CFG_FUNCTION_EPHEMERAL_STORAGE);
	s->subnets = config_list(cfg, CFG_FUNCTION_VPC_SUBNETS);
	s->security_groups = config_list(cfg, CFG_FUNCTION_VPC_SECURITY_GROUPS);
	s->reserve = cfg->v[CFG_FUNCTION_RESERVED_CONCURRENCY].present;
	s->reserved_concurrency = config_int(cfg, CFG_FUNCTION_RESERVED_CONCURRENCY);
	strlist_add(layers, rt_arn);
	if (deps)
		strlist_add(layers, deps_arn);
	for (size_t i = 0; i < extra->nr; i++)
		strlist_add(layers, extra->items[i]);
	for (size_t i = 0; i < user_tags->nr; i++)
		kvlist_add(tags, user_tags->items[i].key, user_tags->items[i].value);
	record_tags(s, user_tags, 1, tags);
	/* blambda's records of what it made beside the function, as they are while its lane goes */
	for (size_t i = 0; i < step->records.nr; i++)
		kvlist_set(tags, step->records.items[i].key, step->records.items[i].value);
}

/* GetFunction: 0 with *f filled (or *exists 0), or -1 with the plan's failure */
static int read_function(struct aws *a, struct deploy_plan *p, const char *name, struct lambda_function *f,
			 int *exists)
{
	int r = lambda_get_function(a, p->region, name, f, &p->err);

	*exists = r == 0;
	if (r == 1 && error_is(&p->err, "ResourceNotFoundException")) {
		error_release(&p->err);
		return 0;
	}
	return r ? deploy_failed(p, "read function '%s'", name) : 0;
}

/* With --code-only: what blambda.yml asks for and this deploy leaves as it is */
static void note_kept(const struct deploy_opts *o, struct deploy_plan *p, size_t fs, const char *code)
{
	struct deploy_step *s = &p->steps[fs];
	struct deploy_diff all = DEPLOY_DIFF_INIT;
	struct strlist layers = STRLIST_INIT;
	struct kvlist tags = KVLIST_INIT;
	struct lambda_settings full;
	struct deploy_opts whole = *o;
	struct buf made = BUF_INIT, role = BUF_INIT;

	whole.code_only = 0;
	deploy_desired_settings(&whole, p, fs, &full, &layers, &tags);
	if (!full.role && s->have->role) {
		/* no role step was planned: the one blambda makes for it, in the account of the one it has */
		const char *at = strstr(s->have->role, ":role/");

		deploy_role_name(s->name, &made);
		if (at)
			buf_addf(&role, "%.*s:role/%s", (int)(at - s->have->role), s->have->role, made.ptr);
		full.role = at ? role.ptr : made.ptr;
	}
	deploy_function_diff(s->have, &full, code, &all);
	for (size_t i = 0; i < all.settings.nr; i++)
		if (!strlist_has(&s->diff.settings, all.settings.items[i]))
			strlist_add(&s->kept, all.settings.items[i]);
	for (size_t i = 0; i < all.tags.nr; i++)
		strlist_add(&s->kept, all.tags.items[i]);
	if (s->kept.nr) {
		struct buf r = BUF_INIT;

		buf_addf(&r, "left as %s by --code-only, 'blambda deploy' applies %s:", s->kept.nr == 1 ? "it is" : "they are",
			 s->kept.nr == 1 ? "it" : "them");
		for (size_t i = 0; i < s->kept.nr; i++)
			buf_addf(&r, "%s %s", i ? ";" : "", s->kept.items[i]);
		deploy_reason(s, "%s", r.ptr);
		buf_release(&r);
	}
	deploy_diff_release(&all);
	strlist_clear(&layers);
	kvlist_clear(&tags);
	buf_release(&made);
	buf_release(&role);
}

/*
 * With function.role, the user's own role: blambda touches no role, and says
 * which of the policies it would attach the settings need.
 */
static void note_own_role(const struct config *f, struct deploy_plan *p, size_t fs)
{
	if (!config_str(f, CFG_FUNCTION_ROLE))
		return;
	for (size_t i = 0; i < deploy_managed_policies_nr; i++)
		if (deploy_managed_policies[i].setting && deploy_wants_policy(f, i))
			deploy_reason(&p->steps[fs], "function.role is yours and left as it is: %s needs the permissions of %s",
				      deploy_managed_policies[i].setting, deploy_managed_policies[i].name);
}

/* Each difference as a reason of the step, in the order the writes go: code, settings, tags */
static void add_diff_reasons(struct deploy_step *s)
{
	const struct strlist *parts[] = { &s->diff.code, &s->diff.settings, &s->diff.tags };

	if (s->diff.code_changed)
		deploy_reason(s, "code changed");
	for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++)
		for (size_t i = 0; i < parts[k]->nr; i++)
			deploy_reason(s, "%s", parts[k]->items[i]);
}

/*
 * The function's step from what read_function found: f (moved into the
 * step, then cleared) when it exists.
 */
static int plan_function(const struct deploy_opts *o, struct deploy_plan *p, size_t fn, int role,
			 struct lambda_function *f, int exists, struct kvlist *records)
{
	const char *name = config_str(&o->fns[fn], CFG_FUNCTION_NAME);
	size_t fs = p->nr;
	struct deploy_step *s = deploy_add_step(p, DEPLOY_FUNCTION, name);
	struct strlist layers = STRLIST_INIT;
	struct kvlist tags = KVLIST_INIT;
	struct lambda_settings want;
	char code[45] = "";

	s->fn = fn;
	s->role = role;
	s->art = o->function;
	s->via_s3 = o->use_s3 || o->function->size > LAMBDA_DIRECT_UPLOAD_MAX;
	sha256_hex_to_base64(o->function->sha256, code);
	if (records) { /* moved into the step */
		s->records = records[0];
		s->records_after = records[1];
		memset(records, 0, 2 * sizeof(*records));
	}
	if (!exists) {
		s->action = DEPLOY_CREATE;
		s->writes = DEPLOY_WRITE_CREATE;
		deploy_reason(s, "it does not exist yet");
		note_own_role(&o->fns[fn], p, fs);
		s->planned = 1;
		return 0;
	}
	if (!deploy_is_ours(&f->tags))
		return deploy_not_ours(p, 0, name, f->arn, &f->tags);
	s->have = xmalloc(sizeof(*s->have));
	*s->have = *f;
	memset(f, 0, sizeof(*f));
	deploy_set_str(&s->arn, s->have->arn);
	deploy_set_str(&s->state, s->have->state);
	deploy_set_str(&s->code_sha256, s->have->code_sha256);
	deploy_set_str(&s->revision_id, s->have->revision_id);
	deploy_set_str(&s->last_modified, s->have->last_modified);
	s->outside = deploy_changed_outside(s->have);
	deploy_desired_settings(o, p, fs, &want, &layers, &tags);
	s->writes = deploy_function_diff(s->have, &want, code, &s->diff);
	add_diff_reasons(s);
	if (o->code_only)
		note_kept(o, p, fs, code);
	else if (s->outside && s->writes & DEPLOY_WRITE_CONFIG)
		deploy_reason(s, "the settings were changed outside blambda since its last deploy: they go back to "
			      "blambda.yml's");
	s->action = s->writes ? DEPLOY_UPDATE : DEPLOY_UNCHANGED;
	if (!s->writes)
		deploy_reason(s, "up to date");
	if (s->writes & DEPLOY_WRITE_CONFIG)
		note_own_role(&o->fns[fn], p, fs);
	s->planned = 1;
	strlist_clear(&layers);
	kvlist_clear(&tags);
	return 0;
}

/* diff --files: a function whose code differs, compared file by file with the build */
static int plan_files(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, size_t fn)
{
	struct deploy_step *s = (struct deploy_step *)deploy_function_step(p, fn);

	if (!o->code_files || !s || !s->have || !s->diff.code_changed)
		return 0;
	if (deploy_code_files(a, p->region, s->have, o->function->path, &s->files, &p->err))
		return deploy_failed(p, "compare the files of function '%s'", s->name);
	s->files_known = 1;
	return 0;
}

/*
 * With --publish or function.alias: a version published after the update,
 * and the alias pointed at it (made when it is not there).
 */
/*
 * When the function is left as it is and its newest published version
 * holds the same code and layers, PublishVersion would make none: *newest
 * is that version (else 0). -1 when the versions cannot be read.
 */
static int newest_version_current(struct aws *a, struct deploy_plan *p, size_t fn, const char *name, long *newest)
{
	const struct deploy_step *fs = deploy_function_step(p, fn);
	struct lambda_versions v = { 0 };
	const struct lambda_version *last;

	*newest = 0;
	if (!fs || fs->action != DEPLOY_UNCHANGED || !fs->have)
		return 0;
	if (lambda_list_versions(a, p->region, name, &v, &p->err))
		return deploy_failed(p, "read the versions of function '%s'", name);
	last = v.nr ? &v.items[v.nr - 1] : NULL;
	if (last && last->code_sha256 && fs->have->code_sha256 && !strcmp(last->code_sha256, fs->have->code_sha256) &&
	    strlist_equal(&last->layers, &fs->have->layers))
		*newest = last->version;
	lambda_versions_release(&v);
	return 0;
}

static int plan_version(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, size_t fn)
{
	const char *name = config_str(&o->fns[fn], CFG_FUNCTION_NAME);
	const char *alias = config_str(&o->fns[fn], CFG_FUNCTION_ALIAS);
	struct deploy_step *s;

	long newest = 0;

	if (!o->publish && !alias)
		return 0;
	if (newest_version_current(a, p, fn, name, &newest))
		return -1;
	s = deploy_add_step(p, DEPLOY_VERSION, name);
	s->fn = fn;
	s->planned = 1;
	if (newest) { /* Lambda would publish none: it answers with the newest */
		s->action = DEPLOY_UNCHANGED;
		s->version = newest;
		deploy_reason(s, "version %ld holds this code and these layers", newest);
	} else {
		s->action = DEPLOY_PUBLISH;
		deploy_reason(s, alias ? "alias '%s' follows it" : "--publish", alias);
	}
	if (!alias)
		return 0;
	{
		/* named FUNCTION:ALIAS, as Lambda's qualified names are */
		char *qualified = buf_fmt("%s:%s", name, alias);

		s = deploy_add_step(p, DEPLOY_ALIAS, qualified);
		free(qualified);
	}
	s->fn = fn;
	if (lambda_get_alias(a, p->region, name, alias, &s->old_version, &p->err))
		return deploy_failed(p, "read alias '%s' of function '%s'", alias, name);
	s->action = s->old_version ? DEPLOY_UPDATE : DEPLOY_CREATE;
	s->version = newest; /* 0: the version about to be published */
	if (newest && s->old_version == newest)
		s->action = DEPLOY_UNCHANGED;
	if (s->old_version == LAMBDA_VERSION_LATEST)
		deploy_reason(s, "was at $LATEST");
	else if (s->old_version && newest && s->old_version != newest)
		deploy_reason(s, "was at version %ld, not the newest (rolled back?)", s->old_version);
	else if (s->old_version && s->action != DEPLOY_UNCHANGED)
		deploy_reason(s, "was at version %ld", s->old_version);
	else if (!s->old_version)
		deploy_reason(s, "it does not exist yet");
	s->planned = 1;
	return 0;
}

void deploy_wanted_url(const struct config *f, struct lambda_url *u)
{
	const struct strlist *l;

	memset(u, 0, sizeof(*u));
	u->auth = (char *)config_str(f, CFG_FUNCTION_URL_AUTH);
	if ((l = config_list(f, CFG_FUNCTION_URL_CORS_ORIGINS)))
		u->origins = *l;
	if ((l = config_list(f, CFG_FUNCTION_URL_CORS_METHODS)))
		u->methods = *l;
	if ((l = config_list(f, CFG_FUNCTION_URL_CORS_HEADERS)))
		u->headers = *l;
	u->max_age = config_int(f, CFG_FUNCTION_URL_CORS_MAX_AGE);
	u->credentials = config_str(f, CFG_FUNCTION_URL_CORS_CREDENTIALS) &&
			 !strcmp(config_str(f, CFG_FUNCTION_URL_CORS_CREDENTIALS), "true");
}

/*
 * The function's URL: made when function.url.auth is set and there is none,
 * changed when its auth or CORS differ, and deleted when function.url is
 * gone from blambda.yml, but only a URL blambda made (the function carries
 * blambda:url).
 */
static int plan_url(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, size_t fn)
{
	const struct config *f = &o->fns[fn];
	const char *name = config_str(f, CFG_FUNCTION_NAME);
	const struct deploy_step *fs = deploy_function_step(p, fn);
	struct lambda_url want, have;
	struct deploy_step *s;
	int exists = 0, r = 0;

	deploy_wanted_url(f, &want);
	if (fs && fs->action == DEPLOY_CREATE) {
		if (!want.auth)
			return 0;
		s = deploy_add_step(p, DEPLOY_URL, name);
		s->fn = fn;
		s->action = DEPLOY_CREATE;
		deploy_reason(s, "the function is new");
		s->planned = 1;
		return 0;
	}
	if (!want.auth && fs && fs->have && !kvlist_get(&fs->have->tags, DEPLOY_URL_TAG_KEY))
		return 0; /* no URL wanted, and none of blambda's to take away: nothing to read */
	if (lambda_get_url(a, p->region, name, &have, &exists, &p->err)) {
		lambda_url_release(&have);
		return deploy_failed(p, "read the URL of function '%s'", name);
	}
	if (!want.auth && exists) {
		struct lambda_function fun;

		r = lambda_get_function(a, p->region, name, &fun, &p->err);
		if (r)
			r = deploy_failed(p, "read function '%s'", name);
		else if (kvlist_get(&fun.tags, DEPLOY_URL_TAG_KEY)) {
			s = deploy_add_step(p, DEPLOY_URL, name);
			s->fn = fn;
			s->action = DEPLOY_DELETE;
			deploy_reason(s, "function.url is not set");
			deploy_set_str(&s->arn, have.url);
			s->planned = 1;
		}
		lambda_function_release(&fun);
	} else if (want.auth) {
		s = deploy_add_step(p, DEPLOY_URL, name);
		s->fn = fn;
		s->planned = 1;
		if (!exists) {
			s->action = DEPLOY_CREATE;
			deploy_reason(s, "it does not exist yet");
		} else {
			deploy_set_str(&s->arn, have.url);
			if (strcmp(want.auth, have.auth))
				deploy_reason(s, "auth %s -> %s", have.auth, want.auth);
			if (!strlist_equal(&want.origins, &have.origins) || !strlist_equal(&want.methods, &have.methods) ||
			    !strlist_equal(&want.headers, &have.headers) || want.max_age != have.max_age ||
			    want.credentials != have.credentials)
				deploy_reason(s, "cors");
			s->action = s->reasons.nr ? DEPLOY_UPDATE : DEPLOY_UNCHANGED;
		}
	}
	lambda_url_release(&have);
	return r;
}

/*
 * Pieces of a plan made side by side, each on a view of its own: a plan
 * that starts with copies of the steps planned so far (sharing what they
 * hold, read only) and gets the piece's own steps, gathered into the plan
 * in the pieces' order afterwards.
 */
struct plan_views {
	const struct deploy_opts *o;
	int (*piece)(struct aws *a, const struct deploy_opts *o, struct deploy_plan *view, size_t i);
	struct deploy_plan *view;
	int *failed;
};

static void plan_views_work(struct aws *a, void *ctx, size_t i)
{
	struct plan_views *v = ctx;

	v->failed[i] = v->piece(a, v->o, &v->view[i], i) != 0;
}

/*
 * A view's own steps (those after the first `shared`) onto the plan, a
 * role's index moved with them; a failed view's failure becomes the plan's.
 * The view is left empty.
 */
static void gather_view(struct deploy_plan *p, struct deploy_plan *view, size_t shared, int failed)
{
	size_t base = p->nr;

	for (size_t i = shared; i < view->nr; i++) {
		if (view->steps[i].role >= (int)shared)
			view->steps[i].role = (int)(base + (size_t)view->steps[i].role - shared);
		deploy_append_step(p, &view->steps[i]);
	}
	if (failed) {
		free(p->failed);
		p->failed = view->failed;
		view->failed = NULL;
		error_move(&p->err, &view->err);
	}
	free(view->steps);
	free(view->failed);
	error_release(&view->err);
	memset(view, 0, sizeof(*view));
}

/* A view dropped: its own steps and its failure released. */
static void drop_view(struct deploy_plan *view, size_t shared)
{
	for (size_t i = shared; i < view->nr; i++)
		deploy_step_release(&view->steps[i]);
	free(view->steps);
	free(view->failed);
	error_release(&view->err);
	memset(view, 0, sizeof(*view));
}

static void open_view(const struct deploy_plan *p, struct deploy_plan *view)
{
	memset(view, 0, sizeof(*view));
	view->region = p->region; /* borrowed */
	view->steps = xmalloc((p->nr ? p->nr : 1) * sizeof(*p->steps));
	if (p->nr) /* the layers are planned on a plan of no steps yet */
		memcpy(view->steps, p->steps, p->nr * sizeof(*p->steps));
	view->nr = p->nr;
}

/*
 * Pieces 0..n-1 side by side, up to `jobs` at once; their steps gathered in
 * order up to the first piece that failed, whose failure becomes the
 * plan's: the rest is dropped, as if planning had stopped there.
 */
static int plan_side_by_side(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, size_t n,
			     size_t jobs,
			     int (*piece)(struct aws *a, const struct deploy_opts *o, struct deploy_plan *view, size_t i))
{
	struct plan_views v = { o, piece, xcalloc(n ? n : 1, sizeof(*v.view)), xcalloc(n ? n : 1, sizeof(*v.failed)) };
	size_t shared = p->nr;
	int r = 0;

	for (size_t i = 0; i < n; i++)
		open_view(p, &v.view[i]);
	deploy_pool(a, n, jobs, plan_views_work, &v, NULL);
	for (size_t i = 0; i < n; i++) {
		if (r) {
			drop_view(&v.view[i], shared);
			continue;
		}
		gather_view(p, &v.view[i], shared, v.failed[i]);
		r = v.failed[i] ? -1 : 0;
	}
	free(v.view);
	free(v.failed);
	return r;
}

/* The layers: the runtime layer, and the deps layer when there is one. */
static int plan_layer_piece(struct aws *a, const struct deploy_opts *o, struct deploy_plan *view, size_t i)
{
	if (i == 0)
		return plan_layer(a, o, view, DEPLOY_RUNTIME_LAYER, config_str(o->cfg, CFG_LAYERS_RUNTIME),
				  o->runtime_layer);
	return plan_layer(a, o, view, DEPLOY_DEPS_LAYER, config_str(o->cfg, CFG_LAYERS_DEPS), o->deps_layer);
}

/*
 * The function's read and its role's reads side by side (a role of the
 * function's own only; with --code-only it is read only for a function not
 * made yet, which its read says first).
 */
struct function_read {
	const struct deploy_opts *o;
	const struct config *f_cfg;
	const char *name;
	size_t fn;
	struct lambda_function *f;
	int exists;
	struct deploy_plan *p, role; /* the role planned on a view of its own */
	int failed[2];
};

static void function_read_work(struct aws *a, void *ctx, size_t i)
{
	struct function_read *r = ctx;

	if (i == 0)
		r->failed[0] = read_function(a, r->p, r->name, r->f, &r->exists) != 0;
	else
		r->failed[1] = plan_role(a, r->o, r->f_cfg, &r->role, r->name, r->fn) != 0;
}

/*
 * A function and what goes with it: its role (unless function.role names
 * one, or --code-only finds the function there), the function, its version
 * and alias, its URL (not with --code-only).
 */
static int plan_one_function(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p, size_t fn)
{
	const char *name = config_str(&o->fns[fn], CFG_FUNCTION_NAME);
	struct lambda_function f = { 0 };
	struct function_read rd = { o, &o->fns[fn], name, fn, &f, 0, p, { 0 }, { 0, 0 } };
	int own_role = !config_str(&o->fns[fn], CFG_FUNCTION_ROLE), role = -1, r = -1, triggers;
	struct strlist sources = STRLIST_INIT;
	struct buf record = BUF_INIT;
	struct kvlist records[2] = { KVLIST_INIT, KVLIST_INIT }; /* early, after */
	struct deploy_beside beside = { 0 }; /* released on every way out */

	if (own_role && !o->code_only) {
		open_view(p, &rd.role);
		deploy_pool(a, 2, 2, function_read_work, &rd, NULL);
		if (rd.failed[0]) {
			drop_view(&rd.role, p->nr);
			goto out;
		}
		role = rd.role.nr > p->nr ? (int)p->nr : -1;
		gather_view(p, &rd.role, p->nr, rd.failed[1]);
		if (rd.failed[1])
			goto out;
	} else {
		if (read_function(a, p, name, &f, &rd.exists))
			goto out;
		if (own_role && !rd.exists) {
			role = (int)p->nr;
			if (plan_role(a, o, &o->fns[fn], p, name, fn))
				goto out;
		}
	}
	/* the triggers are left as they are by --code-only, as the URL is */
	triggers = !(o->code_only && rd.exists);
	if (triggers && (deploy_resolve_sources(a, p, &o->fns[fn], &sources, &record) ||
			 deploy_read_beside(a, o, p, fn, rd.exists ? &f : NULL, &beside)))
		goto out;
	if (triggers) {
		deploy_beside_records(o, fn, rd.exists ? &f : NULL, &beside, record.ptr, &records[0], &records[1]);
		deploy_routes_records(o, fn, rd.exists ? &f : NULL, &records[0], &records[1]);
		deploy_s3_records(o, fn, rd.exists ? &f : NULL, &records[0], &records[1]);
	}
	if (plan_function(o, p, fn, role, &f, rd.exists, triggers ? records : NULL) || plan_files(a, o, p, fn) ||
	    plan_version(a, o, p, fn) || (triggers && plan_url(a, o, p, fn)) ||
	    (triggers && (deploy_plan_triggers(a, o, p, fn, &sources) || deploy_plan_routes(a, o, p, fn) || deploy_plan_s3(a, o, p, fn) ||
			  deploy_plan_async(o, p, fn, &beside) || deploy_plan_log_group(o, p, fn, &beside))))
		goto out;
	r = 0;
out:
	lambda_function_release(&f);
	strlist_clear(&sources);
	buf_release(&record);
	kvlist_clear(&records[0]);
	kvlist_clear(&records[1]);
	deploy_beside_release(&beside);
	return r;
}

int deploy_plan_make(struct aws *a, const struct deploy_opts *o, struct deploy_plan *p)
{
	int need_bucket = 0;

	memset(p, 0, sizeof(*p));
	p->region = xstrdup(o->region);
	/* the layers, then the functions (each needs the layers' versions) */
	if (plan_side_by_side(a, o, p, o->deps_layer ? 2 : 1, 2, plan_layer_piece))
		return -1;
	if (!o->layers_only && deploy_plan_http_api(a, o, p))
		return -1;
	if (!o->layers_only &&
	    plan_side_by_side(a, o, p, o->nfns, o->jobs ? (size_t)o->jobs : DEPLOY_JOBS_DEFAULT, plan_one_function))
		return -1;
	/* a zip that must go through S3 needs a bucket: said before any write */
	for (size_t i = 0; i < p->nr; i++) {
		const struct deploy_step *s = &p->steps[i];

		need_bucket |= s->via_s3 && s->art &&
			       (s->action == DEPLOY_PUBLISH || s->action == DEPLOY_CREATE || s->writes & DEPLOY_WRITE_CODE);
	}
	if (need_bucket && !o->s3_bucket) {
		aws_error_set(&p->err, "NoBucket",
			      "a zip goes through S3 (over Lambda's 50 MB direct upload, or --use-s3) and no bucket is set: "
			      "set aws.s3-bucket, BLAMBDA_S3_BUCKET or --s3-bucket");
		p->err.exit = EXIT_USAGE; /* a setting is missing */
		return deploy_failed(p, "deploy");
	}
	return 0;
}

