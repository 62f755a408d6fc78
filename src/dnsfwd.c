/* dnsfwd.c: DNS forwarding for user-mode networking (see dnsfwd.h). Only
 * IPv4 UDP to port 53 of 10.0.2.3 is taken; everything else goes on to
 * libslirp. Each query gets its own connected socket, so answers from
 * anyone but the upstream are dropped by the kernel; a query unanswered
 * after 5 seconds is forgotten. */
#include "config.h"
#include "dnsfwd.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>

#define ETH_HDR 14
#define TIMEOUT_NS 5000000000ull

static int parse_server(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64];
	unsigned port = 53;
	const char *colon = strrchr(s, ':');
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	snprintf(host, sizeof(host), "%s", s);
	/* "1.2.3.4:53"; an IPv6 address has several colons: "[::1]:53" or bare */
	if (host[0] == '[') {
		char *end = strchr(host, ']');
		if (end == NULL)
			return -1;
		*end = '\0';
		if (end[1] == ':' && sscanf(end + 2, "%u", &port) != 1)
			return -1;
		memmove(host, host + 1, strlen(host));
	} else if (colon != NULL && strchr(s, ':') == colon) {
		host[colon - s] = '\0';
		if (sscanf(colon + 1, "%u", &port) != 1)
			return -1;
	}
	if (port == 0 || port > 65535)
		return -1;
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
		return 0;
	}
	return -1;
}

int dnsfwd_init(struct dnsfwd *d, const char *server, sb_error *err)
{
	memset(d, 0, sizeof(*d));
	for (int i = 0; i < DNSFWD_MAX; i++)
		d->q[i].fd = -1;
	inet_pton(AF_INET, "10.0.2.3", &d->listen_ip);
	if (server != NULL) {
		if (parse_server(server, &d->upstream, &d->upstream_len) < 0)
			return sb_fail(err, 0, "--dns-server: '%s' is not IP[:PORT]", server);
		return 0;
	}
	{
		cleanup_free char *text = NULL;
		char *save = NULL;
		if (read_file_at(AT_FDCWD, "/etc/resolv.conf", &text, NULL, NULL) == 0) {
			for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
				char addr[64];
				if (sscanf(l, " nameserver %63s", addr) == 1 &&
				    parse_server(addr, &d->upstream, &d->upstream_len) == 0)
					return 0;
			}
		}
	}
	/* no resolver configured: queries go unanswered, as on the host */
	return 0;
}

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)(p[n - 1] << 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

size_t dnsfwd_build_frame(uint8_t *buf, size_t cap, const uint8_t dst_mac[6],
			  const uint8_t src_mac[6], uint32_t src_ip, uint32_t dst_ip,
			  uint16_t src_port, uint16_t dst_port, const uint8_t *payload, size_t plen)
{
	size_t total = ETH_HDR + 20 + 8 + plen;
	uint8_t *ip = buf + ETH_HDR, *udp = ip + 20;
	uint16_t c;

	if (total > cap || 20 + 8 + plen > 0xffff)
		return 0;
	memcpy(buf, dst_mac, 6);
	memcpy(buf + 6, src_mac, 6);
	buf[12] = 0x08;
	buf[13] = 0x00;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((20 + 8 + plen) >> 8);
	ip[3] = (uint8_t)(20 + 8 + plen);
	ip[6] = 0x40;          /* don't fragment */
	ip[8] = 64;            /* TTL */
	ip[9] = 17;            /* UDP */
	memcpy(ip + 12, &src_ip, 4);
	memcpy(ip + 16, &dst_ip, 4);
	c = csum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	memcpy(udp, &src_port, 2);
	memcpy(udp + 2, &dst_port, 2);
	udp[4] = (uint8_t)((8 + plen) >> 8);
	udp[5] = (uint8_t)(8 + plen);
	udp[6] = udp[7] = 0;   /* no UDP checksum: optional over IPv4 */
	memcpy(udp + 8, payload, plen);
	return total;
}

static uint64_t now(void)
{
	return now_ns();
}

bool dnsfwd_frame(struct dnsfwd *d, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_HDR, *udp;
	size_t ihl, plen;
	uint32_t dst;
	uint16_t dport;
	struct dnsq *q = NULL;

	if (len < ETH_HDR + 20 + 8 || f[12] != 0x08 || f[13] != 0x00 || (ip[0] >> 4) != 4 ||
	    ip[9] != 17)
		return false;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	memcpy(&dst, ip + 16, 4);
	if (ihl < 20 || len < ETH_HDR + ihl + 8 || dst != d->listen_ip)
		return false;
	if ((ip[6] & 0x3f) != 0 || ip[7] != 0)   /* a fragment: leave it */
		return false;
	udp = ip + ihl;
	memcpy(&dport, udp + 2, 2);
	if (ntohs(dport) != 53)
		return false;
	plen = (size_t)(udp[4] << 8 | udp[5]);
	if (plen < 8 || ETH_HDR + ihl + plen > len)
		return true;   /* ours, but malformed: drop */
	if (d->upstream_len == 0)
		return true;
	for (int i = 0; i < DNSFWD_MAX && q == NULL; i++)
		if (d->q[i].fd < 0)
			q = &d->q[i];
	if (q == NULL)
		return true;   /* too many outstanding: drop, the resolver retries */
	q->fd = socket(d->upstream.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (q->fd < 0)
		return true;
	if (connect(q->fd, (struct sockaddr *)&d->upstream, d->upstream_len) < 0 ||
	    send(q->fd, udp + 8, plen - 8, 0) < 0) {
		closep(&q->fd);
		return true;
	}
	memcpy(q->guest_mac, f + 6, 6);
	memcpy(q->our_mac, f, 6);
	memcpy(&q->guest_ip, ip + 12, 4);
	q->our_ip = dst;
	memcpy(&q->guest_port, udp, 2);
	q->deadline_ns = now() + TIMEOUT_NS;
	return true;
}

void dnsfwd_fill(struct dnsfwd *d, struct pollfd **pfds, size_t *n, size_t *cap)
{
	uint64_t t = now();

	d->nfilled = 0;
	for (int i = 0; i < DNSFWD_MAX; i++) {
		if (d->q[i].fd < 0)
			continue;
		if (t > d->q[i].deadline_ns) {
			closep(&d->q[i].fd);
			continue;
		}
		if (*n == *cap) {
			*cap *= 2;
			*pfds = xrealloc(*pfds, *cap, sizeof(**pfds));
		}
		(*pfds)[(*n)++] = (struct pollfd){ .fd = d->q[i].fd, .events = POLLIN };
		d->nfilled++;
	}
}

void dnsfwd_poll(struct dnsfwd *d, const struct pollfd *pfds, size_t first,
		 void (*out)(const uint8_t *frame, size_t len, void *opaque), void *opaque)
{
	size_t k = first;

	for (int i = 0; i < DNSFWD_MAX; i++) {
		uint8_t ans[4096], frame[4096 + 64];
		struct dnsq *q = &d->q[i];
		ssize_t r;
		size_t flen;
		uint16_t sport = htons(53);

		if (q->fd < 0 || k >= first + d->nfilled)
			continue;
		if (pfds[k].fd != q->fd) /* added after this round's fill */
			continue;
		if (!(pfds[k++].revents & (POLLIN | POLLERR | POLLHUP)))
			continue;
		r = recv(q->fd, ans, sizeof(ans), 0);
		closep(&q->fd);
		if (r <= 0)
			continue;
		flen = dnsfwd_build_frame(frame, sizeof(frame), q->guest_mac, q->our_mac, q->our_ip,
					  q->guest_ip, sport, q->guest_port, ans, (size_t)r);
		if (flen > 0) {
			out(frame, flen, opaque);
			d->answered++;
		}
	}
}

void dnsfwd_close(struct dnsfwd *d)
{
	for (int i = 0; i < DNSFWD_MAX; i++)
		closep(&d->q[i].fd);
}
