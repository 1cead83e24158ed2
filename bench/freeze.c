/*
 * The cost of freezing and thawing an environment as `blambda local` does
 * between invocations, two processes (bootstrap and bb) waiting in a read:
 * by signals, SIGSTOP to their process group until both are stopped, then
 * SIGCONT until both run again; by a cgroup (v2) of their own, "1" to its
 * cgroup.freeze until cgroup.events says frozen, then "0" until it says
 * thawed.
 *
 *   freeze ROUNDS           the microseconds of one freeze and thaw by signals
 *   freeze ROUNDS cgroup    the same by the cgroup's freezer ("-" where no
 *                           cgroup v2 can be made here)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* a cgroup of this process's own (v2) into dir: 0, or -1 where none can be made */
static int make_cgroup(char *dir, size_t n)
{
	char line[4096], mount[4096] = "", path[4096] = "";
	FILE *f = fopen("/proc/self/mountinfo", "r");

	while (f && !*mount && fgets(line, sizeof(line), f)) {
		char root[4096], point[4096];
		const char *dash = strstr(line, " - ");

		if (dash && !strncmp(dash + 3, "cgroup2 ", 8) &&
		    sscanf(line, "%*s %*s %*s %4095s %4095s", root, point) == 2 && !strcmp(root, "/"))
			snprintf(mount, sizeof(mount), "%s", point);
	}
	if (f)
		fclose(f);
	f = fopen("/proc/self/cgroup", "r");
	while (f && !*path && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(path, sizeof(path), "%s", strcmp(line + 3, "/") ? line + 3 : "");
		}
	if (f)
		fclose(f);
	if (!*mount)
		return -1;
	snprintf(dir, n, "%s%s/blambda-bench-%ld", mount, path, (long)getpid());
	return mkdir(dir, 0755);
}

static int put(const char *dir, const char *name, const char *text)
{
	char path[8400];
	int fd, r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY)) < 0)
		return -1;
	r = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
	close(fd);
	return r;
}

/* until cgroup.events says "frozen WANT" */
static void until_frozen(const char *dir, int want)
{
	char path[8400], text[256], needle[16];

	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	snprintf(needle, sizeof(needle), "frozen %d", want);
	for (;;) {
		int fd = open(path, O_RDONLY);
		ssize_t got = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);

		if (fd >= 0)
			close(fd);
		if (got < 0)
			return;
		text[got] = '\0';
		if (strstr(text, needle))
			return;
	}
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 10000, p[2];
	pid_t kids[2];
	double start;

	if (pipe(p))
		return 1;
	for (int i = 0; i < 2; i++) {
		char c;

		if ((kids[i] = fork()) == 0) {
			if (read(p[0], &c, 1) < 0)
				return 1;
			return 0;
		}
		setpgid(kids[i], kids[0]);
	}
	if (argc > 2 && !strcmp(argv[2], "cgroup")) {
		char dir[8300], pid[24];

		if (make_cgroup(dir, sizeof(dir))) {
			printf("-\n");
			kill(-kids[0], SIGKILL);
			while (wait(NULL) > 0)
				;
			return 0;
		}
		for (int i = 0; i < 2; i++) {
			snprintf(pid, sizeof(pid), "%ld", (long)kids[i]);
			put(dir, "cgroup.procs", pid);
		}
		start = now();
		for (int r = 0; r < rounds; r++) {
			put(dir, "cgroup.freeze", "1");
			until_frozen(dir, 1);
			put(dir, "cgroup.freeze", "0");
			until_frozen(dir, 0);
		}
		printf("%.1f\n", (now() - start) * 1e6 / rounds);
		kill(-kids[0], SIGKILL);
		while (wait(NULL) > 0)
			;
		rmdir(dir);
		return 0;
	}
	start = now();
	for (int r = 0; r < rounds; r++) {
		siginfo_t si;

		kill(-kids[0], SIGSTOP);
		for (int i = 0; i < 2; i++)
			waitid(P_PID, (id_t)kids[i], &si, WSTOPPED);
		kill(-kids[0], SIGCONT);
		for (int i = 0; i < 2; i++)
			waitid(P_PID, (id_t)kids[i], &si, WCONTINUED);
	}
	printf("%.1f\n", (now() - start) * 1e6 / rounds);
	kill(-kids[0], SIGKILL);
	while (wait(NULL) > 0)
		;
	return 0;
}
