/* libFuzzer: the blambda.yml loader (libyaml and blambda's key table, functions: included). */
#include <stdint.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	struct error err = ERROR_INIT;

	config_init(&cfg);
	if (!config_read_text(&cfg, "blambda.yml", (const char *)data, size, &err) && cfg.nfns) {
		struct config view;

		config_for_function(&cfg, cfg.nfns - 1, &view);
		config_release(&view);
	}
	config_finish(&cfg, &err);
	config_release(&cfg);
	error_release(&err);
	return 0;
}
