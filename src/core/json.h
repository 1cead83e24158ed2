#ifndef BLAMBDA_CORE_JSON_H
#define BLAMBDA_CORE_JSON_H

#include <cjson/cJSON.h>

/* Print a --json answer on stdout, one document, and free it. */
void json_print(cJSON *root);

#endif
