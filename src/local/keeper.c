#define _GNU_SOURCE /* pipe2 */
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

#include "core/spawn.h"
#include "local/cgroup.h"
#include "local/procs.h"
#include "local/sandbox.h"

#define ANSWER_FD 3
#define MAX_KILL 1024 /* processes of the environment killed in one pass */

extern char **environ;

/*
 * Kill every process of the environment and reap them all: until nothing is
 * left under the keeper. A pass kills what it finds and reaps all that died;
 * what a killed process left comes to the keeper, and the next pass finds it.
 */
static void kill_all(pid_t bootstrap, int *bootstrap_status, int *bootstrap_done)
{
	pid_t *all = calloc(MAX_KILL, sizeof(*all));

	for (;;) {
		size_t n = all ? local_procs_members(getpid(), all, MAX_KILL) : 0;
		int st, flags = 0;
		pid_t w;

		if (bootstrap > 0 && !*bootstrap_done)
			kill(-bootstrap, SIGKILL);
		for (size_t i = 0; i < n; i++)
			kill(all[i], SIGKILL);
		/* one wait for a child to end, then every other that has */
		while ((w = waitpid(-1, &st, flags)) > 0 || (w < 0 && errno == EINTR)) {
			if (w == bootstrap && !*bootstrap_done) {
				*bootstrap_status = st;
				*bootstrap_done = 1;
			}
			flags = WNOHANG;
		}
		if (w < 0 && errno == ECHILD)
			break; /* no child left: nothing of the environment is */
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
	/* that one alone: a SIGINT from blambda still pending must not be what the keeper ends by */
	signal(WTERMSIG(st), SIG_DFL);
	sigemptyset(&all);
	sigaddset(&all, WTERMSIG(st));
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	raise(WTERMSIG(st));
	return 128 + WTERMSIG(st);
}

/* "pid N", or "error ERRNO [WHAT FAILED]": the one answer on fd 3 */
static void answer(const char *what, long n, const char *step)
{
	char line[600];
	int len = snprintf(line, sizeof(line), "%s %ld%s%s\n", what, n, step && *step ? " " : "", step ? step : "");

	if (write(ANSWER_FD, line, (size_t)len) < 0) {
		/* blambda is gone: the parent check ends the environment */
	}
	close(ANSWER_FD);
}

/* bootstrap, in a process group of its own, with every signal at its default and none blocked */
static int spawn_bootstrap(char *path, pid_t *pid)
{
	posix_spawnattr_t attr;
	char *argv[2] = { path, NULL };
	int e;

	spawn_attr_own_group(&attr);
	e = posix_spawn(pid, path, NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	return e;
}

/*
 * bootstrap in Lambda's file system, as local/sandbox.h makes it: a child that makes
 * the sandbox, then runs bootstrap, in a process group of its own. 0, or an
 * errno with what failed in step (the child said it, then ended).
 */
static int spawn_sandboxed(char *path, const struct local_sandbox *sb, pid_t *pid, char *step, size_t stepsz)
{
	int p[2], e = 0;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC))
		return errno;
	*pid = fork();
	if (*pid < 0) {
		e = errno;
		close(p[0]);
		close(p[1]);
		return e;
	}
	if (*pid == 0) {
		/* the keeper is single-threaded: the child may do anything before its exec */
		sigset_t none;
		const char *what = ""; /* nothing when the exec failed: the sandbox was made */
		char *argv[2] = { path, NULL };
		char line[600];
		int len;

		setpgid(0, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (!(e = local_sandbox_enter(sb, &what))) {
			execv(path, argv);
			e = errno;
		}
		len = snprintf(line, sizeof(line), "%d%s%s", e, *what ? " " : "", what);
		if (write(p[1], line, (size_t)len) < 0) {
			/* the keeper sees the child killed, with no word: it says so */
		}
		raise(SIGKILL);
	}
	setpgid(*pid, *pid);
	close(p[1]);
	/* nothing until the pipe closes: the exec went through */
	while ((n = read(p[0], step, stepsz - 1)) < 0 && errno == EINTR)
		;
	close(p[0]);
	if (n > 0) {
		char *space;

		step[n] = '\0';
		e = (int)strtol(step, &space, 10);
		memmove(step, space + (*space == ' '), strlen(space + (*space == ' ')) + 1); /* what failed, or "" */
		waitpid(*pid, NULL, 0);
		return e > 0 ? e : EIO;
	}
	return 0;
}

/* blambda-local-env --probe: whether a sandbox can be made; the reason on stdout when not */
static int probe(void)
{
	const char *step = "";
	int e = local_sandbox_try(&step);
	char line[600];
	int len;

	if (!e)
		return 0;
	len = snprintf(line, sizeof(line), "%s: %s\n", step, strerror(e));
	if (write(1, line, (size_t)len) < 0)
		return 2;
	return 1;
}

int local_keeper_main(int argc, char **argv)
{
	struct local_sandbox sb = { 0 };
	char step[512] = "";
	sigset_t set;
	pid_t parent, bootstrap = 0;
	const char *cgroup;
	int st = 0, done = 0, e;

	if (argc == 2 && !strcmp(argv[1], "--probe"))
		return probe();
	/* blambda may be pid 1 (a container's entrypoint) */
	if (argc < 4 || (parent = (pid_t)strtol(argv[1], NULL, 10)) < 1)
		return 2;
	cgroup = strcmp(argv[3], "-") ? argv[3] : NULL;
	if (argc > 4) {
		/* PARENT BOOTSTRAP CGROUP --sandbox TASK_ROOT OPT_DIR TMP_MB KEEP... */
		if (argc < 8 || strcmp(argv[4], "--sandbox"))
			return 2;
		sb.task_root = argv[5];
		sb.opt_dir = argv[6];
		sb.tmp_mb = strtol(argv[7], NULL, 10);
		sb.keep = (const char *const *)argv + 8;
		sb.nkeep = (size_t)(argc - 8);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	fcntl(ANSWER_FD, F_SETFD, FD_CLOEXEC);
	/* what blambda was given and did not mark close-on-exec is not the runtime's */
	if (close_range(ANSWER_FD + 1, ~0U, 0))
		for (int fd = ANSWER_FD + 1; fd < 1024; fd++)
			close(fd);
	if (getppid() != parent) {
		answer("error", ESRCH, NULL);
		return 1;
	}
	/*
	 * bootstrap is born in the environment's cgroup (CGROUP/env), and so is
	 * all it starts; the keeper then leaves it for CGROUP, never frozen.
	 * One that cannot be entered leaves bootstrap outside: blambda sees it
	 * is not there and freezes with signals.
	 */
	if (cgroup) {
		char env[4096];

		snprintf(env, sizeof(env), "%s/env", cgroup);
		if (local_cgroup_move(env, 0))
			cgroup = NULL;
	}
	e = sb.task_root ? spawn_sandboxed(argv[2], &sb, &bootstrap, step, sizeof(step))
			 : spawn_bootstrap(argv[2], &bootstrap);
	if (cgroup)
		local_cgroup_move(cgroup, 0);
	if (e) {
		answer("error", e, step);
		return 127;
	}
	answer("pid", bootstrap, NULL);
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
