/* idmap.c: subordinate id parsing, map building and writing (see idmap.h).
 * The helpers run through posix_spawn, never a shell, and the two of them
 * run at the same time to keep start-up short. */
#include "config.h"
#include "idmap.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

extern char **environ;

size_t subid_parse(const char *text, const char *name, uint32_t id,
		   struct subid_range *out, size_t max)
{
	char idstr[16];
	size_t n = 0;
	const char *line = text;

	snprintf(idstr, sizeof(idstr), "%u", id);
	while (line != NULL && *line != '\0' && n < max) {
		const char *end = strchrnul(line, '\n');
		char buf[256], *save = NULL;
		size_t len = (size_t)(end - line);
		uint32_t start, count;

		if (len > 0 && len < sizeof(buf)) {
			memcpy(buf, line, len);
			buf[len] = '\0';
			const char *f1 = strtok_r(buf, ":", &save);
			const char *f2 = strtok_r(NULL, ":", &save);
			const char *f3 = strtok_r(NULL, ":\r", &save);
			if (f1 && f2 && f3 && strtok_r(NULL, ":", &save) == NULL &&
			    ((name != NULL && strcmp(f1, name) == 0) || strcmp(f1, idstr) == 0) &&
			    parse_u32(f2, &start) && parse_u32(f3, &count) && count > 0 &&
			    (uint64_t)start + count <= UINT32_MAX) {
				out[n].start = start;
				out[n].count = count;
				n++;
			}
		}
		line = *end ? end + 1 : NULL;
	}
	return n;
}

uint32_t subid_next_free(const char *text)
{
	uint64_t end = 100000;
	const char *line = text;

	while (line != NULL && *line != '\0') {
		const char *c1 = strchr(line, ':'), *nl = strchrnul(line, '\n');
		unsigned long long start, count;
		if (c1 != NULL && c1 < nl && sscanf(c1 + 1, "%llu:%llu", &start, &count) == 2 &&
		    start + count > end)
			end = start + count;
		line = *nl ? nl + 1 : NULL;
	}
	end = (end + 65535) / 65536 * 65536;
	return end > UINT32_MAX - 65536 ? 100000 : (uint32_t)end;
}

char *subid_fix_command(const char *user)
{
	cleanup_free char *u = NULL, *g = NULL;
	uint32_t a, b, start;

	read_file_at(AT_FDCWD, "/etc/subuid", &u, NULL, NULL);
	read_file_at(AT_FDCWD, "/etc/subgid", &g, NULL, NULL);
	a = subid_next_free(u ? u : "");
	b = subid_next_free(g ? g : "");
	start = a > b ? a : b;
	return xasprintf("sudo usermod --add-subuids %u-%u --add-subgids %u-%u %s", start,
			 start + 65535, start, start + 65535, user);
}

static bool overlaps(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
	return (uint64_t)a < (uint64_t)b + blen && (uint64_t)b < (uint64_t)a + alen;
}

static void push(struct id_map *m, uint32_t in, uint32_t out, uint32_t count)
{
	if (m->n < IDMAP_MAX && count > 0) {
		m->r[m->n].inside = in;
		m->r[m->n].outside = out;
		m->r[m->n].count = count;
		m->n++;
	}
}

void idmap_build(uint32_t own, uint32_t inside, const struct subid_range *subs,
		 size_t nsubs, struct id_map *out)
{
	uint64_t next = 0;

	memset(out, 0, sizeof(*out));
	push(out, inside, own, 1);
	for (size_t i = 0; i < nsubs; i++) {
		uint32_t start = subs[i].start;
		uint64_t left = subs[i].count;
		bool bad = overlaps(start, subs[i].count, own, 1);

		for (size_t j = 0; j < i && !bad; j++)
			bad = overlaps(start, subs[i].count, subs[j].start, subs[j].count);
		if (bad)
			continue;
		while (left > 0 && out->n < IDMAP_MAX) {
			uint64_t len = left;
			if (next == inside) {
				next++;
				continue;
			}
			if (next < inside && next + len > inside)
				len = inside - next;
			if (next + len > UINT32_MAX)    /* keep 4294967295 unmapped */
				len = UINT32_MAX - next;
			if (len == 0)
				return;
			push(out, (uint32_t)next, start, (uint32_t)len);
			start += (uint32_t)len;
			left -= len;
			next += len;
		}
	}
}

bool idmap_contains(const struct id_map *m, uint32_t id)
{
	for (size_t i = 0; i < m->n; i++)
		if (id >= m->r[i].inside && (uint64_t)id < (uint64_t)m->r[i].inside + m->r[i].count)
			return true;
	return false;
}

uint64_t idmap_size(const struct id_map *m)
{
	uint64_t t = 0;
	for (size_t i = 0; i < m->n; i++)
		t += m->r[i].count;
	return t;
}

char *idmap_find_helper(const char *name)
{
	const char *path = getenv("PATH");
	cleanup_free char *dirs = xasprintf("%s:/usr/bin:/usr/sbin:/bin", path ? path : "");
	char *save = NULL;

	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *p;
		if (d[0] != '/')
			continue;
		p = xasprintf("%s/%s", d, name);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

/* Subordinate ranges of the user from FILE; 0 when none or unreadable. */
static size_t load_subids(const char *file, const char *name, uint32_t id,
			  struct subid_range *out, size_t max)
{
	cleanup_free char *text = NULL;
	cleanup_error sb_error ignored = NULL;

	if (read_file_at(AT_FDCWD, file, &text, NULL, &ignored) < 0)
		return 0;
	return subid_parse(text, name, id, out, max);
}

int idmap_plan(struct idmap_plan *plan, uint32_t inside_uid, uint32_t inside_gid,
	       sb_error *err)
{
	struct subid_range su[IDMAP_MAX], sg[IDMAP_MAX];
	size_t nsu, nsg;
	uid_t uid = geteuid();
	gid_t gid = getegid();
	struct passwd *pw = getpwuid(uid);
	const char *name = pw ? pw->pw_name : NULL;
	bool root = uid == 0;

	memset(plan, 0, sizeof(*plan));
	nsu = load_subids("/etc/subuid", name, uid, su, IDMAP_MAX);
	nsg = load_subids("/etc/subgid", name, uid, sg, IDMAP_MAX);
	if (nsu == 0 || nsg == 0) {
		cleanup_free char *fix = subid_fix_command(name ? name : "$USER");
		sb_warn("no subordinate %s for user '%s' in %s: only your own uid and gid "
			"are mapped inside, so files of other owners show as nobody and "
			"chown fails (fix: %s)",
			nsu == 0 ? "uids" : "gids", name ? name : "?",
			nsu == 0 ? "/etc/subuid" : "/etc/subgid", fix);
		nsu = nsg = 0;
	} else if (!root) {
		plan->newuidmap = idmap_find_helper("newuidmap");
		plan->newgidmap = idmap_find_helper("newgidmap");
		if (plan->newuidmap == NULL || plan->newgidmap == NULL) {
			sb_warn("newuidmap/newgidmap not found: only your own uid and gid are "
				"mapped inside, so files of other owners show as nobody and "
				"chown fails (fix: sudo apt-get install uidmap)");
			nsu = nsg = 0;
		}
	}
	idmap_build(uid, inside_uid, su, nsu, &plan->uid);
	idmap_build(gid, inside_gid, sg, nsg, &plan->gid);
	plan->uid_helper = !root && nsu > 0;
	plan->gid_helper = !root && nsg > 0;
	plan->deny_setgroups = !root && nsg == 0;
	return 0;
}

void idmap_plan_free(struct idmap_plan *plan)
{
	free(plan->newuidmap);
	free(plan->newgidmap);
	plan->newuidmap = plan->newgidmap = NULL;
}

static char *map_text(const struct id_map *m)
{
	size_t cap = m->n * 36 + 1, off = 0;
	char *s = xcalloc(cap, 1);
	for (size_t i = 0; i < m->n; i++)
		off += (size_t)snprintf(s + off, cap - off, "%u %u %u\n",
					m->r[i].inside, m->r[i].outside, m->r[i].count);
	return s;
}

static int spawn_helper(const char *helper, pid_t pid, const struct id_map *m,
			pid_t *out, sb_error *err)
{
	char **argv = xcalloc(m->n * 3 + 3, sizeof(char *));
	size_t a = 0;
	int r;

	argv[a++] = xstrdup(helper);
	argv[a++] = xasprintf("%d", (int)pid);
	for (size_t i = 0; i < m->n; i++) {
		argv[a++] = xasprintf("%u", m->r[i].inside);
		argv[a++] = xasprintf("%u", m->r[i].outside);
		argv[a++] = xasprintf("%u", m->r[i].count);
	}
	r = posix_spawn(out, helper, NULL, NULL, argv, environ);
	for (size_t i = 0; i < a; i++)
		free(argv[i]);
	free(argv);
	if (r != 0)
		return sb_fail(err, r, "cannot run '%s'", helper);
	return 0;
}

static int wait_helper(const char *helper, pid_t hp, sb_error *err)
{
	int st;
	while (waitpid(hp, &st, 0) < 0) {
		if (errno != EINTR)
			return sb_fail(err, errno, "wait for '%s'", helper);
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return sb_fail(err, 0, "'%s' failed (status %d)", helper,
			       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st)),
		       sb_hint(err, "check /etc/subuid and /etc/subgid, or run 'sandbox check'");
	return 0;
}

static int write_map(pid_t pid, const char *file, const struct id_map *m, sb_error *err)
{
	cleanup_free char *path = xasprintf("/proc/%d/%s", (int)pid, file);
	cleanup_free char *text = map_text(m);
	return write_file(path, text, strlen(text), err);
}

int idmap_apply(const struct idmap_plan *plan, pid_t pid, sb_error *err)
{
	pid_t up = -1, gp = -1;
	int r = 0;

	if (plan->uid_helper && spawn_helper(plan->newuidmap, pid, &plan->uid, &up, err) < 0)
		return -1;
	if (plan->gid_helper && spawn_helper(plan->newgidmap, pid, &plan->gid, &gp, err) < 0)
		r = -1;
	if (!plan->uid_helper && write_map(pid, "uid_map", &plan->uid, err) < 0)
		r = -1;
	if (r == 0 && plan->deny_setgroups) {
		cleanup_free char *p = xasprintf("/proc/%d/setgroups", (int)pid);
		if (write_file(p, "deny", 4, err) < 0)
			r = -1;
	}
	if (r == 0 && !plan->gid_helper && write_map(pid, "gid_map", &plan->gid, err) < 0)
		r = -1;
	if (up > 0 && wait_helper(plan->newuidmap, up, err) < 0)
		r = -1;
	if (gp > 0 && wait_helper(plan->newgidmap, gp, err) < 0)
		r = -1;
	if (r < 0)
		return sb_wrap(err, "cannot map ids into the user namespace");
	return 0;
}
