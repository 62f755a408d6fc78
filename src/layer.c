/* layer.c: the decompress-hash-untar chain of one layer (see layer.h).
 * Every byte is hashed exactly once: what the tar reader pulls through the
 * chain, then whatever follows the tar's end (padding, trailing bytes),
 * which is drained from both readers before the digests are final. */
#include "config.h"
#include "layer.h"
#include "util.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>

#define RAW_BLOCK (1 << 20)

struct chain {
	const struct layer_input *in;
	struct archive *dec;       /* compression only (format "raw") */
	struct sha256 raw_hash, tar_hash;
	uint64_t raw_bytes, tar_bytes, last_report;
	char *buf;                 /* RAW_BLOCK bytes for reading the input */
	int read_errno;            /* errno of a failed read(2) of the input */
	bool dec_failed;           /* the decompressor reported the error */
};

static ssize_t raw_read(struct archive *a, void *data, const void **out)
{
	struct chain *c = data;
	ssize_t n;

	if (c->in->member != NULL) {
		n = archive_read_data(c->in->member, c->buf, RAW_BLOCK);
		if (n < 0) {
			archive_set_error(a, EIO, "%s", archive_error_string(c->in->member));
			return -1;
		}
	} else {
		do
			n = read(c->in->fd, c->buf, RAW_BLOCK);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			c->read_errno = errno;
			archive_set_error(a, errno, "read");
			return -1;
		}
	}
	if (c->in->hash_blob)
		sha256_update(&c->raw_hash, c->buf, (size_t)n);
	c->raw_bytes += (uint64_t)n;
	if (c->in->progress != NULL && c->raw_bytes - c->last_report >= (uint64_t)RAW_BLOCK * 4) {
		c->last_report = c->raw_bytes;
		c->in->progress(c->in->progress_ctx, c->raw_bytes);
	}
	*out = c->buf;
	return n;
}

/* The next block of the uncompressed stream, hashed: bytes, 0 at the end,
 * -1 when the decompressor failed (its error is in c->dec). */
static ssize_t pull(struct chain *c, const void **out)
{
	size_t size = 0;
	la_int64_t off;
	int r = archive_read_data_block(c->dec, out, &size, &off);

	if (r == ARCHIVE_EOF)
		return 0;
	if (r < ARCHIVE_WARN) {
		c->dec_failed = true;
		return -1;
	}
	sha256_update(&c->tar_hash, *out, size);
	c->tar_bytes += size;
	return (ssize_t)size;
}

static ssize_t tar_read(struct archive *a, void *data, const void **out)
{
	struct chain *c = data;
	ssize_t n = pull(c, out);

	if (n < 0)
		archive_set_error(a, EIO, "%s", archive_error_string(c->dec));
	return n;
}

static int fail_archive(struct chain *c, struct archive *a, sb_error *err)
{
	struct archive *culprit = c->dec_failed ? c->dec : a;
	const char *msg = archive_error_string(culprit);

	if (c->read_errno != 0)
		return sb_fail(err, c->read_errno, "read");
	return sb_fail(err, 0, "%s", msg ? msg : "unreadable archive");
}

static int open_dec(struct chain *c, sb_error *err)
{
	struct archive_entry *e;

	c->dec = archive_read_new();
	if (c->dec == NULL)
		sb_oom();
	/* Built-in decoders only: no external programs. */
	archive_read_support_filter_gzip(c->dec);
	archive_read_support_filter_bzip2(c->dec);
	archive_read_support_filter_xz(c->dec);
	archive_read_support_filter_lzma(c->dec);
	archive_read_support_filter_zstd(c->dec);
	archive_read_support_filter_lz4(c->dec);
	archive_read_support_format_raw(c->dec);
	if (archive_read_open2(c->dec, c, NULL, raw_read, NULL, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(c->dec, &e) != ARCHIVE_OK) {
		if (c->raw_bytes == 0 && c->read_errno == 0)
			return sb_fail(err, 0, "empty file, not a layer tar");
		c->dec_failed = true;
		return fail_archive(c, c->dec, err);
	}
	return 0;
}

static struct archive *open_tar(struct chain *c, sb_error *err)
{
	struct archive *t = archive_read_new();

	if (t == NULL)
		sb_oom();
	archive_read_support_format_tar(t);
	if (archive_read_open2(t, c, NULL, tar_read, NULL, NULL) != ARCHIVE_OK) {
		fail_archive(c, t, err);
		if (!c->dec_failed)
			sb_wrap(err, "not a tar archive");
		archive_read_free(t);
		return NULL;
	}
	return t;
}

/* Hash what follows the tar's end in both streams. */
static int drain(struct chain *c, sb_error *err)
{
	const void *out;

	for (;;) {
		ssize_t n = pull(c, &out);
		if (n == 0)
			break;
		if (n < 0)
			return fail_archive(c, c->dec, err);
	}
	for (;;) {
		ssize_t n = raw_read(c->dec, c, &out);
		if (n == 0)
			return 0;
		if (n < 0)
			return fail_archive(c, c->dec, err);
	}
}

static int entries(struct chain *c, struct archive *t, int rootfd, struct extract_stats *st,
		   sb_error *err)
{
	struct extractor x;
	struct archive_entry *e;
	int r = 0;

	extract_init(&x, rootfd);
	for (;;) {
		int h = archive_read_next_header(t, &e);
		if (h == ARCHIVE_EOF)
			break;
		if (h < ARCHIVE_WARN) {
			r = fail_archive(c, t, err);
			break;
		}
		if (rootfd < 0)
			continue;
		if (extract_entry(&x, t, e, err) < 0) {
			r = -1;
			break;
		}
	}
	if (r == 0 && rootfd >= 0)
		r = extract_finish(&x, err);
	*st = x.st;
	extract_free(&x);
	return r;
}

int layer_read(const struct layer_input *in, int rootfd, struct layer_result *out,
	       sb_error *err)
{
	struct chain c = { .in = in };
	struct archive *t = NULL;
	int r = -1;

	memset(out, 0, sizeof(*out));
	if (sha256_init(&c.tar_hash, err) < 0)
		return -1;
	if (in->hash_blob && sha256_init(&c.raw_hash, err) < 0) {
		sha256_free(&c.tar_hash);
		return -1;
	}
	c.buf = xcalloc(RAW_BLOCK, 1);
	if (open_dec(&c, err) == 0 && (t = open_tar(&c, err)) != NULL &&
	    entries(&c, t, rootfd, &out->st, err) == 0 && drain(&c, err) == 0)
		r = 0;
	if (t != NULL)
		archive_read_free(t);
	if (c.dec != NULL)
		archive_read_free(c.dec);
	free(c.buf);
	out->size = c.tar_bytes;
	out->blob_size = c.raw_bytes;
	if (r == 0) {
		sha256_final(&c.tar_hash, out->diffid);
		if (in->hash_blob)
			sha256_final(&c.raw_hash, out->blob);
	}
	sha256_free(&c.tar_hash);
	sha256_free(&c.raw_hash);
	return r;
}
