/* mbox.c - mboxrd and mboxo, read as one format.
 *
 * Separators: a line starting "From " is a From_ line when it follows a
 * blank line (or starts the file), as every writer puts one there, or
 * when it carries a From_ date, for writers that forget the blank line.
 * A body line "From here ..." after text is neither, so it stays text.
 *
 * Quoting: mboxrd writes ">From ", ">>From "... for body lines that were
 * "From ", ">From "... and we remove one '>' from each.  mboxo quotes only
 * "From " and cannot be undone exactly; removing one '>' restores the
 * common case (a body "From ") and is wrong only for a body line that
 * really began ">From ", so both formats are read the mboxrd way.
 *
 * The blank line before each From_ line belongs to the mbox, not to the
 * message, and is dropped.
 */
#include "mbox.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include "error.h"

#define GIT_PLACEHOLDER_DATE G_GINT64_CONSTANT (1000684800) /* Mon Sep 17 00:00:00 2001 */

struct _MdMbox {
  FILE *f;
  char *line;
  size_t cap;
  guint64 offset;
  guint64 line_no;
  gboolean prev_blank;     /* the last line read was empty */
  gboolean pending;        /* a From_ line was read that starts the next message */
  gint64 pending_arrival;
  guint64 pending_line;
};

MdMbox *
md_mbox_new (FILE *f)
{
  MdMbox *m = g_new0 (MdMbox, 1);
  m->f = f;
  m->prev_blank = TRUE;
  return m;
}

void
md_mbox_free (MdMbox *m)
{
  if (m == NULL)
    return;
  free (m->line);
  g_free (m);
}

guint64
md_mbox_offset (const MdMbox *m)
{
  return m->offset;
}

static gint64
parse_asctime (const char *s)
{
  static const char *const formats[] = {
    "%a %b %d %H:%M:%S %Y",        /* the classic asctime form */
    "%a %b %d %H:%M:%S %z %Y",     /* with a zone, as some writers add */
    "%a %b %d %H:%M %Y",
  };
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      struct tm tm = { 0 };
      const char *end = strptime (s, formats[i], &tm);
      while (end != NULL && g_ascii_isspace (*end))
        end++;
      if (end == NULL || *end != '\0')
        continue;
      long offset = tm.tm_gmtoff;  /* %z; timegm() resets it */
      return timegm (&tm) - offset;
    }
  return 0;
}

gint64
md_mbox_from_line_date (const char *line)
{
  if (!g_str_has_prefix (line, "From "))
    return 0;
  /* "From " sender, then the date: skip the sender token. */
  const char *p = line + 5;
  while (*p == ' ')
    p++;
  while (*p != '\0' && *p != ' ' && *p != '\t')
    p++;
  while (*p == ' ' || *p == '\t')
    p++;
  g_autofree char *date = g_strchomp (g_strdup (p));
  gint64 t = parse_asctime (date);
  return t <= 0 || t == GIT_PLACEHOLDER_DATE ? 0 : t;
}

static gboolean
is_blank (const char *line, gssize n)
{
  return (n == 1 && line[0] == '\n') || (n == 2 && line[0] == '\r' && line[1] == '\n');
}

static gboolean
is_from_line (const MdMbox *m, const char *line)
{
  return strncmp (line, "From ", 5) == 0
    && (m->prev_blank || md_mbox_from_line_date (line) != 0);
}

/* ">From ", ">>From "...: the quoted forms of body lines. */
static gboolean
is_quoted_from (const char *line, gssize n)
{
  gssize i = 0;
  while (i < n && line[i] == '>')
    i++;
  return i > 0 && n - i >= 5 && strncmp (line + i, "From ", 5) == 0;
}

static gboolean
ends_with (const GString *s, const char *suffix)
{
  gsize n = strlen (suffix);
  return s->len >= n && memcmp (s->str + s->len - n, suffix, n) == 0;
}

static void
drop_separator_blank (GString *out)
{
  if (ends_with (out, "\r\n\r\n"))
    g_string_truncate (out, out->len - 2);
  else if (ends_with (out, "\n\n"))
    g_string_truncate (out, out->len - 1);
}

static void
append_line (GString *out, const char *line, gssize n, gsize max,
             gboolean *truncated)
{
  if (is_quoted_from (line, n))
    line++, n--;
  if (out->len + n > max)
    {
      *truncated = TRUE;
      return;
    }
  g_string_append_len (out, line, n);
}

static gboolean
read_failed (GError **error)
{
  int err = errno;
  g_set_error (error, MD_ERROR, md_error_code_from_errno (err),
               "cannot read mbox: %s", g_strerror (err));
  return FALSE;
}

static gboolean
not_an_mbox (MdMbox *m, GError **error)
{
  g_set_error (error, MD_ERROR, MD_ERROR_DATA,
               "not an mbox: line %" G_GUINT64_FORMAT " comes before any From_ line",
               m->line_no);
  return FALSE;
}

/* Take the From_ line just read as the start of the next message. */
static void
note_from_line (MdMbox *m)
{
  m->pending = TRUE;
  m->pending_arrival = md_mbox_from_line_date (m->line);
  m->pending_line = m->line_no;
  m->prev_blank = FALSE;
}

/* Start filling OUT with the message whose From_ line is pending. */
static gboolean
take_pending (MdMbox *m, GString *out, gint64 *arrival, guint64 *line)
{
  gboolean had = m->pending;
  g_string_truncate (out, 0);
  *arrival = m->pending_arrival;
  *line = m->pending_line;
  m->pending = FALSE;
  return had;
}

static gboolean
end_of_stream (MdMbox *m, GString *out, gboolean have, GError **error)
{
  if (ferror (m->f))
    return read_failed (error);
  drop_separator_blank (out);
  return have;
}

/* A message ends at the next From_ line or at the end of the stream. */
gboolean
md_mbox_next (MdMbox *m, GString *out, gint64 *arrival, guint64 *line,
              gsize max, gboolean *truncated, GError **error)
{
  gboolean have = take_pending (m, out, arrival, line);
  *truncated = FALSE;
  for (;;)
    {
      errno = 0;
      ssize_t n = getline (&m->line, &m->cap, m->f);
      if (n < 0)
        return end_of_stream (m, out, have, error);
      m->offset += n;
      m->line_no++;
      if (is_from_line (m, m->line))
        {
          note_from_line (m);
          if (have)
            break;
          have = take_pending (m, out, arrival, line);
          continue;
        }
      m->prev_blank = is_blank (m->line, n);
      if (!have && !m->prev_blank)
        return not_an_mbox (m, error);
      if (have)
        append_line (out, m->line, n, max, truncated);
    }
  drop_separator_blank (out);
  return TRUE;
}
