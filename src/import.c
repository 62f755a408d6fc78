/* import.c: `sandbox import` and `sandbox rmi` (see import.h).
 *
 * Import: the plan (source.c) is made first, as the user, so that a bad
 * archive fails before anything is created; then, holding the store's lock,
 * one child in the store's user namespace (userns.c) does all the writing:
 * it removes what an interrupted import left in tmp/, extracts each layer
 * into tmp/import.PID/ while checking its digests against the manifest,
 * and only when every layer is whole renames them into layers/ and writes
 * images/<name>.json (through tmp/ and rename). A layer already in the store
 * is read and checked, not extracted again. A refused, failed or killed
 * import leaves nothing in layers/ or images/ that a record does not name,
 * except in the short window between the renames and the record's rename,
 * which the next import's clean-up (layers no record names) closes. */
#include "config.h"
#include "import.h"
#include "digest.h"
#include "imgname.h"
#include "layer.h"
#include "log.h"
#include "source.h"
#include "store.h"
#include "userns.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

struct import_ctx {
	const struct import_plan *plan;
	const struct store *store;
	struct layer_result *res;
	bool *extracted;
	int work;             /* tmp/import.PID */
	char *work_name;
	bool tty;
	size_t current;       /* layer being read, for progress */
	uint64_t last_ns;
};

/* Names in archives may hold any byte but '/' and NUL: control characters
 * become '?' in what is printed, so a message stays one line. */
static void printable(char *s)
{
	for (; s != NULL && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static int printable_error(sb_error *err)
{
	if (err != NULL && *err != NULL) {
		printable((*err)->msg);
		printable((*err)->hint);
	}
	return -1;
}

/* Setup common to the store's user-namespace children. */

static void progress(void *data, uint64_t bytes)
{
	struct import_ctx *c = data;
	char size[16];
	uint64_t t = now_ns();

	if (!c->tty || t - c->last_ns < 100000000ull)
		return;
	c->last_ns = t;
	image_size_str(bytes, size);
	fprintf(stderr, "\r\033[Ksandbox: importing layer %zu/%zu: %s", c->current + 1,
		c->plan->n_layers, size);
}

static void progress_clear(const struct import_ctx *c)
{
	if (c->tty)
		fprintf(stderr, "\r\033[K");
}

/* How errors and warnings name layer i: "layer 2/3 ('abc/layer.tar')",
 * or nothing more than the SOURCE itself when it is the only layer. */
static char *layer_label(const struct import_plan *p, size_t i)
{
	char *s;

	if (p->format == SOURCE_TARBALLS && p->n_layers == 1)
		return NULL;
	s = xasprintf("layer %zu/%zu ('%s')", i + 1, p->n_layers, p->layers[i].where);
	printable(s);
	return s;
}

static int verify(const struct plan_layer *l, const struct layer_result *r, sb_error *err)
{
	if (l->blob[0] != '\0' && strcmp(l->blob, r->blob) != 0)
		return sb_fail(err, 0, "digest mismatch: the manifest names %s, the content is %s",
			       l->blob, r->blob);
	if (l->blob_size >= 0 && (uint64_t)l->blob_size != r->blob_size)
		return sb_fail(err, 0, "size mismatch: the manifest says %lld bytes, the content "
			       "has %llu", (long long)l->blob_size, (unsigned long long)r->blob_size);
	if (l->diffid[0] != '\0' && strcmp(l->diffid, r->diffid) != 0)
		return sb_fail(err, 0, "digest mismatch: the config names the diff id %s, the "
			       "content is %s", l->diffid, r->diffid);
	return 0;
}

static void report(const struct layer_result *r, const char *label)
{
	if (r->st.devices > 0)
		sb_warn("skipped %llu device node%s in %s (a sandbox has its own /dev)",
			(unsigned long long)r->st.devices, r->st.devices == 1 ? "" : "s", label);
	if (r->st.sockets > 0)
		sb_warn("skipped %llu socket%s in %s", (unsigned long long)r->st.sockets,
			r->st.sockets == 1 ? "" : "s", label);
	if (r->st.unmapped > 0)
		sb_warn("%llu %s in %s %s to ids outside your subordinate range and %s owned "
			"by you instead", (unsigned long long)r->st.unmapped,
			r->st.unmapped == 1 ? "entry" : "entries", label,
			r->st.unmapped == 1 ? "belongs" : "belong",
			r->st.unmapped == 1 ? "is" : "are");
}

static int read_layer(void *data, size_t i, struct layer_input *in, sb_error *err)
{
	struct import_ctx *c = data;
	const struct plan_layer *l = &c->plan->layers[i];
	cleanup_free char *label = layer_label(c->plan, i);
	cleanup_free char *dir = xasprintf("%zu", i);
	cleanup_close int root = -1;

	c->current = i;
	in->hash_blob = l->blob[0] != '\0';
	in->progress = progress;
	in->progress_ctx = c;
	if (l->diffid[0] == '\0' || !store_has_layer(c->store, l->diffid)) {
		if (mkdirat(c->work, dir, 0755) < 0)
			return sb_fail(err, errno, "cannot create '%s/tmp/%s/%s'", c->store->path,
				       c->work_name, dir);
		root = openat(c->work, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (root < 0)
			return sb_fail(err, errno, "cannot open '%s/tmp/%s/%s'", c->store->path,
				       c->work_name, dir);
		c->extracted[i] = true;
	}
	sb_trace("%s %s", c->extracted[i] ? "extracting" : "checking (already stored)",
		 label ? label : "the layer");
	if (layer_read(in, root, &c->res[i], err) < 0 || verify(l, &c->res[i], err) < 0) {
		progress_clear(c);
		return label ? sb_wrap(err, "%s", label) : -1;
	}
	progress_clear(c);
	return 0;
}

static char *now_rfc3339(void)
{
	time_t t = time(NULL);
	struct tm tm;
	char buf[32];

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return xstrdup("");
	return xstrdup(buf);
}

/* Move the new layers into layers/, then write the record. */
static int commit(struct import_ctx *c, sb_error *err)
{
	const struct import_plan *p = c->plan;
	struct image_record r = { 0 };
	cleanup_free struct image_layer *layers = xcalloc(p->n_layers, sizeof(*layers));
	cleanup_free char *imported = now_rfc3339();

	for (size_t i = 0; i < p->n_layers; i++) {
		const struct layer_result *res = &c->res[p->layers[i].first];
		cleanup_free char *dir = xasprintf("%zu", i);

		memcpy(layers[i].diffid, res->diffid, sizeof(digest_str));
		layers[i].size = res->size;
		if (!c->extracted[i])
			continue;
		if (store_has_layer(c->store, res->diffid)) {
			if (rm_tree_at(c->work, dir, err) < 0)
				return -1;
			continue;
		}
		if (renameat(c->work, dir, c->store->layers, digest_hex(res->diffid)) < 0)
			return sb_fail(err, errno, "cannot move layer %s into '%s/layers'",
				       res->diffid, c->store->path);
	}
	r.name = p->name;
	r.format = (char *)source_format_name(p->format);
	r.source_digest = p->digest;
	r.imported = imported;
	r.layers = layers;
	r.n_layers = p->n_layers;
	r.config = p->config;
	return store_put_image(c->store, &r, err);
}

static int import_child(void *data, sb_error *err)
{
	struct import_ctx *c = data;
	int r;

	store_child_setup();
	if (store_clean_tmp(c->store, err) < 0 || store_gc(c->store, err) < 0)
		return -1;
	c->work_name = xasprintf("import.%d", (int)getpid());
	if (mkdirat(c->store->tmp, c->work_name, 0700) < 0)
		return sb_fail(err, errno, "cannot create '%s/tmp/%s'", c->store->path, c->work_name);
	c->work = openat(c->store->tmp, c->work_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			 O_CLOEXEC);
	if (c->work < 0)
		return sb_fail(err, errno, "cannot open '%s/tmp/%s'", c->store->path, c->work_name);
	r = source_read_layers(c->plan, read_layer, c, err);
	if (r == 0)
		r = commit(c, err);
	/* Warnings only for an import that went through: a refusal is one line. */
	for (size_t i = 0; r == 0 && i < c->plan->n_layers; i++) {
		cleanup_free char *label = layer_label(c->plan, i);
		if (c->plan->layers[i].first == i)
			report(&c->res[i], label ? label : "the layer");
	}
	closep(&c->work);
	if (r == 0) {
		r = rm_tree_at(c->store->tmp, c->work_name, err);
		if (r == 0)
			r = store_gc(c->store, err);
		return r;
	}
	/* Leave nothing behind; a failure here is for the next import. */
	{
		cleanup_error sb_error ignored = NULL;
		(void)rm_tree_at(c->store->tmp, c->work_name, &ignored);
	}
	return -1;
}

int image_import(char *const *paths, size_t n, const char *name, sb_error *err)
{
	struct import_plan plan;
	struct store s;
	struct import_ctx c = { .work = -1 };
	int r = -1;

	if (source_plan(paths, n, name, &plan, err) < 0) {
		source_plan_free(&plan);
		sb_wrap(err, "cannot import '%s'", paths[0]);
		return printable_error(err);
	}
	sb_trace("planned %s import of %zu layer(s) as '%s'", source_format_name(plan.format),
		 plan.n_layers, plan.name);
	if (store_open(&s, true, err) == 0 && store_lock(&s, err) == 0) {
		c.plan = &plan;
		c.store = &s;
		c.res = xcalloc(plan.n_layers, sizeof(*c.res));
		c.extracted = xcalloc(plan.n_layers, sizeof(bool));
		c.tty = isatty(STDERR_FILENO) == 1;
		r = userns_run(import_child, &c, 0, err);
		free(c.res);
		free(c.extracted);
	}
	if (r == 0 && c.tty)
		fprintf(stderr, "sandbox: imported '%s' (%zu layer%s)\n", plan.name, plan.n_layers,
			plan.n_layers == 1 ? "" : "s");
	store_close(&s);
	source_plan_free(&plan);
	if (r < 0) {
		sb_wrap(err, "cannot import '%s'", paths[0]);
		return printable_error(err);
	}
	return 0;
}

