/* overlay.c: mounting the kernel overlay (see overlay.h). The new mount API
 * (fsopen/fsconfig/fsmount/move_mount) is tried first; its "lowerdir+" key
 * takes one layer per call, so only the kernel's own stack limit (500
 * layers) holds. Older kernels get the classic mount(2) option string,
 * which must fit in a page. */
#include "config.h"
#include "overlay.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>

#define OPTS_MAX 4000

static int new_api(const char *target, char *const *lowers, size_t n, const char *upper,
		   const char *work, sb_error *err)
{
	cleanup_close int fs = fsopen("overlay", FSOPEN_CLOEXEC);
	cleanup_close int mnt = -1;

	if (fs < 0)
		return errno == ENOSYS ? 1 : sb_fail(err, errno, "fsopen overlay");
	for (size_t i = 0; i < n; i++) {
		if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", lowers[i], 0) < 0) {
			if (i == 0 && errno == EINVAL)
				return 1;   /* no "lowerdir+": before Linux 6.8 */
			if (errno == EINVAL)   /* past the kernel's stack limit */
				return sb_fail(err, errno, "the kernel overlay stacks only %zu of "
					       "the %zu layers", i, n),
				       sb_hint(err, "--overlay fuse or auto takes any number");
			return sb_fail(err, errno, "overlay layer '%s'", lowers[i]);
		}
	}
	if (upper != NULL &&
	    (fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0 ||
	     fsconfig(fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0))
		return sb_fail(err, errno, "overlay upper '%s'", upper);
	if (fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0)
		return sb_fail(err, errno, "overlay option userxattr");
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return sb_fail(err, errno, "create the overlay");
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		return sb_fail(err, errno, "fsmount the overlay");
	if (move_mount(mnt, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return sb_fail(err, errno, "attach the overlay");
	return 0;
}

/* The longest directory prefix all lowers share ("/a/b/"), or "". */
static size_t common_dir(char *const *lowers, size_t n)
{
	size_t len = strlen(lowers[0]);

	for (size_t i = 1; i < n; i++) {
		size_t k = 0;
		while (k < len && lowers[i][k] == lowers[0][k])
			k++;
		len = k;
	}
	while (len > 0 && lowers[0][len - 1] != '/')
		len--;
	return len;
}

static int classic(const char *target, char *const *lowers, size_t n, const char *upper,
		   const char *work, sb_error *err)
{
	cleanup_free char *opts = NULL;
	size_t cap = 64 + (upper ? strlen(upper) + strlen(work) : 0), off, skip = 0;
	cleanup_close int cwd = -1;
	int r;

	for (size_t i = 0; i < n; i++)
		cap += strlen(lowers[i]) + 1;
	if (cap > OPTS_MAX) {
		/* relative names from the layers' directory */
		skip = common_dir(lowers, n);
		cap -= skip * n;
	}
	if (cap > OPTS_MAX)
		return sb_fail(err, E2BIG, "%zu layers do not fit in one overlay mount on this kernel", n),
		       sb_hint(err, "Linux 6.8 or later takes any number");
	opts = xcalloc(cap, 1);
	off = (size_t)snprintf(opts, cap, "lowerdir=");
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(opts + off, cap - off, "%s%s", i ? ":" : "", lowers[i] + skip);
	if (upper != NULL)
		off += (size_t)snprintf(opts + off, cap - off, ",upperdir=%s,workdir=%s", upper, work);
	snprintf(opts + off, cap - off, ",userxattr");
	if (skip > 0) {
		cleanup_free char *dir = strndup(lowers[0], skip);
		cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dir == NULL)
			sb_oom();
		if (cwd < 0 || chdir(dir) < 0)
			return sb_fail(err, errno, "chdir '%s'", dir);
	}
	r = mount("overlay", target, "overlay", 0, opts);
	if (r < 0)
		r = sb_fail(err, errno, "mount the overlay");
	if (cwd >= 0 && fchdir(cwd) < 0)
		return sb_fail(err, errno, "fchdir");
	return r;
}

int overlay_mount(const char *target, char *const *lowers, size_t n, const char *upper,
		  const char *work, sb_error *err)
{
	int r = new_api(target, lowers, n, upper, work, err);

	if (r <= 0)
		return r;
	return classic(target, lowers, n, upper, work, err);
}
