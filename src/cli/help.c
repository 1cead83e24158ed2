#include "cli/help.h"

#include <ctype.h>
#include <string.h>

#include "core/buf.h"

#define WIDTH 80
#define OPT_COLUMN 26

void help_opt_spelling(struct buf *b, const struct opt *o)
{
	const char *arg = opt_arg_name(o);

	if (o->short_name)
		buf_addf(b, "-%c, ", o->short_name);
	buf_addf(b, "--%s", o->name);
	if (arg)
		buf_addf(b, " %s", arg);
}

void help_opt_text(struct buf *b, const struct opt *o)
{
	buf_adds(b, o->help);
	if (o->kind == OPTION_ENUM) {
		buf_adds(b, " (");
		for (size_t i = 0; o->values[i]; i++)
			buf_addf(b, "%s%s", i ? ", " : "", o->values[i]);
		buf_adds(b, ")");
	} else if (o->kind == OPTION_INT) {
		buf_addf(b, " (%ld-%ld)", o->min, o->max);
	}
	if (o->kind == OPTION_KV || o->kind == OPTION_LIST)
		buf_adds(b, "; repeatable");
}

/*
 * Print text wrapped to WIDTH. The cursor is at column `at` already; the first
 * line is padded to column `first` and later lines are indented by `indent`.
 */
static void wrap_at(FILE *out, const char *text, int at, int first, int indent)
{
	int col, line_start = 1;
	const char *p = text;

	fprintf(out, "%*s", first > at ? first - at : 0, "");
	col = first > at ? first : at;
	while (*p) {
		size_t wl = strcspn(p, " \n");

		if (!line_start && col + 1 + (int)wl > WIDTH) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
			line_start = 1;
		}
		if (!line_start) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, wl, out);
		col += (int)wl;
		line_start = 0;
		p += wl;
		if (*p == '\n' && p[1] == '\n') {
			/* paragraph break */
			fprintf(out, "\n\n%*s", indent, "");
			col = indent;
			line_start = 1;
			p += 2;
		} else if (*p) {
			p++;
		}
	}
	fputc('\n', out);
}

static void wrap(FILE *out, const char *text, int first, int indent)
{
	wrap_at(out, text, 0, first, indent);
}

static void print_options(FILE *out, const struct opt *opts)
{
	struct buf b = BUF_INIT, t = BUF_INIT;

	for (size_t i = 0; opts && opts[i].name; i++) {
		if (opts[i].flags & OPT_HIDDEN)
			continue;
		buf_reset(&b);
		buf_reset(&t);
		buf_adds(&b, opts[i].short_name ? "  " : "      ");
		help_opt_spelling(&b, &opts[i]);
		help_opt_text(&t, &opts[i]);
		if (b.len + 2 > OPT_COLUMN) {
			fprintf(out, "%s\n", b.ptr);
			wrap(out, t.ptr, OPT_COLUMN, OPT_COLUMN);
		} else {
			fputs(b.ptr, out);
			wrap_at(out, t.ptr, (int)b.len, OPT_COLUMN, OPT_COLUMN);
		}
	}
	buf_release(&b);
	buf_release(&t);
}

/* A list of commands: name, then its summary wrapped from column 16. */
static void print_command_list(FILE *out, const struct command *const *cmds, size_t n)
{
	for (size_t i = 0; i < n && cmds[i]; i++) {
		if (cmds[i]->flags & CMD_HIDDEN)
			continue;
		fprintf(out, "  %s", cmds[i]->name);
		wrap_at(out, cmds[i]->summary, 2 + (int)strlen(cmds[i]->name), 16, 16);
	}
}

static size_t count_subcommands(const struct command *c)
{
	size_t n = 0;

	while (c->subcommands && c->subcommands[n])
		n++;
	return n;
}

void help_print_main(FILE *out, const struct command_table *t)
{
	fputs("usage: blambda [OPTIONS] COMMAND [ARGS]\n\n", out);
	wrap(out, "Build, deploy and run Clojure functions on AWS Lambda with a Babashka custom runtime.", 0, 0);
	fputs("\nCommands:\n", out);
	print_command_list(out, t->cmds, t->nr);
	fputs("\nGlobal options (before or after the command):\n", out);
	print_options(out, global_options);
	fputs("\nOn/off options also take a --no- form (--no-json).\n"
	      "Run 'blambda help COMMAND' or 'man blambda' for more.\n", out);
}

static void print_examples(FILE *out, const char *p)
{
	fputs("\nExamples:\n", out);
	while (*p) {
		size_t tab = strcspn(p, "\t\n"), end = strcspn(p, "\n");

		fprintf(out, "  %.*s\n", (int)tab, p);
		if (tab < end)
			fprintf(out, "      %.*s\n", (int)(end - tab - 1), p + tab + 1);
		p += end;
		if (*p)
			p++;
	}
}

/*
 * A command's page, the way it is read: what to type (usage, then the
 * options or subcommands), then what it does, then examples to copy.
 */
void help_print_command(FILE *out, const struct command *c)
{
	if (c->subcommands)
		fprintf(out, "usage: blambda %s SUBCOMMAND [OPTIONS] [ARGS]\n\n", c->name);
	else
		fprintf(out, "usage: blambda %s [OPTIONS]%s%s\n\n", command_path(c), c->usage && *c->usage ? " " : "",
			c->usage ? c->usage : "");
	if (c->summary) {
		struct buf b = BUF_INIT;

		/* the summary is a phrase ("publish the layers ..."): said as a sentence */
		buf_addf(&b, "%c%s.", toupper((unsigned char)c->summary[0]), c->summary + 1);
		wrap(out, b.ptr, 0, 0);
		buf_release(&b);
	}
	if (c->subcommands) {
		fputs("\nSubcommands:\n", out);
		print_command_list(out, c->subcommands, count_subcommands(c));
		fprintf(out, "\nRun 'blambda %s SUBCOMMAND --help' for each one's options.\n", c->name);
	}
	if (opt_count(c->opts)) {
		fputs("\nOptions:\n", out);
		print_options(out, c->opts);
	}
	if (c->description) {
		fputs("\nDescription:\n", out);
		wrap(out, c->description, 2, 2);
	}
	if (c->examples)
		print_examples(out, c->examples);
	fputs("\nGlobal options are described in 'blambda --help'.\n", out);
}
