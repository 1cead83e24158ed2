/* libFuzzer: the EDN reader (bb.edn, pod manifests). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "package/edn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct error err = ERROR_INIT;
	struct edn *e;

	memcpy(text, data, size);
	text[size] = '\0';
	e = edn_parse(text, "bb.edn", &err);
	edn_free(e);
	error_release(&err);
	free(text);
	return 0;
}
