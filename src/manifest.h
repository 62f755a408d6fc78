/* manifest.h: the JSON documents of the image formats `sandbox import`
 * reads, parsed into plain structs with json-c and validated (types,
 * digests, paths are checked by the caller with tarpath_clean):
 *   docker save:  manifest.json [{Config, RepoTags, Layers}], the config
 *   OCI layout:   index.json -> (index ->) manifest -> config + layers
 *   both:         the image config {config: {Entrypoint, Cmd, Env,
 *                 WorkingDir, User}, created, rootfs: {diff_ids}}
 * No file system access; unit tested on small strings. */
#ifndef SB_MANIFEST_H
#define SB_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "error.h"
#include "imagerec.h"

struct docker_manifest {
	char *config;     /* path of the config in the archive */
	char **layers;    /* paths of the layer tars, bottom first (NULL-terminated) */
	size_t n_layers;
	char *repo_tag;   /* first RepoTags entry, or NULL */
};

struct oci_desc {
	char *media_type;
	digest_str digest;
	int64_t size;
	char *ref_name;   /* org.opencontainers.image.ref.name, or NULL */
	bool is_index;    /* points to another index */
};

struct oci_manifest {
	struct oci_desc config;
	struct oci_desc *layers;
	size_t n_layers;
};

/* The docker-save manifest.json (exactly one image). */
int docker_manifest_parse(const char *json, struct docker_manifest *m, sb_error *err);
void docker_manifest_free(struct docker_manifest *m);

/* Pick the one image manifest of an OCI index for architecture `arch`
 * ("amd64", ...): descriptors for other platforms are passed over. */
int oci_index_pick(const char *json, const char *arch, struct oci_desc *out, sb_error *err);
int oci_manifest_parse(const char *json, struct oci_manifest *m, sb_error *err);
void oci_desc_free(struct oci_desc *d);
void oci_manifest_free(struct oci_manifest *m);

/* An image config; *diff_ids (NULL-terminated, may be NULL) gets
 * rootfs.diff_ids. */
int image_config_parse(const char *json, struct image_config *c, char ***diff_ids,
		       sb_error *err);

#define cleanup_docker_manifest __attribute__((cleanup(docker_manifest_free)))
#define cleanup_oci_manifest __attribute__((cleanup(oci_manifest_free)))
#define cleanup_oci_desc __attribute__((cleanup(oci_desc_free)))

/* The OCI name of the architecture of `machine` (uname -m), e.g. x86_64 ->
 * amd64; unknown names map to themselves. */
const char *oci_arch_name(const char *machine);

#endif
