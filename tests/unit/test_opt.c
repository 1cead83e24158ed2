/* Unit tests for the option parser and the tables it reads. */
#include <stdlib.h>

#include "cli/opt.h"
#include "core/msg.h"
#include "test.h"

static int parse(struct args *a, const char *line)
{
	char *copy = strdup(line), *argv[32];
	int argc = 0;
	int r;

	argv[argc++] = "blambda";
	for (char *t = strtok(copy, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	msg_reset_status();
	r = args_parse(a, argc, argv);
	args_release(a); /* needed after a failure too */
	free(copy);
	return r;
}

static void test_globals_anywhere(void)
{
	struct args a;
	char *argv[] = { "blambda", "-v", "config", "--json", "-vv", "function.name", NULL };

	CHECK_INT(args_parse(&a, 6, argv), 0);
	CHECK_STR(a.cmd->name, "config");
	CHECK_INT(args_flag(&a, "verbose"), 3);
	CHECK_INT(args_flag(&a, "json"), 1);
	CHECK_INT(a.pos.nr, 1);
	CHECK_STR(a.pos.items[0], "function.name");
	args_release(&a);
}

static void test_values(void)
{
	struct args a;
	char *argv[] = { "blambda", "--region=eu-west-1", "-C", "a", "-Cb", "config", "--no-json", NULL };

	CHECK_INT(args_parse(&a, 7, argv), 0);
	CHECK_STR(args_str(&a, "region"), "eu-west-1");
	CHECK_INT(args_opt(&a, "directory")->list.nr, 2);
	CHECK_STR(args_opt(&a, "directory")->list.items[1], "b");
	CHECK_INT(args_flag(&a, "json"), 0);
	CHECK_INT(args_opt(&a, "json")->set, 1);
	CHECK(args_opt(&a, "no-such-option") == NULL);
	args_release(&a);
}

static void test_mistakes(void)
{
	struct args a;

	CHECK_INT(parse(&a, "confg"), -1);
	CHECK_INT(msg_exit_status(), EXIT_USAGE);
	CHECK_INT(parse(&a, "config --jsno"), -1);
	CHECK_INT(parse(&a, "config --json=1"), -1);
	CHECK_INT(parse(&a, "config --region"), -1);
	CHECK_INT(parse(&a, "completion ksh"), -1);
	CHECK_INT(parse(&a, "version x"), -1);
	CHECK_INT(parse(&a, "config -- --json"), 0);
	CHECK_INT(parse(&a, "--help confg"), -1); /* the command is still checked */
	CHECK_INT(parse(&a, "completion --help"), 0); /* help skips the argument checks */
}

static void test_tables(void)
{
	/* every command is findable, has a summary and description, and no two options clash */
	for (size_t i = 0; i < ncommands; i++) {
		const struct command *c = commands[i];

		CHECK(command_find(c->name) == c);
		CHECK(c->summary && *c->summary && c->description && *c->description);
		CHECK(c->exec != NULL);
		for (size_t k = 0; c->opts[k].name; k++) {
			CHECK(c->opts[k].help && *c->opts[k].help);
			for (size_t g = 0; global_options[g].name; g++) {
				CHECK(strcmp(c->opts[k].name, global_options[g].name) != 0);
				CHECK(!c->opts[k].short_name || c->opts[k].short_name != global_options[g].short_name);
			}
			if (c->opts[k].kind == OPT_ENUM)
				CHECK(c->opts[k].values && c->opts[k].values[0]);
		}
	}
}

TEST_MAIN(test_globals_anywhere, test_values, test_mistakes, test_tables)
