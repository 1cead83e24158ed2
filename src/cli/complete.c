#include "cli/complete.h"

#include <string.h>

#include "cli/opt.h"
#include "config/config.h"
#include "core/buf.h"

const char *const complete_shells[] = { "bash", "zsh", "fish", NULL };

static const char header[] = "generated from blambda's option tables by 'blambda completion %s'; do not edit";

static int takes_value(const struct opt *o)
{
	return o->kind != OPTION_BOOL;
}

/* The names of the visible commands of a list (NULL-terminated when n is (size_t)-1), space-separated. */
static void command_names(const struct command *const *cmds, size_t n, struct buf *b)
{
	for (size_t i = 0; i < n && cmds[i]; i++)
		if (!(cmds[i]->flags & CMD_HIDDEN))
			buf_addf(b, "%s%s", b->len ? " " : "", cmds[i]->name);
}

/* the words a positional argument completes to, space-separated; none for files or free text */
static void positional_words(const struct command_table *t, const struct command *c, struct buf *b)
{
	switch (c->pos) {
	case POS_ENUM:
		for (size_t i = 0; c->pos_values[i]; i++)
			buf_addf(b, "%s%s", i ? " " : "", c->pos_values[i]);
		break;
	case POS_COMMAND:
		command_names(t->cmds, t->nr, b);
		break;
	case POS_CONFIG_KEY:
		for (int i = 0; i < CFG__COUNT; i++)
			buf_addf(b, "%s%s", i ? " " : "", cfg_keys[i].key);
		break;
	default:
		break;
	}
}

static void enum_words(const struct opt *o, struct buf *b)
{
	for (size_t i = 0; o->values[i]; i++)
		buf_addf(b, "%s%s", i ? " " : "", o->values[i]);
}

/* ---- bash ---------------------------------------------------------------- */

static void bash_value_cases(FILE *out, const struct opt *opts, const char *indent)
{
	struct buf w = BUF_INIT;

	for (size_t i = 0; opts && opts[i].name; i++) {
		const struct opt *o = &opts[i];

		if (!takes_value(o) || o->flags & OPT_HIDDEN)
			continue;
		fprintf(out, "%s", indent);
		if (o->short_name)
			fprintf(out, "-%c|", o->short_name);
		fprintf(out, "--%s) ", o->name);
		switch (o->kind) {
		case OPTION_PATH:
			fputs("compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n", out);
			break;
		case OPTION_DIR:
			fputs("compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\")) ;;\n", out);
			break;
		case OPTION_ENUM:
			buf_reset(&w);
			enum_words(o, &w);
			fprintf(out, "COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")) ;;\n", w.ptr);
			break;
		default:
			if (o->flags & OPT_EVENT_NAME) /* the names of the events/ files, as --event takes them */
				/* never through compgen -W, which would expand a file name such as $(cmd) */
				fputs("local f; for f in events/*.json; do [[ -e $f ]] || continue; f=${f#events/}; "
				      "f=${f%.json}; [[ $f == \"$cur\"* ]] && COMPREPLY+=(\"$f\"); done ;;\n", out);
			else
				fputs(";;\n", out);
		}
	}
	buf_release(&w);
}

/* The options' words into b, their --no- negations into neg (offered once --no- is typed) */
static void bash_option_words(struct buf *b, struct buf *neg, const struct opt *opts)
{
	for (size_t i = 0; opts && opts[i].name; i++) {
		if (opts[i].flags & OPT_HIDDEN)
			continue;
		buf_addf(b, "%s--%s", b->len ? " " : "", opts[i].name);
		if (opts[i].kind == OPTION_BOOL && !(opts[i].flags & OPT_NO_NEGATE))
			buf_addf(neg, "%s--no-%s", neg->len ? " " : "", opts[i].name);
		if (opts[i].short_name)
			buf_addf(b, " -%c", opts[i].short_name);
	}
}

static void bash_value_options(struct buf *b, const struct opt *opts)
{
	for (size_t i = 0; opts && opts[i].name; i++) {
		if (!takes_value(&opts[i]))
			continue;
		buf_addf(b, "%s--%s", b->len ? "|" : "", opts[i].name);
		if (opts[i].short_name)
			buf_addf(b, "|-%c", opts[i].short_name);
	}
}

/* Calls fn for each command that runs: a command, or each subcommand of one that has them. */
static void each_leaf(const struct command_table *t, void (*fn)(FILE *out, const struct command_table *t,
							 const struct command *c), FILE *out)
{
	for (size_t i = 0; i < t->nr; i++) {
		const struct command *c = t->cmds[i];

		if (c->flags & CMD_HIDDEN)
			continue;
		if (!c->subcommands)
			fn(out, t, c);
		for (size_t k = 0; c->subcommands && c->subcommands[k]; k++)
			fn(out, t, c->subcommands[k]);
	}
}

/* the value of a leaf's option before the cursor */
static void bash_leaf_values(FILE *out, const struct command_table *t, const struct command *c)
{
	struct buf vo = BUF_INIT;

	(void)t;
	bash_value_options(&vo, c->opts);
	if (vo.len) {
		fprintf(out, "        \"%s\")\n            case $prev in\n", command_path(c));
		bash_value_cases(out, c->opts, "                ");
		fprintf(out, "            esac\n            case $prev in %s) return 0 ;; esac\n            ;;\n", vo.ptr);
	}
	buf_release(&vo);
}

/* a leaf's options and positional arguments */
static void bash_leaf_words(FILE *out, const struct command_table *t, const struct command *c)
{
	struct buf b = BUF_INIT, neg = BUF_INIT, words = BUF_INIT;

	bash_option_words(&b, &neg, c->opts);
	bash_option_words(&b, &neg, global_options);
	positional_words(t, c, &words);
	fprintf(out, "        \"%s\")\n            if [[ $cur == --no-* ]]; then\n"
		"                COMPREPLY=($(compgen -W \"%s %s\" -- \"$cur\"))\n"
		"            elif [[ $cur == -* ]]; then\n"
		"                COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))\n", command_path(c), b.ptr, neg.ptr, b.ptr);
	if (words.len)
		fprintf(out, "            else\n                COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))\n", words.ptr);
	else if (c->pos == POS_FILE)
		fputs("            else\n                compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\"))\n", out);
	else if (c->pos == POS_FUNCTION)
		fputs("            else\n                COMPREPLY=($(compgen -W \"$(blambda config --functions 2>/dev/null)\" -- "
		      "\"$cur\"))\n", out);
	fputs("            fi\n            ;;\n", out);
	buf_release(&b);
	buf_release(&neg);
	buf_release(&words);
}

static void write_bash(FILE *out, const struct command_table *t)
{
	struct buf b = BUF_INIT, parents = BUF_INIT;

	for (size_t i = 0; i < t->nr; i++)
		if (t->cmds[i]->subcommands && !(t->cmds[i]->flags & CMD_HIDDEN))
			buf_addf(&parents, "%s%s", parents.len ? "|" : "", t->cmds[i]->name);
	fputs("# bash completion for blambda                             -*- shell-script -*-\n# ", out);
	fprintf(out, header, "bash");
	fputs("\n\n_blambda()\n{\n"
	      "    local cur prev cmd sub i w\n"
	      "    COMPREPLY=()\n"
	      "    cur=${COMP_WORDS[COMP_CWORD]}\n"
	      "    prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	      "    # --opt=value arrives as three words when '=' breaks words\n"
	      "    if [[ $cur == = ]]; then\n"
	      "        cur=\n"
	      "    elif [[ $prev == = && $COMP_CWORD -ge 2 ]]; then\n"
	      "        prev=${COMP_WORDS[COMP_CWORD-2]}\n"
	      "    fi\n\n"
	      "    # the command is the first word that is neither an option nor an option's value;\n"
	      "    # a command with subcommands takes the next such word as its subcommand\n"
	      "    cmd= sub=\n"
	      "    for (( i = 1; i < COMP_CWORD; i++ )); do\n"
	      "        w=${COMP_WORDS[i]}\n"
	      "        case $w in\n", out);
	bash_value_options(&b, global_options);
	fprintf(out, "            %s) [[ ${COMP_WORDS[i+1]} == = ]] && (( i++ )); (( i++ )) ;;\n", b.ptr);
	fputs("            -*) ;;\n"
	      "            *)\n"
	      "                if [[ -n $cmd ]]; then sub=$w; break; fi\n"
	      "                cmd=$w\n", out);
	fprintf(out, "                case $cmd in %s) ;; *) break ;; esac\n", parents.len ? parents.ptr : "''");
	fputs("                ;;\n"
	      "        esac\n"
	      "    done\n\n"
	      "    # the value of the option before the cursor\n"
	      "    case $prev in\n", out);
	bash_value_cases(out, global_options, "        ");
	fputs("    esac\n"
	      "    [[ ${#COMPREPLY[@]} -gt 0 ]] && return 0\n\n", out);
	/* a command with subcommands: first the subcommand, then it is the command */
	fputs("    case $cmd in\n", out);
	for (size_t i = 0; i < t->nr; i++) {
		const struct command *c = t->cmds[i];

		if (!c->subcommands || c->flags & CMD_HIDDEN)
			continue;
		buf_reset(&b);
		command_names(c->subcommands, (size_t)-1, &b);
		fprintf(out, "        %s)\n            if [[ -z $sub ]]; then\n"
			"                [[ $cur == -* ]] || COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))\n"
			"                return 0\n            fi\n            cmd=\"$cmd $sub\" ;;\n", c->name, b.ptr);
	}
	fputs("    esac\n\n    case $cmd in\n", out);
	each_leaf(t, bash_leaf_values, out);
	buf_reset(&b);
	bash_value_options(&b, global_options);
	fprintf(out, "    esac\n    case $prev in %s) return 0 ;; esac\n\n", b.ptr);

	fputs("    if [[ -z $cmd ]]; then\n"
	      "        if [[ $cur == -* ]]; then\n", out);
	buf_reset(&b);
	{
		struct buf neg = BUF_INIT;

		bash_option_words(&b, &neg, global_options);
		fprintf(out, "            [[ $cur == --no-* ]] && COMPREPLY=($(compgen -W \"%s %s\" -- \"$cur\")) ||\n"
			"                COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))\n", b.ptr, neg.ptr, b.ptr);
		buf_release(&neg);
	}
	buf_reset(&b);
	command_names(t->cmds, t->nr, &b);
	fprintf(out, "        else\n            COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))\n        fi\n"
		"        return 0\n    fi\n\n    case $cmd in\n", b.ptr);
	each_leaf(t, bash_leaf_words, out);
	fputs("    esac\n    return 0\n}\ncomplete -F _blambda blambda\n", out);
	buf_release(&b);
	buf_release(&parents);
}

/* ---- zsh ----------------------------------------------------------------- */

/* help text inside '...[text]...' */
static void zsh_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", out);
		else if (*s == '[' || *s == ']' || *s == ':' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else
			fputc(*s, out);
	}
}

static void zsh_action(FILE *out, const struct opt *o)
{
	struct buf w = BUF_INIT;
	const char *arg = opt_arg_name(o);

	switch (o->kind) {
	case OPTION_BOOL:
		break;
	case OPTION_PATH:
		fprintf(out, ":%s:_files", arg);
		break;
	case OPTION_DIR:
		fprintf(out, ":%s:_files -/", arg);
		break;
	case OPTION_ENUM:
		enum_words(o, &w);
		fprintf(out, ":%s:(%s)", arg, w.ptr);
		break;
	default:
		if (o->flags & OPT_EVENT_NAME) /* the names of the events/ files, added as they are */
			fprintf(out, ":%s:_blambda_events", arg);
		else
			fprintf(out, ":%s: ", arg);
	}
	buf_release(&w);
}

/*
 * One _arguments spec per line; `eol` ends each line (" \\" inside a
 * command). With `negations`, the --no- forms of the on/off options alone
 * (offered only once --no- is typed), else the options themselves.
 */
static void zsh_specs(FILE *out, const struct opt *opts, const char *eol, int negations)
{
	for (size_t i = 0; opts && opts[i].name; i++) {
		const struct opt *o = &opts[i];
		int rep = o->kind == OPTION_KV || o->kind == OPTION_LIST || !strcmp(o->name, "verbose") ||
			  !strcmp(o->name, "directory");
		const char *eq = takes_value(o) ? "=" : "";

		if (o->flags & OPT_HIDDEN)
			continue;
		if (negations) {
			if (o->kind == OPTION_BOOL && !(o->flags & OPT_NO_NEGATE)) {
				fprintf(out, "    '--no-%s[", o->name);
				zsh_text(out, "turn off --");
				zsh_text(out, o->name);
				fprintf(out, "]'%s\n", eol);
			}
			continue;
		}
		fputs("    ", out);
		if (o->short_name && rep)
			fprintf(out, "'*'{-%c%s,--%s%s}'[", o->short_name, takes_value(o) ? "+" : "", o->name, eq);
		else if (o->short_name)
			fprintf(out, "'(-%c --%s)'{-%c%s,--%s%s}'[", o->short_name, o->name, o->short_name,
				takes_value(o) ? "+" : "", o->name, eq);
		else
			fprintf(out, "'%s--%s%s[", rep ? "*" : "", o->name, eq);
		zsh_text(out, o->help);
		fputs("]", out);
		zsh_action(out, o);
		fprintf(out, "'%s\n", eol);
	}
}

/* The condition under which --no- forms are offered: one is being typed, or was typed before */
static const char zsh_negating[] = "[[ $PREFIX == --no-* || -n ${words[(r)--no-*]} ]]";

/* `_arguments` for a command that runs: its options and positional arguments, the globals too */
static void zsh_leaf(FILE *out, const struct command_table *t, const struct command *c, const char *indent)
{
	struct buf words = BUF_INIT;

	fprintf(out, "%slocal -a negs\n%s%s && negs=(\n", indent, indent, zsh_negating);
	for (size_t k = 0; c->opts && c->opts[k].name; k++) {
		struct opt tbl[2] = { c->opts[k], OPT_END };

		fputs(indent, out);
		zsh_specs(out, tbl, "", 1);
	}
	fprintf(out, "%s)\n", indent);
	fprintf(out, "%s_arguments -s $globals $negs \\\n", indent);
	for (size_t k = 0; c->opts && c->opts[k].name; k++) {
		struct opt tbl[2] = { c->opts[k], OPT_END };

		fputs(indent, out);
		zsh_specs(out, tbl, " \\", 0);
	}
	positional_words(t, c, &words);
	fprintf(out, "%s  ", indent);
	if (c->max_pos != 0) {
		fputs(c->max_pos == 1 ? "'1:" : "'*:", out);
		zsh_text(out, c->usage && *c->usage ? c->usage : "argument");
		if (words.len)
			fprintf(out, ":(%s)'", words.ptr);
		else if (c->pos == POS_FILE)
			fputs(":_files'", out);
		else if (c->pos == POS_FUNCTION)
			fputs(":{compadd -- ${(f)\"$(blambda config --functions 2>/dev/null)\"}}'", out);
		else
			fputs(": '", out);
	}
	fputs(" && ret=0\n", out);
	buf_release(&words);
}

/* `name:summary` entries for _describe */
static void zsh_describe_list(FILE *out, const struct command *const *cmds, size_t n, const char *indent)
{
	for (size_t i = 0; i < n && cmds[i]; i++) {
		if (cmds[i]->flags & CMD_HIDDEN)
			continue;
		fprintf(out, "%s'%s:", indent, cmds[i]->name);
		zsh_text(out, cmds[i]->summary);
		fputs("'\n", out);
	}
}

/* a command with subcommands: the subcommand first, then that one's arguments */
static void zsh_parent(FILE *out, const struct command_table *t, const struct command *c)
{
	fprintf(out, "        %s)\n          local -a subs\n          subs=(\n", c->name);
	zsh_describe_list(out, c->subcommands, (size_t)-1, "            ");
	fputs("          )\n"
	      "          _arguments -C -s $globals '1:subcommand:->sub' '*::argument:->subargument' && ret=0\n"
	      "          case $state in\n", out);
	fprintf(out, "            sub) _describe -t commands 'blambda %s subcommand' subs && ret=0 ;;\n", c->name);
	fprintf(out, "            subargument)\n"
		"              curcontext=\"${curcontext%%:*:*}:blambda-%s-$words[1]:\"\n"
		"              case $words[1] in\n", c->name);
	for (size_t k = 0; c->subcommands[k]; k++) {
		fprintf(out, "                %s)\n", c->subcommands[k]->name);
		zsh_leaf(out, t, c->subcommands[k], "                  ");
		fputs("                  ;;\n", out);
	}
	fputs("              esac\n              ;;\n          esac\n          ;;\n", out);
}

static void write_zsh(FILE *out, const struct command_table *t)
{
	fputs("#compdef blambda\n# ", out);
	fprintf(out, header, "zsh");
	fputs("\n\n"
	      "# the names of the project's events, as --event takes them (added as they are, never expanded)\n"
	      "_blambda_events() {\n"
	      "  local -a evs\n"
	      "  evs=(events/*.json(N:t:r))\n"
	      "  compadd -a evs\n"
	      "}\n\n"
	      "_blambda() {\n"
	      "  local curcontext=\"$curcontext\" state line ret=1\n"
	      "  local -a globals cmds\n"
	      "  globals=(\n", out);
	zsh_specs(out, global_options, "", 0);
	fprintf(out, "  )\n  %s && globals+=(\n", zsh_negating);
	zsh_specs(out, global_options, "", 1);
	fputs("  )\n  cmds=(\n", out);
	zsh_describe_list(out, t->cmds, t->nr, "    ");
	fputs("  )\n"
	      "  _arguments -C -s $globals '1:command:->command' '*::argument:->argument' && ret=0\n"
	      "  case $state in\n"
	      "    command)\n"
	      "      _describe -t commands 'blambda command' cmds && ret=0\n"
	      "      ;;\n"
	      "    argument)\n"
	      "      curcontext=\"${curcontext%:*:*}:blambda-$words[1]:\"\n"
	      "      case $words[1] in\n", out);
	for (size_t i = 0; i < t->nr; i++) {
		const struct command *c = t->cmds[i];

		if (c->flags & CMD_HIDDEN)
			continue;
		if (c->subcommands) {
			zsh_parent(out, t, c);
			continue;
		}
		fprintf(out, "        %s)\n", c->name);
		zsh_leaf(out, t, c, "          ");
		fputs("          ;;\n", out);
	}
	fputs("      esac\n      ;;\n  esac\n  return ret\n}\n\n_blambda \"$@\"\n", out);
}

/* ---- fish ---------------------------------------------------------------- */

static void fish_text(FILE *out, const char *s)
{
	fputc('\'', out);
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('\'', out);
}

static void fish_opts(FILE *out, const struct opt *opts, const char *cond)
{
	struct buf w = BUF_INIT;

	for (size_t i = 0; opts && opts[i].name; i++) {
		const struct opt *o = &opts[i];

		if (o->flags & OPT_HIDDEN)
			continue;
		fputs("complete -c blambda", out);
		if (cond)
			fprintf(out, " -n '%s'", cond);
		if (o->short_name)
			fprintf(out, " -s %c", o->short_name);
		fprintf(out, " -l %s", o->name);
		switch (o->kind) {
		case OPTION_BOOL: break;
		case OPTION_PATH: fputs(" -r -F", out); break;
		case OPTION_DIR: fputs(" -x -a '(__fish_complete_directories)'", out); break;
		case OPTION_ENUM:
			buf_reset(&w);
			enum_words(o, &w);
			fprintf(out, " -x -a '%s'", w.ptr);
			break;
		default:
			fputs(o->flags & OPT_EVENT_NAME ? " -x -a '(__blambda_events)'" : " -x", out);
		}
		fputs(" -d ", out);
		fish_text(out, o->help);
		fputc('\n', out);
		if (o->kind == OPTION_BOOL && !(o->flags & OPT_NO_NEGATE)) {
			/* offered once --no- is typed */
			fprintf(out, "complete -c blambda -n '%s%sstring match -q -- \"--no-*\" (commandline -ct)'",
				cond ? cond : "", cond ? "; and " : "");
			fprintf(out, " -l no-%s -d 'turn off --%s'\n", o->name, o->name);
		}
	}
	buf_release(&w);
}

/* a command that runs: its options and positional arguments, when `cond` holds */
static void fish_leaf(FILE *out, const struct command_table *t, const struct command *c, const char *cond)
{
	struct buf words = BUF_INIT;

	fish_opts(out, c->opts, cond);
	positional_words(t, c, &words);
	if (words.len)
		fprintf(out, "complete -c blambda -n '%s' -a '%s'\n", cond, words.ptr);
	else if (c->pos == POS_FILE)
		fprintf(out, "complete -c blambda -n '%s' -F\n", cond);
	else if (c->pos == POS_FUNCTION)
		fprintf(out, "complete -c blambda -n '%s' -f -a '(blambda config --functions 2>/dev/null)'\n", cond);
	buf_release(&words);
}

/* a command with subcommands: their names until one is given, then that one's completions */
static void fish_parent(FILE *out, const struct command_table *t, const struct command *c)
{
	struct buf subs = BUF_INIT, cond = BUF_INIT;

	command_names(c->subcommands, (size_t)-1, &subs);
	for (size_t k = 0; c->subcommands[k]; k++) {
		fprintf(out, "complete -c blambda -n '__fish_seen_subcommand_from %s; and not __fish_seen_subcommand_from %s'"
			" -a %s -d ", c->name, subs.ptr, c->subcommands[k]->name);
		fish_text(out, c->subcommands[k]->summary);
		fputc('\n', out);
	}
	for (size_t k = 0; c->subcommands[k]; k++) {
		buf_reset(&cond);
		buf_addf(&cond, "__fish_seen_subcommand_from %s; and __fish_seen_subcommand_from %s", c->name,
			 c->subcommands[k]->name);
		fish_leaf(out, t, c->subcommands[k], cond.ptr);
	}
	buf_release(&subs);
	buf_release(&cond);
}

static void write_fish(FILE *out, const struct command_table *t)
{
	struct buf names = BUF_INIT, cond = BUF_INIT;

	fputs("# fish completion for blambda\n# ", out);
	fprintf(out, header, "fish");
	fputs("\n\n"
	      "# the names of the project's events, as --event takes them\n"
	      "function __blambda_events\n"
	      "    for f in events/*.json\n"
	      "        string replace -r '^events/(.*)\\.json$' '$1' -- $f\n"
	      "    end\n"
	      "end\n\n"
	      "complete -c blambda -f\n", out);
	command_names(t->cmds, t->nr, &names);
	for (size_t i = 0; i < t->nr; i++) {
		if (t->cmds[i]->flags & CMD_HIDDEN)
			continue;
		fprintf(out, "complete -c blambda -n 'not __fish_seen_subcommand_from %s' -a %s -d ", names.ptr,
			t->cmds[i]->name);
		fish_text(out, t->cmds[i]->summary);
		fputc('\n', out);
	}
	fish_opts(out, global_options, NULL);
	for (size_t i = 0; i < t->nr; i++) {
		const struct command *c = t->cmds[i];

		if (c->flags & CMD_HIDDEN)
			continue;
		if (c->subcommands) {
			fish_parent(out, t, c);
			continue;
		}
		buf_reset(&cond);
		buf_addf(&cond, "__fish_seen_subcommand_from %s", c->name);
		fish_leaf(out, t, c, cond.ptr);
	}
	buf_release(&names);
	buf_release(&cond);
}

int complete_write(FILE *out, const char *shell, const struct command_table *t)
{
	if (!strcmp(shell, "bash"))
		write_bash(out, t);
	else if (!strcmp(shell, "zsh"))
		write_zsh(out, t);
	else if (!strcmp(shell, "fish"))
		write_fish(out, t);
	else
		return -1;
	return 0;
}
