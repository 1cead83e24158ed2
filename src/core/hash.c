#include "core/hash.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

void hex_encode(const unsigned char *bytes, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * len] = '\0';
}

void sha256(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
	unsigned int n = SHA256_LEN;

	if (!EVP_Digest(data, len, out, &n, EVP_sha256(), NULL))
		abort();
}

void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1])
{
	unsigned char d[SHA256_LEN];

	sha256(data, len, d);
	hex_encode(d, SHA256_LEN, out);
}

void hmac_sha256(const void *key, size_t keylen, const void *data, size_t len, unsigned char out[SHA256_LEN])
{
	unsigned int n = SHA256_LEN;

	if (!HMAC(EVP_sha256(), key, (int)keylen, data, len, out, &n))
		abort();
}

struct sha256_stream {
	EVP_MD_CTX *ctx;
};

struct sha256_stream *sha256_stream_new(void)
{
	struct sha256_stream *s = xmalloc(sizeof(*s));

	s->ctx = EVP_MD_CTX_new();
	if (!s->ctx || !EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL))
		abort();
	return s;
}

void sha256_stream_add(struct sha256_stream *s, const void *data, size_t len)
{
	if (len && !EVP_DigestUpdate(s->ctx, data, len))
		abort();
}

void sha256_stream_finish(struct sha256_stream *s, char out[SHA256_HEX_LEN + 1])
{
	unsigned char d[SHA256_LEN];
	unsigned int n = SHA256_LEN;

	if (!EVP_DigestFinal_ex(s->ctx, d, &n))
		abort();
	hex_encode(d, SHA256_LEN, out);
	EVP_MD_CTX_free(s->ctx);
	free(s);
}

int sha256_file_hex(const char *path, char out[SHA256_HEX_LEN + 1])
{
	FILE *f = fopen(path, "rb");
	struct sha256_stream *s;
	char chunk[65536];
	size_t n;
	int err;

	if (!f)
		return -1;
	s = sha256_stream_new();
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sha256_stream_add(s, chunk, n);
	err = ferror(f) ? errno : 0;
	fclose(f);
	sha256_stream_finish(s, out);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

void base64_encode(const void *data, size_t len, struct buf *out)
{
	const unsigned char *p = data;

	/* EVP_EncodeBlock writes no line breaks; 3 KB in, 4 KB out at a time */
	while (len) {
		unsigned char chunk[4097];
		size_t n = len > 3072 ? 3072 : len;
		int w = EVP_EncodeBlock(chunk, p, (int)n);

		buf_add(out, chunk, (size_t)w);
		p += n;
		len -= n;
	}
	if (!out->ptr)
		buf_adds(out, "");
}

int base64_decode(const char *text, size_t len, struct buf *out)
{
	size_t pad = 0;
	int n;

	if (len % 4)
		return -1;
	pad = len && text[len - 1] == '=' ? 1 + (text[len - 2] == '=') : 0;
	/* '=' only as the padding at the end */
	for (size_t i = 0; i < len - pad; i++)
		if (!isalnum((unsigned char)text[i]) && text[i] != '+' && text[i] != '/')
			return -1;
	buf_grow(out, len / 4 * 3 + 1);
	n = EVP_DecodeBlock((unsigned char *)out->ptr + out->len, (const unsigned char *)text, (int)len);
	if (n < 0 || (size_t)n < pad)
		return -1;
	buf_setlen(out, out->len + (size_t)n - pad);
	return 0;
}

int sha256_hex_to_base64(const char *hex, char out[45])
{
	unsigned char bytes[SHA256_LEN];

	if (!hex || strlen(hex) != SHA256_HEX_LEN)
		return -1;
	for (size_t i = 0; i < SHA256_LEN; i++) {
		unsigned v = 0;

		for (int k = 0; k < 2; k++) {
			char c = hex[2 * i + (size_t)k];

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				v |= (unsigned)(c - 'A' + 10);
			else
				return -1;
		}
		bytes[i] = (unsigned char)v;
	}
	EVP_EncodeBlock((unsigned char *)out, bytes, SHA256_LEN);
	return 0;
}
