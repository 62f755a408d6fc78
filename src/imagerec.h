/* imagerec.h: what the store keeps about one image, images/<name>.json:
 * its layers bottom first (diff id = sha256 of the uncompressed layer tar,
 * which is also the layer's directory name under layers/, and its size),
 * the parts of the image config that running it needs (Entrypoint, Cmd,
 * Env, WorkingDir, User), where it came from and when. This file turns the
 * record into JSON and back (json-c); no file system access. */
#ifndef SB_IMAGEREC_H
#define SB_IMAGEREC_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "error.h"

/* The run-time part of an image config. A string vector is NULL-terminated;
 * NULL means "not set" (an empty vector is a set, empty list). */
struct image_config {
	char **entrypoint, **cmd, **env;
	char *workdir, *user;
	char *created;   /* the image's own creation time (RFC 3339), or NULL */
};

struct image_layer {
	digest_str diffid;
	uint64_t size;   /* bytes of the uncompressed tar */
};

struct image_record {
	char *name;
	char *format;          /* "docker-archive", "oci-layout" or "tarballs" */
	char *source_digest;   /* manifest (OCI) or config (docker) digest, or NULL */
	char *imported;        /* RFC 3339, UTC */
	struct image_layer *layers;
	size_t n_layers;
	struct image_config config;
};

char *image_record_to_json(const struct image_record *r);
/* Parse a record; `what` names its file in errors. */
int image_record_from_json(const char *json, const char *what, struct image_record *r,
			   sb_error *err);
uint64_t image_record_size(const struct image_record *r);
/* "12.3 MB" (decimal units, as image tools print them). */
void image_size_str(uint64_t bytes, char buf[static 16]);
void image_record_free(struct image_record *r);
void image_config_free(struct image_config *c);

/* Helpers shared with manifest.c: NULL-terminated string vectors. */
void strv_free(char **v);
char **strv_dup(char *const *v);
static inline void strv_freep(char ***v) { strv_free(*v); }
#define cleanup_strv __attribute__((cleanup(strv_freep)))

#endif
