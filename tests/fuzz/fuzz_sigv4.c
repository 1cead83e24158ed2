/* libFuzzer: SigV4's canonical request from hostile paths, queries and headers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the input is split at NULs: method, path, query, then header name/value pairs */
	char *text = malloc(size + 1), *parts[16];
	size_t n = 0;
	struct sigv4_request req = { 0 };
	struct buf canon = BUF_INIT, names = BUF_INIT, authz = BUF_INIT;
	struct sigv4_key key = { "AKIDEXAMPLE", "secret", NULL };

	memcpy(text, data, size);
	text[size] = '\0';
	parts[n++] = text;
	for (size_t i = 0; i < size && n < 16; i++)
		if (!text[i])
			parts[n++] = text + i + 1;
	req.method = parts[0];
	req.path = n > 1 ? parts[1] : "/";
	req.query = n > 2 ? parts[2] : NULL;
	req.payload_hash = SIGV4_UNSIGNED_PAYLOAD;
	req.s3 = size % 2;
	kvlist_add(&req.headers, "Host", "example.amazonaws.com");
	for (size_t i = 3; i + 1 < n; i += 2)
		kvlist_add(&req.headers, parts[i], parts[i + 1]);
	sigv4_canonical_request(&req, &canon, &names);
	sigv4_sign(&req, &key, "us-east-1", "service", 1440938160, &authz);
	kvlist_clear(&req.headers);
	buf_release(&canon);
	buf_release(&names);
	buf_release(&authz);
	free(text);
	return 0;
}
