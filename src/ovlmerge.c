/* ovlmerge.c: the overlay's pure rules (see ovlmerge.h). Lookup follows
 * kernel overlayfs: the first layer that holds a non-directory wins; a
 * directory merges with the directories of the same name below it until a
 * whiteout, a non-directory or an opaque directory ends the stack; a
 * whiteout above everything makes the name absent. The name set is a small
 * open-addressing hash table (FNV-1a, linear probing). */
#include "config.h"
#include "ovlmerge.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

bool ovl_is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

bool ovl_opaque_value(const char *val, ssize_t len)
{
	return len == 1 && val[0] == 'y';
}

enum ovl_kind ovl_classify(const struct stat *st, bool opaque)
{
	if (ovl_is_whiteout(st))
		return OVL_WHITEOUT;
	if (S_ISDIR(st->st_mode))
		return opaque ? OVL_OPAQUE_DIR : OVL_DIR;
	return OVL_OTHER;
}

void ovl_resolve_init(struct ovl_resolve *r, size_t *dirs)
{
	r->kind = OVL_ABSENT;
	r->top = 0;
	r->ndirs = 0;
	r->dirs = dirs;
}

bool ovl_resolve_step(struct ovl_resolve *r, size_t layer, enum ovl_kind k)
{
	switch (k) {
	case OVL_ABSENT:
		return true;
	case OVL_WHITEOUT:
		return false;
	case OVL_OTHER:
		/* below a directory, a non-directory only ends the stack */
		if (r->kind == OVL_ABSENT) {
			r->kind = OVL_OTHER;
			r->top = layer;
		}
		return false;
	case OVL_DIR:
	case OVL_OPAQUE_DIR:
		if (r->kind == OVL_ABSENT) {
			r->kind = OVL_DIR;
			r->top = layer;
		}
		r->dirs[r->ndirs++] = layer;
		return k == OVL_DIR;
	}
	return false;
}

bool ovl_xattr_private(const char *name)
{
	return strncmp(name, OVL_XATTR_PREFIX, strlen(OVL_XATTR_PREFIX)) == 0;
}

bool ovl_xattr_to_layer(const char *name, char *buf, size_t len)
{
	int n;

	if (ovl_xattr_private(name))
		n = snprintf(buf, len, OVL_XATTR_PREFIX "%s", name + strlen("user."));
	else
		n = snprintf(buf, len, "%s", name);
	return n >= 0 && (size_t)n < len;
}

const char *ovl_xattr_from_layer(const char *name, char *buf, size_t len)
{
	static const char esc[] = OVL_XATTR_PREFIX "overlay.";
	int n;

	if (!ovl_xattr_private(name))
		return name;
	if (strncmp(name, esc, strlen(esc)) != 0)
		return NULL;
	n = snprintf(buf, len, "user.%s", name + strlen(OVL_XATTR_PREFIX));
	return n >= 0 && (size_t)n < len ? buf : NULL;
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

void ovl_names_init(struct ovl_names *s)
{
	s->cap = 64;
	s->count = 0;
	s->slots = xcalloc(s->cap, sizeof(*s->slots));
}

void ovl_names_free(struct ovl_names *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i]);
	free(s->slots);
	s->slots = NULL;
	s->cap = s->count = 0;
}

static char **names_slot(char **slots, size_t cap, const char *name)
{
	size_t i = (size_t)fnv1a(name) & (cap - 1);

	while (slots[i] != NULL && strcmp(slots[i], name) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static void names_grow(struct ovl_names *s)
{
	size_t cap = s->cap * 2;
	char **slots = xcalloc(cap, sizeof(*slots));

	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i] != NULL)
			*names_slot(slots, cap, s->slots[i]) = s->slots[i];
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
}

bool ovl_names_add(struct ovl_names *s, const char *name)
{
	char **slot;

	if (2 * (s->count + 1) > s->cap)
		names_grow(s);
	slot = names_slot(s->slots, s->cap, name);
	if (*slot != NULL)
		return false;
	*slot = xstrdup(name);
	s->count++;
	return true;
}

bool ovl_names_has(const struct ovl_names *s, const char *name)
{
	return *names_slot(s->slots, s->cap, name) != NULL;
}

bool ovl_valid_name(const char *name)
{
	return name[0] != '\0' && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
	       strchr(name, '/') == NULL;
}

bool ovl_fd_relpath(char *buf, size_t len, int fd, const char *name)
{
	int n;

	if (fd < 0)
		return false;
	if (name == NULL || name[0] == '\0')
		n = snprintf(buf, len, "%d", fd);
	else
		n = snprintf(buf, len, "%d/%s", fd, name);
	return n >= 0 && (size_t)n < len;
}

uint64_t ovl_mix_ino(uint64_t ino, unsigned fsidx, unsigned nfs)
{
	unsigned bits = 0;

	if (nfs <= 1)
		return ino;
	while ((1U << bits) < nfs)
		bits++;
	return ino ^ ((uint64_t)fsidx << (64 - bits));
}
