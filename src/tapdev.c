/* tapdev.c: creates and configures the sandbox's tap device (see tapdev.h) with
 * plain ioctls, no netlink library and no `ip` binary. Runs in the
 * sandbox's setup process, inside its user and network namespaces, before
 * the root is pivoted (so /dev/net/tun and /proc are still the host's). */
#include "config.h"
#include "tapdev.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/route.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

struct in6_ifreq_ {
	struct in6_addr addr;
	uint32_t prefixlen;
	int ifindex;
};

static int set_up(int sock, const char *name, sb_error *err)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
		return sb_fail(err, errno, "get flags of %s", name);
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)
		return sb_fail(err, errno, "bring %s up", name);
	return 0;
}

int net_loopback_up(sb_error *err)
{
	cleanup_close int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (sock < 0)
		return sb_fail(err, errno, "socket");
	return set_up(sock, "lo", err);
}

static void set_in4(struct sockaddr *sa, const char *addr)
{
	struct sockaddr_in *s = (struct sockaddr_in *)sa;
	memset(s, 0, sizeof(*s));
	s->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &s->sin_addr);
}

static int config4(int sock, sb_error *err)
{
	struct ifreq ifr = { 0 };
	struct rtentry rt = { 0 };

	snprintf(ifr.ifr_name, IFNAMSIZ, TAP_NAME);
	set_in4(&ifr.ifr_addr, NET_GUEST4);
	if (ioctl(sock, SIOCSIFADDR, &ifr) < 0)
		return sb_fail(err, errno, "set the address of " TAP_NAME);
	set_in4(&ifr.ifr_netmask, "255.255.255.0");
	if (ioctl(sock, SIOCSIFNETMASK, &ifr) < 0)
		return sb_fail(err, errno, "set the netmask of " TAP_NAME);
	if (set_up(sock, TAP_NAME, err) < 0)
		return -1;
	set_in4(&rt.rt_dst, "0.0.0.0");
	set_in4(&rt.rt_genmask, "0.0.0.0");
	set_in4(&rt.rt_gateway, NET_GATEWAY4);
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	rt.rt_dev = (char *)TAP_NAME;
	if (ioctl(sock, SIOCADDRT, &rt) < 0)
		return sb_fail(err, errno, "add the default route");
	return 0;
}

/* IPv6 is best effort: a kernel without it still gets IPv4. */
static void config6(void)
{
	cleanup_close int sock = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct in6_ifreq_ ifr6 = { 0 };
	struct in6_rtmsg rt = { 0 };
	int idx = (int)if_nametoindex(TAP_NAME);

	if (sock < 0 || idx == 0)
		return;
	/* no duplicate address detection: the address is usable at once */
	write_file("/proc/sys/net/ipv6/conf/" TAP_NAME "/accept_dad", "0", 1, NULL);
	inet_pton(AF_INET6, NET_GUEST6, &ifr6.addr);
	ifr6.prefixlen = 64;
	ifr6.ifindex = idx;
	if (ioctl(sock, SIOCSIFADDR, &ifr6) < 0)
		return;
	inet_pton(AF_INET6, NET_GATEWAY6, &rt.rtmsg_gateway);
	rt.rtmsg_flags = RTF_UP | RTF_GATEWAY;
	rt.rtmsg_metric = 1;
	rt.rtmsg_ifindex = idx;
	(void)ioctl(sock, SIOCADDRT, &rt);
}

int tap_create(unsigned mtu, sb_error *err)
{
	cleanup_close int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	cleanup_close int sock = -1;
	struct ifreq ifr = { 0 };

	if (fd < 0)
		return sb_fail(err, errno, "open /dev/net/tun"),
		       sb_hint(err, errno == EACCES ? "user-mode networking needs /dev/net/tun "
			       "mode 0666, as desktops have it: sudo chmod 0666 /dev/net/tun"
						    : "is the tun module loaded?");
	snprintf(ifr.ifr_name, IFNAMSIZ, TAP_NAME);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return sb_fail(err, errno, "create " TAP_NAME);
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return sb_fail(err, errno, "socket");
	if (set_up(sock, "lo", err) < 0)
		return -1;
	ifr.ifr_mtu = (int)mtu;
	if (ioctl(sock, SIOCSIFMTU, &ifr) < 0)
		return sb_fail(err, errno, "set the MTU of " TAP_NAME " to %u", mtu);
	if (config4(sock, err) < 0)
		return -1;
	config6();
	return steal_fd(&fd);
}
