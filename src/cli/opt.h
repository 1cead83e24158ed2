#ifndef BLAMBDA_CLI_OPT_H
#define BLAMBDA_CLI_OPT_H

#include <stddef.h>

#include "core/error.h"
#include "core/strlist.h"

/*
 * Declarative, typed option tables. A command lists its options in an array
 * indexed by an enum of its own, one row a line written with the OPT_*
 * macros below, and reads the parsed values back by that enum:
 *
 *	enum { BUILD_FORCE, BUILD_DRY_RUN, BUILD__N };
 *	static const struct opt build_opts[BUILD__N + 1] = {
 *		[BUILD_FORCE] = OPT_BOOL('f', "force", "build even what is up to date"),
 *		[BUILD_DRY_RUN] = OPT_BOOL('n', "dry-run", "say what would be built"),
 *		[BUILD__N] = OPT_END,
 *	};
 *	... args_flag(args, BUILD_FORCE) ...
 *
 * so a misspelt option is a compile error. The global options are read the
 * same way by their own enum (GLOBAL_JSON, ...). The parser, --help, the man
 * page, the shell completions and the did-you-mean suggestions all come from
 * these tables. The command table itself belongs to the program (cmd/) and
 * is passed in: nothing here knows which commands exist.
 */

enum opt_kind {
	OPTION_BOOL,   /* --x / --no-x; repeated -v counts */
	OPTION_STRING, /* --x VALUE */
	OPTION_PATH,   /* --x FILE (completes file names) */
	OPTION_DIR,    /* --x DIR (completes directories) */
	OPTION_INT,    /* --x N, checked against [min, max] */
	OPTION_ENUM,   /* --x VALUE, one of `values` */
	OPTION_KV,     /* --x K=V, repeatable */
	OPTION_LIST,   /* --x VALUE, repeatable */
};

/* flags */
#define OPT_NO_NEGATE 0x1 /* a bool without a --no- form */
#define OPT_HIDDEN 0x2    /* accepted but not documented */
#define OPT_EVENT_NAME 0x4 /* a string that shell completion offers the project's events/ names for */

struct opt {
	const char *name;  /* long name without the dashes */
	char short_name;   /* 0 when there is none */
	enum opt_kind kind;
	const char *arg;   /* placeholder shown in help: "FILE", "N", ... */
	const char *help;  /* one line, lowercase, no full stop */
	long min, max;     /* OPTION_INT */
	const char *const *values; /* OPTION_ENUM, NULL-terminated */
	const char *config_key;    /* the blambda.yml key this flag overrides, if any */
	unsigned flags;
};

#define OPT_ROW(s, l, kind, arg, h, min, max, values, key, flags) { l, s, kind, arg, h, min, max, values, key, flags }
#define OPT_BOOL(s, l, h) OPT_ROW(s, l, OPTION_BOOL, NULL, h, 0, 0, NULL, NULL, 0)
#define OPT_BOOL_F(s, l, h, f) OPT_ROW(s, l, OPTION_BOOL, NULL, h, 0, 0, NULL, NULL, f)
#define OPT_STRING(s, l, arg, h) OPT_ROW(s, l, OPTION_STRING, arg, h, 0, 0, NULL, NULL, 0)
#define OPT_STRING_KEY(s, l, arg, h, key) OPT_ROW(s, l, OPTION_STRING, arg, h, 0, 0, NULL, key, 0)
#define OPT_PATH(s, l, arg, h) OPT_ROW(s, l, OPTION_PATH, arg, h, 0, 0, NULL, NULL, 0)
#define OPT_DIR(s, l, arg, h) OPT_ROW(s, l, OPTION_DIR, arg, h, 0, 0, NULL, NULL, 0)
#define OPT_INT(s, l, arg, min, max, h) OPT_ROW(s, l, OPTION_INT, arg, h, min, max, NULL, NULL, 0)
#define OPT_ENUM(s, l, arg, values, h) OPT_ROW(s, l, OPTION_ENUM, arg, h, 0, 0, values, NULL, 0)
#define OPT_ENUM_KEY(s, l, arg, values, h, key) OPT_ROW(s, l, OPTION_ENUM, arg, h, 0, 0, values, key, 0)
#define OPT_KV(s, l, arg, h) OPT_ROW(s, l, OPTION_KV, arg, h, 0, 0, NULL, NULL, 0)
#define OPT_LIST(s, l, arg, h) OPT_ROW(s, l, OPTION_LIST, arg, h, 0, 0, NULL, NULL, 0)
#define OPT_END OPT_ROW(0, NULL, OPTION_BOOL, NULL, NULL, 0, 0, NULL, NULL, 0)

/* The global options, accepted before and after the command; read with these ids. */
enum global_opt {
	GLOBAL_DIRECTORY = 1000, /* above every command's ids, so one set of accessors reads both */
	GLOBAL_CONFIG,
	GLOBAL_PROFILE,
	GLOBAL_REGION,
	GLOBAL_ENDPOINT_URL,
	GLOBAL_JSON,
	GLOBAL_VERBOSE,
	GLOBAL_QUIET,
	GLOBAL_NO_COLOR,
	GLOBAL_VERSION,
	GLOBAL_HELP,
	GLOBAL__END
};
#define GLOBAL__N (GLOBAL__END - GLOBAL_DIRECTORY)
extern const struct opt global_options[GLOBAL__N + 1];

/* The value an option received on the command line. */
struct opt_value {
	int set;           /* given on the command line */
	int count;         /* OPTION_BOOL: 1/0 for --x/--no-x, counts repeats */
	long num;          /* OPTION_INT */
	const char *str;   /* OPTION_STRING, _PATH, _DIR, _ENUM, _INT: the last one given */
	struct strlist list; /* OPTION_KV, OPTION_LIST and every occurrence of -C */
};

/* How a command's positional arguments complete. */
enum pos_kind {
	POS_NONE,
	POS_WORD,    /* free text */
	POS_FUNCTION, /* a function of the project (completed from 'blambda config --functions') */
	POS_ENUM,    /* one of pos_values */
	POS_COMMAND, /* a blambda command name (and a subcommand's) */
	POS_CONFIG_KEY,
	POS_FILE,
};

struct args;
struct config;

/* command flags */
#define CMD_CONFIG 0x1   /* loads blambda.yml before running */
#define CMD_HIDDEN 0x2
#define CMD_REGIONS 0x4  /* takes --region more than once */

/*
 * A command, or a subcommand of one (`local invoke`): its own options, help
 * page and positional arguments. A command with subcommands is only a name
 * for them: it has no options or exec of its own.
 */
struct command {
	const char *name;
	const char *summary;     /* one line for the command list */
	const char *usage;       /* positional part of the synopsis: "[KEY]" */
	const char *description; /* paragraphs separated by blank lines */
	const struct opt *opts;  /* indexed by the command's own enum, ending with OPT_END */
	size_t nopts;            /* the enum's count: the table has exactly this many rows */
	enum pos_kind pos;
	const char *const *pos_values;
	int min_pos, max_pos;    /* max_pos -1: unlimited */
	unsigned flags;
	const char *examples;    /* lines "COMMAND\tWHAT IT DOES", or NULL */
	int (*exec)(struct args *args, struct config *cfg); /* an exit status */
	const struct command *const *subcommands; /* NULL-terminated, or NULL */
	const struct command *parent;             /* set for a subcommand */
};

/* The program's commands, in the order the help lists them. */
struct command_table {
	const struct command *const *cmds;
	size_t nr;
};

struct args {
	const struct command *cmd; /* the command run (a subcommand, when it has them); NULL when none given */
	struct opt_value global[GLOBAL__N];
	struct opt_value *local;   /* parallel to cmd->opts */
	struct strlist pos;
};

const struct command *command_find(const struct command_table *t, const char *name);
/* The command's full name for messages: "local invoke". A static buffer. */
const char *command_path(const struct command *c);
size_t opt_count(const struct opt *opts);
/* The option as the user types it: "--force". A static buffer, one of four used in turn. */
const char *opt_spelling(const struct opt *o);
/* The option's argument placeholder: its own, or one derived from its kind. */
const char *opt_arg_name(const struct opt *o);
/* The row for a command's option id or a global one. */
const struct opt *args_opt_row(const struct args *args, int id);

/*
 * Parse argv (argv[0] is the program) against the table into args. Global
 * options are accepted before and after the command. A subcommand comes
 * right after its command. A mistake fills err (EXIT_USAGE, a suggestion in
 * the message, a hint naming the help to read) and returns -1. The values
 * point into argv, which must outlive args; call args_release() after a
 * failure too.
 */
int args_parse(struct args *args, int argc, char **argv, const struct command_table *t, struct error *err);
void args_release(struct args *args);

/*
 * The value of option `id` (the command's enum, or a GLOBAL_* one). An id
 * the command's table does not have is a programming error and aborts.
 */
const struct opt_value *args_value(const struct args *args, int id);
/* A flag's count (0 when not given). */
int args_flag(const struct args *args, int id);
/* An option's value (the last one given), or NULL when not given. */
const char *args_str(const struct args *args, int id);

#endif
