/* source.c: from SOURCE arguments to an import plan (see source.h). The
 * JSON documents are checked against the digests that name them (an OCI
 * blob's file name, a docker config's file name) before they are trusted;
 * the layers are checked later, while they are read (import.c). */
#include "config.h"
#include "source.h"
#include "imgname.h"
#include "manifest.h"
#include "util.h"

#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#define INDEX_DEPTH 4

const char *source_format_name(enum source_format f)
{
	switch (f) {
	case SOURCE_DOCKER:
		return "docker-archive";
	case SOURCE_OCI:
		return "oci-layout";
	default:
		return "tarballs";
	}
}

static struct plan_layer *add_layer(struct import_plan *p, char *where)
{
	struct plan_layer *l;

	p->layers = xrealloc(p->layers, p->n_layers + 1, sizeof(*p->layers));
	l = &p->layers[p->n_layers];
	memset(l, 0, sizeof(*l));
	l->where = where;
	l->blob_size = -1;
	l->fd = -1;
	l->first = p->n_layers;
	for (size_t j = 0; j < p->n_layers; j++) {
		if (strcmp(p->layers[j].where, where) == 0) {
			l->first = j;
			break;
		}
	}
	p->n_layers++;
	return l;
}

/* Open the layer file of a directory bundle now, so a bad one fails early. */
static int open_layer(struct import_plan *p, struct plan_layer *l, sb_error *err)
{
	if (p->bundle.dirfd < 0 || l->first != (size_t)(l - p->layers))
		return 0;
	return bundle_open_member(&p->bundle, l->where, &l->fd, err);
}

/* Does `data` hash to the digest in `path` ("<hex>.json", ".../<hex>")? */
static int check_named_digest(const char *path, const char *data, size_t len, sb_error *err)
{
	const char *base = strrchr(path, '/');
	char hex[DIGEST_HEX_LEN + 1];
	digest_str got;

	base = base ? base + 1 : path;
	if (strlen(base) < DIGEST_HEX_LEN)
		return 0;
	memcpy(hex, base, DIGEST_HEX_LEN);
	hex[DIGEST_HEX_LEN] = '\0';
	if (!digest_hex_valid(hex) || (base[DIGEST_HEX_LEN] != '\0' &&
				       strcmp(base + DIGEST_HEX_LEN, ".json") != 0))
		return 0;
	if (sha256_buf(data, len, got, err) < 0)
		return -1;
	if (strcmp(digest_hex(got), hex) != 0)
		return sb_fail(err, 0, "'%s' does not match its digest (its content is %s)", path,
			       got);
	return 0;
}

static size_t count(char *const *v)
{
	size_t n = 0;
	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

static int plan_docker(struct import_plan *p, char **tag, sb_error *err)
{
	cleanup_docker_manifest struct docker_manifest m = { 0 };
	cleanup_strv char **diff_ids = NULL;
	cleanup_free char *text = NULL;
	cleanup_free char *cfg_path = NULL;
	cleanup_free char *cfg = NULL;
	size_t cfg_len = 0;

	p->format = SOURCE_DOCKER;
	if (bundle_read(&p->bundle, "manifest.json", &text, NULL, err) < 0 ||
	    docker_manifest_parse(text, &m, err) < 0 ||
	    bundle_resolve(&p->bundle, m.config, &cfg_path, err) < 0 ||
	    bundle_read(&p->bundle, cfg_path, &cfg, &cfg_len, err) < 0 ||
	    check_named_digest(cfg_path, cfg, cfg_len, err) < 0 ||
	    image_config_parse(cfg, &p->config, &diff_ids, err) < 0)
		return -1;
	if (diff_ids != NULL && count(diff_ids) != m.n_layers)
		return sb_fail(err, 0, "manifest.json lists %zu layers but the config has %zu "
			       "diff ids", m.n_layers, count(diff_ids));
	for (size_t i = 0; i < m.n_layers; i++) {
		char *where = NULL;
		struct plan_layer *l;

		if (bundle_resolve(&p->bundle, m.layers[i], &where, err) < 0)
			return -1;
		l = add_layer(p, where);
		if (diff_ids != NULL)
			memcpy(l->diffid, diff_ids[i], sizeof(digest_str));
		if (open_layer(p, l, err) < 0)
			return -1;
	}
	p->digest = xcalloc(1, sizeof(digest_str));
	if (sha256_buf(cfg, cfg_len, p->digest, err) < 0)
		return -1;
	*tag = m.repo_tag ? image_name_from_ref(m.repo_tag) : NULL;
	return 0;
}

/* Read the blob of `d` whole and check its digest and size. */
static int read_blob(const struct import_plan *p, const struct oci_desc *d, char **data,
		     sb_error *err)
{
	cleanup_free char *where = xasprintf("blobs/sha256/%s", digest_hex(d->digest));
	cleanup_free char *canon = NULL;
	cleanup_free char *buf = NULL;
	digest_str got;
	size_t len = 0;

	if (bundle_resolve(&p->bundle, where, &canon, err) < 0 ||
	    bundle_read(&p->bundle, canon, &buf, &len, err) < 0 ||
	    sha256_buf(buf, len, got, err) < 0)
		return -1;
	if (strcmp(got, d->digest) != 0)
		return sb_fail(err, 0, "blob %s does not match its digest (its content is %s)",
			       d->digest, got);
	if (d->size >= 0 && (size_t)d->size != len)
		return sb_fail(err, 0, "blob %s has %zu bytes, not the %lld its descriptor says",
			       d->digest, len, (long long)d->size);
	*data = steal_ptr(&buf);
	return 0;
}

/* index.json (and nested indexes) to the image manifest's descriptor. */
static int pick_manifest(const struct import_plan *p, struct oci_desc *d, sb_error *err)
{
	cleanup_free char *text = NULL;
	struct utsname u;
	const char *arch;

	if (uname(&u) < 0)
		return sb_fail(err, errno, "uname");
	arch = oci_arch_name(u.machine);
	if (bundle_read(&p->bundle, "index.json", &text, NULL, err) < 0 ||
	    oci_index_pick(text, arch, d, err) < 0)
		return -1;
	for (int depth = 0; d->is_index; depth++) {
		cleanup_free char *inner = NULL;
		struct oci_desc next;

		if (depth == INDEX_DEPTH) {
			oci_desc_free(d);
			return sb_fail(err, 0, "image indexes nested too deeply");
		}
		if (read_blob(p, d, &inner, err) < 0 || oci_index_pick(inner, arch, &next, err) < 0) {
			oci_desc_free(d);
			return -1;
		}
		if (next.ref_name == NULL && d->ref_name != NULL)
			next.ref_name = steal_ptr(&d->ref_name);
		oci_desc_free(d);
		*d = next;
	}
	return 0;
}

static bool layer_type_ok(const char *mt)
{
	return mt == NULL || (strstr(mt, "tar") != NULL && strstr(mt, "encrypted") == NULL);
}

static int oci_layers(struct import_plan *p, const struct oci_manifest *m, char **diff_ids,
		      sb_error *err)
{
	if (diff_ids != NULL && count(diff_ids) != m->n_layers)
		return sb_fail(err, 0, "the image manifest lists %zu layers but the config has "
			       "%zu diff ids", m->n_layers, count(diff_ids));
	for (size_t i = 0; i < m->n_layers; i++) {
		const struct oci_desc *d = &m->layers[i];
		cleanup_free char *raw = xasprintf("blobs/sha256/%s", digest_hex(d->digest));
		char *where = NULL;
		struct plan_layer *l;

		if (!layer_type_ok(d->media_type))
			return sb_fail(err, 0, "layer %s has the media type '%s', which sandbox "
				       "cannot read", d->digest, d->media_type);
		if (bundle_resolve(&p->bundle, raw, &where, err) < 0)
			return -1;
		l = add_layer(p, where);
		memcpy(l->blob, d->digest, sizeof(digest_str));
		l->blob_size = d->size;
		if (diff_ids != NULL)
			memcpy(l->diffid, diff_ids[i], sizeof(digest_str));
		if (open_layer(p, l, err) < 0)
			return -1;
	}
	return 0;
}

/* "<file name>:<ref>" or the name in a full reference, when valid. */
static char *oci_name(const char *path, const char *ref)
{
	cleanup_free char *base = NULL;
	char *joined;

	if (strchr(ref, ':') != NULL || strchr(ref, '/') != NULL)
		return image_name_from_ref(ref);
	base = image_name_from_path(path);
	if (base == NULL || strchr(base, ':') != NULL)
		return NULL;
	joined = xasprintf("%s:%s", base, ref);
	if (image_name_check(joined, NULL) == 0)
		return joined;
	free(joined);
	return NULL;
}

static int plan_oci(struct import_plan *p, const char *path, char **tag, sb_error *err)
{
	cleanup_oci_desc struct oci_desc d = { 0 };
	cleanup_oci_manifest struct oci_manifest m = { 0 };
	cleanup_strv char **diff_ids = NULL;
	cleanup_free char *mtext = NULL;
	cleanup_free char *ctext = NULL;

	p->format = SOURCE_OCI;
	if (pick_manifest(p, &d, err) < 0 || read_blob(p, &d, &mtext, err) < 0 ||
	    oci_manifest_parse(mtext, &m, err) < 0 || read_blob(p, &m.config, &ctext, err) < 0 ||
	    image_config_parse(ctext, &p->config, &diff_ids, err) < 0 ||
	    oci_layers(p, &m, diff_ids, err) < 0)
		return -1;
	p->digest = xstrdup(d.digest);
	if (d.ref_name != NULL)
		*tag = oci_name(path, d.ref_name);
	return 0;
}

static int plan_tarballs(struct import_plan *p, char *const *paths, size_t n, sb_error *err)
{
	p->format = SOURCE_TARBALLS;
	for (size_t i = 0; i < n; i++) {
		struct bundle b;
		struct plan_layer *l;

		if (bundle_open(paths[i], &b, err) < 0) {
			bundle_close(&b);
			return i > 0 ? sb_wrap(err, "'%s'", paths[i]) : -1;
		}
		if (b.image) {
			bundle_close(&b);
			return sb_fail(err, 0, "'%s' is an image archive: give it as the only SOURCE",
				       paths[i]);
		}
		l = add_layer(p, xstrdup(paths[i]));
		l->first = i;   /* a tarball given twice is read twice */
		l->fd = steal_fd(&b.fd);
		bundle_close(&b);
	}
	return 0;
}

int source_plan(char *const *paths, size_t n, const char *name, struct import_plan *p,
		sb_error *err)
{
	cleanup_free char *tag = NULL;
	int r;

	memset(p, 0, sizeof(*p));
	p->bundle.dirfd = p->bundle.fd = -1;
	if (name != NULL && image_name_check(name, err) < 0)
		return -1;
	if (bundle_open(paths[0], &p->bundle, err) < 0)
		return -1;
	if (p->bundle.image && n > 1)
		return sb_fail(err, 0, "'%s' is an image archive: give it as the only SOURCE",
			       paths[0]);
	if (!p->bundle.image) {
		bundle_close(&p->bundle);
		r = plan_tarballs(p, paths, n, err);
	} else if (bundle_has(&p->bundle, "index.json") && bundle_has(&p->bundle, "oci-layout")) {
		r = plan_oci(p, paths[0], &tag, err);
	} else {
		r = plan_docker(p, &tag, err);
	}
	if (r < 0)
		return -1;
	if (p->n_layers == 0)
		return sb_fail(err, 0, "the image has no layers");
	if (name != NULL)
		p->name = xstrdup(name);
	else if (tag != NULL)
		p->name = steal_ptr(&tag);
	else
		p->name = image_name_from_path(paths[0]);
	if (p->name == NULL)
		return sb_fail(err, 0, "cannot make an image name from '%s'", paths[0]),
		       sb_hint(err, "give one with --name NAME");
	return 0;
}

void source_plan_free(struct import_plan *p)
{
	for (size_t i = 0; i < p->n_layers; i++) {
		free(p->layers[i].where);
		closep(&p->layers[i].fd);
	}
	free(p->layers);
	free(p->name);
	free(p->digest);
	image_config_free(&p->config);
	bundle_close(&p->bundle);
	memset(p, 0, sizeof(*p));
	p->bundle.dirfd = p->bundle.fd = -1;
}

struct stream_ctx {
	size_t *index;   /* wanted[i] is layer index[i] */
	int (*fn)(void *ctx, size_t i, struct layer_input *in, sb_error *err);
	void *ctx;
};

static int stream_one(void *data, size_t i, struct archive *a, sb_error *err)
{
	struct stream_ctx *s = data;
	struct layer_input in = { .fd = -1, .member = a };

	return s->fn(s->ctx, s->index[i], &in, err);
}

int source_read_layers(const struct import_plan *p,
		       int (*fn)(void *ctx, size_t i, struct layer_input *in, sb_error *err),
		       void *ctx, sb_error *err)
{
	char **wanted;
	struct stream_ctx s = { .fn = fn, .ctx = ctx };
	size_t n = 0;
	int r;

	if (p->bundle.fd < 0) {
		for (size_t i = 0; i < p->n_layers; i++) {
			struct layer_input in = { .fd = p->layers[i].fd };
			if (p->layers[i].first != i)
				continue;
			if (lseek(in.fd, 0, SEEK_SET) < 0)
				return sb_fail(err, errno, "'%s' cannot be read from its start",
					       p->layers[i].where);
			if (fn(ctx, i, &in, err) < 0)
				return -1;
		}
		return 0;
	}
	wanted = xcalloc(p->n_layers + 1, sizeof(char *));
	s.index = xcalloc(p->n_layers, sizeof(size_t));
	for (size_t i = 0; i < p->n_layers; i++) {
		if (p->layers[i].first != i)
			continue;
		wanted[n] = p->layers[i].where;
		s.index[n++] = i;
	}
	r = bundle_stream(&p->bundle, wanted, n, stream_one, &s, err);
	free(wanted);
	free(s.index);
	return r;
}
