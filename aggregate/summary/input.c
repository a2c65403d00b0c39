/* input.c - a thread's mail prepared for a model (see input.h).
 *
 * Rationale of the budget: a weekly job pays per token and a thread of
 * ninety messages does not fit a small model's context, but most of a
 * thread's bytes are quotes of earlier messages, diffs and trailers,
 * none of which says anything new.  Dropping those first keeps every
 * message's own words; only then are whole messages left out, least
 * telling first (the cover letter says what the series is, the newest
 * message where it stands, a long review more than "Thanks, applied").
 * What still does not fit one request is split into consecutive parts,
 * so a big thread is read whole at the cost of one more request.
 */
#include <string.h>
#include "escape.h"
#include "excerpt.h"
#include "input.h"
#include "text.h"

#define DIFFSTAT_LINES 12   /* diffstat lines shown of a patch, then the total */
#define FUNCTIONS_SHOWN 16  /* functions named of a patch, then how many more */

guint
md_tokens_estimate (const char *text)
{
  gsize ascii = 0, other = 0;

  for (const char *p = text; p && *p; p = g_utf8_next_char (p))
    if ((guchar) *p < 0x80)
      ascii++;
    else
      other++;
  return (guint) MIN ((ascii + 3) / 4 + other + (other + 3) / 4, G_MAXUINT);
}

/* ---- one message's text ---- */

static gboolean
is_blank (const char *s)
{
  return md_text_is_blank (s, strlen (s));
}

static gboolean
starts_diff (const char *l)
{
  return g_str_has_prefix (l, "diff --git ") || g_str_has_prefix (l, "--- a/")
         || g_str_has_prefix (l, "Index: ") || g_str_has_prefix (l, "@@ -");
}

static gboolean
diff_line (const char *l)
{
  return *l == ' ' || *l == '+' || *l == '-' || *l == '@' || *l == '\t'
         || *l == '\\' || g_str_has_prefix (l, "index ") || starts_diff (l);
}

/* A diff the parser left in the text (one a mail client wrapped, so it no
 * longer parses): from its first line on, until a blank line is followed
 * by one that is no diff line.  Returns the index of its last line. */
static guint
skip_diff (char **lines, guint i)
{
  for (; lines[i + 1]; i++)
    if (is_blank (lines[i + 1]) && (lines[i + 2] == NULL || !diff_line (lines[i + 2])))
      return i;
  return i;
}

static const char diff_mark[] = "[diff not shown]";

/* Lines of TEXT worth a model's time, kept in OUT (borrowed from LINES). */
static void
keep_lines (char **lines, GPtrArray *out)
{
  for (guint i = 0; lines[i]; i++)
    {
      const char *l = lines[i];
      g_autofree char *s = g_strstrip (g_strdup (l));
      if (strcmp (l, "-- ") == 0 || strcmp (l, "--") == 0)
        break;                                /* the signature */
      if (starts_diff (l))
        {
          i = skip_diff (lines, i);
          g_ptr_array_add (out, (gpointer) diff_mark);
          continue;
        }
      if (md_text_is_quoted (l, strlen (l)) || md_excerpt_is_trailer (s)
          || strcmp (s, "[...]") == 0 || g_str_has_prefix (s, "[snip"))
        continue;
      if (md_excerpt_is_attribution (s))
        {
          /* a folded attribution's first half: "On Mon, 10 Feb, X" */
          if (out->len && g_str_has_prefix (out->pdata[out->len - 1], "On "))
            g_ptr_array_remove_index (out, out->len - 1);
          continue;
        }
      if (is_blank (l) && (out->len == 0 || is_blank (out->pdata[out->len - 1])))
        continue;                             /* blank runs, leading blanks */
      g_ptr_array_add (out, (gpointer) l);
    }
  while (out->len && is_blank (out->pdata[out->len - 1]))
    g_ptr_array_remove_index (out, out->len - 1);
}

char *
md_input_clean (const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text ? text : "", "\n", -1);
  g_autoptr (GPtrArray) kept = g_ptr_array_new ();

  keep_lines (lines, kept);
  g_ptr_array_add (kept, NULL);
  return g_strjoinv ("\n", (char **) kept->pdata);
}

char *
md_input_cut (const char *text, guint max_tokens)
{
  g_autoptr (GString) out = g_string_new (NULL);
  const char *p = text;
  guint used = 0;

  if (md_tokens_estimate (text) <= max_tokens)
    return g_strdup (text);
  while (*p)
    {
      const char *nl = strchr (p, '\n');
      gsize len = nl ? (gsize) (nl - p + 1) : strlen (p);
      g_autofree char *line = g_strndup (p, len);
      guint t = md_tokens_estimate (line);
      if (used + t > max_tokens)
        {
          if (out->len == 0)  /* one long line: cut inside it */
            g_string_append_len (out, line, md_text_utf8_cut (line, len, max_tokens * 3));
          break;
        }
      g_string_append (out, line);
      used += t;
      p += len;
    }
  if (out->len && out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');
  g_string_append (out, "[… cut]");
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* "[2] https://..." at a line's start would read as a message's number. */
static void
defuse_numbers (GString *s)
{
  static GRegex *lead;

  if (g_once_init_enter (&lead))
    g_once_init_leave (&lead, g_regex_new ("^([ \\t]*)\\[(\\d+)\\]", G_REGEX_MULTILINE, 0, NULL));
  g_autofree char *out = g_regex_replace (lead, s->str, s->len, 0, "\\1(\\2)", 0, NULL);
  if (out)
    g_string_assign (s, out);
}

char *
md_input_fence (const char *text)
{
  g_autoptr (GString) s = g_string_new (text ? text : "");

  g_string_replace (s, "<<<", "‹‹‹", 0);
  g_string_replace (s, ">>>", "›››", 0);
  defuse_numbers (s);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* The first DIFFSTAT_LINES lines of a diffstat and its total line. */
static char *
short_diffstat (const char *diffstat)
{
  g_auto (GStrv) lines = g_strsplit (diffstat, "\n", -1);
  guint n = g_strv_length (lines);
  g_autoptr (GString) out = g_string_new (NULL);

  while (n && is_blank (lines[n - 1]))
    n--;
  for (guint i = 0; i < n; i++)
    {
      if (i == DIFFSTAT_LINES && i + 1 < n)
        {
          g_string_append_printf (out, " [%u more files]\n", n - 1 - i);
          i = n - 1;
        }
      g_string_append_printf (out, "%s\n", lines[i]);
    }
  if (out->len)
    g_string_truncate (out, out->len - 1);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A cover letter's text holds its diffstat already. */
static gboolean
holds_diffstat (const char *own, const char *diffstat)
{
  g_auto (GStrv) lines = g_strsplit (diffstat, "\n", 2);
  g_autofree char *first = g_strstrip (g_strdup (lines[0]));

  return *first && strstr (own, first) != NULL;
}

static gboolean
is_identifier (const char *s)
{
  if (!g_ascii_isalpha (*s) && *s != '_')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isalnum (*s) && *s != '_')
      return FALSE;
  return TRUE;
}

/* "\nFunctions: a(), b()" for a patch's hunk contexts; a context that
 * is no name ("struct kvm {") is shown as it is.  "" when there is none. */
static char *
functions_line (const MdRecord *rec)
{
  g_autoptr (GString) out = g_string_new (NULL);
  guint n = rec->functions->len;

  for (guint i = 0; i < n && i < FUNCTIONS_SHOWN; i++)
    {
      const char *f = rec->functions->pdata[i];
      g_string_append_printf (out, "%s%s%s", i ? ", " : "\nFunctions: ", f,
                              is_identifier (f) ? "()" : "");
    }
  if (n > FUNCTIONS_SHOWN)
    g_string_append_printf (out, " [%u more]", n - FUNCTIONS_SHOWN);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* What the model reads of REC: a patch is its commit message, its
 * diffstat and the functions it touches (the diff was dropped at
 * ingest); anything else its own text. */
static char *
plain_text (const MdRecord *rec)
{
  g_autofree char *own = md_input_clean (rec->commit_msg ? rec->commit_msg : rec->body);
  g_autofree char *funcs = functions_line (rec);
  g_autofree char *stat = NULL;

  if (rec->diffstat == NULL || *rec->diffstat == '\0' || holds_diffstat (own, rec->diffstat))
    return *funcs ? g_strdup_printf ("%s%s", own, *own ? funcs : funcs + 1)
                  : g_steal_pointer (&own);
  stat = short_diffstat (rec->diffstat);
  return g_strdup_printf ("%s%s[diff not shown; diffstat:]\n%s%s", own,
                          *own ? "\n\n" : "", stat, funcs);
}

/* A patch of a series when the thread does not fit: the first paragraph
 * of its commit message and its diffstat's total line (the cover letter
 * says what the series does; the subject says what the patch does). */
static char *
lean_text (const MdRecord *rec)
{
  g_autofree char *first = md_excerpt (rec->commit_msg, 2, 160);
  g_auto (GStrv) stat = g_strsplit (rec->diffstat ? rec->diffstat : "", "\n", -1);
  const char *total = NULL;

  for (guint i = 0; stat[i]; i++)
    if (!is_blank (stat[i]))
      total = stat[i];
  return g_strdup_printf ("%s%s%s%s", first ? first : "", first && total ? "\n" : "",
                          total ? "[diff not shown:]" : "", total ? total : "");
}

static char *
block (guint n, const MdRecord *rec, const char *plain)
{
  g_autofree char *date = md_time_iso8601 (rec->date);
  g_autofree char *from = md_input_fence (*rec->from_name ? rec->from_name : rec->from_email);
  g_autofree char *email = md_input_fence (rec->from_email);
  g_autofree char *subject = md_input_fence (rec->subject);
  g_autofree char *body = md_input_fence (plain);

  return g_strdup_printf ("<<<MESSAGE %u\n[%u] from: %s <%s>; date: %s; subject: %s\n"
                          "%s\nMESSAGE %u>>>",
                          n, n, from, email, date, subject, body, n);
}

/* ---- choosing what fits ---- */

static void
msg_free (gpointer p)
{
  MdInputMsg *m = p;
  g_free (m->text);
  g_free (m->plain);
  g_free (m);
}

/* Keep order: the root (cover letter), the newest message, this week's
 * replies by length of their own text, this week's patches in order,
 * replies on v(N-1) by length, then earlier messages newest first. */
static guint
weight (const MdThread *t, const MdRecord *rec, MdInputKind kind, guint pos,
        guint tokens)
{
  GPtrArray *w = t->messages;

  if (kind == MD_INPUT_EARLIER && pos == G_MAXUINT)
    return 0;                   /* told by the history */
  if (rec == t->root_rec)
    return 900000000;
  if (kind == MD_INPUT_WINDOW && w->len && rec == w->pdata[w->len - 1])
    return 800000000;
  tokens = MIN (tokens, 90000000);
  if (kind == MD_INPUT_WINDOW && !md_record_is_posting (rec))
    return 600000000 + tokens;
  if (kind == MD_INPUT_WINDOW)
    return 500000000 - pos;
  if (kind == MD_INPUT_PREVIOUS)
    return 300000000 + tokens;
  return 100000000 + pos;
}

static void
add_msgs (MdInput *in, const MdThread *t, GPtrArray *recs, MdInputKind kind,
          guint msg_max, gboolean never)
{
  for (guint i = 0; i < recs->len; i++)
    {
      MdInputMsg *m = g_new0 (MdInputMsg, 1);
      g_autofree char *plain = NULL;
      guint max;
      m->n = in->msgs->len + 1;
      m->kind = kind;
      m->rec = recs->pdata[i];
      plain = plain_text (m->rec);
      m->text = block (m->n, m->rec, "");   /* the frame alone, for its size */
      /* the frame, then as much of the text as MSG_MAX leaves (the cut
       * mark's few tokens included) */
      max = msg_max;
      m->plain = md_input_cut (plain, max > md_tokens_estimate (m->text) + 24
                                      ? max - md_tokens_estimate (m->text) - 8 : 16);
      g_free (m->text);
      m->text = block (m->n, m->rec, m->plain);
      m->tokens = md_tokens_estimate (m->text);
      m->weight = weight (t, m->rec, kind, never ? G_MAXUINT : i, m->tokens);
      g_ptr_array_add (in->msgs, m);
      g_hash_table_insert (in->by_rec, (gpointer) m->rec, m);
      g_hash_table_insert (in->by_id, m->rec->message_id, m);
    }
}

static int
by_weight (gconstpointer a, gconstpointer b)
{
  const MdInputMsg *x = *(MdInputMsg *const *) a, *y = *(MdInputMsg *const *) b;
  return x->weight < y->weight ? 1 : x->weight > y->weight ? -1 : 0;
}

static int
by_number (gconstpointer a, gconstpointer b)
{
  const MdInputMsg *x = *(MdInputMsg *const *) a, *y = *(MdInputMsg *const *) b;
  return x->n < y->n ? -1 : x->n > y->n;
}

/* KEPT (by number) split into consecutive parts of at most BUDGET. */
static void
split (MdInput *in, GPtrArray *kept, guint budget)
{
  GPtrArray *part = NULL;
  guint used = 0;

  g_ptr_array_set_size (in->parts, 0);
  for (guint i = 0; i < kept->len; i++)
    {
      MdInputMsg *m = kept->pdata[i];
      if (part == NULL || used + m->tokens > budget)
        {
          part = g_ptr_array_new ();
          g_ptr_array_add (in->parts, part);
          used = 0;
        }
      g_ptr_array_add (part, m);
      used += m->tokens;
    }
}

/* A copy of A that does not own its elements (g_ptr_array_copy() keeps
 * the free function). */
static GPtrArray *
borrowed_copy (GPtrArray *a)
{
  GPtrArray *c = g_ptr_array_copy (a, NULL, NULL);
  g_ptr_array_set_free_func (c, NULL);
  return c;
}

static void
choose (MdInput *in, guint budget)
{
  g_autoptr (GPtrArray) order = borrowed_copy (in->msgs);
  g_autoptr (GPtrArray) kept = g_ptr_array_new ();
  guint64 room = (guint64) budget * MD_INPUT_MAX_PARTS, used = 0;

  g_ptr_array_sort (order, by_weight);
  for (guint i = 0; i < order->len; i++)
    {
      MdInputMsg *m = order->pdata[i];
      if (m->weight > 0 && m->tokens <= budget && used + m->tokens <= room)
        {
          g_ptr_array_add (kept, m);
          used += m->tokens;
        }
    }
  /* parts do not pack perfectly: leave out the least telling until they fit */
  for (;;)
    {
      g_autoptr (GPtrArray) sorted = borrowed_copy (kept);
      g_ptr_array_sort (sorted, by_number);
      split (in, sorted, budget);
      if (in->parts->len <= MD_INPUT_MAX_PARTS || kept->len == 0)
        break;
      g_ptr_array_remove_index (kept, kept->len - 1);
    }
  in->left_out = 0;
  in->tokens = 0;
  for (guint i = 0; i < kept->len; i++)
    {
      MdInputMsg *m = kept->pdata[i];
      m->given = TRUE;
      in->tokens += m->tokens;
    }
  for (guint i = 0; i < in->msgs->len; i++)
    {
      MdInputMsg *m = in->msgs->pdata[i];
      in->left_out += !m->given && m->weight > 0;
    }
}

static gboolean
is_series_patch (const MdThread *t, const MdInputMsg *m)
{
  return m->kind == MD_INPUT_WINDOW && m->rec != t->root_rec
         && md_record_is_posting (m->rec) && m->rec->commit_msg != NULL;
}

/* The messages that may be given fit BUDGET as they are. */
static gboolean
fits (const MdInput *in, guint budget)
{
  guint64 sum = 0;

  for (guint i = 0; i < in->msgs->len; i++)
    {
      const MdInputMsg *m = in->msgs->pdata[i];
      sum += m->weight ? m->tokens : 0;
    }
  return sum <= budget;
}

/* A thread that does not fit one request: its patches lean first, so
 * that a big series is split (or cut) only for its discussion. */
static void
lean_patches (MdInput *in, const MdThread *t)
{
  for (guint i = 0; i < in->msgs->len; i++)
    {
      MdInputMsg *m = in->msgs->pdata[i];
      g_autofree char *lean = NULL;
      if (!is_series_patch (t, m))
        continue;
      lean = lean_text (m->rec);
      if (md_tokens_estimate (lean) >= md_tokens_estimate (m->plain))
        continue;
      g_free (m->plain);
      m->plain = g_steal_pointer (&lean);
      g_free (m->text);
      m->text = block (m->n, m->rec, m->plain);
      m->tokens = md_tokens_estimate (m->text);
    }
}

MdInput *
md_input_new (const MdWeek *week, const MdThread *t, gboolean has_history,
              guint budget, guint msg_max)
{
  MdInput *in = g_new0 (MdInput, 1);

  in->msgs = g_ptr_array_new_with_free_func (msg_free);
  in->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  in->by_rec = g_hash_table_new (g_direct_hash, g_direct_equal);
  in->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  msg_max = MIN (msg_max, budget);
  add_msgs (in, t, t->messages, MD_INPUT_WINDOW, msg_max, FALSE);
  add_msgs (in, t, t->earlier, MD_INPUT_EARLIER, msg_max, has_history);
  add_msgs (in, t, t->previous_replies, MD_INPUT_PREVIOUS, msg_max, FALSE);
  if (!fits (in, budget))
    lean_patches (in, t);
  choose (in, budget);
  return in;
}

void
md_input_free (MdInput *in)
{
  if (in == NULL)
    return;
  g_ptr_array_unref (in->parts);
  g_ptr_array_unref (in->msgs);
  g_hash_table_unref (in->by_rec);
  g_hash_table_unref (in->by_id);
  g_free (in);
}

const MdInputMsg *
md_input_lookup (const MdInput *in, guint n)
{
  return n >= 1 && n <= in->msgs->len ? in->msgs->pdata[n - 1] : NULL;
}

const MdInputMsg *
md_input_find (const MdInput *in, const char *id)
{
  return id ? g_hash_table_lookup (in->by_id, id) : NULL;
}

char *
md_input_block (GPtrArray *part, MdInputKind kind)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; part && i < part->len; i++)
    {
      const MdInputMsg *m = part->pdata[i];
      if (m->kind == kind)
        g_string_append_printf (out, "%s%s", out->len ? "\n\n" : "", m->text);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ---- the facts ---- */

/* " [n]" of REC when it was numbered, else "". */
static char *
ref (const MdInput *in, const MdRecord *rec)
{
  const MdInputMsg *m = rec ? g_hash_table_lookup (in->by_rec, rec) : NULL;
  return m && m->given ? g_strdup_printf (" [%u]", m->n) : g_strdup ("");
}

static void
facts_series (GString *out, const MdThread *t)
{
  const MdSeriesInfo *s = &t->series;

  g_string_append_printf (out, "version: v%s%s%s\n",
                          s->version_str ? s->version_str : "1",
                          s->rfc ? " (RFC)" : "", s->resend ? " (RESEND)" : "");
  if (s->project)
    {
      g_autofree char *p = md_input_fence (s->project);
      g_string_append_printf (out, "project: %s\n", p);
    }
  if (s->total > 0 && s->counted)
    {
      g_string_append_printf (out, "patches: %u, received %u (%s)", s->total,
                              s->received, s->received >= s->total ? "complete" : "incomplete");
      for (guint i = 0; s->missing && i < s->missing->len; i++)
        g_string_append_printf (out, "%s%u", i ? "," : ", missing ",
                                g_array_index (s->missing, guint16, i));
      g_string_append_c (out, '\n');
    }
  if (s->previous_id)
    {
      g_autofree char *when = s->previous_date ? md_time_iso8601 (s->previous_date) : g_strdup ("?");
      g_string_append_printf (out, "previous version: v%s, posted %s\n",
                              s->previous_version_str ? s->previous_version_str : "?", when);
    }
}

/* One person's trailers of one kind: the patches and where given. */
typedef struct {
  const MdReview *first;
  GString *patches;
  GArray *where;           /* guint: [n] of the messages that carried them */
} TrailerGroup;

static void
group_free (gpointer p)
{
  TrailerGroup *g = p;
  g_string_free (g->patches, TRUE);
  g_array_unref (g->where);
  g_free (g);
}

static TrailerGroup *
group_of (GPtrArray *groups, const MdReview *r)
{
  TrailerGroup *g;

  for (guint i = 0; i < groups->len; i++)
    {
      g = groups->pdata[i];
      if (g->first->kind == r->kind && g_strcmp0 (g->first->email, r->email) == 0)
        return g;
    }
  g = g_new0 (TrailerGroup, 1);
  g->first = r;
  g->patches = g_string_new (NULL);
  g->where = g_array_new (FALSE, FALSE, sizeof (guint));
  g_ptr_array_add (groups, g);
  return g;
}

static void
add_where (GArray *where, guint n)
{
  for (guint i = 0; i < where->len; i++)
    if (g_array_index (where, guint, i) == n)
      return;
  g_array_append_val (where, n);
}

/* "trailer: Reviewed-by: Bob on patch 2, patch 3 [6,7]": one line per
 * person and kind, so a big series' trailers stay a few lines. */
static void
facts_reviews (GString *out, const MdThread *t, const MdInput *in)
{
  g_autoptr (GPtrArray) groups = g_ptr_array_new_with_free_func (group_free);

  for (guint i = 0; i < t->reviews->len; i++)
    {
      const MdReview *r = t->reviews->pdata[i];
      TrailerGroup *g = group_of (groups, r);
      const MdInputMsg *m = r->given_in ? g_hash_table_lookup (in->by_rec, r->given_in) : NULL;
      if (r->patch_index)
        g_string_append_printf (g->patches, "%spatch %u", g->patches->len ? ", " : "", r->patch_index);
      else
        g_string_append_printf (g->patches, "%sthe series", g->patches->len ? ", " : "");
      if (m && m->given)
        add_where (g->where, m->n);
    }
  for (guint i = 0; i < groups->len; i++)
    {
      TrailerGroup *g = groups->pdata[i];
      g_autofree char *name = md_input_fence (*g->first->name ? g->first->name : g->first->email);
      g_string_append_printf (out, "trailer: %s: %s on %s", md_trailer_kind_name (g->first->kind),
                              name, g->patches->str);
      for (guint k = 0; k < g->where->len; k++)
        g_string_append_printf (out, "%s%u", k ? "," : " [", g_array_index (g->where, guint, k));
      g_string_append (out, g->where->len ? "]\n" : "\n");
    }
}

static void
facts_marked (GString *out, const char *what, GPtrArray *recs, const MdInput *in)
{
  if (recs->len == 0)
    {
      g_string_append_printf (out, "%s: none\n", what);
      return;
    }
  for (guint i = 0; i < recs->len; i++)
    {
      const MdRecord *r = recs->pdata[i];
      g_autofree char *name = md_input_fence (*r->from_name ? r->from_name : r->from_email);
      g_autofree char *where = ref (in, r);
      g_string_append_printf (out, "%s: by %s%s\n", what, name, where);
    }
}

char *
md_input_facts (const MdWeek *week, const MdThread *t, const MdInput *in)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *subject = md_input_fence (t->subject);
  const char *kind = t->series.git_pull ? "pull request"
                     : t->is_series ? "patch series" : "discussion";

  g_string_append_printf (out, "subject: %s\nkind: %s\ncategory: %s\n", subject, kind,
                          t->category ? t->category : "Other");
  if (t->is_series && !t->series.git_pull)
    facts_series (out, t);
  g_string_append_printf (out, "messages this week: %u; participants: %u\n",
                          t->messages->len, t->participants);
  g_string_append_printf (out, "began before this week: %s\n", t->continues ? "yes" : "no");
  facts_reviews (out, t, in);
  facts_marked (out, "applied", t->applied, in);
  facts_marked (out, "NAK", t->naks, in);
  facts_marked (out, "build-robot failure", t->robot_failures, in);
  if (in->left_out)
    g_string_append_printf (out, "messages not shown (budget): %u\n", in->left_out);
  g_string_truncate (out, out->len - 1);
  return g_string_free (g_steal_pointer (&out), FALSE);
}
