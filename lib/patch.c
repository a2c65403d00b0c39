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

/* The text's lines, made on demand.  The scan goes forward and looks at
 * most two lines ahead, so a small ring of lines is all it keeps: a large
 * mail costs no array of lines, and no copy of its text. */
#define RING 8

typedef struct {
  const char *text;     /* LEN bytes */
  gsize len;
  gsize n;              /* lines in the text */
  gsize made;           /* lines made so far: the ring holds the last RING */
  const char *next;     /* where line MADE starts */
  Line ring[RING];
} Lines;

typedef struct {
  Lines *ls;
  gsize n;              /* ls->n */
  GArray *stats;        /* FileStat */
  FileStat *cur;
  gboolean content;     /* more than a "diff ..." line: a real diff */
  GPtrArray *functions; /* the patch's: hunk contexts found */
} DiffScan;

void
md_patch_init (MdPatch *patch)
{
  memset (patch, 0, sizeof *patch);
  patch->files = g_ptr_array_new_with_free_func (g_free);
  patch->functions = g_ptr_array_new_with_free_func (g_free);
  patch->cuts = g_array_new (FALSE, FALSE, sizeof (MdPatchCut));
}

void
md_patch_clear (MdPatch *patch)
{
  if (patch->cuts)
    g_array_unref (patch->cuts);
  g_free (patch->commit_msg);
  g_free (patch->diffstat);
  if (patch->files)
    g_ptr_array_unref (patch->files);
  if (patch->functions)
    g_ptr_array_unref (patch->functions);
  memset (patch, 0, sizeof *patch);
}

static gboolean
starts (const Line *l, const char *prefix)
{
  gsize k = strlen (prefix);
  return l->n >= k && memcmp (l->s, prefix, k) == 0;
}

/* Lines end at LF; a last line without one still counts. */
static void
lines_init (Lines *ls, const char *text, gsize len)
{
  memset (ls, 0, sizeof *ls);
  ls->text = ls->next = text;
  ls->len = len;
  for (const char *q = text, *end = text + len; q < end && (q = memchr (q, '\n', end - q)) != NULL; q++)
    ls->n++;
  if (len > 0 && text[len - 1] != '\n')
    ls->n++;
}

/* Line I (< ls->n).  The pointer stays good while the lines after it
 * that are looked at are fewer than RING.  The scan never goes further
 * back than that; if it did, the lines are made again from the start. */
static const Line *
line (Lines *ls, gsize i)
{
  if (i + RING <= ls->made)
    {
      ls->made = 0;
      ls->next = ls->text;
    }
  const char *end = ls->text + ls->len;
  for (; ls->made <= i; ls->made++)
    {
      const char *nl = memchr (ls->next, '\n', end - ls->next);
      Line *l = &ls->ring[ls->made % RING];
      l->s = ls->next;
      l->n = nl ? (gsize) (nl - ls->next) : (gsize) (end - ls->next);
      ls->next = nl ? nl + 1 : end;
    }
  return &ls->ring[i % RING];
}

/* Where line I starts; the text's length for I == ls->n. */
static gsize
line_offset (Lines *ls, gsize i)
{
  return i < ls->n ? (gsize) (line (ls, i)->s - ls->text) : ls->len;
}

static gboolean
is_diff_start (Lines *ls, gsize i)
{
  const Line *l = line (ls, i);
  if (starts (l, "diff --git ") || starts (l, "diff -"))
    return TRUE;
  if (starts (l, "Index: "))
    return i + 1 < ls->n && starts (line (ls, i + 1), "====");
  return starts (l, "--- ") && i + 2 < ls->n && starts (line (ls, i + 1), "+++ ")
    && starts (line (ls, i + 2), "@@ ");
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

/* ---- functions ---- */

static gboolean
is_ident (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

/* A word before "(" that is no function's name: "void (*handler)(int)",
 * "if (x)", "sizeof (t)" are kept whole. */
static gboolean
is_keyword (const char *s, gsize n)
{
  static const char *const words[] = { "void", "int", "char", "long", "if",
    "for", "while", "switch", "return", "sizeof", "typeof", "__attribute__" };
  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    if (strlen (words[i]) == n && memcmp (words[i], s, n) == 0)
      return TRUE;
  return FALSE;
}

/* What a hunk's context names: the identifier before its first "(" ("static
 * int foo(struct kvm *kvm)" -> "foo"), else the context itself ("struct
 * kvm_vcpu {"), one line, cut to MD_PATCH_MAX_FUNC bytes.  NULL when
 * there is no context. */
static char *
function_of_context (const char *s, gsize n)
{
  const char *paren = memchr (s, '(', n);
  if (paren)
    {
      const char *e = paren;
      while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
      const char *b = e;
      while (b > s && is_ident (b[-1]))
        b--;
      if (b < e && !g_ascii_isdigit (*b) && !is_keyword (b, e - b))
        return g_strndup (b, MIN ((gsize) (e - b), MD_PATCH_MAX_FUNC));
    }
  /* the text is UTF-8 (body.c) but a cut may split a character */
  g_autofree char *raw = g_strndup (s, MIN (n, MD_PATCH_MAX_FUNC * 4));
  char *ctx = md_text_single_line (g_utf8_make_valid (raw, -1), MD_PATCH_MAX_FUNC);
  return *ctx ? ctx : (g_free (ctx), NULL);
}

/* "@@ -a,b +c,d @@ context": the context's function, kept once.  A
 * linear search: the list holds at most MD_PATCH_MAX_FUNCS entries. */
static void
add_function (DiffScan *d, const Line *l)
{
  if (d->functions->len >= MD_PATCH_MAX_FUNCS || l->n < 4)
    return;
  const char *end = l->s + l->n;
  const char *close = g_strstr_len (l->s + 3, l->n - 3, "@@");
  if (close == NULL)
    return;
  g_autofree char *fn = function_of_context (close + 2, end - close - 2);
  if (fn == NULL)
    return;
  for (guint i = 0; i < d->functions->len; i++)
    if (strcmp (d->functions->pdata[i], fn) == 0)
      return;
  g_ptr_array_add (d->functions, g_steal_pointer (&fn));
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
      const Line *l = line (d->ls, i);
      if (starts (l, "diff "))
        break;
      if (l->n == 0 && !(i + 1 < d->n && (starts (line (d->ls, i + 1), "literal ")
                                          || starts (line (d->ls, i + 1), "delta "))))
        return i + 1;
    }
  return i;
}

/* One header line of a diff (outside hunks); returns the next index, or
 * I itself when the line is not part of a diff. */
static gsize
header_line (DiffScan *d, gsize i, guint *old_left, guint *new_left)
{
  const Line *l = line (d->ls, i);
  if (starts (l, "diff "))
    {
      d->cur = NULL;
      if (starts (l, "diff --git "))
        path_from_diff_git (d, l);
      return i + 1;
    }
  d->content = TRUE;
  if (starts (l, "--- ") && i + 1 < d->n && starts (line (d->ls, i + 1), "+++ "))
    {
      if (d->cur && (d->cur->add || d->cur->del))
        d->cur = NULL;   /* a new file of a non-git diff */
      if (!path_from_marker (d, line (d->ls, i + 1)))
        path_from_marker (d, l);
      return i + 2;
    }
  if (starts (l, "@@ "))
    {
      parse_hunk_header (l, old_left, new_left);
      add_function (d, l);
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
      if ((old_left || new_left) && hunk_line (line (d->ls, i), &old_left, &new_left, d->cur))
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

/* The diffstat block the sender wrote, in the lines of TEXT from byte
 * FROM to byte TO (both at a line start). */
static char *
find_diffstat (const char *text, gsize from, gsize to)
{
  GString *out = g_string_new (NULL);
  const char *p = text + from, *end = text + to;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      Line l = { p, nl ? (gsize) (nl - p) : (gsize) (end - p) };
      if (is_diffstat_line (&l) || is_diffstat_summary (&l))
        {
          g_string_append_len (out, l.s, l.n);
          g_string_append_c (out, '\n');
        }
      p = nl ? nl + 1 : end;
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
add_file (GPtrArray *files, GHashTable *seen, const char *raw)
{
  if (files->len >= MD_PATCH_MAX_FILES || raw == NULL || strcmp (raw, "?") == 0)
    return;
  g_autofree char *path = md_text_single_line (g_strdup (raw), MD_PATCH_MAX_PATH);
  /* not g_hash_table_add() alone: it would put PATH in place of the
   * equal key already there, and PATH is freed below */
  if (*path == '\0' || g_hash_table_contains (seen, path))
    return;
  g_hash_table_add (seen, path);
  g_ptr_array_add (files, g_steal_pointer (&path));
}

/* The first LEN bytes of TEXT without surrounding white space; NULL
 * when nothing is left. */
static char *
stripped_prefix (const char *text, gsize len)
{
  g_autofree char *s = g_strndup (text, len);
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
files_from_diffstat (const char *stat, GPtrArray *files, GHashTable *seen)
{
  g_auto (GStrv) lines = g_strsplit (stat, "\n", -1);
  for (char **p = lines; *p; p++)
    {
      char *bar = strstr (*p, " | ");
      if (bar == NULL)
        continue;
      *bar = '\0';
      add_file (files, seen, g_strstrip (*p));
    }
}

typedef struct {
  gsize sep;            /* first "---" line before any diff, or G_MAXSIZE */
  gsize first_diff;     /* first diff line, or G_MAXSIZE */
  gsize sep_at, after_sep_at, first_diff_at;   /* their byte offsets */
} Marks;

/* Records that bytes [FROM, TO) are a diff, joined to the previous cut
 * when they follow it. */
static void
add_cut (MdPatch *patch, gsize from, gsize to)
{
  MdPatchCut cut = { from, to };
  GArray *cuts = patch->cuts;
  if (cuts->len > 0 && g_array_index (cuts, MdPatchCut, cuts->len - 1).to == cut.from)
    g_array_index (cuts, MdPatchCut, cuts->len - 1).to = cut.to;
  else
    g_array_append_val (cuts, cut);
}

static void
mark_separator (DiffScan *d, gsize i, Marks *m)
{
  const Line *l = line (d->ls, i);
  m->sep = i;
  m->sep_at = l->s - d->ls->text;
  m->after_sep_at = MIN (m->sep_at + l->n + 1, d->ls->len);
}

static void
scan_text (DiffScan *d, MdPatch *patch, Marks *m)
{
  for (gsize i = 0; i < d->n; )
    {
      const Line *l = line (d->ls, i);
      gsize at = l->s - d->ls->text;   /* taken now: the diff moves the ring on */
      if (!md_text_is_quoted (l->s, l->n) && is_diff_start (d->ls, i))
        {
          guint nstats = d->stats->len;
          gsize next = consume_diff (d, i);
          if (!d->content)
            {
              /* "diff -u is..." in prose.  It read a run of "diff ..."
               * lines: from any of them it would read the same run and
               * stop at the same place, so they are all prose, and none
               * is a "---" separator. */
              g_array_set_size (d->stats, nstats);
              i = next;
              continue;
            }
          if (m->first_diff == G_MAXSIZE)
            {
              m->first_diff = i;
              m->first_diff_at = at;
            }
          patch->found = TRUE;
          add_cut (patch, at, line_offset (d->ls, next));
          i = next;
          continue;
        }
      if (m->sep == G_MAXSIZE && m->first_diff == G_MAXSIZE && is_separator (l))
        mark_separator (d, i, m);
      i++;
    }
}

static void
fill_results (DiffScan *d, gboolean is_reply, const Marks *m, MdPatch *patch)
{
  gsize stat_from = m->sep == G_MAXSIZE ? 0 : m->after_sep_at;
  gsize stat_to = m->first_diff == G_MAXSIZE ? d->ls->len : m->first_diff_at;

  /* the paths, not owned: PATCH->files holds them */
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < d->stats->len; i++)
    add_file (patch->files, seen, g_array_index (d->stats, FileStat, i).path);
  patch->diffstat = find_diffstat (d->ls->text, stat_from, stat_to);
  if (!patch->found)
    {
      /* a cover letter: its diffstat says what the series touches */
      if (patch->diffstat && strstr (patch->diffstat, " changed"))
        files_from_diffstat (patch->diffstat, patch->files, seen);
      else
        g_clear_pointer (&patch->diffstat, g_free);
      return;
    }
  if (patch->diffstat == NULL && d->stats->len > 0)
    patch->diffstat = compute_diffstat (d->stats);
  if (m->sep != G_MAXSIZE)
    patch->commit_msg = stripped_prefix (d->ls->text, m->sep_at);
  else if (!is_reply)
    patch->commit_msg = stripped_prefix (d->ls->text, m->first_diff_at);
}

void
md_patch_split (const char *text, gsize len, gboolean is_reply, MdPatch *patch)
{
  Lines ls;
  lines_init (&ls, text, len);
  g_autoptr (GArray) stats = g_array_new (FALSE, TRUE, sizeof (FileStat));
  g_array_set_clear_func (stats, stat_free);
  DiffScan d = { &ls, ls.n, stats, NULL, FALSE, patch->functions };
  Marks m = { G_MAXSIZE, G_MAXSIZE, 0, 0, 0 };

  scan_text (&d, patch, &m);
  fill_results (&d, is_reply, &m, patch);
}

/* The prose is what lies between the cuts: moved down over them, each
 * byte at most once. */
void
md_patch_remove_diffs (const MdPatch *patch, GString *text, gsize from)
{
  gsize w = from, r = from;

  for (guint i = 0; i < patch->cuts->len; i++)
    {
      const MdPatchCut *cut = &g_array_index (patch->cuts, MdPatchCut, i);
      memmove (text->str + w, text->str + r, from + cut->from - r);
      w += from + cut->from - r;
      r = from + cut->to;
    }
  memmove (text->str + w, text->str + r, text->len - r);
  g_string_truncate (text, w + text->len - r);
}
