/* layer.h: one layer blob from its source to the store. The bytes are read
 * once, from a file or from an entry of an enclosing archive, through a
 * chain of two libarchive readers: the first only undoes the compression
 * (none, gzip, bzip2, xz, zstd, lz4, detected from the content), the second
 * reads the tar. Between them the uncompressed stream is hashed (the diff
 * id, under which the layer is stored); before the first the raw bytes are
 * hashed when the manifest names the blob's own digest (OCI). */
#ifndef SB_LAYER_H
#define SB_LAYER_H

#include <stdbool.h>
#include <stdint.h>

#include "digest.h"
#include "error.h"
#include "extract.h"

struct archive;

struct layer_input {
	int fd;                   /* read from this fd, or ... */
	struct archive *member;   /* ... the current entry of this archive */
	bool hash_blob;           /* also hash the raw bytes */
	/* progress: called now and then with raw bytes read so far */
	void (*progress)(void *ctx, uint64_t bytes);
	void *progress_ctx;
};

struct layer_result {
	digest_str diffid;        /* sha256 of the uncompressed tar */
	digest_str blob;          /* sha256 of the raw bytes (if hash_blob) */
	uint64_t size;            /* uncompressed bytes */
	uint64_t blob_size;       /* raw bytes */
	struct extract_stats st;
};

/* Read the whole layer; extract it into `rootfd`, or only hash it when
 * rootfd < 0. Errors carry libarchive's reason or the entry's. */
int layer_read(const struct layer_input *in, int rootfd, struct layer_result *out,
	       sb_error *err);

#endif
