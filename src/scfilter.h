/* scfilter.h: the sandbox's seccomp filter. The monitor compiles it with
 * libseccomp before the clone (from the denied-call policy, or from a
 * Docker/OCI JSON profile) into a BPF program; the command's process loads
 * that program last, just before execve, and hands the user-notification
 * listener to the monitor, which explains each refusal (scnotify.c). */
#ifndef SB_SCFILTER_H
#define SB_SCFILTER_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "scpolicy.h"

struct sc_filter {
	struct sock_filter *insns;
	size_t n;
	bool notify;      /* denied calls go to the monitor's listener */
};

struct sc_options {
	const struct sc_policy *policy;
	const char *json_profile;   /* replaces the policy when set */
	bool allow_userns;
	bool quiet;                 /* EPERM straight away, no listener */
	bool root_caps;             /* caps of the command, for JSON "includes" */
	const unsigned long long *caps_mask;
};

int seccomp_filter_build(const struct sc_options *o, struct sc_filter *out, sb_error *err);
void seccomp_filter_free(struct sc_filter *f);
/* In the command's process, no_new_privs already set: load the filter; with
 * notify, *listener receives the listener fd. */
int seccomp_filter_load(const struct sc_filter *f, int *listener, sb_error *err);

/* Docker/OCI JSON profile into ctx (a scmp_filter_ctx). */
int seccomp_json_load(void *ctx_out, const char *path, unsigned long long caps,
		      sb_error *err);

/* Pass an fd over a unix socket with a one-byte tag, and receive it. */
int send_fd(int sock, int fd, char tag);
int recv_fd(int sock, char *tag);

#endif
