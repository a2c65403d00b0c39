/* patch.c - diffs in mail text (patch.h).
 *
 * A diff ends where its hunks end: the @@ header says how many old and
 * new lines follow, so we count them instead of guessing from the line
 * prefixes (a reply can continue right after a quoted "-" line, and a
 * hunk can remove a line starting with "-- ").  Between hunks only diff
 * header lines may follow; anything else ends the diff and is prose
 * again.  That makes the removal exact for well-formed diffs and stops
 * early, never late, on mangled ones.
 */
#include <string.h>
#include "patch.h"
#include "text.h"

typedef struct {
  const char *s;
  gsize n;
} Line;

typedef struct {
  char *path;
  guint add, del;
  gboolean binary;
} FileStat;

typedef struct {
  const Line *l;
  gsize n;
  GArray *stats;        /* FileStat */
  FileStat *cur;
  gboolean content;     /* more than a "diff ..." line: a real diff */
} DiffScan;

void
md_patch_init (MdPatch *patch)
{
  memset (patch, 0, sizeof *patch);
  patch->prose = g_string_new (NULL);
  patch->files = g_ptr_array_new_with_free_func (g_free);
}

void
md_patch_clear (MdPatch *patch)
{
  if (patch->prose)
    g_string_free (patch->prose, TRUE);
  g_free (patch->commit_msg);
  g_free (patch->diffstat);
  if (patch->files)
    g_ptr_array_unref (patch->files);
  memset (patch, 0, sizeof *patch);
}

static gboolean
starts (const Line *l, const char *prefix)
{
  gsize k = strlen (prefix);
  return l->n >= k && memcmp (l->s, prefix, k) == 0;
}

static GArray *
split_lines (const char *text, gsize len)
{
  GArray *lines = g_array_sized_new (FALSE, FALSE, sizeof (Line), len / 40 + 1);
  const char *p = text, *end = text + len;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      Line l = { p, nl ? (gsize) (nl - p) : (gsize) (end - p) };
      g_array_append_val (lines, l);
      p = nl ? nl + 1 : end;
    }
  return lines;
}

static gboolean
is_diff_start (const Line *l, gsize i, gsize n)
{
  if (starts (&l[i], "diff --git ") || starts (&l[i], "diff -"))
    return TRUE;
  if (starts (&l[i], "Index: ") && i + 1 < n && starts (&l[i + 1], "===="))
    return TRUE;
  return starts (&l[i], "--- ") && i + 2 < n && starts (&l[i + 1], "+++ ")
    && starts (&l[i + 2], "@@ ");
}

/* ---- paths ---- */

static void
stat_free (gpointer p)
{
  g_free (((FileStat *) p)->path);
}

static void
set_path (DiffScan *d, const char *s, gsize n)
{
  if (d->cur == NULL)
    {
      FileStat fs = { 0 };
      g_array_append_val (d->stats, fs);
      d->cur = &g_array_index (d->stats, FileStat, d->stats->len - 1);
    }
  g_free (d->cur->path);
  d->cur->path = g_strndup (s, n);
}

/* "a/x b/x" -> "x"; paths with " b/" inside them are why we prefer the
 * symmetric split and only then the first " b/". */
static void
path_from_diff_git (DiffScan *d, const Line *l)
{
  const char *r = l->s + 11;
  gsize n = l->n - 11;
  if (n >= 7 && n % 2 == 1 && r[n / 2] == ' ' && memcmp (r, "a/", 2) == 0
      && memcmp (r + 2, r + n / 2 + 3, n / 2 - 2) == 0)
    {
      set_path (d, r + 2, n / 2 - 2);
      return;
    }
  const char *b = g_strstr_len (r, n, " b/");
  if (b)
    set_path (d, b + 3, r + n - b - 3);
  else
    set_path (d, r, n);
}

/* The path of a "--- x" / "+++ x" line: tab-separated date dropped, the
 * first directory (a/, b/, linux-5.4/) stripped as "patch -p1" would. */
static gboolean
path_from_marker (DiffScan *d, const Line *l)
{
  const char *s = l->s + 4, *end = l->s + l->n;
  const char *tab = memchr (s, '\t', end - s);
  if (tab)
    end = tab;
  while (end > s && end[-1] == ' ')
    end--;
  if (end - s >= 9 && memcmp (s, "/dev/null", 9) == 0)
    return FALSE;
  const char *slash = memchr (s, '/', end - s);
  if (slash && slash + 1 < end)
    s = slash + 1;
  if (end > s)
    set_path (d, s, end - s);
  return end > s;
}

/* ---- hunks ---- */

static guint
parse_count (const char **p)
{
  guint v = 1;
  while (g_ascii_isdigit (**p))
    (*p)++;
  if (**p == ',')
    {
      (*p)++;
      v = 0;
      for (; g_ascii_isdigit (**p); (*p)++)
        v = v < 100000000 ? v * 10 + (**p - '0') : v;
    }
  return v;
}

static void
parse_hunk_header (const Line *l, guint *old_left, guint *new_left)
{
  g_autofree char *h = g_strndup (l->s, l->n);
  const char *p = strchr (h, '-');
  *old_left = *new_left = 0;
  if (p == NULL)
    return;
  p++;
  *old_left = parse_count (&p);
  p = strchr (p, '+');
  if (p == NULL)
    return;
  p++;
  *new_left = parse_count (&p);
}

/* Consumes one hunk body line if the counts allow it. */
static gboolean
hunk_line (const Line *l, guint *old_left, guint *new_left, FileStat *fs)
{
  char c = l->n ? l->s[0] : ' ';   /* an empty line is a context line a mailer trimmed */
  if (c == '\\')
    return TRUE;
  if (c == ' ' && *old_left > 0 && *new_left > 0)
    return (*old_left)--, (*new_left)--, TRUE;
  if (c == '-' && *old_left > 0)
    return (*old_left)--, fs ? fs->del++ : 0, TRUE;
  if (c == '+' && *new_left > 0)
    return (*new_left)--, fs ? fs->add++ : 0, TRUE;
  return FALSE;
}

static const char *const diff_header_prefixes[] = {
  "index ", "old mode ", "new mode ", "deleted file mode ", "new file mode ",
  "similarity index ", "dissimilarity index ", "rename from ", "copy from ",
  "copy to ", "Index: ", "====", "Binary files ", "Only in ",
};

static gboolean
is_diff_header (const Line *l)
{
  for (gsize i = 0; i < G_N_ELEMENTS (diff_header_prefixes); i++)
    if (starts (l, diff_header_prefixes[i]))
      return TRUE;
  return FALSE;
}

/* "GIT binary patch": base85 blocks separated by one empty line. */
static gsize
skip_binary (DiffScan *d, gsize i)
{
  if (d->cur)
    d->cur->binary = TRUE;
  for (i++; i < d->n; i++)
    {
      const Line *l = &d->l[i];
      if (starts (l, "diff "))
        break;
      if (l->n == 0 && !(i + 1 < d->n && (starts (&d->l[i + 1], "literal ")
                                          || starts (&d->l[i + 1], "delta "))))
        return i + 1;
    }
  return i;
}

/* One header line of a diff (outside hunks); returns the next index, or
 * I itself when the line is not part of a diff. */
static gsize
header_line (DiffScan *d, gsize i, guint *old_left, guint *new_left)
{
  const Line *l = &d->l[i];
  if (starts (l, "diff "))
    {
      d->cur = NULL;
      if (starts (l, "diff --git "))
        path_from_diff_git (d, l);
      return i + 1;
    }
  d->content = TRUE;
  if (starts (l, "--- ") && i + 1 < d->n && starts (&d->l[i + 1], "+++ "))
    {
      if (d->cur && (d->cur->add || d->cur->del))
        d->cur = NULL;   /* a new file of a non-git diff */
      if (!path_from_marker (d, &d->l[i + 1]))
        path_from_marker (d, l);
      return i + 2;
    }
  if (starts (l, "@@ "))
    {
      parse_hunk_header (l, old_left, new_left);
      if (d->cur == NULL)
        set_path (d, "?", 1);
      return i + 1;
    }
  if (starts (l, "rename to ") || starts (l, "copy to "))
    {
      gsize k = starts (l, "rename to ") ? 10 : 8;
      set_path (d, l->s + k, l->n - k);
      return i + 1;
    }
  if (starts (l, "GIT binary patch"))
    return skip_binary (d, i);
  if (starts (l, "Binary files ") && d->cur)
    d->cur->binary = TRUE;
  if (is_diff_header (l))
    return i + 1;
  d->content = FALSE;   /* this line is not part of any diff */
  return i;
}

/* Consumes the diff starting at I; returns the index after it. */
static gsize
consume_diff (DiffScan *d, gsize i)
{
  guint old_left = 0, new_left = 0;
  gboolean content = FALSE;
  d->cur = NULL;
  while (i < d->n)
    {
      if ((old_left || new_left) && hunk_line (&d->l[i], &old_left, &new_left, d->cur))
        {
          i++;
          continue;
        }
      old_left = new_left = 0;
      d->content = FALSE;
      gsize next = header_line (d, i, &old_left, &new_left);
      content |= d->content;
      if (next == i)
        break;
      i = next;
    }
  d->content = content;
  return i;
}

/* ---- diffstat ---- */

/* " path | 12 ++++--", " path | Bin 0 -> 1 bytes" */
static gboolean
is_diffstat_line (const Line *l)
{
  if (l->n < 5 || l->s[0] != ' ')
    return FALSE;
  const char *bar = g_strstr_len (l->s, l->n, " | ");
  if (bar == NULL)
    return FALSE;
  const char *p = bar + 3, *end = l->s + l->n;
  while (p < end && *p == ' ')
    p++;
  if (end - p >= 3 && memcmp (p, "Bin", 3) == 0)
    return TRUE;
  if (p == end || !g_ascii_isdigit (*p))
    return FALSE;
  while (p < end && g_ascii_isdigit (*p))
    p++;
  while (p < end && (*p == ' ' || *p == '+' || *p == '-'))
    p++;
  return p == end;
}

static gboolean
is_diffstat_summary (const Line *l)
{
  gsize i = 0;
  while (i < l->n && l->s[i] == ' ')
    i++;
  if (i == l->n || !g_ascii_isdigit (l->s[i]))
    return FALSE;
  while (i < l->n && g_ascii_isdigit (l->s[i]))
    i++;
  Line rest = { l->s + i, l->n - i };
  return starts (&rest, " file changed") || starts (&rest, " files changed");
}

/* The diffstat block the sender wrote, from lines [FROM, TO). */
static char *
find_diffstat (const Line *l, gsize from, gsize to)
{
  GString *out = g_string_new (NULL);
  for (gsize i = from; i < to; i++)
    if (is_diffstat_line (&l[i]) || is_diffstat_summary (&l[i]))
      {
        g_string_append_len (out, l[i].s, l[i].n);
        g_string_append_c (out, '\n');
      }
  return g_string_free (out, out->len == 0);
}

static void
append_bar (GString *out, guint n, char c)
{
  for (guint i = 0; i < n; i++)
    g_string_append_c (out, c);
}

/* git's layout: one line per file, bars scaled to 50 columns. */
static char *
compute_diffstat (GArray *stats)
{
  GString *out = g_string_new (NULL);
  guint max = 0, adds = 0, dels = 0;
  for (guint i = 0; i < stats->len; i++)
    {
      FileStat *fs = &g_array_index (stats, FileStat, i);
      max = MAX (max, fs->add + fs->del);
    }
  for (guint i = 0; i < stats->len; i++)
    {
      FileStat *fs = &g_array_index (stats, FileStat, i);
      guint total = fs->add + fs->del;
      guint scale = max > 50 ? max : 50;
      adds += fs->add;
      dels += fs->del;
      if (fs->binary)
        {
          g_string_append_printf (out, " %s | Bin\n", fs->path);
          continue;
        }
      g_string_append_printf (out, " %s | %u ", fs->path, total);
      append_bar (out, (guint) ((guint64) fs->add * 50 / scale), '+');
      append_bar (out, (guint) ((guint64) fs->del * 50 / scale), '-');
      g_string_append_c (out, '\n');
    }
  g_string_append_printf (out, " %u file%s changed, %u insertion%s(+), %u deletion%s(-)\n",
                          stats->len, stats->len == 1 ? "" : "s",
                          adds, adds == 1 ? "" : "s", dels, dels == 1 ? "" : "s");
  return g_string_free (out, FALSE);
}

/* ---- the split ---- */

/* A path is one line of the record: a control byte in a mangled diff
 * becomes a space, a huge one is cut (see text.h). */
static void
add_file (GPtrArray *files, const char *raw)
{
  if (files->len >= MD_PATCH_MAX_FILES || raw == NULL || strcmp (raw, "?") == 0)
    return;
  g_autofree char *path = md_text_single_line (g_strdup (raw), MD_PATCH_MAX_PATH);
  if (*path == '\0')
    return;
  for (guint i = 0; i < files->len; i++)
    if (strcmp (files->pdata[i], path) == 0)
      return;
  g_ptr_array_add (files, g_steal_pointer (&path));
}

static char *
join_lines (const Line *l, gsize from, gsize to)
{
  GString *out = g_string_new (NULL);
  for (gsize i = from; i < to; i++)
    {
      g_string_append_len (out, l[i].s, l[i].n);
      g_string_append_c (out, '\n');
    }
  g_autofree char *s = g_string_free (out, FALSE);
  char *trimmed = g_strdup (g_strstrip (s));
  return *trimmed ? trimmed : (g_free (trimmed), NULL);
}

static gboolean
is_separator (const Line *l)
{
  gsize n = l->n;
  while (n > 3 && (l->s[n - 1] == ' ' || l->s[n - 1] == '\t'))
    n--;
  return n == 3 && memcmp (l->s, "---", 3) == 0;
}

/* Files named by a diffstat ("   path | 3 +-"), for cover letters. */
static void
files_from_diffstat (const char *stat, GPtrArray *files)
{
  g_auto (GStrv) lines = g_strsplit (stat, "\n", -1);
  for (char **p = lines; *p; p++)
    {
      char *bar = strstr (*p, " | ");
      if (bar == NULL)
        continue;
      *bar = '\0';
      add_file (files, g_strstrip (*p));
    }
}

typedef struct {
  gsize sep;            /* first "---" line before any diff, or G_MAXSIZE */
  gsize first_diff;     /* first diff line, or G_MAXSIZE */
} Marks;

static void
scan_text (DiffScan *d, MdPatch *patch, Marks *m)
{
  gsize prose_until = 0;   /* lines before it are known not to start a diff */

  for (gsize i = 0; i < d->n; )
    {
      const Line *l = &d->l[i];
      if (i >= prose_until && !md_text_is_quoted (l->s, l->n) && is_diff_start (d->l, i, d->n))
        {
          guint nstats = d->stats->len;
          gsize next = consume_diff (d, i);
          if (!d->content)
            {
              /* "diff -u is..." in prose.  It read a run of "diff ..."
               * lines; from any of them it would read the same run and
               * stop at the same place, so they are all prose (and
               * trying each again would be quadratic). */
              g_array_set_size (d->stats, nstats);
              prose_until = next;
            }
          else
            {
              if (m->first_diff == G_MAXSIZE)
                m->first_diff = i;
              patch->found = TRUE;
              i = next;
              continue;
            }
        }
      if (m->sep == G_MAXSIZE && m->first_diff == G_MAXSIZE && is_separator (l))
        m->sep = i;
      g_string_append_len (patch->prose, l->s, l->n);
      g_string_append_c (patch->prose, '\n');
      i++;
    }
}

static void
fill_results (DiffScan *d, gboolean is_reply, const Marks *m, MdPatch *patch)
{
  gsize stat_from = m->sep == G_MAXSIZE ? 0 : m->sep + 1;
  gsize stat_to = MIN (m->first_diff, d->n);

  for (guint i = 0; i < d->stats->len; i++)
    add_file (patch->files, g_array_index (d->stats, FileStat, i).path);
  patch->diffstat = find_diffstat (d->l, stat_from, stat_to);
  if (!patch->found)
    {
      /* a cover letter: its diffstat says what the series touches */
      if (patch->diffstat && strstr (patch->diffstat, " changed"))
        files_from_diffstat (patch->diffstat, patch->files);
      else
        g_clear_pointer (&patch->diffstat, g_free);
      return;
    }
  if (patch->diffstat == NULL && d->stats->len > 0)
    patch->diffstat = compute_diffstat (d->stats);
  if (m->sep != G_MAXSIZE)
    patch->commit_msg = join_lines (d->l, 0, m->sep);
  else if (!is_reply)
    patch->commit_msg = join_lines (d->l, 0, m->first_diff);
}

void
md_patch_split (const char *text, gsize len, gboolean is_reply, MdPatch *patch)
{
  g_autoptr (GArray) lines = split_lines (text, len);
  g_autoptr (GArray) stats = g_array_new (FALSE, TRUE, sizeof (FileStat));
  g_array_set_clear_func (stats, stat_free);
  DiffScan d = { (const Line *) (void *) lines->data, lines->len, stats, NULL, FALSE };
  Marks m = { G_MAXSIZE, G_MAXSIZE };

  scan_text (&d, patch, &m);
  fill_results (&d, is_reply, &m, patch);
}
