/* test-ovlmerge.c: unit tests of the FUSE overlay's pure rules
 * (src/ovlmerge.c): whiteout and opaque detection on a directory entry,
 * lookup across layers in overlayfs order, the overlay's own xattr names
 * and their escaping, the readdir name set, paths under /proc/self/fd and
 * inode number mixing. */
#include "config.h"
#include "ovlmerge.h"
#include "tap.h"

#include <stdlib.h>
#include <sys/sysmacros.h>

static struct stat st_of(mode_t mode, dev_t rdev)
{
	struct stat st = { .st_mode = mode, .st_rdev = rdev };
	return st;
}

static void classify(void)
{
	struct stat wh = st_of(S_IFCHR, makedev(0, 0)), chr = st_of(S_IFCHR | 0666, makedev(1, 3));
	struct stat dir = st_of(S_IFDIR | 0755, 0), reg = st_of(S_IFREG | 0644, 0);
	struct stat blk = st_of(S_IFBLK, makedev(0, 0));

	CHECK(ovl_is_whiteout(&wh), "a 0/0 character device is a whiteout");
	CHECK(!ovl_is_whiteout(&chr), "/dev/null's 1/3 is not a whiteout");
	CHECK(!ovl_is_whiteout(&blk), "a 0/0 block device is not a whiteout");
	CHECK(ovl_classify(&wh, false) == OVL_WHITEOUT, "classify: whiteout");
	CHECK(ovl_classify(&dir, false) == OVL_DIR, "classify: directory");
	CHECK(ovl_classify(&dir, true) == OVL_OPAQUE_DIR, "classify: opaque directory");
	CHECK(ovl_classify(&reg, true) == OVL_OTHER, "classify: opaque mark on a file is ignored");
	CHECK(ovl_opaque_value("y", 1), "opaque value 'y'");
	CHECK(!ovl_opaque_value("n", 1), "opaque value 'n' is not opaque");
	CHECK(!ovl_opaque_value("x", 1), "opaque value 'x' (xwhiteouts) is not opaque");
	CHECK(!ovl_opaque_value("yy", 2), "opaque value 'yy' is not opaque");
	CHECK(!ovl_opaque_value("y", -1), "no opaque xattr is not opaque");
}

/* Resolve a layer sequence given as a string: '.' absent, 'w' whiteout,
 * 'd' directory, 'o' opaque directory, 'f' file. */
static void resolve(const char *layers, enum ovl_kind kind, size_t top, const char *dirs)
{
	size_t d[16], i;
	struct ovl_resolve r;
	char got[17] = "";
	bool same;

	ovl_resolve_init(&r, d);
	for (i = 0; layers[i] != '\0'; i++) {
		static const char codes[] = ".wdof";
		static const enum ovl_kind kinds[] = { OVL_ABSENT, OVL_WHITEOUT, OVL_DIR,
						       OVL_OPAQUE_DIR, OVL_OTHER };
		enum ovl_kind k = kinds[strchr(codes, layers[i]) - codes];
		if (!ovl_resolve_step(&r, i, k))
			break;
	}
	for (i = 0; i < r.ndirs; i++)
		got[i] = (char)('0' + d[i]);
	got[r.ndirs] = '\0';
	same = r.kind == kind && (kind == OVL_ABSENT || r.top == top) && strcmp(got, dirs) == 0;
	CHECK(same, "layers '%s': kind %d top %zu dirs '%s' (got %d %zu '%s')", layers, kind, top,
	      dirs, r.kind, r.top, got);
}

static void lookup_order(void)
{
	resolve("...", OVL_ABSENT, 0, "");
	resolve("f..", OVL_OTHER, 0, "");
	resolve(".f.", OVL_OTHER, 1, "");
	resolve(".ff", OVL_OTHER, 1, "");
	resolve("wf.", OVL_ABSENT, 0, "");
	resolve(".wf", OVL_ABSENT, 0, "");
	resolve("ddd", OVL_DIR, 0, "012");
	resolve("d.d", OVL_DIR, 0, "02");
	resolve("dod", OVL_DIR, 0, "01");
	resolve("odd", OVL_DIR, 0, "0");
	resolve("dwd", OVL_DIR, 0, "0");
	resolve("dfd", OVL_DIR, 0, "0");
	resolve("fdd", OVL_OTHER, 0, "");
	resolve(".dd", OVL_DIR, 1, "12");
	resolve("..o", OVL_DIR, 2, "2");
}

static void xattr_names(void)
{
	char buf[64];
	const char *s;

	CHECK(ovl_xattr_private("user.overlay.opaque"), "user.overlay.opaque is private");
	CHECK(ovl_xattr_private("user.overlay.origin"), "user.overlay.origin is private");
	CHECK(!ovl_xattr_private("user.overlayx"), "user.overlayx is not private");
	CHECK(!ovl_xattr_private("trusted.overlay.opaque"), "trusted.* is not ours in userxattr mode");
	CHECK(ovl_xattr_to_layer("user.a", buf, sizeof(buf)) && strcmp(buf, "user.a") == 0,
	      "user.a is stored as it is");
	CHECK(ovl_xattr_to_layer("user.overlay.foo", buf, sizeof(buf)) &&
	      strcmp(buf, "user.overlay.overlay.foo") == 0, "user.overlay.foo is stored escaped");
	CHECK(!ovl_xattr_to_layer("user.overlay.foo", buf, 10), "escaping checks the size");
	s = ovl_xattr_from_layer("user.a", buf, sizeof(buf));
	CHECK_STR(s, "user.a", "user.a shows as it is");
	s = ovl_xattr_from_layer("security.capability", buf, sizeof(buf));
	CHECK_STR(s, "security.capability", "security.* shows as it is");
	CHECK(ovl_xattr_from_layer("user.overlay.opaque", buf, sizeof(buf)) == NULL,
	      "user.overlay.opaque is hidden");
	s = ovl_xattr_from_layer("user.overlay.overlay.foo", buf, sizeof(buf));
	CHECK_STR(s, "user.overlay.foo", "an escaped name shows unescaped");
}

static void name_set(void)
{
	struct ovl_names s;
	char name[32];
	bool all = true, first, again;

	ovl_names_init(&s);
	first = ovl_names_add(&s, "a");
	again = ovl_names_add(&s, "a");
	CHECK(first, "a new name is added");
	CHECK(!again, "the same name is not added twice");
	CHECK(ovl_names_has(&s, "a") && !ovl_names_has(&s, "b"), "membership");
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "file%d", i);
		all = all && ovl_names_add(&s, name);
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "file%d", i);
		all = all && ovl_names_has(&s, name);
	}
	CHECK(all && s.count == 5001, "5000 names survive growing the table");
	ovl_names_free(&s);
}

static void paths(void)
{
	char buf[32];

	CHECK(ovl_valid_name("a") && ovl_valid_name("..a") && ovl_valid_name(".a"),
	      "ordinary names are valid");
	CHECK(!ovl_valid_name("") && !ovl_valid_name(".") && !ovl_valid_name("..") &&
	      !ovl_valid_name("a/b"), "'', '.', '..' and 'a/b' are not names");
	CHECK(ovl_fd_relpath(buf, sizeof(buf), 7, "x") && strcmp(buf, "7/x") == 0, "fd 7, x");
	CHECK(ovl_fd_relpath(buf, sizeof(buf), 12, ".") && strcmp(buf, "12/.") == 0, "fd 12, .");
	CHECK(ovl_fd_relpath(buf, sizeof(buf), 3, NULL) && strcmp(buf, "3") == 0, "fd 3 alone");
	CHECK(!ovl_fd_relpath(buf, 4, 123, "name"), "a path that does not fit is refused");
	CHECK(!ovl_fd_relpath(buf, sizeof(buf), -1, "x"), "a bad fd is refused");
}

static void inode_numbers(void)
{
	CHECK(ovl_mix_ino(42, 0, 1) == 42, "one file system: inode numbers unchanged");
	CHECK(ovl_mix_ino(42, 0, 3) == 42, "file system 0 keeps its numbers");
	CHECK(ovl_mix_ino(42, 1, 2) == (42 | (1ULL << 63)), "file system 1 of 2 in the top bit");
	CHECK(ovl_mix_ino(42, 2, 3) == (42 | (2ULL << 62)), "file system 2 of 3 in the top 2 bits");
	CHECK(ovl_mix_ino(42, 1, 3) != ovl_mix_ino(42, 2, 3), "different file systems differ");
}

int main(void)
{
	classify();
	lookup_order();
	xattr_names();
	name_set();
	paths();
	inode_numbers();
	return tap_done();
}
