#define _GNU_SOURCE
#include "local/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/xalloc.h"

#define PREFIX "blambda-local-"

/* Write text to DIR/NAME: 0 or an errno. */
static int put(const char *dir, const char *name, const char *text)
{
	char *path = buf_fmt("%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CLOEXEC), e = 0;
	size_t len = strlen(text);

	free(path);
	if (fd < 0)
		return errno;
	if (write(fd, text, len) != (ssize_t)len)
		e = errno ? errno : EIO;
	close(fd);
	return e;
}

/*
 * The directory of blambda's own cgroup in the v2 hierarchy: where cgroup2
 * is mounted (/proc/self/mountinfo) and the path /proc/self/cgroup gives it
 * ("0::/PATH"). 0 with *out, or an errno.
 */
static int own_dir(struct buf *out)
{
	char line[4096], mount[4096] = "", path[4096] = "";
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return errno;
	while (!*mount && fgets(line, sizeof(line), f)) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
		char root[4096], point[4096];
		const char *dash = strstr(line, " - ");

		if (dash && !strncmp(dash + 3, "cgroup2 ", 8) &&
		    sscanf(line, "%*s %*s %*s %4095s %4095s", root, point) == 2 && !strcmp(root, "/"))
			snprintf(mount, sizeof(mount), "%s", point);
	}
	fclose(f);
	if (!*mount)
		return ENOENT;
	if (!(f = fopen("/proc/self/cgroup", "re")))
		return errno;
	while (!*path && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(path, sizeof(path), "%s", line + 3);
		}
	fclose(f);
	/* "(deleted)" and the like: a path that is not under the mount is of no use */
	if (path[0] != '/' || strstr(path, "/.."))
		return ENOENT;
	buf_addf(out, "%s%s", mount, strcmp(path, "/") ? path : "");
	return 0;
}

/* rmdir, waiting (up to a second) for the last processes to leave */
static void remove_dir(const char *dir)
{
	for (int i = 0; i < 100 && rmdir(dir) && errno == EBUSY; i++) {
		struct timespec nap = { 0, 10 * 1000000L };

		nanosleep(&nap, NULL);
	}
}

/*
 * The cgroups of blambda runs that ended without removing theirs (killed):
 * removed when empty. One with processes left is not touched: its blambda
 * may live in another PID namespace, where this one cannot see it.
 */
static void remove_stale(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end, *dir, *env;
		long pid;

		if (strncmp(e->d_name, PREFIX, strlen(PREFIX)))
			continue;
		pid = strtol(e->d_name + strlen(PREFIX), &end, 10);
		if (pid <= 0 || *end != '-' || !kill((pid_t)pid, 0) || errno != ESRCH)
			continue; /* not one of ours, or its blambda lives on (or cannot be asked) */
		dir = buf_fmt("%s/%s", base, e->d_name);
		env = buf_fmt("%s/env", dir);
		if (!rmdir(env) || errno == ENOENT)
			rmdir(dir);
		free(env);
		free(dir);
	}
	closedir(d);
}

int local_cgroup_make(struct local_cgroup *cg)
{
	static atomic_uint counter;
	struct buf base = BUF_INIT;
	struct stat st;
	int e;

	cg->dir = cg->env = NULL;
	if ((e = own_dir(&base))) {
		buf_release(&base);
		return e;
	}
	remove_stale(base.ptr);
	cg->dir = buf_fmt("%s/" PREFIX "%ld-%u", base.ptr, (long)getpid(), atomic_fetch_add(&counter, 1));
	cg->env = buf_fmt("%s/env", cg->dir);
	buf_release(&base);
	if (mkdir(cg->dir, 0755)) {
		e = errno;
	} else if (mkdir(cg->env, 0755)) {
		e = errno;
		rmdir(cg->dir);
	} else {
		/* the freezer came with Linux 5.2: without it, this is of no use */
		char *freeze = buf_fmt("%s/cgroup.freeze", cg->env);

		e = stat(freeze, &st) ? errno : 0;
		free(freeze);
		if (e) {
			rmdir(cg->env);
			rmdir(cg->dir);
		}
	}
	if (e) {
		free(cg->dir);
		free(cg->env);
		cg->dir = cg->env = NULL;
	}
	return e;
}

int local_cgroup_move(const char *dir, pid_t pid)
{
	char text[24];

	snprintf(text, sizeof(text), "%ld", (long)(pid ? pid : getpid()));
	return put(dir, "cgroup.procs", text);
}

int local_cgroup_has(const struct local_cgroup *cg, pid_t pid)
{
	char *path, line[32];
	FILE *f;
	int found = 0;

	if (!cg->env)
		return 0;
	path = buf_fmt("%s/cgroup.procs", cg->env);
	f = fopen(path, "re");
	free(path);
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = strtol(line, NULL, 10) == (long)pid;
	fclose(f);
	return found;
}

int local_cgroup_freeze(const struct local_cgroup *cg, int freeze)
{
	return cg->env ? put(cg->env, "cgroup.freeze", freeze ? "1" : "0") : ENOENT;
}

int local_cgroup_kill(const struct local_cgroup *cg)
{
	/* cgroup.kill came with Linux 5.14 */
	return cg->env ? put(cg->env, "cgroup.kill", "1") : ENOENT;
}

void local_cgroup_remove(struct local_cgroup *cg)
{
	if (!cg->dir)
		return;
	remove_dir(cg->env);
	remove_dir(cg->dir);
	free(cg->dir);
	free(cg->env);
	cg->dir = cg->env = NULL;
}
