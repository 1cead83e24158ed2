#ifndef BLAMBDA_PACKAGE_ZIP_H
#define BLAMBDA_PACKAGE_ZIP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"
#include "core/strlist.h"

/*
 * Reproducible zip files with libzip: the same entries give the same bytes.
 * Entries are written sorted by name, every timestamp is 1980-01-01 00:00
 * (the zip epoch), unix modes are stored, and nothing else about the build
 * machine (owner, time zone, order of a directory listing) gets in.
 */

/* Data deflated already (a raw deflate stream), with what it inflates to */
struct zip_deflated {
	const void *data;
	size_t len;
	uint32_t crc;      /* CRC-32 of the inflated bytes */
	uint64_t size;     /* their length */
};

struct zip_input {
	const char *name;  /* path inside the zip */
	mode_t mode;       /* 0755, 0644, ... */
	const char *path;  /* read from this file, or */
	const void *data;  /* from memory (len bytes), or */
	size_t len;
	/* copied from the entry of the same name in this zip as it is compressed there (no recompression), or */
	const char *zip_from;
	/* stored as it is deflated here (no recompression) */
	const struct zip_deflated *deflated;
};

/* Compression level for deflate (1 fastest .. 9 smallest). */
#define ZIP_LEVEL_DEFAULT 6

/*
 * Write `n` inputs to `out` atomically (a temporary file in the same
 * directory, synced, then renamed). The inputs array is sorted in place.
 * -1 with err filled; `out` is then untouched.
 */
int zip_write(const char *out, struct zip_input *inputs, size_t n, int level, struct error *err);

/*
 * Unpack the zip at `path` into the existing directory `dir`: directories
 * and regular files only, with their unix modes (0644/0755 when none is
 * stored). A name that is absolute, holds '..' or an empty part, or an
 * entry of another kind (a link) is refused, and so is a zip that unpacks
 * to more than ZIP_EXTRACT_MAX bytes. -1 with err filled; `dir` may then
 * hold part of the zip.
 */
#define ZIP_EXTRACT_MAX ((uint64_t)1 << 30)
int zip_extract(const char *path, const char *dir, struct error *err);

/* A zip's entries as its central directory lists them (nothing is unpacked) */
struct zip_entry_info {
	char *name;
	uint64_t size;  /* unpacked */
	uint32_t crc;   /* CRC-32 of the unpacked bytes */
	uint32_t mode;  /* unix mode when stored, else 0 */
};
struct zip_listing {
	struct zip_entry_info *items;
	size_t nr;
};
#define ZIP_LIST_MAX 200000 /* entries: more is not a function's zip */
/* The entries of the zip at path, sorted by name. -1 with err naming the file (`what` says what it is). */
int zip_list(const char *path, const char *what, struct zip_listing *out, struct error *err);
void zip_listing_release(struct zip_listing *l);
/* What changes from `old` to `new`, entry by entry: names only in new, only in old, in both with other bytes or mode */
struct zip_changes {
	struct strlist added, removed, changed;
};
#define ZIP_CHANGES_INIT { STRLIST_INIT, STRLIST_INIT, STRLIST_INIT }
void zip_compare(const struct zip_listing *old, const struct zip_listing *new, struct zip_changes *out);
void zip_changes_release(struct zip_changes *c);

#endif
