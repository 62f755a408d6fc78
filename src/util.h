/* util.h: small helpers every file uses: cleanup attributes for fds, memory,
 * FILE* and DIR*, allocation that cannot fail silently, whole-file read and
 * write, number parsing and monotonic time. */
#ifndef SB_UTIL_H
#define SB_UTIL_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "error.h"

void sb_oom(void) __attribute__((noreturn));
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}
static inline void fclosep(FILE **f)
{
	if (*f != NULL)
		fclose(*f);
}
static inline void closedirp(DIR **d)
{
	if (*d != NULL)
		closedir(*d);
}
#define cleanup_free __attribute__((cleanup(freep)))
#define cleanup_close __attribute__((cleanup(closep)))
#define cleanup_fclose __attribute__((cleanup(fclosep)))
#define cleanup_dir __attribute__((cleanup(closedirp)))

/* Hand a cleanup-managed value over to someone else. */
static inline int steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}
#define steal_ptr(p) ({ __typeof__(*(p)) _v = *(p); *(p) = NULL; _v; })

/* Read a whole (small) file; *out is NUL-terminated. */
int read_file_at(int dirfd, const char *path, char **out, size_t *len, sb_error *err);
/* Write all of buf to path (O_WRONLY, no create) with one write(2). */
int write_file(const char *path, const char *buf, size_t len, sb_error *err);
/* write(2) until done or error, retrying on EINTR. */
int write_all(int fd, const void *buf, size_t len);
/* read(2) retrying on EINTR and short reads until len or EOF; returns bytes. */
ssize_t read_all(int fd, void *buf, size_t len);

/* Parse a whole decimal unsigned number; false on garbage or overflow. */
bool parse_u32(const char *s, uint32_t *out);

/* Nanoseconds on CLOCK_MONOTONIC. */
uint64_t now_ns(void);

/* Set FD_CLOEXEC off or on. */
int set_cloexec(int fd, bool on);

#endif
