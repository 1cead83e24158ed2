#include "core/spawn.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/xalloc.h"

/* the children spawn_child started and spawn_wait has not reaped yet */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t *own;
static size_t nown, aown;

void spawn_attr_defaults(posix_spawnattr_t *attr)
{
	sigset_t none, defaults;

	posix_spawnattr_init(attr);
	sigemptyset(&none);
	sigemptyset(&defaults);
	for (int s = 1; s < 32; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaddset(&defaults, s);
	posix_spawnattr_setsigmask(attr, &none);
	posix_spawnattr_setsigdefault(attr, &defaults);
	posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
}

void spawn_attr_own_group(posix_spawnattr_t *attr)
{
	spawn_attr_defaults(attr);
	posix_spawnattr_setpgroup(attr, 0);
	posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
}

int spawn_child(pid_t *pid, const char *file, int search_path, const posix_spawn_file_actions_t *fa,
		const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	int e;

	/* locked across the spawn: the reaper never sees the child before it is recorded */
	pthread_mutex_lock(&lock);
	e = search_path ? posix_spawnp(pid, file, fa, attr, argv, envp) : posix_spawn(pid, file, fa, attr, argv, envp);
	if (!e) {
		XGROW(own, aown, nown + 1);
		own[nown++] = *pid;
	}
	pthread_mutex_unlock(&lock);
	return e;
}

static void forget(pid_t pid)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nown; i++)
		if (own[i] == pid) {
			own[i] = own[--nown];
			break;
		}
	if (!nown) {
		free(own);
		own = NULL;
		aown = 0;
	}
	pthread_mutex_unlock(&lock);
}

pid_t spawn_wait(pid_t pid, int *status, int options)
{
	pid_t r;

	while ((r = waitpid(pid, status, options)) < 0 && errno == EINTR)
		;
	if (r == pid)
		forget(pid);
	return r;
}

/* The state and parent of process `name` (a /proc entry); -1 when it is gone. */
static int stat_of(const char *name, char *state, long *ppid)
{
	char path[300], text[512], *paren;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%s/stat", name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	/* the command name may hold spaces and ')': the fields follow the last ')' */
	return (paren = strrchr(text, ')')) && sscanf(paren + 1, " %c %ld", state, ppid) == 2 ? 0 : -1;
}

static int is_own(pid_t pid)
{
	for (size_t i = 0; i < nown; i++)
		if (own[i] == pid)
			return 1;
	return 0;
}

/* Each adopted orphan (a child of blambda that spawn_child did not start): zombies only, or all of them, killed */
static void each_adopted(int kill_running)
{
	pid_t self = getpid();
	DIR *d = opendir("/proc");
	struct dirent *e;
	char state;
	long ppid;

	if (!d)
		return;
	pthread_mutex_lock(&lock);
	while ((e = readdir(d))) {
		pid_t pid = (pid_t)atol(e->d_name);

		if (!isdigit((unsigned char)e->d_name[0]) || stat_of(e->d_name, &state, &ppid) || ppid != self ||
		    is_own(pid) || (!kill_running && state != 'Z'))
			continue;
		if (kill_running)
			kill(pid, SIGKILL);
		waitpid(pid, NULL, kill_running ? 0 : WNOHANG);
	}
	pthread_mutex_unlock(&lock);
	closedir(d);
}

void spawn_reap_adopted(void)
{
	each_adopted(0);
}

void spawn_kill_adopted(void)
{
	each_adopted(1);
}
