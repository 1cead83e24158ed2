#define _XOPEN_SOURCE 700 /* nftw */
#include "core/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/xalloc.h"

#define MAX_TEMPS 1024 /* regions and functions side by side each hold one */

/*
 * A registered temporary: the path, and for families (libzip's "PATH.XXXXXX")
 * its directory and name prefix; or a whole directory tree (a project or a
 * layer being staged).
 */
struct temp {
	char *volatile path;
	char *volatile dir, *volatile prefix; /* NULL unless a family */
	volatile int tree;
};

/* A child process (a dependency resolver) to stop with blambda on a signal. */
static volatile pid_t temp_child;

static struct temp temps[MAX_TEMPS];
static volatile sig_atomic_t handlers_set;

/* Async-signal-safe helpers: no stdio, no malloc, no locale. */
static int starts_with(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	return 1;
}

/*
 * Call fn for every entry of the directory open at fd but "." and "..",
 * reading it from the start with raw getdents (async-signal-safe, unlike
 * readdir). Returns how many entries there were.
 */
static int each_entry(int fd, void (*fn)(int fd, const char *name, const void *ctx), const void *ctx)
{
	char entries[4096];
	long n;
	int seen = 0;

	lseek(fd, 0, SEEK_SET);
	while ((n = syscall(SYS_getdents64, fd, entries, sizeof(entries))) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64_raw {
				unsigned long long ino;
				long long off;
				unsigned short reclen;
				unsigned char type;
				char name[];
			} *d = (struct dirent64_raw *)(void *)(entries + off);

			if (!(d->name[0] == '.' && (!d->name[1] || (d->name[1] == '.' && !d->name[2])))) {
				fn(fd, d->name, ctx);
				seen++;
			}
			off += d->reclen;
		}
	}
	return seen;
}

static void unlink_if_prefixed(int fd, const char *name, const void *prefix)
{
	if (starts_with(name, prefix))
		unlinkat(fd, name, 0);
}

/* Remove every file in dir whose name starts with prefix. */
static void unlink_family(const char *dir, const char *prefix)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return;
	each_entry(fd, unlink_if_prefixed, prefix);
	close(fd);
}

static void unlink_tree_at(int dirfd, const char *name, int depth);

static void unlink_entry(int fd, const char *name, const void *depth)
{
	unlink_tree_at(fd, name, *(const int *)depth + 1);
}

/* Remove the tree at dirfd/name, 16 levels deep at most. */
static void unlink_tree_at(int dirfd, const char *name, int depth)
{
	int fd;

	if (!unlinkat(dirfd, name, 0) || depth > 16)
		return; /* a file (or too deep to follow) */
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	/* a few passes: removing entries while reading the directory may hide some from one pass */
	for (int pass = 0; pass < 4 && each_entry(fd, unlink_entry, &depth); pass++)
		;
	close(fd);
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

static void on_signal(int sig)
{
	pid_t child = temp_child;

	/* a resolver still writing into a staged tree is stopped first */
	if (child > 0) {
		kill(child, SIGTERM);
		waitpid(child, NULL, 0);
	}
	/* the strings are never freed while set */
	for (int i = 0; i < MAX_TEMPS; i++) {
		if (!temps[i].path)
			continue;
		if (temps[i].tree)
			unlink_tree_at(AT_FDCWD, temps[i].path, 0);
		else
			unlink(temps[i].path);
		if (temps[i].prefix)
			unlink_family(temps[i].dir, temps[i].prefix);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Catch sig to clean up, unless it is ignored (nohup, a background job): that choice is the user's. */
static void catch_signal(int sig)
{
	struct sigaction sa, old;

	if (sigaction(sig, NULL, &old) || old.sa_handler == SIG_IGN)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

void fs_temp_child(pid_t pid)
{
	temp_child = pid;
}

/* Threads register and unregister at once (regions, functions side by side); the signal handler only reads */
static pthread_mutex_t temps_lock = PTHREAD_MUTEX_INITIALIZER;

static void register_temp_locked(const char *path, int family, int tree)
{
	if (!handlers_set) {
		catch_signal(SIGINT);
		catch_signal(SIGTERM);
		catch_signal(SIGHUP);
		catch_signal(SIGPIPE); /* `blambda ... | head -1`: the reader went away */
		handlers_set = 1;
	}
	for (int i = 0; i < MAX_TEMPS; i++) {
		if (!temps[i].path) {
			temps[i].tree = tree;
			if (family) {
				const char *slash = strrchr(path, '/');
				struct buf prefix = BUF_INIT;

				temps[i].dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
				buf_addf(&prefix, "%s.", slash ? slash + 1 : path);
				temps[i].prefix = buf_detach(&prefix);
			}
			temps[i].path = xstrdup(path); /* set last: the handler sees a whole entry or none */
			return;
		}
	}
	/* more than MAX_TEMPS at once: this one would be left behind by an interrupt */
}

static void register_temp(const char *path, int family, int tree)
{
	pthread_mutex_lock(&temps_lock);
	register_temp_locked(path, family, tree);
	pthread_mutex_unlock(&temps_lock);
}

void fs_temp_register(const char *path)
{
	register_temp(path, 0, 0);
}

void fs_temp_register_family(const char *path)
{
	register_temp(path, 1, 0);
}

void fs_temp_register_tree(const char *path)
{
	register_temp(path, 0, 1);
}

static void unregister_temp_locked(const char *path)
{
	for (int i = 0; i < MAX_TEMPS; i++) {
		if (temps[i].path && !strcmp(temps[i].path, path)) {
			char *p = temps[i].path, *d = temps[i].dir, *x = temps[i].prefix;

			temps[i].path = NULL;
			temps[i].dir = temps[i].prefix = NULL;
			temps[i].tree = 0;
			free(p);
			free(d);
			free(x);
			return;
		}
	}
}

void fs_temp_unregister(const char *path)
{
	pthread_mutex_lock(&temps_lock);
	unregister_temp_locked(path);
	pthread_mutex_unlock(&temps_lock);
}

void fs_cache_dir(struct buf *out)
{
	const char *v = getenv("BLAMBDA_CACHE_DIR");

	if (v && *v) {
		buf_adds(out, v);
		return;
	}
	v = getenv("XDG_CACHE_HOME");
	if (v && *v && v[0] == '/') {
		buf_addf(out, "%s/blambda", v);
		return;
	}
	v = getenv("HOME");
	buf_addf(out, "%s/.cache/blambda", v && *v ? v : ".");
}

int fs_mkdirs(const char *path, mode_t mode, struct error *err)
{
	char *p = xstrdup(path);

	for (char *s = p + 1;; s++) {
		if (*s == '/' || !*s) {
			char c = *s;
			struct stat st;

			*s = '\0';
			if (mkdir(p, mode) && errno != EEXIST) {
				error_set(err, EXIT_FAIL, "cannot create directory '%s': %s", p, strerror(errno));
				free(p);
				return -1;
			}
			if (!c && (stat(p, &st) || !S_ISDIR(st.st_mode))) {
				error_set(err, EXIT_FAIL, "'%s' is not a directory", p);
				free(p);
				return -1;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return 0;
}

int fs_read_file(const char *path, struct buf *out, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char chunk[65536];
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (cap && out->len + (size_t)n > cap) {
			explicit_bzero(chunk, sizeof(chunk));
			close(fd);
			errno = EFBIG;
			return -1;
		}
		buf_add(out, chunk, (size_t)n);
	}
	explicit_bzero(chunk, sizeof(chunk)); /* it may have held a secret (a token file) */
	if (n < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return 0;
}

FILE *fs_temp_open(const char *path, struct buf *tmp, mode_t mode, struct error *err)
{
	int fd;
	FILE *f;

	buf_reset(tmp);
	buf_addf(tmp, "%s.tmp-XXXXXX", path);
	fd = mkstemp(tmp->ptr);
	if (fd >= 0)
		fs_temp_register(tmp->ptr);
	if (fd < 0) {
		error_set(err, EXIT_FAIL, "cannot create a file next to '%s': %s", path, strerror(errno));
		return NULL;
	}
	if (fchmod(fd, mode)) {
		error_set(err, EXIT_FAIL, "cannot set the mode of '%s': %s", tmp->ptr, strerror(errno));
		close(fd);
		unlink(tmp->ptr);
		fs_temp_unregister(tmp->ptr);
		return NULL;
	}
	f = fdopen(fd, "w+b");
	if (!f) {
		error_set(err, EXIT_FAIL, "cannot open '%s': %s", tmp->ptr, strerror(errno));
		close(fd);
		unlink(tmp->ptr);
		fs_temp_unregister(tmp->ptr);
	}
	return f;
}

int fs_temp_commit(FILE *f, const char *tmp, const char *path, struct error *err)
{
	int bad = fflush(f) || ferror(f) || fsync(fileno(f));
	int e = errno;

	if (fclose(f) && !bad) {
		bad = 1;
		e = errno;
	}
	if (bad) {
		unlink(tmp);
		fs_temp_unregister(tmp);
		return error_set(err, EXIT_FAIL, "cannot write '%s': %s", path, strerror(e ? e : EIO));
	}
	if (rename(tmp, path)) {
		e = errno;
		unlink(tmp);
		fs_temp_unregister(tmp);
		return error_set(err, EXIT_FAIL, "cannot write '%s': %s", path, strerror(e));
	}
	fs_temp_unregister(tmp);
	return 0;
}

void fs_temp_abort(FILE *f, const char *tmp)
{
	if (f)
		fclose(f);
	unlink(tmp);
	fs_temp_unregister(tmp);
}

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, struct error *err)
{
	struct buf tmp = BUF_INIT;
	FILE *f = fs_temp_open(path, &tmp, mode, err);
	int r;

	if (!f) {
		buf_release(&tmp);
		return -1;
	}
	if (len && fwrite(data, 1, len, f) != len) {
		r = error_set(err, EXIT_FAIL, "cannot write '%s': %s", path, strerror(errno));
		fs_temp_abort(f, tmp.ptr);
	} else {
		r = fs_temp_commit(f, tmp.ptr, path, err);
	}
	buf_release(&tmp);
	return r;
}

/* nftw has no user pointer: the first failure of the walk in progress goes here (one walk at a time) */
static char *remove_failed;
static int remove_errno;

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)ftw;
	if ((type == FTW_DP ? rmdir(path) : unlink(path)) && errno != ENOENT) {
		if (!remove_failed) {
			remove_errno = errno;
			remove_failed = xstrdup(path);
		}
	}
	return 0; /* go on: remove what can be removed */
}

int fs_remove_tree(const char *path, char **failed)
{
	struct stat st;

	if (failed)
		*failed = NULL;
	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) && errno != ENOENT) {
			if (failed)
				*failed = xstrdup(path);
			return -1;
		}
		return 0;
	}
	remove_failed = NULL;
	remove_errno = 0;
	if (nftw(path, remove_one, 32, FTW_DEPTH | FTW_PHYS) && !remove_failed) {
		remove_errno = errno;
		remove_failed = xstrdup(path);
	}
	if (remove_failed) {
		if (failed)
			*failed = remove_failed;
		else
			free(remove_failed);
		remove_failed = NULL;
		errno = remove_errno;
		return -1;
	}
	return 0;
}

char *fs_find_program(const char *prog)
{
	const char *path = getenv("PATH");
	struct buf p = BUF_INIT;

	while (path && *path) {
		size_t n = strcspn(path, ":");
		struct stat st;

		buf_reset(&p);
		buf_addf(&p, "%.*s/%s", (int)n, path, prog);
		if (n && !access(p.ptr, X_OK) && !stat(p.ptr, &st) && S_ISREG(st.st_mode))
			return buf_detach(&p);
		path += n + (path[n] == ':');
	}
	buf_release(&p);
	return NULL;
}

int fs_on_path(const char *prog)
{
	char *p = fs_find_program(prog);

	free(p);
	return p != NULL;
}

int fs_lock(const char *path, long *holder, struct error *err)
{
	const char *slash = strrchr(path, '/');
	struct buf dir = BUF_INIT, text = BUF_INIT;
	int fd;

	*holder = 0;
	if (slash && slash != path) {
		buf_add(&dir, path, (size_t)(slash - path));
		if (fs_mkdirs(dir.ptr, 0755, err)) {
			buf_release(&dir);
			return -1;
		}
	}
	buf_release(&dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return error_set(err, EXIT_FAIL, "cannot open the lock file %s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int busy = errno == EWOULDBLOCK;

		if (busy && !fs_read_file(path, &text, 64))
			*holder = strtol(text.ptr ? text.ptr : "0", NULL, 10);
		buf_release(&text);
		if (busy)
			error_set(err, EXIT_FAIL, "%s is held by another process", path);
		else
			error_set(err, EXIT_FAIL, "cannot lock %s: %s", path, strerror(errno));
		if (busy) {
			free(err->code);
			err->code = xstrdup("Locked");
		}
		close(fd);
		return -1;
	}
	buf_addf(&text, "%ld\n", (long)getpid());
	/* the pid is for messages only: the lock holds without it */
	(void)!(ftruncate(fd, 0) || pwrite(fd, text.ptr, text.len, 0) != (ssize_t)text.len);
	buf_release(&text);
	return fd;
}

void fs_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

static int copy_file(const char *src, const char *dst, mode_t mode, struct error *err)
{
	char chunk[65536];
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, r = -1;
	ssize_t n;

	if (in < 0)
		return error_set(err, EXIT_FAIL, "cannot read '%s': %s", src, strerror(errno));
	if ((out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		error_set(err, EXIT_FAIL, "cannot write '%s': %s", dst, strerror(errno));
		goto out;
	}
	while ((n = read(in, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_set(err, EXIT_FAIL, "cannot read '%s': %s", src, strerror(errno));
			goto out;
		}
		for (ssize_t done = 0, w; done < n; done += w)
			if ((w = write(out, chunk + done, (size_t)(n - done))) < 0) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				error_set(err, EXIT_FAIL, "cannot write '%s': %s", dst, strerror(errno));
				goto out;
			}
	}
	r = fchmod(out, mode) ? error_set(err, EXIT_FAIL, "cannot write '%s': %s", dst, strerror(errno)) : 0;
out:
	close(in);
	if (out >= 0)
		close(out);
	return r;
}

/* dst itself, when it lies inside src (a source path "."): never copied into itself */
static int copy_into(const char *src, const char *dst, int readonly, int depth, const struct stat *top,
		     struct error *err)
{
	DIR *d;
	struct dirent *e;
	int r = 0;

	if (depth > 64)
		return error_set(err, EXIT_FAIL, "cannot copy '%s': nested too deep", src);
	if (!(d = opendir(src)))
		return error_set(err, EXIT_FAIL, "cannot read '%s': %s", src, strerror(errno));
	while (!r && (e = readdir(d))) {
		char *from, *to, link[4096];
		struct stat st;
		ssize_t len;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		from = buf_fmt("%s/%s", src, e->d_name);
		to = buf_fmt("%s/%s", dst, e->d_name);
		if (lstat(from, &st)) {
			r = error_set(err, EXIT_FAIL, "cannot read '%s': %s", from, strerror(errno));
		} else if (S_ISDIR(st.st_mode) && st.st_dev == top->st_dev && st.st_ino == top->st_ino) {
			/* the copy itself */
		} else if (S_ISDIR(st.st_mode)) {
			r = mkdir(to, 0755) ? error_set(err, EXIT_FAIL, "cannot make '%s': %s", to, strerror(errno))
					    : copy_into(from, to, readonly, depth + 1, top, err);
		} else if (S_ISREG(st.st_mode)) {
			r = copy_file(from, to, (st.st_mode & 0777) & (readonly ? ~(mode_t)0222 : ~(mode_t)0), err);
		} else if (S_ISLNK(st.st_mode)) {
			if ((len = readlink(from, link, sizeof(link) - 1)) < 0 || (link[len] = '\0', symlink(link, to)))
				r = error_set(err, EXIT_FAIL, "cannot copy '%s': %s", from, strerror(errno));
		}
		free(from);
		free(to);
	}
	closedir(d);
	return r;
}

int fs_copy_tree(const char *src, const char *dst, int readonly, struct error *err)
{
	struct stat top;

	if (stat(dst, &top))
		return error_set(err, EXIT_FAIL, "cannot use '%s': %s", dst, strerror(errno));
	return copy_into(src, dst, readonly, 0, &top, err);
}
