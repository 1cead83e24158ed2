/* libFuzzer: the AWS shared config and credentials files. */
#include <stdint.h>

#include "aws/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aws_profiles p = { 0 };
	struct error err = ERROR_INIT;

	aws_profiles_parse(&p, (const char *)data, size, "config", size % 2, &err);
	aws_profile_get(&p, "default", "region", NULL);
	aws_profile_exists(&p, "dev");
	aws_sso_session_get(&p, "s", "sso_region");
	aws_profiles_release(&p);
	error_release(&err);
	return 0;
}
