/* test-idmap.c: unit tests of subordinate id parsing and map building
 * (src/idmap.c). */
#include "config.h"
#include "idmap.h"
#include "tap.h"

static const char *subuid =
	"ana:100000:65536\n"
	"bob:165536:65536\n"
	"# not a comment format, ignored\n"
	"1001:231072:1000\n"
	"ana:300000:10\n"
	"broken:line\n"
	"ana:abc:10\n"
	"ana:400000:0\n"
	"ana:4294967290:100\n";

int main(void)
{
	struct subid_range r[8];
	struct id_map m;
	size_t n;

	n = subid_parse(subuid, "ana", 1000, r, 8);
	CHECK(n == 2, "ana has two valid ranges (got %zu)", n);
	CHECK(n >= 2 && r[0].start == 100000 && r[0].count == 65536 && r[1].start == 300000 &&
	      r[1].count == 10, "ranges kept in file order");
	n = subid_parse(subuid, "carl", 1001, r, 8);
	CHECK(n == 1 && r[0].start == 231072 && r[0].count == 1000, "entry by numeric uid");
	n = subid_parse(subuid, NULL, 1002, r, 8);
	CHECK(n == 0, "no entry: no ranges");
	n = subid_parse("ana:1:2\r\n", "ana", 5, r, 8);
	CHECK(n == 1 && r[0].count == 2, "CRLF line endings");
	n = subid_parse(subuid, "ana", 1000, r, 1);
	CHECK(n == 1, "stops at the caller's maximum");

	/* own uid 1000 -> 0 inside, subordinates fill 1.. */
	struct subid_range two[] = { { 100000, 65536 }, { 300000, 10 } };
	idmap_build(1000, 0, two, 2, &m);
	CHECK(m.n == 3, "three lines (got %zu)", m.n);
	CHECK(m.r[0].inside == 0 && m.r[0].outside == 1000 && m.r[0].count == 1, "own id first");
	CHECK(m.r[1].inside == 1 && m.r[1].outside == 100000 && m.r[1].count == 65536, "first range from 1");
	CHECK(m.r[2].inside == 65537 && m.r[2].outside == 300000 && m.r[2].count == 10,
	      "second range continues");
	CHECK(idmap_size(&m) == 65547, "size");
	CHECK(idmap_contains(&m, 0) && idmap_contains(&m, 65546) && !idmap_contains(&m, 65547),
	      "contains");

	/* --uid 1000: subordinates split around it */
	struct subid_range one[] = { { 100000, 65536 } };
	idmap_build(1000, 1000, one, 1, &m);
	CHECK(m.n == 3, "split map has three lines (got %zu)", m.n);
	CHECK(m.r[0].inside == 1000 && m.r[0].outside == 1000, "own id at 1000");
	CHECK(m.r[1].inside == 0 && m.r[1].outside == 100000 && m.r[1].count == 1000, "below");
	CHECK(m.r[2].inside == 1001 && m.r[2].outside == 101000 && m.r[2].count == 64536, "above");
	CHECK(idmap_size(&m) == 65537, "no id lost");

	/* overlapping ranges and a range holding the own id are dropped */
	struct subid_range bad[] = { { 100000, 100 }, { 100050, 100 }, { 990, 20 }, { 500, 5 } };
	idmap_build(1000, 0, bad, 4, &m);
	CHECK(m.n == 3 && m.r[1].outside == 100000 && m.r[2].outside == 500 && m.r[2].inside == 101,
	      "overlaps dropped");

	/* no subordinates: the single map */
	idmap_build(1000, 0, NULL, 0, &m);
	CHECK(m.n == 1 && idmap_size(&m) == 1, "single map");

	/* many ranges: capped at the kernel's limit */
	struct subid_range many[400];
	for (int i = 0; i < 400; i++) {
		many[i].start = 200000 + (uint32_t)i * 10;
		many[i].count = 5;
	}
	idmap_build(1000, 0, many, 400, &m);
	CHECK(m.n == IDMAP_MAX, "capped at %d lines (got %zu)", IDMAP_MAX, m.n);
	CHECK(subid_next_free("") == 131072, "empty file: 100000 rounded up");
	CHECK(subid_next_free("a:100000:65536\nb:165536:65536\n") == 262144, "past every range");
	CHECK(subid_next_free("a:1000000:10\nbroken\n") == 1048576, "rounded to 65536");
	return tap_done();
}
