#include "cli/opt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/suggest.h"
#include "core/msg.h"
#include "core/xalloc.h"

const struct opt global_options[] = {
	{ "directory", 'C', OPT_DIR, "DIR", "run as if blambda was started in DIR", 0, 0, NULL, NULL, 0 },
	{ "config", 'c', OPT_PATH, "FILE", "read the project configuration from FILE (default ./blambda.yml)", 0, 0, NULL, NULL, 0 },
	{ "profile", 0, OPT_STRING, "NAME", "use the AWS profile NAME from the shared config files", 0, 0, NULL, "aws.profile", 0 },
	{ "region", 0, OPT_STRING, "NAME", "use the AWS region NAME (deploy: repeat it for several)", 0, 0, NULL, "aws.region", 0 },
	{ "endpoint-url", 0, OPT_STRING, "URL", "send AWS requests to URL instead of the service's endpoint", 0, 0, NULL, "aws.endpoint-url", 0 },
	{ "json", 0, OPT_BOOL, NULL, "print machine-readable JSON on stdout", 0, 0, NULL, NULL, 0 },
	{ "verbose", 'v', OPT_BOOL, NULL, "say more about what happens (repeat for more)", 0, 0, NULL, NULL, 0 },
	{ "quiet", 'q', OPT_BOOL, NULL, "print only errors", 0, 0, NULL, NULL, 0 },
	{ "no-color", 0, OPT_BOOL, NULL, "never colour messages (NO_COLOR does the same)", 0, 0, NULL, NULL, OPT_NO_NEGATE },
	{ "version", 0, OPT_BOOL, NULL, "print the version and exit", 0, 0, NULL, NULL, OPT_NO_NEGATE },
	{ "help", 'h', OPT_BOOL, NULL, "show help for blambda or the command and exit", 0, 0, NULL, NULL, OPT_NO_NEGATE },
	OPT_END,
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
	case OPT_BOOL: return NULL;
	case OPT_PATH: return "FILE";
	case OPT_DIR: return "DIR";
	case OPT_INT: return "N";
	case OPT_KV: return "KEY=VALUE";
	default: return "VALUE";
	}
}

/* the table being parsed against: the real one, or a test's */
static const struct command *const *table = commands;
static size_t table_len;

static const struct command *table_find(const char *name)
{
	for (size_t i = 0; i < table_len; i++)
		if (!strcmp(table[i]->name, name))
			return table[i];
	return NULL;
}

const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < ncommands; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

static const char *help_hint(const struct args *a)
{
	static char hintbuf[128];

	if (a->cmd)
		snprintf(hintbuf, sizeof(hintbuf), "try 'blambda %s --help'", a->cmd->name);
	else
		snprintf(hintbuf, sizeof(hintbuf), "try 'blambda --help'");
	return hintbuf;
}

static int usage_error(const struct args *a, const char *suggestion, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int usage_error(const struct args *a, const char *suggestion, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (suggestion)
		buf_addf(&msg, " (did you mean '%s'?)", suggestion);
	error_status(EXIT_USAGE, "%s", msg.ptr);
	hint("%s", help_hint(a));
	buf_release(&msg);
	return -1;
}

/* Find `name` among opts; *negated is set for a --no-x match of bool x. */
static const struct opt *find_long(const struct opt *opts, const char *name, size_t len, int *negated)
{
	for (size_t i = 0; opts && opts[i].name; i++) {
		if (strlen(opts[i].name) == len && !strncmp(opts[i].name, name, len)) {
			*negated = 0;
			return &opts[i];
		}
	}
	if (len > 3 && !strncmp(name, "no-", 3)) {
		for (size_t i = 0; opts && opts[i].name; i++) {
			if (opts[i].kind == OPT_BOOL && !(opts[i].flags & OPT_NO_NEGATE) &&
			    strlen(opts[i].name) == len - 3 && !strncmp(opts[i].name, name + 3, len - 3)) {
				*negated = 1;
				return &opts[i];
			}
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

static struct opt_value *value_for(struct args *a, const struct opt *o)
{
	size_t n = opt_count(global_options);

	if (o >= global_options && o < global_options + n)
		return &a->global[o - global_options];
	return &a->local[o - a->cmd->opts];
}

static const char *suggest_option(const struct args *a, const char *name, size_t len)
{
	struct strlist cands = STRLIST_INIT;
	const struct opt *tables[2] = { a->cmd ? a->cmd->opts : NULL, global_options };
	char *word = xstrndup(name, len);
	const char *s;
	static char out[96];

	for (int t = 0; t < 2; t++) {
		for (size_t i = 0; tables[t] && tables[t][i].name; i++) {
			if (tables[t][i].flags & OPT_HIDDEN)
				continue;
			strlist_add(&cands, tables[t][i].name);
			if (tables[t][i].kind == OPT_BOOL && !(tables[t][i].flags & OPT_NO_NEGATE)) {
				struct buf b = BUF_INIT;
				buf_addf(&b, "no-%s", tables[t][i].name);
				strlist_add_owned(&cands, buf_detach(&b));
			}
		}
	}
	s = suggest(word, (const char *const *)cands.items, cands.nr);
	if (s)
		snprintf(out, sizeof(out), "--%s", s);
	strlist_clear(&cands);
	free(word);
	return s ? out : NULL;
}

static size_t nvalues(const char *const *values)
{
	size_t n = 0;

	while (values[n])
		n++;
	return n;
}

static void join_values(struct buf *b, const char *const *values)
{
	for (size_t i = 0; values[i]; i++)
		buf_addf(b, "%s%s", i ? ", " : "", values[i]);
}

/* Store `val` (the option's argument, or NULL for a bool) in the option's slot. */
static int store(struct args *a, const struct opt *o, const char *spelling, const char *val, int negated)
{
	struct opt_value *v = value_for(a, o);
	char *end;

	v->set = 1;
	v->spelling = spelling;
	switch (o->kind) {
	case OPT_BOOL:
		v->count = negated ? 0 : v->count + 1;
		return 0;
	case OPT_INT:
		errno = 0;
		v->num = strtol(val, &end, 10);
		if (errno || end == val || *end)
			return usage_error(a, NULL, "option '--%s' needs a whole number, got '%s'", o->name, val);
		if (v->num < o->min || v->num > o->max)
			return usage_error(a, NULL, "option '--%s' must be between %ld and %ld, got %s",
					   o->name, o->min, o->max, val);
		v->str = val;
		return 0;
	case OPT_ENUM:
		for (size_t i = 0; o->values[i]; i++) {
			if (!strcmp(o->values[i], val)) {
				v->str = val;
				return 0;
			}
		}
		{
			struct buf allowed = BUF_INIT;
			const char *s = suggest(val, o->values, nvalues(o->values));
			join_values(&allowed, o->values);
			usage_error(a, s, "option '--%s' must be one of %s, got '%s'", o->name, allowed.ptr, val);
			buf_release(&allowed);
			return -1;
		}
	case OPT_KV:
		if (!strchr(val, '=') || val[0] == '=')
			return usage_error(a, NULL, "option '--%s' needs KEY=VALUE, got '%s'", o->name, val);
		strlist_add(&v->list, val);
		v->str = val;
		return 0;
	default:
		if (!*val)
			return usage_error(a, NULL, "option '--%s' needs a non-empty value", o->name);
		strlist_add(&v->list, val);
		v->str = val;
		return 0;
	}
}

static int parse_long(struct args *a, char *arg, int argc, char **argv, int *i)
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
	if (!o) {
		char *shown = xstrndup(arg, len + 2);
		int r = usage_error(a, suggest_option(a, name, len), "unknown option '%s'", shown);
		free(shown);
		return r;
	}
	if (o->kind == OPT_BOOL) {
		if (eq)
			return usage_error(a, NULL, "option '--%.*s' takes no value", (int)len, name);
		return store(a, o, o->name, NULL, negated);
	}
	if (eq)
		return store(a, o, o->name, eq + 1, 0);
	if (*i + 1 >= argc)
		return usage_error(a, NULL, "option '--%s' needs a value (%s)", o->name, opt_arg_name(o));
	return store(a, o, o->name, argv[++*i], 0);
}

static int parse_short(struct args *a, char *arg, int argc, char **argv, int *i)
{
	for (char *p = arg + 1; *p; p++) {
		const struct opt *o = NULL;

		if (a->cmd)
			o = find_short(a->cmd->opts, *p);
		if (!o)
			o = find_short(global_options, *p);
		if (!o)
			return usage_error(a, NULL, "unknown option '-%c'", *p);
		if (o->kind == OPT_BOOL) {
			if (store(a, o, o->name, NULL, 0))
				return -1;
			continue;
		}
		if (p[1])
			return store(a, o, o->name, p + 1, 0);
		if (*i + 1 >= argc)
			return usage_error(a, NULL, "option '-%c' needs a value (%s)", *p, opt_arg_name(o));
		return store(a, o, o->name, argv[++*i], 0);
	}
	return 0;
}

static int unknown_command(const struct args *a, const char *word)
{
	const char **names = xcalloc(table_len + 1, sizeof(*names));
	const char *s;
	int r;

	for (size_t k = 0; k < table_len; k++)
		names[k] = table[k]->flags & CMD_HIDDEN ? NULL : table[k]->name;
	s = suggest(word, names, table_len);
	r = usage_error(a, s, "unknown command '%s'", word);
	free(names);
	return r;
}

static int set_command(struct args *a, const char *word)
{
	const struct command *cmd = table_find(word);

	if (!cmd || (cmd->flags & CMD_HIDDEN)) {
		struct args top = { 0 };
		return unknown_command(&top, word);
	}
	a->cmd = cmd;
	a->local = xcalloc(opt_count(cmd->opts) + 1, sizeof(*a->local));
	return 0;
}

static int check_positionals(struct args *a)
{
	const struct command *c = a->cmd;

	if (!c)
		return 0;
	if ((int)a->pos.nr < c->min_pos)
		return usage_error(a, NULL, "'%s' needs %s", c->name, c->usage);
	if (c->max_pos >= 0 && (int)a->pos.nr > c->max_pos) {
		if (c->max_pos == 0)
			return usage_error(a, NULL, "'%s' takes no arguments, got '%s'", c->name, a->pos.items[0]);
		return usage_error(a, NULL, "'%s' takes at most %d argument%s, got '%s'", c->name, c->max_pos,
				   c->max_pos == 1 ? "" : "s", a->pos.items[c->max_pos]);
	}
	for (size_t k = 0; k < a->pos.nr; k++) {
		const char *p = a->pos.items[k];

		if (c->pos == POS_ENUM || (c->pos == POS_ACTION && k == 0)) {
			size_t n = nvalues(c->pos_values);
			int ok = 0;

			for (size_t j = 0; j < n; j++)
				ok |= !strcmp(c->pos_values[j], p);
			if (!ok) {
				struct buf allowed = BUF_INIT;
				join_values(&allowed, c->pos_values);
				if (c->pos == POS_ACTION)
					usage_error(a, suggest(p, c->pos_values, n), "'%s' does one of %s, got '%s'",
						    c->name, allowed.ptr, p);
				else
					usage_error(a, suggest(p, c->pos_values, n), "%s must be one of %s, got '%s'",
						    c->usage, allowed.ptr, p);
				buf_release(&allowed);
				return -1;
			}
		} else if (c->pos == POS_COMMAND) {
			const struct command *target = table_find(p);

			if (!target || target->flags & CMD_HIDDEN) {
				struct args top = { 0 }; /* the hint points at the command list */
				return unknown_command(&top, p);
			}
		}
	}
	return 0;
}

int args_parse(struct args *a, int argc, char **argv)
{
	return args_parse_table(a, argc, argv, commands, ncommands);
}

int args_parse_table(struct args *a, int argc, char **argv, const struct command *const *t, size_t n)
{
	int only_pos = 0;

	table = t;
	table_len = n;

	memset(a, 0, sizeof(*a));
	a->global = xcalloc(opt_count(global_options) + 1, sizeof(*a->global));
	for (int i = 1; i < argc; i++) {
		char *arg = argv[i];

		if (!only_pos && !strcmp(arg, "--")) {
			only_pos = 1;
		} else if (!only_pos && arg[0] == '-' && arg[1] == '-') {
			if (parse_long(a, arg, argc, argv, &i))
				return -1;
		} else if (!only_pos && arg[0] == '-' && arg[1]) {
			if (parse_short(a, arg, argc, argv, &i))
				return -1;
		} else if (!a->cmd) {
			if (set_command(a, arg))
				return -1;
		} else {
			strlist_add(&a->pos, arg);
		}
	}
	if (args_flag(a, "help") || args_flag(a, "version"))
		return 0;
	if (args_flag(a, "quiet") && args_flag(a, "verbose"))
		return usage_error(a, NULL, "options '--quiet' and '--verbose' cannot be used together");
	return check_positionals(a);
}

void args_release(struct args *a)
{
	size_t n = opt_count(global_options);

	for (size_t i = 0; a->global && i < n; i++)
		strlist_clear(&a->global[i].list);
	for (size_t i = 0; a->cmd && a->local && i < opt_count(a->cmd->opts); i++)
		strlist_clear(&a->local[i].list);
	/* a->local is only ever allocated together with a->cmd */
	free(a->global);
	free(a->local);
	strlist_clear(&a->pos);
	memset(a, 0, sizeof(*a));
}

const struct opt_value *args_opt(const struct args *a, const char *name)
{
	if (a->cmd && a->local) {
		for (size_t i = 0; a->cmd->opts && a->cmd->opts[i].name; i++)
			if (!strcmp(a->cmd->opts[i].name, name))
				return &a->local[i];
	}
	for (size_t i = 0; global_options[i].name; i++)
		if (!strcmp(global_options[i].name, name))
			return &a->global[i];
	return NULL;
}

/* An option the code asks for by a name no table has is a bug in blambda, not an unset option. */
static const struct opt_value *known_opt(const struct args *a, const char *name)
{
	const struct opt_value *v = args_opt(a, name);

	if (!v) {
		fprintf(stderr, "blambda: internal error: '%s' has no option '--%s'\n", a->cmd ? a->cmd->name : "blambda",
			name);
		abort();
	}
	return v;
}

int args_flag(const struct args *a, const char *name)
{
	return known_opt(a, name)->count;
}

const char *args_str(const struct args *a, const char *name)
{
	const struct opt_value *v = known_opt(a, name);

	return v->set ? v->str : NULL;
}
