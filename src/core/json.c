#include "core/json.h"

#include <stdio.h>
#include <stdlib.h>

void json_print(cJSON *root)
{
	char *text = cJSON_Print(root);

	if (text)
		puts(text);
	free(text);
	cJSON_Delete(root);
}
