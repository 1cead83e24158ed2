/* libFuzzer: the EDN reader (bb.edn, pod manifests). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "package/edn.h"
#include "cli/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct edn *e;

	msg_set_level(MSG_QUIET - 1);
	memcpy(text, data, size);
	text[size] = '\0';
	e = edn_parse(text, "bb.edn");
	edn_free(e);
	free(text);
	return 0;
}
