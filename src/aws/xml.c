#include "aws/xml.h"

#include <stdlib.h>
#include <string.h>

static void add_decoded(struct buf *out, const char *s, size_t len)
{
	static const struct { const char *name; char c; } ents[] = {
		{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' }, { "&quot;", '"' }, { "&apos;", '\'' },
	};

	for (size_t i = 0; i < len; i++) {
		int done = 0;

		if (s[i] == '&') {
			for (size_t k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
				size_t n = strlen(ents[k].name);

				if (i + n <= len && !strncmp(s + i, ents[k].name, n)) {
					buf_addch(out, ents[k].c);
					i += n - 1;
					done = 1;
					break;
				}
			}
			if (!done && i + 2 < len && s[i + 1] == '#') {
				char *end;
				long cp = s[i + 2] == 'x' ? strtol(s + i + 3, &end, 16) : strtol(s + i + 2, &end, 10);

				if (*end == ';' && cp > 0 && cp < 128) {
					buf_addch(out, (char)cp);
					i = (size_t)(end - s);
					done = 1;
				}
			}
		}
		if (!done)
			buf_addch(out, s[i]);
	}
}

const char *xml_text(const char *from, const char *tag, struct buf *out)
{
	size_t tl = strlen(tag);
	const char *p = from;

	while ((p = strchr(p, '<'))) {
		const char *open = p + 1, *end;

		p++;
		if (strncmp(open, tag, tl) || (open[tl] != '>' && open[tl] != ' ' && open[tl] != '/'))
			continue;
		if (open[tl] == '/') /* <Tag/> */
			return open + tl + 2;
		open = strchr(open, '>');
		if (!open)
			return NULL;
		open++;
		end = strstr(open, "</");
		while (end && (strncmp(end + 2, tag, tl) || end[2 + tl] != '>'))
			end = strstr(end + 2, "</");
		if (!end)
			return NULL;
		add_decoded(out, open, (size_t)(end - open));
		return end + tl + 3;
	}
	return NULL;
}
