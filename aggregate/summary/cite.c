/* cite.c - a model's answer checked against the messages it cites (see
 * cite.h).
 *
 * Rationale: a model summarising mail invents with confidence, and a
 * reader cannot tell an invented sentence from a true one.  A sentence
 * that names its source can be checked where checking is cheap and
 * exact: the source exists and was shown, and what the sentence puts in
 * quotation marks is really there.  Paraphrase cannot be checked in code;
 * the link lets the reader do it in one click.
 */
#include <string.h>
#include "cite.h"
#include "escape.h"

#define MARK_RE "\\[\\s*(\\d{1,4}(?:\\s*(?:[,，;、]|-|–)\\s*\\d{1,4})*)\\s*\\]"
#define RANGE_MAX 50        /* numbers one "[a-b]" may stand for */
#define SENTENCE_MAX 1500   /* characters of one sentence shown */

typedef struct {
  GRegex *mark, *tail, *quote;
} Patterns;

static const Patterns *
patterns (void)
{
  static gsize once;
  static Patterns p;

  if (g_once_init_enter (&once))
    {
      p.mark = g_regex_new (MARK_RE, G_REGEX_OPTIMIZE, 0, NULL);
      p.tail = g_regex_new (MARK_RE "\\s*$", G_REGEX_OPTIMIZE, 0, NULL);
      p.quote = g_regex_new ("“([^”]+)”|\"([^\"]+)\"|「([^」]+)」|『([^』]+)』",
                             G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&once, 1);
    }
  return &p;
}

/* ---- marks ---- */

static void
add_number (GArray *nums, guint n)
{
  for (guint i = 0; i < nums->len; i++)
    if (g_array_index (nums, guint, i) == n)
      return;
  g_array_append_val (nums, n);
}

/* The numbers of a mark's inside ("2, 5", "3-6"). */
static void
mark_numbers (const char *inside, GArray *nums)
{
  const char *p = inside;

  while (*p)
    {
      char *end;
      guint64 a, b;
      /* digits only: strtoull would read "-1" of "[4-24-1]" as 2^64-1,
       * and a loop up to that bound never ends */
      if (!g_ascii_isdigit (*p))
        {
          p = g_utf8_next_char (p);
          continue;
        }
      a = MIN (g_ascii_strtoull (p, &end, 10), G_MAXUINT - RANGE_MAX);
      p = end;
      while (*p == ' ')
        p++;
      b = a;
      if (*p == '-' || g_str_has_prefix (p, "–"))
        {
          p += *p == '-' ? 1 : strlen ("–");
          if (g_ascii_isdigit (*p))
            {
              b = g_ascii_strtoull (p, &end, 10);
              p = end;
            }
          if (b < a || b - a > RANGE_MAX)
            b = a;
        }
      for (guint64 n = a; n <= b; n++)
        add_number (nums, (guint) n);
    }
}

static int
cmp_uint (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;
  return x < y ? -1 : x > y;
}

static char *
mark_string (GArray *nums)
{
  g_autoptr (GString) s = g_string_new ("[");

  g_array_sort (nums, cmp_uint);
  for (guint i = 0; i < nums->len; i++)
    g_string_append_printf (s, "%s%u", i ? "," : "", g_array_index (nums, guint, i));
  g_string_append_c (s, ']');
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* S escaped for Markdown, its outer spaces kept (the escape trims). */
static void
append_escaped (GString *out, const char *s, gsize len)
{
  g_autofree char *part = g_strndup (s, len);
  g_autofree char *e = md_escape_md_n (part, SENTENCE_MAX);
  gsize lead = strspn (part, " "), n = strlen (part);

  if (*e == '\0')
    {
      if (n)
        g_string_append_c (out, ' ');
      return;
    }
  if (lead)
    g_string_append_c (out, ' ');
  g_string_append (out, e);
  if (n > lead && part[n - 1] == ' ')
    g_string_append_c (out, ' ');
}

/* LEN bytes of S, escaped for Markdown when ESCAPE. */
static void
append_text (GString *out, const char *s, gsize len, gboolean escape)
{
  if (escape)
    append_escaped (out, s, len);
  else
    g_string_append_len (out, s, len);
}

/* S with each mark given to FN (numbers) and replaced by its result. */
static char *
map_marks (const char *s, char *(*fn) (GArray *nums, gconstpointer data), gconstpointer data,
           gboolean escape)
{
  g_autoptr (GMatchInfo) mi = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  gsize done = 0;

  g_regex_match (patterns ()->mark, s, 0, &mi);
  for (; g_match_info_matches (mi); g_match_info_next (mi, NULL))
    {
      int from, to;
      g_autofree char *inside = g_match_info_fetch (mi, 1);
      g_autoptr (GArray) nums = g_array_new (FALSE, FALSE, sizeof (guint));
      g_autofree char *repl = NULL;
      g_match_info_fetch_pos (mi, 0, &from, &to);
      mark_numbers (inside, nums);
      repl = fn (nums, data);
      append_text (out, s + done, from - done, escape);
      g_string_append (out, repl);
      done = to;
    }
  append_text (out, s + done, strlen (s + done), escape);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A mark's numbers added to the GArray DATA; the mark normalised. */
static char *
normalised_mark (GArray *nums, gconstpointer data)
{
  for (guint i = 0; i < nums->len; i++)
    add_number ((GArray *) data, g_array_index (nums, guint, i));
  return mark_string (nums);
}

/* Every mark in S, normalised ("[ 2 , 5 ]" -> "[2,5]"); numbers into NUMS. */
static char *
normalise_marks (const char *s, GArray *nums)
{
  return map_marks (s, normalised_mark, nums, FALSE);
}

/* ---- sections and sentences ---- */

static const struct {
  MdCiteSection section;
  const char *label;
} labels[] = {
  { MD_CITE_SERIES, "series" }, { MD_CITE_SERIES, "what it is" },
  { MD_CITE_SERIES, "what the series is" }, { MD_CITE_SERIES, "原始补丁内容" },
  { MD_CITE_SERIES, "讨论内容" }, { MD_CITE_SERIES, "topic" },
  { MD_CITE_HISTORY, "history" }, { MD_CITE_HISTORY, "before this week" },
  { MD_CITE_HISTORY, "历史讨论要点" },
  { MD_CITE_WEEK, "this week" }, { MD_CITE_WEEK, "progress" },
  { MD_CITE_WEEK, "本周新讨论与进展" },
};

/* LINE without a leading list marker ("- ", "* ", "1. ", "2)"). */
static const char *
skip_marker (const char *line)
{
  const char *p = line;

  while (*p == ' ' || *p == '\t')
    p++;
  if ((*p == '-' || *p == '*' || *p == '+') && (p[1] == ' ' || p[1] == '\t'))
    return p + 2;
  while (g_ascii_isdigit (*p))
    p++;
  if (p > line && (*p == '.' || *p == ')') && (p[1] == ' ' || p[1] == '\0'))
    return p + 1;
  return line;
}

/* A section head ("## Series", "**History**:", "1. **本周新讨论与进展**："):
 * its section, *REST the text after it on the line; -1 when LINE is none. */
static int
section_head (const char *line, const char **rest)
{
  const char *p = skip_marker (line);
  gboolean hashed = FALSE;

  while (*p == '#' || *p == '*' || *p == ' ' || *p == '_')
    hashed |= *p++ == '#';
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      gsize n = strlen (labels[i].label);
      const char *q = p + n;
      if (g_ascii_strncasecmp (p, labels[i].label, n) != 0)
        continue;
      while (*q == '*' || *q == '_' || *q == ' ')
        q++;
      if (*q == ':' || g_str_has_prefix (q, "："))
        q += *q == ':' ? 1 : strlen ("：");
      else if (!(hashed || *q == '\0'))
        continue;   /* "This week, Marc said ..." is text */
      *rest = q;
      return labels[i].section;
    }
  return -1;
}

static gboolean
is_abbreviation (const char *line, const char *dot)
{
  static const char *const abbr[] = { "e.g", "i.e", "etc", "vs", "cf", "al", "approx", "Mr", "Dr", "Ms" };
  const char *w = dot;

  while (w > line && !g_ascii_isspace (w[-1]) && w[-1] != '(')
    w--;
  if (dot - w == 1 && g_ascii_isupper (*w))
    return TRUE;                          /* an initial: "M. Zyngier" */
  for (guint i = 0; i < G_N_ELEMENTS (abbr); i++)
    if ((gsize) (dot - w) == strlen (abbr[i]) && g_ascii_strncasecmp (w, abbr[i], dot - w) == 0)
      return TRUE;
  return FALSE;
}

/* Where the sentence that has a terminator at P ends: past the
 * terminator, the white space and the marks that follow it. */
static const char *
sentence_end (const char *p)
{
  const char *q = g_utf8_next_char (p);
  g_autoptr (GMatchInfo) mi = NULL;

  for (;;)
    {
      const char *s = q;
      int from, to;
      while (*s == ' ' || *s == '\t')
        s++;
      if (*s != '[' || !g_regex_match (patterns ()->mark, s, G_REGEX_MATCH_ANCHORED, &mi))
        return q;
      g_match_info_fetch_pos (mi, 0, &from, &to);
      q = s + to;
      g_clear_pointer (&mi, g_match_info_free);
    }
}

static gboolean
ends_sentence (const char *line, const char *p, gunichar c)
{
  const char *next = g_utf8_next_char (p);

  if (c == 0x3002 || c == 0xFF01 || c == 0xFF1F)   /* 。！？ */
    return TRUE;
  if (c != '.' && c != '!' && c != '?')
    return FALSE;
  if (!(*next == '\0' || *next == ' ' || *next == '\t' || *next == '['))
    return FALSE;
  return c != '.' || !is_abbreviation (line, p);
}

/* Quotation-mark depth as C passes: sentences do not end inside quotes. */
static int
quote_step (int depth, gunichar c)
{
  if (c == 0x201C || c == 0x300C || c == 0x300E)   /* “ 「 『 */
    return depth + 1;
  if ((c == 0x201D || c == 0x300D || c == 0x300F) && depth > 0)
    return depth - 1;
  return depth;
}

static void
split_line (const char *line, GPtrArray *out)
{
  const char *start = line, *p = line;
  int depth = 0;
  gboolean ascii_open = FALSE;

  while (*p)
    {
      gunichar c = g_utf8_get_char (p);
      depth = quote_step (depth, c);
      if (c == '"')
        ascii_open = !ascii_open;
      if (depth == 0 && !ascii_open && ends_sentence (line, p, c))
        {
          const char *end = sentence_end (p);
          g_ptr_array_add (out, g_strstrip (g_strndup (start, end - start)));
          start = p = end;
          continue;
        }
      p = g_utf8_next_char (p);
    }
  g_ptr_array_add (out, g_strstrip (g_strdup (start)));
}

/* ---- one sentence ---- */

typedef struct {
  MdCiteLookup lookup;
  gpointer data;
  MdCiteResult *r;
} Check;

static gboolean
is_terminator (gunichar c)
{
  return c == '.' || c == '!' || c == '?' || c == 0x3002 || c == 0xFF01 || c == 0xFF1F;
}

/* S's trailing marks (before or after its terminator) into NUMS, and its
 * body with the terminator kept; NULL when it ends with no mark. */
static char *
split_tail (const char *s, GArray *nums)
{
  g_autofree char *body = g_strdup (s);
  g_autofree char *term = NULL;
  g_autoptr (GMatchInfo) mi = NULL;

  for (;;)
    {
      char *last;
      int from, to;
      g_strchomp (body);
      last = *body ? g_utf8_find_prev_char (body, body + strlen (body)) : NULL;
      if (last && is_terminator (g_utf8_get_char (last)) && term == NULL)
        {
          term = g_strdup (last);
          *last = '\0';
          continue;
        }
      if (!g_regex_match (patterns ()->tail, body, 0, &mi))
        break;
      g_autofree char *inside = g_match_info_fetch (mi, 1);
      g_match_info_fetch_pos (mi, 0, &from, &to);
      mark_numbers (inside, nums);
      body[from] = '\0';
      g_clear_pointer (&mi, g_match_info_free);
    }
  if (nums->len == 0)
    return NULL;
  return g_strconcat (g_strchomp (body), term ? term : "", NULL);
}

static char *
squeeze (const char *s)
{
  g_auto (GStrv) words = g_strsplit_set (s, " \t\n\r", -1);
  g_autoptr (GPtrArray) kept = g_ptr_array_new ();

  for (guint i = 0; words[i]; i++)
    if (*words[i])
      g_ptr_array_add (kept, words[i]);
  g_ptr_array_add (kept, NULL);
  return g_strjoinv (" ", (char **) kept->pdata);
}

static gboolean
quote_found (const Check *c, const char *quote, GArray *nums)
{
  g_autofree char *q = squeeze (quote);

  if (*q == '\0')
    return TRUE;
  for (guint i = 0; i < nums->len; i++)
    {
      const char *text = c->lookup (g_array_index (nums, guint, i), c->data);
      g_autofree char *t = text ? squeeze (text) : NULL;
      if (t && strstr (t, q))
        return TRUE;
    }
  return FALSE;
}

/* NULL when BODY's quotations are all in the messages NUMS, else why not. */
static char *
quotes_problem (const Check *c, const char *body, GArray *nums)
{
  g_autoptr (GMatchInfo) mi = NULL;

  g_regex_match (patterns ()->quote, body, 0, &mi);
  for (; g_match_info_matches (mi); g_match_info_next (mi, NULL))
    {
      g_autofree char *q = NULL;
      for (int g = 1; g <= 4 && (q == NULL || *q == '\0'); g++)
        {
          g_free (q);
          q = g_match_info_fetch (mi, g);
        }
      if (!quote_found (c, q, nums))
        return g_strdup ("a quotation is in none of the messages it cites");
    }
  return NULL;
}

/* The canonical line of sentence S, or NULL and *WHY. */
static char *
check_sentence (const Check *c, const char *s, char **why)
{
  g_autoptr (GArray) tail = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *raw = split_tail (s, tail);
  g_autofree char *body = NULL, *mark = NULL;

  if (raw == NULL)
    return (*why = g_strdup ("a sentence cites no message")), NULL;
  body = normalise_marks (raw, all);
  for (guint i = 0; i < tail->len; i++)
    add_number (all, g_array_index (tail, guint, i));
  for (guint i = 0; i < all->len; i++)
    if (c->lookup (g_array_index (all, guint, i), c->data) == NULL)
      return (*why = g_strdup_printf ("a sentence cites [%u], a message not given",
                                      g_array_index (all, guint, i))), NULL;
  if ((*why = quotes_problem (c, body, all)) != NULL)
    return NULL;
  for (guint i = 0; i < all->len; i++)
    add_number (c->r->cited, g_array_index (all, guint, i));
  mark = mark_string (tail);
  /* In the canonical text a line "## ..." is a section head: a sentence
   * that starts with the model's own heading marks loses them, or it
   * would read back as a head and hide the sentences after it. */
  return g_strdup_printf ("%s %s", body + strspn (body, "# "), mark);
}

/* ---- the answer ---- */

static void
check_line (const Check *c, const char *line, GPtrArray *section)
{
  g_autoptr (GPtrArray) sentences = g_ptr_array_new_with_free_func (g_free);

  split_line (skip_marker (line), sentences);
  for (guint i = 0; i < sentences->len; i++)
    {
      const char *s = sentences->pdata[i];
      char *why = NULL, *ok;
      if (*s == '\0')
        continue;
      if ((ok = check_sentence (c, s, &why)) != NULL)
        {
          g_ptr_array_add (section, ok);
          c->r->kept++;
          continue;
        }
      c->r->dropped++;
      if (c->r->first_problem == NULL)
        c->r->first_problem = why;
      else
        g_free (why);
    }
}

static const char *const section_keys[] = { "series", "history", "this week" };

static char *
canonical (GPtrArray **sections)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint s = 0; s < MD_CITE_N_SECTIONS; s++)
    {
      if (sections[s]->len == 0)
        continue;
      g_string_append_printf (out, "## %s\n", section_keys[s]);
      for (guint i = 0; i < sections[s]->len; i++)
        g_string_append_printf (out, "%s\n", (char *) sections[s]->pdata[i]);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

MdCiteResult *
md_cite_check (const char *answer, MdCiteLookup lookup, gpointer data)
{
  MdCiteResult *r = g_new0 (MdCiteResult, 1);
  /* Text for GRegex and the report, whatever the server sent. */
  g_autofree char *valid = g_utf8_make_valid (answer ? answer : "", -1);
  g_auto (GStrv) lines = g_strsplit (valid, "\n", -1);
  GPtrArray *sections[MD_CITE_N_SECTIONS];
  Check c = { lookup, data, r };
  int current = MD_CITE_WEEK;   /* an answer without heads is this week's news */

  r->cited = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint s = 0; s < MD_CITE_N_SECTIONS; s++)
    sections[s] = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; lines[i]; i++)
    {
      const char *rest = lines[i];
      int head = section_head (lines[i], &rest);
      g_autofree char *line = NULL;
      if (head >= 0)
        current = head;
      line = g_strstrip (g_strdup (rest));
      if (*line)
        check_line (&c, line, sections[current]);
    }
  g_array_sort (r->cited, cmp_uint);
  r->text = canonical (sections);
  for (guint s = 0; s < MD_CITE_N_SECTIONS; s++)
    g_ptr_array_unref (sections[s]);
  return r;
}

void
md_cite_result_free (MdCiteResult *r)
{
  if (r == NULL)
    return;
  g_free (r->text);
  g_array_unref (r->cited);
  g_free (r->first_problem);
  g_free (r);
}

gboolean
md_cite_acceptable (const MdCiteResult *r, char **reason)
{
  guint total = r->kept + r->dropped;

  if (r->kept > 0 && r->dropped * 2 <= total)
    return TRUE;
  if (total == 0)
    *reason = g_strdup ("the answer holds no sentence");
  else
    *reason = g_strdup_printf ("%u of %u sentences failed the citation check (%s)",
                               r->dropped, total,
                               r->first_problem ? r->first_problem : "none kept");
  return FALSE;
}

/* ---- canonical text back ---- */

/* Calls FN for each line of canonical TEXT with its section (-1: none). */
static void
each_line (const char *text, void (*fn) (int section, const char *line, gpointer data),
           gpointer data)
{
  g_auto (GStrv) lines = g_strsplit (text ? text : "", "\n", -1);
  int current = -1;

  for (guint i = 0; lines[i]; i++)
    {
      if (g_str_has_prefix (lines[i], "## "))
        {
          current = -1;
          for (guint s = 0; s < MD_CITE_N_SECTIONS; s++)
            if (strcmp (lines[i] + 3, section_keys[s]) == 0)
              current = s;
          continue;
        }
      if (*lines[i] && current >= 0)
        fn (current, lines[i], data);
    }
}

typedef struct {
  GString *out;
  guint (*map) (guint, gpointer);
  MdCiteUrl url;
  gpointer data;
  int section;
  const char *const *heads;
  gboolean is_series;
} Walk;


static char *
renumbered_mark (GArray *nums, gconstpointer data)
{
  const Walk *w = data;
  g_autoptr (GArray) kept = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < nums->len; i++)
    {
      guint n = w->map (g_array_index (nums, guint, i), w->data);
      if (n)
        add_number (kept, n);
    }
  return kept->len ? mark_string (kept) : g_strdup ("");
}

static void
renumber_line (int section, const char *line, gpointer data)
{
  Walk *w = data;
  g_autofree char *s = map_marks (line, renumbered_mark, w, FALSE);

  if (section != w->section)
    g_string_append_printf (w->out, "## %s\n", section_keys[section]);
  w->section = section;
  g_string_append_printf (w->out, "%s\n", g_strchomp (s));
}

char *
md_cite_renumber (const char *text, guint (*map) (guint n, gpointer data),
                  gpointer data)
{
  Walk w = { g_string_new (NULL), map, NULL, data, -1, NULL, FALSE };

  each_line (text, renumber_line, &w);
  return g_string_free (w.out, FALSE);
}

static void
collect_line (int section, const char *line, gpointer data)
{
  g_autofree char *s = normalise_marks (line, data);
}

GArray *
md_cite_numbers (const char *text)
{
  GArray *nums = g_array_new (FALSE, FALSE, sizeof (guint));

  each_line (text, collect_line, nums);
  g_array_sort (nums, cmp_uint);
  return nums;
}

/* ---- Markdown ---- */

static char *
linked_mark (GArray *nums, gconstpointer data)
{
  const Walk *w = data;
  g_autoptr (GString) s = g_string_new (NULL);

  g_array_sort (nums, cmp_uint);
  for (guint i = 0; i < nums->len; i++)
    {
      guint n = g_array_index (nums, guint, i);
      g_autofree char *url = w->url ? w->url (n, w->data) : NULL;
      if (url)
        g_string_append_printf (s, "[\\[%u\\]](%s)", n, url);
      else
        g_string_append_printf (s, "\\[%u\\]", n);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static const char *const heads_zh[] = { "原始补丁内容", "历史讨论要点", "本周新讨论与进展", "讨论内容" };
static const char *const heads_en[] = { "What the series is", "Before this week",
                                        "New this week", "What it is about" };

static void
render_line (int section, const char *line, gpointer data)
{
  Walk *w = data;
  g_autofree char *s = map_marks (line, linked_mark, w, TRUE);
  gboolean zh = w->heads == heads_zh;

  if (section != w->section)
    {
      const char *head = w->heads[section];
      if (section == MD_CITE_SERIES && !w->is_series)
        head = w->heads[3];
      g_string_append_printf (w->out, "%s- **%s**%s", w->out->len ? "\n" : "", head,
                              zh ? "：" : ":");
      w->section = section;
    }
  g_string_append_printf (w->out, "\n  - %s", s);
}

char *
md_cite_render (const char *text, const char *lang, gboolean is_series,
                MdCiteUrl url, gpointer data)
{
  Walk w = { g_string_new (NULL), NULL, url, data, -1,
             g_strcmp0 (lang, "en") == 0 ? heads_en : heads_zh, is_series };

  each_line (text, render_line, &w);
  return g_string_free (w.out, FALSE);
}
