/* tarpath.h: lexical checks of the names inside layer tarballs and image
 * archives. A name is cleaned into a path relative to the layer root
 * ("./usr//bin/" -> "usr/bin", "./" -> ""); absolute names and ".."
 * components are refused, never rewritten, since an honest layer has
 * neither. Whiteout names (OCI image spec: ".wh.NAME" hides NAME from the
 * layers below, ".wh..wh..opq" makes its directory opaque) are parsed here
 * too. Pure string work, unit tested; the file system half is extract.c. */
#ifndef SB_TARPATH_H
#define SB_TARPATH_H

#include "error.h"

/* Deeper names are refused: no honest layer nests this far, and removing a
 * tree takes one fd per level. */
#define TARPATH_MAX_DEPTH 512

/* Clean an entry name; `what` names it in errors ("entry", "hardlink
 * target", "manifest path"). *out is "" for the root itself. */
int tarpath_clean(const char *name, const char *what, char **out, sb_error *err);

/* Split a cleaned, non-empty path at its last '/': *dir gets the parent
 * ("" for the root), the return value is the last component (in path). */
const char *tarpath_split(const char *path, char **dir);

/* Resolve the target of a symlink found at `link` (a cleaned path inside an
 * archive) lexically against its directory; refused if it leaves the
 * archive. */
int tarpath_resolve_link(const char *link, const char *target, char **out, sb_error *err);

enum whiteout_kind {
	WHITEOUT_NONE,     /* an ordinary name */
	WHITEOUT_FILE,     /* ".wh.NAME": hides NAME */
	WHITEOUT_OPAQUE,   /* ".wh..wh..opq": the directory hides what is below */
};

/* Classify the last component `base`; for WHITEOUT_FILE *hidden points to
 * NAME inside base. Refuses ".wh." alone, ".wh..", ".wh...", and other
 * ".wh..wh." names (aufs metadata, which no OCI layer may carry). */
int whiteout_parse(const char *base, enum whiteout_kind *kind, const char **hidden,
		   sb_error *err);

#endif
