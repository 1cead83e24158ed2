#include "package/babashka.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/array.h"
#include "core/fs.h"
#include "core/observer.h"
#include "core/xalloc.h"
#include "package/archive_lazy.h"

/* Published digests of releases, checked against two independent sources. */
static const struct {
	const char *version, *asset_arch, *sha256;
} pinned[] = {
	{ "1.13.219", "amd64", "9ac1fe988d7001625b30ef3e3307e67f8545505a7cb49a4aa179f578115a3e09" },
	{ "1.13.219", "aarch64", "e8d7a9c66c364b80627a43cb6ba5c14fb6ac7e4af114e8e5d80f97551ccdfe11" },
	{ "1.12.218", "amd64", "7bd028cc794732ffde3da31ce4379840893c8e54f1046f92a8dfc4f4b3cddaf8" },
	{ "1.12.218", "aarch64", "e9e9190afb0dd33abbcd3aa6c1382184a88a5498800324719be3be6e1aa68302" },
};

const char *bb_pinned_sha256(const char *version, const char *asset_arch)
{
	for (size_t i = 0; i < ARRAY_SIZE(pinned); i++)
		if (!strcmp(pinned[i].version, version) && !strcmp(pinned[i].asset_arch, asset_arch))
			return pinned[i].sha256;
	return NULL;
}

int bb_release_init(struct bb_release *r, const char *version, const char *arch, const char *mirror)
{
	struct buf b = BUF_INIT;
	const char *base;
	const char *p;

	memset(r, 0, sizeof(*r));
	if (!strcmp(arch, "x86_64"))
		r->asset_arch = "amd64";
	else if (!strcmp(arch, "arm64"))
		r->asset_arch = "aarch64";
	else
		return -1;
	r->arch = arch;
	r->version = xstrdup(version);
	/* snapshots live in the dev-builds repository unless a mirror serves everything */
	base = mirror && strcmp(mirror, BABASHKA_RELEASES) ? mirror
	       : strstr(version, "-SNAPSHOT")                ? BABASHKA_DEV_BUILDS
							     : BABASHKA_RELEASES;
	buf_add(&b, base, strlen(base) - (base[strlen(base) - 1] == '/'));
	buf_addf(&b, "/v%s/babashka-%s-linux-%s-static.tar.gz", version, version, r->asset_arch);
	r->url = buf_detach(&b);
	fs_cache_dir(&b);
	buf_addf(&b, "/babashka/%s/babashka-%s-linux-%s-static.tar.gz", version, version, r->asset_arch);
	r->cache_path = buf_detach(&b);
	p = bb_pinned_sha256(version, r->asset_arch);
	if (p) {
		memcpy(r->sha256, p, sizeof(r->sha256));
		r->pinned = 1;
	}
	return 0;
}

void bb_release_release(struct bb_release *r)
{
	free(r->version);
	free(r->url);
	free(r->cache_path);
	memset(r, 0, sizeof(*r));
}


/* The first 64 hex digits of a .sha256 file ("<digest>  <name>" or just the digest). */
static int parse_digest(const char *text, char out[SHA256_HEX_LEN + 1])
{
	while (isspace((unsigned char)*text))
		text++;
	for (int i = 0; i < SHA256_HEX_LEN; i++) {
		if (!isxdigit((unsigned char)text[i]))
			return -1;
		out[i] = (char)tolower((unsigned char)text[i]);
	}
	if (text[SHA256_HEX_LEN] && !isspace((unsigned char)text[SHA256_HEX_LEN]))
		return -1;
	out[SHA256_HEX_LEN] = '\0';
	return 0;
}

static void sidecar_path(const struct bb_release *r, struct buf *out)
{
	buf_addf(out, "%s.sha256", r->cache_path);
}

int bb_release_expected(struct bb_release *r, struct http_fetcher *fetch, struct error *err)
{
	struct buf side = BUF_INIT, text = BUF_INIT, url = BUF_INIT;
	struct http_request req = { 0 };
	struct http_response resp;
	int ret = -1;

	if (r->sha256[0])
		return 0;
	sidecar_path(r, &side);
	if (!fs_read_file(side.ptr, &text, 4096) && !parse_digest(text.ptr, r->sha256)) {
		ret = 0;
		goto out;
	}
	if (!http_fetcher_client(fetch, err))
		goto out;
	buf_addf(&url, "%s.sha256", r->url);
	req.method = "GET";
	req.url = url.ptr;
	if (http_perform(fetch->client, &req, &resp)) {
		http_failure_error(&resp, err);
		goto out;
	}
	if (resp.status != 200) {
		ret = error_set(err, EXIT_NETWORK, "cannot download '%s': HTTP %ld", url.ptr, resp.status);
		if (resp.status == 404)
			error_hint(err, "is %s a Babashka release? (set another with --bb-version or babashka.version)",
				   r->version);
	} else if (parse_digest(resp.body.ptr, r->sha256)) {
		ret = error_set(err, EXIT_FAIL, "'%s' does not hold a SHA-256 digest", url.ptr);
	} else {
		ret = 0;
	}
	http_response_release(&resp);
out:
	buf_release(&side);
	buf_release(&text);
	buf_release(&url);
	return ret;
}

/* The cached tarball, verified again: 1 when it is good, 0 when there is none (a bad one is removed), -1 with err */
static int cached_ok(struct bb_release *r, struct http_fetcher *fetch, struct error *err)
{
	char got[SHA256_HEX_LEN + 1];
	struct stat st;

	if (stat(r->cache_path, &st))
		return 0;
	if (bb_release_expected(r, fetch, err))
		return -1;
	if (!sha256_file_hex(r->cache_path, got) && !strcmp(got, r->sha256)) {
		observe_trace(fetch->obs, 1, "using the cached %s", r->cache_path);
		return 1;
	}
	observe_note(fetch->obs, NOTE_WARNING, "the cached '%s' does not match its digest: downloading it again",
		     r->cache_path);
	unlink(r->cache_path);
	return 0;
}

/* 1 the first time this process downloads a version blambda has not pinned (both architectures say it once) */
static int say_unpinned_once(const char *version)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static char said[64];
	int first;

	pthread_mutex_lock(&lock);
	first = strncmp(said, version, sizeof(said) - 1) != 0;
	if (first)
		snprintf(said, sizeof(said), "%s", version);
	pthread_mutex_unlock(&lock);
	return first;
}

/* The release into f (at most max bytes), its progress shown; then checked against its digest. */
static int download(struct bb_release *r, struct http_fetcher *fetch, FILE *f, const char *tmp, uint64_t max,
		    struct error *err)
{
	struct http_request req = { 0 };
	struct http_response resp;
	struct buf label = BUF_INIT;
	char got[SHA256_HEX_LEN + 1];
	int ret = -1;

	buf_addf(&label, "babashka %s (%s)", r->version, r->asset_arch);
	observe_note(fetch->obs, NOTE_INFO, "Downloading %s", r->url);
	if (!r->pinned && say_unpinned_once(r->version))
		observe_note(fetch->obs, NOTE_WARNING, "Babashka %s is not pinned in blambda: only the digest published "
			     "beside it (%s.sha256) vouches for what is downloaded", r->version, r->url);
	req.method = "GET";
	req.url = r->url;
	req.sink = f;
	req.max_bytes = max;
	req.progress_label = label.ptr;
	if (http_perform(fetch->client, &req, &resp)) {
		http_failure_error(&resp, err);
		goto out;
	}
	if (resp.status != 200) {
		error_set(err, EXIT_NETWORK, "cannot download '%s': HTTP %ld", r->url, resp.status);
		http_response_release(&resp);
		goto out;
	}
	http_response_release(&resp);
	if (fflush(f) || sha256_file_hex(tmp, got)) {
		error_set(err, EXIT_FAIL, "cannot read back '%s': %s", tmp, strerror(errno));
	} else if (strcmp(got, r->sha256)) {
		error_set(err, EXIT_FAIL, "checksum mismatch for '%s': expected %s (%s), got %s", r->url, r->sha256,
			  r->pinned ? "pinned in blambda" : "from the release's .sha256", got);
		error_hint(err, "the download was corrupted or the release changed; nothing was cached");
	} else {
		ret = 0;
	}
out:
	buf_release(&label);
	return ret;
}

/* The digest beside the tarball: it only saves asking for it again, so a failure to keep it is no error */
static void keep_sidecar(const struct bb_release *r)
{
	struct buf side = BUF_INIT, text = BUF_INIT;
	struct error ignored = ERROR_INIT;

	sidecar_path(r, &side);
	buf_addf(&text, "%s\n", r->sha256);
	fs_write_atomic(side.ptr, text.ptr, text.len, 0644, &ignored);
	error_release(&ignored);
	buf_release(&text);
	buf_release(&side);
}

int bb_release_fetch(struct bb_release *r, struct http_fetcher *fetch, struct error *err)
{
	struct buf dir = BUF_INIT, tmp = BUF_INIT;
	FILE *f = NULL;
	uint64_t max;
	int ret = cached_ok(r, fetch, err);

	if (ret)
		return ret > 0 ? 0 : -1;
	ret = -1;
	if (bb_release_expected(r, fetch, err) || !http_fetcher_client(fetch, err) || bb_max_download(&max, err))
		return -1;
	buf_add(&dir, r->cache_path, (size_t)(strrchr(r->cache_path, '/') - r->cache_path));
	if (fs_mkdirs(dir.ptr, 0755, err) || !(f = fs_temp_open(r->cache_path, &tmp, 0644, err)) ||
	    download(r, fetch, f, tmp.ptr, max, err))
		goto out;
	ret = fs_temp_commit(f, tmp.ptr, r->cache_path, err);
	f = NULL;
	if (!ret && !r->pinned)
		keep_sidecar(r);
out:
	if (f)
		fs_temp_abort(f, tmp.ptr);
	buf_release(&dir);
	buf_release(&tmp);
	return ret;
}

void bb_release_forget(const struct bb_release *r)
{
	struct buf side = BUF_INIT;

	unlink(r->cache_path);
	sidecar_path(r, &side);
	unlink(side.ptr);
	buf_release(&side);
}

int bb_max_download(uint64_t *out, struct error *err)
{
	const char *v = getenv("BLAMBDA_MAX_DOWNLOAD_MB");
	char *end;
	unsigned long long mb;

	*out = 512ull << 20;
	if (!v || !*v)
		return 0;
	mb = strtoull(v, &end, 10);
	if (*end || !mb || mb > (1ull << 20))
		return error_set(err, EXIT_USAGE, "BLAMBDA_MAX_DOWNLOAD_MB='%s': expected a whole number of megabytes",
				 v);
	*out = (uint64_t)mb << 20;
	return 0;
}

/* The largest `bb` a tarball may declare: a real one is under 100 MB unpacked. */
#define BB_MAX_SIZE (1024ull << 20)

/* ELF e_machine values */
#define EM_X86_64 62
#define EM_AARCH64 183

/* The checks every `bb` entry gets: the name, a regular file, a size a Babashka binary can have. */
static int check_bb_entry(const struct bb_release *r, const struct archive_api *ar, struct archive_entry *e,
			  la_int64_t *declared, struct error *err)
{
	const char *name = ar->entry_pathname(e);

	if (strcmp(name, "bb") && strcmp(name, "./bb"))
		return error_set(err, EXIT_FAIL, "'%s' holds '%s': a Babashka release holds only 'bb'", r->cache_path, name);
	if (ar->entry_filetype(e) != AE_IFREG)
		return error_set(err, EXIT_FAIL, "'bb' in '%s' is not a regular file", r->cache_path);
	*declared = ar->entry_size(e);
	if (*declared < 20 || (uint64_t)*declared > BB_MAX_SIZE)
		return error_set(err, EXIT_FAIL, "'bb' in '%s' declares %lld bytes; a Babashka binary is under %llu MB", r->cache_path,
			     (long long)*declared, BB_MAX_SIZE >> 20);
	return 0;
}

/* The first bytes of `bb`: a Linux executable for the release's architecture. */
static int check_elf(const struct bb_release *r, const unsigned char *h, size_t len, struct error *err)
{
	unsigned machine = len >= 20 ? (unsigned)(h[18] | h[19] << 8) : 0;
	unsigned want = !strcmp(r->arch, "x86_64") ? EM_X86_64 : EM_AARCH64;

	if (len < 20 || memcmp(h, "\177ELF", 4))
		return error_set(err, EXIT_FAIL, "'bb' in '%s' is not a Linux executable", r->cache_path);
	if (machine != want)
		return error_set(err, EXIT_FAIL, "'bb' in '%s' is built for %s, not %s", r->cache_path,
			     machine == EM_X86_64 ? "x86_64" : machine == EM_AARCH64 ? "arm64" : "another machine", r->arch);
	return 0;
}

/* The release tarball opened for reading; NULL with err filled. */
static struct archive *open_release(const struct bb_release *r, const struct archive_api *ar, struct error *err)
{
	struct archive *a = archive_open_tgz(ar);

	if (ar->read_open_filename(a, r->cache_path, 1 << 16) != ARCHIVE_OK) {
		error_set(err, EXIT_FAIL, "cannot open '%s': %s", r->cache_path, ar->error_string(a));
		ar->read_free(a);
		return NULL;
	}
	return a;
}

int bb_extract(const struct bb_release *r, struct buf *out, struct error *err)
{
	const struct archive_api *ar = archive_api(err);
	struct archive *a;
	struct archive_entry *e;
	la_int64_t declared = 0;
	int found = 0, ret = -1, rc;

	if (!ar || !(a = open_release(r, ar, err)))
		return -1;
	while ((rc = ar->read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = ar->entry_pathname(e);
		const void *block;
		size_t size;
		la_int64_t offset;

		if ((!strcmp(name, "bb") || !strcmp(name, "./bb")) && found) {
			error_set(err, EXIT_FAIL, "'%s' holds 'bb' twice", r->cache_path);
			goto out;
		}
		if (check_bb_entry(r, ar, e, &declared, err))
			goto out;
		found++;
		while ((rc = ar->read_data_block(a, &block, &size, &offset)) == ARCHIVE_OK) {
			if (offset < 0 || (uint64_t)offset + size > (uint64_t)declared) {
				error_set(err, EXIT_FAIL, "'bb' in '%s' holds data past its declared size", r->cache_path);
				goto out;
			}
			if ((size_t)offset > out->len) /* a sparse hole reads as zeros */
				buf_add_zeros(out, (size_t)offset - out->len);
			buf_add(out, block, size);
		}
		if (rc != ARCHIVE_EOF) {
			error_set(err, EXIT_FAIL, "cannot read 'bb' from '%s': %s", r->cache_path, ar->error_string(a));
			goto out;
		}
		if (out->len < (size_t)declared) /* a hole at the end */
			buf_add_zeros(out, (size_t)declared - out->len);
	}
	if (rc != ARCHIVE_EOF) {
		error_set(err, EXIT_FAIL, "cannot read '%s': %s", r->cache_path, ar->error_string(a));
		goto out;
	}
	if (!found) {
		error_set(err, EXIT_FAIL, "'%s' holds no 'bb'", r->cache_path);
		goto out;
	}
	if (check_elf(r, (const unsigned char *)out->ptr, out->len, err))
		goto out;
	ret = 0;
out:
	ar->read_free(a);
	return ret;
}

struct bb_stream {
	const struct bb_release *rel;
	const struct archive_api *ar;
	struct archive *a;
	int fd[2];         /* the pipe: the reader thread writes, bb_stream_read reads */
	pthread_t thread;
	int started;
	const void *first; /* the first block, already read to check the ELF header */
	size_t first_len;
	la_int64_t first_off;
	la_int64_t size;   /* what the entry declares: exactly this many bytes are delivered */
	char err[512];     /* set by the thread */
};

static int write_full(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int write_zeros(int fd, la_int64_t n)
{
	static const char zeros[4096];

	while (n > 0) {
		size_t z = (size_t)n > sizeof(zeros) ? sizeof(zeros) : (size_t)n;

		if (write_full(fd, zeros, z))
			return -1;
		n -= (la_int64_t)z;
	}
	return 0;
}

static void *inflate_ahead(void *arg)
{
	struct bb_stream *s = arg;
	const void *block = s->first;
	size_t size = s->first_len;
	la_int64_t offset = s->first_off, done = 0;
	struct archive_entry *e;
	sigset_t pipe_set;
	int rc = ARCHIVE_OK;

	/* a consumer that stops early closes its end: get EPIPE, not a SIGPIPE for the process */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
	for (;;) {
		if (offset < done || offset + (la_int64_t)size > s->size) {
			snprintf(s->err, sizeof(s->err), "'bb' in '%s' holds data past its declared size",
				 s->rel->cache_path);
			goto out;
		}
		if (write_zeros(s->fd[1], offset - done)) /* a sparse hole reads as zeros */
			goto out;
		done = offset;
		if (size && write_full(s->fd[1], block, size))
			goto out;
		done += (la_int64_t)size;
		rc = s->ar->read_data_block(s->a, &block, &size, &offset);
		if (rc != ARCHIVE_OK)
			break;
	}
	if (rc == ARCHIVE_EOF && write_zeros(s->fd[1], s->size - done)) /* a hole at the end */
		goto out;
	if (rc != ARCHIVE_EOF) {
		snprintf(s->err, sizeof(s->err), "cannot read 'bb' from '%s': %s", s->rel->cache_path,
			 s->ar->error_string(s->a));
	} else if ((rc = s->ar->read_next_header(s->a, &e)) == ARCHIVE_OK) {
		const char *name = s->ar->entry_pathname(e);

		if (!strcmp(name, "bb") || !strcmp(name, "./bb"))
			snprintf(s->err, sizeof(s->err), "'%s' holds 'bb' twice", s->rel->cache_path);
		else
			snprintf(s->err, sizeof(s->err), "'%s' holds '%s': a Babashka release holds only 'bb'",
				 s->rel->cache_path, name);
	} else if (rc != ARCHIVE_EOF) {
		snprintf(s->err, sizeof(s->err), "cannot read '%s': %s", s->rel->cache_path, s->ar->error_string(s->a));
	}
out:
	close(s->fd[1]);
	s->fd[1] = -1;
	return NULL;
}

struct bb_stream *bb_stream_open(const struct bb_release *r, uint64_t *size, struct error *err)
{
	const struct archive_api *ar = archive_api(err);
	struct bb_stream *s;
	struct archive_entry *e;
	int rc;

	if (!ar)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->rel = r;
	s->ar = ar;
	s->fd[0] = s->fd[1] = -1;
	if (!(s->a = open_release(r, ar, err)))
		goto fail;
	rc = ar->read_next_header(s->a, &e);
	if (rc != ARCHIVE_OK) {
		error_set(err, EXIT_FAIL, rc == ARCHIVE_EOF ? "'%s' holds no 'bb'" : "cannot read '%s'", r->cache_path);
		goto fail;
	}
	if (check_bb_entry(r, ar, e, &s->size, err))
		goto fail;
	*size = (uint64_t)s->size;
	if (ar->read_data_block(s->a, &s->first, &s->first_len, &s->first_off) != ARCHIVE_OK || s->first_off ||
	    s->first_len < 20) {
		error_set(err, EXIT_FAIL, "'bb' in '%s' is not a Linux executable", r->cache_path);
		goto fail;
	}
	if (check_elf(r, s->first, s->first_len, err))
		goto fail;
	if (pipe(s->fd)) {
		error_set(err, EXIT_FAIL, "cannot create a pipe: %s", strerror(errno));
		goto fail;
	}
	if (pthread_create(&s->thread, NULL, inflate_ahead, s)) {
		error_set(err, EXIT_FAIL, "cannot start a thread");
		goto fail;
	}
	s->started = 1;
	return s;
fail:
	bb_stream_close(s, NULL);
	error_prefix(err, "cannot unpack Babashka %s for %s", r->version, r->arch);
	return NULL;
}

long bb_stream_read(void *ctx, void *buf, size_t n)
{
	struct bb_stream *s = ctx;
	ssize_t got;

	do
		got = read(s->fd[0], buf, n);
	while (got < 0 && errno == EINTR);
	return got < 0 ? -1 : (long)got;
}

int bb_stream_close(struct bb_stream *s, struct error *err)
{
	int r = 0;

	if (!s)
		return -1;
	if (s->fd[0] >= 0)
		close(s->fd[0]); /* a thread still writing gets EPIPE and ends */
	if (s->started)
		pthread_join(s->thread, NULL);
	else if (s->fd[1] >= 0)
		close(s->fd[1]);
	if (s->err[0])
		r = err ? error_set(err, EXIT_FAIL, "%s", s->err) : -1;
	if (s->a)
		s->ar->read_free(s->a);
	free(s);
	return r;
}

const char *bb_host_arch(void)
{
	struct utsname u;

	if (uname(&u))
		return NULL;
	return !strcmp(u.machine, "x86_64") ? "x86_64" : !strcmp(u.machine, "aarch64") ? "arm64" : NULL;
}

char *bb_host_binary(const char *version, const char *mirror, struct http_fetcher *fetch, struct error *err)
{
	const char *arch = bb_host_arch();
	struct error quiet = ERROR_INIT;
	struct bb_release rel;
	struct buf path = BUF_INIT, bin = BUF_INIT;
	char *r = NULL;

	if (!fetch)
		err = &quiet; /* a quiet look: what fails is no one's concern */
	if (!arch)
		error_set(err, EXIT_FAIL, "Babashka has no release for this machine's architecture");
	if (!arch || bb_release_init(&rel, version, arch, mirror))
		goto none;
	buf_addf(&path, "%s.bb", rel.cache_path);
	if (!access(path.ptr, X_OK)) {
		r = buf_detach(&path);
	} else if (fetch ? !bb_release_fetch(&rel, fetch, err) : !access(rel.cache_path, R_OK)) {
		if (!bb_extract(&rel, &bin, err) && !fs_write_atomic(path.ptr, bin.ptr, bin.len, 0755, err))
			r = buf_detach(&path);
	}
	bb_release_release(&rel);
	buf_release(&path);
	buf_release(&bin);
none:
	error_release(&quiet);
	return r;
}
