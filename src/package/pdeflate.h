#ifndef BLAMBDA_PACKAGE_PDEFLATE_H
#define BLAMBDA_PACKAGE_PDEFLATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/*
 * Deflate on every core, as pigz does: the input is cut into fixed blocks,
 * each deflated on its own with the 32 KB before it as its dictionary and
 * ended byte-aligned (an empty stored block), the last one finished; joined
 * in order they are one raw deflate stream. The bytes depend on the input,
 * the level and PDEFLATE_BLOCK only, never on the number of threads, so
 * builds stay reproducible; the CRC-32 of the whole is combined from the
 * blocks'.
 *
 * The input arrives from a reader (a stream being unpacked, say) while the
 * blocks already read are deflated: threads start on a block as soon as its
 * bytes are in. zip.h's struct zip_deflated stores the result in a zip as it
 * is.
 */
#define PDEFLATE_BLOCK (128u << 10)

struct pdeflate_result {
	unsigned char *data; /* the raw deflate stream (owned) */
	size_t len;
	uint32_t crc;        /* CRC-32 of the input */
	uint64_t size;       /* the input's length */
};
void pdeflate_result_release(struct pdeflate_result *r);

/*
 * Deflate `size` bytes read from read(ctx, buf, n) (up to n bytes, 0 at
 * the end, -1 on a failure the reader records itself) at `level` on
 * `threads` threads (0: one per core online, at most 32). The reader must
 * give exactly size bytes. -1 with err (a short or failed read, out of
 * memory in zlib).
 */
int pdeflate_stream(long (*read)(void *ctx, void *buf, size_t n), void *ctx, uint64_t size, int level, int threads,
		    struct pdeflate_result *out, struct error *err);
/* The same from memory */
int pdeflate_buffer(const void *data, size_t size, int level, int threads, struct pdeflate_result *out,
		    struct error *err);

#endif
