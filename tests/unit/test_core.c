/* Unit tests for the core pieces: buffers, lists, suggestions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/fs.h"
#include "core/git.h"
#include "core/hash.h"
#include "core/json.h"
#include "core/payload.h"
#include "core/strlist.h"
#include "core/suggest.h"
#include "test.h"

static void test_buf(void)
{
	struct buf b = BUF_INIT;
	char *s;

	CHECK_STR(b.ptr, "");
	buf_adds(&b, "hello");
	buf_addch(&b, ' ');
	buf_addf(&b, "%s %d", "world", 42);
	CHECK_STR(b.ptr, "hello world 42");
	CHECK_INT(b.len, 14);
	for (int i = 0; i < 1000; i++)
		buf_addch(&b, 'x');
	CHECK_INT(b.len, 1014);
	CHECK_INT(b.ptr[b.len], '\0');
	buf_setlen(&b, 5);
	CHECK_STR(b.ptr, "hello");
	s = buf_detach(&b);
	CHECK_STR(s, "hello");
	CHECK(b.ptr != NULL && !*b.ptr && b.len == 0 && b.cap == 0);
	free(s);
	s = buf_detach(&b);
	CHECK_STR(s, "");
	free(s);
}

static void test_secret_buf(void)
{
	struct buf b;

	buf_init_secret(&b);
	buf_adds(&b, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
	for (int i = 0; i < 200; i++)
		buf_addch(&b, 'k'); /* moves the buffer: the old block is wiped */
	CHECK(b.secret);
	CHECK_INT(b.len, 240);
	buf_reset(&b);
	CHECK_INT(b.len, 0);
	CHECK_STR(b.ptr, "");
	buf_release(&b);
	CHECK_STR(b.ptr, "");
	CHECK(b.secret);
}

/* A buffer is a string from the start, and stays one after it is released. */
static void test_buf_never_null(void)
{
	struct buf b = BUF_INIT, z;

	CHECK_STR(b.ptr, "");
	buf_setlen(&b, 0);
	buf_reset(&b);
	CHECK(b.ptr == buf_slopbuf && b.cap == 0);
	buf_release(&b);
	CHECK_STR(b.ptr, "");
	buf_init(&z);
	buf_adds(&z, "");
	CHECK_STR(z.ptr, "");
	CHECK(z.cap > 0);
	buf_release(&z);
	CHECK_INT(buf_slopbuf[0], 0);
}

/* What could steer a terminal becomes '?'; well-formed UTF-8 text stays as it is. */
static void test_buf_printable(void)
{
	static const struct {
		const char *in, *out;
		int keep_lines;
	} cases[] = {
		{ "plain\ttext", "plain\ttext", 0 },
		{ "a\nb\rc", "a?b?c", 0 },
		{ "a\nb", "a\nb", 1 },
		{ "\033[31mred", "?[31mred", 0 },
		{ "del\177", "del?", 0 },
		{ "csi \xc2\x9b" "2J", "csi ?2J", 0 },      /* C1 CSI as UTF-8 */
		{ "raw \x9b" "2J", "raw ?2J", 0 },           /* C1 CSI as a raw byte */
		{ "nel \xc2\x85.", "nel ?.", 0 },        /* NEL, a C1 line break */
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 0 },
		{ "nbsp \xc2\xa0", "nbsp \xc2\xa0", 0 },
		{ "overlong \xc0\x9b", "overlong ??", 0 },
		{ "cut \xe2\x82", "cut ??", 0 },
		{ "surrogate \xed\xa0\x80", "surrogate ???", 0 },
		{ "too big \xf4\x90\x80\x80", "too big ????", 0 },
		{ "evil\xe2\x80\xaejs.clj", "evil?js.clj", 0 },   /* RIGHT-TO-LEFT OVERRIDE */
		{ "iso\xe2\x81\xa6x\xe2\x81\xa9", "iso?x?", 0 }, /* LEFT-TO-RIGHT ISOLATE, POP */
		{ "mark\xe2\x80\x8f.", "mark?.", 0 },             /* RIGHT-TO-LEFT MARK */
		{ "dash \xe2\x80\x94 ok", "dash \xe2\x80\x94 ok", 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct buf b = BUF_INIT;

		buf_add_printable(&b, cases[i].in, strlen(cases[i].in), cases[i].keep_lines);
		CHECK_STR(b.ptr, cases[i].out);
		buf_release(&b);
	}
}

static void test_strlist(void)
{
	struct strlist l = STRLIST_INIT;
	struct kvlist kv = KVLIST_INIT;

	strlist_split(&l, " a, b ,,c ", ',');
	CHECK_INT(l.nr, 3);
	CHECK_STR(l.items[0], "a");
	CHECK_STR(l.items[1], "b");
	CHECK_STR(l.items[2], "c");
	CHECK(strlist_has(&l, "b"));
	CHECK(!strlist_has(&l, "d"));
	strlist_clear(&l);
	CHECK_INT(l.nr, 0);

	kvlist_set(&kv, "A", "1");
	kvlist_set(&kv, "B", "2");
	kvlist_set(&kv, "A", "3");
	CHECK_INT(kv.nr, 2);
	CHECK_STR(kvlist_get(&kv, "A"), "3");
	CHECK_STR(kv.items[0].key, "A");
	CHECK_STR(kvlist_get(&kv, "C"), NULL);
	kvlist_clear(&kv);
}

static void test_edit_distance(void)
{
	CHECK_INT(edit_distance("", ""), 0);
	CHECK_INT(edit_distance("build", "build"), 0);
	CHECK_INT(edit_distance("biuld", "build"), 1); /* a swap is one edit */
	CHECK_INT(edit_distance("dryrun", "dry-run"), 1);
	CHECK_INT(edit_distance("kitten", "sitting"), 3);
	CHECK_INT(edit_distance("", "abc"), 3);
}

static void test_suggest(void)
{
	const char *cmds[] = { "build", "deploy", "destroy", "config", NULL, "completion" };

	CHECK_STR(suggest("biuld", cmds, 6), "build");
	CHECK_STR(suggest("confg", cmds, 6), "config");
	CHECK_STR(suggest("deplyo", cmds, 6), "deploy");
	CHECK_STR(suggest("xyzzy", cmds, 6), NULL);
	CHECK_STR(suggest("b", cmds, 6), NULL);           /* too short to guess */
	CHECK_STR(suggest("compl", cmds, 6), "completion"); /* a unique prefix */
	CHECK_STR(suggest("de", cmds, 6), NULL);          /* an ambiguous prefix */
}

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f)
		fclose(f);
}

/* A tree with a quote and a trailing slash in its name, holding a link out of it: only the tree goes. */
static void test_remove_tree(void)
{
	char base[] = "/tmp/blambda-rm-XXXXXX", p[256], outside[256], tree[256];
	char *failed = NULL;
	struct stat st;

	if (!mkdtemp(base)) {
		CHECK(0);
		return;
	}
	snprintf(outside, sizeof(outside), "%s/keep", base);
	mkdir(outside, 0755);
	snprintf(p, sizeof(p), "%s/keep/precious", base);
	touch(p);
	snprintf(tree, sizeof(tree), "%s/Bob's fns", base);
	mkdir(tree, 0755);
	snprintf(p, sizeof(p), "%s/Bob's fns/sub", base);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/Bob's fns/sub/file", base);
	touch(p);
	snprintf(p, sizeof(p), "%s/Bob's fns/link", base);
	CHECK_INT(symlink(outside, p), 0);
	snprintf(p, sizeof(p), "%s/Bob's fns/", base);
	CHECK_INT(fs_remove_tree(p, &failed), 0);
	CHECK_STR(failed, NULL);
	CHECK(lstat(tree, &st) != 0 && errno == ENOENT);
	snprintf(p, sizeof(p), "%s/keep/precious", base);
	CHECK_INT(stat(p, &st), 0);
	/* gone already: fine; a plain file: removed */
	CHECK_INT(fs_remove_tree(tree, NULL), 0);
	CHECK_INT(fs_remove_tree(p, NULL), 0);
	CHECK(stat(p, &st) != 0);
	CHECK_INT(fs_remove_tree(base, NULL), 0);
	CHECK(stat(base, &st) != 0);
}

static void test_base64_decode(void)
{
	struct buf b = BUF_INIT;

	CHECK_INT(base64_decode("eyJrIjoidiJ9", 12, &b), 0);
	CHECK_STR(b.ptr, "{\"k\":\"v\"}");
	buf_reset(&b);
	CHECK_INT(base64_decode("YQ==", 4, &b), 0);
	CHECK_STR(b.ptr, "a");
	CHECK_INT(b.len, 1);
	buf_reset(&b);
	CHECK_INT(base64_decode("YWI=", 4, &b), 0);
	CHECK_STR(b.ptr, "ab");
	CHECK_INT(base64_decode("%%%", 3, &b), -1);
	CHECK_INT(base64_decode("YQ=", 3, &b), -1);
	CHECK_INT(base64_decode("Y=Q=", 4, &b), -1);
	CHECK_INT(base64_decode("YQ\n=", 4, &b), -1);
	CHECK_INT(base64_decode("ab=c", 4, &b), -1);
	CHECK_INT(base64_decode("a===", 4, &b), -1);
	buf_reset(&b);
	CHECK_INT(base64_decode("", 0, &b), 0);
	CHECK_INT(b.len, 0);
	buf_release(&b);
}

static void test_json_pretty(void)
{
	cJSON *doc = cJSON_Parse("{\"ok\":true,\"tab\":\"a\\tb\",\"list\":[{\"n\":1},[]],\"empty\":{},\"k\\\"q\":null}");
	struct buf b = BUF_INIT;

	json_pretty(doc, &b);
	CHECK_STR(b.ptr, "{\n  \"ok\": true,\n  \"tab\": \"a\\tb\",\n  \"list\": [\n    {\n      \"n\": 1\n    },\n    []\n  ],\n"
			 "  \"empty\": {},\n  \"k\\\"q\": null\n}");
	CHECK(strchr(b.ptr, '\t') == NULL);
	buf_reset(&b);
	json_pretty(cJSON_GetObjectItem(doc, "ok"), &b);
	CHECK_STR(b.ptr, "true");
	buf_release(&b);
	cJSON_Delete(doc);
}

static void test_json_check(void)
{
	const char *good[] = { "{}", " [0, -0.5, 1e3, 2E-2, \"\\u00e9\", \"\xc3\xa9\"] ", "null", "\"01\"", "{\"a\": [true, false]}\n" };
	const char *bad[] = { "01", "-01", "1.", "[1.e2]", "\xef\xbb\xbf{}", "\"\xff\"", "{} x", "{}{}", "[\"a\tb\"]", "", "[-]",
			      "\"\\up0e9\"", "[1,]", "{\"a\":1,}", "'a'", "tru" };
	struct buf b = BUF_INIT;
	size_t line, col;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		CHECK_INT(json_check(good[i], strlen(good[i]), &line, &col), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_INT(json_check(bad[i], strlen(bad[i]), &line, &col), -1);
	CHECK_INT(json_check("{\n  \"a\": 01}", 13, &line, &col), -1);
	CHECK_INT(line, 2);
	CHECK_INT(col, 8);
	CHECK_INT(json_check("[1,\0]", 5, &line, &col), -1);
	/* what was expected, and found, where it stops */
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		CHECK_INT(json_check_why(good[i], strlen(good[i]), &line, &col, &b), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_INT(json_check_why(bad[i], strlen(bad[i]), &line, &col, NULL), -1);
	CHECK_STR(b.ptr ? b.ptr : "", "");
	CHECK_INT(json_check_why("{\"a\": 1,\n}", 11, &line, &col, &b), -1);
	CHECK_INT(line, 2);
	CHECK_INT(col, 1);
	CHECK_STR(b.ptr, "expected '\"' to start a member's name (no ',' before '}'), found '}'");
	buf_reset(&b);
	CHECK_INT(json_check_why("{'a': 1}", 8, &line, &col, &b), -1);
	CHECK_STR(b.ptr, "expected '\"' to start a member's name, or '}', found a single quote (JSON takes double quotes)");
	buf_reset(&b);
	CHECK_INT(json_check_why("[1 2]", 5, &line, &col, &b), -1);
	CHECK_STR(b.ptr, "expected ',' or ']' after an element, found '2'");
	buf_reset(&b);
	CHECK_INT(json_check_why("\"\xff\"", 3, &line, &col, &b), -1);
	CHECK(strstr(b.ptr, "expected text JSON takes (UTF-8") && strstr(b.ptr, "found byte 0xff"));
	buf_reset(&b);
	CHECK_INT(json_check_why("\"abc", 4, &line, &col, &b), -1);
	CHECK_STR(b.ptr, "expected '\"' to end the string, found the end of the input");
	buf_reset(&b);
	json_compact("{ \"a b\" : [1, 2],\n \"c\": \"x\\\" y\" }", 33, &b);
	CHECK_STR(b.ptr, "{\"a b\":[1,2],\"c\":\"x\\\" y\"}");
	buf_release(&b);
}

static void test_payload(void)
{
	struct buf b = BUF_INIT;
	struct error perr = ERROR_INIT;

	CHECK_INT(payload_load(NULL, NULL, NULL, &b, &perr), 0);
	CHECK_STR(b.ptr, "{}");
	buf_reset(&b);
	CHECK_INT(payload_load("  [1, {\"a\": null}]\n", NULL, NULL, &b, &perr), 0);
	buf_reset(&b);
	CHECK_INT(payload_load("{\"a\": 1} trailing", NULL, NULL, &b, &perr), -1);
	buf_reset(&b);
	CHECK_INT(payload_load("", NULL, NULL, &b, &perr), -1);
	buf_reset(&b);
	CHECK_INT(payload_load("{}", NULL, "x", &b, &perr), -1);
	buf_reset(&b);
	CHECK_INT(payload_load(NULL, NULL, "../secret", &b, &perr), -1);
	CHECK(perr.exit == EXIT_USAGE && strstr(perr.message, "cannot read '../secret'")); /* a path, read as given */
	buf_reset(&b);
	CHECK_INT(payload_load(NULL, NULL, "", &b, &perr), -1);
	CHECK(perr.exit == EXIT_USAGE && strstr(perr.message, "--event takes the name of an event in events/ or a path"));
	buf_reset(&b);
	CHECK_INT(payload_load(NULL, "/nonexistent/payload.json", NULL, &b, &perr), -1);
	buf_release(&b);
	error_release(&perr);
}

/* a file of `text` at dir/rel, its directories made */
static void put(const char *dir, const char *rel, const char *text)
{
	struct buf path = BUF_INIT;
	struct error err = ERROR_INIT;
	char *slash;

	buf_addf(&path, "%s/%s", dir, rel);
	slash = strrchr(path.ptr, '/');
	*slash = '\0';
	fs_mkdirs(path.ptr, 0755, &err);
	*slash = '/';
	CHECK_INT(fs_write_atomic(path.ptr, text, strlen(text), 0644, &err), 0);
	error_release(&err);
	buf_release(&path);
}

/* HEAD as git keeps it: a loose ref, packed-refs, detached, a worktree's .git file; none */
static void test_git_head(void)
{
	char dir[] = "/tmp/blambda-git-XXXXXX", sha[41], sub[64];
	const char *a = "0123456789abcdef0123456789abcdef01234567", *b = "89abcdef0123456789abcdef0123456789abcdef";

	CHECK(mkdtemp(dir) != NULL);
	CHECK_INT(git_head_commit(dir, sha), -1);
	put(dir, ".git/HEAD", "ref: refs/heads/main\n");
	put(dir, ".git/packed-refs", "# pack-refs\n89abcdef0123456789abcdef0123456789abcdef refs/heads/mainline\n"
				     "0123456789abcdef0123456789abcdef01234567 refs/heads/main\n");
	snprintf(sub, sizeof(sub), "%s/src/deep", dir);
	put(dir, "src/deep/x", "");
	CHECK_INT(git_head_commit(sub, sha), 0);
	CHECK_STR(sha, a);
	put(dir, ".git/refs/heads/main", "89abcdef0123456789abcdef0123456789abcdef\n");
	CHECK_INT(git_head_commit(dir, sha), 0);
	CHECK_STR(sha, b);
	put(dir, ".git/HEAD", "0123456789abcdef0123456789abcdef01234567\n");
	CHECK_INT(git_head_commit(dir, sha), 0);
	CHECK_STR(sha, a);
	put(dir, ".git/HEAD", "ref: refs/heads/../../../../etc/passwd\n");
	CHECK_INT(git_head_commit(dir, sha), -1);
	/* a worktree: .git is a file naming its git dir, whose commondir holds the refs */
	snprintf(sub, sizeof(sub), "%s/wt", dir);
	put(dir, "wt/.git", "gitdir: ../.git/worktrees/wt\n");
	put(dir, ".git/worktrees/wt/HEAD", "ref: refs/heads/mainline\n");
	put(dir, ".git/worktrees/wt/commondir", "../..\n");
	CHECK_INT(git_head_commit(sub, sha), 0);
	CHECK_STR(sha, b);
	CHECK_INT(fs_remove_tree(dir, NULL), 0);
}

/* A copy of a tree: directories, files without their write bits, links as they are; a copy of nothing fails */
static void test_copy_tree(void)
{
	char src[] = "/tmp/blambda-copy-src.XXXXXX", dst[] = "/tmp/blambda-copy-dst.XXXXXX", link[64], path[256];
	struct error err = ERROR_INIT;
	struct buf text = BUF_INIT;
	struct stat st;
	ssize_t n;

	CHECK(mkdtemp(src) && mkdtemp(dst));
	put(src, "a/b/deep.clj", "(ns deep)");
	put(src, "top.clj", "(ns top)");
	CHECK_INT(symlink("a/b/deep.clj", strcat(strcpy(path, src), "/link")), 0);
	CHECK_INT(fs_copy_tree(src, dst, 1, &err), 0);
	snprintf(path, sizeof(path), "%s/a/b/deep.clj", dst);
	CHECK_INT(fs_read_file(path, &text, 1024), 0);
	CHECK_STR(text.ptr, "(ns deep)");
	CHECK(!stat(path, &st) && (st.st_mode & 0777) == 0444);
	snprintf(path, sizeof(path), "%s/link", dst);
	n = readlink(path, link, sizeof(link) - 1);
	CHECK(n > 0);
	link[n > 0 ? n : 0] = '\0';
	CHECK_STR(link, "a/b/deep.clj");
	CHECK_INT(fs_remove_tree(dst, NULL), 0);
	CHECK_INT(fs_copy_tree(src, dst, 1, &err), -1);
	CHECK(strstr(err.message, dst) != NULL);
	error_release(&err);
	/* a copy inside what it copies (a source path "."): not into itself */
	snprintf(path, sizeof(path), "%s/target", src);
	CHECK_INT(mkdir(path, 0755), 0);
	CHECK_INT(fs_copy_tree(src, path, 1, &err), 0);
	snprintf(path, sizeof(path), "%s/target/top.clj", src);
	CHECK(!stat(path, &st));
	snprintf(path, sizeof(path), "%s/target/target", src);
	CHECK(stat(path, &st) && errno == ENOENT);
	buf_release(&text);
	CHECK_INT(fs_remove_tree(src, NULL), 0);
}

TEST_MAIN(test_copy_tree, test_git_head, test_buf_never_null, test_buf_printable, test_base64_decode, test_json_pretty, test_json_check, test_payload, test_remove_tree, test_buf, test_secret_buf, test_strlist, test_edit_distance, test_suggest)
