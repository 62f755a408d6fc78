/* caps.c: capabilities of the sandboxed command (see caps.h), via libcap.
 * The set kept for uid 0 inside is what a package manager or build needs to
 * own files and switch users, and nothing that reaches the kernel's global
 * state; all of it only has meaning inside the sandbox's user namespace. */
#include "config.h"
#include "caps.h"
#include "util.h"

#include <errno.h>
#include <sys/capability.h>
#include <sys/prctl.h>

static const cap_value_t keep[] = {
	CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_KILL, CAP_SETGID,
	CAP_SETUID, CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_SETFCAP,
	CAP_AUDIT_WRITE,
};
#define NKEEP (sizeof(keep) / sizeof(keep[0]))

const char *caps_default_names(void)
{
	return "cap_chown,cap_dac_override,cap_fowner,cap_fsetid,cap_kill,cap_setgid,"
	       "cap_setuid,cap_setpcap,cap_net_bind_service,cap_sys_chroot,cap_setfcap,"
	       "cap_audit_write";
}

static bool kept(cap_value_t c)
{
	for (size_t i = 0; i < NKEEP; i++)
		if (keep[i] == c)
			return true;
	return false;
}

int caps_limit_bounding(sb_error *err)
{
	cap_value_t last = (cap_value_t)cap_max_bits() - 1;

	for (cap_value_t c = 0; c <= last; c++) {
		if (kept(c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return sb_fail(err, errno, "drop capability %d from the bounding set", c);
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return sb_fail(err, errno, "clear ambient capabilities");
	return 0;
}

int caps_set_final(bool root_inside, sb_error *err)
{
	cap_t caps = cap_init();   /* all clear */
	int r = 0;

	if (caps == NULL)
		return sb_fail(err, errno, "cap_init");
	if (root_inside &&
	    (cap_set_flag(caps, CAP_PERMITTED, NKEEP, keep, CAP_SET) < 0 ||
	     cap_set_flag(caps, CAP_EFFECTIVE, NKEEP, keep, CAP_SET) < 0))
		r = sb_fail(err, errno, "cap_set_flag");
	if (r == 0 && cap_set_proc(caps) < 0)
		r = sb_fail(err, errno, "set capabilities");
	cap_free(caps);
	return r;
}
