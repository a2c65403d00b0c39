/* patch.h - finding diffs in a message's text.
 *
 * Owns diff detection (git, diff -u and svn-style "Index:" diffs, in the
 * message's own unquoted text; a quoted diff is someone else's), the
 * split of a patch mail into commit message, diffstat and diff, the list
 * of touched files and functions (the context git writes after a hunk's
 * "@@"), and a diffstat computed from the diff when the mail carries none.  The diff itself is dropped: the index keeps what it
 * touches, not its lines.
 */
#pragma once
#include <glib.h>

#define MD_PATCH_MAX_FILES 512
#define MD_PATCH_MAX_PATH  4096   /* bytes of one touched path */
#define MD_PATCH_MAX_FUNCS 64     /* functions kept of one patch */
#define MD_PATCH_MAX_FUNC  120    /* bytes of one function entry */

typedef struct {
  char *commit_msg;     /* text above the "---" separator; NULL when none */
  char *diffstat;       /* given or computed; NULL when there is no diff or stat */
  GPtrArray *files;     /* touched paths, in order, no duplicates */
  GPtrArray *functions; /* hunk contexts: a name ("foo") or the trimmed
                         * context, in order, no duplicates, bounded */
  gboolean found;       /* a diff was there */
  GArray *cuts;         /* MdPatchCut: where the diffs are in the text */
} MdPatch;

typedef struct {
  gsize from, to;       /* byte offsets into the text given to md_patch_split() */
} MdPatchCut;

void md_patch_init (MdPatch *patch);
void md_patch_clear (MdPatch *patch);

/* Reads TEXT (UTF-8, LF) into PATCH.  IS_REPLY: a reply's text above a
 * diff is a review, not a commit message, unless a "---" line marks it.
 * TEXT is not changed: what is kept of it is known before any of it is
 * copied. */
void md_patch_split (const char *text, gsize len, gboolean is_reply, MdPatch *patch);

/* Removes the diffs PATCH found from TEXT, whose bytes from FROM on are
 * the text given to md_patch_split(), in place: the prose is left. */
void md_patch_remove_diffs (const MdPatch *patch, GString *text, gsize from);
