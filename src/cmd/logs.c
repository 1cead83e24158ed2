#define _GNU_SOURCE /* strptime, timegm */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws/logs.h"
#include "cli/msg.h"
#include "cmd/cmd.h"
#include "cmd/setup.h"
#include "core/clock.h"
#include "core/strlist.h"
#include "core/wait.h"
#include "core/xalloc.h"

/* the options, in the order of the table at the end */
enum { LOGS_OPT_SINCE, LOGS_OPT_FOLLOW, OPTS__N };

#define POLL_S 2.0 /* between two looks for new events with --follow */

/*
 * --since: "90s", "10m", "2h", "7d" ago, or a UTC time "2026-11-28T09:30:00Z"
 * (or a date "2026-11-28"). The start in ms since the epoch; -1 when it is
 * none of these.
 */
static long long parse_since(const char *s, long long now_ms)
{
	struct tm tm = { 0 };
	char *end;
	const char *rest;
	long long n;

	if (isdigit((unsigned char)*s)) {
		n = strtoll(s, &end, 10);
		if (end != s && end[0] && !end[1] && n >= 0 && n < 100000000) {
			long long unit = end[0] == 's' ? 1 : end[0] == 'm' ? 60 : end[0] == 'h' ? 3600 : end[0] == 'd' ? 86400 : 0;

			if (unit)
				return now_ms - n * unit * 1000;
		}
	}
	if ((rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) && (!strcmp(rest, "Z") || !*rest))
		return (long long)timegm(&tm) * 1000;
	memset(&tm, 0, sizeof(tm));
	if ((rest = strptime(s, "%Y-%m-%d", &tm)) && !*rest)
		return (long long)timegm(&tm) * 1000;
	return -1;
}

/* One event: "TIME STREAM MESSAGE" (control characters shown as '?' on a terminal), or one JSON line. */
static void print_event(const struct logs_event *e, int json, int tty)
{
	struct buf when = BUF_INIT;
	size_t len = strlen(e->message);

	clock_iso8601_ms(e->timestamp, &when);
	while (len && (e->message[len - 1] == '\n' || e->message[len - 1] == '\r'))
		len--;
	if (json) {
		cJSON *o = cJSON_CreateObject();
		char *text, *msg = xstrndup(e->message, len);

		cJSON_AddNumberToObject(o, "timestamp", (double)e->timestamp);
		cJSON_AddStringToObject(o, "time", when.ptr);
		cJSON_AddStringToObject(o, "stream", e->stream ? e->stream : "");
		cJSON_AddStringToObject(o, "message", msg);
		cJSON_AddStringToObject(o, "id", e->id ? e->id : "");
		text = cJSON_PrintUnformatted(o);
		puts(text);
		free(text);
		free(msg);
		cJSON_Delete(o);
		buf_release(&when);
		return;
	}
	{
		struct buf line = BUF_INIT;
		const char *stream = e->stream ? e->stream : "-";

		/* a log line may hold anything: on a terminal, no escape sequence of it takes effect */
		buf_addf(&line, "%s ", when.ptr);
		if (tty) {
			buf_add_printable(&line, stream, strlen(stream), 0);
			buf_addch(&line, ' ');
			buf_add_printable(&line, e->message, len, 1);
		} else {
			buf_addf(&line, "%s %.*s", stream, (int)len, e->message);
		}
		puts(line.ptr);
		buf_release(&line);
	}
	buf_release(&when);
}

static int exec_logs(struct args *args, struct config *cfg)
{
	const char *since = args_str(args, LOGS_OPT_SINCE);
	int follow = args_flag(args, LOGS_OPT_FOLLOW), json = args_flag(args, GLOBAL_JSON), tty = isatty(STDOUT_FILENO);
	long long start = parse_since(since ? since : "10m", clock_epoch_ms());
	struct logs_cursor cur = LOGS_CURSOR_INIT(start);
	struct aws a;
	struct error err = ERROR_INIT;
	const char *region;
	char *group = NULL, *name;
	int r = EXIT_OK, said_missing = 0;

	if (start < 0)
		return error_exit(EXIT_USAGE, "--since takes a duration such as 10m, 2h or 1d, or a UTC time such as "
				  "2026-11-28T09:30:00Z, got '%s'", since);
	if (!(name = config_one_function(cfg, args->pos.nr ? args->pos.items[0] : NULL, "logs", &err)))
		return error_print_release(&err);
	group = buf_fmt("/aws/lambda/%s", name);
	free(name);
	if (cmd_aws_init(&a, cfg, &err) || aws_region(&a, &region, &err)) {
		r = error_print_release(&err);
		goto out;
	}
	for (;;) {
		struct logs_events ev = { 0 };
		int got = logs_filter_events(&a, NULL, group, cur.start_ms, &ev, &err);

		if (got == 1 && error_is(&err, "ResourceNotFoundException")) {
			if (!said_missing)
				info("The log group '%s' does not exist yet: the function has not logged anything%s", group,
				     follow ? "; waiting for it" : "");
			said_missing = 1;
			error_release(&err);
		} else if (got) {
			error_prefix(&err, "cannot read the log group '%s'", group);
			r = error_print_release(&err);
		} else {
			logs_cursor_advance(&cur, &ev);
			for (size_t i = 0; i < ev.nr; i++)
				print_event(&ev.items[i], json, tty);
		}
		logs_events_release(&ev);
		if (!follow || r)
			break;
		fflush(stdout);
		wait_sleep(POLL_S);
	}
out:
	aws_release(&a);
	free(group);
	logs_cursor_release(&cur);
	return r;
}

static const struct opt opts[OPTS__N + 1] = {
	[LOGS_OPT_SINCE] = OPT_STRING('s', "since", "WHEN", "from this long ago (30s, 10m, 2h, 1d) or this UTC time "
				  "(2026-11-28T09:30:00Z); default 10m"),
	[LOGS_OPT_FOLLOW] = OPT_BOOL('f', "follow", "keep printing new events until interrupted"),
	[OPTS__N] = OPT_END,
};

const struct command cmd_logs = {
	.name = "logs",
	.summary = "print the function's CloudWatch logs",
	.usage = "[NAME]",
	.description =
		"Reads the function's log group (/aws/lambda/NAME) with FilterLogEvents, every page, and prints "
		"its events oldest first, one a line: the time (UTC), the log stream and the message. With "
		"--follow it keeps looking every 2 seconds and prints each new event once, until interrupted "
		"(Ctrl-C); an event that reaches CloudWatch late, with a time older than one already printed, is "
		"not printed then. With --json each event is one JSON object on its own line: timestamp (ms), time, "
		"stream, message and id.\n\n"
		"A log group that does not exist yet (the function has not run, or not logged) is said so, "
		"and is not an error; --follow waits for it. On a terminal, control characters in messages are "
		"shown as '?'.",
	.opts = opts,
	.nopts = OPTS__N,
	.pos = POS_FUNCTION,
	.max_pos = 1,
	.flags = CMD_CONFIG,
	.examples = "blambda logs\tthe last 10 minutes of the project's function\n"
		    "blambda logs --since 2h --follow\tthe last two hours, then new events as they come\n"
		    "blambda logs worker --json | jq .message\tone JSON object an event",
	.exec = exec_logs,
};
