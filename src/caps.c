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

unsigned long long caps_default_mask(void)
{
	unsigned long long m = 0;
	for (size_t i = 0; i < NKEEP; i++)
		m |= 1ull << keep[i];
	return m;
}

int caps_limit_bounding(unsigned long long mask, sb_error *err)
{
	cap_value_t last = (cap_value_t)cap_max_bits() - 1;

	for (cap_value_t c = 0; c <= last; c++) {
		if (c < 64 && (mask & (1ull << c)))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return sb_fail(err, errno, "drop capability %d from the bounding set", c);
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return sb_fail(err, errno, "clear ambient capabilities");
	return 0;
}

int caps_set_final(bool root_inside, unsigned long long mask, sb_error *err)
{
	cap_t caps = cap_init();   /* all clear */
	cap_value_t last = (cap_value_t)cap_max_bits() - 1;
	int r = 0;

	if (caps == NULL)
		return sb_fail(err, errno, "cap_init");
	for (cap_value_t c = 0; root_inside && r == 0 && c <= last && c < 64; c++) {
		if (!(mask & (1ull << c)))
			continue;
		if (cap_set_flag(caps, CAP_PERMITTED, 1, &c, CAP_SET) < 0 ||
		    cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_SET) < 0)
			r = sb_fail(err, errno, "cap_set_flag");
	}
	if (r == 0 && cap_set_proc(caps) < 0)
		r = sb_fail(err, errno, "set capabilities");
	cap_free(caps);
	return r;
}
