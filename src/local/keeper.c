#include "local/keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "local/procs.h"

#define ANSWER_FD 3
#define MAX_KILL 1024 /* processes of the environment killed in one pass */

extern char **environ;

/* Kill every process of the environment and reap them all: until nothing is left under the keeper. */
static void kill_all(pid_t bootstrap, int *bootstrap_status, int *bootstrap_done)
{
	pid_t *all = calloc(MAX_KILL, sizeof(*all));

	for (;;) {
		/* a process killed now may leave children: they come to the keeper, and the next pass finds them */
		size_t n = all ? local_procs_members(getpid(), all, MAX_KILL) : 0;
		int st;
		pid_t w;

		if (bootstrap > 0 && !*bootstrap_done)
			kill(-bootstrap, SIGKILL);
		for (size_t i = 0; i < n; i++)
			kill(all[i], SIGKILL);
		w = waitpid(-1, &st, 0);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break; /* no child left: nothing of the environment is */
		if (w == bootstrap && !*bootstrap_done) {
			*bootstrap_status = st;
			*bootstrap_done = 1;
		}
	}
	free(all);
}

/* Reap what has ended; whether bootstrap is among it. */
static void reap(pid_t bootstrap, int *bootstrap_status, int *bootstrap_done)
{
	int st;
	pid_t w;

	while ((w = waitpid(-1, &st, WNOHANG)) > 0)
		if (w == bootstrap) {
			*bootstrap_status = st;
			*bootstrap_done = 1;
		}
}

/* End as bootstrap ended: its exit status, or its signal. */
static int end_like(int st)
{
	sigset_t all;

	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (!WIFSIGNALED(st))
		return 1;
	signal(WTERMSIG(st), SIG_DFL);
	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	raise(WTERMSIG(st));
	return 128 + WTERMSIG(st);
}

static void answer(const char *what, long n)
{
	char line[64];
	int len = snprintf(line, sizeof(line), "%s %ld\n", what, n);

	if (write(ANSWER_FD, line, (size_t)len) < 0) {
		/* blambda is gone: the parent check ends the environment */
	}
	close(ANSWER_FD);
}

/* bootstrap, in a process group of its own, with every signal at its default and none blocked */
static int spawn_bootstrap(char *path, pid_t *pid)
{
	posix_spawnattr_t attr;
	sigset_t none, defaults;
	char *argv[2] = { path, NULL };
	int e;

	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigfillset(&defaults);
	sigdelset(&defaults, SIGKILL);
	sigdelset(&defaults, SIGSTOP);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	e = posix_spawn(pid, path, NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	return e;
}

int local_keeper_main(int argc, char **argv)
{
	sigset_t set;
	pid_t parent, bootstrap = 0;
	int st = 0, done = 0, e;

	if (argc != 3 || (parent = (pid_t)strtol(argv[1], NULL, 10)) <= 1)
		return 2;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	fcntl(ANSWER_FD, F_SETFD, FD_CLOEXEC);
	if (getppid() != parent) {
		answer("error", ESRCH);
		return 1;
	}
	if ((e = spawn_bootstrap(argv[2], &bootstrap))) {
		answer("error", e);
		return 127;
	}
	answer("pid", bootstrap);
	for (;;) {
		struct timespec tick = { 1, 0 };
		int sig = sigtimedwait(&set, NULL, &tick);

		reap(bootstrap, &st, &done);
		if (sig == SIGTERM && !done)
			kill(-bootstrap, SIGTERM);
		/* blambda's word, or blambda gone (the keeper is someone else's child now): nothing may outlive it */
		if (sig == SIGINT || sig == SIGHUP || getppid() != parent || done) {
			kill_all(bootstrap, &st, &done);
			return end_like(st); /* kill_all reaped bootstrap too */
		}
	}
}
