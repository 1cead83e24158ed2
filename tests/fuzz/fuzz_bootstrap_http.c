/*
 * libFuzzer: the bootstrap's HTTP response parser (runtime/bootstrap.c, built
 * here for the host), fed the bytes a hostile Runtime API could send.
 */
#define main bootstrap_main
#include "../../runtime/bootstrap.c"
#undef main

#include <sys/mman.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct response r;
	int fd = memfd_create("answer", MFD_CLOEXEC);

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	lseek(fd, 0, SEEK_SET);
	conn.fd = fd;
	conn.start = conn.end = 0;
	/* every answer in the input, as on a kept-alive connection */
	while (conn.fd >= 0 && !read_response(&r)) {
		const char *id = response_header(&r, "lambda-runtime-aws-request-id");

		if (id)
			valid_request_id(id);
		response_free(&r);
	}
	if (conn.fd >= 0)
		close_conn();
	return 0;
}
