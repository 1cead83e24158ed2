/* Unit tests for struct config: reading, precedence, origins. */
#include <stdlib.h>
#include <unistd.h>

#include "config/config.h"
#include "package/edn.h"
#include "test.h"

static char path[64];

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

/* where every call below reports (each failure replaces the last) */
static struct error err = ERROR_INIT;

static void test_defaults(void)
{
	struct config cfg;

	config_init(&cfg);
	CHECK_STR(config_str(&cfg, CFG_FUNCTION_RUNTIME), "provided.al2023");
	CHECK_INT(config_int(&cfg, CFG_FUNCTION_MEMORY), 512);
	CHECK_INT(config_list(&cfg, CFG_FUNCTION_SOURCE_PATHS)->nr, 1);
	CHECK_STR(config_str(&cfg, CFG_FUNCTION_NAME), NULL);
	CHECK_INT(config_read_file(&cfg, "/nonexistent/blambda.yml", 0, &err), 0);
	CHECK(cfg.path == NULL);
	CHECK_INT(config_finish(&cfg, &err), 0);
	CHECK_STR(config_str(&cfg, CFG_LAYERS_DEPS), NULL); /* no name, no derived default */
	config_release(&cfg);
}

static void test_precedence(void)
{
	struct config cfg;

	write_file("function:\n  name: hello\n  memory: 1024\n  timeout: 10\n  architecture: arm64\n");
	config_init(&cfg);
	CHECK_INT(config_read_file(&cfg, path, 1, &err), 0);
	setenv("BLAMBDA_TIMEOUT", "20", 1);
	setenv("BLAMBDA_ARCH", "x86_64", 1);
	CHECK_INT(config_read_env(&cfg, &err), 0);
	unsetenv("BLAMBDA_TIMEOUT");
	unsetenv("BLAMBDA_ARCH");
	CHECK_INT(config_set_flag(&cfg, "function.architecture", "arm64", "arch", &err), 0);
	CHECK_INT(config_finish(&cfg, &err), 0);

	CHECK_INT(config_int(&cfg, CFG_FUNCTION_MEMORY), 1024);
	CHECK_INT(cfg.v[CFG_FUNCTION_MEMORY].source, SRC_FILE);
	CHECK_INT(cfg.v[CFG_FUNCTION_MEMORY].line, 3);
	CHECK_INT(config_int(&cfg, CFG_FUNCTION_TIMEOUT), 20);
	CHECK_STR(cfg.v[CFG_FUNCTION_TIMEOUT].origin, "BLAMBDA_TIMEOUT");
	CHECK_STR(config_str(&cfg, CFG_FUNCTION_ARCHITECTURE), "arm64");
	CHECK_STR(cfg.v[CFG_FUNCTION_ARCHITECTURE].origin, "--arch");
	CHECK_STR(config_str(&cfg, CFG_LAYERS_DEPS), "hello-deps");
	CHECK_INT(cfg.v[CFG_LAYERS_DEPS].source, SRC_DEFAULT);
	config_release(&cfg);
}

static void test_bad_values_keep_nothing(void)
{
	struct config cfg;

	write_file("function:\n  memory: 99999\n");
	config_init(&cfg);
	CHECK_INT(config_read_file(&cfg, path, 1, &err), -1);
	CHECK_INT(err.exit, EXIT_USAGE);
	CHECK(err.message && strstr(err.message, ":2:") && strstr(err.message, "memory must be between 128 and 10240"));
	CHECK_INT(config_int(&cfg, CFG_FUNCTION_MEMORY), 512);
	CHECK_INT(config_set_flag(&cfg, "function.handler", "nohandler", "handler", &err), -1);
	CHECK_STR(config_str(&cfg, CFG_FUNCTION_HANDLER), NULL);
	config_release(&cfg);
}

static void test_validators(void)
{
	struct buf why = BUF_INIT;

	CHECK_INT(config_check_handler(NULL, "hello/handler", &why), 0);
	CHECK_INT(config_check_handler(NULL, "my.app.core/handle-event", &why), 0);
	CHECK_INT(config_check_handler(NULL, "hello", &why), -1);
	CHECK_INT(config_check_handler(NULL, "a/b/c", &why), -1);
	CHECK_INT(config_check_handler(NULL, "/b", &why), -1);
	CHECK_INT(config_check_handler(NULL, "a b/c", &why), -1);
	CHECK_INT(config_check_function_name(NULL, "my-fn_2", &why), 0);
	CHECK_INT(config_check_function_name(NULL, "", &why), -1);
	CHECK_INT(config_check_function_name(NULL, "../x", &why), -1);
	buf_release(&why);
}

/* #_ applies to the next form that is not itself discarded, as bb reads it; a key twice is an error */
static void test_edn_discard_and_duplicates(void)
{
	struct edn *e;

	e = edn_parse("{:deps {#_ #_ a/b {:mvn/version \"1\"} c/d {:mvn/version \"2\"}}}", "bb.edn", &err);
	CHECK(e != NULL && edn_get(e, "deps") && edn_get(e, "deps")->nr == 2 &&
	      !strcmp(edn_get(e, "deps")->items[0]->text, "c/d"));
	edn_free(e);
	e = edn_parse("{:x #foo #_ 1 2}", "bb.edn", &err);
	CHECK(e != NULL && e->nr == 2 && e->items[1]->type == EDN_TAGGED && e->items[1]->nr == 1);
	edn_free(e);
	e = edn_parse("{:a ^:m #_ 1 2}", "bb.edn", &err);
	CHECK(e != NULL && e->nr == 2);
	edn_free(e);
	error_release(&err);
	e = edn_parse("{:deps {}\n :deps {a/b {:mvn/version \"1\"}}}", "bb.edn", &err);
	CHECK(e == NULL);
	CHECK(err.message && strstr(err.message, "bb.edn:2:2: the key :deps is in the map twice"));
	error_release(&err);
	e = edn_parse("{\"a\" 1 \"a\" 2}", "bb.edn", &err);
	CHECK(e == NULL);
	error_release(&err);
	e = edn_parse("{:a 1 \"a\" 2 a 3}", "bb.edn", &err); /* alike only in name: three keys */
	CHECK(e != NULL);
	edn_free(e);
}

static void test_edn_hostile(void)
{
	struct edn *e;
	char *deep;
	size_t n = 250000;

	/* a backslash as the last byte: refused, nothing read past the end */
	e = edn_parse("{:deps {a/b {:mvn/version \"1\"}}} \\", "bb.edn", &err); /* the first form is read */
	CHECK(e != NULL);
	edn_free(e);
	e = edn_parse("\\", "bb.edn", &err);
	CHECK(e == NULL);
	e = edn_parse("[\\", "bb.edn", &err);
	CHECK(e == NULL);
	e = edn_parse("[\\a \\newline]", "bb.edn", &err);
	CHECK(e != NULL && e->nr == 2);
	edn_free(e);
	/* a quarter megabyte of '[': an error, not a blown stack */
	deep = malloc(n + 1);
	memset(deep, '[', n);
	deep[n] = '\0';
	CHECK(edn_parse(deep, "bb.edn", &err) == NULL);
	memset(deep, '{', n);
	CHECK(edn_parse(deep, "bb.edn", &err) == NULL);
	for (size_t i = 0; i < n; i++)
		deep[i] = i % 2 ? '^' : ' ';
	CHECK(edn_parse(deep, "bb.edn", &err) == NULL);
	free(deep);
	/* \uXXXX in strings is decoded; a short one is an error, not a read past the end */
	e = edn_parse("\"A\\u0041\\u00e9\\u20ac\"", "bb.edn", &err);
	CHECK(e != NULL);
	CHECK_STR(e ? e->text : NULL, "AA\xc3\xa9\xe2\x82\xac");
	edn_free(e);
	CHECK(edn_parse("\"\\u00", "bb.edn", &err) == NULL);
	CHECK(edn_parse("\"\\u", "bb.edn", &err) == NULL);
	/* reasonable nesting still reads */
	e = edn_parse("[[[[[[[[[[1]]]]]]]]]]", "bb.edn", &err);
	CHECK(e != NULL);
	edn_free(e);
}

/* text read as blambda.yml; 0 or -1 */
static int read_yaml(struct config *cfg, const char *text)
{
	config_init(cfg);
	return config_read_text(cfg, "blambda.yml", text, strlen(text), &err) || config_finish(cfg, &err) ? -1 : 0;
}

/* Every string, however hostile, comes back as it went in through config_yaml_quote */
static void test_yaml_quote_round_trip(void)
{
	static const char *const hostile[] = {
		"plain", "", "a: b # c", "\"q\" \\ '", "line\nnext\r\n", "\x01\x1b[2J\x7f", "caf\xc3\xa9 \xe2\x98\x83",
		"c1 \xc2\x80\xc2\x85\xc2\x9f", "bom \xef\xbb\xbf and \xef\xbf\xbe", "- [x]", "*alias &anchor !tag", "~", "null",
		"ls \xe2\x80\xa8 ps \xe2\x80\xa9 end", " lead and trail ",
	};

	for (size_t i = 0; i < ARRAY_SIZE(hostile); i++) {
		struct buf y = BUF_INIT;
		struct config cfg;

		buf_adds(&y, "function:\n  name: f\n  description: ");
		config_yaml_quote(&y, hostile[i]);
		buf_addch(&y, '\n');
		CHECK_INT(read_yaml(&cfg, y.ptr), 0);
		error_release(&err);
		CHECK_STR(config_str(&cfg, CFG_FUNCTION_DESCRIPTION), hostile[i]);
		config_release(&cfg);
		buf_release(&y);
	}
}

/* "name" added to text; the result (NULL when refused) */
static char *added(const char *text, const char *name, const char *body)
{
	struct config cfg;
	struct buf out = BUF_INIT;
	int r;

	CHECK_INT(read_yaml(&cfg, text), 0);
	r = config_add_function(&cfg, text, strlen(text), name, body, &out, &err);
	config_release(&cfg);
	if (r) {
		buf_release(&out);
		return NULL;
	}
	return buf_detach(&out);
}

static void test_add_function(void)
{
	char *t;

	t = added("# top\nfunction:\n  name: hello # mine\n  handler: a/b\nbabashka:\n  version: 1.0.0\n", "new", "memory: 256\n");
	CHECK_STR(t, "# top\nfunction:\n  handler: a/b\nbabashka:\n  version: 1.0.0\nfunctions:\n  \"hello\": {}\n"
		     "  \"new\":\n    memory: 256\n");
	free(t);
	t = added("functions:\n    one: {}\n    two:\n      memory: 128\n\n# after\naws:\n  region: eu-west-1", "x", "");
	CHECK_STR(t, "functions:\n    one: {}\n    two:\n      memory: 128\n    \"x\": {}\n\n# after\naws:\n  region: eu-west-1");
	free(t);
	t = added("function:\n  handler: a/b\n", "x", "timeout: 3\n");
	CHECK_STR(t, "function:\n  handler: a/b\nfunctions:\n  \"x\":\n    timeout: 3\n");
	free(t);
	t = added("function:\r\n  handler: a/b\r\nfunctions:\r\n  one: {}\r\n", "x", "");
	CHECK_STR(t, "function:\r\n  handler: a/b\r\nfunctions:\r\n  one: {}\r\n  \"x\": {}\n");
	free(t);
	t = added("\xef\xbb\xbf" "functions:\n  one: {}\n", "x", "");
	CHECK_STR(t, "\xef\xbb\xbf" "functions:\n  one: {}\n  \"x\": {}\n");
	free(t);
	CHECK(added("functions: {one: {}}\n", "x", "") == NULL);
	CHECK(err.message && strstr(err.message, "flow style"));
	error_release(&err);
	CHECK(added("function: {name: one, handler: a/b}\n", "x", "") == NULL);
	CHECK(err.message && strstr(err.message, "not written on a line of its own"));
	error_release(&err);
}

/* dotenv: its forms, and errors that name the line and never a value */
static void test_dotenv(void)
{
	static const char good[] = "# comment\n\nAA=plain value  # comment\r\nexport BB = 'single # kept'\n"
				   "CC=\"double \\\"q\\\" \\n\"\nDD=\nEE=a#b\n";
	static const struct { const char *text; const char *msg; } bad[] = {
		{ "AA=1\nno equals secret\n", "f.env:2: expected NAME=VALUE" },
		{ "AA=\"open secret\n", "f.env:1: AA: its value's quote (\") is not closed on its line" },
		{ "AA='x' secret\n", "f.env:1: AA: text after the value's closing quote" },
		{ "AA=1\nAA=2\n", "f.env:2: AA is set twice in the file" },
		{ "1AA=secret\n", "f.env:1: not a variable name Lambda takes (a letter, then letters, digits and '_'; not one "
				   "Lambda reserves)" },
		{ "AWS_REGION=x\n", "f.env:1: not a variable name Lambda takes (a letter, then letters, digits and '_'; not "
				     "one Lambda reserves)" },
		/* a value's second line, secret text with + and /: never echoed */
		{ "KEY=-----BEGIN-----\nMIIEvsecret+/Qab==\n", "f.env:2: not a variable name Lambda takes (a letter, then "
								 "letters, digits and '_'; not one Lambda reserves)" },
	};
	struct kvlist out = KVLIST_INIT;

	CHECK_INT(config_dotenv_parse("f.env", good, strlen(good), &out, &err), 0);
	CHECK_INT((long)out.nr, 5);
	CHECK_STR(kvlist_get(&out, "AA"), "plain value");
	CHECK_STR(kvlist_get(&out, "BB"), "single # kept");
	CHECK_STR(kvlist_get(&out, "CC"), "double \"q\" \n");
	CHECK_STR(kvlist_get(&out, "DD"), "");
	CHECK_STR(kvlist_get(&out, "EE"), "a#b");
	kvlist_clear(&out);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(config_dotenv_parse("f.env", bad[i].text, strlen(bad[i].text), &out, &err), -1);
		CHECK_STR(err.message, bad[i].msg);
		CHECK(!strstr(err.message, "secret"));
		error_release(&err);
		kvlist_clear(&out);
	}
	CHECK_INT(config_dotenv_parse("f.env", "AA=1\0BB=2", 7, &out, &err), -1);
	CHECK_STR(err.message, "f.env: not a text file (it holds a NUL byte)");
	error_release(&err);
	kvlist_clear(&out);
}

TEST_MAIN(test_dotenv, test_yaml_quote_round_trip, test_add_function, test_edn_discard_and_duplicates, test_edn_hostile, test_defaults, test_precedence, test_bad_values_keep_nothing, test_validators)

/* runs before main: a private file for the tests */
__attribute__((constructor)) static void setup(void)
{
	snprintf(path, sizeof(path), "/tmp/blambda-test-config-%ld.yml", (long)getpid());
}

__attribute__((destructor)) static void teardown(void)
{
	unlink(path);
}
