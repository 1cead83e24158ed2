#include "core/payload.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/json.h"
#include "core/strlist.h"
#include "core/xalloc.h"

/* -1 (with err filled) unless text is one JSON value, naming `what` and where the mistake is */
static int check_json(const char *what, const struct buf *text, struct error *err)
{
	struct buf why = BUF_INIT;
	size_t line, col;

	if (!text->len)
		return error_set(err, EXIT_USAGE, "%s is empty: the payload must be JSON", what);
	if (json_check_why(text->ptr, text->len, &line, &col, &why)) {
		error_set(err, EXIT_USAGE, "%s is not valid JSON: line %zu, column %zu%s%s", what, line, col,
			  why.len ? ": " : "", why.len ? why.ptr : "");
		buf_release(&why);
		return -1;
	}
	buf_release(&why);
	if (text->len > PAYLOAD_MAX)
		return error_set(err, EXIT_USAGE, "%s is %zu bytes: Lambda takes at most %u", what, text->len, PAYLOAD_MAX);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names --event takes here (events/NAME.json), sorted, in the hint */
static void hint_events(struct error *err)
{
	struct strlist names = STRLIST_INIT;
	struct buf shown = BUF_INIT;
	DIR *d = opendir("events");
	struct dirent *e;

	while (d && (e = readdir(d)) && names.nr < 50) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] != '.' && len > 5 && !strcmp(e->d_name + len - 5, ".json"))
			strlist_add_owned(&names, xstrndup(e->d_name, len - 5));
	}
	if (d)
		closedir(d);
	if (names.nr > 1)
		qsort(names.items, names.nr, sizeof(*names.items), by_name);
	for (size_t i = 0; i < names.nr; i++)
		buf_addf(&shown, "%s%s", i ? ", " : "", names.items[i]);
	if (names.nr)
		error_hint(err, "--event NAME reads events/NAME.json (or give a path); here there are: %s", shown.ptr);
	else
		error_hint(err, "--event NAME reads events/NAME.json of the project (or give a path), and there is none here");
	strlist_clear(&names);
	buf_release(&shown);
}

/*
 * The file --event reads: a path as it is (it holds a '/', or names a .json
 * file that is there), else the project's events/EVENT.json
 */
static void event_path(const char *event, struct buf *path)
{
	size_t len = strlen(event);

	if (strchr(event, '/') || (len > 5 && !strcmp(event + len - 5, ".json") && !access(event, F_OK)))
		buf_adds(path, event);
	else if (len > 5 && !strcmp(event + len - 5, ".json"))
		buf_addf(path, "events/%s", event);
	else
		buf_addf(path, "events/%s.json", event);
}

int payload_load(const char *json, const char *file, const char *event, struct buf *out, struct error *err)
{
	struct buf what = BUF_INIT, path = BUF_INIT;
	int r = -1;

	if (!!json + !!file + !!event > 1)
		return error_set(err, EXIT_USAGE, "give one of --payload, --payload-file and --event");
	if (json) {
		buf_adds(out, json);
		buf_adds(&what, "--payload");
	} else if (file && !strcmp(file, "-")) {
		char chunk[65536];
		ssize_t n;

		while ((n = read(0, chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR)) {
			if (n > 0)
				buf_add(out, chunk, (size_t)n);
			if (out->len > PAYLOAD_MAX)
				return error_set(err, EXIT_USAGE, "the payload on standard input is over %u bytes: Lambda takes "
						    "at most that", PAYLOAD_MAX);
		}
		if (n < 0)
			return error_set(err, EXIT_FAIL, "cannot read the payload from standard input: %s", strerror(errno));
		buf_adds(&what, "the payload on standard input");
	} else if (file || event) {
		if (event) {
			if (!*event)
				return error_set(err, EXIT_USAGE, "--event takes the name of an event in events/ or a path, "
							  "got ''");
			event_path(event, &path);
		} else {
			buf_adds(&path, file);
		}
		if (fs_read_file(path.ptr, out, PAYLOAD_MAX + 1)) {
			error_set(err, EXIT_USAGE, "cannot read '%s': %s", path.ptr,
				  errno == EFBIG ? "it is over Lambda's 6 MB limit for a payload" : strerror(errno));
			if (event)
				hint_events(err);
			goto out;
		}
		buf_addf(&what, "'%s'", path.ptr);
	} else {
		buf_adds(out, "{}");
		buf_adds(&what, "the payload");
	}
	r = check_json(what.ptr, out, err);
out:
	buf_release(&what);
	buf_release(&path);
	return r;
}
