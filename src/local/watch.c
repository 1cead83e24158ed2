#define _GNU_SOURCE /* pipe2 */
#include "local/watch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"

#define QUIET_MS 100 /* a change counts once nothing else changed for this long */
#define RETRY_MS 250 /* how often a watched directory that went away is looked for again */
#define DIR_MASK (IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | \
		  IN_MOVE_SELF)

struct local_watch {
	int fd, stop_pipe[2];
	pthread_t thread;
	void (*changed)(void *ctx);
	void *ctx;
	/* watch descriptor -> directory, and which names in it count (NULL: all of them) */
	struct wdir {
		int wd;
		char *path;
		struct strlist names;
		int all;
	} *dirs;
	size_t ndirs, adirs;
	struct strlist roots; /* the directories asked for, watched again when they come back */
	int lost;             /* one of them is not watched now */
};

/* an editor's scratch file (.x.swp, 4913, x~, #x#) or a hidden one: not a change to the code */
static int scratch_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] == '.' || name[0] == '#' || (n && name[n - 1] == '~') || !strcmp(name, "4913") ||
	       (n > 4 && (!strcmp(name + n - 4, ".swp") || !strcmp(name + n - 4, ".swx")));
}

static void forget_wd(struct local_watch *w, int wd)
{
	for (size_t i = 0; i < w->ndirs; i++) {
		if (w->dirs[i].wd == wd) {
			free(w->dirs[i].path);
			strlist_clear(&w->dirs[i].names);
			w->dirs[i] = w->dirs[--w->ndirs];
			return;
		}
	}
}

static int add_tree(struct local_watch *w, const char *path, int depth);

/* watch the roots that are not watched (gone, then back); 1 when one came back */
static int find_lost_roots(struct local_watch *w)
{
	int back = 0;

	w->lost = 0;
	for (size_t i = 0; i < w->roots.nr; i++) {
		int watched = 0;

		for (size_t k = 0; k < w->ndirs; k++)
			watched |= w->dirs[k].all && !strcmp(w->dirs[k].path, w->roots.items[i]);
		if (watched)
			continue;
		if (!add_tree(w, w->roots.items[i], 0))
			back = 1;
		else
			w->lost = 1;
	}
	return back;
}

static struct wdir *find_wd(struct local_watch *w, int wd)
{
	for (size_t i = 0; i < w->ndirs; i++)
		if (w->dirs[i].wd == wd)
			return &w->dirs[i];
	return NULL;
}

static struct wdir *add_dir(struct local_watch *w, const char *path)
{
	int wd = inotify_add_watch(w->fd, path, DIR_MASK | IN_ONLYDIR);
	struct wdir *d;

	if (wd < 0)
		return NULL;
	if ((d = find_wd(w, wd)))
		return d;
	XGROW(w->dirs, w->adirs, w->ndirs + 1);
	d = &w->dirs[w->ndirs++];
	memset(d, 0, sizeof(*d));
	d->wd = wd;
	d->path = xstrdup(path);
	return d;
}

/* path and every directory under it (not through links) */
static int add_tree(struct local_watch *w, const char *path, int depth)
{
	struct wdir *d = add_dir(w, path);
	DIR *dir;
	struct dirent *e;

	if (!d)
		return -1;
	d->all = 1;
	if (depth > 64 || !(dir = opendir(path)))
		return 0;
	while ((e = readdir(dir))) {
		char sub[PATH_MAX];
		struct stat st;

		/* hidden directories (.git) and the build directory change without the code changing */
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "target"))
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >= sizeof(sub))
			continue;
		if (!lstat(sub, &st) && S_ISDIR(st.st_mode))
			add_tree(w, sub, depth + 1);
	}
	closedir(dir);
	return 0;
}

static void *watcher(void *arg)
{
	struct local_watch *w = arg;
	char events[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	int pending = 0;

	for (;;) {
		struct pollfd p[2] = { { w->fd, POLLIN, 0 }, { w->stop_pipe[0], POLLIN, 0 } };
		int n = poll(p, 2, pending ? QUIET_MS : w->lost ? RETRY_MS : -1);
		ssize_t len;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || p[1].revents)
			break;
		if (!n) {
			if (w->lost && find_lost_roots(w))
				pending = 1;
			if (!pending)
				continue;
			/* quiet for QUIET_MS after a change */
			pending = 0;
			w->changed(w->ctx);
			continue;
		}
		len = read(w->fd, events, sizeof(events));
		for (char *q = events; len > 0 && q < events + len;) {
			struct inotify_event *ev = (struct inotify_event *)q;
			struct wdir *d = find_wd(w, ev->wd);

			q += sizeof(*ev) + ev->len;
			if (!d)
				continue;
			if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
				/*
				 * The directory went (a checkout may make it again): its watch
				 * ends, and so do those of the directories under it, which may
				 * live on elsewhere (moved) and are not the code any more.
				 */
				char *gone = xstrdup(d->path);
				size_t glen = strlen(gone);

				if (ev->mask & IN_MOVE_SELF)
					inotify_rm_watch(w->fd, ev->wd);
				forget_wd(w, ev->wd);
				for (size_t i = 0; i < w->ndirs;) {
					if (!strncmp(w->dirs[i].path, gone, glen) && w->dirs[i].path[glen] == '/') {
						inotify_rm_watch(w->fd, w->dirs[i].wd);
						forget_wd(w, w->dirs[i].wd);
					} else {
						i++;
					}
				}
				free(gone);
				w->lost = 1;
				pending = 1;
				continue;
			}
			if (ev->len && scratch_name(ev->name))
				continue;
			if (d->all) {
				pending = 1;
				if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO)) && ev->len) {
					char sub[PATH_MAX];

					if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", d->path, ev->name) < sizeof(sub))
						add_tree(w, sub, 0);
				}
			} else if (ev->len && strlist_has(&d->names, ev->name)) {
				pending = 1;
			}
		}
	}
	return NULL;
}

struct local_watch *local_watch_start(const struct strlist *dirs, const struct strlist *files,
				      void (*changed)(void *ctx), void *ctx, struct error *err)
{
	struct local_watch *w = xcalloc(1, sizeof(*w));

	w->changed = changed;
	w->ctx = ctx;
	w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w->fd < 0 || pipe2(w->stop_pipe, O_CLOEXEC)) {
		error_set(err, EXIT_FAIL, "cannot watch for changes: %s", strerror(errno));
		if (w->fd >= 0)
			close(w->fd);
		free(w);
		return NULL;
	}
	for (size_t i = 0; i < dirs->nr; i++) {
		strlist_add(&w->roots, dirs->items[i]);
		if (add_tree(w, dirs->items[i], 0)) {
			error_set(err, EXIT_FAIL, "cannot watch '%s': %s", dirs->items[i], strerror(errno));
			goto fail;
		}
	}
	for (size_t i = 0; i < files->nr; i++) {
		char *copy = xstrdup(files->items[i]), *slash = strrchr(copy, '/');
		const char *dir = slash ? (slash == copy ? "/" : copy) : ".";
		const char *base = slash ? slash + 1 : copy;
		struct wdir *d;

		if (slash)
			*slash = '\0';
		d = add_dir(w, dir);
		if (!d) {
			error_set(err, EXIT_FAIL, "cannot watch '%s': %s", files->items[i], strerror(errno));
			free(copy);
			goto fail;
		}
		strlist_add(&d->names, base);
		free(copy);
	}
	if (pthread_create(&w->thread, NULL, watcher, w)) {
		error_set(err, EXIT_FAIL, "cannot start the watcher");
		goto fail;
	}
	return w;
fail:
	w->thread = 0;
	close(w->stop_pipe[0]);
	close(w->stop_pipe[1]);
	w->stop_pipe[0] = -1;
	local_watch_stop(w);
	return NULL;
}

void local_watch_stop(struct local_watch *w)
{
	if (!w)
		return;
	if (w->stop_pipe[0] >= 0) {
		if (write(w->stop_pipe[1], "x", 1) < 0) {
			/* the pipe is ours and empty: cannot fail */
		}
		pthread_join(w->thread, NULL);
		close(w->stop_pipe[0]);
		close(w->stop_pipe[1]);
	}
	close(w->fd);
	for (size_t i = 0; i < w->ndirs; i++) {
		free(w->dirs[i].path);
		strlist_clear(&w->dirs[i].names);
	}
	free(w->dirs);
	strlist_clear(&w->roots);
	free(w);
}
