#ifndef BLAMBDA_CORE_HASH_H
#define BLAMBDA_CORE_HASH_H

#include <stddef.h>

#include "core/buf.h"

/* SHA-256 and HMAC-SHA-256 through OpenSSL's EVP interface. */

#define SHA256_LEN 32
#define SHA256_HEX_LEN 64

void sha256(const void *data, size_t len, unsigned char out[SHA256_LEN]);
/* Lowercase hex of the SHA-256 of data; out holds SHA256_HEX_LEN + 1 bytes. */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1]);
void hmac_sha256(const void *key, size_t keylen, const void *data, size_t len, unsigned char out[SHA256_LEN]);
void hex_encode(const unsigned char *bytes, size_t len, char *out);

/* Base64 (standard alphabet, padded, no line breaks) of len bytes, appended to out. */
void base64_encode(const void *data, size_t len, struct buf *out);
/* Decode standard base64 (padding required, no whitespace) into out; -1 when it is not that. */
int base64_decode(const char *text, size_t len, struct buf *out);
/* The base64 form of a hex SHA-256 (Lambda's CodeSha256) into out (45 bytes); -1 when hex is not a digest. */
int sha256_hex_to_base64(const char *hex, char out[45]);

/* SHA-256 of a file's contents in hex; -1 with errno set when it cannot be read. */
int sha256_file_hex(const char *path, char out[SHA256_HEX_LEN + 1]);

/* Incremental hashing, for data that arrives in pieces (downloads). */
struct sha256_stream;
struct sha256_stream *sha256_stream_new(void);
void sha256_stream_add(struct sha256_stream *s, const void *data, size_t len);
/* Writes the hex digest and frees the stream. */
void sha256_stream_finish(struct sha256_stream *s, char out[SHA256_HEX_LEN + 1]);

#endif
