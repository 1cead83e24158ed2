#ifndef BLAMBDA_CORE_BUF_H
#define BLAMBDA_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable byte buffer, always NUL-terminated: `ptr` is never NULL, and
 * until the first addition it is a shared empty string (buf_slopbuf) that
 * must not be written or freed. A buffer in memory that was zeroed rather
 * than set with BUF_INIT or buf_init() is an error, not an empty buffer. A
 * buffer marked secret (buf_init_secret / BUF_SECRET) is wiped
 * with OPENSSL_cleanse whenever its memory is released or moved, so keys and
 * tokens never linger in freed memory.
 */
struct buf {
	char *ptr;
	size_t len;
	size_t cap;
	unsigned secret : 1;
};

extern char buf_slopbuf[];
#define BUF_INIT { buf_slopbuf, 0, 0, 0 }
#define BUF_SECRET { buf_slopbuf, 0, 0, 1 }

void buf_init(struct buf *b);
void buf_init_secret(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addch(struct buf *b, char c);
/* Append n zero bytes (a sparse file's hole). */
void buf_add_zeros(struct buf *b, size_t n);
/*
 * Append s[0..len) with what could steer a terminal shown as '?': control
 * characters (C0 but tab, and line breaks unless keep_lines; DEL; C1, as
 * UTF-8 or as a raw byte), the bidirectional controls that reorder what is
 * shown, and every byte that is not well-formed UTF-8. The
 * one filter for text from outside (AWS's answers, logs, a runtime's error)
 * on its way to a screen.
 */
void buf_add_printable(struct buf *b, const char *s, size_t len, int keep_lines);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void buf_setlen(struct buf *b, size_t len);
void buf_reset(struct buf *b);
/* Free the memory (wiping it first when secret) and return to the empty state (secret kept). */
void buf_release(struct buf *b);
/* A new string formatted as by printf (caller frees). */
char *buf_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Hand the string to the caller (never NULL; caller frees) and reset the buffer. */
char *buf_detach(struct buf *b);

#endif
