/* scgroups.c: the table of syscall groups (see scgroups.h). Each group lists
 * calls that act on the whole machine or reach the kernel in ways a
 * container has no use for; names follow systemd's SystemCallFilter= groups
 * so they read as familiar. Calls an architecture lacks are skipped when the
 * filter is built. */
#include "config.h"
#include "scgroups.h"

#include <seccomp.h>
#include <string.h>

#define CALLS(...) ((const char *const[]){ __VA_ARGS__, NULL })

const struct scgroup scgroups[] = {
	{ "@clock", "set the system clock",
	  CALLS("adjtimex", "clock_adjtime", "clock_adjtime64", "clock_settime",
		"clock_settime64", "settimeofday", "stime") },
	{ "@reboot", "reboot or load a new kernel",
	  CALLS("reboot", "kexec_load", "kexec_file_load") },
	{ "@module", "load and unload kernel modules",
	  CALLS("init_module", "finit_module", "delete_module") },
	{ "@swap", "enable or disable swap",
	  CALLS("swapon", "swapoff") },
	{ "@raw-io", "raw I/O port and PCI access",
	  CALLS("ioperm", "iopl", "pciconfig_iobase", "pciconfig_read", "pciconfig_write",
		"s390_pci_mmio_read", "s390_pci_mmio_write") },
	{ "@keyring", "the kernel key ring",
	  CALLS("add_key", "keyctl", "request_key") },
	{ "@debug", "debugging, tracing and performance monitoring",
	  CALLS("lookup_dcookie", "perf_event_open", "pidfd_getfd", "ptrace",
		"process_vm_readv", "process_vm_writev", "rtas", "s390_runtime_instr",
		"sys_debug_setcontext") },
	{ "@obsolete", "unused or obsolete calls",
	  CALLS("_sysctl", "afs_syscall", "bdflush", "break", "create_module", "ftime",
		"get_kernel_syms", "getpmsg", "gtty", "idle", "lock", "mpx", "prof", "profil",
		"putpmsg", "query_module", "security", "sgetmask", "ssetmask", "stty", "sysfs",
		"tuxcall", "ulimit", "uselib", "ustat", "vserver") },
	{ "@cpu-emulation", "CPU emulation modes",
	  CALLS("modify_ldt", "subpage_prot", "switch_endian", "vm86", "vm86old") },
	{ "@tty-inject", "push input into a terminal (TIOCSTI, TIOCLINUX)",
	  CALLS(SC_TTY_INJECT) },
};
const size_t n_scgroups = sizeof(scgroups) / sizeof(scgroups[0]);

const struct scgroup *scgroup_find(const char *name)
{
	for (size_t i = 0; i < n_scgroups; i++)
		if (strcmp(scgroups[i].name, name) == 0)
			return &scgroups[i];
	return NULL;
}

int sccall_known(const char *name)
{
	if (strcmp(name, SC_TTY_INJECT) == 0 || strcmp(name, SC_PERSONALITY) == 0)
		return 1;
	return seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name) != __NR_SCMP_ERROR ||
	       seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, name) != __NR_SCMP_ERROR;
}
