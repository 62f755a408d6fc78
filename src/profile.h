/* profile.h: profiles, saved command lines. Each line of a profile is a
 * long option of `sandbox run` without its dashes; `include NAME` pulls in
 * another; `#` starts a comment; ${HOME}, ${PWD}, ${XDG_RUNTIME_DIR}, ${UID}
 * and ${USER} expand. Looked up in the user's config directory,
 * /etc/sandbox/profiles, the installed profiles directory, then the copies
 * built into the binary; a name with a '/' is a path. */
#ifndef SB_PROFILE_H
#define SB_PROFILE_H

#include <stdio.h>

#include "error.h"

struct run_spec;

/* Apply profile NAME (and its includes) to spec, line by line. */
int profile_apply(struct run_spec *spec, const char *name, sb_error *err);
/* Print NAME fully expanded: includes resolved, variables expanded. */
int profile_show(const char *name, FILE *out, sb_error *err);
/* Print every profile found, with its description and where it is. */
int profile_list(FILE *out, sb_error *err);

/* Split one profile line into words: blanks separate, "double quotes"
 * group, ${VAR} expands from vars (NULL-terminated NAME, VALUE pairs).
 * Returns the word count (0 for blank/comment lines), -1 on error. */
int profile_split_line(const char *line, const char *const *vars, char ***words,
		       sb_error *err);
void profile_free_words(char **words);

/* Built into the binary (generated from profiles/ at build time). */
struct builtin_profile {
	const char *name;
	const char *text;
};
extern const struct builtin_profile builtin_profiles[];
extern const unsigned n_builtin_profiles;

#endif
