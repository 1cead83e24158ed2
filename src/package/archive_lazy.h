#ifndef BLAMBDA_PACKAGE_ARCHIVE_LAZY_H
#define BLAMBDA_PACKAGE_ARCHIVE_LAZY_H

#include <archive.h>
#include <archive_entry.h>

#include "core/error.h"

/* The part of libarchive blambda uses, loaded on first use (see core/lazy.h). */
struct archive_api {
	struct archive *(*read_new)(void);
	int (*read_support_filter_gzip)(struct archive *);
	int (*read_support_format_tar)(struct archive *);
	int (*read_open_filename)(struct archive *, const char *, size_t);
	int (*read_open_memory)(struct archive *, const void *, size_t);
	int (*read_next_header)(struct archive *, struct archive_entry **);
	int (*read_data_block)(struct archive *, const void **, size_t *, la_int64_t *);
	int (*read_free)(struct archive *);
	const char *(*error_string)(struct archive *);
	const char *(*entry_pathname)(struct archive_entry *);
	__LA_MODE_T (*entry_filetype)(struct archive_entry *);
	la_int64_t (*entry_size)(struct archive_entry *);
};

/* NULL with err filled when libarchive cannot be loaded. */
const struct archive_api *archive_api(struct error *err);
/* A reader for gzipped tar, not yet opened (read_open_filename or read_open_memory next). */
struct archive *archive_open_tgz(const struct archive_api *ar);

#endif
