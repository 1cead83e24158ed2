/* Unit tests for the option parser, against tables of its own and against blambda's. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/opt.h"
#include "cmd/cmd.h"
#include "test.h"

/* a command with every kind of option, and one with subcommands, to exercise the parser */
static const char *const colours[] = { "red", "green", NULL };
enum { K_FORCE, K_NAME, K_FILE, K_MEMORY, K_COLOUR, K_ENV, K_DRY_RUN, K__N };
static const struct opt kinds_opts[K__N + 1] = {
	[K_FORCE] = OPT_BOOL('f', "force", "force"),
	[K_NAME] = OPT_STRING('n', "name", "NAME", "a name"),
	[K_FILE] = OPT_PATH(0, "file", NULL, "a file"),
	[K_MEMORY] = OPT_INT('m', "memory", "MB", 128, 10240, "memory"),
	[K_COLOUR] = OPT_ENUM(0, "colour", "C", colours, "a colour"),
	[K_ENV] = OPT_KV('e', "env", NULL, "environment"),
	[K_DRY_RUN] = OPT_BOOL(0, "dry-run", "say what would happen"),
	[K__N] = OPT_END,
};
static int exec_nothing(struct args *a, struct config *c)
{
	(void)a;
	(void)c;
	return 0;
}
static const struct command kinds = {
	.name = "kinds", .summary = "every kind", .usage = "[ARG...]", .description = "A test command.",
	.opts = kinds_opts, .nopts = K__N, .pos = POS_WORD, .max_pos = -1, .exec = exec_nothing,
};
enum { B_LOUD, B__N };
static const struct opt b_opts[B__N + 1] = { [B_LOUD] = OPT_BOOL(0, "loud", "loudly"), [B__N] = OPT_END };
static const struct command group;
static const struct command group_a = {
	.name = "a", .summary = "a", .usage = "", .description = "A.", .max_pos = 0, .exec = exec_nothing,
	.parent = &group,
};
static const struct command group_b = {
	.name = "bee", .summary = "b", .usage = "[X]", .description = "B.", .opts = b_opts, .nopts = B__N,
	.max_pos = 1, .exec = exec_nothing, .parent = &group,
};
static const struct command *const group_subs[] = { &group_a, &group_b, NULL };
static const struct command group = {
	.name = "group", .summary = "has subcommands", .usage = "a|bee", .description = "A group.",
	.subcommands = group_subs,
};
static const struct command *const test_cmds[] = { &kinds, &group };
static const struct command_table test_table = { test_cmds, 2 };

/*
 * Parse `line` (words split at spaces) against t. The values point into
 * argv, which must outlive them: a static copy, until the next call.
 */
static int parse_in(const struct command_table *t, struct args *a, struct error *err, const char *line)
{
	static char copy[512];
	static char *argv[32];
	int argc = 0;

	snprintf(copy, sizeof(copy), "%s", line);
	argv[argc++] = "blambda";
	for (char *w = strtok(copy, " "); w && argc < 31; w = strtok(NULL, " "))
		argv[argc++] = w;
	argv[argc] = NULL;
	error_release(err);
	return args_parse(a, argc, argv, t, err);
}

/* Parse against the test table; check it fails with a usage error whose message holds `want`. */
static void check_mistake(const char *line, const char *want)
{
	struct args a;
	struct error err = ERROR_INIT;

	CHECK_INT(parse_in(&test_table, &a, &err, line), -1);
	CHECK_INT(err.exit, EXIT_USAGE);
	CHECK(err.message && strstr(err.message, want));
	if (!(err.message && strstr(err.message, want)))
		fprintf(stderr, "  '%s': message '%s', want '%s'\n", line, err.message ? err.message : "", want);
	CHECK(err.hint != NULL);
	args_release(&a);
	error_release(&err);
}

static void test_kinds(void)
{
	struct args a;
	struct error err = ERROR_INIT;

	CHECK_INT(parse_in(&test_table, &a, &err,
			   "kinds -f --no-force -fn x --memory=512 --colour green -e A=1 --env B=2 pos --dry-run"), 0);
	CHECK_INT(args_flag(&a, K_FORCE), 1); /* -f after --no-force */
	CHECK_STR(args_str(&a, K_NAME), "x");
	CHECK_INT(args_value(&a, K_MEMORY)->num, 512);
	CHECK_STR(args_str(&a, K_COLOUR), "green");
	CHECK_INT(args_value(&a, K_ENV)->list.nr, 2);
	CHECK_STR(args_value(&a, K_ENV)->list.items[1], "B=2");
	CHECK_INT(args_flag(&a, K_DRY_RUN), 1);
	CHECK(args_str(&a, K_FILE) == NULL);
	CHECK_INT(a.pos.nr, 1);
	CHECK(!error_failed(&err));
	args_release(&a);
}

static void test_globals_anywhere(void)
{
	struct args a;
	struct error err = ERROR_INIT;

	CHECK_INT(parse_in(&test_table, &a, &err, "-v kinds --json -vv --region=eu-west-1 -C a -Cb word --no-json"), 0);
	CHECK_STR(a.cmd->name, "kinds");
	CHECK_INT(args_flag(&a, GLOBAL_VERBOSE), 3);
	CHECK_INT(args_flag(&a, GLOBAL_JSON), 0);
	CHECK_INT(args_value(&a, GLOBAL_JSON)->set, 1);
	CHECK_STR(args_str(&a, GLOBAL_REGION), "eu-west-1");
	CHECK_INT(args_value(&a, GLOBAL_DIRECTORY)->list.nr, 2);
	CHECK_STR(args_value(&a, GLOBAL_DIRECTORY)->list.items[1], "b");
	CHECK_INT(a.pos.nr, 1);
	args_release(&a);
}

static void test_subcommands(void)
{
	struct args a;
	struct error err = ERROR_INIT;

	CHECK_INT(parse_in(&test_table, &a, &err, "group --json bee --loud x"), 0);
	CHECK(a.cmd == &group_b);
	CHECK_STR(command_path(a.cmd), "group bee");
	CHECK_INT(args_flag(&a, B_LOUD), 1);
	CHECK_INT(args_flag(&a, GLOBAL_JSON), 1);
	CHECK_INT(a.pos.nr, 1);
	args_release(&a);
	CHECK_INT(parse_in(&test_table, &a, &err, "group --help"), 0); /* help for the group itself */
	CHECK(a.cmd == &group);
	args_release(&a);
	check_mistake("group", "'group' needs a subcommand: a, bee");
	check_mistake("group be", "'group' has no subcommand 'be' (did you mean 'bee'?)");
	check_mistake("group --loud bee", "unknown option '--loud'"); /* a subcommand's option comes after it */
	check_mistake("group a --loud", "option '--loud' is for 'blambda group bee', not 'blambda group a'");
	check_mistake("group bee x y", "'group bee' takes at most 1 argument, got 'y'");
	parse_in(&test_table, &a, &err, "group bee x y");
	CHECK_STR(err.hint, "try 'blambda group bee --help'");
	args_release(&a);
	error_release(&err);
}

static void test_mistakes(void)
{
	check_mistake("kidns", "unknown command 'kidns' (did you mean 'kinds'?)");
	check_mistake("kinds -m64", "option '--memory' must be between 128 and 10240, got 64");
	check_mistake("kinds --memory 1e3", "option '--memory' needs a whole number, got '1e3'");
	check_mistake("kinds --colour blue", "option '--colour' must be one of red, green, got 'blue'");
	check_mistake("kinds --env =x", "option '--env' needs KEY=VALUE, got '=x'");
	check_mistake("kinds --env noequals", "needs KEY=VALUE");
	check_mistake("kinds --dryrun", "unknown option '--dryrun' (did you mean '--dry-run'?)");
	check_mistake("kinds --no-name", "unknown option '--no-name'"); /* only bools have a --no- form */
	check_mistake("kinds --jsno", "(did you mean '--json'?)");
	check_mistake("kinds --force=1", "option '--force' takes no value");
	check_mistake("kinds --name", "option '--name' needs a value (NAME)");
	check_mistake("kinds -q -v", "options '--quiet' and '--verbose' cannot be used together");
	check_mistake("--help kidns", "unknown command 'kidns'"); /* the command is still checked */
}

static void test_help_skips_checks(void)
{
	struct args a;
	struct error err = ERROR_INIT;

	CHECK_INT(parse_in(&test_table, &a, &err, "group a x --help"), 0);
	args_release(&a);
	CHECK_INT(parse_in(&test_table, &a, &err, "kinds -- --json"), 0);
	CHECK_INT(args_flag(&a, GLOBAL_JSON), 0);
	CHECK_STR(a.pos.items[0], "--json");
	args_release(&a);
	error_release(&err);
}

/* blambda's own table: findable, documented, each table exactly as long as its enum, no clash with the globals */
static void check_command(const struct command *c, const struct command *parent)
{
	CHECK(c->summary && *c->summary && c->description && *c->description);
	CHECK(c->parent == parent);
	CHECK_INT(opt_count(c->opts), c->nopts);
	CHECK(c->subcommands ? !c->exec && !c->opts : c->exec != NULL);
	for (size_t k = 0; k < c->nopts; k++) {
		CHECK(c->opts[k].help && *c->opts[k].help);
		for (size_t g = 0; global_options[g].name; g++) {
			CHECK(strcmp(c->opts[k].name, global_options[g].name) != 0);
			CHECK(!c->opts[k].short_name || c->opts[k].short_name != global_options[g].short_name);
		}
		for (size_t j = 0; j < k; j++)
			CHECK(strcmp(c->opts[k].name, c->opts[j].name) && (!c->opts[k].short_name ||
								  c->opts[k].short_name != c->opts[j].short_name));
		if (c->opts[k].kind == OPTION_ENUM)
			CHECK(c->opts[k].values && c->opts[k].values[0]);
	}
	for (size_t i = 0; c->subcommands && c->subcommands[i]; i++)
		check_command(c->subcommands[i], c);
}

static void test_blambda_table(void)
{
	CHECK_INT(opt_count(global_options), GLOBAL__N);
	for (size_t i = 0; i < blambda_commands.nr; i++) {
		const struct command *c = blambda_commands.cmds[i];

		CHECK(command_find(&blambda_commands, c->name) == c);
		check_command(c, NULL);
	}
}

TEST_MAIN(test_kinds, test_globals_anywhere, test_subcommands, test_mistakes, test_help_skips_checks,
	  test_blambda_table)
