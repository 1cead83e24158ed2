/*
 * The values of a configuration and their layering: built-in defaults, then
 * blambda.yml (config/yaml.c), BLAMBDA_* variables and flags, each value with
 * where it came from; and a project's functions, each seeing its own entry
 * over the shared function.* values.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"
#include "core/suggest.h"
#include "core/xalloc.h"

/* ---- values -------------------------------------------------------------- */

void config_value_clear(struct cfg_value *v)
{
	free(v->origin);
	free(v->str);
	strlist_clear(&v->list);
	for (size_t i = 0; i < v->hidden.nr; i++) { /* function.environment-file's values */
		const char *secret = kvlist_get(&v->map, v->hidden.items[i]);

		if (secret)
			explicit_bzero((char *)secret, strlen(secret));
	}
	strlist_clear(&v->hidden);
	cfg_node_free(v->tree);
	kvlist_clear(&v->map);
	memset(v, 0, sizeof(*v));
}

/*
 * Check and store one scalar for key id. On a bad value fills `why` (the
 * message without a location) and returns -1, leaving the old value.
 */
int config_parse_scalar(const struct cfg_key *k, const char *text, struct cfg_value *into, struct buf *why)
{
	const char *name = config_key_leaf(k->key);

	switch (k->type) {
	case CFG_INT: {
		char *end;
		long n;

		errno = 0;
		n = strtol(text, &end, 10);
		if (errno || end == text || *end) {
			buf_addf(why, "%s must be a whole number, got '%s'", name, text);
			return -1;
		}
		if (n < k->min || n > k->max) {
			buf_addf(why, "%s must be between %ld and %ld, got %s", name, k->min, k->max, text);
			return -1;
		}
		if (k->check && k->check(NULL, text, why)) /* a number of a set (log-retention) */
			return -1;
		into->num = n;
		break;
	}
	case CFG_ENUM: {
		size_t n = 0;
		int ok = 0;

		for (; k->values[n]; n++)
			ok |= !strcmp(k->values[n], text);
		if (!ok) {
			const char *s = suggest(text, k->values, n);

			for (size_t i = 0; !s && k->aliases && k->aliases[i]; i += 2)
				if (!strcmp(k->aliases[i], text))
					s = k->aliases[i + 1];
			buf_addf(why, "%s must be one of ", name);
			for (size_t i = 0; i < n; i++)
				buf_addf(why, "%s%s", i ? ", " : "", k->values[i]);
			buf_addf(why, ", got '%s'", text);
			if (s)
				buf_addf(why, " (did you mean '%s'?)", s);
			return -1;
		}
		break;
	}
	default:
		if (k->check && k->check(NULL, text, why))
			return -1;
	}
	free(into->str);
	into->str = xstrdup(text);
	return 0;
}

void config_set_origin(struct cfg_value *v, enum cfg_source src, const char *origin, int line)
{
	free(v->origin);
	v->origin = xstrdup(origin);
	v->source = src;
	v->line = line;
	v->present = 1;
}

/* Set key id from text given by an env var or flag: scalars, or comma-separated lists. */
static int set_from_text(struct config *cfg, int id, const char *text, enum cfg_source src, const char *origin,
			 struct error *err)
{
	const struct cfg_key *k = &cfg_keys[id];
	struct cfg_value fresh = { 0 };
	struct buf why = BUF_INIT;

	if (k->type == CFG_LIST) {
		strlist_split(&fresh.list, text, ',');
		for (size_t i = 0; i < fresh.list.nr; i++)
			if (k->check && k->check(NULL, fresh.list.items[i], &why))
				break;
	} else if (k->type == CFG_MAP || k->type == CFG_TREE) {
		buf_addf(&why, "%s is a %s and can only be set in blambda.yml", k->key, k->type == CFG_MAP ? "map" : "list");
	} else {
		config_parse_scalar(k, text, &fresh, &why);
	}
	if (why.len) {
		error_set(err, EXIT_USAGE, "%s: %s", origin, why.ptr);
		buf_release(&why);
		config_value_clear(&fresh);
		return -1;
	}
	config_value_clear(&cfg->v[id]);
	cfg->v[id] = fresh;
	config_set_origin(&cfg->v[id], src, origin, 0);
	return 0;
}

void config_init(struct config *cfg)
{
	struct error err = ERROR_INIT;

	memset(cfg, 0, sizeof(*cfg));
	for (int i = 0; i < CFG__COUNT; i++) {
		if (cfg_keys[i].def)
			set_from_text(cfg, i, cfg_keys[i].def, SRC_DEFAULT, "default", &err);
	}
	error_release(&err); /* the defaults pass their own checks (unit-tested) */
}

void config_release(struct config *cfg)
{
	for (int i = 0; i < CFG__COUNT; i++)
		config_value_clear(&cfg->v[i]);
	for (size_t f = 0; f < cfg->nfns; f++) {
		for (int i = 0; i < CFG__COUNT; i++)
			config_value_clear(&cfg->fns[f].v[i]);
		free(cfg->fns[f].name);
	}
	free(cfg->fns);
	cfg->fns = NULL;
	cfg->nfns = 0;
	free(cfg->path);
	cfg->path = NULL;
}

static void value_copy(struct cfg_value *to, const struct cfg_value *from)
{
	memset(to, 0, sizeof(*to));
	to->source = from->source;
	to->present = from->present;
	to->origin = xstrdup_or_null(from->origin);
	to->line = from->line;
	to->str = xstrdup_or_null(from->str);
	to->num = from->num;
	for (size_t i = 0; i < from->list.nr; i++)
		strlist_add(&to->list, from->list.items[i]);
	for (size_t i = 0; i < from->map.nr; i++)
		kvlist_add(&to->map, from->map.items[i].key, from->map.items[i].value);
	for (size_t i = 0; i < from->hidden.nr; i++)
		strlist_add(&to->hidden, from->hidden.items[i]);
	to->tree = cfg_node_copy(from->tree);
}

int config_key_is_shared(enum cfg_id id)
{
	return id == CFG_FUNCTION_NAME || id == CFG_FUNCTION_ARCHITECTURE || id == CFG_FUNCTION_SOURCE_PATHS;
}

size_t config_function_count(const struct config *cfg)
{
	if (cfg->nfns)
		return cfg->nfns;
	return cfg->v[CFG_FUNCTION_NAME].present ? 1 : 0;
}

const char *config_function_name(const struct config *cfg, size_t i)
{
	if (cfg->nfns)
		return i < cfg->nfns ? cfg->fns[i].name : NULL;
	return i == 0 ? config_str(cfg, CFG_FUNCTION_NAME) : NULL;
}

int config_function_index(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < config_function_count(cfg); i++)
		if (!strcmp(config_function_name(cfg, i), name))
			return (int)i;
	return -1;
}

void config_for_function(const struct config *cfg, size_t i, struct config *out)
{
	memset(out, 0, sizeof(*out));
	out->path = xstrdup_or_null(cfg->path);
	for (int k = 0; k < CFG__COUNT; k++) {
		const struct cfg_value *own = cfg->nfns ? &cfg->fns[i].v[k] : NULL;

		/* the entry's value, unless a flag or the environment set the key for every function */
		if (own && own->present && cfg->v[k].source <= SRC_FILE)
			value_copy(&out->v[k], own);
		else
			value_copy(&out->v[k], &cfg->v[k]);
	}
	if (cfg->nfns) {
		struct buf origin = BUF_INIT;

		buf_addf(&origin, "%s:%d", cfg->path ? cfg->path : "blambda.yml", cfg->fns[i].line);
		config_value_clear(&out->v[CFG_FUNCTION_NAME]);
		out->v[CFG_FUNCTION_NAME].str = xstrdup(cfg->fns[i].name);
		config_set_origin(&out->v[CFG_FUNCTION_NAME], SRC_FILE, origin.ptr, cfg->fns[i].line);
		buf_release(&origin);
	}
}

int config_read_env(struct config *cfg, struct error *err)
{
	for (int i = 0; i < CFG__COUNT; i++) {
		const char *e = cfg_keys[i].env ? getenv(cfg_keys[i].env) : NULL;

		if (e && *e && set_from_text(cfg, i, e, SRC_ENV, cfg_keys[i].env, err))
			return -1;
	}
	return 0;
}

int config_set_flag(struct config *cfg, const char *key, const char *value, const char *flag, struct error *err)
{
	int id = config_key_index(key);
	struct buf origin = BUF_INIT;
	int r;

	if (id < 0)
		return error_set(err, EXIT_FAIL, "internal: option '%s' is bound to unknown key '%s'", flag, key);
	buf_addf(&origin, "--%s", flag);
	r = set_from_text(cfg, id, value, SRC_FLAG, origin.ptr, err);
	buf_release(&origin);
	return r;
}

/* ---- after loading ------------------------------------------------------- */

/*
 * The project's http routes and s3 triggers, across its functions: each
 * route on one function only (they share one HTTP API), the API named when
 * several functions could hold them, and no two functions taking one
 * bucket's event (S3 refuses a notification set where two entries overlap).
 */
static int check_routes(const struct config *cfg, struct error *err)
{
	struct strlist seen = STRLIST_INIT, owner = STRLIST_INIT, s3_owner = STRLIST_INIT;
	const char *file = cfg->path ? cfg->path : "blambda.yml";
	struct cfg_event **s3 = NULL; /* every function's s3 triggers so far */
	size_t s3n = 0;
	int r = 0;

	for (size_t i = 0; !r && i < config_function_count(cfg); i++) {
		struct config f;
		struct cfg_events ev;
		struct buf why = BUF_INIT;
		const struct cfg_node *at;

		config_for_function(cfg, i, &f);
		if (cfg_events_read(config_tree(&f, CFG_FUNCTION_EVENTS), &ev, &why, &at) == 0) {
			for (size_t k = 0; !r && k < ev.nr; k++) {
				const struct cfg_event *e = &ev.items[k];
				size_t at_seen;

				if (e->kind == CFG_EVENT_S3) {
					for (size_t j = 0; !r && j < s3n; j++)
						if (strcmp(s3_owner.items[j], config_function_name(cfg, i)) &&
						    cfg_s3_overlap(s3[j], e))
							r = error_set(err, EXIT_USAGE, "%s:%d: functions '%s' and '%s' both take "
								      "events of bucket '%s' that overlap: S3 refuses that", file,
								      e->line, s3_owner.items[j], config_function_name(cfg, i),
								      e->source);
					if (r)
						break;
					s3 = xrealloc(s3, (s3n + 1) * sizeof(*s3));
					s3[s3n++] = cfg_event_copy(e);
					strlist_add(&s3_owner, config_function_name(cfg, i));
					continue;
				}
				if (e->kind != CFG_EVENT_HTTP)
					continue;
				if (!config_http_api_name(cfg)) {
					r = error_set(err, EXIT_USAGE, "%s:%d: function '%s' has an http route, and the project "
						      "has several functions: name their HTTP API", file, e->line,
						      config_function_name(cfg, i));
					if (cfg->v[CFG_HTTP_API_CORS_ORIGINS].present || config_has_http_cors(cfg))
						error_hint(err, "add 'name: NAME' under http-api: in blambda.yml");
					else
						error_hint(err, "add 'http-api: {name: NAME}' at the top of blambda.yml");
					break;
				}
				for (at_seen = 0; at_seen < seen.nr && strcmp(seen.items[at_seen], e->route); at_seen++)
					;
				if (at_seen < seen.nr) {
					r = error_set(err, EXIT_USAGE, "%s:%d: route '%s' is listed by functions '%s' "
						      "and '%s': a route goes to one function", file, e->line, e->route,
						      owner.items[at_seen], config_function_name(cfg, i));
					break;
				}
				strlist_add(&seen, e->route);
				strlist_add(&owner, config_function_name(cfg, i));
			}
			cfg_events_release(&ev);
		}
		buf_release(&why);
		config_release(&f);
	}
	strlist_clear(&seen);
	strlist_clear(&owner);
	strlist_clear(&s3_owner);
	for (size_t i = 0; i < s3n; i++)
		cfg_event_free(s3[i]);
	free(s3);
	return r;
}

int config_finish(struct config *cfg, struct error *err)
{
	struct cfg_value *deps = &cfg->v[CFG_LAYERS_DEPS];
	const char *name = config_function_name(cfg, 0);

	if (cfg->nfns && cfg->v[CFG_FUNCTION_NAME].present)
		return error_set(err, EXIT_USAGE, "%s: function.name names a single function; with functions: each "
				 "function is named by its key", cfg->v[CFG_FUNCTION_NAME].origin);

	if (!deps->present && name) {
		struct buf b = BUF_INIT;

		buf_addf(&b, "%s-deps", name);
		deps->str = buf_detach(&b);
		config_set_origin(deps, SRC_DEFAULT, "default", 0);
	}
	if (cfg->v[CFG_HTTP_API_CORS_CREDENTIALS].present && !strcmp(cfg->v[CFG_HTTP_API_CORS_CREDENTIALS].str, "true") &&
	    strlist_has(&cfg->v[CFG_HTTP_API_CORS_ORIGINS].list, "*"))
		return error_set(err, EXIT_USAGE, "%s: http-api.cors.allow-credentials is true and allow-origins holds *: "
				 "API Gateway refuses that (name the origins)", cfg->v[CFG_HTTP_API_CORS_CREDENTIALS].origin);
	return check_routes(cfg, err);
}

const char *config_http_api_name(const struct config *cfg)
{
	/* not a default written into the value: adding a function must not change what the file says */
	if (config_str(cfg, CFG_HTTP_API_NAME))
		return config_str(cfg, CFG_HTTP_API_NAME);
	return config_function_count(cfg) == 1 ? config_function_name(cfg, 0) : NULL;
}

int config_has_http_cors(const struct config *cfg)
{
	return cfg->v[CFG_HTTP_API_CORS_ORIGINS].present || cfg->v[CFG_HTTP_API_CORS_METHODS].present ||
	       cfg->v[CFG_HTTP_API_CORS_HEADERS].present || cfg->v[CFG_HTTP_API_CORS_MAX_AGE].present ||
	       cfg->v[CFG_HTTP_API_CORS_CREDENTIALS].present;
}

int config_has_async(const struct config *f)
{
	return f->v[CFG_FUNCTION_ASYNC_MAX_RETRIES].present || f->v[CFG_FUNCTION_ASYNC_MAX_EVENT_AGE].present ||
	       f->v[CFG_FUNCTION_ASYNC_ON_SUCCESS].present || f->v[CFG_FUNCTION_ASYNC_ON_FAILURE].present;
}

const char *config_str(const struct config *cfg, enum cfg_id id)
{
	return cfg->v[id].present ? cfg->v[id].str : NULL;
}

long config_int(const struct config *cfg, enum cfg_id id)
{
	return cfg->v[id].num;
}

const struct strlist *config_list(const struct config *cfg, enum cfg_id id)
{
	return &cfg->v[id].list;
}

const struct kvlist *config_map(const struct config *cfg, enum cfg_id id)
{
	return &cfg->v[id].map;
}

void config_format_value(const struct config *cfg, enum cfg_id id, struct buf *out)
{
	const struct cfg_value *v = &cfg->v[id];

	if (!v->present)
		return;
	switch (cfg_keys[id].type) {
	case CFG_LIST:
		for (size_t i = 0; i < v->list.nr; i++)
			buf_addf(out, "%s%s", i ? ", " : "", v->list.items[i]);
		break;
	case CFG_MAP:
		for (size_t i = 0; i < v->map.nr; i++)
			buf_addf(out, "%s%s=%s", i ? ", " : "", v->map.items[i].key, v->map.items[i].value);
		break;
	case CFG_TREE:
		if (v->tree)
			cfg_node_format(v->tree, out);
		break;
	default:
		buf_adds(out, v->str ? v->str : "");
	}
}

/* vpc.subnets and vpc.security-groups go together: a VPC needs both */
static int check_vpc(const struct config *f, const char *name, struct error *err)
{
	const struct cfg_value *sn = &f->v[CFG_FUNCTION_VPC_SUBNETS], *sg = &f->v[CFG_FUNCTION_VPC_SECURITY_GROUPS];

	if (!sn->list.nr == !sg->list.nr)
		return 0;
	return error_set(err, EXIT_USAGE, "%s: function '%s' sets vpc.%s without vpc.%s: a function in a VPC needs both",
			 sn->list.nr ? sn->origin : sg->origin, name, sn->list.nr ? "subnets" : "security-groups",
			 sn->list.nr ? "security-groups" : "subnets");
}

/* function.policies shape the role blambda makes: with function.role there is none */
static int check_own_role(const struct config *f, const char *name, struct error *err)
{
	const struct cfg_value *pol = &f->v[CFG_FUNCTION_POLICIES];

	if (!config_tree(f, CFG_FUNCTION_POLICIES) || !config_str(f, CFG_FUNCTION_ROLE))
		return 0;
	error_set(err, EXIT_USAGE, "%s: function '%s' sets policies and function.role (%s): policies are for the role "
		  "blambda makes, and it touches no role of yours", pol->origin, name, f->v[CFG_FUNCTION_ROLE].origin);
	error_hint(err, "give your role those permissions yourself, or drop function.role to have blambda make one");
	return -1;
}

int config_select_functions(const struct config *cfg, const struct strlist *names, struct config **out, size_t *n,
			    struct error *err)
{
	size_t count = config_function_count(cfg);
	const char *where = cfg->path ? cfg->path : "the project";

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < names->nr; i++) {
		if (config_function_index(cfg, names->items[i]) < 0) {
			const char **known = xcalloc(count ? count : 1, sizeof(*known));
			const char *s;

			for (size_t k = 0; k < count; k++)
				known[k] = config_function_name(cfg, k);
			s = suggest(names->items[i], known, count);
			if (s)
				error_set(err, EXIT_USAGE, "%s declares no function '%s' (did you mean '%s'?)", where,
					  names->items[i], s);
			else
				error_set(err, EXIT_USAGE, "%s declares no function '%s'", where, names->items[i]);
			free(known);
			return -1;
		}
	}
	*out = xcalloc(count ? count : 1, sizeof(**out));
	for (size_t i = 0; i < count; i++) {
		const char *name = config_function_name(cfg, i);
		int wanted = !names->nr;

		for (size_t k = 0; k < names->nr; k++)
			wanted |= !strcmp(names->items[k], name);
		if (!wanted)
			continue;
		config_for_function(cfg, i, &(*out)[*n]);
		(*n)++;
		if (!config_str(&(*out)[*n - 1], CFG_FUNCTION_HANDLER))
			error_set(err, EXIT_USAGE, "%s sets no handler for function '%s'", where, name);
		else if (check_vpc(&(*out)[*n - 1], name, err) || check_own_role(&(*out)[*n - 1], name, err) ||
			 config_read_environment_file(&(*out)[*n - 1], err))
			; /* err says why */
		else
			continue;
		for (size_t k = 0; k < *n; k++)
			config_release(&(*out)[k]);
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

char *config_one_function(const struct config *cfg, const char *name, const char *command, struct error *err)
{
	struct strlist names = STRLIST_INIT;
	struct config *fns = NULL;
	size_t n = 0;
	char *r = NULL;

	/* outside a project any name goes: it is a function in AWS */
	if (name && !cfg->path)
		return xstrdup(name);
	if (name)
		strlist_add(&names, name);
	if (!config_select_functions(cfg, &names, &fns, &n, err)) {
		if (!n) {
			error_set(err, EXIT_USAGE, "which function? name it, or set function.name in blambda.yml");
		} else if (n > 1) {
			error_set(err, EXIT_USAGE, "the project has %zu functions: name one", n);
			error_hint(err, "'blambda %s %s'", command, config_str(&fns[0], CFG_FUNCTION_NAME));
		} else {
			r = xstrdup(config_str(&fns[0], CFG_FUNCTION_NAME));
		}
	}
	for (size_t i = 0; i < n; i++)
		config_release(&fns[i]);
	free(fns);
	strlist_clear(&names);
	return r;
}
