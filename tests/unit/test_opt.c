/* Unit tests for the option parser and the tables it reads. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* A name no table has is a bug: it aborts rather than reading as "not given". */
static void test_misspelt_name_aborts(void)
{
	struct args a;
	char *argv[] = { "blambda", "build", "--force", NULL };
	int status = 0;
	pid_t pid;

	CHECK_INT(args_parse(&a, 3, argv), 0);
	CHECK_INT(args_flag(&a, "force"), 1);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		freopen("/dev/null", "w", stderr);
		exit(args_flag(&a, "forse") ? 3 : 4);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	pid = fork();
	if (pid == 0) {
		freopen("/dev/null", "w", stderr);
		exit(args_str(&a, "outptu-dir") ? 3 : 4);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
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

/* a command with every kind of option, to exercise the parser */
static const char *const colours[] = { "red", "green", NULL };
static const struct opt kinds_opts[] = {
	{ "force", 'f', OPT_BOOL, NULL, "force", 0, 0, NULL, NULL, 0 },
	{ "name", 'n', OPT_STRING, "NAME", "a name", 0, 0, NULL, NULL, 0 },
	{ "file", 0, OPT_PATH, NULL, "a file", 0, 0, NULL, NULL, 0 },
	{ "memory", 'm', OPT_INT, "MB", "memory", 128, 10240, NULL, "function.memory", 0 },
	{ "colour", 0, OPT_ENUM, "C", "a colour", 0, 0, colours, NULL, 0 },
	{ "env", 'e', OPT_KV, NULL, "environment", 0, 0, NULL, NULL, 0 },
	{ "dry-run", 0, OPT_BOOL, NULL, "say what would happen", 0, 0, NULL, NULL, 0 },
	OPT_END,
};
static int exec_nothing(struct args *a, struct config *c)
{
	(void)a;
	(void)c;
	return 0;
}
static const struct command kinds = {
	"kinds", "every kind", "[ARG...]", "A test command.", kinds_opts, POS_WORD, NULL, 0, -1, 0, NULL, exec_nothing,
};
static const struct command *const kinds_table[] = { &kinds };

static int parse_kinds(struct args *a, const char *line)
{
	/* the parsed values point into argv: it must outlive them, until the next call */
	static char copy[512];
	char *argv[32];
	int argc = 0, r;

	snprintf(copy, sizeof(copy), "%s", line);
	argv[argc++] = "blambda";
	for (char *t = strtok(copy, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	msg_reset_status();
	r = args_parse_table(a, argc, argv, kinds_table, 1);
	return r;
}

static void test_kinds(void)
{
	struct args a;

	CHECK_INT(parse_kinds(&a, "kinds -f --no-force -fn x --memory=512 --colour green -e A=1 --env B=2 pos --dry-run"), 0);
	CHECK_INT(args_flag(&a, "force"), 1); /* -f after --no-force */
	CHECK_STR(args_str(&a, "name"), "x");
	CHECK_INT(args_opt(&a, "memory")->num, 512);
	CHECK_STR(args_str(&a, "colour"), "green");
	CHECK_INT(args_opt(&a, "env")->list.nr, 2);
	CHECK_STR(args_opt(&a, "env")->list.items[1], "B=2");
	CHECK_INT(args_flag(&a, "dry-run"), 1);
	CHECK_INT(a.pos.nr, 1);
	args_release(&a);

	CHECK_INT(parse_kinds(&a, "kinds -m64"), -1);          /* below the range */
	CHECK_INT(msg_exit_status(), EXIT_USAGE);
	args_release(&a);
	CHECK_INT(parse_kinds(&a, "kinds --memory 1e3"), -1);  /* not a whole number */
	args_release(&a);
	CHECK_INT(parse_kinds(&a, "kinds --colour blue"), -1); /* not an allowed value */
	args_release(&a);
	CHECK_INT(parse_kinds(&a, "kinds --env =x"), -1);      /* no key */
	args_release(&a);
	CHECK_INT(parse_kinds(&a, "kinds --env noequals"), -1);
	args_release(&a);
	CHECK_INT(parse_kinds(&a, "kinds --dryrun"), -1);      /* did you mean --dry-run */
	args_release(&a);
	CHECK_INT(parse_kinds(&a, "kinds --no-name"), -1);     /* only bools have a --no- form */
	args_release(&a);
	CHECK_INT(parse_kinds(&a, "kidns"), -1);
	args_release(&a);
}

TEST_MAIN(test_globals_anywhere, test_misspelt_name_aborts, test_values, test_mistakes, test_tables, test_kinds)
