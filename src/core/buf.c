#include "core/buf.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

/*
 * What every buffer points at before its first addition: an empty string that
 * is never written (nothing writes through a buffer with no capacity) and
 * never freed. So `b.ptr` is always a string, as with git's strbuf_slopbuf.
 */
char buf_slopbuf[1];

void buf_init(struct buf *b)
{
	struct buf init = BUF_INIT;
	*b = init;
}

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
	if (!b->cap) {
		p = xmalloc(want); /* b->ptr is the shared empty string (or NULL in zeroed memory) */
		p[0] = '\0';
	} else if (!b->secret) {
		p = xrealloc(b->ptr, want);
	} else {
		/* realloc could leave a copy behind: move by hand and wipe the old block */
		p = xmalloc(want);
		memcpy(p, b->ptr, b->len + 1);
		OPENSSL_cleanse(b->ptr, b->cap);
		free(b->ptr);
	}
	b->ptr = p;
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
	if (len > b->len)
		buf_grow(b, len - b->len);
	if (!b->cap)
		return; /* len is 0: the shared empty string stays as it is */
	b->len = len;
	b->ptr[len] = '\0';
}

void buf_reset(struct buf *b)
{
	if (b->cap && b->secret)
		OPENSSL_cleanse(b->ptr, b->cap);
	buf_setlen(b, 0);
}

void buf_release(struct buf *b)
{
	if (b->cap) {
		if (b->secret)
			OPENSSL_cleanse(b->ptr, b->cap);
		free(b->ptr);
	}
	b->ptr = buf_slopbuf;
	b->len = b->cap = 0;
}

char *buf_detach(struct buf *b)
{
	char *s = b->cap ? b->ptr : xstrdup("");

	b->ptr = buf_slopbuf;
	b->len = b->cap = 0;
	return s;
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

/* The length of the well-formed UTF-8 sequence at s[0..len) and its code point in *cp; 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *s, size_t len, unsigned *cp)
{
	size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	unsigned c = s[0] & (0x7f >> n);

	if (s[0] < 0xc2 || s[0] > 0xf4 || len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0; /* overlong, out of range, or a surrogate */
	*cp = c;
	return n;
}

void buf_add_printable(struct buf *b, const char *s, size_t len, int keep_lines)
{
	const unsigned char *u = (const unsigned char *)s;

	buf_grow(b, len);
	for (size_t i = 0; i < len; i++) {
		unsigned cp;
		size_t n;

		if (u[i] < 0x80) {
			int control = (u[i] < 0x20 && u[i] != '\t' && !(keep_lines && u[i] == '\n')) || u[i] == 0x7f;

			buf_addch(b, control ? '?' : (char)u[i]);
		} else if (!(n = utf8_sequence(u + i, len - i, &cp))) {
			buf_addch(b, '?'); /* a byte that is not UTF-8: a raw 0x9b is CSI to some terminals */
		} else if (cp <= 0x9f || (cp >= 0x200e && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
			   (cp >= 0x2066 && cp <= 0x2069)) {
			buf_addch(b, '?'); /* a C1 control; a bidirectional control, which would disguise the text */
			i += n - 1;
		} else {
			buf_add(b, s + i, n);
			i += n - 1;
		}
	}
}
