/* ovltest.h: the parts of the FUSE overlay test (tests/fuseovl/ovltest.c):
 * the lower layers it builds and the file-operation script it runs on a
 * mounted overlay (ovlscript.c), and manifests of directory trees with
 * their comparison (ovltree.c). Only ovltest.c prints TAP. */
#ifndef SB_OVLTEST_H
#define SB_OVLTEST_H

#include <stdbool.h>
#include <stddef.h>

/* Fixed times of the layers' files; later ones are "new" in manifests. */
#define OVLT_T0 1000000000L
#define OVLT_T1 1200000000L
#define OVLT_NEW 1500000000L

/* Build the two lower layers base/l1 (top) and base/l2; -1 on failure. */
int ovlt_build_lowers(const char *base);

/* One step of the script: what it did, what it got, what it should get. */
struct ovlt_op {
	const char *what;
	char got[128];
	const char *want;
};
/* Run the script in the mounted overlay `mnt`; returns the number of
 * steps written to ops (at most `max`). */
size_t ovlt_run_script(const char *mnt, struct ovlt_op *ops, size_t max);

/* A sorted manifest of the tree at root, one line per entry. For an upper
 * layer (`upper`), whiteouts are shown as such and of the overlay's own
 * xattrs only user.overlay.opaque and escaped names are kept. NULL on
 * error (printed as a TAP comment). */
char *ovlt_manifest(const char *root, bool upper);
/* Print the differing lines as TAP comments; returns how many differ. */
int ovlt_diff(const char *a, const char *b, const char *name_a, const char *name_b);

/* mkdir -p of one level, rm -rf. */
int ovlt_mkdir(const char *path);
int ovlt_rm_rf(const char *path);

#endif
