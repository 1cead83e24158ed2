#include "local/procs.h"

#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

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
