# default: used when no profile is named; no network, the base rules
include base
net none
