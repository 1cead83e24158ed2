#include "package/zip.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "core/buf.h"
#include "core/fs.h"
#include "core/xalloc.h"

/* 1980-01-01 00:00:00 in MS-DOS date and time fields */
#define DOS_DATE ((0 << 9) | (1 << 5) | 1)
#define DOS_TIME 0

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct zip_input *)a)->name, ((const struct zip_input *)b)->name);
}

static int sync_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

/* A source of data deflated already: libzip stores it as it is, with the size and CRC it is told */
struct deflated_reader {
	const struct zip_deflated *d;
	size_t at;
};

static zip_int64_t deflated_cb(void *userdata, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct deflated_reader *s = userdata;

	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		s->at = 0;
		return 0;
	case ZIP_SOURCE_READ:
		if (len > s->d->len - s->at)
			len = s->d->len - s->at;
		memcpy(data, (const char *)s->d->data + s->at, (size_t)len);
		s->at += (size_t)len;
		return (zip_int64_t)len;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = data;

		zip_stat_init(st);
		st->valid = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD | ZIP_STAT_CRC;
		st->size = s->d->size;
		st->comp_size = s->d->len;
		st->comp_method = ZIP_CM_DEFLATE;
		st->crc = s->d->crc;
		return sizeof(*st);
	}
	case ZIP_SOURCE_FREE:
		free(s);
		return 0;
	case ZIP_SOURCE_CLOSE:
	case ZIP_SOURCE_ERROR:
		return 0;
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
						      ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
	default:
		return -1;
	}
}

static zip_source_t *deflated_source(zip_t *za, const struct zip_deflated *d)
{
	struct deflated_reader *s = xcalloc(1, sizeof(*s));
	zip_source_t *src;

	s->d = d;
	if (!(src = zip_source_function(za, deflated_cb, s)))
		free(s);
	return src;
}

/* One entry into za, with fixed times and its mode; *from is the zip it is copied from, for the caller to close. */
static int add_entry(zip_t *za, const struct zip_input *in, zip_t **from, const char *out, int level,
		     struct error *err)
{
	zip_source_t *src;
	zip_int64_t idx;
	int zerr = 0;

	if (in->zip_from) {
		zip_int64_t at;

		*from = zip_open(in->zip_from, ZIP_RDONLY, &zerr);
		at = *from ? zip_name_locate(*from, in->name, 0) : -1;
		if (at < 0)
			return error_set(err, EXIT_FAIL, "cannot read '%s' from '%s': %s", in->name, in->zip_from,
					 *from ? "no such entry" : "not a zip");
		/* the deflated bytes as they are: a copy, not a second compression */
		src = zip_source_zip(za, *from, (zip_uint64_t)at, ZIP_FL_COMPRESSED, 0, 0);
	} else if (in->deflated) {
		src = deflated_source(za, in->deflated);
	} else if (in->path) {
		src = zip_source_file(za, in->path, 0, -1);
	} else {
		src = zip_source_buffer(za, in->data, in->len, 0);
	}
	if (!src)
		return error_set(err, EXIT_FAIL, "cannot add '%s' to '%s': %s", in->path ? in->path : in->name, out,
				 zip_strerror(za));
	idx = zip_file_add(za, in->name, src, ZIP_FL_ENC_UTF_8);
	if (idx < 0) {
		zip_source_free(src);
		return error_set(err, EXIT_FAIL, "cannot add '%s' to '%s': %s", in->name, out, zip_strerror(za));
	}
	if (zip_file_set_dostime(za, (zip_uint64_t)idx, DOS_TIME, DOS_DATE, 0) ||
	    zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
					     ((zip_uint32_t)(S_IFREG | (in->mode & 07777))) << 16) ||
	    (!in->zip_from && !in->deflated &&
	     zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, (zip_uint32_t)level)))
		return error_set(err, EXIT_FAIL, "cannot set the attributes of '%s' in '%s': %s", in->name, out,
				 zip_strerror(za));
	return 0;
}

int zip_write(const char *out, struct zip_input *in, size_t n, int level, struct error *err)
{
	struct buf tmp = BUF_INIT;
	zip_t *za, **from = xcalloc(n ? n : 1, sizeof(*from));
	int zerr = 0, r = -1;

	if (n > 1)
		qsort(in, n, sizeof(*in), by_name);
	buf_addf(&tmp, "%s.tmp-%ld", out, (long)getpid());
	unlink(tmp.ptr);
	/* libzip writes "tmp.XXXXXX" while it closes: an interrupt removes those too */
	fs_temp_register_family(tmp.ptr);
	za = zip_open(tmp.ptr, ZIP_CREATE | ZIP_EXCL, &zerr);
	if (!za) {
		zip_error_t e;

		zip_error_init_with_code(&e, zerr);
		error_set(err, EXIT_FAIL, "cannot create '%s': %s", tmp.ptr, zip_error_strerror(&e));
		zip_error_fini(&e);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (add_entry(za, &in[i], &from[i], out, level, err))
			goto fail;
	if (zip_close(za)) {
		error_set(err, EXIT_FAIL, "cannot write '%s': %s", out, zip_strerror(za));
		goto fail;
	}
	if (sync_file(tmp.ptr) || rename(tmp.ptr, out)) {
		error_set(err, EXIT_FAIL, "cannot write '%s': %s", out, strerror(errno));
		unlink(tmp.ptr);
	} else {
		r = 0;
	}
	goto out;
fail:
	zip_discard(za);
	unlink(tmp.ptr);
out:
	for (size_t i = 0; i < n; i++)
		if (from[i])
			zip_discard(from[i]);
	free(from);
	fs_temp_unregister(tmp.ptr);
	buf_release(&tmp);
	return r;
}

/* a name safe to create under a directory: relative, no '..', '.' or empty part */
static int safe_entry_name(const char *name)
{
	const char *p = name;

	if (!*name || *name == '/')
		return 0;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (!n && p[n] == '/')
			return 0;
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += n + (p[n] == '/');
	}
	return 1;
}

static int extract_entry(zip_t *za, zip_int64_t i, const char *path, const char *dir, uint64_t *total,
			 struct error *err)
{
	struct buf out = BUF_INIT, parent = BUF_INIT;
	const char *name = zip_get_name(za, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
	zip_uint8_t opsys;
	zip_uint32_t attr;
	mode_t mode = 0;
	size_t len;
	int r = -1;

	if (!name || !safe_entry_name(name))
		return error_set(err, EXIT_FAIL, "'%s' holds an entry named '%s', which cannot be unpacked safely", path, name ? name : "");
	len = strlen(name);
	if (!zip_file_get_external_attributes(za, (zip_uint64_t)i, 0, &opsys, &attr) && opsys == ZIP_OPSYS_UNIX)
		mode = (mode_t)(attr >> 16);
	buf_addf(&out, "%s/%s", dir, name);
	if (name[len - 1] == '/' || S_ISDIR(mode)) {
		r = fs_mkdirs(out.ptr, 0755, err);
	} else if (mode & S_IFMT && !S_ISREG(mode)) {
		/* permission bits alone (as many zip writers store them) describe a regular file */
		error_set(err, EXIT_FAIL, "'%s' holds '%s', which is not a regular file", path, name);
	} else {
		zip_file_t *zf = zip_fopen_index(za, (zip_uint64_t)i, 0);
		char chunk[65536];
		zip_int64_t n = 0;
		int fd = -1;

		buf_addf(&parent, "%s/%s", dir, name);
		*strrchr(parent.ptr, '/') = '\0';
		if (!zf) {
			error_set(err, EXIT_FAIL, "cannot read '%s' in '%s': %s", name, path, zip_strerror(za));
		} else if (fs_mkdirs(parent.ptr, 0755, err)) {
			/* err says why */
		} else if ((fd = open(out.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
				      mode & 0111 ? 0755 : 0644)) < 0) {
			error_set(err, EXIT_FAIL, "cannot create '%s': %s", out.ptr, strerror(errno));
		} else {
			while ((n = zip_fread(zf, chunk, sizeof(chunk))) > 0) {
				if ((*total += (uint64_t)n) > ZIP_EXTRACT_MAX) {
					error_set(err, EXIT_FAIL, "'%s' unpacks to more than %u MB: refused", path, (unsigned)(ZIP_EXTRACT_MAX >> 20));
					break;
				}
				if (write(fd, chunk, (size_t)n) != n) {
					error_set(err, EXIT_FAIL, "cannot write '%s': %s", out.ptr, strerror(errno));
					break;
				}
			}
			if (n < 0)
				error_set(err, EXIT_FAIL, "cannot read '%s' in '%s': %s", name, path, zip_file_strerror(zf));
			else if (!n)
				r = 0;
		}
		if (fd >= 0 && close(fd) && !r)
			r = error_set(err, EXIT_FAIL, "cannot write '%s': %s", out.ptr, strerror(errno));
		if (zf)
			zip_fclose(zf);
	}
	buf_release(&out);
	buf_release(&parent);
	return r;
}

int zip_extract(const char *path, const char *dir, struct error *err)
{
	int zerr = 0, r = 0;
	zip_t *za = zip_open(path, ZIP_RDONLY, &zerr);
	zip_int64_t n;
	uint64_t total = 0;

	if (!za) {
		zip_error_t ze;

		zip_error_init_with_code(&ze, zerr);
		error_set(err, EXIT_FAIL, "cannot open '%s': %s", path, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return -1;
	}
	n = zip_get_num_entries(za, 0);
	for (zip_int64_t i = 0; i < n && !r; i++)
		r = extract_entry(za, i, path, dir, &total, err);
	zip_discard(za);
	return r;
}

static int by_entry_name(const void *a, const void *b)
{
	return strcmp(((const struct zip_entry_info *)a)->name, ((const struct zip_entry_info *)b)->name);
}

static int zip_open_error(const char *what, int zerr, struct error *err)
{
	zip_error_t ze;

	zip_error_init_with_code(&ze, zerr);
	error_set(err, EXIT_FAIL, "cannot read %s as a zip: %s", what, zip_error_strerror(&ze));
	zip_error_fini(&ze);
	return -1;
}

int zip_list(const char *path, const char *what, struct zip_listing *out, struct error *err)
{
	int zerr = 0;
	zip_t *za = zip_open(path, ZIP_RDONLY, &zerr);
	zip_int64_t n;

	memset(out, 0, sizeof(*out));
	if (!za)
		return zip_open_error(what, zerr, err);
	n = zip_get_num_entries(za, 0);
	if (n < 0 || n > ZIP_LIST_MAX) {
		zip_discard(za);
		return error_set(err, EXIT_FAIL, "%s lists %lld entries: more than %d, not a function's zip", what,
				 (long long)n, ZIP_LIST_MAX);
	}
	out->items = xcalloc(n ? (size_t)n : 1, sizeof(*out->items));
	for (zip_int64_t i = 0; i < n; i++) {
		struct zip_entry_info *e = &out->items[out->nr];
		zip_stat_t st;
		zip_uint8_t os;
		zip_uint32_t attr;

		if (zip_stat_index(za, (zip_uint64_t)i, ZIP_FL_ENC_GUESS, &st) || !(st.valid & ZIP_STAT_NAME)) {
			error_set(err, EXIT_FAIL, "cannot read entry %lld of %s: %s", (long long)i, what, zip_strerror(za));
			zip_discard(za);
			zip_listing_release(out);
			return -1;
		}
		e->name = xstrdup(st.name);
		e->size = st.valid & ZIP_STAT_SIZE ? st.size : 0;
		e->crc = st.valid & ZIP_STAT_CRC ? st.crc : 0;
		if (!zip_file_get_external_attributes(za, (zip_uint64_t)i, 0, &os, &attr) && os == ZIP_OPSYS_UNIX)
			e->mode = (attr >> 16) & 07777;
		out->nr++;
	}
	zip_discard(za);
	qsort(out->items, out->nr, sizeof(*out->items), by_entry_name);
	return 0;
}

void zip_listing_release(struct zip_listing *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->items[i].name);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

void zip_compare(const struct zip_listing *old, const struct zip_listing *new, struct zip_changes *out)
{
	size_t i = 0, j = 0;

	while (i < old->nr || j < new->nr) {
		int c = i == old->nr ? 1 : j == new->nr ? -1 : strcmp(old->items[i].name, new->items[j].name);

		if (c < 0) {
			strlist_add(&out->removed, old->items[i++].name);
		} else if (c > 0) {
			strlist_add(&out->added, new->items[j++].name);
		} else {
			const struct zip_entry_info *a = &old->items[i++], *b = &new->items[j++];

			if (a->size != b->size || a->crc != b->crc || (a->mode && b->mode && a->mode != b->mode))
				strlist_add(&out->changed, a->name);
		}
	}
}

void zip_changes_release(struct zip_changes *c)
{
	strlist_clear(&c->added);
	strlist_clear(&c->removed);
	strlist_clear(&c->changed);
}
