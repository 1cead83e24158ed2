#define _GNU_SOURCE /* pthread_timedjoin_np */
#include "core/outq.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/xalloc.h"

struct outq {
	int fd;
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct buf queue;
	unsigned long dropped;
	int stop, running;
	pthread_t thread;
};

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* a descriptor that cannot be written: what is queued is lost, not waited on */
		p += w;
		n -= (size_t)w;
	}
}

static void *writer(void *arg)
{
	struct outq *q = arg;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		struct buf out;
		unsigned long dropped;

		while (!q->queue.len && !q->dropped && !q->stop)
			pthread_cond_wait(&q->more, &q->lock);
		if (!q->queue.len && !q->dropped)
			break;
		out = q->queue;
		buf_init(&q->queue);
		dropped = q->dropped;
		q->dropped = 0;
		pthread_mutex_unlock(&q->lock);
		write_all(q->fd, out.ptr, out.len);
		buf_reset(&out);
		if (dropped)
			buf_addf(&out, "blambda: %lu line%s of output dropped: standard error was not being read\n",
				 dropped, dropped == 1 ? "" : "s");
		write_all(q->fd, out.ptr, out.len);
		buf_release(&out);
		pthread_mutex_lock(&q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

struct outq *outq_start(int fd)
{
	struct outq *q = xcalloc(1, sizeof(*q));

	q->fd = fd;
	buf_init(&q->queue);
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->more, NULL);
	q->running = !pthread_create(&q->thread, NULL, writer, q);
	return q;
}

void outq_add(struct outq *q, const char *prefix, const char *text, size_t len, int newline)
{
	pthread_mutex_lock(&q->lock);
	if (q->queue.len > OUTQ_MAX) {
		q->dropped++;
	} else {
		if (prefix)
			buf_addf(&q->queue, "%s | ", prefix);
		buf_add(&q->queue, text, len);
		if (newline)
			buf_addch(&q->queue, '\n');
	}
	if (!q->running) { /* no thread: written here, as a last resort */
		write_all(q->fd, q->queue.ptr, q->queue.len);
		buf_reset(&q->queue);
	}
	pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->lock);
}

void outq_stop(struct outq *q)
{
	struct timespec until;

	pthread_mutex_lock(&q->lock);
	q->stop = 1;
	pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->lock);
	if (q->running) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 2;
		if (pthread_timedjoin_np(q->thread, NULL, &until)) {
			pthread_detach(q->thread);
			return; /* still writing: it keeps the queue, freed by the exit */
		}
	}
	buf_release(&q->queue);
	pthread_cond_destroy(&q->more);
	pthread_mutex_destroy(&q->lock);
	free(q);
}
