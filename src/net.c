/* net.c: libslirp in the monitor (see net.h). libslirp asks for its own
 * sockets to be polled through slirp_pollfds_fill and for timers through
 * callbacks; frames from the tap go to slirp_input, frames from libslirp
 * are written to the tap. A malformed frame is libslirp's to refuse: it
 * parses untrusted input, which is why the monitor confines itself once
 * the sandbox runs (monitor.c). libslirp (and GLib under it) is loaded
 * with dlopen only when --net slirp asks for it, so that every other run
 * starts without them. */
#include "config.h"
#include "net.h"
#include "dnsfwd.h"
#include "log.h"
#include "util.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <slirp/libslirp.h>
#include <string.h>

/* The few libslirp entry points we use, resolved at run time. */
static struct {
	Slirp *(*new)(const SlirpConfig *, const SlirpCb *, void *);
	void (*cleanup)(Slirp *);
	void (*fill)(Slirp *, uint32_t *, SlirpAddPollCb, void *);
	void (*poll)(Slirp *, int, SlirpGetREventsCb, void *);
	void (*input)(Slirp *, const uint8_t *, int);
	int (*add_hostfwd)(Slirp *, int, struct in_addr, int, struct in_addr, int);
} lib;

static int load_slirp(sb_error *err)
{
	void *h;

	if (lib.new != NULL)
		return 0;
	h = dlopen("libslirp.so.0", RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return sb_fail(err, 0, "cannot load libslirp: %s", dlerror()),
		       sb_hint(err, "sudo apt-get install libslirp0");
	*(void **)&lib.new = dlsym(h, "slirp_new");
	*(void **)&lib.cleanup = dlsym(h, "slirp_cleanup");
	*(void **)&lib.fill = dlsym(h, "slirp_pollfds_fill");
	*(void **)&lib.poll = dlsym(h, "slirp_pollfds_poll");
	*(void **)&lib.input = dlsym(h, "slirp_input");
	*(void **)&lib.add_hostfwd = dlsym(h, "slirp_add_hostfwd");
	if (!lib.new || !lib.cleanup || !lib.fill || !lib.poll || !lib.input || !lib.add_hostfwd) {
		lib.new = NULL;
		return sb_fail(err, 0, "libslirp lacks a function sandbox needs (4.1 or later)");
	}
	return 0;
}

struct timer {
	SlirpTimerCb cb;
	void *cb_opaque;
	int64_t expire_ms;   /* -1: not armed */
	struct timer *next;
};

struct net {
	Slirp *slirp;
	int tapfd;
	struct timer *timers;
	struct dnsfwd dns;
	size_t round_first;   /* index of this round's first slirp pollfd */
	uint64_t in, out;
	uint8_t *buf;
	size_t bufsize;
};

static int64_t clock_ns(void *opaque)
{
	(void)opaque;
	return (int64_t)now_ns();
}

static ssize_t send_packet(const void *buf, size_t len, void *opaque)
{
	struct net *n = opaque;
	ssize_t r;

	if (n->tapfd < 0)
		return (ssize_t)len;
	r = write(n->tapfd, buf, len);
	if (r < 0 && (errno == EAGAIN || errno == EINTR || errno == ENOBUFS))
		return (ssize_t)len;   /* dropped, as a busy link would */
	if (r > 0)
		n->out++;
	return r;
}

static void guest_error(const char *msg, void *opaque)
{
	(void)opaque;
	sb_trace("slirp: guest error: %s", msg);
}

static void *timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct net *n = opaque;
	struct timer *t = xcalloc(1, sizeof(*t));

	t->cb = cb;
	t->cb_opaque = cb_opaque;
	t->expire_ms = -1;
	t->next = n->timers;
	n->timers = t;
	return t;
}

static void timer_free(void *timer, void *opaque)
{
	struct net *n = opaque;

	for (struct timer **p = &n->timers; *p; p = &(*p)->next) {
		if (*p == timer) {
			*p = (*p)->next;
			free(timer);
			return;
		}
	}
}

static void timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	(void)opaque;
	((struct timer *)timer)->expire_ms = expire_ms;
}

static void no_poll_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

static void notify(void *opaque)
{
	(void)opaque;
}

static const SlirpCb callbacks = {
	.send_packet = send_packet,
	.guest_error = guest_error,
	.clock_get_ns = clock_ns,
	.timer_new = timer_new,
	.timer_free = timer_free,
	.timer_mod = timer_mod,
	.register_poll_fd = no_poll_fd,
	.unregister_poll_fd = no_poll_fd,
	.notify = notify,
};

int publish_parse(const char *s, struct publish *p, sb_error *err)
{
	char buf[128], *proto, *last, *mid;
	unsigned hp, gp;

	memset(p, 0, sizeof(*p));
	snprintf(p->host_ip, sizeof(p->host_ip), "127.0.0.1");
	if (strlen(s) >= sizeof(buf))
		return sb_fail(err, 0, "--publish: '%s' is too long", s);
	snprintf(buf, sizeof(buf), "%s", s);
	proto = strchr(buf, '/');
	if (proto != NULL) {
		*proto++ = '\0';
		if (strcmp(proto, "udp") == 0)
			p->udp = true;
		else if (strcmp(proto, "tcp") != 0)
			return sb_fail(err, 0, "--publish: '%s': protocol must be tcp or udp", s);
	}
	last = strrchr(buf, ':');
	if (last == NULL)
		return sb_fail(err, 0, "--publish: '%s' is not [HOST_IP:]HOST_PORT:PORT[/udp]", s);
	*last++ = '\0';
	mid = strrchr(buf, ':');
	if (mid != NULL) {
		*mid++ = '\0';
		struct in_addr a;
		if (inet_pton(AF_INET, buf, &a) != 1)
			return sb_fail(err, 0, "--publish: '%s': '%s' is not an IPv4 address", s, buf);
		snprintf(p->host_ip, sizeof(p->host_ip), "%.63s", buf);
	} else {
		mid = buf;
	}
	if (sscanf(mid, "%u", &hp) != 1 || sscanf(last, "%u", &gp) != 1 || hp == 0 || gp == 0 ||
	    hp > 65535 || gp > 65535 || strspn(mid, "0123456789") != strlen(mid) ||
	    strspn(last, "0123456789") != strlen(last))
		return sb_fail(err, 0, "--publish: '%s': ports must be 1 to 65535", s);
	p->host_port = (uint16_t)hp;
	p->port = (uint16_t)gp;
	return 0;
}

int net_start(const struct net_options *o, struct net **out, sb_error *err)
{
	struct net *n;
	SlirpConfig cfg = { .version = 4 };

	if (load_slirp(err) < 0)
		return -1;
	n = xcalloc(1, sizeof(*n));
	n->tapfd = -1;
	n->bufsize = o->mtu + 64;
	n->buf = xcalloc(n->bufsize, 1);
	if (dnsfwd_init(&n->dns, o->dns_server, err) < 0) {
		net_stop(n);
		return -1;
	}
	cfg.in_enabled = true;
	inet_pton(AF_INET, "10.0.2.0", &cfg.vnetwork);
	inet_pton(AF_INET, "255.255.255.0", &cfg.vnetmask);
	inet_pton(AF_INET, "10.0.2.2", &cfg.vhost);
	inet_pton(AF_INET, "10.0.2.15", &cfg.vdhcp_start);
	inet_pton(AF_INET, "10.0.2.3", &cfg.vnameserver);
	cfg.in6_enabled = true;
	inet_pton(AF_INET6, "fd00::", &cfg.vprefix_addr6);
	cfg.vprefix_len = 64;
	inet_pton(AF_INET6, "fd00::2", &cfg.vhost6);
	inet_pton(AF_INET6, "fd00::3", &cfg.vnameserver6);
	cfg.vhostname = o->hostname;
	cfg.if_mtu = o->mtu;
	cfg.if_mru = o->mtu;
	cfg.disable_host_loopback = !o->host_loopback;
	cfg.disable_dns = true;    /* dnsfwd.c answers 10.0.2.3 */
	cfg.disable_dhcp = true;   /* the address is configured statically */
	n->slirp = lib.new(&cfg, &callbacks, n);
	if (n->slirp == NULL) {
		net_stop(n);
		return sb_fail(err, 0, "cannot start the user-mode network (libslirp)");
	}
	for (size_t i = 0; i < o->n_publish; i++) {
		const struct publish *p = &o->publish[i];
		struct in_addr host, guest;
		inet_pton(AF_INET, p->host_ip, &host);
		inet_pton(AF_INET, "10.0.2.100", &guest);
		if (lib.add_hostfwd(n->slirp, p->udp, host, p->host_port, guest, p->port) < 0) {
			net_stop(n);
			return sb_fail(err, 0, "--publish %s:%u:%u%s: cannot listen on %s port %u "
				       "(is it taken?)", p->host_ip, p->host_port, p->port,
				       p->udp ? "/udp" : "", p->udp ? "UDP" : "TCP", p->host_port);
		}
	}
	*out = n;
	return 0;
}

void net_attach(struct net *n, int tapfd)
{
	n->tapfd = tapfd;
	set_cloexec(tapfd, true);
	{
		int fl = fcntl(tapfd, F_GETFL);
		if (fl >= 0)
			fcntl(tapfd, F_SETFL, fl | O_NONBLOCK);
	}
}

struct fillctx {
	struct pollfd **pfds;
	size_t *n, *cap;
	size_t first;
};

static int add_poll(int fd, int events, void *opaque)
{
	struct fillctx *c = opaque;
	short ev = 0;

	if (*c->n == *c->cap) {
		*c->cap *= 2;
		*c->pfds = xrealloc(*c->pfds, *c->cap, sizeof(**c->pfds));
	}
	if (events & SLIRP_POLL_IN)
		ev |= POLLIN;
	if (events & SLIRP_POLL_OUT)
		ev |= POLLOUT;
	if (events & SLIRP_POLL_PRI)
		ev |= POLLPRI;
	(*c->pfds)[*c->n] = (struct pollfd){ .fd = fd, .events = ev };
	return (int)((*c->n)++ - c->first);
}

void net_fill(struct net *n, struct pollfd **pfds, size_t *npfds, size_t *cap, int *timeout_ms)
{
	struct fillctx c = { .pfds = pfds, .n = npfds, .cap = cap };
	uint32_t t = *timeout_ms < 0 ? UINT32_MAX : (uint32_t)*timeout_ms;
	int64_t now_ms = (int64_t)(now_ns() / 1000000);

	if (*npfds + 1 > *cap) {
		*cap *= 2;
		*pfds = xrealloc(*pfds, *cap, sizeof(**pfds));
	}
	(*pfds)[(*npfds)++] = (struct pollfd){ .fd = n->tapfd, .events = POLLIN };
	dnsfwd_fill(&n->dns, pfds, npfds, cap);
	c.first = *npfds;
	n->round_first = c.first;
	lib.fill(n->slirp, &t, add_poll, &c);
	for (struct timer *tm = n->timers; tm; tm = tm->next) {
		if (tm->expire_ms < 0)
			continue;
		int64_t left = tm->expire_ms - now_ms;
		if (left < 0)
			left = 0;
		if ((uint64_t)left < t)
			t = (uint32_t)left;
	}
	*timeout_ms = t == UINT32_MAX ? -1 : (int)(t > 60000 ? 60000 : t);
}

struct pollctx {
	const struct pollfd *pfds;
	size_t first;
};

static int get_revents(int idx, void *opaque)
{
	const struct pollctx *c = opaque;
	short r = c->pfds[c->first + (size_t)idx].revents;
	int ev = 0;

	if (r & POLLIN)
		ev |= SLIRP_POLL_IN;
	if (r & POLLOUT)
		ev |= SLIRP_POLL_OUT;
	if (r & POLLPRI)
		ev |= SLIRP_POLL_PRI;
	if (r & POLLERR)
		ev |= SLIRP_POLL_ERR;
	if (r & POLLHUP)
		ev |= SLIRP_POLL_HUP;
	return ev;
}

static void to_tap(const uint8_t *frame, size_t len, void *opaque)
{
	send_packet(frame, len, opaque);
}

void net_poll(struct net *n, const struct pollfd *pfds, size_t first)
{
	struct pollctx c = { .pfds = pfds, .first = n->round_first };
	int64_t now_ms = (int64_t)(now_ns() / 1000000);

	dnsfwd_poll(&n->dns, pfds, first + 1, to_tap, n);
	lib.poll(n->slirp, 0, get_revents, &c);
	for (struct timer *tm = n->timers; tm; tm = tm->next) {
		if (tm->expire_ms >= 0 && tm->expire_ms <= now_ms) {
			tm->expire_ms = -1;
			tm->cb(tm->cb_opaque);
			break;   /* the callback may have changed the list */
		}
	}
	if (pfds[first].revents & POLLIN) {
		/* a bounded batch, so other fds get their turn */
		for (int i = 0; i < 64; i++) {
			ssize_t r = read(n->tapfd, n->buf, n->bufsize);
			if (r <= 0)
				break;
			n->in++;
			if (!dnsfwd_frame(&n->dns, n->buf, (size_t)r))
				lib.input(n->slirp, n->buf, (int)r);
		}
	}
}

void net_stop(struct net *n)
{
	if (n == NULL)
		return;
	if (n->slirp != NULL)
		lib.cleanup(n->slirp);
	while (n->timers != NULL) {
		struct timer *t = n->timers;
		n->timers = t->next;
		free(t);
	}
	dnsfwd_close(&n->dns);
	closep(&n->tapfd);
	free(n->buf);
	free(n);
}

void net_stats(const struct net *n, uint64_t *in, uint64_t *out, uint64_t *dns)
{
	*in = n->in;
	*out = n->out;
	*dns = n->dns.answered;
}

int net_tapfd(const struct net *n)
{
	return n->tapfd;
}
