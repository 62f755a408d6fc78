/* image_run.c: resolving an image for `sandbox run IMAGE` (see
 * image_run.h). The store is only read here; the overlay itself is mounted
 * by the sandboxed side (rootfs.c, overlay.c). A kept upper lives in the
 * store under containers/NAME, so `--name NAME --keep` survives the run. */
#include "config.h"
#include "image_run.h"
#include "digest.h"
#include "spec.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

static size_t strv_len(char *const *v)
{
	size_t n = 0;
	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

int image_argv(const struct image_config *c, char *const *args, char ***out, sb_error *err)
{
	size_t ne = strv_len(c->entrypoint), na = strv_len(args), nc = strv_len(c->cmd);
	char *const *tail = na > 0 ? args : c->cmd;
	size_t nt = na > 0 ? na : nc;
	char **v;

	if (ne + nt == 0)
		return sb_fail(err, 0, "no command given, and the image has no Cmd or Entrypoint"),
		       sb_hint(err, "sandbox run IMAGE COMMAND [ARG...]");
	v = xcalloc(ne + nt + 1, sizeof(char *));
	for (size_t i = 0; i < ne; i++)
		v[i] = xstrdup(c->entrypoint[i]);
	for (size_t i = 0; i < nt; i++)
		v[ne + i] = xstrdup(tail[i]);
	*out = v;
	return 0;
}

/* --name NAME: the kept upper under containers/NAME, locked for this run
 * so that two sandboxes never share one upper (which overlayfs forbids).
 * With --read-only the kept changes are the top layer, read-only. */
static int prepare_kept(const struct run_spec *spec, const char *store, struct image_run *out,
			sb_error *err)
{
	cleanup_free char *base = xasprintf("%s/containers", store);
	cleanup_free char *dir = xasprintf("%s/%s", base, spec->name);
	cleanup_free char *lock = xasprintf("%s/lock", dir);
	struct stat sb;

	if (!spec->keep && stat(dir, &sb) < 0)
		return 0;   /* nothing kept: an ordinary run */
	if ((mkdir(base, 0700) < 0 && errno != EEXIST) || (mkdir(dir, 0700) < 0 && errno != EEXIST))
		return sb_fail(err, errno, "--name %s: cannot create '%s'", spec->name, dir);
	out->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (out->lock_fd < 0)
		return sb_fail(err, errno, "--name %s: '%s'", spec->name, lock);
	if (flock(out->lock_fd, LOCK_EX | LOCK_NB) < 0)
		return sb_fail(err, errno == EWOULDBLOCK ? 0 : errno,
			       "--name %s: a sandbox of that name is running", spec->name),
		       sb_hint(err, "use another --name, or wait for it to end");
	if (spec->read_only) {
		cleanup_free char *upper = xasprintf("%s/upper", dir);
		if (stat(upper, &sb) == 0) {
			memmove(out->lowers + 1, out->lowers, out->n_lowers * sizeof(char *));
			out->lowers[0] = steal_ptr(&upper);
			out->n_lowers++;
		}
		return 0;
	}
	out->keep_dir = steal_ptr(&dir);
	return 0;
}

int image_run_prepare(const struct run_spec *spec, struct image_run *out, sb_error *err)
{
	struct store st;
	struct stat sb;
	int r = -1;

	memset(out, 0, sizeof(*out));
	out->lock_fd = -1;
	if (store_open(&st, false, err) < 0)
		return -1;
	if (store_image(&st, spec->image, &out->rec, err) < 0)
		goto done;
	/* room for one more: a kept upper on top, read-only */
	out->lowers = xcalloc(out->rec.n_layers + 2, sizeof(char *));
	for (size_t i = 0; i < out->rec.n_layers; i++) {
		/* the record is bottom first; overlay wants the top first */
		const char *id = out->rec.layers[out->rec.n_layers - 1 - i].diffid;
		out->lowers[out->n_lowers++] = xasprintf("%s/layers/%s", st.path, digest_hex(id));
		if (stat(out->lowers[i], &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			sb_fail(err, errno ? errno : ENOTDIR, "image '%s': layer %s", spec->image, id);
			sb_hint(err, "import the image again");
			goto done;
		}
	}
	if (out->n_lowers == 0) {
		sb_fail(err, 0, "image '%s' has no layers", spec->image);
		goto done;
	}
	if (spec->name != NULL && prepare_kept(spec, st.path, out, err) < 0)
		goto done;
	if (image_argv(&out->rec.config, spec->argv, &out->argv, err) < 0)
		goto done;
	r = 0;
done:
	store_close(&st);
	return r;
}

void image_run_free(struct image_run *r)
{
	for (size_t i = 0; i < r->n_lowers; i++)
		free(r->lowers[i]);
	free(r->lowers);
	if (r->argv != NULL)
		for (char **a = r->argv; *a; a++)
			free(*a);
	free(r->argv);
	free(r->keep_dir);
	closep(&r->lock_fd);
	image_record_free(&r->rec);
	memset(r, 0, sizeof(*r));
}
