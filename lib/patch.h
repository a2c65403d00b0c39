/* patch.h - finding diffs in a message's text.
 *
 * Owns diff detection (git, diff -u and svn-style "Index:" diffs, in the
 * message's own unquoted text; a quoted diff is someone else's), the
 * split of a patch mail into commit message, diffstat and diff, the list
 * of touched files, and a diffstat computed from the diff when the mail
 * carries none.  The diff itself is dropped: the index keeps what it
 * touches, not its lines.
 */
#pragma once
#include <glib.h>

#define MD_PATCH_MAX_FILES 512
#define MD_PATCH_MAX_PATH  4096   /* bytes of one touched path */

typedef struct {
  GString *prose;       /* the text without its diffs (multi-line) */
  char *commit_msg;     /* text above the "---" separator; NULL when none */
  char *diffstat;       /* given or computed; NULL when there is no diff or stat */
  GPtrArray *files;     /* touched paths, in order, no duplicates */
  gboolean found;       /* a diff was there */
} MdPatch;

void md_patch_init (MdPatch *patch);
void md_patch_clear (MdPatch *patch);

/* Split TEXT (UTF-8, LF) into PATCH.  IS_REPLY: a reply's text above a
 * diff is a review, not a commit message, unless a "---" line marks it. */
void md_patch_split (const char *text, gsize len, gboolean is_reply, MdPatch *patch);
