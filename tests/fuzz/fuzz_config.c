/* libFuzzer: the blambda.yml loader (libyaml and blambda's key table, functions: included). */
#include <stdint.h>

#include "config/config.h"
#include "cli/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;

	msg_set_level(MSG_QUIET - 1);
	config_init(&cfg);
	if (!config_read_text(&cfg, "blambda.yml", (const char *)data, size) && cfg.nfns) {
		struct config view;

		config_for_function(&cfg, cfg.nfns - 1, &view);
		config_release(&view);
	}
	config_finish(&cfg);
	config_release(&cfg);
	return 0;
}
