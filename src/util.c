/* util.c: implementations of the helpers declared in util.h. */
#include "config.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

void sb_oom(void)
{
	static const char msg[] = "sandbox: out of memory\n";
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(SB_EXIT_FAILURE);
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		sb_oom();
	return p;
}

void *xrealloc(void *p, size_t n, size_t size)
{
	void *q = reallocarray(p, n ? n : 1, size ? size : 1);
	if (q == NULL)
		sb_oom();
	return q;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (p == NULL)
		sb_oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		sb_oom();
	return s;
}

int read_file_at(int dirfd, const char *path, char **out, size_t *len, sb_error *err)
{
	cleanup_close int fd = -1;
	cleanup_free char *buf = NULL;
	size_t cap = 4096, used = 0;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sb_fail(err, errno, "open '%s'", path);
	buf = xcalloc(cap, 1);
	for (;;) {
		ssize_t n;
		if (used + 1 >= cap) {
			buf = xrealloc(buf, cap, 2);
			cap *= 2;
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sb_fail(err, errno, "read '%s'", path);
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	if (len != NULL)
		*len = used;
	*out = steal_ptr(&buf);
	return 0;
}

int write_file(const char *path, const char *buf, size_t len, sb_error *err)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return sb_fail(err, errno, "open '%s'", path);
	n = write(fd, buf, len);
	if (n < 0)
		return sb_fail(err, errno, "write '%s'", path);
	if ((size_t)n != len)
		return sb_fail(err, EIO, "short write to '%s'", path);
	return 0;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

bool parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v = 0;

	if (s == NULL || *s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int set_cloexec(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFD);
	if (flags < 0)
		return -1;
	flags = on ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
	return fcntl(fd, F_SETFD, flags);
}
