#include "cli/man.h"

#include <ctype.h>
#include <string.h>

#include "cli/help.h"
#include "cli/opt.h"
#include "config/config.h"
#include "core/buf.h"

/* Text for a man(7) line: backslashes and dashes escaped, a leading dot or quote defused. */
static void roff(FILE *out, const char *s, size_t n)
{
	if (n && (s[0] == '.' || s[0] == '\''))
		fputs("\\&", out);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\')
			fputs("\\e", out);
		else if (s[i] == '-')
			fputs("\\-", out);
		else if (s[i] == '"') /* the same everywhere, and inside a quoted macro argument too */
			fputs("\\(dq", out);
		else
			fputc(s[i], out);
	}
}

static void roffs(FILE *out, const char *s)
{
	roff(out, s, strlen(s));
}

/* How many bytes roff() writes for these n */
static size_t roff_len(const char *s, size_t n)
{
	size_t len = n && (s[0] == '.' || s[0] == '\'') ? 2 : 0;

	for (size_t i = 0; i < n; i++)
		len += s[i] == '"' ? 4 : s[i] == '\\' || s[i] == '-' ? 2 : 1;
	return len;
}

/*
 * Filled text: words joined into lines of at most 72 bytes as written
 * (escapes counted), and every sentence starting on a new line, as man(7)
 * wants.
 */
static void filled(FILE *out, const char *s, size_t n)
{
	size_t col = 0, i = 0, wide;

	while (i < n) {
		size_t w;

		while (i < n && (s[i] == ' ' || s[i] == '\n'))
			i++;
		w = 0;
		while (i + w < n && s[i + w] != ' ' && s[i + w] != '\n')
			w++;
		if (!w)
			break;
		wide = roff_len(s + i, w);
		if (col && col + 1 + wide > 72) {
			fputc('\n', out);
			col = 0;
		}
		if (col)
			fputc(' ', out);
		roff(out, s + i, w);
		col += wide + (col ? 1 : 0);
		if (strchr(".?!", s[i + w - 1]) && w > 1) {
			fputc('\n', out);
			col = 0;
		}
		i += w;
	}
	if (col)
		fputc('\n', out);
}

/* Paragraphs separated by blank lines; single newlines are spaces. */
static void paragraphs(FILE *out, const char *text)
{
	const char *p = text;

	while (*p) {
		const char *end = strstr(p, "\n\n");
		size_t n = end ? (size_t)(end - p) : strlen(p);

		filled(out, p, n);
		if (!end)
			break;
		fputs(".PP\n", out);
		p = end + 2;
	}
}

static void opt_item(FILE *out, const struct opt *o)
{
	struct buf t = BUF_INIT;
	const char *arg = opt_arg_name(o);

	fputs(".TP\n", out);
	if (o->short_name)
		fprintf(out, "\\fB\\-%c\\fR, ", o->short_name);
	fputs("\\fB\\-\\-", out);
	roffs(out, o->name);
	fputs("\\fR", out);
	if (arg) {
		fputs(" \\fI", out);
		roffs(out, arg);
		fputs("\\fR", out);
	}
	fputc('\n', out);
	help_opt_text(&t, o);
	if (t.len)
		t.ptr[0] = (char)toupper((unsigned char)t.ptr[0]);
	buf_addch(&t, '.');
	if (o->kind == OPTION_BOOL && !(o->flags & OPT_NO_NEGATE))
		buf_addf(&t, " --no-%s turns it off.", o->name);
	if (o->config_key)
		buf_addf(&t, " Overrides %s in blambda.yml.", o->config_key);
	filled(out, t.ptr, t.len);
	buf_release(&t);
}

/* Each runnable command (a subcommand in place of a command that has them), in the table's order. */
static void each_command(const struct command_table *t, void (*fn)(FILE *out, const struct command *c), FILE *out)
{
	for (size_t i = 0; i < t->nr; i++) {
		const struct command *c = t->cmds[i];

		if (c->flags & CMD_HIDDEN)
			continue;
		if (!c->subcommands)
			fn(out, c);
		for (size_t k = 0; c->subcommands && c->subcommands[k]; k++)
			fn(out, c->subcommands[k]);
	}
}

static void synopsis_line(FILE *out, const struct command *c)
{
	fputs(".br\n.B blambda\n.B ", out);
	roffs(out, command_path(c));
	fputs("\n.RI [ OPTIONS ]\n", out);
	if (c->usage && *c->usage) {
		fputs(".I \"", out);
		roffs(out, c->usage);
		fputs("\"\n", out);
	}
}

static void synopsis(FILE *out, const struct command_table *t)
{
	fputs(".B blambda\n.RI [ OPTIONS ]\n.I COMMAND\n.RI [ ARGS ]\n", out);
	each_command(t, synopsis_line, out);
}

static void examples(FILE *out, const char *p)
{
	fputs(".PP\nExamples:\n.RS\n", out);
	while (*p) {
		size_t tab = strcspn(p, "\t\n"), end = strcspn(p, "\n");

		fputs(".TP\n.B \"", out);
		roff(out, p, tab);
		fputs("\"\n", out);
		if (tab < end)
			filled(out, p + tab + 1, end - tab - 1);
		p += end;
		if (*p)
			p++;
	}
	fputs(".RE\n", out);
}

static void command_section(FILE *out, const struct command *c)
{
	fputs(".SS \"blambda ", out);
	roffs(out, command_path(c));
	if (c->usage && *c->usage) {
		fputc(' ', out);
		roffs(out, c->usage);
	}
	fputs("\"\n", out);
	paragraphs(out, c->description);
	if (opt_count(c->opts)) {
		fputs(".PP\nOptions:\n.RS\n", out);
		for (size_t k = 0; c->opts[k].name; k++)
			if (!(c->opts[k].flags & OPT_HIDDEN))
				opt_item(out, &c->opts[k]);
		fputs(".RE\n", out);
	}
	if (c->examples)
		examples(out, c->examples);
}

static void config_keys_section(FILE *out)
{
	for (int i = 0; i < CFG__COUNT; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		fputs(".TP\n.B ", out);
		roffs(out, k->key);
		fprintf(out, "\n%c", toupper((unsigned char)k->help[0]));
		roffs(out, k->help + 1);
		fputs(".\n", out);
		switch (k->type) {
		case CFG_INT:
			fprintf(out, "From %ld to %ld.\n", k->min, k->max);
			break;
		case CFG_ENUM:
			fputs("One of ", out);
			for (size_t j = 0; k->values[j]; j++) {
				fputs(j ? ", " : "", out);
				roffs(out, k->values[j]);
			}
			fputs(".\n", out);
			break;
		case CFG_LIST:
			fputs("A list.\n", out);
			break;
		case CFG_TREE:
			fputs("A list of entries.\n", out);
			break;
		default:
			break;
		}
		if (k->def) {
			fputs("Default: ", out);
			roffs(out, k->def);
			fputs(".\n", out);
		}
		if (k->env) {
			fputs("Environment: \\fB", out);
			roffs(out, k->env);
			fputs("\\fR.\n", out);
		}
	}
}

static void config_env_section(FILE *out)
{
	for (int i = 0; i < CFG__COUNT; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		if (!k->env)
			continue;
		fputs(".TP\n.B ", out);
		roffs(out, k->env);
		fputs("\nSets \\fB", out);
		roffs(out, k->key);
		fputs("\\fR", out);
		if (k->type == CFG_LIST)
			fputs(" (comma\\-separated)", out);
		fputs(".\n", out);
	}
}

/* Each command's section; a command with subcommands has one for itself, then one for each of them. */
static void commands_section(FILE *out, const struct command_table *t)
{
	for (size_t i = 0; i < t->nr; i++) {
		const struct command *c = t->cmds[i];

		if (c->flags & CMD_HIDDEN)
			continue;
		if (c->subcommands) {
			fputs(".SS \"blambda ", out);
			roffs(out, c->name);
			fputs(" SUBCOMMAND\"\n", out);
			paragraphs(out, c->description);
		}
		for (size_t k = 0; c->subcommands && c->subcommands[k]; k++)
			command_section(out, c->subcommands[k]);
		if (!c->subcommands)
			command_section(out, c);
	}
}

int man_render(FILE *out, FILE *tmpl, const char *name, const struct command_table *t, struct error *err)
{
	char line[4096];

	while (fgets(line, sizeof(line), tmpl)) {
		char *v;

		if (!strcmp(line, "@SYNOPSIS@\n")) {
			synopsis(out, t);
		} else if (!strcmp(line, "@GLOBAL_OPTIONS@\n")) {
			for (size_t k = 0; global_options[k].name; k++)
				opt_item(out, &global_options[k]);
		} else if (!strcmp(line, "@COMMANDS@\n")) {
			commands_section(out, t);
		} else if (!strcmp(line, "@CONFIG_KEYS@\n")) {
			config_keys_section(out);
		} else if (!strcmp(line, "@CONFIG_ENV@\n")) {
			config_env_section(out);
		} else if ((v = strstr(line, "@VERSION@"))) {
			fwrite(line, 1, (size_t)(v - line), out);
			fputs(BLAMBDA_VERSION, out);
			fputs(v + 9, out);
		} else if (line[0] == '@') {
			return error_set(err, EXIT_FAIL, "%s: unknown placeholder %.*s", name, (int)strcspn(line, "\n"),
					 line);
		} else {
			fputs(line, out);
		}
	}
	return ferror(tmpl) ? error_set(err, EXIT_FAIL, "cannot read '%s'", name) : 0;
}
