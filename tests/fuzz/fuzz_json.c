/* libFuzzer: the JSON check (payloads, events, blambda.yml's inputs) and the reason it gives. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf why = BUF_INIT;
	size_t line, col, line2, col2;
	int plain = json_check((const char *)data, size, &line, &col);
	int told = json_check_why((const char *)data, size, &line2, &col2, &why);

	/* the reason never changes the verdict, nor the place */
	if (plain != told || (told && (line != line2 || col != col2 || !line)))
		abort();
	/* what is accepted, cJSON reads */
	if (!told) {
		cJSON *v = cJSON_ParseWithLength((const char *)data, size);

		if (!v)
			abort();
		cJSON_Delete(v);
	}
	buf_release(&why);
	return 0;
}
