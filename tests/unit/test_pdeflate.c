/* Unit tests for the parallel deflate: the stream inflates back, the bytes do not depend on threads, the zip reads */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>
#include <zlib.h>

#include "package/pdeflate.h"
#include "package/zip.h"
#include "test.h"

static char dir[64];

/* Inflate a raw deflate stream: 0 when it gives exactly want[0..len) and ends there */
static int inflates_to(const struct pdeflate_result *r, const unsigned char *want, size_t len)
{
	unsigned char *got = malloc(len + 1);
	z_stream zs;
	int rc, ok;

	memset(&zs, 0, sizeof(zs));
	if (!got || inflateInit2(&zs, -15) != Z_OK) {
		free(got);
		return -1;
	}
	zs.next_in = r->data;
	zs.avail_in = (uInt)r->len;
	zs.next_out = got;
	zs.avail_out = (uInt)len + 1;
	rc = inflate(&zs, Z_FINISH);
	ok = rc == Z_STREAM_END && zs.total_out == len && zs.avail_in == 0 && !memcmp(got, want, len);
	inflateEnd(&zs);
	free(got);
	return ok ? 0 : -1;
}

/* Incompressible bytes, the same every run */
static void noise(unsigned char *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
}

/* Text that compresses much, with repeats across block boundaries */
static void text(unsigned char *p, size_t n)
{
	static const char *words[] = { "lambda ", "clojure ", "babashka ", "deflate ", "(defn handler [event ctx]) ",
				       "\n", "{:statusCode 200} " };
	uint32_t seed = 7;

	for (size_t i = 0; i < n;) {
		const char *w;
		size_t l;

		seed = seed * 1103515245u + 12345u;
		w = words[(seed >> 16) % ARRAY_SIZE(words)];
		l = strlen(w);
		memcpy(p + i, w, l < n - i ? l : n - i);
		i += l < n - i ? l : n - i;
	}
}

static void check_sizes(const unsigned char *in, size_t size)
{
	struct pdeflate_result one, two, eight;
	struct error err = ERROR_INIT;

	CHECK_INT(pdeflate_buffer(in, size, 6, 1, &one, &err), 0);
	CHECK_INT(pdeflate_buffer(in, size, 6, 2, &two, &err), 0);
	CHECK_INT(pdeflate_buffer(in, size, 6, 8, &eight, &err), 0);
	CHECK_INT(inflates_to(&one, in, size), 0);
	CHECK_INT(one.crc, crc32(0L, in, (uInt)size));
	CHECK_INT(one.size, size);
	CHECK(one.len == two.len && !memcmp(one.data, two.data, one.len));
	CHECK(one.len == eight.len && !memcmp(one.data, eight.data, one.len));
	CHECK_INT(two.crc, one.crc);
	CHECK_INT(eight.crc, one.crc);
	pdeflate_result_release(&one);
	pdeflate_result_release(&two);
	pdeflate_result_release(&eight);
	error_release(&err);
}

static void test_same_bytes_whatever_the_threads(void)
{
	size_t sizes[] = { 0, 1, PDEFLATE_BLOCK - 1, PDEFLATE_BLOCK, PDEFLATE_BLOCK + 1, 3 * PDEFLATE_BLOCK,
			   5 * PDEFLATE_BLOCK + 77 };
	size_t max = 5 * PDEFLATE_BLOCK + 77;
	unsigned char *in = malloc(max);

	text(in, max);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		check_sizes(in, sizes[i]);
	noise(in, max, 42); /* incompressible: stored blocks */
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		check_sizes(in, sizes[i]);
	free(in);
}

/* As small as one deflate stream of the whole: the blocks cost a few bytes each, the dictionary keeps the rest */
static void test_size_near_one_stream(void)
{
	size_t size = 4 << 20;
	unsigned char *in = malloc(size), *whole;
	uLong bound;
	struct pdeflate_result r;
	struct error err = ERROR_INIT;
	z_stream zs;

	text(in, size);
	memset(&zs, 0, sizeof(zs));
	deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
	bound = deflateBound(&zs, size);
	whole = malloc(bound);
	zs.next_in = in;
	zs.avail_in = (uInt)size;
	zs.next_out = whole;
	zs.avail_out = (uInt)bound;
	CHECK_INT(deflate(&zs, Z_FINISH), Z_STREAM_END);
	CHECK_INT(pdeflate_buffer(in, size, 6, 0, &r, &err), 0);
	CHECK((double)r.len <= (double)zs.total_out * 1.01);
	deflateEnd(&zs);
	pdeflate_result_release(&r);
	free(whole);
	free(in);
}

/* A reader that gives odd-sized pieces, and can stop short or run long */
struct reader {
	const unsigned char *data;
	size_t len, at, step;
	int fail_at_end;
};

static long read_piece(void *ctx, void *buf, size_t n)
{
	struct reader *r = ctx;
	size_t k = n < r->step ? n : r->step;

	if (r->at == r->len)
		return r->fail_at_end ? -1 : 0;
	if (k > r->len - r->at)
		k = r->len - r->at;
	memcpy(buf, r->data + r->at, k);
	r->at += k;
	return (long)k;
}

static void test_stream(void)
{
	size_t size = 2 * PDEFLATE_BLOCK + 5000;
	unsigned char *in = malloc(size);
	struct pdeflate_result a, b;
	struct error err = ERROR_INIT;

	text(in, size);
	CHECK_INT(pdeflate_buffer(in, size, 6, 2, &a, &err), 0);
	{
		struct reader rd = { in, size, 0, 4093, 0 };

		CHECK_INT(pdeflate_stream(read_piece, &rd, size, 6, 3, &b, &err), 0);
		CHECK(a.len == b.len && !memcmp(a.data, b.data, a.len));
		CHECK_INT(b.crc, a.crc);
		pdeflate_result_release(&b);
	}
	{ /* the stream ends early: an error, nothing returned */
		struct reader rd = { in, size - 10, 0, 65536, 0 };

		CHECK_INT(pdeflate_stream(read_piece, &rd, size, 6, 2, &b, &err), -1);
		CHECK(err.message && strstr(err.message, "the input ended after"));
		CHECK(b.data == NULL);
	}
	{ /* the reader fails */
		struct reader rd = { in, 1000, 0, 65536, 1 };

		CHECK_INT(pdeflate_stream(read_piece, &rd, size, 6, 2, &b, &err), -1);
		CHECK(err.message && strstr(err.message, "cannot read the input after 1000 of"));
	}
	{ /* more than declared */
		struct reader rd = { in, size, 0, 65536, 0 };

		CHECK_INT(pdeflate_stream(read_piece, &rd, size - 1, 6, 2, &b, &err), -1);
		CHECK(err.message && strstr(err.message, "holds more than"));
	}
	pdeflate_result_release(&a);
	error_release(&err);
	free(in);
}

/* Stored by zip_write as it is deflated: libzip's consistency check passes, the entry reads back with its mode */
static void test_write_zip(void)
{
	size_t size = PDEFLATE_BLOCK * 2 + 1;
	unsigned char *in = malloc(size), *back = malloc(size);
	char path[128];
	struct pdeflate_result r;
	struct error err = ERROR_INIT;
	zip_t *za;
	zip_file_t *zf;
	zip_uint8_t os;
	zip_uint32_t attr = 0;
	int zerr = 0;

	noise(in, size, 9);
	text(in, size / 2);
	snprintf(path, sizeof(path), "%s/bb.zip", dir);
	CHECK_INT(pdeflate_buffer(in, size, 6, 2, &r, &err), 0);
	{
		struct zip_deflated d = { r.data, r.len, r.crc, r.size };
		struct zip_input entry = { "bb", 0755, NULL, NULL, 0, NULL, &d };

		CHECK_INT(zip_write(path, &entry, 1, ZIP_LEVEL_DEFAULT, &err), 0);
	}
	za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
	CHECK(za != NULL);
	if (za) {
		CHECK_INT(zip_get_num_entries(za, 0), 1);
		CHECK_INT(zip_file_get_external_attributes(za, 0, 0, &os, &attr), 0);
		CHECK_INT(os, ZIP_OPSYS_UNIX);
		CHECK_INT(attr >> 16, 0100755);
		zf = zip_fopen(za, "bb", 0);
		CHECK(zf != NULL);
		if (zf) {
			CHECK_INT(zip_fread(zf, back, size), (zip_int64_t)size);
			CHECK(!memcmp(in, back, size));
			zip_fclose(zf);
		}
		zip_discard(za);
	}
	{ /* stored as it is: the compressed size is what pdeflate made */
		zip_stat_t st;

		za = zip_open(path, ZIP_RDONLY, &zerr);
		CHECK(za && !zip_stat(za, "bb", 0, &st) && st.comp_size == r.len && st.comp_method == ZIP_CM_DEFLATE);
		if (za)
			zip_discard(za);
	}
	pdeflate_result_release(&r);
	error_release(&err);
	free(in);
	free(back);
}

static void setup(void)
{
	strcpy(dir, "/tmp/blambda-pdeflate-XXXXXX");
	if (!mkdtemp(dir))
		abort();
}

static void teardown(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/bb.zip", dir);
	unlink(path);
	rmdir(dir);
}

TEST_MAIN(setup, test_same_bytes_whatever_the_threads, test_size_near_one_stream, test_stream, test_write_zip,
	  teardown)
