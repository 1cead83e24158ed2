#include "package/archive_lazy.h"

#include "core/array.h"
#include "core/lazy.h"

const struct archive_api *archive_api(struct error *err)
{
	static struct archive_api api;
	static struct lazy_lib lib = LAZY_LIB("libarchive.so.13", "libarchive13");
#define SYM(field, symbol) LAZY_SYM(api, field, symbol)
	const struct lazy_sym syms[] = {
		SYM(read_new, "archive_read_new"),
		SYM(read_support_filter_gzip, "archive_read_support_filter_gzip"),
		SYM(read_support_format_tar, "archive_read_support_format_tar"),
		SYM(read_open_filename, "archive_read_open_filename"),
		SYM(read_open_memory, "archive_read_open_memory"),
		SYM(read_next_header, "archive_read_next_header"),
		SYM(read_data_block, "archive_read_data_block"),
		SYM(read_free, "archive_read_free"),
		SYM(error_string, "archive_error_string"),
		SYM(entry_pathname, "archive_entry_pathname"),
		SYM(entry_filetype, "archive_entry_filetype"),
		SYM(entry_size, "archive_entry_size"),
	};
#undef SYM

	return lazy_open(&lib, syms, ARRAY_SIZE(syms), err) ? NULL : &api;
}

struct archive *archive_open_tgz(const struct archive_api *ar)
{
	struct archive *a = ar->read_new();

	ar->read_support_filter_gzip(a);
	ar->read_support_format_tar(a);
	return a;
}
