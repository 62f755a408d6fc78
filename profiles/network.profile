# network: like untrusted, but the tool may use the network (user-mode, through libslirp; the host's loopback stays shut)
include untrusted
net slirp
