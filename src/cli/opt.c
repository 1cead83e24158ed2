#include "cli/opt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/suggest.h"
#include "core/xalloc.h"

const struct opt global_options[GLOBAL__N + 1] = {
	[GLOBAL_DIRECTORY - GLOBAL_DIRECTORY] = OPT_DIR('C', "directory", "DIR", "run as if blambda was started in DIR"),
	[GLOBAL_CONFIG - GLOBAL_DIRECTORY] = OPT_PATH('c', "config", "FILE",
		"read the project configuration from FILE (default ./blambda.yml)"),
	[GLOBAL_PROFILE - GLOBAL_DIRECTORY] = OPT_STRING_KEY(0, "profile", "NAME",
		"use the AWS profile NAME from the shared config files", "aws.profile"),
	[GLOBAL_REGION - GLOBAL_DIRECTORY] = OPT_STRING_KEY(0, "region", "NAME",
		"use the AWS region NAME (deploy, destroy, status, diff: repeat it for several)", "aws.region"),
	[GLOBAL_ENDPOINT_URL - GLOBAL_DIRECTORY] = OPT_STRING_KEY(0, "endpoint-url", "URL",
		"send AWS requests to URL instead of the service's endpoint", "aws.endpoint-url"),
	[GLOBAL_JSON - GLOBAL_DIRECTORY] = OPT_BOOL(0, "json", "print machine-readable JSON on stdout"),
	[GLOBAL_VERBOSE - GLOBAL_DIRECTORY] = OPT_BOOL('v', "verbose", "say more about what happens (repeat for more)"),
	[GLOBAL_QUIET - GLOBAL_DIRECTORY] = OPT_BOOL('q', "quiet", "print only errors"),
	[GLOBAL_NO_COLOR - GLOBAL_DIRECTORY] = OPT_BOOL_F(0, "no-color", "never colour messages (NO_COLOR does the same)",
		OPT_NO_NEGATE),
	[GLOBAL_VERSION - GLOBAL_DIRECTORY] = OPT_BOOL_F(0, "version", "print the version and exit", OPT_NO_NEGATE),
	[GLOBAL_HELP - GLOBAL_DIRECTORY] = OPT_BOOL_F('h', "help", "show help for blambda or the command and exit",
		OPT_NO_NEGATE),
	[GLOBAL__N] = OPT_END,
};

size_t opt_count(const struct opt *opts)
{
	size_t n = 0;

	while (opts && opts[n].name)
		n++;
	return n;
}

const char *opt_arg_name(const struct opt *o)
{
	if (o->arg)
		return o->arg;
	switch (o->kind) {
	case OPTION_BOOL: return NULL;
	case OPTION_PATH: return "FILE";
	case OPTION_DIR: return "DIR";
	case OPTION_INT: return "N";
	case OPTION_KV: return "KEY=VALUE";
	default: return "VALUE";
	}
}

const char *opt_spelling(const struct opt *o)
{
	static char bufs[4][64];
	static unsigned next;
	char *b = bufs[next++ % 4];

	snprintf(b, sizeof(bufs[0]), "--%s", o->name);
	return b;
}

const struct command *command_find(const struct command_table *t, const char *name)
{
	for (size_t i = 0; i < t->nr; i++)
		if (!strcmp(t->cmds[i]->name, name))
			return t->cmds[i];
	return NULL;
}

static const struct command *subcommand_find(const struct command *c, const char *name)
{
	for (size_t i = 0; c->subcommands && c->subcommands[i]; i++)
		if (!strcmp(c->subcommands[i]->name, name))
			return c->subcommands[i];
	return NULL;
}

const char *command_path(const struct command *c)
{
	static char b[128];

	if (c->parent)
		snprintf(b, sizeof(b), "%s %s", c->parent->name, c->name);
	else
		snprintf(b, sizeof(b), "%s", c->name);
	return b;
}

/* ---- mistakes -------------------------------------------------------------------------------- */

/* A usage error: the message (with "did you mean" when there is a suggestion) and where help is. */
static int usage_error(const struct args *a, struct error *err, const char *suggestion, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int usage_error(const struct args *a, struct error *err, const char *suggestion, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (suggestion)
		buf_addf(&msg, " (did you mean '%s'?)", suggestion);
	error_set(err, EXIT_USAGE, "%s", msg.ptr);
	if (a->cmd)
		error_hint(err, "try 'blambda %s --help'", command_path(a->cmd));
	else
		error_hint(err, "try 'blambda --help'");
	buf_release(&msg);
	return -1;
}

static const char *suggest_among(const char *word, const struct strlist *cands)
{
	static char out[96];
	const char *s = suggest(word, (const char *const *)cands->items, cands->nr);

	if (!s)
		return NULL;
	snprintf(out, sizeof(out), "%s", s);
	return out;
}

static void option_names(struct strlist *names, const struct opt *opts)
{
	for (size_t i = 0; opts && opts[i].name; i++) {
		if (opts[i].flags & OPT_HIDDEN)
			continue;
		strlist_add_owned(names, buf_fmt("--%s", opts[i].name));
		if (opts[i].kind == OPTION_BOOL && !(opts[i].flags & OPT_NO_NEGATE))
			strlist_add_owned(names, buf_fmt("--no-%s", opts[i].name));
	}
}

static const struct opt *find_long(const struct opt *opts, const char *name, size_t len, int *negated);

/* The sibling subcommand (of a->cmd's parent) whose table has this long option, or NULL. */
static const struct command *sibling_with(const struct args *a, const char *name, size_t len)
{
	int negated;

	for (size_t i = 0; a->cmd && a->cmd->parent && a->cmd->parent->subcommands[i]; i++) {
		const struct command *c = a->cmd->parent->subcommands[i];

		if (c != a->cmd && find_long(c->opts, name, len, &negated))
			return c;
	}
	return NULL;
}

static int unknown_option(const struct args *a, struct error *err, const char *arg, size_t len)
{
	struct strlist names = STRLIST_INIT;
	char *shown = xstrndup(arg, len);
	const struct command *sibling = len > 2 && arg[1] == '-' ? sibling_with(a, arg + 2, len - 2) : NULL;
	int r;

	if (sibling) {
		char *other = xstrdup(command_path(sibling));

		r = usage_error(a, err, NULL, "option '%s' is for 'blambda %s', not 'blambda %s'", shown, other,
				command_path(a->cmd));
		free(other);
		free(shown);
		return r;
	}

	option_names(&names, a->cmd ? a->cmd->opts : NULL);
	option_names(&names, global_options);
	r = usage_error(a, err, suggest_among(shown, &names), "unknown option '%s'", shown);
	strlist_clear(&names);
	free(shown);
	return r;
}

/* An unknown command, or subcommand of `parent`: the hint points at the list they are in. */
static int unknown_command(const struct command_table *t, const struct command *parent, const char *word,
			   struct error *err)
{
	struct strlist names = STRLIST_INIT;
	struct args where = { .cmd = parent };
	int r;

	if (parent) {
		for (size_t i = 0; parent->subcommands[i]; i++)
			strlist_add(&names, parent->subcommands[i]->name);
	} else {
		for (size_t i = 0; i < t->nr; i++)
			if (!(t->cmds[i]->flags & CMD_HIDDEN))
				strlist_add(&names, t->cmds[i]->name);
	}
	if (parent)
		r = usage_error(&where, err, suggest_among(word, &names), "'%s' has no subcommand '%s'", parent->name,
				word);
	else
		r = usage_error(&where, err, suggest_among(word, &names), "unknown command '%s'", word);
	strlist_clear(&names);
	return r;
}

/* ---- values ---------------------------------------------------------------------------------- */

static void join_values(struct buf *b, const char *const *values)
{
	for (size_t i = 0; values[i]; i++)
		buf_addf(b, "%s%s", i ? ", " : "", values[i]);
}

static size_t nvalues(const char *const *values)
{
	size_t n = 0;

	while (values[n])
		n++;
	return n;
}

static struct opt_value *value_for(struct args *a, const struct opt *o)
{
	if (o >= global_options && o < global_options + GLOBAL__N)
		return &a->global[o - global_options];
	return &a->local[o - a->cmd->opts];
}

static int store_int(struct args *a, const struct opt *o, struct opt_value *v, const char *val, struct error *err)
{
	char *end;

	errno = 0;
	v->num = strtol(val, &end, 10);
	if (errno || end == val || *end)
		return usage_error(a, err, NULL, "option '--%s' needs a whole number, got '%s'", o->name, val);
	if (v->num < o->min || v->num > o->max)
		return usage_error(a, err, NULL, "option '--%s' must be between %ld and %ld, got %s", o->name, o->min,
				   o->max, val);
	v->str = val;
	return 0;
}

static int store_enum(struct args *a, const struct opt *o, struct opt_value *v, const char *val, struct error *err)
{
	struct buf allowed = BUF_INIT;

	for (size_t i = 0; o->values[i]; i++) {
		if (!strcmp(o->values[i], val)) {
			v->str = val;
			return 0;
		}
	}
	join_values(&allowed, o->values);
	usage_error(a, err, suggest(val, o->values, nvalues(o->values)), "option '--%s' must be one of %s, got '%s'",
		    o->name, allowed.ptr, val);
	buf_release(&allowed);
	return -1;
}

/* Store `val` (the option's argument, or NULL for a bool) in the option's slot. */
static int store(struct args *a, const struct opt *o, const char *val, int negated, struct error *err)
{
	struct opt_value *v = value_for(a, o);

	v->set = 1;
	switch (o->kind) {
	case OPTION_BOOL:
		v->count = negated ? 0 : v->count + 1;
		return 0;
	case OPTION_INT:
		return store_int(a, o, v, val, err);
	case OPTION_ENUM:
		return store_enum(a, o, v, val, err);
	case OPTION_KV:
		if (!strchr(val, '=') || val[0] == '=')
			return usage_error(a, err, NULL, "option '--%s' needs KEY=VALUE, got '%s'", o->name, val);
		break;
	default:
		if (!*val)
			return usage_error(a, err, NULL, "option '--%s' needs a non-empty value", o->name);
		break;
	}
	strlist_add(&v->list, val);
	v->str = val;
	return 0;
}

/* ---- parsing --------------------------------------------------------------------------------- */

/* Find `name` among opts; *negated is set for a --no-x match of bool x. */
static const struct opt *find_long(const struct opt *opts, const char *name, size_t len, int *negated)
{
	for (size_t i = 0; opts && opts[i].name; i++) {
		if (strlen(opts[i].name) == len && !strncmp(opts[i].name, name, len)) {
			*negated = 0;
			return &opts[i];
		}
	}
	if (len <= 3 || strncmp(name, "no-", 3))
		return NULL;
	for (size_t i = 0; opts && opts[i].name; i++) {
		if (opts[i].kind == OPTION_BOOL && !(opts[i].flags & OPT_NO_NEGATE) && strlen(opts[i].name) == len - 3 &&
		    !strncmp(opts[i].name, name + 3, len - 3)) {
			*negated = 1;
			return &opts[i];
		}
	}
	return NULL;
}

static const struct opt *find_short(const struct opt *opts, char c)
{
	for (size_t i = 0; opts && opts[i].name; i++)
		if (opts[i].short_name == c)
			return &opts[i];
	return NULL;
}

static int parse_long(struct args *a, char *arg, int argc, char **argv, int *i, struct error *err)
{
	const char *name = arg + 2;
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct opt *o = NULL;
	int negated = 0;

	if (a->cmd)
		o = find_long(a->cmd->opts, name, len, &negated);
	if (!o)
		o = find_long(global_options, name, len, &negated);
	if (!o)
		return unknown_option(a, err, arg, len + 2);
	if (o->kind == OPTION_BOOL) {
		if (eq)
			return usage_error(a, err, NULL, "option '--%.*s' takes no value", (int)len, name);
		return store(a, o, NULL, negated, err);
	}
	if (eq)
		return store(a, o, eq + 1, 0, err);
	if (*i + 1 >= argc)
		return usage_error(a, err, NULL, "option '--%s' needs a value (%s)", o->name, opt_arg_name(o));
	return store(a, o, argv[++*i], 0, err);
}

static int parse_short(struct args *a, char *arg, int argc, char **argv, int *i, struct error *err)
{
	for (char *p = arg + 1; *p; p++) {
		const struct opt *o = NULL;

		if (a->cmd)
			o = find_short(a->cmd->opts, *p);
		if (!o)
			o = find_short(global_options, *p);
		if (!o)
			return usage_error(a, err, NULL, "unknown option '-%c'", *p);
		if (o->kind == OPTION_BOOL) {
			if (store(a, o, NULL, 0, err))
				return -1;
			continue;
		}
		if (p[1])
			return store(a, o, p + 1, 0, err);
		if (*i + 1 >= argc)
			return usage_error(a, err, NULL, "option '-%c' needs a value (%s)", *p, opt_arg_name(o));
		return store(a, o, argv[++*i], 0, err);
	}
	return 0;
}

/* A word that is not an option: the command, its subcommand, or a positional argument. */
static int parse_word(struct args *a, const struct command_table *t, const char *word, struct error *err)
{
	const struct command *c;

	if (a->cmd && !a->cmd->subcommands) {
		strlist_add(&a->pos, word);
		return 0;
	}
	c = a->cmd ? subcommand_find(a->cmd, word) : command_find(t, word);
	if (!c || (c->flags & CMD_HIDDEN))
		return unknown_command(t, a->cmd, word, err);
	a->cmd = c;
	free(a->local);
	a->local = xcalloc(opt_count(c->opts) + 1, sizeof(*a->local));
	return 0;
}

static int check_positional(struct args *a, const struct command_table *t, const char *p, struct error *err)
{
	const struct command *c = a->cmd;

	if (c->pos == POS_ENUM) {
		size_t n = nvalues(c->pos_values);
		struct buf allowed = BUF_INIT;

		for (size_t j = 0; j < n; j++)
			if (!strcmp(c->pos_values[j], p))
				return 0;
		join_values(&allowed, c->pos_values);
		usage_error(a, err, suggest(p, c->pos_values, n), "%s must be one of %s, got '%s'", c->usage, allowed.ptr,
			    p);
		buf_release(&allowed);
		return -1;
	}
	if (c->pos == POS_COMMAND) {
		/* a command, then (for one that has them) one of its subcommands */
		const struct command *parent = p == a->pos.items[0] ? NULL : command_find(t, a->pos.items[0]);
		const struct command *target = parent ? subcommand_find(parent, p) : command_find(t, p);

		if (parent && !parent->subcommands)
			return usage_error(a, err, NULL, "'%s' has no subcommands, got '%s'", parent->name, p);
		if (!target || target->flags & CMD_HIDDEN)
			return unknown_command(t, parent, p, err);
	}
	return 0;
}

static int check_positionals(struct args *a, const struct command_table *t, struct error *err)
{
	const struct command *c = a->cmd;

	if (!c)
		return 0;
	if (c->subcommands) {
		struct buf names = BUF_INIT;

		for (size_t i = 0; c->subcommands[i]; i++)
			buf_addf(&names, "%s%s", i ? ", " : "", c->subcommands[i]->name);
		usage_error(a, err, NULL, "'%s' needs a subcommand: %s", c->name, names.ptr);
		buf_release(&names);
		return -1;
	}
	if ((int)a->pos.nr < c->min_pos)
		return usage_error(a, err, NULL, "'%s' needs %s", command_path(c), c->usage);
	if (c->max_pos >= 0 && (int)a->pos.nr > c->max_pos) {
		if (c->max_pos == 0)
			return usage_error(a, err, NULL, "'%s' takes no arguments, got '%s'", command_path(c),
					   a->pos.items[0]);
		return usage_error(a, err, NULL, "'%s' takes at most %d argument%s, got '%s'", command_path(c),
				   c->max_pos, c->max_pos == 1 ? "" : "s", a->pos.items[c->max_pos]);
	}
	for (size_t k = 0; k < a->pos.nr; k++)
		if (check_positional(a, t, a->pos.items[k], err))
			return -1;
	return 0;
}

int args_parse(struct args *a, int argc, char **argv, const struct command_table *t, struct error *err)
{
	int only_pos = 0;

	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		char *arg = argv[i];
		int r;

		if (!only_pos && !strcmp(arg, "--")) {
			only_pos = 1;
			continue;
		}
		if (!only_pos && arg[0] == '-' && arg[1] == '-')
			r = parse_long(a, arg, argc, argv, &i, err);
		else if (!only_pos && arg[0] == '-' && arg[1])
			r = parse_short(a, arg, argc, argv, &i, err);
		else
			r = parse_word(a, t, arg, err);
		if (r)
			return -1;
	}
	if (args_flag(a, GLOBAL_HELP) || args_flag(a, GLOBAL_VERSION))
		return 0;
	if (args_flag(a, GLOBAL_QUIET) && args_flag(a, GLOBAL_VERBOSE))
		return usage_error(a, err, NULL, "options '--quiet' and '--verbose' cannot be used together");
	return check_positionals(a, t, err);
}

void args_release(struct args *a)
{
	for (size_t i = 0; i < GLOBAL__N; i++)
		strlist_clear(&a->global[i].list);
	for (size_t i = 0; a->cmd && a->local && i < opt_count(a->cmd->opts); i++)
		strlist_clear(&a->local[i].list);
	free(a->local);
	strlist_clear(&a->pos);
	memset(a, 0, sizeof(*a));
}

/* ---- reading --------------------------------------------------------------------------------- */

/* An id the table does not have is a bug in blambda, not an unset option. */
static void bad_id(const struct args *a, int id)
{
	fprintf(stderr, "blambda: internal error: '%s' has no option number %d\n",
		a->cmd ? command_path(a->cmd) : "blambda", id);
	abort();
}

const struct opt *args_opt_row(const struct args *a, int id)
{
	if (id >= GLOBAL_DIRECTORY && id < GLOBAL__END)
		return &global_options[id - GLOBAL_DIRECTORY];
	if (!a->cmd || id < 0 || (size_t)id >= a->cmd->nopts)
		bad_id(a, id);
	return &a->cmd->opts[id];
}

const struct opt_value *args_value(const struct args *a, int id)
{
	static const struct opt_value unset;

	if (id >= GLOBAL_DIRECTORY && id < GLOBAL__END)
		return &a->global[id - GLOBAL_DIRECTORY];
	if (!a->cmd || id < 0 || (size_t)id >= a->cmd->nopts)
		bad_id(a, id);
	return a->local ? &a->local[id] : &unset;
}

int args_flag(const struct args *a, int id)
{
	return args_value(a, id)->count;
}

const char *args_str(const struct args *a, int id)
{
	const struct opt_value *v = args_value(a, id);

	return v->set ? v->str : NULL;
}
