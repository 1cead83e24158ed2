#include "package/pdeflate.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/xalloc.h"

#define PDEFLATE_WINDOW (32u << 10) /* deflate's window: what a block may refer back to */
#define PDEFLATE_MAX_THREADS 32
#define PDEFLATE_READ_STEP (1u << 20)

/* One block's deflated bytes */
struct pblock {
	unsigned char *data;
	size_t len;
	uint32_t crc;
};

/* The input, the blocks, and how far the reader has come, shared by the workers */
struct pdeflate {
	const unsigned char *in;
	uint64_t size;
	size_t nblocks;
	struct pblock *blocks;
	int level;
	pthread_mutex_t lock;
	pthread_cond_t more; /* avail grew, or failed was set */
	uint64_t avail;      /* the bytes of in read so far */
	size_t next;         /* the next block to take */
	int failed;          /* a read or a deflate failed: everyone stops */
	const char *why;     /* what failed in a worker (a constant) */
};

void pdeflate_result_release(struct pdeflate_result *r)
{
	free(r->data);
	memset(r, 0, sizeof(*r));
}

static int failed(struct pdeflate *p)
{
	int f;

	pthread_mutex_lock(&p->lock);
	f = p->failed;
	pthread_mutex_unlock(&p->lock);
	return f;
}

static void fail(struct pdeflate *p, const char *why)
{
	pthread_mutex_lock(&p->lock);
	if (!p->failed)
		p->why = why;
	p->failed = 1;
	pthread_cond_broadcast(&p->more);
	pthread_mutex_unlock(&p->lock);
}

/* Run zlib over the block until it has given all it will for `flush`, growing the output as needed */
static int deflate_all(z_stream *zs, struct pblock *b, size_t *cap, int flush)
{
	for (;;) {
		int rc;

		if (b->len == *cap) {
			*cap *= 2;
			b->data = xrealloc(b->data, *cap);
		}
		zs->next_out = b->data + b->len;
		zs->avail_out = (uInt)(*cap - b->len);
		rc = deflate(zs, flush);
		b->len = *cap - zs->avail_out;
		if (rc == Z_STREAM_END || (flush != Z_FINISH && rc == Z_OK && zs->avail_out))
			return 0;
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			return -1;
	}
}

/*
 * Block i alone: the 32 KB before it as its dictionary, ended on a byte
 * boundary (Z_SYNC_FLUSH) so the next block's bytes follow it, or finished
 * when it is the last.
 */
static int deflate_block(struct pdeflate *p, size_t i, z_stream *zs)
{
	uint64_t start = (uint64_t)i * PDEFLATE_BLOCK;
	size_t len = (size_t)(p->size - start < PDEFLATE_BLOCK ? p->size - start : PDEFLATE_BLOCK);
	size_t dict = start < PDEFLATE_WINDOW ? (size_t)start : PDEFLATE_WINDOW, cap;
	struct pblock *b = &p->blocks[i];

	if (deflateReset(zs) != Z_OK || (dict && deflateSetDictionary(zs, p->in + start - dict, (uInt)dict) != Z_OK))
		return -1;
	cap = deflateBound(zs, (uLong)len) + 16;
	b->data = xmalloc(cap);
	zs->next_in = (Bytef *)(p->in + start); /* zlib's type lacks the const it honours */
	zs->avail_in = (uInt)len;
	b->crc = (uint32_t)crc32(0L, p->in + start, (uInt)len);
	return deflate_all(zs, b, &cap, i + 1 == p->nblocks ? Z_FINISH : Z_SYNC_FLUSH);
}

/* Take the next block, wait for its bytes, deflate it; one zlib state for all the blocks it takes */
static void *worker(void *arg)
{
	struct pdeflate *p = arg;
	z_stream zs;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, p->level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		fail(p, "zlib cannot start (out of memory?)");
		return NULL;
	}
	for (;;) {
		size_t i;
		uint64_t end;
		int stop;

		pthread_mutex_lock(&p->lock);
		if (p->failed || p->next == p->nblocks) {
			pthread_mutex_unlock(&p->lock);
			break;
		}
		i = p->next++;
		end = (uint64_t)(i + 1) * PDEFLATE_BLOCK;
		if (end > p->size)
			end = p->size;
		while (p->avail < end && !p->failed)
			pthread_cond_wait(&p->more, &p->lock);
		stop = p->failed;
		pthread_mutex_unlock(&p->lock);
		if (stop)
			break;
		if (deflate_block(p, i, &zs))
			fail(p, "zlib cannot deflate (out of memory?)");
	}
	deflateEnd(&zs);
	return NULL;
}

static int thread_count(int threads, size_t nblocks)
{
	long n = threads > 0 ? threads : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > PDEFLATE_MAX_THREADS)
		n = PDEFLATE_MAX_THREADS;
	return (size_t)n > nblocks ? (int)nblocks : (int)n;
}

/* Fill the input from the reader while the workers deflate what has come; -1 with err */
static int read_input(struct pdeflate *p, unsigned char *in, long (*read)(void *, void *, size_t), void *ctx,
		      struct error *err)
{
	uint64_t got = 0;
	unsigned char extra;

	while (got < p->size && !failed(p)) {
		uint64_t left = p->size - got;
		long n = read(ctx, in + got, left < PDEFLATE_READ_STEP ? (size_t)left : PDEFLATE_READ_STEP);

		if (n <= 0) {
			fail(p, NULL);
			return error_set(err, EXIT_FAIL, n ? "cannot read the input after %llu of %llu bytes" :
							 "the input ended after %llu of its %llu bytes",
					 (unsigned long long)got, (unsigned long long)p->size);
		}
		got += (uint64_t)n;
		pthread_mutex_lock(&p->lock);
		p->avail = got;
		pthread_cond_broadcast(&p->more);
		pthread_mutex_unlock(&p->lock);
	}
	if (!failed(p) && read(ctx, &extra, 1) != 0) {
		fail(p, NULL);
		return error_set(err, EXIT_FAIL, "the input holds more than its %llu bytes", (unsigned long long)p->size);
	}
	return 0;
}

/* The blocks joined into one stream, their CRCs combined */
static void join_blocks(struct pdeflate *p, struct pdeflate_result *out)
{
	size_t total = 0, i;

	for (i = 0; i < p->nblocks; i++)
		total += p->blocks[i].len;
	out->data = xmalloc(total ? total : 1);
	out->len = 0;
	out->crc = 0;
	out->size = p->size;
	for (i = 0; i < p->nblocks; i++) {
		uint64_t len = i + 1 == p->nblocks ? p->size - (uint64_t)i * PDEFLATE_BLOCK : PDEFLATE_BLOCK;

		memcpy(out->data + out->len, p->blocks[i].data, p->blocks[i].len);
		out->len += p->blocks[i].len;
		out->crc = (uint32_t)crc32_combine(out->crc, p->blocks[i].crc, (z_off_t)len);
	}
}

static int run(struct pdeflate *p, unsigned char *owned, long (*read)(void *, void *, size_t), void *ctx,
	       int threads, struct pdeflate_result *out, struct error *err)
{
	pthread_t tid[PDEFLATE_MAX_THREADS];
	int n = thread_count(threads, p->nblocks), started = 0, r = 0, i;

	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->more, NULL);
	for (i = 0; i < n; i++)
		started += !pthread_create(&tid[started], NULL, worker, p);
	if (!started) {
		fail(p, NULL);
		r = error_set(err, EXIT_FAIL, "cannot start a thread to deflate");
	} else if (owned) {
		r = read_input(p, owned, read, ctx, err);
	}
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	if (!r && p->failed)
		r = error_set(err, EXIT_FAIL, "%s", p->why ? p->why : "deflating failed");
	if (!r)
		join_blocks(p, out);
	for (size_t b = 0; b < p->nblocks; b++)
		free(p->blocks[b].data);
	free(p->blocks);
	pthread_cond_destroy(&p->more);
	pthread_mutex_destroy(&p->lock);
	return r;
}

static void setup(struct pdeflate *p, uint64_t size, int level, struct pdeflate_result *out)
{
	memset(p, 0, sizeof(*p));
	memset(out, 0, sizeof(*out));
	p->size = size;
	p->level = level;
	p->nblocks = size ? (size_t)((size + PDEFLATE_BLOCK - 1) / PDEFLATE_BLOCK) : 1;
	p->blocks = xcalloc(p->nblocks, sizeof(*p->blocks));
}

int pdeflate_stream(long (*read)(void *ctx, void *buf, size_t n), void *ctx, uint64_t size, int level, int threads,
		    struct pdeflate_result *out, struct error *err)
{
	struct pdeflate p;
	unsigned char *in;
	int r;

	if (size > SIZE_MAX / 2)
		return error_set(err, EXIT_FAIL, "%llu bytes are too many to deflate in memory", (unsigned long long)size);
	in = xmalloc(size ? (size_t)size : 1);
	setup(&p, size, level, out);
	p.in = in;
	r = run(&p, in, read, ctx, threads, out, err);
	free(in);
	return r;
}

int pdeflate_buffer(const void *data, size_t size, int level, int threads, struct pdeflate_result *out,
		    struct error *err)
{
	struct pdeflate p;

	setup(&p, size, level, out);
	p.in = data;
	p.avail = size;
	return run(&p, NULL, NULL, NULL, threads, out, err);
}
