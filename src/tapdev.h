/* tapdev.h: the sandbox side of user-mode networking: a tap device made in the
 * sandbox's own network namespace and configured for the libslirp network
 * (10.0.2.100/24 via 10.0.2.2, fd00::100/64 via fd00::2). */
#ifndef SB_TAPDEV_H
#define SB_TAPDEV_H

#include "error.h"

#define TAP_NAME "tap0"
#define NET_GUEST4 "10.0.2.100"
#define NET_GATEWAY4 "10.0.2.2"
#define NET_DNS4 "10.0.2.3"
#define NET_GUEST6 "fd00::100"
#define NET_GATEWAY6 "fd00::2"

/* Bring lo up and create, configure and bring up tap0 with `mtu`; returns
 * the tap fd (the monitor's end of the link). */
int tap_create(unsigned mtu, sb_error *err);
/* Bring lo up (for --net none). */
int net_loopback_up(sb_error *err);

#endif
