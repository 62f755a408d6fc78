/* image_rm.c: removing images (`sandbox rmi`): the records go, then the
 * layers no remaining image names, all in the store's user namespace and
 * under its lock. Apart from import.c so that it needs no libarchive. */
#include "config.h"
#include "image_rm.h"
#include "imgname.h"
#include "store.h"
#include "userns.h"
#include "util.h"

struct rmi_ctx {
	const struct store *store;
	char *const *names;
	size_t n;
};

static int rmi_child(void *data, sb_error *err)
{
	const struct rmi_ctx *c = data;

	store_child_setup();
	for (size_t i = 0; i < c->n; i++)
		if (store_drop_image(c->store, c->names[i], err) < 0)
			return -1;
	if (store_clean_tmp(c->store, err) < 0)
		return -1;
	return store_gc(c->store, err);
}

int image_remove(char *const *names, size_t n, sb_error *err)
{
	struct store s;
	struct rmi_ctx c = { .store = &s, .names = names, .n = n };
	int r = -1;

	for (size_t i = 0; i < n; i++)
		if (image_name_check(names[i], err) < 0)
			return -1;
	if (store_open(&s, false, err) < 0) {
		store_close(&s);
		return -1;
	}
	if (s.dir < 0) {
		store_close(&s);
		return sb_fail(err, 0, "no image '%s' in the store", names[0]),
		       sb_hint(err, "see 'sandbox images'");
	}
	if (store_lock(&s, err) == 0) {
		r = 0;
		for (size_t i = 0; i < n && r == 0; i++) {
			struct image_record rec;
			r = store_image(&s, names[i], &rec, err);
			image_record_free(&rec);
		}
		if (r == 0)
			r = userns_run(rmi_child, &c, 0, err);
	}
	store_close(&s);
	return r;
}
