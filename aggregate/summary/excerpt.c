/* excerpt.c - the substantive lines of a message body.
 *
 * Rationale: mailing-list replies follow a convention (greeting, quoted
 * context with an attribution line, the writer's own text interleaved
 * with more quotes, a sign-off, trailers, signature).  Skipping what the
 * convention marks as not-new and taking the first paragraph that is left
 * gives the sentence a reader would quote, without any language model.
 * Everything returned is a verbatim run of the body's lines.
 */
#include <string.h>
#include "excerpt.h"

typedef enum {
  LINE_BLANK,
  LINE_SKIP,   /* quote, attribution, greeting, "[...]": not content */
  LINE_STOP,   /* sign-off, signature, patch separator: content is over */
  LINE_TEXT,
} LineKind;

typedef struct {
  GRegex *greeting, *thanks, *signoff, *trailer, *attribution;
  GRegex *version_heading, *addressing, *upstream, *lone_word, *inbody;
} Patterns;

static const Patterns *
patterns (void)
{
  static Patterns p;
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      GRegexCompileFlags ci = G_REGEX_CASELESS | G_REGEX_OPTIMIZE;
      p.greeting = g_regex_new ("^(hi|hello|hey|dear|greetings|hallo|"
                                "good (morning|afternoon|evening)|"
                                "你好|您好|大家好)\\b\\W*(\\w+\\W*){0,3}$",
                                ci, 0, NULL);
      p.thanks = g_regex_new ("^(many )?(thanks|thank you|thx)"
                              "( (so much|a lot))?( for [^.!?]*)?[\\s,.!]*$",
                              ci, 0, NULL);
      p.signoff = g_regex_new ("^(thanks|thank you|cheers|regards|"
                               "best regards|kind regards|best|br|thx|"
                               "ciao|--)[\\s,.!]*$", ci, 0, NULL);
      p.trailer = g_regex_new ("^([A-Za-z]+-)*(by|Fixes|Link|Closes|Cc|"
                               "Message-I[Dd]|Change-Id|Bug):\\s", 0, 0, NULL);
      p.attribution = g_regex_new ("(wrote|writes|a écrit|schrieb|写道)"
                                   "\\s*[:：]\\s*$", ci, 0, NULL);
      /* "Paolo," alone on a line addresses someone */
      p.addressing = g_regex_new ("^[\\p{L}][\\p{L}.'-]*,$", G_REGEX_OPTIMIZE, 0, NULL);
      /* a stable backport's "commit 0123abcd upstream." */
      p.upstream = g_regex_new ("^\\[?\\s*(upstream\\s+)?commit\\s+[0-9a-f]{7,40}"
                                "(\\s+upstream)?\\s*\\]?\\.?$", ci, 0, NULL);
      /* "Will", "M.", "creation": a signature or a stray fragment */
      p.lone_word = g_regex_new ("^[\\p{Latin}\\p{N}._'!-]{1,24}$", G_REGEX_OPTIMIZE, 0, NULL);
      /* a patch's in-body headers ("From: Original Author <...>") */
      p.inbody = g_regex_new ("^(From|Date|Subject|Message-I[Dd]):\\s", 0, 0, NULL);
      p.version_heading = g_regex_new ("^\\s*[-*]?\\s*((changes|changelog) "
                                       "(in|since|from|for|to)\\b|"
                                       "v[0-9.]+\\s*(:|->|→))", ci, 0, NULL);
      g_once_init_leave (&once, 1);
    }
  return &p;
}

gboolean
md_excerpt_is_trailer (const char *line)
{
  return g_regex_match (patterns ()->trailer, line, 0, NULL);
}

gboolean
md_excerpt_is_attribution (const char *line)
{
  return g_regex_match (patterns ()->attribution, line, 0, NULL);
}

static gboolean
is_noise (const char *s)
{
  const Patterns *p = patterns ();

  if (*s == '>' || *s == '|')
    return TRUE;
  if (g_str_has_prefix (s, "[...]") || g_str_has_prefix (s, "[snip")
      || g_str_has_prefix (s, "<snip") || g_str_has_prefix (s, "..."))
    return TRUE;
  if (g_regex_match (p->attribution, s, 0, NULL)
      || g_regex_match (p->addressing, s, 0, NULL)
      || g_regex_match (p->upstream, s, 0, NULL)
      || g_regex_match (p->inbody, s, 0, NULL))
    return TRUE;
  return g_regex_match (p->greeting, s, 0, NULL)
         || g_regex_match (p->thanks, s, 0, NULL);
}

/* LINE is one line of the body; IN_TEXT says a paragraph has begun (a
 * "Thanks," then ends it rather than being a greeting). */
static LineKind
classify (const char *line, gboolean in_text)
{
  g_autofree char *s = g_strstrip (g_strdup (line));

  if (*s == '\0')
    return LINE_BLANK;
  if (strcmp (line, "-- ") == 0 || strcmp (s, "--") == 0
      || g_str_has_prefix (line, "---"))
    return LINE_STOP;
  if (md_excerpt_is_trailer (s))
    return in_text ? LINE_STOP : LINE_SKIP;
  if (in_text && g_regex_match (patterns ()->signoff, s, 0, NULL))
    return LINE_STOP;
  if (*s == '>')
    return in_text ? LINE_STOP : LINE_SKIP;
  /* A lone word ends a paragraph fine ("up."), but does not start one. */
  if (!in_text && g_regex_match (patterns ()->lone_word, s, 0, NULL))
    return LINE_SKIP;
  return is_noise (s) ? LINE_SKIP : LINE_TEXT;
}

/* "On Mon, 10 Feb 2026, Marc Zyngier wrote:" is often folded over two
 * lines; the first half alone looks like content. */
static gboolean
attribution_head (char **lines, guint i)
{
  return g_str_has_prefix (lines[i], "On ") && lines[i + 1] != NULL
         && g_regex_match (patterns ()->attribution, lines[i + 1], 0, NULL);
}

/* "For the series:" / "FWIW, for patches 1-3:" introduce the trailers
 * that follow; they say nothing by themselves. */
static gboolean
introduces_trailer (char **lines, guint i)
{
  g_autofree char *s = g_strstrip (g_strdup (lines[i]));

  if (!g_str_has_suffix (s, ":"))
    return FALSE;
  for (i++; lines[i]; i++)
    {
      g_autofree char *next = g_strstrip (g_strdup (lines[i]));
      if (*next != '\0')
        return md_excerpt_is_trailer (next);
    }
  return FALSE;
}

/* Cut past MAX_CHARS characters at the last space, marking the cut.
 * 0, or anything past what a glong holds (G_MAXSIZE: "no bound"), leaves
 * TEXT whole: g_utf8_offset_to_pointer() would read a negative offset
 * backwards out of the string. */
static void
bound (GString *text, gsize max_chars)
{
  const char *end;
  gsize cut;

  if (max_chars == 0 || max_chars > G_MAXLONG
      || g_utf8_strlen (text->str, -1) <= (glong) max_chars)
    return;
  end = g_utf8_offset_to_pointer (text->str, (glong) max_chars);
  cut = (gsize) (end - text->str);
  while (cut > max_chars / 2 && text->str[cut] != ' ')
    cut--;
  if (text->str[cut] != ' ')
    cut = (gsize) (end - text->str);
  g_string_truncate (text, cut);
  g_string_append (text, "…");
}

static void
append_line (GString *out, const char *line)
{
  g_autofree char *s = g_strstrip (g_strdup (line));

  if (out->len > 0)
    g_string_append_c (out, ' ');
  g_string_append (out, s);
}

static char *
collect (char **lines, guint from, guint max_lines, gsize max_chars)
{
  GString *out = g_string_new (NULL);
  guint taken = 0;

  for (guint i = from; lines[i]; i++)
    {
      LineKind kind;
      if (attribution_head (lines, i))
        {
          if (taken > 0)
            break;
          i++;                          /* both halves */
          continue;
        }
      kind = classify (lines[i], taken > 0);
      if (kind == LINE_TEXT && taken == 0 && introduces_trailer (lines, i))
        continue;
      if (kind == LINE_TEXT)
        {
          append_line (out, lines[i]);
          if (++taken == max_lines)
            break;
        }
      else if (kind == LINE_STOP || taken > 0)
        break;
    }
  if (out->len == 0)
    return (g_string_free (out, TRUE), NULL);
  bound (out, max_chars);
  return g_string_free (out, FALSE);
}

char *
md_excerpt (const char *body, guint max_lines, gsize max_chars)
{
  g_auto (GStrv) lines = NULL;

  if (body == NULL || *body == '\0')
    return NULL;
  lines = g_strsplit (body, "\n", 2000);
  return collect (lines, 0, max_lines, max_chars);
}

char *
md_excerpt_from (const char *body, const char *line, guint max_lines,
                 gsize max_chars)
{
  g_auto (GStrv) lines = NULL;
  char *ex = NULL;

  if (line == NULL)
    return NULL;
  lines = g_strsplit (body ? body : "", "\n", 2000);
  for (guint i = 0; lines[i] && ex == NULL; i++)
    {
      g_autofree char *s = g_strstrip (g_strdup (lines[i]));
      if (strcmp (s, line) == 0)
        ex = collect (lines, i, max_lines, max_chars);
    }
  return ex ? ex : g_strdup (line);
}

/* Does LINE open the change log of version VER (previous: PREV)?  On
 * success *REST points at text after the heading on the same line. */
static gboolean
changes_heading (const char *line, const char *ver, const char *prev,
                 const char **rest)
{
  g_autofree char *pat = NULL;
  g_autoptr (GRegex) re = NULL;
  g_autoptr (GMatchInfo) m = NULL;
  g_autofree char *v = g_regex_escape_string (ver, -1);
  g_autofree char *pv = g_regex_escape_string (prev, -1);
  int end = 0;

  pat = g_strdup_printf ("^\\s*[-*]?\\s*(((changes|changelog|change log)"
                         "[^:]*\\bv(%s|%s)\\b[^:]*)|(v%s\\s*(->|→|\\.\\.)\\s*)?"
                         "v%s)\\s*:", v, pv, pv, v);
  re = g_regex_new (pat, G_REGEX_CASELESS, 0, NULL);
  if (re == NULL || !g_regex_match (re, line, 0, &m))
    return FALSE;
  g_match_info_fetch_pos (m, 0, NULL, &end);
  *rest = line + end;
  return TRUE;
}

/* The next version's entry ("v2:", "- V10:", "Changes in v2") ends ours. */
static gboolean
other_version_heading (const char *line)
{
  return g_regex_match (patterns ()->version_heading, line, 0, NULL);
}

static char *
collect_changes (char **lines, guint i, const char *rest, guint max_lines,
                 gsize max_chars)
{
  GString *out = g_string_new (NULL);
  guint taken = 0;

  g_autofree char *first = g_strstrip (g_strdup (rest));

  if (*first != '\0')
    append_line (out, first), taken++;
  for (i++; lines[i] && (max_lines == 0 || taken < max_lines); i++)
    {
      g_autofree char *s = g_strstrip (g_strdup (lines[i]));
      if (*s == '\0' || *s == '>' || other_version_heading (s))
        break;
      append_line (out, s);
      taken++;
    }
  if (out->len == 0)
    return (g_string_free (out, TRUE), NULL);
  bound (out, max_chars);
  return g_string_free (out, FALSE);
}

char *
md_excerpt_changes (const char *body, const char *version_str,
                    guint max_lines, gsize max_chars)
{
  g_auto (GStrv) lines = NULL;
  g_autofree char *prev = NULL;
  const char *rest = NULL;
  gint64 v;

  if (body == NULL || version_str == NULL)
    return NULL;
  v = g_ascii_strtoll (version_str, NULL, 10);
  prev = g_strdup_printf ("%" G_GINT64_FORMAT, v > 1 ? v - 1 : 0);
  lines = g_strsplit (body, "\n", 2000);
  for (guint i = 0; lines[i]; i++)
    if (lines[i][0] != '>' && changes_heading (lines[i], version_str, prev, &rest))
      return collect_changes (lines, i, rest, max_lines, max_chars);
  return NULL;
}
