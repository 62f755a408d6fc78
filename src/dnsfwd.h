/* dnsfwd.h: the DNS server at 10.0.2.3 inside the sandbox's network. UDP
 * queries the sandbox sends there are taken off the tap before libslirp
 * sees them, sent from the monitor (on the host's network, so a loopback
 * resolver such as 127.0.0.53 works) to the upstream server, and the
 * answers are framed back onto the tap. */
#ifndef SB_DNSFWD_H
#define SB_DNSFWD_H

#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define DNSFWD_MAX 64

struct dnsq {
	int fd;                    /* connected UDP socket to the upstream, -1 if free */
	uint64_t deadline_ns;
	uint8_t guest_mac[6], our_mac[6];
	uint32_t guest_ip, our_ip; /* network order */
	uint16_t guest_port;       /* network order */
};

struct dnsfwd {
	struct sockaddr_storage upstream;
	socklen_t upstream_len;
	uint32_t listen_ip;        /* 10.0.2.3, network order */
	struct dnsq q[DNSFWD_MAX];
	size_t nfilled;            /* pollfds added by the last dnsfwd_fill */
	uint64_t answered;
};

/* Upstream from "IP[:PORT]", or the first nameserver of /etc/resolv.conf. */
int dnsfwd_init(struct dnsfwd *d, const char *server, sb_error *err);
/* A frame from the guest: true if it was a DNS query for us (consumed). */
bool dnsfwd_frame(struct dnsfwd *d, const uint8_t *frame, size_t len);
void dnsfwd_fill(struct dnsfwd *d, struct pollfd **pfds, size_t *n, size_t *cap);
/* Handle answers; write each answer frame with `out`. */
void dnsfwd_poll(struct dnsfwd *d, const struct pollfd *pfds, size_t first,
		 void (*out)(const uint8_t *frame, size_t len, void *opaque), void *opaque);
void dnsfwd_close(struct dnsfwd *d);

/* Build an Ethernet/IPv4/UDP frame (pure, unit tested); returns its length. */
size_t dnsfwd_build_frame(uint8_t *buf, size_t cap, const uint8_t dst_mac[6],
			  const uint8_t src_mac[6], uint32_t src_ip, uint32_t dst_ip,
			  uint16_t src_port, uint16_t dst_port, const uint8_t *payload, size_t plen);

#endif
