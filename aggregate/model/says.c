/* says.c - what a message says (see says.h).
 *
 * Applied: a reply to a posting with a line (not quoted) that starts
 * "Applied", "Queued", "Pushed", "Merged", "Picked up" ("Thanks,
 * applied", "I've applied") followed by punctuation or by a destination
 * that looks like a tree ("to kvmarm/next", "for 5.12", "to fixes"), and
 * that is not a test report ("applied on top of ... and tested"); or
 * pr-tracker-bot's "has been merged into".
 */
#include <string.h>
#include "says.h"

GRegex *
md_once_regex (GRegex **slot, const char *pattern)
{
  if (g_once_init_enter (slot))
    g_once_init_leave (slot, g_regex_new (pattern, G_REGEX_CASELESS | G_REGEX_OPTIMIZE,
                                          0, NULL));
  return *slot;
}

/* The first line of TEXT's own (unquoted) lines that RE matches. */
char *
md_own_line_matching (const char *text, GRegex *re)
{
  g_auto (GStrv) lines = g_strsplit (text ? text : "", "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      const char *l = lines[i] + strspn (lines[i], " \t");
      if (*l != '>' && g_regex_match (re, l, 0, NULL))
        return g_strstrip (g_strdup (l));
    }
  return NULL;
}

char *
md_record_applied_line (const MdRecord *rec)
{
  static GRegex *applied, *merged;
  GRegex *a = md_once_regex (&applied,
    "^(thanks[,!.]?\\s*)?((i('ve|\\s+have)?|now|and)\\s+)?"
    "(applied|queued(\\s+up)?|pushed|merged|picked\\s+up)\\b"
    "(?!.*\\btest)(?!\\s+on\\s+top\\b)"
    "(\\s*([,.!:]|$)"
    /* or a destination that looks like a tree, branch or release */
    "|\\s+((it|this|these|them|the\\s+series|all)\\s+)?(to|into|in|on|for)\\s+.{0,40}?"
    "(\\S/\\S|\\b(next|fixes|master|main|queue|mainline|tree|branch|stable|linus)\\b|\\b\\d+\\.\\d+))");
  GRegex *m = md_once_regex (&merged, "has been merged into");

  if (md_record_is_posting (rec))
    return NULL;
  if (g_str_has_prefix (rec->from_email, "pr-tracker-bot@"))
    return md_own_line_matching (rec->body, m);
  return md_own_line_matching (rec->body, a);
}
