#include "cli/complete.h"

#include <string.h>

#include "cli/opt.h"
#include "config/config.h"
#include "core/buf.h"

const char *const complete_shells[] = { "bash", "zsh", "fish", NULL };

static const char header[] = "generated from blambda's option tables by 'blambda completion %s'; do not edit";

static int takes_value(const struct opt *o)
{
	return o->kind != OPT_BOOL;
}

/* the words a positional argument completes to, space-separated; NULL for files or free text */
static void positional_words(const struct command *c, struct buf *b)
{
	switch (c->pos) {
	case POS_ENUM:
	case POS_ACTION:
		for (size_t i = 0; c->pos_values[i]; i++)
			buf_addf(b, "%s%s", i ? " " : "", c->pos_values[i]);
		break;
	case POS_COMMAND:
		for (size_t i = 0; i < ncommands; i++)
			if (!(commands[i]->flags & CMD_HIDDEN))
				buf_addf(b, "%s%s", b->len ? " " : "", commands[i]->name);
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
		case OPT_PATH:
			fputs("compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n", out);
			break;
		case OPT_DIR:
			fputs("compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\")) ;;\n", out);
			break;
		case OPT_ENUM:
			buf_reset(&w);
			enum_words(o, &w);
			fprintf(out, "COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")) ;;\n", w.ptr);
			break;
		default:
			fputs(";;\n", out);
		}
	}
	buf_release(&w);
}

static void bash_option_words(struct buf *b, const struct opt *opts)
{
	for (size_t i = 0; opts && opts[i].name; i++) {
		if (opts[i].flags & OPT_HIDDEN)
			continue;
		buf_addf(b, "%s--%s", b->len ? " " : "", opts[i].name);
		if (opts[i].kind == OPT_BOOL && !(opts[i].flags & OPT_NO_NEGATE))
			buf_addf(b, " --no-%s", opts[i].name);
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

static void write_bash(FILE *out)
{
	struct buf b = BUF_INIT;

	fputs("# bash completion for blambda                             -*- shell-script -*-\n# ", out);
	fprintf(out, header, "bash");
	fputs("\n\n_blambda()\n{\n"
	      "    local cur prev cmd i w\n"
	      "    COMPREPLY=()\n"
	      "    cur=${COMP_WORDS[COMP_CWORD]}\n"
	      "    prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	      "    # --opt=value arrives as three words when '=' breaks words\n"
	      "    if [[ $cur == = ]]; then\n"
	      "        cur=\n"
	      "    elif [[ $prev == = && $COMP_CWORD -ge 2 ]]; then\n"
	      "        prev=${COMP_WORDS[COMP_CWORD-2]}\n"
	      "    fi\n\n"
	      "    # the command is the first word that is neither an option nor an option's value\n"
	      "    cmd=\n"
	      "    for (( i = 1; i < COMP_CWORD; i++ )); do\n"
	      "        w=${COMP_WORDS[i]}\n"
	      "        case $w in\n", out);
	bash_value_options(&b, global_options);
	fprintf(out, "            %s) [[ ${COMP_WORDS[i+1]} == = ]] && (( i++ )); (( i++ )) ;;\n", b.ptr);
	fputs("            -*) ;;\n"
	      "            *) cmd=$w; break ;;\n"
	      "        esac\n"
	      "    done\n\n"
	      "    # the value of the option before the cursor\n"
	      "    case $prev in\n", out);
	bash_value_cases(out, global_options, "        ");
	fputs("    esac\n"
	      "    [[ ${#COMPREPLY[@]} -gt 0 ]] && return 0\n"
	      "    case $cmd in\n", out);
	for (size_t i = 0; i < ncommands; i++) {
		const struct command *c = commands[i];
		struct buf vo = BUF_INIT;

		if (c->flags & CMD_HIDDEN)
			continue;
		bash_value_options(&vo, c->opts);
		if (vo.len) {
			fprintf(out, "        %s)\n            case $prev in\n", c->name);
			bash_value_cases(out, c->opts, "                ");
			fprintf(out, "            esac\n            case $prev in %s) return 0 ;; esac\n            ;;\n", vo.ptr);
		}
		buf_release(&vo);
	}
	buf_reset(&b);
	bash_value_options(&b, global_options);
	fprintf(out, "    esac\n    case $prev in %s) return 0 ;; esac\n\n", b.ptr);

	fputs("    if [[ -z $cmd ]]; then\n"
	      "        if [[ $cur == -* ]]; then\n", out);
	buf_reset(&b);
	bash_option_words(&b, global_options);
	fprintf(out, "            COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))\n", b.ptr);
	buf_reset(&b);
	for (size_t i = 0; i < ncommands; i++)
		if (!(commands[i]->flags & CMD_HIDDEN))
			buf_addf(&b, "%s%s", b.len ? " " : "", commands[i]->name);
	fprintf(out, "        else\n            COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))\n        fi\n"
		"        return 0\n    fi\n\n    case $cmd in\n", b.ptr);
	for (size_t i = 0; i < ncommands; i++) {
		const struct command *c = commands[i];
		struct buf words = BUF_INIT;

		if (c->flags & CMD_HIDDEN)
			continue;
		buf_reset(&b);
		bash_option_words(&b, c->opts);
		bash_option_words(&b, global_options);
		positional_words(c, &words);
		fprintf(out, "        %s)\n            if [[ $cur == -* ]]; then\n"
			"                COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))\n", c->name, b.ptr);
		if (words.len && c->pos == POS_ACTION)
			fprintf(out, "            elif [[ $prev == %s ]]; then\n                COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))\n",
				c->name, words.ptr);
		else if (words.len)
			fprintf(out, "            else\n                COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))\n", words.ptr);
		else if (c->pos == POS_FILE)
			fputs("            else\n                compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\"))\n", out);
		fputs("            fi\n            ;;\n", out);
		buf_release(&words);
	}
	fputs("    esac\n    return 0\n}\ncomplete -F _blambda blambda\n", out);
	buf_release(&b);
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
	case OPT_BOOL:
		break;
	case OPT_PATH:
		fprintf(out, ":%s:_files", arg);
		break;
	case OPT_DIR:
		fprintf(out, ":%s:_files -/", arg);
		break;
	case OPT_ENUM:
		enum_words(o, &w);
		fprintf(out, ":%s:(%s)", arg, w.ptr);
		break;
	default:
		fprintf(out, ":%s: ", arg);
	}
	buf_release(&w);
}

/* One _arguments spec per line; `eol` ends each line (" \\" inside a command). */
static void zsh_specs(FILE *out, const struct opt *opts, const char *eol)
{
	for (size_t i = 0; opts && opts[i].name; i++) {
		const struct opt *o = &opts[i];
		int rep = o->kind == OPT_KV || o->kind == OPT_LIST || !strcmp(o->name, "verbose") ||
			  !strcmp(o->name, "directory");
		const char *eq = takes_value(o) ? "=" : "";

		if (o->flags & OPT_HIDDEN)
			continue;
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
		if (o->kind == OPT_BOOL && !(o->flags & OPT_NO_NEGATE)) {
			fprintf(out, "    '--no-%s[", o->name);
			zsh_text(out, "turn off --");
			zsh_text(out, o->name);
			fprintf(out, "]'%s\n", eol);
		}
	}
}

static void write_zsh(FILE *out)
{
	fputs("#compdef blambda\n# ", out);
	fprintf(out, header, "zsh");
	fputs("\n\n_blambda() {\n"
	      "  local curcontext=\"$curcontext\" state line ret=1\n"
	      "  local -a globals cmds\n"
	      "  globals=(\n", out);
	zsh_specs(out, global_options, "");
	fputs("  )\n  cmds=(\n", out);
	for (size_t i = 0; i < ncommands; i++) {
		if (commands[i]->flags & CMD_HIDDEN)
			continue;
		fprintf(out, "    '%s:", commands[i]->name);
		zsh_text(out, commands[i]->summary);
		fputs("'\n", out);
	}
	fputs("  )\n"
	      "  _arguments -C -s $globals '1:command:->command' '*::argument:->argument' && ret=0\n"
	      "  case $state in\n"
	      "    command)\n"
	      "      _describe -t commands 'blambda command' cmds && ret=0\n"
	      "      ;;\n"
	      "    argument)\n"
	      "      curcontext=\"${curcontext%:*:*}:blambda-$words[1]:\"\n"
	      "      case $words[1] in\n", out);
	for (size_t i = 0; i < ncommands; i++) {
		const struct command *c = commands[i];
		struct buf words = BUF_INIT;

		if (c->flags & CMD_HIDDEN)
			continue;
		fprintf(out, "        %s)\n          _arguments -s $globals \\\n", c->name);
		for (size_t k = 0; c->opts && c->opts[k].name; k++) {
			const struct opt *o = &c->opts[k];
			struct opt tbl[2] = { *o, OPT_END };

			fputs("      ", out);
			zsh_specs(out, tbl, " \\");
		}
		positional_words(c, &words);
		if (c->max_pos != 0) {
			const char *what = c->usage && *c->usage ? c->usage : "argument";

			fputs("            '", out);
			if (c->pos == POS_ACTION) {
				fprintf(out, "1:action:(%s)' '", words.ptr);
				buf_reset(&words);
			}
			fputs(c->max_pos == 1 ? "1:" : "*:", out);
			zsh_text(out, what);
			if (words.len)
				fprintf(out, ":(%s)'", words.ptr);
			else if (c->pos == POS_FILE)
				fputs(":_files'", out);
			else
				fputs(": '", out);
		} else {
			fputs("            ", out);
		}
		fputs(" && ret=0\n          ;;\n", out);
		buf_release(&words);
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
		case OPT_BOOL: break;
		case OPT_PATH: fputs(" -r -F", out); break;
		case OPT_DIR: fputs(" -x -a '(__fish_complete_directories)'", out); break;
		case OPT_ENUM:
			buf_reset(&w);
			enum_words(o, &w);
			fprintf(out, " -x -a '%s'", w.ptr);
			break;
		default: fputs(" -x", out);
		}
		fputs(" -d ", out);
		fish_text(out, o->help);
		fputc('\n', out);
		if (o->kind == OPT_BOOL && !(o->flags & OPT_NO_NEGATE)) {
			fputs("complete -c blambda", out);
			if (cond)
				fprintf(out, " -n '%s'", cond);
			fprintf(out, " -l no-%s -d 'turn off --%s'\n", o->name, o->name);
		}
	}
	buf_release(&w);
}

static void write_fish(FILE *out)
{
	struct buf names = BUF_INIT, cond = BUF_INIT;

	fputs("# fish completion for blambda\n# ", out);
	fprintf(out, header, "fish");
	fputs("\n\ncomplete -c blambda -f\n", out);
	for (size_t i = 0; i < ncommands; i++)
		if (!(commands[i]->flags & CMD_HIDDEN))
			buf_addf(&names, "%s%s", names.len ? " " : "", commands[i]->name);
	for (size_t i = 0; i < ncommands; i++) {
		if (commands[i]->flags & CMD_HIDDEN)
			continue;
		fprintf(out, "complete -c blambda -n 'not __fish_seen_subcommand_from %s' -a %s -d ", names.ptr,
			commands[i]->name);
		fish_text(out, commands[i]->summary);
		fputc('\n', out);
	}
	fish_opts(out, global_options, NULL);
	for (size_t i = 0; i < ncommands; i++) {
		const struct command *c = commands[i];
		struct buf words = BUF_INIT;

		if (c->flags & CMD_HIDDEN)
			continue;
		buf_reset(&cond);
		buf_addf(&cond, "__fish_seen_subcommand_from %s", c->name);
		fish_opts(out, c->opts, cond.ptr);
		positional_words(c, &words);
		if (words.len && c->pos == POS_ACTION)
			fprintf(out, "complete -c blambda -n '%s; and not __fish_seen_subcommand_from %s' -a '%s'\n",
				cond.ptr, words.ptr, words.ptr);
		else if (words.len)
			fprintf(out, "complete -c blambda -n '%s' -a '%s'\n", cond.ptr, words.ptr);
		else if (c->pos == POS_FILE)
			fprintf(out, "complete -c blambda -n '%s' -F\n", cond.ptr);
		buf_release(&words);
	}
	buf_release(&names);
	buf_release(&cond);
}

int complete_write(FILE *out, const char *shell)
{
	if (!strcmp(shell, "bash"))
		write_bash(out);
	else if (!strcmp(shell, "zsh"))
		write_zsh(out);
	else if (!strcmp(shell, "fish"))
		write_fish(out);
	else
		return -1;
	return 0;
}
