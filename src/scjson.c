/* scjson.c: loads a Docker/OCI seccomp JSON profile (the format of Docker's
 * default profile and of containers' seccomp.json) into a libseccomp context:
 * defaultAction and defaultErrnoRet, archMap sub-architectures of this
 * machine, and each syscalls[] entry with its action, errnoRet, argument
 * comparisons and includes/excludes by capability, architecture and minimum
 * kernel. Names this libseccomp does not know are skipped, as Docker does. */
#include "config.h"
#include "scfilter.h"
#include "util.h"

#include <errno.h>
#include <json-c/json.h>
#include <seccomp.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/utsname.h>

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : NULL;
}

static json_object *jarr(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_array)
		       ? v : NULL;
}

static int action_of(const char *name, json_object *entry, int def_errno, uint32_t *out,
		     const char *where, sb_error *err)
{
	json_object *e;
	int eno = def_errno;

	if (entry != NULL && json_object_object_get_ex(entry, "errnoRet", &e))
		eno = json_object_get_int(e);
	if (name == NULL)
		return sb_fail(err, 0, "%s: no action", where);
	if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
		*out = SCMP_ACT_ALLOW;
	else if (strcmp(name, "SCMP_ACT_ERRNO") == 0 || strcmp(name, "SCMP_ACT_NOTIFY") == 0)
		*out = SCMP_ACT_ERRNO((uint32_t)eno);
	else if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
		*out = SCMP_ACT_KILL_THREAD;
	else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
		*out = SCMP_ACT_KILL_PROCESS;
	else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
		*out = SCMP_ACT_TRAP;
	else if (strcmp(name, "SCMP_ACT_TRACE") == 0)
		*out = SCMP_ACT_TRACE((uint32_t)eno);
	else if (strcmp(name, "SCMP_ACT_LOG") == 0)
		*out = SCMP_ACT_LOG;
	else
		return sb_fail(err, 0, "%s: unknown action '%s'", where, name);
	return 0;
}

static int op_of(const char *s, enum scmp_compare *out)
{
	static const struct { const char *n; enum scmp_compare c; } ops[] = {
		{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
		{ "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
		{ "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};
	for (size_t i = 0; s && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(ops[i].n, s) == 0) {
			*out = ops[i].c;
			return 0;
		}
	return -1;
}

static const char *go_arch(void)
{
	switch (seccomp_arch_native()) {
	case SCMP_ARCH_X86_64: return "amd64";
	case SCMP_ARCH_AARCH64: return "arm64";
	case SCMP_ARCH_X86: return "386";
	default: return "";
	}
}

static bool in_list(json_object *arr, const char *s)
{
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s) == 0)
			return true;
	return false;
}

static bool has_cap(unsigned long long caps, const char *name)
{
	cap_value_t v;
	char low[64];
	size_t i;

	for (i = 0; i < sizeof(low) - 1 && name[i]; i++)
		low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
	low[i] = '\0';
	if (cap_from_name(low, &v) < 0 || v >= 64)
		return false;
	return caps & (1ull << v);
}

static int kernel_at_least(const char *min)
{
	struct utsname u;
	int a = 0, b = 0, x = 0, y = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &a, &b) < 1 || sscanf(min, "%d.%d", &x, &y) < 1)
		return 1;
	return a > x || (a == x && b >= y);
}

/* Does the entry apply here (includes/excludes)? */
static bool applies(json_object *entry, unsigned long long caps)
{
	json_object *inc, *exc;
	const char *arch = go_arch();

	if (json_object_object_get_ex(entry, "includes", &inc)) {
		json_object *caps_a = jarr(inc, "caps"), *arches = jarr(inc, "arches");
		const char *mk = jstr(inc, "minKernel");
		for (size_t i = 0; caps_a && i < json_object_array_length(caps_a); i++)
			if (!has_cap(caps, json_object_get_string(json_object_array_get_idx(caps_a, i))))
				return false;
		if (arches && json_object_array_length(arches) > 0 && !in_list(arches, arch))
			return false;
		if (mk && !kernel_at_least(mk))
			return false;
	}
	if (json_object_object_get_ex(entry, "excludes", &exc)) {
		json_object *caps_a = jarr(exc, "caps"), *arches = jarr(exc, "arches");
		for (size_t i = 0; caps_a && i < json_object_array_length(caps_a); i++)
			if (has_cap(caps, json_object_get_string(json_object_array_get_idx(caps_a, i))))
				return false;
		if (arches && in_list(arches, arch))
			return false;
	}
	return true;
}

static int add_entry(scmp_filter_ctx ctx, json_object *entry, int def_errno, uint32_t def_action,
		     const char *path, size_t idx, sb_error *err)
{
	struct scmp_arg_cmp cmp[6];
	unsigned ncmp = 0;
	json_object *names = jarr(entry, "names"), *args = jarr(entry, "args");
	const char *single = jstr(entry, "name");
	cleanup_free char *where = xasprintf("seccomp profile '%s' syscalls[%zu]", path, idx);
	uint32_t action = SCMP_ACT_ALLOW;
	size_t nn = names ? json_object_array_length(names) : 0;

	if (action_of(jstr(entry, "action"), entry, def_errno, &action, where, err) < 0)
		return -1;
	for (size_t i = 0; args && i < json_object_array_length(args); i++) {
		json_object *a = json_object_array_get_idx(args, i), *v;
		enum scmp_compare op = SCMP_CMP_EQ;
		uint64_t val = 0, val2 = 0;
		int index = -1;

		if (ncmp == 6)
			return sb_fail(err, 0, "%s: more than 6 argument comparisons", where);
		if (json_object_object_get_ex(a, "index", &v))
			index = json_object_get_int(v);
		if (json_object_object_get_ex(a, "value", &v))
			val = (uint64_t)json_object_get_uint64(v);
		if (json_object_object_get_ex(a, "valueTwo", &v))
			val2 = (uint64_t)json_object_get_uint64(v);
		if (index < 0 || index > 5 || op_of(jstr(a, "op"), &op) < 0)
			return sb_fail(err, 0, "%s: bad argument comparison %zu", where, i);
		cmp[ncmp++] = (struct scmp_arg_cmp){ .arg = (unsigned)index, .op = op,
						     .datum_a = val, .datum_b = val2 };
	}
	if (action == def_action)
		return 0;
	for (size_t i = 0; i < nn + (single ? 1 : 0); i++) {
		const char *name = i < nn ? json_object_get_string(json_object_array_get_idx(names, i)) : single;
		int nr = seccomp_syscall_resolve_name(name);
		int r;

		if (nr == __NR_SCMP_ERROR)
			continue;
		r = seccomp_rule_add_array(ctx, action, nr, ncmp, cmp);
		if (r == -EINVAL && ncmp > 1) {
			/* several comparisons of one argument: one rule each */
			for (unsigned k = 0; k < ncmp; k++) {
				r = seccomp_rule_add_array(ctx, action, nr, 1, &cmp[k]);
				if (r < 0 && r != -EEXIST && r != -EDOM)
					break;
				r = 0;
			}
		}
		if (r < 0 && r != -EEXIST && r != -EDOM)
			return sb_fail(err, -r, "%s: rule for '%s'", where, name);
	}
	return 0;
}

static uint32_t arch_token(const char *name)
{
	static const struct { const char *n; uint32_t t; } map[] = {
		{ "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64 }, { "SCMP_ARCH_X86", SCMP_ARCH_X86 },
		{ "SCMP_ARCH_X32", SCMP_ARCH_X32 }, { "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64 },
		{ "SCMP_ARCH_ARM", SCMP_ARCH_ARM },
	};
	for (size_t i = 0; name && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].n, name) == 0)
			return map[i].t;
	return 0;
}

/* The sub-architectures the profile lists for this machine's architecture
 * ("archMap"), or its flat "architectures" list. */
static int add_json_arches(scmp_filter_ctx ctx, json_object *root)
{
	json_object *map = jarr(root, "archMap"), *flat = jarr(root, "architectures");
	uint32_t native = seccomp_arch_native();

	for (size_t i = 0; map && i < json_object_array_length(map); i++) {
		json_object *m = json_object_array_get_idx(map, i), *subs = jarr(m, "subArchitectures");
		if (arch_token(jstr(m, "architecture")) != native)
			continue;
		for (size_t k = 0; subs && k < json_object_array_length(subs); k++) {
			uint32_t t = arch_token(json_object_get_string(json_object_array_get_idx(subs, k)));
			int r = t ? seccomp_arch_add(ctx, t) : 0;
			if (r < 0 && r != -EEXIST)
				return -1;
		}
	}
	for (size_t i = 0; !map && flat && i < json_object_array_length(flat); i++) {
		uint32_t t = arch_token(json_object_get_string(json_object_array_get_idx(flat, i)));
		int r = t && t != native ? seccomp_arch_add(ctx, t) : 0;
		if (r < 0 && r != -EEXIST)
			return -1;
	}
	return 0;
}

int seccomp_json_load(void *ctx_out, const char *path, unsigned long long caps, sb_error *err)
{
	json_object *root = json_object_from_file(path);
	json_object *calls, *v;
	scmp_filter_ctx ctx;
	uint32_t def_action = SCMP_ACT_ALLOW;
	int def_errno = EPERM, r = -1;

	if (root == NULL)
		return sb_fail(err, 0, "seccomp profile '%s': %s", path, json_util_get_last_err()),
		       sb_set_status(err, SB_EXIT_FAILURE);
	if (json_object_object_get_ex(root, "defaultErrnoRet", &v))
		def_errno = json_object_get_int(v);
	if (action_of(jstr(root, "defaultAction"), NULL, def_errno, &def_action,
		      "seccomp profile defaultAction", err) < 0)
		goto out;
	ctx = seccomp_init(def_action);
	if (ctx == NULL) {
		sb_fail(err, ENOMEM, "seccomp_init");
		goto out;
	}
	*(scmp_filter_ctx *)ctx_out = ctx;
	if (add_json_arches(ctx, root) < 0) {
		sb_fail(err, 0, "seccomp profile '%s': cannot add its architectures", path);
		goto out;
	}
	calls = jarr(root, "syscalls");
	for (size_t i = 0; calls && i < json_object_array_length(calls); i++) {
		json_object *entry = json_object_array_get_idx(calls, i);
		if (!applies(entry, caps))
			continue;
		if (add_entry(ctx, entry, def_errno, def_action, path, i, err) < 0)
			goto out;
	}
	r = 0;
out:
	json_object_put(root);
	return r;
}
