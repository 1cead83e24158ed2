/*
 * blambda.yml read with libyaml into a configuration: every key checked
 * against cfg_keys[] with its file, line and column, did-you-mean for a
 * misspelt key, and the bounds that keep a hostile file cheap.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config/internal.h"
#include "core/suggest.h"
#include "core/xalloc.h"

/* ---- blambda.yml --------------------------------------------------------- */

struct yctx {
	struct config *cfg;
	yaml_document_t *doc;
	const char *path;
	struct error *err;
	size_t *tree_nodes; /* values copied into the file's trees so far: aliases may not multiply them past
			       TREE_NODES_MAX */
};

/* an alias repeats what it names: a few may make millions of values, a cycle endless ones */
#define TREE_NODES_MAX 100000
#define TREE_DEPTH_MAX 32

static int yerror(const struct yctx *x, yaml_mark_t m, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int yerror(const struct yctx *x, yaml_mark_t m, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	error_set(x->err, EXIT_USAGE, "%s:%zu:%zu: %s", x->path, m.line + 1, m.column + 1, b.ptr);
	buf_release(&b);
	return -1;
}

static int is_null(const yaml_node_t *n)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	v = (const char *)n->data.scalar.value;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL");
}

static const char *node_type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE: return "a map";
	case YAML_SEQUENCE_NODE: return "a list";
	default: return "a single value";
	}
}

/* Is `full` a section (a prefix "full." of some key)? */
static int is_section(const char *full)
{
	size_t n = strlen(full);

	for (int i = 0; i < CFG__COUNT; i++)
		if (!strncmp(cfg_keys[i].key, full, n) && cfg_keys[i].key[n] == '.')
			return 1;
	return 0;
}

static void unknown_key(const struct yctx *x, yaml_mark_t m, const char *prefix, const char *name)
{
	struct strlist here = STRLIST_INIT, all = STRLIST_INIT;
	size_t plen = prefix ? strlen(prefix) : 0;
	const char *s;

	/* names valid at this level: leaves and sections directly under prefix */
	for (int i = 0; i < CFG__COUNT; i++) {
		const char *k = cfg_keys[i].key;
		const char *rest, *dot;

		strlist_add(&all, k);
		if (plen && (strncmp(k, prefix, plen) || k[plen] != '.'))
			continue;
		rest = plen ? k + plen + 1 : k;
		dot = strchr(rest, '.');
		{
			char *word = dot ? xstrndup(rest, (size_t)(dot - rest)) : xstrdup(rest);
			if (!strlist_has(&here, word))
				strlist_add(&here, word);
			free(word);
		}
	}
	s = suggest(name, (const char *const *)here.items, here.nr);
	if (s) {
		yerror(x, m, "unknown key '%s' (did you mean '%s'?)", name, s);
	} else {
		/* a key that belongs in another section: "memory" at the top is "function.memory" */
		const char *elsewhere = NULL;

		for (size_t i = 0; i < all.nr && !elsewhere; i++)
			if (!strcmp(config_key_leaf(all.items[i]), name) || edit_distance(config_key_leaf(all.items[i]), name) <= 1)
				elsewhere = all.items[i];
		if (elsewhere)
			yerror(x, m, "unknown key '%s' (did you mean '%s'?)", name, elsewhere);
		else
			yerror(x, m, "unknown key '%s'", name);
	}
	strlist_clear(&here);
	strlist_clear(&all);
}

/* A list key's value (a sequence, or one scalar) into fresh; what is wrong into why, where into *bad. */
static void read_list(struct yctx *x, int id, yaml_node_t *val, struct cfg_value *fresh, struct buf *why,
		      yaml_mark_t *bad)
{
	const struct cfg_key *k = &cfg_keys[id];
	const char *name = config_key_leaf(k->key);

	if (val->type == YAML_SCALAR_NODE) {
		strlist_add(&fresh->list, (const char *)val->data.scalar.value);
		if (k->check)
			k->check(NULL, fresh->list.items[0], why);
		return;
	}
	if (val->type != YAML_SEQUENCE_NODE) {
		buf_addf(why, "%s must be a list, got %s", name, node_type_name(val));
		return;
	}
	for (yaml_node_item_t *it = val->data.sequence.items.start; it < val->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(x->doc, *it);

		*bad = item->start_mark;
		if (item->type != YAML_SCALAR_NODE) {
			buf_addf(why, "each entry of %s must be a single value, got %s", name, node_type_name(item));
			return;
		}
		if (k->check && k->check(NULL, (const char *)item->data.scalar.value, why))
			return;
		strlist_add(&fresh->list, (const char *)item->data.scalar.value);
	}
	if (id == CFG_FUNCTION_VPC_SUBNETS && fresh->list.nr > 16) {
		*bad = val->start_mark;
		buf_addf(why, "subnets lists %zu subnets; Lambda allows 16", fresh->list.nr);
	}
	if (id == CFG_FUNCTION_VPC_SECURITY_GROUPS && fresh->list.nr > 5) {
		*bad = val->start_mark;
		buf_addf(why, "security-groups lists %zu groups; Lambda allows 5", fresh->list.nr);
	}
	if (id == CFG_FUNCTION_LAYERS && fresh->list.nr > 4) {
		*bad = val->start_mark;
		buf_addf(why, "layers lists %zu layers; Lambda allows 5 in all, and the runtime layer is one", fresh->list.nr);
	}
}

/* A map key's value (names to single values) into fresh; what is wrong into why, where into *bad. */
static void read_map(struct yctx *x, int id, yaml_node_t *val, struct cfg_value *fresh, struct buf *why,
		     yaml_mark_t *bad)
{
	const struct cfg_key *k = &cfg_keys[id];
	const char *name = config_key_leaf(k->key);
	size_t total = 0;

	if (val->type != YAML_MAPPING_NODE) {
		buf_addf(why, "%s must be a map of names to values, got %s", name, node_type_name(val));
		return;
	}
	for (yaml_node_pair_t *p = val->data.mapping.pairs.start; p < val->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(x->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(x->doc, p->value);
		const char *ks, *vs;

		*bad = kn->start_mark;
		if (kn->type != YAML_SCALAR_NODE) {
			buf_addf(why, "the names in %s must be single values", name);
			return;
		}
		ks = (const char *)kn->data.scalar.value;
		if (vn->type != YAML_SCALAR_NODE) {
			*bad = vn->start_mark;
			buf_addf(why, "%s.%s must be a single value, got %s", name, ks, node_type_name(vn));
			return;
		}
		vs = is_null(vn) ? "" : (const char *)vn->data.scalar.value;
		if (kvlist_get(&fresh->map, ks)) {
			buf_addf(why, "duplicate key '%s' in %s", ks, name);
			return;
		}
		if (k->check && k->check(ks, vs, why))
			return;
		kvlist_set(&fresh->map, ks, vs);
		total += strlen(ks) + strlen(vs);
	}
	*bad = val->start_mark;
	if (id == CFG_FUNCTION_ENVIRONMENT && total > 4096)
		buf_addf(why, "environment holds %zu bytes; Lambda allows 4 KB", total);
	if (id == CFG_FUNCTION_TAGS && fresh->map.nr > 50)
		buf_addf(why, "tags holds %zu tags; Lambda allows 50", fresh->map.nr);
}

/*
 * A YAML node as a cfg_node (into `to`), `depth` deep: the shape as written,
 * duplicate keys refused, aliases followed within bounds (a cycle is too
 * deep, a bomb too many values), a NUL in a value refused.
 */
static int copy_tree(struct yctx *x, yaml_node_t *n, struct cfg_node *to, const char *key, int depth)
{
	memset(to, 0, sizeof(*to));
	to->key = xstrdup_or_null(key);
	to->line = (int)n->start_mark.line + 1;
	to->col = (int)n->start_mark.column + 1;
	if (depth > TREE_DEPTH_MAX)
		return yerror(x, n->start_mark, "nested more than %d levels deep (an alias that holds itself?)",
			      TREE_DEPTH_MAX);
	if (++*x->tree_nodes > TREE_NODES_MAX)
		return yerror(x, n->start_mark, "more than %d values once its aliases are expanded", TREE_NODES_MAX);
	if (n->type == YAML_SCALAR_NODE) {
		to->type = CFG_NODE_SCALAR;
		to->value = xstrdup(is_null(n) ? "" : (const char *)n->data.scalar.value);
		to->quoted = n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		return 0;
	}
	if (n->type == YAML_SEQUENCE_NODE) {
		size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);

		to->type = CFG_NODE_LIST;
		to->kids = count ? xcalloc(count, sizeof(*to->kids)) : NULL;
		for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
			if (copy_tree(x, yaml_document_get_node(x->doc, *it), &to->kids[to->nkids++], NULL, depth + 1))
				return -1;
		return 0;
	}
	to->type = CFG_NODE_MAP;
	{
		size_t count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);

		to->kids = count ? xcalloc(count, sizeof(*to->kids)) : NULL;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(x->doc, p->key);
		const char *k;

		if (kn->type != YAML_SCALAR_NODE)
			return yerror(x, kn->start_mark, "keys must be plain names");
		k = (const char *)kn->data.scalar.value;
		if (cfg_node_get(to, k))
			return yerror(x, kn->start_mark, "duplicate key '%s'", k);
		if (copy_tree(x, yaml_document_get_node(x->doc, p->value), &to->kids[to->nkids++], k, depth + 1))
			return -1;
	}
	return 0;
}

static int read_tree(struct yctx *x, int id, yaml_node_t *val, struct cfg_value *fresh)
{
	const struct cfg_node *at = NULL;
	struct buf why = BUF_INIT;
	int r;

	fresh->tree = xcalloc(1, sizeof(*fresh->tree));
	if (copy_tree(x, val, fresh->tree, NULL, 0))
		return -1;
	if (!cfg_keys[id].check_tree || !cfg_keys[id].check_tree(fresh->tree, &why, &at))
		return 0;
	if (!at)
		at = fresh->tree;
	r = error_set(x->err, EXIT_USAGE, "%s:%d:%d: %s", x->path, at->line, at->col, why.ptr);
	buf_release(&why);
	return r;
}

static int read_value(struct yctx *x, int id, yaml_node_t *val)
{
	const struct cfg_key *k = &cfg_keys[id];
	struct cfg_value fresh = { 0 };
	struct buf why = BUF_INIT, origin = BUF_INIT;
	yaml_mark_t bad = val->start_mark;

	if (is_null(val))
		return 0; /* `key:` with nothing after it leaves the default */
	if (k->type == CFG_TREE && read_tree(x, id, val, &fresh)) {
		config_value_clear(&fresh);
		return -1;
	}
	if (k->type == CFG_TREE)
		;
	else if (k->type == CFG_LIST)
		read_list(x, id, val, &fresh, &why, &bad);
	else if (k->type == CFG_MAP)
		read_map(x, id, val, &fresh, &why, &bad);
	else if (val->type != YAML_SCALAR_NODE)
		buf_addf(&why, "%s must be a single value, got %s", config_key_leaf(k->key), node_type_name(val));
	else
		config_parse_scalar(k, (const char *)val->data.scalar.value, &fresh, &why);
	if (why.len) {
		yerror(x, bad, "%s", why.ptr);
		buf_release(&why);
		config_value_clear(&fresh);
		return -1;
	}
	config_value_clear(&x->cfg->v[id]);
	x->cfg->v[id] = fresh;
	buf_addf(&origin, "%s:%zu", x->path, val->start_mark.line + 1);
	config_set_origin(&x->cfg->v[id], SRC_FILE, origin.ptr, (int)val->start_mark.line + 1);
	buf_release(&origin);
	return 0;
}

static int read_mapping(struct yctx *x, yaml_node_t *map, const char *prefix);

/* One project deploys one zip to its functions; a few hundred is already many (and keeps the checks cheap). */
#define CONFIG_MAX_FUNCTIONS 500

/* functions: NAME: {function keys}: each entry read like `function:` into its own values */
static int read_functions(struct yctx *x, yaml_node_t *map)
{
	struct config *cfg = x->cfg;

	if (is_null(map))
		return 0;
	if (map->type != YAML_MAPPING_NODE)
		return yerror(x, map->start_mark, "functions must be a map of function names to their settings, got %s",
			      node_type_name(map));
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(x->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(x->doc, p->value);
		struct config scratch;
		struct yctx sx = { &scratch, x->doc, x->path, x->err, x->tree_nodes };
		struct config_function *fn;
		struct buf why = BUF_INIT;
		const char *name;
		int r;

		if (kn->type != YAML_SCALAR_NODE)
			return yerror(x, kn->start_mark, "the names under functions must be plain names");
		name = (const char *)kn->data.scalar.value;
		if (config_check_function_name(NULL, name, &why)) {
			r = yerror(x, kn->start_mark, "%s", why.ptr);
			buf_release(&why);
			return r;
		}
		if (cfg->nfns == CONFIG_MAX_FUNCTIONS)
			return yerror(x, kn->start_mark, "more than %d functions: split the project", CONFIG_MAX_FUNCTIONS);
		for (size_t i = 0; i < cfg->nfns; i++)
			if (!strcmp(cfg->fns[i].name, name))
				return yerror(x, kn->start_mark, "duplicate function '%s'", name);
		if (!is_null(vn) && vn->type != YAML_MAPPING_NODE)
			return yerror(x, vn->start_mark, "functions.%s must be a map of settings, got %s", name,
				      node_type_name(vn));
		memset(&scratch, 0, sizeof(scratch));
		r = is_null(vn) ? 0 : read_mapping(&sx, vn, "function");
		for (int k = 0; !r && k < CFG__COUNT; k++) {
			if (scratch.v[k].present && config_key_is_shared(k)) {
				r = error_set(x->err, EXIT_USAGE, "%s:%d: %s cannot be set for one function: %s", x->path,
					      scratch.v[k].line, config_key_leaf(cfg_keys[k].key),
						 k == CFG_FUNCTION_NAME ? "a function of functions: is named by its key"
									: "the functions share one zip and their layers");
			}
		}
		if (r) {
			config_release(&scratch);
			return -1;
		}
		cfg->fns = xrealloc(cfg->fns, (cfg->nfns + 1) * sizeof(*cfg->fns));
		fn = &cfg->fns[cfg->nfns++];
		memset(fn, 0, sizeof(*fn));
		fn->name = xstrdup(name);
		fn->line = (int)kn->start_mark.line + 1;
		memcpy(fn->v, scratch.v, sizeof(fn->v));
		free(scratch.path);
	}
	return 0;
}

static int read_mapping(struct yctx *x, yaml_node_t *map, const char *prefix)
{
	struct strlist seen = STRLIST_INIT;
	int r = 0;

	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; !r && p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(x->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(x->doc, p->value);
		struct buf full = BUF_INIT;
		const char *name;
		int id;

		if (kn->type != YAML_SCALAR_NODE) {
			r = yerror(x, kn->start_mark, "keys must be plain names");
			break;
		}
		name = (const char *)kn->data.scalar.value;
		if (prefix)
			buf_addf(&full, "%s.", prefix);
		buf_adds(&full, name);
		if (strlist_has(&seen, name)) {
			r = yerror(x, kn->start_mark, "duplicate key '%s'", name);
		} else if (!prefix && !strcmp(name, "functions")) {
			r = read_functions(x, vn);
		} else if ((id = config_key_index(full.ptr)) >= 0) {
			r = read_value(x, id, vn);
		} else if (is_section(full.ptr)) {
			if (vn->type == YAML_MAPPING_NODE)
				r = read_mapping(x, vn, full.ptr);
			else if (!is_null(vn))
				r = yerror(x, vn->start_mark, "%s must be a map of settings, got %s", name,
					   node_type_name(vn));
		} else {
			unknown_key(x, kn->start_mark, prefix, name);
			r = -1;
		}
		strlist_add(&seen, name);
		buf_release(&full);
	}
	strlist_clear(&seen);
	return r;
}

/* blambda.yml is a few dozen lines; these bound what a hostile or broken one can cost */
#define CONFIG_MAX_BYTES (1 << 20)
#define CONFIG_MAX_DEPTH 32

/*
 * Walk the file's events and stop at the first collection nested deeper than
 * CONFIG_MAX_DEPTH: libyaml takes time that grows with the square of the
 * nesting to load a document, so a deep one is refused before it is loaded.
 * Syntax errors are left for the load, which reports them.
 */
static int check_depth(const struct buf *text, const char *path, struct error *err)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, r = 0, done = 0;

	if (!yaml_parser_initialize(&parser))
		return error_set(err, EXIT_FAIL, "cannot set up the YAML parser: out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text->ptr, text->len);
	while (!done && yaml_parser_parse(&parser, &ev)) {
		if (ev.type == YAML_MAPPING_START_EVENT || ev.type == YAML_SEQUENCE_START_EVENT) {
			if (++depth > CONFIG_MAX_DEPTH) {
				r = error_set(err, EXIT_USAGE, "%s:%zu:%zu: nested more than %d levels deep", path,
					      ev.start_mark.line + 1, ev.start_mark.column + 1, CONFIG_MAX_DEPTH);
				done = 1;
			}
		} else if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
			depth--;
		}
		done |= ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return r;
}

int config_read_file(struct config *cfg, const char *path, int required, struct error *err)
{
	struct buf text = BUF_INIT;
	char chunk[16384];
	size_t n;
	FILE *f;
	int r = -1;

	f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT && !required)
			return 0;
		return error_set(err, EXIT_USAGE, "cannot read '%s': %s", path, strerror(errno));
	}
	/* read whole, at most CONFIG_MAX_BYTES: a pipe (-c <(...)) works, an endless one does not hang */
	while (text.len <= CONFIG_MAX_BYTES && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&text, chunk, n);
	if (ferror(f))
		error_set(err, EXIT_USAGE, "cannot read '%s': %s", path, strerror(errno));
	else
		r = config_read_text(cfg, path, text.ptr, text.len, err);
	buf_release(&text);
	fclose(f);
	return r;
}

int config_read_text(struct config *cfg, const char *path, const char *text, size_t len, struct error *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	size_t tree_nodes = 0;
	struct yctx x = { cfg, &doc, path, err, &tree_nodes };
	struct buf copy = BUF_INIT;
	yaml_node_t *root;
	int r = 0;

	if (len > CONFIG_MAX_BYTES)
		return error_set(err, EXIT_USAGE, "'%s' is larger than %d KB, more than a configuration can need", path,
				 CONFIG_MAX_BYTES / 1024);
	buf_add(&copy, text, len);
	if (check_depth(&copy, path, err)) {
		buf_release(&copy);
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		buf_release(&copy);
		return error_set(err, EXIT_FAIL, "cannot set up the YAML parser: out of memory");
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)copy.ptr, copy.len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_mark_t m = parser.problem_mark;

		if (parser.error == YAML_READER_ERROR)
			r = error_set(err, EXIT_USAGE, "%s: %s at byte %zu", path, parser.problem, parser.problem_offset);
		else if (m.index < copy.len && copy.ptr[m.index] == '\t')
			r = error_set(err, EXIT_USAGE, "%s:%zu:%zu: a tab: YAML does not allow tabs for indentation "
				      "(indent with spaces)", path, m.line + 1, m.column + 1);
		else if (parser.context)
			r = error_set(err, EXIT_USAGE, "%s:%zu:%zu: YAML syntax error: %s %s (line %zu)", path, m.line + 1,
				      m.column + 1, parser.problem, parser.context, parser.context_mark.line + 1);
		else
			r = error_set(err, EXIT_USAGE, "%s:%zu:%zu: YAML syntax error: %s", path, m.line + 1, m.column + 1,
				      parser.problem ? parser.problem : "unreadable input");
		yaml_parser_delete(&parser);
		buf_release(&copy);
		return r;
	}
	free(cfg->path);
	cfg->path = xstrdup(path);
	/* a NUL ("\0", "\u0000") would cut a value short without a word: "in/\0secret/" would be "in/" */
	for (yaml_node_t *n = doc.nodes.start; n < doc.nodes.top; n++)
		if (n->type == YAML_SCALAR_NODE && strlen((const char *)n->data.scalar.value) != n->data.scalar.length) {
			r = yerror(&x, n->start_mark, "a value may not hold a NUL character (\\0 or \\u0000)");
			yaml_document_delete(&doc);
			yaml_parser_delete(&parser);
			buf_release(&copy);
			return r;
		}
	root = yaml_document_get_root_node(&doc);
	if (root && !is_null(root)) {
		if (root->type != YAML_MAPPING_NODE)
			r = yerror(&x, root->start_mark, "the top level must be a map of settings, got %s",
				   node_type_name(root));
		else
			r = read_mapping(&x, root, NULL);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	buf_release(&copy);
	return r;
}

