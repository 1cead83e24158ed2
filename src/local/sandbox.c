#define _GNU_SOURCE /* unshare, open_tree, move_mount, mount_setattr */
#include "local/sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/spawn.h"
#include "core/xalloc.h"
#include "local/keeper.h"

#define MAX_MOUNTS 128 /* entries of /var and paths kept: more is refused */

/* what failed, for *step: the process that made the sandbox ends right after, so one buffer does */
static char step_text[512];

static const char *stepf(const char *fmt, const char *path)
{
	snprintf(step_text, sizeof(step_text), fmt, path);
	return step_text;
}

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), e = 0;

	if (fd < 0)
		return errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		e = errno ? errno : EIO;
	close(fd);
	return e;
}

/* a mount namespace (and a user namespace unless root) whose mounts are its own */
static int enter_namespaces(const char **step)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64];
	int e;

	if (uid == 0 ? unshare(CLONE_NEWNS) : unshare(CLONE_NEWUSER | CLONE_NEWNS)) {
		*step = uid == 0 ? "a mount namespace" : "a user namespace";
		return errno;
	}
	if (uid != 0) {
		/* the same ids inside: files keep their owners, and bootstrap runs without capabilities */
		if ((e = write_text("/proc/self/setgroups", "deny")) && e != ENOENT) {
			*step = "/proc/self/setgroups";
			return e;
		}
		snprintf(map, sizeof(map), "%u %u 1", (unsigned)uid, (unsigned)uid);
		if ((e = write_text("/proc/self/uid_map", map))) {
			*step = "/proc/self/uid_map";
			return e;
		}
		snprintf(map, sizeof(map), "%u %u 1", (unsigned)gid, (unsigned)gid);
		if ((e = write_text("/proc/self/gid_map", map))) {
			*step = "/proc/self/gid_map";
			return e;
		}
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		*step = "making the mounts private";
		return errno;
	}
	return 0;
}

/* A detached copy of the tree at path (read-only when ro), into *fd. */
static int clone_tree(const char *path, int ro, int *fd, const char **step)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

	*fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (*fd < 0) {
		*step = stepf("a copy of '%s'", path);
		return errno;
	}
	if (ro && mount_setattr(*fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr))) {
		*step = stepf("'%s' read-only", path);
		return errno;
	}
	return 0;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
	char p[4096];
	size_t len = strlen(path);

	if (len >= sizeof(p))
		return ENAMETOOLONG;
	memcpy(p, path, len + 1);
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			return errno;
		*s = c;
		if (!c)
			return 0;
	}
}

/* Attach the tree fd at target, made first (a directory, or an empty file for a file) when it is not there. */
static int place(int fd, const char *target, const char **step)
{
	struct stat st, want;
	int e = 0;

	if (fstat(fd, &want)) {
		*step = stepf("'%s'", target);
		return errno;
	}
	if (lstat(target, &st)) {
		char *slash = strrchr(target, '/');

		if (S_ISDIR(want.st_mode)) {
			e = make_dirs(target);
		} else if (slash && slash != target) {
			*slash = '\0';
			e = make_dirs(target);
			*slash = '/';
			if (!e) {
				int f = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

				e = f < 0 ? errno : 0;
				if (f >= 0)
					close(f);
			}
		}
		if (e) {
			*step = stepf("a place for '%s'", target);
			return e;
		}
	}
	if (move_mount(fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH)) {
		*step = stepf("mounting '%s'", target);
		return errno;
	}
	return 0;
}

static int under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || !path[n]);
}

const char *local_sandbox_under_opt(const char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (paths[i] && under(paths[i], LOCAL_SANDBOX_OPT))
			return paths[i];
	return NULL;
}

/* the entries of /var, to put back over the tmpfs that makes room for /var/task */
struct entry {
	char name[256];
	char *link; /* a symbolic link's target, or NULL */
	int fd;
};

static int take_var(struct entry *out, size_t *n, const char **step)
{
	DIR *d = opendir("/var");
	struct dirent *e;
	int err = 0;

	*n = 0;
	if (!d) {
		*step = "reading /var";
		return errno;
	}
	while (!err && (e = readdir(d))) {
		char path[300], target[4096];
		struct stat st;
		ssize_t len;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "/var/%s", e->d_name);
		if (lstat(path, &st) || !(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)))
			continue;
		if (*n == MAX_MOUNTS) {
			*step = "/var has too many entries";
			err = E2BIG;
			break;
		}
		snprintf(out[*n].name, sizeof(out[*n].name), "%s", e->d_name);
		out[*n].link = NULL;
		out[*n].fd = -1;
		if (S_ISLNK(st.st_mode)) {
			if ((len = readlink(path, target, sizeof(target) - 1)) < 0)
				continue;
			target[len] = '\0';
			out[(*n)++].link = xstrdup(target);
		} else if (!(err = clone_tree(path, 1, &out[*n].fd, step))) {
			(*n)++;
		}
	}
	closedir(d);
	return err;
}

/* /var as it was, with an empty /var/task to mount the task root on */
static int remake_var(struct entry *ents, size_t n, const char **step)
{
	int e = 0;

	if (mount("tmpfs", "/var", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m")) {
		*step = "a tmpfs on /var";
		return errno;
	}
	for (size_t i = 0; i < n && !e; i++) {
		char path[300];

		snprintf(path, sizeof(path), "/var/%s", ents[i].name);
		if (ents[i].link && symlink(ents[i].link, path)) {
			*step = stepf("'%s'", path);
			e = errno;
		} else if (!ents[i].link) {
			e = place(ents[i].fd, path, step);
		}
	}
	if (!e && mkdir(LOCAL_SANDBOX_TASK, 0755)) {
		*step = LOCAL_SANDBOX_TASK;
		e = errno;
	}
	if (!e && mkdir(LOCAL_SANDBOX_RUNTIME, 0755) && errno != EEXIST) { /* LAMBDA_RUNTIME_DIR: empty for a provided runtime */
		*step = LOCAL_SANDBOX_RUNTIME;
		e = errno;
	}
	return e;
}

/*
 * No capability survives the exec, root's included (Lambda's function has
 * none: it could otherwise make /var/task writable again), and nothing
 * regains one (no_new_privs: a setuid program gets nothing).
 */
static int drop_privileges(const char **step)
{
	struct __user_cap_header_struct head = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct none[2] = { { 0, 0, 0 }, { 0, 0, 0 } };

	for (int cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL) {
			*step = "dropping the capabilities";
			return errno;
		}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_capset, &head, none)) {
		*step = "dropping the capabilities";
		return errno;
	}
	return 0;
}

int local_sandbox_enter(const struct local_sandbox *sb, const char **step)
{
	struct entry *ents = xcalloc(MAX_MOUNTS, sizeof(*ents));
	int kept[MAX_MOUNTS], task_fd = -1, opt_fd = -1, e;
	const char *keep[MAX_MOUNTS];
	size_t nents = 0, nkeep = 0, ncloned = 0;
	struct stat st;
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	char size[64];

	/* the paths kept: none inside another, none /tmp, /var or /opt are inside, none under /opt */
	for (size_t i = 0; i < sb->nkeep; i++) {
		int skip = under("/tmp", sb->keep[i]) || under("/var", sb->keep[i]) || under("/opt", sb->keep[i]);

		for (size_t k = 0; k < sb->nkeep && !skip; k++)
			skip = k != i && under(sb->keep[i], sb->keep[k]) && (strcmp(sb->keep[i], sb->keep[k]) || k < i);
		if (skip)
			continue;
		if (local_sandbox_under_opt(sb->keep + i, 1)) {
			*step = stepf("'%s' is under /opt, where the layers go", sb->keep[i]);
			e = ENOTSUP;
			goto out;
		}
		if (nkeep == MAX_MOUNTS) {
			*step = "too many paths";
			e = E2BIG;
			goto out;
		}
		keep[nkeep++] = sb->keep[i];
	}
	if ((e = enter_namespaces(step)))
		goto out;
	/* every tree taken before anything is covered: they may lie under /tmp or /var */
	if ((e = clone_tree(sb->task_root, 1, &task_fd, step)) || (e = clone_tree(sb->opt_dir, 1, &opt_fd, step)))
		goto out;
	for (; ncloned < nkeep; ncloned++)
		if ((e = clone_tree(keep[ncloned], 1, &kept[ncloned], step)))
			goto out;
	if (lstat(LOCAL_SANDBOX_TASK, &st) && (e = take_var(ents, &nents, step)))
		goto out;
	/* as in Lambda, nothing is writable but /tmp: every mount read-only, in this namespace */
	if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof(ro))) {
		*step = "the mounts read-only";
		e = errno;
		goto out;
	}
	if (nents && (e = remake_var(ents, nents, step)))
		goto out;
	snprintf(size, sizeof(size), "mode=1777,size=%ldm", sb->tmp_mb > 0 ? sb->tmp_mb : 512);
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, size)) {
		*step = "a tmpfs on /tmp";
		e = errno;
		goto out;
	}
	if (lstat(LOCAL_SANDBOX_OPT, &st)) {
		*step = "/opt (this machine has none to mount the layers on)";
		e = errno;
		goto out;
	}
	if ((e = place(task_fd, LOCAL_SANDBOX_TASK, step)) || (e = place(opt_fd, LOCAL_SANDBOX_OPT, step)))
		goto out;
	for (size_t i = 0; i < nkeep; i++)
		if ((e = place(kept[i], keep[i], step)))
			goto out;
	if (nents && mount_setattr(AT_FDCWD, "/var", 0, &ro, sizeof(ro))) {
		*step = "/var read-only";
		e = errno;
		goto out;
	}
	if (chdir(LOCAL_SANDBOX_TASK)) {
		*step = LOCAL_SANDBOX_TASK;
		e = errno;
		goto out;
	}
	e = drop_privileges(step);
out:
	if (task_fd >= 0)
		close(task_fd);
	if (opt_fd >= 0)
		close(opt_fd);
	for (size_t i = 0; i < ncloned; i++)
		close(kept[i]);
	for (size_t i = 0; i < nents; i++) {
		free(ents[i].link);
		if (ents[i].fd >= 0)
			close(ents[i].fd);
	}
	free(ents);
	return e;
}

int local_sandbox_try(const char **step)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	int e, fd = -1;

	if ((e = enter_namespaces(step)))
		return e;
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m")) {
		*step = "a tmpfs on /tmp";
		return errno;
	}
	if ((e = clone_tree("/usr", 1, &fd, step)))
		return e;
	close(fd);
	if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof(ro))) {
		*step = "the mounts read-only";
		return errno;
	}
	if ((e = drop_privileges(step)))
		return e;
	if (access(LOCAL_SANDBOX_OPT, F_OK)) {
		*step = "/opt (this machine has none to mount the layers on)";
		return errno;
	}
	return 0;
}

int local_sandbox_available(struct buf *why)
{
	static int known = -1;
	static char reason[512];
	posix_spawn_file_actions_t fa;
	char *argv[] = { LOCAL_KEEPER_NAME, "--probe", NULL };
	int p[2], st = 0, e;
	ssize_t n = 0;
	pid_t pid;

	if (known >= 0)
		goto done;
	if (pipe2(p, O_CLOEXEC)) {
		snprintf(reason, sizeof(reason), "cannot make a pipe: %s", strerror(errno));
		known = 0;
		goto done;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	e = spawn_child(&pid, "/proc/self/exe", 0, &fa, NULL, argv, NULL);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (!e) {
		for (size_t len = 0; len < sizeof(reason) - 1; len += (size_t)n) {
			n = read(p[0], reason + len, sizeof(reason) - 1 - len);
			if (n < 0 && errno == EINTR) {
				n = 0;
				continue;
			}
			if (n <= 0) {
				reason[len] = '\0';
				break;
			}
		}
		spawn_wait(pid, &st, 0);
	} else {
		snprintf(reason, sizeof(reason), "cannot run blambda again: %s", strerror(e));
	}
	close(p[0]);
	known = !e && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	reason[strcspn(reason, "\n")] = '\0';
	if (!known && !*reason)
		snprintf(reason, sizeof(reason), "the test ended abnormally");
done:
	if (!known)
		buf_adds(why, reason);
	return known;
}
