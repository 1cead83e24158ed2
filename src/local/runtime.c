#define _GNU_SOURCE /* posix_spawn_file_actions_addchdir_np, pipe2 */
/*
 * The runtime's processes: bootstrap started in a process group of its
 * own against a Runtime API server of its own; a monitor thread that reaps
 * it and follows its memory (and kills it over its limit); a reader thread
 * that turns its output into log lines; and stopping it all again.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "core/clock.h"
#include "core/fs.h"
#include "core/spawn.h"
#include "core/strlist.h"
#include "core/xalloc.h"
#include "local/internal.h"
#include "local/keeper.h"
#include "local/sandbox.h"
#include "local/procs.h"

#define SAMPLE_MS 10    /* how often the memory of the runtime's processes is read */
#define RESCAN_EVERY 25 /* samples between looks for new processes in the group */

void local_runtime_kill(struct local_instance *in)
{
	if (!in->fn)
		return;
	/* at once what blambda knows of; the keeper then finds and kills the rest, and ends */
	if (in->cgroup_on)
		local_cgroup_kill(&in->cgroup); /* all at once, frozen or not */
	if (in->group > 0)
		kill(-in->group, SIGKILL);
	for (size_t i = 0; i < in->nmembers; i++)
		kill(in->members[i], SIGKILL);
	if (!in->exited) { /* once reaped, its pid may be another process's */
		kill(in->pid, SIGCONT); /* the function may have stopped it */
		kill(in->pid, SIGINT);
	}
}

void local_runtime_freeze(struct local_instance *in, int freeze)
{
	int sig = freeze ? SIGSTOP : SIGCONT;

	if (!in->fn || in->exited || in->group <= 0 || in->frozen == freeze)
		return;
	/* the cgroup's freezer: every process at once, none of them told */
	if (in->cgroup_on && !local_cgroup_freeze(&in->cgroup, freeze)) {
		in->frozen = freeze;
		return;
	}
	/* else signals: the runtime's group in one call, and what left it (the monitor's last look) */
	kill(-in->group, sig);
	for (size_t i = 0; i < in->nmembers; i++)
		if (getpgid(in->members[i]) != in->group)
			kill(in->members[i], sig);
	in->frozen = freeze;
}

/*
 * Reaps the runtime's keeper, follows the memory of the environment's
 * processes (every descendant of the keeper), kills them when they use more
 * than they may. The memory is the sum of the resident memory of its processes; with
 * more than bootstrap and bb, their proportional share instead (forked
 * children share pages, which must count once), read less often.
 */
static void *monitor(void *arg)
{
	struct local_instance *in = arg;
	pid_t members[LOCAL_MAX_TRACKED];
	size_t nmembers = 0;
	long limit_kb, pss_kb = 0;
	pid_t pid;

	pthread_mutex_lock(&in->lock);
	pid = in->pid;
	limit_kb = in->fn->memory_mb * 1024;
	pthread_mutex_unlock(&in->lock);
	for (unsigned tick = 0;; tick++) {
		struct timespec nap = { 0, SAMPLE_MS * 1000000L };
		int st;
		long kb = 0;

		if (spawn_wait(pid, &st, WNOHANG) == pid) {
			/*
			 * The keeper ends when bootstrap does, after the rest of the
			 * environment; a keeper killed from outside leaves it behind,
			 * with blambda: what it knew of goes now.
			 */
			pthread_mutex_lock(&in->lock);
			if (in->cgroup_on)
				local_cgroup_kill(&in->cgroup);
			if (in->group > 0)
				kill(-in->group, SIGKILL);
			for (size_t i = 0; i < in->nmembers; i++)
				kill(in->members[i], SIGKILL);
			/* the rest came to blambda: every orphan blambda has is of a keeper that died */
			spawn_kill_adopted();
			in->nmembers = 0;
			in->exited = 1;
			in->wait_status = st;
			pthread_cond_broadcast(&in->cond);
			pthread_mutex_unlock(&in->lock);
			return NULL;
		}
		if (tick % RESCAN_EVERY == 0 || !nmembers)
			nmembers = local_procs_members(pid, members, LOCAL_MAX_TRACKED);
		if (tick % RESCAN_EVERY == 0)
			spawn_reap_adopted(); /* what the runtime left behind and has ended since */
		if (nmembers <= 2) {
			for (size_t i = 0; i < nmembers; i++)
				kb += local_procs_kb(members[i], LOCAL_MEM_RSS);
		} else {
			if (tick % 5 == 0 || !pss_kb) {
				pss_kb = 0;
				for (size_t i = 0; i < nmembers; i++)
					pss_kb += local_procs_kb(members[i], LOCAL_MEM_PSS);
			}
			kb = pss_kb;
		}
		pthread_mutex_lock(&in->lock);
		memcpy(in->members, members, nmembers * sizeof(*members));
		in->nmembers = nmembers;
		if (in->frozen && !in->cgroup_on && tick % RESCAN_EVERY == 0) {
			/* what left the group since the last look, or was let go by a process outside it, stops too */
			in->frozen = 0;
			local_runtime_freeze(in, 1);
		}
		if (kb > in->peak_kb)
			in->peak_kb = kb;
		if (in->peak_kb > limit_kb && !in->oom) {
			in->oom = 1;
			local_runtime_kill(in);
			pthread_cond_broadcast(&in->cond);
		}
		pthread_mutex_unlock(&in->lock);
		nanosleep(&nap, NULL);
	}
}

/*
 * The peak of the runtime's processes by the kernel's high-water marks, more
 * exact than sampling; the processes as the monitor found them (a walk of
 * /proc for every invocation would cost more than the invocation).
 */
long local_runtime_hwm_kb(const struct local_instance *in)
{
	long kb = 0;

	/* with forked children the marks count shared pages twice: the sampled share stands */
	if (in->nmembers > 2)
		return 0;
	for (size_t i = 0; i < in->nmembers; i++)
		kb += local_procs_kb(in->members[i], LOCAL_MEM_HWM);
	return kb;
}

/* forwards the runtime's output, a line at a time */
static void *log_reader(void *arg)
{
	struct local_instance *in = arg;
	struct buf line = BUF_INIT;
	char chunk[8192];
	int fd;

	pthread_mutex_lock(&in->lock);
	fd = in->log_fd;
	pthread_mutex_unlock(&in->lock);

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		int stop;
		ssize_t n;

		pthread_mutex_lock(&in->lock);
		stop = in->stop_threads;
		pthread_mutex_unlock(&in->lock);
		if (stop)
			break;
		if (poll(&p, 1, 50) <= 0)
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		pthread_mutex_lock(&in->lock);
		in->reader_busy = 1;
		for (ssize_t i = 0; i < n; i++) {
			if (chunk[i] == '\n') {
				local_instance_emit(in, line.ptr, line.len);
				buf_reset(&line);
			} else if (line.len < 256 * 1024) {
				buf_addch(&line, chunk[i]);
			}
		}
		in->reader_busy = 0;
		pthread_mutex_unlock(&in->lock);
	}
	pthread_mutex_lock(&in->lock);
	if (line.len)
		local_instance_emit(in, line.ptr, line.len);
	in->log_eof = 1;
	pthread_cond_broadcast(&in->cond);
	pthread_mutex_unlock(&in->lock);
	buf_release(&line);
	return NULL;
}

static void env_add(struct strlist *env, const char *k, const char *v)
{
	strlist_add_owned(env, buf_fmt("%s=%s", k, v));
}

static int env_has(const struct strlist *env, const char *k)
{
	size_t klen = strlen(k);

	for (size_t i = 0; i < env->nr; i++)
		if (!strncmp(env->items[i], k, klen) && env->items[i][klen] == '=')
			return 1;
	return 0;
}

/*
 * What Lambda sets that a function may set otherwise (function.environment
 * wins): PATH (with the directory of the bb run here at its end, for the
 * runtime to start), LANG and LD_LIBRARY_PATH (the task root and the
 * layers' lib/, as /var/task and /opt are in Lambda).
 */
static void lambda_defaults(const struct local_fn *fn, const char *root, struct strlist *env)
{
	static const char lambda_path[] = "/usr/local/bin:/usr/bin/:/bin:/opt/bin";
	const char *slash = strrchr(fn->bb, '/');
	char *path;

	if (!env_has(env, "PATH")) {
		path = slash && slash != fn->bb ? buf_fmt("%s:%.*s", lambda_path, (int)(slash - fn->bb), fn->bb)
						 : xstrdup(lambda_path);
		env_add(env, "PATH", path);
		free(path);
	}
	if (!env_has(env, "LANG"))
		env_add(env, "LANG", "en_US.UTF-8");
	if (!env_has(env, "LD_LIBRARY_PATH")) {
		if (fn->sandbox)
			path = xstrdup("/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:"
				       "/var/task/lib:/opt/lib");
		else
			path = buf_fmt("/lib64:/usr/lib64:%s:%s/lib:%s/lib", root, root, fn->opt_dir);
		env_add(env, "LD_LIBRARY_PATH", path);
		free(path);
	}
}

/*
 * The runtime's environment, as Lambda sets it: its own names first, then
 * fn's (configured variables, credentials), where Lambda's are not set
 * already (Lambda reserves them). NULL-terminated, for posix_spawn.
 */
static void runtime_environ(const struct local_fn *fn, const char *root, unsigned api_port, struct strlist *env)
{
	char date[16], hex[33], stream[64], api[32], mem[32];
	time_t now = time(NULL);
	struct tm tm;
	char *group = buf_fmt("/aws/lambda/%s", fn->name);

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y/%m/%d", &tm);
	local_random_hex(hex, 16);
	snprintf(stream, sizeof(stream), "%s/[$LATEST]%s", date, hex);
	snprintf(api, sizeof(api), "127.0.0.1:%u", api_port);
	snprintf(mem, sizeof(mem), "%ld", fn->memory_mb);
	env_add(env, "_HANDLER", fn->handler);
	env_add(env, "LAMBDA_TASK_ROOT", fn->sandbox ? LOCAL_SANDBOX_TASK : root);
	env_add(env, "LAMBDA_RUNTIME_DIR", fn->sandbox ? LOCAL_SANDBOX_RUNTIME : fn->opt_dir);
	env_add(env, "AWS_LAMBDA_RUNTIME_API", api);
	env_add(env, "AWS_LAMBDA_FUNCTION_NAME", fn->name);
	env_add(env, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", mem);
	env_add(env, "AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
	env_add(env, "AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
	env_add(env, "AWS_REGION", fn->region);
	env_add(env, "AWS_DEFAULT_REGION", fn->region);
	env_add(env, "AWS_LAMBDA_LOG_GROUP_NAME", group);
	env_add(env, "AWS_LAMBDA_LOG_STREAM_NAME", stream);
	if (!kvlist_get(&fn->env, "TZ")) /* Lambda's default; TZ is not reserved, so function.environment's wins */
		env_add(env, "TZ", ":UTC");
	env_add(env, "BLAMBDA_BB", fn->bb);
	free(group);
	for (size_t i = 0; i < fn->env.nr; i++)
		if (!env_has(env, fn->env.items[i].key))
			env_add(env, fn->env.items[i].key, fn->env.items[i].value);
	lambda_defaults(fn, root, env);
	strlist_add_owned(env, NULL); /* the NULL that ends environ */
	env->nr--;
}

/*
 * Run fn's bootstrap under a keeper (local/keeper.h), blambda run again, in
 * a process group of its own and in fn's task root, its output into
 * out_fd, with every signal at its default and none blocked; its answer
 * pipe on fd 3. 0 or an errno.
 */
static int spawn_keeper(const struct local_fn *fn, const char *root, const char *cgroup, char **envp, int out_fd,
			int answer_fd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	char parent[24], tmp_mb[24];
	struct strlist argv = STRLIST_INIT;
	int e;

	snprintf(parent, sizeof(parent), "%ld", (long)getpid());
	snprintf(tmp_mb, sizeof(tmp_mb), "%ld", fn->tmp_mb);
	strlist_add(&argv, LOCAL_KEEPER_NAME);
	strlist_add(&argv, parent);
	if (fn->sandbox) {
		strlist_add(&argv, LOCAL_SANDBOX_OPT "/bootstrap");
		strlist_add(&argv, cgroup ? cgroup : "-");
		strlist_add(&argv, "--sandbox");
		strlist_add(&argv, fn->task_root);
		strlist_add(&argv, fn->opt_dir);
		strlist_add(&argv, tmp_mb);
		strlist_add_all(&argv, &fn->keep);
	} else {
		strlist_add_owned(&argv, buf_fmt("%s/bootstrap", fn->opt_dir));
		strlist_add(&argv, cgroup ? cgroup : "-");
	}
	strlist_add_owned(&argv, NULL); /* the NULL that ends argv */
	argv.nr--;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 2);
	posix_spawn_file_actions_adddup2(&fa, answer_fd, 3);
	posix_spawn_file_actions_addchdir_np(&fa, root);
	spawn_attr_own_group(&attr);
	e = spawn_child(pid, "/proc/self/exe", 0, &fa, &attr, argv.items, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	strlist_clear(&argv);
	return e;
}

/*
 * The keeper's answer: bootstrap's pid, or -1 with the errno it could not be
 * run for (EPROTO when the keeper said nothing sensible in 10 s) and what
 * failed, when the keeper said (making the sandbox).
 */
static pid_t keeper_answer(int fd, int *e, struct buf *step)
{
	char text[640];
	size_t len = 0;
	long n;
	int at = 0;

	while (len < sizeof(text) - 1) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t got;

		if (poll(&p, 1, 10000) <= 0)
			break;
		got = read(fd, text + len, sizeof(text) - 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	text[len] = '\0';
	text[strcspn(text, "\n")] = '\0';
	if (sscanf(text, "pid %ld", &n) == 1 && n > 1)
		return (pid_t)n;
	if (sscanf(text, "error %ld %n", &n, &at) >= 1 && n > 0) {
		*e = (int)n;
		if (at > 0)
			buf_add_printable(step, text + at, strlen(text + at), 0);
	} else {
		*e = EPROTO;
	}
	return -1;
}

/* Stop the Runtime API server of a runtime that did not start; called locked, unlocks meanwhile. */
static void drop_api(struct local_instance *in)
{
	struct httpd *api = in->api;

	in->gen++;
	in->api = NULL;
	pthread_mutex_unlock(&in->lock);
	httpd_stop(api);
	pthread_mutex_lock(&in->lock);
	free(in->api_ctx);
	in->api_ctx = NULL;
}

/* A fresh runtime's state in the instance, its threads started. Called locked. */
static void runtime_started(struct local_instance *in, struct local_fn *fn, pid_t keeper, pid_t group, int log_fd)
{
	in->fn = local_fn_ref(fn);
	in->pid = keeper;
	in->group = group;
	in->frozen = 0;
	in->exited = in->oom = in->log_eof = in->stop_threads = 0;
	in->wait_status = 0;
	in->log_fd = log_fd;
	in->spawned_at = clock_seconds();
	in->ready_at = 0;
	in->init_reported = 0;
	in->init_error_posted = 0;
	buf_reset(&in->init_error);
	in->peak_kb = 0;
	in->nmembers = 0;
	in->at_next = 0;
	pthread_create(&in->monitor_thread, NULL, monitor, in);
	pthread_create(&in->log_thread, NULL, log_reader, in);
}

static void task_copy_drop(struct local_instance *in);

/*
 * Outside the sandbox, the task root the runtime gets is a copy of fn's,
 * its files read-only, in target/local/ beside the /opt directory: what the
 * function writes there is thrown away with the environment, never written
 * into the project's source (and so into the next zip). Called locked.
 */
static const char *task_copy(struct local_instance *in, const struct local_fn *fn, struct error *err)
{
	const char *slash = strrchr(fn->opt_dir, '/');
	char *dir = buf_fmt("%.*s/task-XXXXXX", (int)(slash ? slash - fn->opt_dir : 0), fn->opt_dir);

	if (!mkdtemp(dir)) {
		error_set(err, EXIT_FAIL, "cannot make a directory for the task root: %s", strerror(errno));
		free(dir);
		return NULL;
	}
	chmod(dir, 0755); /* mkdtemp makes it 0700 */
	fs_temp_register_tree(dir);
	in->task_copy = dir;
	if (fs_copy_tree(fn->task_root, dir, 1, err)) {
		error_prefix(err, "cannot copy the task root");
		task_copy_drop(in);
		return NULL;
	}
	return dir;
}

static void task_copy_drop(struct local_instance *in)
{
	if (!in->task_copy)
		return;
	fs_remove_tree(in->task_copy, NULL);
	fs_temp_unregister(in->task_copy);
	free(in->task_copy);
	in->task_copy = NULL;
}

int local_runtime_start(struct local_instance *in, struct local_fn *fn, struct error *err)
{
	struct strlist env = STRLIST_INIT;
	struct buf step = BUF_INIT;
	const char *root;
	int pfd[2], afd[2], e;
	pid_t pid, group = -1;

	if (access(fn->task_root, X_OK)) {
		error_set(err, EXIT_FAIL, "cannot use the task root '%s': %s", fn->task_root, strerror(errno));
		return -1;
	}
	if (pipe2(pfd, O_CLOEXEC)) {
		error_set(err, EXIT_FAIL, "cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	if (pipe2(afd, O_CLOEXEC)) {
		error_set(err, EXIT_FAIL, "cannot make a pipe: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	in->gen++;
	in->api_ctx = xcalloc(1, sizeof(*in->api_ctx));
	in->api_ctx->in = in;
	in->api_ctx->gen = in->gen;
	/* no idle limit: a runtime's connection rests while its handler works */
	in->api = httpd_start(0, LOCAL_MAX_RESPONSE, 0, local_runtime_api, in->api_ctx, err);
	if (!in->api) {
		free(in->api_ctx);
		in->api_ctx = NULL;
		close(pfd[0]);
		close(pfd[1]);
		close(afd[0]);
		close(afd[1]);
		return -1;
	}
	root = fn->sandbox ? fn->task_root : task_copy(in, fn, err);
	if (!root) {
		close(pfd[0]);
		close(pfd[1]);
		close(afd[0]);
		close(afd[1]);
		drop_api(in);
		return -1;
	}
	runtime_environ(fn, root, httpd_port(in->api), &env);
	local_cgroup_make(&in->cgroup); /* where none can be made, signals freeze */
	e = spawn_keeper(fn, root, in->cgroup.dir, env.items, pfd[1], afd[1], &pid);
	close(pfd[1]);
	close(afd[1]);
	for (size_t i = 0; i < env.nr; i++) /* credentials are in there */
		OPENSSL_cleanse(env.items[i], strlen(env.items[i]));
	strlist_clear(&env);
	if (!e && (group = keeper_answer(afd[0], &e, &step)) < 0) {
		kill(pid, SIGINT);
		spawn_wait(pid, NULL, 0);
	}
	close(afd[0]);
	if (e) {
		if (step.len) {
			if (e == ENOTSUP) /* a refusal of the sandbox's own: the step says why */
				error_set(err, EXIT_FAIL, "cannot make Lambda's file system: %s", step.ptr);
			else
				error_set(err, EXIT_FAIL, "cannot make Lambda's file system: %s: %s", step.ptr, strerror(e));
			error_hint(err, "--no-sandbox runs the function in this machine's file system");
		} else {
			error_set(err, EXIT_FAIL, "cannot run '%s/bootstrap': %s", fn->opt_dir, strerror(e));
		}
		buf_release(&step);
		close(pfd[0]);
		drop_api(in);
		task_copy_drop(in);
		local_cgroup_remove(&in->cgroup);
		return -1;
	}
	runtime_started(in, fn, pid, group, pfd[0]);
	in->cgroup_on = local_cgroup_has(&in->cgroup, group);
	{
		/* Lambda's first line of an environment: provided.al2023 is "provided:al2023"; no version here */
		const char *dot = strchr(fn->runtime ? fn->runtime : "", '.');

		if (dot)
			local_instance_emitf(in, "INIT_START Runtime Version: %.*s:%s.local", (int)(dot - fn->runtime),
					     fn->runtime, dot + 1);
		else
			local_instance_emitf(in, "INIT_START Runtime Version: %s.local", fn->runtime ? fn->runtime : "provided");
	}
	return 0;
}

void local_runtime_stop(struct local_instance *in, int grace_ms)
{
	pid_t pid = in->pid;
	struct httpd *api = in->api;
	struct api_ctx *ctx = in->api_ctx;

	if (!in->fn)
		return;
	in->gen++; /* a /next of this runtime now gets nothing */
	pthread_cond_broadcast(&in->cond);
	if (!in->exited && grace_ms > 0 && in->group > 0)
		kill(-in->group, SIGTERM); /* before the thaw: a frozen runtime sees it first, not the 410 its GET /next now gets */
	local_runtime_freeze(in, 0);
	if (!in->exited) {
		/* what left the runtime's process group would outlive it: those go first, at once */
		in->nmembers = local_procs_members(pid, in->members, LOCAL_MAX_TRACKED);
		for (size_t i = 0; i < in->nmembers; i++)
			if (getpgid(in->members[i]) != in->group)
				kill(in->members[i], SIGKILL);
	}
	if (!in->exited && grace_ms > 0) {
		kill(pid, SIGCONT); /* the function may have stopped its keeper */
		for (int waited = 0; !in->exited && waited < grace_ms; waited += 10) {
			pthread_mutex_unlock(&in->lock);
			usleep(10000);
			pthread_mutex_lock(&in->lock);
		}
	}
	if (!in->exited)
		local_runtime_kill(in);
	/* a keeper that does not end (the function may have stopped it again): killed, and its orphans with it */
	for (int waited = 0; !in->exited && waited < 2000; waited += 10) {
		pthread_mutex_unlock(&in->lock);
		usleep(10000);
		pthread_mutex_lock(&in->lock);
	}
	if (!in->exited)
		kill(pid, SIGKILL);
	pthread_mutex_unlock(&in->lock);
	pthread_join(in->monitor_thread, NULL);
	pthread_mutex_lock(&in->lock);
	in->stop_threads = 1;
	pthread_mutex_unlock(&in->lock);
	pthread_join(in->log_thread, NULL);
	httpd_stop(api);
	free(ctx);
	pthread_mutex_lock(&in->lock);
	close(in->log_fd);
	in->log_fd = -1;
	in->api = NULL;
	in->api_ctx = NULL;
	local_fn_unref(in->fn);
	in->fn = NULL;
	in->pid = 0;
	in->group = 0;
	task_copy_drop(in);
	local_cgroup_remove(&in->cgroup);
	in->cgroup_on = 0;
}
