/* idmap.h: user and group id maps of the sandbox's user namespace. The pure
 * half reads /etc/subuid-style text and builds the map (unit tested); the
 * other half writes it for a child process, through newuidmap/newgidmap or,
 * when the caller is root or has no subordinate ids, directly. */
#ifndef SB_IDMAP_H
#define SB_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#define IDMAP_MAX 340   /* lines the kernel accepts in uid_map */

struct id_range {
	uint32_t inside, outside, count;
};

struct id_map {
	struct id_range r[IDMAP_MAX];
	size_t n;
};

struct subid_range {
	uint32_t start, count;
};

/* Collect the ranges of `name` (or of the numeric `id`) from the contents of
 * a subuid/subgid file; malformed lines are skipped. Returns the count. */
size_t subid_parse(const char *text, const char *name, uint32_t id,
		   struct subid_range *out, size_t max);

/* The first id past every range in a subuid/subgid text, rounded up to a
 * multiple of 65536 and at least 100000: where a new range would not collide. */
uint32_t subid_next_free(const char *text);
/* The usermod command that gives the current user 65536 free ids. */
char *subid_fix_command(const char *user);

/* The map: `inside` -> own id (one id), the subordinate ranges fill the
 * other inside ids from 0 up. Ranges that overlap the own id or an earlier
 * range are dropped. */
void idmap_build(uint32_t own, uint32_t inside, const struct subid_range *subs,
		 size_t nsubs, struct id_map *out);

/* True if `id` is mapped inside. */
bool idmap_contains(const struct id_map *m, uint32_t id);
/* Total ids mapped. */
uint64_t idmap_size(const struct id_map *m);

/* How the maps of one sandbox are made: decided before the clone. */
struct idmap_plan {
	struct id_map uid, gid;
	bool uid_helper, gid_helper;   /* through newuidmap / newgidmap */
	bool deny_setgroups;           /* single gid map by an unprivileged caller */
	char *newuidmap, *newgidmap;   /* helper paths */
};

/* Decide the maps for the calling user; warns once when only a single id can
 * be mapped, saying what is lost and how to fix it. */
int idmap_plan(struct idmap_plan *plan, uint32_t inside_uid, uint32_t inside_gid,
	       sb_error *err);
void idmap_plan_free(struct idmap_plan *plan);
/* Write the planned maps for process `pid` (parent side). */
int idmap_apply(const struct idmap_plan *plan, pid_t pid, sb_error *err);

/* Where newuidmap-like helpers are found (PATH, then /usr/bin, /usr/sbin). */
char *idmap_find_helper(const char *name);

#endif
