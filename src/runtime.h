/* runtime.h: where a running sandbox may keep state on the host. */
#ifndef SB_RUNTIME_H
#define SB_RUNTIME_H

#include "error.h"

/* The runtime base directory for this user: $XDG_RUNTIME_DIR when it is set,
 * exists, is ours and private; else /run/user/UID under the same rules; else
 * /tmp/sandbox-UID, created 0700 and checked to be ours and not a link.
 * *why says which one was chosen and why (static text). */
int runtime_base(char **out, const char **why, sb_error *err);

/* sandbox's own private directory inside the runtime base (created 0700
 * and checked): "<base>/sandbox", or the /tmp/sandbox-UID fallback itself. */
int runtime_dir(char **out, sb_error *err);

#endif
