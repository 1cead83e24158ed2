#include <cjson/cJSON.h>
#include <openssl/opensslv.h>
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>
#include <zip.h>

#include "cli/msg.h"
#include "cli/term.h"
#include "cmd/cmd.h"
#include "core/curl_lazy.h"
#include "core/json.h"

static int exec_version(struct args *args, struct config *cfg)
{
	const struct curl_api *api = NULL;
	const char *curl_version = "not loaded";
	struct error err = ERROR_INIT;
	char cjson[32];

	(void)cfg;
	if (args_flag(args, GLOBAL_JSON) || msg_level() >= MSG_VERBOSE) {
		api = curl_api(&err);
		if (api)
			curl_version = api->version_info(CURLVERSION_NOW)->version;
		error_release(&err); /* a version without libcurl says "not loaded" */
	}
	snprintf(cjson, sizeof(cjson), "%d.%d.%d", CJSON_VERSION_MAJOR, CJSON_VERSION_MINOR, CJSON_VERSION_PATCH);
	if (args_flag(args, GLOBAL_JSON)) {
		cJSON *root = cJSON_CreateObject(), *libs = cJSON_CreateObject();
		cJSON_AddStringToObject(root, "version", BLAMBDA_VERSION);
		cJSON_AddStringToObject(libs, "libcurl", curl_version);
		cJSON_AddStringToObject(libs, "openssl", OPENSSL_VERSION_STR);
		cJSON_AddStringToObject(libs, "libzip", zip_libzip_version());
		cJSON_AddStringToObject(libs, "libyaml", yaml_get_version_string());
		cJSON_AddStringToObject(libs, "cjson", cjson);
		cJSON_AddItemToObject(root, "libraries", libs);
		json_print(root);
		return 0;
	}
	printf("blambda %s\n", BLAMBDA_VERSION);
	if (msg_level() >= MSG_VERBOSE)
		printf("libcurl %s\nopenssl %s\nlibzip %s\nlibyaml %s\ncjson %s\n", curl_version,
		       OPENSSL_VERSION_STR, zip_libzip_version(), yaml_get_version_string(), cjson);
	return 0;
}

const struct command cmd_version = {
	.name = "version",
	.summary = "print blambda's version",
	.usage = "",
	.description = "Prints the version of blambda. With -v, also the versions of the libraries it was "
		       "built with; with --json, both as a JSON object.",
	.pos = POS_NONE,
	.max_pos = 0,
	.examples = "blambda version -v\tshow the library versions too",
	.exec = exec_version,
};
