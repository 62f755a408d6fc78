/* runtime.c: choice of the runtime base directory (see runtime.h). A systemd
 * user session provides XDG_RUNTIME_DIR; machines without one (containers,
 * CI, cron) get a private directory in /tmp that is verified, not trusted. */
#include "config.h"
#include "runtime.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

static bool private_dir_ok(const char *p)
{
	struct stat st;
	return p != NULL && p[0] == '/' && lstat(p, &st) == 0 && S_ISDIR(st.st_mode) &&
	       st.st_uid == geteuid() && (st.st_mode & 077) == 0 && access(p, W_OK) == 0;
}

int runtime_base(char **out, const char **why, sb_error *err)
{
	const char *x = getenv("XDG_RUNTIME_DIR");
	cleanup_free char *run = xasprintf("/run/user/%u", (unsigned)geteuid());
	cleanup_free char *tmp = xasprintf("/tmp/sandbox-%u", (unsigned)geteuid());
	struct stat st;

	if (private_dir_ok(x)) {
		*out = xstrdup(x);
		*why = "$XDG_RUNTIME_DIR";
		return 0;
	}
	if (private_dir_ok(run)) {
		*out = steal_ptr(&run);
		*why = x ? "$XDG_RUNTIME_DIR is unusable; the user's /run/user directory"
			 : "$XDG_RUNTIME_DIR is unset; the user's /run/user directory";
		return 0;
	}
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
		return sb_fail(err, errno, "create runtime directory '%s'", tmp);
	if (lstat(tmp, &st) < 0)
		return sb_fail(err, errno, "stat '%s'", tmp);
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0)
		return sb_fail(err, 0, "runtime directory '%s' is not a private directory of yours", tmp),
		       sb_hint(err, "remove it, or set XDG_RUNTIME_DIR");
	*out = steal_ptr(&tmp);
	*why = "no usable $XDG_RUNTIME_DIR or /run/user directory; a private directory in /tmp";
	return 0;
}

int runtime_dir(char **out, sb_error *err)
{
	cleanup_free char *base = NULL, *dir = NULL;
	const char *why;
	struct stat st;

	if (runtime_base(&base, &why, err) < 0 || base == NULL)
		return -1;
	if (strncmp(base, "/tmp/sandbox-", 13) == 0) {
		*out = steal_ptr(&base);
		return 0;
	}
	dir = xasprintf("%s/sandbox", base);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return sb_fail(err, errno, "create runtime directory '%s'", dir);
	if (lstat(dir, &st) < 0)
		return sb_fail(err, errno, "stat '%s'", dir);
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0)
		return sb_fail(err, 0, "runtime directory '%s' is not a private directory of yours", dir);
	*out = steal_ptr(&dir);
	return 0;
}
