/* source.h: what `sandbox import SOURCE...` reads, decided before anything
 * is written. A SOURCE is a docker-save archive (manifest.json), an OCI
 * image layout (oci-layout, index.json, blobs/sha256/...), each as a tar
 * or a directory, or plain layer tarballs given bottom layer first. The
 * plan lists the layers with the digests their manifests promise (checked
 * while reading), the image config and the image's name. */
#ifndef SB_SOURCE_H
#define SB_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "bundle.h"
#include "digest.h"
#include "error.h"
#include "imagerec.h"
#include "layer.h"

enum source_format { SOURCE_TARBALLS, SOURCE_DOCKER, SOURCE_OCI };

struct plan_layer {
	char *where;          /* the tarball's path, or the member in the bundle */
	digest_str diffid;    /* promised diff id, "" if none */
	digest_str blob;      /* promised blob digest (OCI), "" if none */
	int64_t blob_size;    /* promised blob size, -1 if none */
	size_t first;         /* the first layer read from the same place */
	int fd;               /* open tarball or directory member, else -1 */
};

struct import_plan {
	enum source_format format;
	char *name;
	char *digest;         /* OCI manifest or docker config digest, or NULL */
	struct image_config config;
	struct plan_layer *layers;
	size_t n_layers;
	struct bundle bundle; /* docker and OCI sources */
};

/* Read manifests and configs, check names and digests of the documents,
 * open the layer files. `name` may be NULL: it is then taken from the
 * source (RepoTags, the OCI ref name, the file name). */
int source_plan(char *const *paths, size_t n, const char *name, struct import_plan *p,
		sb_error *err);
void source_plan_free(struct import_plan *p);
const char *source_format_name(enum source_format f);

/* Call fn once for each layer i with layers[i].first == i, with `in`
 * reading its bytes (fd or archive member; fn fills in the rest). */
int source_read_layers(const struct import_plan *p,
		       int (*fn)(void *ctx, size_t i, struct layer_input *in, sb_error *err),
		       void *ctx, sb_error *err);

#endif
