#ifndef BLAMBDA_CLI_OPT_H
#define BLAMBDA_CLI_OPT_H

#include <stddef.h>

#include "core/strlist.h"

/*
 * Declarative option tables. Each command declares a `struct opt` array
 * ending with OPT_END; the parser, --help, the man page, the shell
 * completions and the did-you-mean suggestions are all derived from these
 * tables, so they cannot disagree.
 */

enum opt_kind {
	OPT_BOOL,   /* --x / --no-x; repeated -v counts */
	OPT_STRING, /* --x VALUE */
	OPT_PATH,   /* --x FILE (completes file names) */
	OPT_DIR,    /* --x DIR (completes directories) */
	OPT_INT,    /* --x N, checked against [min, max] */
	OPT_ENUM,   /* --x VALUE, one of `values` */
	OPT_KV,     /* --x K=V, repeatable */
	OPT_LIST,   /* --x VALUE, repeatable */
};

/* flags */
#define OPT_NO_NEGATE 0x1 /* a bool without a --no- form */
#define OPT_HIDDEN 0x2    /* accepted but not documented */

struct opt {
	const char *name;  /* long name without the dashes */
	char short_name;   /* 0 when there is none */
	enum opt_kind kind;
	const char *arg;   /* placeholder shown in help: "FILE", "N", ... */
	const char *help;  /* one line, lowercase, no full stop */
	long min, max;     /* OPT_INT */
	const char *const *values; /* OPT_ENUM, NULL-terminated */
	const char *config_key;    /* the blambda.yml key this flag overrides, if any */
	unsigned flags;
};
#define OPT_END { NULL, 0, OPT_BOOL, NULL, NULL, 0, 0, NULL, NULL, 0 }

/* The value an option received on the command line. */
struct opt_value {
	int set;           /* given on the command line */
	int count;         /* OPT_BOOL: 1/0 for --x/--no-x, counts repeats */
	long num;          /* OPT_INT */
	const char *str;   /* OPT_STRING, OPT_PATH, OPT_DIR, OPT_ENUM: the last one given */
	struct strlist list; /* OPT_KV, OPT_LIST and every occurrence of -C */
	const char *spelling; /* how the user spelled it ("--memory"), for messages */
};

/* How a command's positional arguments complete and validate. */
enum pos_kind {
	POS_NONE,
	POS_WORD,    /* free text, e.g. a function name */
	POS_ENUM,    /* one of pos_values */
	POS_ACTION,  /* the first one of pos_values (what to do), then free text */
	POS_COMMAND, /* a blambda command name */
	POS_CONFIG_KEY,
	POS_FILE,
};

struct args;
struct config;

/* command flags */
#define CMD_CONFIG 0x1   /* loads blambda.yml before running */
#define CMD_HIDDEN 0x2
#define CMD_REGIONS 0x4  /* takes --region more than once */

struct command {
	const char *name;
	const char *summary;     /* one line for the command list */
	const char *usage;       /* positional part of the synopsis: "[KEY]" */
	const char *description; /* paragraphs separated by blank lines */
	const struct opt *opts;
	enum pos_kind pos;
	const char *const *pos_values;
	int min_pos, max_pos;    /* max_pos -1: unlimited */
	unsigned flags;
	const char *examples;    /* lines "COMMAND\tWHAT IT DOES", or NULL */
	int (*exec)(struct args *args, struct config *cfg);
};

struct args {
	const struct command *cmd; /* NULL when no command was given */
	struct opt_value *global;  /* parallel to global_options */
	struct opt_value *local;   /* parallel to cmd->opts */
	struct strlist pos;
};

extern const struct opt global_options[];
extern const struct command *const commands[];
extern const size_t ncommands;

const struct command *command_find(const char *name);
size_t opt_count(const struct opt *opts);
/* The option's argument placeholder: its own, or one derived from its kind. */
const char *opt_arg_name(const struct opt *o);

/*
 * Parse argv (argv[0] is the program) into args. Global options are accepted
 * before and after the command. On a mistake prints an error with a
 * suggestion and returns -1 with the exit status set to EXIT_USAGE. The
 * values point into argv, which must outlive args; call args_release()
 * after a failure too.
 */
int args_parse(struct args *args, int argc, char **argv);
/* The same against another command table (tests use their own). */
int args_parse_table(struct args *args, int argc, char **argv, const struct command *const *table, size_t n);
void args_release(struct args *args);

/* The value of the command's (or a global) option by long name; NULL when neither table has it. */
const struct opt_value *args_opt(const struct args *args, const char *name);
/*
 * A flag's count and an option's value (NULL when not given). A name that
 * neither the command's table nor the global one has is a programming error:
 * blambda aborts rather than read it as unset (tests/cli/t-option-names.sh
 * checks every call in src/cmd/).
 */
int args_flag(const struct args *args, const char *name);
const char *args_str(const struct args *args, const char *name);

/*
 * (cli/load.c) Load the configuration the command runs with: blambda.yml (or -c FILE),
 * BLAMBDA_* variables, then the flags that set keys (and --region given
 * several times, for commands that take several). -1 with an error printed.
 */
int args_load_config(const struct args *args, struct config *cfg);

#endif
