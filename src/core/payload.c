#include "core/payload.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/json.h"

/* -1 (with err filled) unless text is one JSON value, naming `what` and where the mistake is */
static int check_json(const char *what, const struct buf *text, struct error *err)
{
	size_t line, col;

	if (!text->len)
		return error_set(err, EXIT_USAGE, "%s is empty: the payload must be JSON", what);
	if (json_check(text->ptr, text->len, &line, &col))
		return error_set(err, EXIT_USAGE, "%s is not valid JSON: line %zu, column %zu", what, line, col);
	if (text->len > PAYLOAD_MAX)
		return error_set(err, EXIT_USAGE, "%s is %zu bytes: Lambda takes at most %u", what, text->len, PAYLOAD_MAX);
	return 0;
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
			if (!*event || strchr(event, '/') || event[0] == '.')
				return error_set(err, EXIT_USAGE, "--event takes the name of a file in events/, got '%s'", event);
			buf_addf(&path, "events/%s.json", event);
		} else {
			buf_adds(&path, file);
		}
		if (fs_read_file(path.ptr, out, PAYLOAD_MAX + 1)) {
			error_set(err, EXIT_USAGE, "cannot read '%s': %s", path.ptr,
				  errno == EFBIG ? "it is over Lambda's 6 MB limit for a payload" : strerror(errno));
			if (event)
				error_hint(err, "--event NAME reads events/NAME.json of the project");
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
