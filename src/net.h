/* net.h: the monitor side of user-mode networking (--net slirp): libslirp
 * turns the frames of the sandbox's tap device into ordinary sockets of the
 * host, forwards published ports, and DNS queries to 10.0.2.3 go to the
 * host's resolver (dnsfwd.c). It runs in the monitor's event loop. */
#ifndef SB_NET_H
#define SB_NET_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct publish {
	bool udp;
	char host_ip[64];   /* default 127.0.0.1 */
	uint16_t host_port, port;
};

struct net_options {
	unsigned mtu;
	bool host_loopback;         /* let 10.0.2.2 reach the host's 127.0.0.1 */
	const struct publish *publish;
	size_t n_publish;
	const char *dns_server;     /* upstream "IP[:PORT]", NULL: the host's */
	const char *hostname;
};

struct net;

/* Before the clone: the slirp stack and its port forwards (a port that is
 * taken fails here, before anything else is created). */
int net_start(const struct net_options *o, struct net **out, sb_error *err);
/* Once the sandbox has sent its tap fd. */
void net_attach(struct net *n, int tapfd);
/* Event loop: add this round's fds to *pfds (growing it) and lower
 * *timeout_ms for timers; then handle what poll reported. */
void net_fill(struct net *n, struct pollfd **pfds, size_t *npfds, size_t *cap, int *timeout_ms);
void net_poll(struct net *n, const struct pollfd *pfds, size_t first);
void net_stop(struct net *n);
/* The tap fd, -1 before net_attach. */
int net_tapfd(const struct net *n);
/* Counters for --verbose at exit. */
void net_stats(const struct net *n, uint64_t *frames_in, uint64_t *frames_out, uint64_t *dns);

/* Parse "[HOST_IP:]HOST_PORT:PORT[/udp|/tcp]" (pure, unit tested). */
int publish_parse(const char *s, struct publish *out, sb_error *err);

#endif
