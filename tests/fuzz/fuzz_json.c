/* libFuzzer: the JSON checks (payloads, events, blambda.yml's inputs): json_check_why agrees with json_check. */
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

	/* the reason never changes the verdict: what one accepts, so does the other */
	if (plain != told)
		abort();
	if (told && !line2)
		abort();
	buf_release(&why);
	return 0;
}
