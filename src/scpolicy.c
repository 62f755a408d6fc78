/* scpolicy.c: the denied-call set (see scpolicy.h). */
#include "config.h"
#include "scpolicy.h"
#include "scgroups.h"
#include "util.h"

#include <string.h>

int scpolicy_check_name(const char *name, sb_error *err)
{
	if (name[0] == '@') {
		if (scgroup_find(name) != NULL)
			return 0;
		sb_fail(err, 0, "unknown system call group '%s'", name);
		{
			size_t len = 0;
			char list[512] = "";
			for (size_t i = 0; i < n_scgroups && len + 20 < sizeof(list); i++)
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
							i ? " " : "", scgroups[i].name);
			sb_hint(err, "groups: %s", list);
		}
		return -1;
	}
	if (!sccall_known(name))
		return sb_fail(err, 0, "unknown system call '%s'", name),
		       sb_hint(err, "see 'sandbox profiles groups' for the groups");
	return 0;
}

static void remove_call(struct sc_policy *p, const char *call)
{
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->rules[i].call, call) == 0) {
			free(p->rules[i].group);
			free(p->rules[i].source);
			p->rules[i] = p->rules[--p->n];
			return;
		}
	}
}

static void add_call(struct sc_policy *p, const char *call, const char *group, const char *source)
{
	remove_call(p, call);
	p->rules = xrealloc(p->rules, p->n + 1, sizeof(*p->rules));
	p->rules[p->n].call = call;
	p->rules[p->n].group = group ? xstrdup(group) : NULL;
	p->rules[p->n].source = xstrdup(source);
	p->n++;
}

void scpolicy_build(const struct seccomp_op *ops, size_t n, struct sc_policy *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		const struct scgroup *g = ops[i].name[0] == '@' ? scgroup_find(ops[i].name) : NULL;

		if (g != NULL) {
			for (const char *const *c = g->calls; *c; c++) {
				if (ops[i].allow)
					remove_call(out, *c);
				else
					add_call(out, *c, g->name, ops[i].source);
			}
		} else if (ops[i].name[0] != '@') {
			if (ops[i].allow)
				remove_call(out, ops[i].name);
			else
				add_call(out, ops[i].name, NULL, ops[i].source);
		}
	}
}

const struct sc_rule *scpolicy_find(const struct sc_policy *p, const char *call)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->rules[i].call, call) == 0)
			return &p->rules[i];
	return NULL;
}

void scpolicy_free(struct sc_policy *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->rules[i].group);
		free(p->rules[i].source);
	}
	free(p->rules);
	memset(p, 0, sizeof(*p));
}
