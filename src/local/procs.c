#include "local/procs.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/xalloc.h"

void local_procs_adopt_orphans(void)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1);
}

/* The parent of process `name` (a /proc entry), or -1. */
static long parent_of(const char *name)
{
	char path[300], text[512], *paren;
	long ppid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/stat", name);
	if (!(f = fopen(path, "re")))
		return -1;
	/* the command name may hold spaces and ')': the fields follow the last ')' */
	if (!fgets(text, sizeof(text), f) || !(paren = strrchr(text, ')')) || sscanf(paren + 1, " %*c %ld", &ppid) != 1)
		ppid = -1;
	fclose(f);
	return ppid;
}

void local_procs_end_orphans(void)
{
	pid_t self = getpid();
	DIR *d = opendir("/proc");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]) || parent_of(e->d_name) != self)
			continue;
		kill((pid_t)atol(e->d_name), SIGKILL);
		waitpid((pid_t)atol(e->d_name), NULL, 0);
	}
	if (d)
		closedir(d);
}

long local_procs_kb(pid_t pid, enum local_mem_kind kind)
{
	static const char *const files[] = { "statm", "status", "smaps_rollup" };
	char path[64], text[4096];
	const char *field;
	long pages = 0;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, files[kind]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	if (kind == LOCAL_MEM_RSS)
		return sscanf(text, "%*d %ld", &pages) == 1 ? pages * (sysconf(_SC_PAGESIZE) / 1024) : 0;
	field = strstr(text, kind == LOCAL_MEM_HWM ? "\nVmHWM:" : "\nPss:");
	return field ? strtol(strchr(field, ':') + 1, NULL, 10) : 0;
}

size_t local_procs_members(pid_t root, pid_t *out, size_t max)
{
	struct proc { pid_t pid, ppid; } *all = NULL;
	size_t n = 0, alloc = 0, found = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[300], text[1024], *close_paren;
		long ppid;
		int fd;
		ssize_t len;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, text, sizeof(text) - 1);
		close(fd);
		if (len <= 0)
			continue;
		text[len] = '\0';
		/* pid (comm) state ppid ...: comm may hold anything, so from its last ')' */
		close_paren = strrchr(text, ')');
		if (!close_paren || sscanf(close_paren + 1, " %*c %ld", &ppid) != 1)
			continue;
		XGROW(all, alloc, n + 1);
		all[n].pid = (pid_t)atol(e->d_name);
		all[n].ppid = (pid_t)ppid;
		n++;
	}
	closedir(d);
	/* breadth first: the children of root, then theirs (bounded by max, whatever the snapshot holds) */
	for (size_t k = 0; k <= found && found < max; k++) {
		pid_t parent = k == 0 ? root : out[k - 1];

		for (size_t i = 0; i < n && found < max; i++)
			if (all[i].ppid == parent)
				out[found++] = all[i].pid;
	}
	free(all);
	return found;
}
