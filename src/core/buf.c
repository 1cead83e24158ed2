#include "core/buf.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

void buf_init_secret(struct buf *b)
{
	struct buf init = BUF_SECRET;
	*b = init;
}

void buf_grow(struct buf *b, size_t extra)
{
	size_t want;
	char *p;

	if (b->len + extra + 1 <= b->cap)
		return;
	if (extra > ((size_t)-1) / 2 - b->len)
		xmalloc((size_t)-1); /* reports out of memory */
	want = b->cap ? b->cap : 64;
	while (want < b->len + extra + 1)
		want *= 2;
	if (!b->secret) {
		b->ptr = xrealloc(b->ptr, want);
	} else {
		/* realloc could leave a copy behind: move by hand and wipe the old block */
		p = xmalloc(want);
		if (b->ptr) {
			memcpy(p, b->ptr, b->len + 1);
			OPENSSL_cleanse(b->ptr, b->cap);
			free(b->ptr);
		}
		b->ptr = p;
	}
	if (!b->cap)
		b->ptr[0] = '\0';
	b->cap = want;
}

void buf_add(struct buf *b, const void *data, size_t len)
{
	buf_grow(b, len);
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_add_zeros(struct buf *b, size_t n)
{
	buf_grow(b, n);
	memset(b->ptr + b->len, 0, n);
	buf_setlen(b, b->len + n);
}

void buf_addch(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void buf_setlen(struct buf *b, size_t len)
{
	if (!b->ptr) {
		if (len == 0)
			return;
		buf_grow(b, len);
	}
	if (len > b->len)
		buf_grow(b, len - b->len);
	b->len = len;
	b->ptr[len] = '\0';
}

void buf_reset(struct buf *b)
{
	if (b->ptr && b->secret)
		OPENSSL_cleanse(b->ptr, b->cap);
	buf_setlen(b, 0);
}

void buf_release(struct buf *b)
{
	if (b->ptr) {
		if (b->secret)
			OPENSSL_cleanse(b->ptr, b->cap);
		free(b->ptr);
	}
	b->ptr = NULL;
	b->len = b->cap = 0;
}

char *buf_detach(struct buf *b)
{
	char *s = b->ptr ? b->ptr : xstrdup("");

	b->ptr = NULL;
	b->len = b->cap = 0;
	return s;
}

const char *buf_cstr(const struct buf *b)
{
	return b->ptr ? b->ptr : "";
}

char *buf_fmt(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return buf_detach(&b);
}

void buf_add_printable(struct buf *b, const char *s, size_t len, int keep_lines)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9f) {
			buf_addch(b, '?'); /* a C1 control, CSI (U+009B) among them */
			i++;
		} else if ((c < 0x20 && c != '\t' && !(keep_lines && c == '\n')) || c == 0x7f) {
			buf_addch(b, '?');
		} else {
			buf_addch(b, (char)c);
		}
	}
	if (!b->ptr)
		buf_adds(b, "");
}
