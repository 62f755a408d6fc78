# build: compilers and package managers; the current directory writable, network, a scratch /var/tmp
include base
net slirp
bind ${PWD} ${PWD}
chdir ${PWD}
tmpfs /var/tmp
