/* libFuzzer: the new-function template renderer's {{variable}} substitution. */
#include <stdint.h>

#include "package/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvlist vars = KVLIST_INIT;
	struct buf out = BUF_INIT;
	struct error err = ERROR_INIT;

	kvlist_set(&vars, "name", "hello");
	kvlist_set(&vars, "ns", "hello");
	kvlist_set(&vars, "file", "hello");
	template_substitute("README.md", (const char *)data, size, &vars, &out, &err);
	buf_release(&out);
	error_release(&err);
	kvlist_clear(&vars);
	return 0;
}
