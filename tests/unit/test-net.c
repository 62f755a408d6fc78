/* test-net.c: unit tests of --publish parsing (src/net.c) and of the DNS
 * answer frames that src/dnsfwd.c builds. */
#include "config.h"
#include "dnsfwd.h"
#include "net.h"
#include "tap.h"

#include <arpa/inet.h>

static void ok(const char *s, bool udp, const char *ip, unsigned hp, unsigned gp)
{
	struct publish p;
	sb_error err = NULL;
	int r = publish_parse(s, &p, &err);
	CHECK(r == 0 && p.udp == udp && strcmp(p.host_ip, ip) == 0 && p.host_port == hp &&
	      p.port == gp, "publish '%s'", s);
	sb_error_free(&err);
}

static void bad(const char *s, const char *msg)
{
	struct publish p;
	sb_error err = NULL;
	int r = publish_parse(s, &p, &err);
	CHECK(r < 0 && err && strstr(err->msg, msg), "publish '%s' refused: %s (got '%s')", s, msg,
	      err ? err->msg : "accepted");
	sb_error_free(&err);
}

int main(void)
{
	uint8_t frame[128], gmac[6] = { 2, 0, 0, 0, 0, 1 }, smac[6] = { 0x52, 0x55, 10, 0, 2, 3 };
	uint8_t payload[5] = { 1, 2, 3, 4, 5 };
	uint32_t src, dst;
	size_t n;
	unsigned sum = 0;

	ok("8080:80", false, "127.0.0.1", 8080, 80);
	ok("0.0.0.0:53:53/udp", true, "0.0.0.0", 53, 53);
	ok("10.1.2.3:1:65535/tcp", false, "10.1.2.3", 1, 65535);
	bad("80", "is not [HOST_IP:]HOST_PORT:PORT");
	bad("0:80", "ports must be 1 to 65535");
	bad("70000:80", "ports must be 1 to 65535");
	bad("8080:80/sctp", "protocol must be tcp or udp");
	bad("host:8080:80", "'host' is not an IPv4 address");
	bad("8x:80", "ports must be 1 to 65535");

	inet_pton(AF_INET, "10.0.2.3", &src);
	inet_pton(AF_INET, "10.0.2.100", &dst);
	n = dnsfwd_build_frame(frame, sizeof(frame), gmac, smac, src, dst, htons(53), htons(4000),
			       payload, sizeof(payload));
	CHECK(n == 14 + 20 + 8 + 5, "frame length");
	CHECK(memcmp(frame, gmac, 6) == 0 && memcmp(frame + 6, smac, 6) == 0 &&
	      frame[12] == 0x08 && frame[13] == 0, "Ethernet header");
	CHECK(frame[14] == 0x45 && frame[23] == 17 && frame[16] == 0 && frame[17] == 33,
	      "IPv4 header: version, protocol, total length");
	for (int i = 0; i < 20; i += 2)
		sum += (unsigned)(frame[14 + i] << 8 | frame[15 + i]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	CHECK(sum == 0xffff, "IPv4 header checksum verifies");
	CHECK(memcmp(frame + 26, &src, 4) == 0 && memcmp(frame + 30, &dst, 4) == 0, "addresses");
	CHECK(frame[34] == 0 && frame[35] == 53 && frame[36] == 0x0f && frame[37] == 0xa0 &&
	      frame[39] == 13, "UDP ports and length");
	CHECK(memcmp(frame + 42, payload, 5) == 0, "payload");
	CHECK(dnsfwd_build_frame(frame, 40, gmac, smac, src, dst, 1, 2, payload, 5) == 0,
	      "too small a buffer is refused");
	return tap_done();
}
