# untrusted: a command-line tool you do not trust; no network, no home, only the current directory writable
include base
net none
bind ${PWD} ${PWD}
chdir ${PWD}
