# network: like untrusted, but the tool may use the network
# (the host's network for now; user-mode networking will replace it)
include untrusted
net host
