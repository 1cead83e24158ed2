/* Unit tests for packaging: release URLs and digests, reproducible zips, build stamps. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include "core/array.h"
#include "core/fs.h"
#include "package/artifact.h"
#include "package/babashka.h"
#include "package/bootstrap.h"
#include "package/function_zip.h"
#include "package/zip.h"
#include "test.h"

static char dir[64];

/* where the calls below report (each failure replaces the last) */
static struct error zerr = ERROR_INIT;

static void test_release_urls(void)
{
	struct bb_release r;

	setenv("BLAMBDA_CACHE_DIR", "/cache", 1);
	CHECK_INT(bb_release_init(&r, "1.13.219", "x86_64", NULL), 0);
	CHECK_STR(r.url, "https://github.com/babashka/babashka/releases/download/v1.13.219/babashka-1.13.219-linux-amd64-static.tar.gz");
	CHECK_STR(r.cache_path, "/cache/babashka/1.13.219/babashka-1.13.219-linux-amd64-static.tar.gz");
	CHECK_STR(r.sha256, "9ac1fe988d7001625b30ef3e3307e67f8545505a7cb49a4aa179f578115a3e09");
	CHECK(r.pinned);
	bb_release_release(&r);

	CHECK_INT(bb_release_init(&r, "1.12.218", "arm64", BABASHKA_RELEASES), 0);
	CHECK_STR(r.url, "https://github.com/babashka/babashka/releases/download/v1.12.218/babashka-1.12.218-linux-aarch64-static.tar.gz");
	CHECK_STR(r.sha256, "e9e9190afb0dd33abbcd3aa6c1382184a88a5498800324719be3be6e1aa68302");
	bb_release_release(&r);

	/* snapshots come from the dev builds, unless a mirror serves everything */
	CHECK_INT(bb_release_init(&r, "1.13.220-SNAPSHOT", "x86_64", NULL), 0);
	CHECK_STR(r.url, "https://github.com/babashka/babashka-dev-builds/releases/download/v1.13.220-SNAPSHOT/babashka-1.13.220-SNAPSHOT-linux-amd64-static.tar.gz");
	CHECK_STR(r.sha256, "");
	CHECK(!r.pinned);
	bb_release_release(&r);
	CHECK_INT(bb_release_init(&r, "1.13.220-SNAPSHOT", "x86_64", "http://mirror.local/bb/"), 0);
	CHECK_STR(r.url, "http://mirror.local/bb/v1.13.220-SNAPSHOT/babashka-1.13.220-SNAPSHOT-linux-amd64-static.tar.gz");
	bb_release_release(&r);

	CHECK_INT(bb_release_init(&r, "1.13.219", "amd64", NULL), -1);
	bb_release_release(&r);
	unsetenv("BLAMBDA_CACHE_DIR");
}

static void test_embedded(void)
{
	/* this build carries both bootstraps, and runtime.clj */
	CHECK_INT(bootstrap_count, 2);
	CHECK(bootstrap_for("x86_64") != NULL);
	CHECK(bootstrap_for("arm64") != NULL);
	CHECK(bootstrap_for("amd64") == NULL);
	CHECK(!memcmp(bootstrap_for("arm64")->data, "\177ELF", 4));
	CHECK(blambda_runtime_clj_end - blambda_runtime_clj > 1000);
	CHECK(!memcmp(blambda_runtime_clj, ";;", 2));
}

static void digest(const char *path, char out[SHA256_HEX_LEN + 1])
{
	CHECK_INT(sha256_file_hex(path, out), 0);
}

static void test_zip_reproducible(void)
{
	char a[128], b[128], f[128], da[SHA256_HEX_LEN + 1], db[SHA256_HEX_LEN + 1];
	FILE *fp;

	snprintf(a, sizeof(a), "%s/a.zip", dir);
	snprintf(b, sizeof(b), "%s/b.zip", dir);
	snprintf(f, sizeof(f), "%s/file.txt", dir);
	fp = fopen(f, "w");
	fputs("from a file\n", fp);
	fclose(fp);
	{
		struct zip_input in[] = {
			{ "z/last.txt", 0644, NULL, "zzz", 3, NULL, NULL },
			{ "file.txt", 0644, f, NULL, 0, NULL, NULL },
			{ "bin/run", 0755, NULL, "#!/bin/sh\n", 10, NULL, NULL },
		};
		CHECK_INT(zip_write(a, in, 3, ZIP_LEVEL_DEFAULT, &zerr), 0);
		CHECK_STR(in[0].name, "bin/run"); /* sorted in place */
	}
	utime(f, &(struct utimbuf){ 1, 1 }); /* the file's own time must not matter */
	{
		struct zip_input in[] = {
			{ "file.txt", 0644, f, NULL, 0, NULL, NULL },
			{ "bin/run", 0755, NULL, "#!/bin/sh\n", 10, NULL, NULL },
			{ "z/last.txt", 0644, NULL, "zzz", 3, NULL, NULL },
		};
		CHECK_INT(zip_write(b, in, 3, ZIP_LEVEL_DEFAULT, &zerr), 0);
	}
	digest(a, da);
	digest(b, db);
	CHECK_STR(da, db);
	/* a failed write leaves nothing behind and the old file alone */
	{
		struct zip_input in[] = { { "x", 0644, "/nonexistent/file", NULL, 0, NULL, NULL } };
		CHECK_INT(zip_write(a, in, 1, ZIP_LEVEL_DEFAULT, &zerr), -1);
		digest(a, db);
		CHECK_STR(da, db);
	}
}

static void test_zip_extract(void)
{
	char zpath[160], out[160], p[200], evil[160];
	struct stat st;
	struct buf b = BUF_INIT;

	snprintf(zpath, sizeof(zpath), "%s/x.zip", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	mkdir(out, 0755);
	{
		struct zip_input in[] = {
			{ "bin/run", 0755, NULL, "#!/bin/sh\n", 10, NULL, NULL },
			{ "m2-repo/a/b.jar", 0644, NULL, "jar", 3, NULL, NULL },
		};
		CHECK_INT(zip_write(zpath, in, 2, ZIP_LEVEL_DEFAULT, &zerr), 0);
	}
	CHECK_INT(zip_extract(zpath, out, &zerr), 0);
	snprintf(p, sizeof(p), "%s/bin/run", out);
	CHECK_INT(stat(p, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0755);
	snprintf(p, sizeof(p), "%s/m2-repo/a/b.jar", out);
	CHECK_INT(fs_read_file(p, &b, 0), 0);
	CHECK_STR(b.ptr, "jar");
	CHECK_INT(stat(p, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0644);
	buf_release(&b);
	/* names that would land outside, or nowhere sensible, are refused */
	{
		const char *bad[] = { "../evil", "a/../../evil", "/tmp/evil-abs", "a//b", "./x", "" };

		for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
			struct zip_input in[] = { { bad[i], 0644, NULL, "x", 1, NULL, NULL } };

			if (zip_write(zpath, in, 1, ZIP_LEVEL_DEFAULT, &zerr))
				continue; /* libzip refused to write it: nothing to read back */
			CHECK_INT(zip_extract(zpath, out, &zerr), -1);
		}
	}
	snprintf(evil, sizeof(evil), "%s/evil", dir);
	CHECK(stat(evil, &st) != 0);
	CHECK(stat("/tmp/evil-abs", &st) != 0);
	/* an existing file is not overwritten through */
	{
		struct zip_input in[] = { { "bin/run", 0755, NULL, "again", 5, NULL, NULL } };

		CHECK_INT(zip_write(zpath, in, 1, ZIP_LEVEL_DEFAULT, &zerr), 0);
		CHECK_INT(zip_extract(zpath, out, &zerr), -1);
	}
	/* not a zip */
	CHECK_INT(zip_extract(p, out, &zerr), -1);
}

static void test_stamps(void)
{
	struct artifact art = { 0 };
	char path[128], again[SHA256_HEX_LEN + 1];

	snprintf(path, sizeof(path), "%s/a.zip", dir);
	art.path = strdup(path);
	CHECK(!artifact_up_to_date(&art, "inputs-1"));
	CHECK_STR(art.reason, "there is no record of how it was built");
	CHECK_INT(artifact_record(&art, "inputs-1", &zerr), 0);
	digest(path, again);
	CHECK_STR(art.sha256, again);
	memset(art.sha256, 0, sizeof(art.sha256));
	CHECK(artifact_up_to_date(&art, "inputs-1"));
	CHECK_STR(art.sha256, again);
	CHECK(!artifact_up_to_date(&art, "inputs-2"));
	CHECK_STR(art.reason, "its inputs changed");
	utime(path, &(struct utimbuf){ 5, 5 });
	CHECK(!artifact_up_to_date(&art, "inputs-1"));
	CHECK_STR(art.reason, "it was changed after it was built");
	unlink(path);
	CHECK(!artifact_up_to_date(&art, "inputs-1"));
	CHECK_STR(art.reason, "it does not exist yet");
	artifact_release(&art);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/blambda-test-package-XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
}

static void teardown(void)
{
	CHECK_INT(fs_remove_tree(dir, NULL), 0);
}

/* the "files" of a handler check: name NUL text pairs */
static const char *const handler_files[] = {
	"shop/orders.clj", "(ns shop.orders)\n; (defn handler [e c])\n(defn- ^:private ^{:doc \"x\"} handle [e c] e)\n",
	"shop/order_book.cljc", "(ns shop.order-book) (def ^String book-handler (fn [e c] e))",
	"shop/empty.clj", "",
	"run.sh", "#!/bin/sh\n",
};

static int read_handler_file(void *ctx, const char *name, struct buf *text)
{
	(void)ctx;
	for (size_t i = 0; i < ARRAY_SIZE(handler_files); i += 2)
		if (!strcmp(handler_files[i], name)) {
			buf_adds(text, handler_files[i + 1]);
			return 0;
		}
	return -1;
}

static void test_handler_check(void)
{
	const char *names[] = { handler_files[0], handler_files[2], handler_files[4], handler_files[6] };
	struct error e = ERROR_INIT;

#define HANDLER(h) function_zip_check_handler(h, "blambda.yml:5", names, ARRAY_SIZE(names), read_handler_file, NULL, &e)
	CHECK_INT(HANDLER("shop.orders/handle"), 0);
	CHECK_INT(HANDLER("shop.order-book/book-handler"), 0);
	CHECK_INT(HANDLER("noslash"), 0); /* its shape is the configuration check's */
	/* a name in a comment is not a definition, nor a mention */
	CHECK_INT(HANDLER("shop.orders/handler"), -1);
	CHECK(e.exit == EXIT_USAGE && strstr(e.message, "shop/orders.clj defines no 'handler'") &&
	      e.hint && strstr(e.hint, "did you mean 'handle' (handler 'shop.orders/handle')?"));
	error_release(&e);
	CHECK_INT(HANDLER("shop.orderbook/x"), -1);
	CHECK(strstr(e.message, "namespace shop.orderbook is not in the function zip") && e.hint &&
	      strstr(e.hint, "'shop.order-book'"));
	error_release(&e);
	CHECK_INT(HANDLER("shop.empty/handler"), -1);
	CHECK(strstr(e.message, "shop/empty.clj defines no 'handler'"));
	error_release(&e);
	CHECK_INT(HANDLER("/handler"), -1);
	error_release(&e);
#undef HANDLER
}

TEST_MAIN(setup, test_handler_check, test_release_urls, test_embedded, test_zip_reproducible, test_zip_extract, test_stamps, teardown)
