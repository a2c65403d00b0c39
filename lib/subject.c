/* subject.c - parse the tags of a mailing-list subject (see subject.h).
 *
 * Rationale.  A kernel-list subject is a chain of prefixes followed by the
 * title: reply/forward markers ("Re:", "AW:", "回复:", "Fwd:"), b4's
 * "(subset)", and bracket groups ("[PATCH v3 04/25]", "[RFC][PATCH]",
 * "[QEMU][PATCH]").  The chain is read item by item until the first thing
 * that is not a prefix; the rest is the title.
 *
 * Each bracket group is tokenised (whitespace and commas separate tokens,
 * "4 / 25" is one token) and classified:
 *   STRONG  holds a tag keyword (PATCH, PATCHv2, RFC, RFT, RESEND, REPOST,
 *           GIT PULL, PULL) and at most MAX_WORDS other words (projects
 *           such as "kvmtool", "6.1", "net-next");
 *   WEAK    holds only versions and numbering ("[v2]", "[1/3]");
 *   PROJ    holds exactly one plain word ("[QEMU]", "[kvm-unit-tests]");
 *   OTHER   anything else ("[Bug 12345]", "[ANNOUNCE ...]", unbalanced).
 * WEAK and PROJ groups are tags only when the same chain also holds a
 * STRONG group: "[QEMU][PATCH] x" is a QEMU patch, "[QEMU] x" is a title.
 * So the chain is scanned twice: once to learn whether it holds a STRONG
 * group, once to apply the items.  Both passes are linear; a group is
 * bounded (MAX_GROUP bytes) so hostile subjects stay cheap.
 */
#include <string.h>
#include "subject.h"

#define MAX_GROUP   256  /* longest bracket group we take for a tag group */
#define MAX_TOKENS  16   /* most tokens in a tag group */
#define MAX_WORDS   3    /* most non-keyword words in a STRONG group */
#define MAX_WORD    40   /* longest project word */
#define MAX_NUMBER  16   /* longest digit run we look at in a version */

typedef enum { GROUP_OTHER, GROUP_STRONG, GROUP_WEAK, GROUP_PROJ } GroupClass;

typedef enum {
  ITEM_NONE, ITEM_REPLY, ITEM_FORWARD, ITEM_NOISE, ITEM_GROUP,
} ItemKind;

typedef struct {
  ItemKind kind;
  GroupClass group;   /* for ITEM_GROUP */
  const char *start;  /* group: just after '[' */
  gsize len;          /* group: content length */
  const char *next;   /* first byte after the item */
} Item;

/* What one bracket group holds; filled by group_scan(). */
typedef struct {
  guint strong, weak, words, bad;
  gboolean patch, rfc, resend, git_pull;
  guint64 index, total;
  gboolean numbered;
  char *version_str;  /* first version seen */
  GString *project;   /* words joined by a space */
} GroupScan;

/* ---- numbers and versions ---------------------------------------- */

static guint16
clamp16 (guint64 v)
{
  return v > G_MAXUINT16 ? G_MAXUINT16 : (guint16) v;
}

/* Saturating decimal: "99999999999999999999" is G_MAXUINT64, never UB. */
static gboolean
parse_digits (const char *s, gsize len, guint64 *out)
{
  guint64 v = 0;

  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
      v = v > G_MAXUINT64 / 10 - 1 ? G_MAXUINT64 : v * 10 + (guint64) (s[i] - '0');
    }
  *out = v;
  return TRUE;
}

/* "3", "1.1", "5.5": digits separated by single dots. */
static gboolean
is_version_number (const char *s, gsize len)
{
  if (len == 0 || len > MAX_NUMBER || !g_ascii_isdigit (s[0]) || !g_ascii_isdigit (s[len - 1]))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (s[i]) && !(s[i] == '.' && s[i + 1] != '.'))
      return FALSE;
  return TRUE;
}

/* "v3", "V3", "v1.1" (S points at the 'v'). */
static gboolean
is_version (const char *s, gsize len)
{
  return len >= 2 && (s[0] == 'v' || s[0] == 'V') && is_version_number (s + 1, len - 1);
}

/* "04/25" (spaces around the slash were removed by the tokeniser). */
static gboolean
parse_numbering (const char *s, gsize len, guint64 *index, guint64 *total)
{
  const char *slash = memchr (s, '/', len);

  if (slash == NULL)
    return FALSE;
  return parse_digits (s, (gsize) (slash - s), index)
         && parse_digits (slash + 1, len - (gsize) (slash - s) - 1, total);
}

/* ---- tokens ------------------------------------------------------ */

static gboolean
token_is (const char *tok, const char *word)
{
  return g_ascii_strcasecmp (tok, word) == 0;
}

static gboolean
has_prefix_ci (const char *tok, const char *prefix)
{
  return g_ascii_strncasecmp (tok, prefix, strlen (prefix)) == 0;
}

/* A project word: "kvmtool", "6.1", "5.10.y", "net-next", "for-next". */
static gboolean
is_plain_word (const char *tok)
{
  gsize len = strlen (tok);

  if (len == 0 || len > MAX_WORD)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (tok[i]) && !strchr ("._+-", tok[i]))
      return FALSE;
  return strpbrk (tok, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != NULL;
}

static void
scan_version (GroupScan *g, const char *v)
{
  if (g->version_str == NULL)
    g->version_str = g_strdup (v + 1);
}

static void
scan_word (GroupScan *g, const char *word)
{
  /* "-next" names the tree "next": the dash is only punctuation. */
  while (*word == '-')
    word++;
  if (!is_plain_word (word))
    {
      g->bad++;
      return;
    }
  g->words++;
  if (g->project->len > 0)
    g_string_append_c (g->project, ' ');
  g_string_append (g->project, word);
}

/* A keyword possibly glued to a suffix: PATCH, PATCHES, PATCHv2,
 * PATCH-next, RFC, RFCv2.  Returns FALSE when TOK is no keyword. */
static gboolean
scan_keyword (GroupScan *g, const char *tok)
{
  const char *rest;

  if (has_prefix_ci (tok, "patch"))
    {
      rest = tok + 5;
      if (*rest != '\0' && *rest != '-' && !token_is (rest, "es")
          && !is_version (rest, strlen (rest)))
        return FALSE;
      g->patch = TRUE;
    }
  else if (has_prefix_ci (tok, "rfc") || has_prefix_ci (tok, "rft"))
    {
      /* RFT ("request for testing") is, like RFC, not meant to be applied. */
      rest = tok + 3;
      if (*rest != '\0' && !is_version (rest, strlen (rest)))
        return FALSE;
      g->rfc = TRUE;
    }
  else if (token_is (tok, "resend") || token_is (tok, "repost"))
    {
      rest = "";
      g->resend = TRUE;
    }
  else if (token_is (tok, "pull"))
    {
      rest = "";
      g->git_pull = TRUE;
    }
  else
    return FALSE;
  g->strong++;
  if (*rest == '-' && is_version (rest + 1, strlen (rest + 1)))
    rest++;  /* PATCH-v2 */
  if (is_version (rest, strlen (rest)))
    scan_version (g, rest);
  else if (*rest == '-')
    scan_word (g, rest);
  return TRUE;
}

static void
scan_token (GroupScan *g, char **toks, guint *i)
{
  const char *tok = toks[*i];
  gsize len = strlen (tok);

  if (token_is (tok, "git") && toks[*i + 1] != NULL && token_is (toks[*i + 1], "pull"))
    {
      g->git_pull = TRUE;
      g->strong++;
      (*i)++;
    }
  else if (scan_keyword (g, tok))
    ;
  else if (is_version (tok, len))
    g->weak++, scan_version (g, tok);
  else if (!g->numbered && parse_numbering (tok, len, &g->index, &g->total))
    g->weak++, g->numbered = TRUE;
  else
    scan_word (g, tok);
}

/* Copy a group's content with commas turned into spaces and the spaces
 * around '/' removed, so "4 / 25" becomes the token "4/25". */
static char *
group_normalise (const char *s, gsize len)
{
  GString *out = g_string_sized_new (len + 1);

  for (gsize i = 0; i < len; i++)
    {
      char c = s[i] == ',' || g_ascii_isspace (s[i]) ? ' ' : s[i];
      if (c == ' ' && out->len > 0 && out->str[out->len - 1] == '/')
        continue;
      if (c == '/')
        while (out->len > 0 && out->str[out->len - 1] == ' ')
          g_string_truncate (out, out->len - 1);
      g_string_append_c (out, c);
    }
  /* A slash between words separates them: "[PATCH/RFC]". */
  for (gsize i = 0; i < out->len; i++)
    if (out->str[i] == '/'
        && (i == 0 || !g_ascii_isdigit (out->str[i - 1]) || !g_ascii_isdigit (out->str[i + 1])))
      out->str[i] = ' ';
  return g_string_free (out, FALSE);
}

static GroupClass
group_class (const GroupScan *g, guint ntoks)
{
  if (ntoks == 0 || ntoks > MAX_TOKENS || g->bad > 0)
    return GROUP_OTHER;
  if (g->strong > 0)
    return g->words <= MAX_WORDS ? GROUP_STRONG : GROUP_OTHER;
  if (g->words == 0)
    return GROUP_WEAK;
  return g->words == 1 && g->weak == 0 ? GROUP_PROJ : GROUP_OTHER;
}

/* Scan a group's content into G (caller clears it with group_clear()). */
static GroupClass
group_scan (const char *s, gsize len, GroupScan *g)
{
  g_autofree char *norm = group_normalise (s, len);
  g_auto (GStrv) toks = g_strsplit (g_strstrip (norm), " ", -1);
  guint ntoks = 0;

  memset (g, 0, sizeof *g);
  g->project = g_string_new (NULL);
  for (guint i = 0; toks[i] != NULL; i++)
    {
      if (*toks[i] == '\0')
        continue;
      ntoks++;
      scan_token (g, toks, &i);
    }
  return group_class (g, ntoks);
}

static void
group_clear (GroupScan *g)
{
  g_free (g->version_str);
  g_string_free (g->project, TRUE);
}

/* ---- prefixes ---------------------------------------------------- */

static const char *const reply_words[] = {
  "re", "aw", "sv", "vs", "antw", "odp", "ynt", "回复", "答复", "回覆", "答覆", NULL
};
static const char *const forward_words[] = { "fwd", "fw", "wg", NULL };

/* After a prefix word: an optional counter ("[2]", "(2)"), optional
 * spaces, then ':' or the full-width '：'.  Returns the byte after it. */
static const char *
prefix_colon (const char *p)
{
  if (*p == '[' || *p == '(')
    {
      char close = *p == '[' ? ']' : ')';
      const char *q = p + 1;
      while (g_ascii_isdigit (*q))
        q++;
      if (q == p + 1 || *q != close)
        return NULL;
      p = q + 1;
    }
  while (*p == ' ')
    p++;
  if (*p == ':')
    return p + 1;
  if (g_str_has_prefix (p, "："))
    return p + strlen ("：");
  return NULL;
}

static const char *
match_prefix_word (const char *p, const char *const *words)
{
  for (guint i = 0; words[i] != NULL; i++)
    {
      gsize n = strlen (words[i]);
      if (g_ascii_strncasecmp (p, words[i], n) == 0)
        {
          const char *after = prefix_colon (p + n);
          if (after != NULL)
            return after;
        }
    }
  return NULL;
}

/* A bracket group at P: content bounded, no nested '['. */
static gboolean
scan_group (const char *p, Item *item)
{
  const char *close;
  gsize len;

  if (*p != '[')
    return FALSE;
  /* Bounded search: an unbalanced '[' must not make us read the rest of
   * a 200 KB subject once per item. */
  close = memchr (p + 1, ']', strnlen (p + 1, MAX_GROUP + 1));
  if (close == NULL)
    return FALSE;
  len = (gsize) (close - p - 1);
  if (memchr (p + 1, '[', len) != NULL)
    return FALSE;
  item->kind = ITEM_GROUP;
  item->start = p + 1;
  item->len = len;
  item->next = close + 1;
  return TRUE;
}

/* Read the item at P (spaces skipped); ITEM_NONE when the title starts. */
static Item
next_item (const char *p)
{
  Item item = { ITEM_NONE, GROUP_OTHER, NULL, 0, NULL };
  const char *after;

  while (*p == ' ')
    p++;
  item.next = p;
  if (scan_group (p, &item))
    {
      GroupScan g;
      item.group = group_scan (item.start, item.len, &g);
      group_clear (&g);
      if (item.group == GROUP_OTHER)
        item.kind = ITEM_NONE, item.next = p;
    }
  else if (g_ascii_strncasecmp (p, "(subset)", 8) == 0)
    item.kind = ITEM_NOISE, item.next = p + 8;
  else if ((after = match_prefix_word (p, reply_words)) != NULL)
    item.kind = ITEM_REPLY, item.next = after;
  else if ((after = match_prefix_word (p, forward_words)) != NULL)
    item.kind = ITEM_FORWARD, item.next = after;
  return item;
}

/* ---- applying ---------------------------------------------------- */

static void
apply_group (const Item *item, MdSubjectTags *tags)
{
  GroupScan g;

  group_scan (item->start, item->len, &g);
  tags->patch |= g.patch;
  tags->rfc |= g.rfc;
  tags->resend |= g.resend;
  tags->git_pull |= g.git_pull;
  if (g.version_str != NULL && tags->version_str == NULL)
    {
      guint64 major = 0;
      parse_digits (g.version_str, strcspn (g.version_str, "."), &major);
      tags->version = clamp16 (major);
      tags->version_str = g_steal_pointer (&g.version_str);
    }
  if (g.numbered && tags->total == 0 && tags->index == 0)
    {
      tags->index = clamp16 (g.index);
      tags->total = clamp16 (g.total);
    }
  if (g.project->len > 0 && tags->project == NULL)
    tags->project = g_strdup (g.project->str);
  group_clear (&g);
}

/* Valid UTF-8 with every control character (tabs, CR, LF of a badly
 * unfolded header) turned into a space. */
static char *
subject_clean (const char *subject)
{
  char *s = g_utf8_make_valid (subject != NULL ? subject : "", -1);

  for (char *p = s; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = ' ';
  return s;
}

/* Whitespace runs become one space; leading and trailing ones go. */
static char *
collapse_spaces (const char *s)
{
  GString *out = g_string_sized_new (strlen (s));

  for (const char *p = s; *p != '\0'; p++)
    {
      if (*p == ' ' && (out->len == 0 || out->str[out->len - 1] == ' '))
        continue;
      g_string_append_c (out, *p);
    }
  if (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);
  return g_string_free (out, FALSE);
}

/* Pass 1: does the prefix chain hold a STRONG group? */
static gboolean
chain_has_strong (const char *p)
{
  for (Item it = next_item (p); it.kind != ITEM_NONE; it = next_item (it.next))
    if (it.kind == ITEM_GROUP && it.group == GROUP_STRONG)
      return TRUE;
  return FALSE;
}

void
md_subject_parse (const char *subject, MdSubjectTags *tags)
{
  g_autofree char *clean = subject_clean (subject);
  gboolean strong = chain_has_strong (clean);
  const char *p = clean;

  md_subject_tags_clear (tags);
  memset (tags, 0, sizeof *tags);
  tags->version = 1;
  for (Item it = next_item (p); it.kind != ITEM_NONE; it = next_item (p))
    {
      if (it.kind == ITEM_GROUP && it.group != GROUP_STRONG && !strong)
        break;
      if (it.kind == ITEM_REPLY)
        tags->reply = TRUE;
      else if (it.kind == ITEM_FORWARD)
        tags->forward = TRUE;
      else if (it.kind == ITEM_GROUP)
        apply_group (&it, tags);
      p = it.next;
    }
  tags->title = collapse_spaces (p);
}

/* ---- series key -------------------------------------------------- */

static gboolean
is_trailing_junk (gunichar c)
{
  return g_unichar_isspace (c) || g_unichar_ispunct (c);
}

char *
md_subject_series_key (const MdSubjectTags *tags)
{
  g_autofree char *spaced = collapse_spaces (tags->title != NULL ? tags->title : "");
  char *key = g_utf8_strdown (spaced, -1);
  char *end = key + strlen (key);

  /* Drop trailing punctuation: "foo." and "foo" are one series. */
  while (end > key)
    {
      char *prev = g_utf8_find_prev_char (key, end);
      if (prev == NULL || !is_trailing_junk (g_utf8_get_char (prev)))
        break;
      end = prev;
    }
  *end = '\0';
  return key;
}
