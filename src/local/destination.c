#include "local/destination.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/events.h"
#include "aws/lambda.h"
#include "aws/s3.h"
#include "aws/sns.h"
#include "aws/sqs.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "local/internal.h"

/* room for the rest of an EventBridge entry (its source, detail-type, bus and resources) */
#define ENTRY_ROOM 1024

/*
 * JSON as it came, compacted (its strings byte for byte: a \u0000 stays,
 * which a parse would cut); text that is not JSON as a string.
 */
static cJSON *json_value(const char *text, size_t len)
{
	struct buf compact = BUF_INIT;
	size_t line, column;
	cJSON *v;

	if (!len || json_check(text, len, &line, &column))
		return json_text(text, len);
	json_compact(text, len, &compact);
	v = cJSON_CreateRaw(compact.ptr);
	buf_release(&compact);
	return v;
}

char *local_destination_record(const struct local_record *r, int no_payloads)
{
	cJSON *rec = cJSON_CreateObject(), *rc = cJSON_CreateObject();
	struct buf stamp = BUF_INIT;
	char *text;
	int ok = !strcmp(r->condition, "Success");

	clock_iso8601_ms(r->at_ms, &stamp);
	cJSON_AddStringToObject(rec, "version", "1.0");
	cJSON_AddStringToObject(rec, "timestamp", stamp.ptr);
	cJSON_AddStringToObject(rc, "requestId", r->request_id);
	cJSON_AddStringToObject(rc, "functionArn", r->function_arn);
	cJSON_AddStringToObject(rc, "condition", r->condition);
	cJSON_AddNumberToObject(rc, "approximateInvokeCount", (double)r->invokes);
	cJSON_AddItemToObject(rec, "requestContext", rc);
	if (!no_payloads)
		cJSON_AddItemToObject(rec, "requestPayload", json_value(r->payload, r->payload_len));
	if (r->res) {
		cJSON *resp = cJSON_CreateObject();

		cJSON_AddNumberToObject(resp, "statusCode", 200);
		cJSON_AddStringToObject(resp, "executedVersion", "$LATEST");
		if (!ok)
			cJSON_AddStringToObject(resp, "functionError", "Unhandled");
		cJSON_AddItemToObject(rec, "responseContext", resp);
		if (!no_payloads)
			cJSON_AddItemToObject(rec, "responsePayload",
					      json_value(r->res->payload.ptr, r->res->payload.len));
	}
	text = cJSON_PrintUnformatted(rec);
	cJSON_Delete(rec);
	buf_release(&stamp);
	return text;
}

void local_delivery_release(struct local_delivery *d)
{
	free(d->receipt);
	memset(d, 0, sizeof(*d));
}

/* Where Lambda puts a failed invocation's record in a bucket: aws/lambda/async/NAME/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-UUID */
static void bucket_key(const char *function_name, struct buf *key)
{
	time_t now = time(NULL);
	struct tm tm;
	char day[16], stamp[32], id[37];

	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y/%m/%d", &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H.%M.%S", &tm);
	local_request_id(id);
	buf_addf(key, "aws/lambda/async/%s/%s/%s-%s", function_name, day, stamp, id);
}

static int send_event(struct aws *a, const char *region, const char *arn, const struct local_record *r,
		      const char *text, char **id, struct error *err)
{
	struct events_entry e = { arn, "lambda", NULL, text, STRLIST_INIT };
	int rc;

	e.detail_type = !strcmp(r->condition, "Success") ? "Lambda Function Invocation Result - Success" :
							     "Lambda Function Invocation Result - Failure";
	strlist_add(&e.resources, arn);
	strlist_add(&e.resources, r->function_arn);
	rc = events_put_event(a, region, &e, id, err);
	strlist_clear(&e.resources);
	return rc;
}

static int send_invoke(struct aws *a, const char *region, const char *arn, const char *text, char **id,
		       struct error *err)
{
	struct lambda_invoke_request req = { region, arn, NULL, "Event", 0, text, strlen(text) };
	struct lambda_invocation out;
	int rc = lambda_invoke(a, &req, &out, err);

	if (!rc)
		*id = xstrdup(out.request_id ? out.request_id : "");
	lambda_invocation_release(&out);
	return rc;
}

int local_destination_send(struct aws *a, const char *arn, const char *region, const char *function_name,
			   const struct local_record *r, struct local_delivery *out, struct error *err)
{
	struct buf service = BUF_INIT, dest_region = BUF_INIT, resource = BUF_INIT, key = BUF_INIT;
	char *text = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	/* what blambda.yml's check lets through, and nothing else: each part goes into a host, a path or a body */
	if (config_check_destination(strcmp(r->condition, "Success") ? "on-failure" : "on-success", arn, &key) ||
	    aws_arn_field(arn, 2, &service) || aws_arn_field(arn, 3, &dest_region) || aws_arn_field(arn, 5, &resource)) {
		error_set(err, EXIT_FAIL, "%s", key.len ? key.ptr : "not an ARN");
		goto out;
	}
	if (dest_region.len)
		region = dest_region.ptr;
	text = local_destination_record(r, 0);
	/* as Lambda sends a record too large for the destination (a bucket takes any) */
	if (strcmp(service.ptr, "s3") &&
	    strlen(text) > LOCAL_DESTINATION_MAX - (strcmp(service.ptr, "events") ? 0 : ENTRY_ROOM)) {
		free(text);
		text = local_destination_record(r, 1);
		out->trimmed = 1;
	}
	if (!strcmp(service.ptr, "sqs")) {
		rc = sqs_send_message(a, region, arn, text, &out->receipt, err);
	} else if (!strcmp(service.ptr, "sns")) {
		rc = sns_publish(a, region, arn, text, &out->receipt, err);
	} else if (!strcmp(service.ptr, "events")) {
		rc = send_event(a, region, arn, r, text, &out->receipt, err);
	} else if (!strcmp(service.ptr, "lambda")) {
		rc = send_invoke(a, region, arn, text, &out->receipt, err);
	} else if (!strcmp(service.ptr, "s3") && strcmp(r->condition, "Success")) {
		bucket_key(function_name, &key);
		rc = s3_put_data(a, region, resource.ptr, key.ptr, "application/json", text, strlen(text), err);
		if (!rc)
			out->receipt = buf_detach(&key);
	} else {
		error_set(err, EXIT_FAIL, "Lambda sends no %s record to '%s'",
			  strcmp(r->condition, "Success") ? "on-failure" : "on-success", arn);
	}
out:
	free(text);
	buf_release(&service);
	buf_release(&dest_region);
	buf_release(&resource);
	buf_release(&key);
	return rc;
}
