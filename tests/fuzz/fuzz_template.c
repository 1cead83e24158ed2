/* libFuzzer: the new-function template renderer's {{variable}} substitution. */
#include <stdint.h>

#include "cli/msg.h"
#include "package/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvlist vars = KVLIST_INIT;
	struct buf out = BUF_INIT;

	msg_set_level(MSG_QUIET - 1);
	kvlist_set(&vars, "name", "hello");
	kvlist_set(&vars, "ns", "hello");
	kvlist_set(&vars, "file", "hello");
	template_substitute("README.md", (const char *)data, size, &vars, &out);
	buf_release(&out);
	kvlist_clear(&vars);
	return 0;
}
