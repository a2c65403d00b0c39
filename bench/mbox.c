/* mbox.c - cut the benchmark corpus out of an mboxrd archive.
 *
 *   mbox split DIR < archive.mbox > manifest
 *   mbox pick ARCHIVE.mbox < manifest-lines > subset.mbox
 *
 * split writes every message to DIR/cur/NNNNN:2, (a maildir, the form
 * notmuch new and mu index read; the same files are fed one at a time to
 * the per-message programs), un-quoting mboxrd's ">From " lines and
 * dropping the From_ separator, and prints one manifest line per message:
 *
 *   SEQ OFFSET LENGTH DATE
 *
 * OFFSET and LENGTH are the message's raw bytes in the archive, From_ line
 * included, so pick can rebuild any subset byte for byte (the archive's
 * own From_ lines and quoting, nothing re-encoded); DATE is the Date
 * header's day in UTC (YYYY-MM-DD, "-" when unreadable), enough to select
 * a month.  Plain C on purpose: a benchmark helper must not share code
 * (or bugs) with the program it measures.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

typedef struct {
  FILE *out;          /* the current message's file, NULL before the first */
  long seq;
  long start;         /* archive offset of its From_ line */
  int in_header;
  int pending_blank;  /* a blank line held back: it may be the separator's */
  char date[16];
  const char *dir;
} Splitter;

static void
die (const char *what, const char *arg)
{
  fprintf (stderr, "mbox: %s %s: %s\n", what, arg ? arg : "", strerror (errno));
  exit (1);
}

static int
month_of (const char *name)
{
  static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
  for (int m = 0; m < 12; m++)
    if (strncasecmp (name, months + 3 * m, 3) == 0)
      return m;
  return -1;
}

/* "[Day,] DD Mon YYYY HH:MM[:SS] [+-ZZZZ]" to a UTC day.  Only what a
 * month selection needs; anything odd yields "-". */
static void
parse_date (const char *value, char out[16])
{
  char mon[4] = "", zone[8] = "";
  int d, y, hh, mm, ss = 0;
  const char *p = strchr (value, ',');
  p = p ? p + 1 : value;
  strcpy (out, "-");
  if (sscanf (p, " %d %3s %d %d:%d:%d %7s", &d, mon, &y, &hh, &mm, &ss, zone) < 5
      && sscanf (p, " %d %3s %d %d:%d %7s", &d, mon, &y, &hh, &mm, zone) < 5)
    return;
  struct tm tm = { .tm_mday = d, .tm_mon = month_of (mon), .tm_year = y - 1900,
                   .tm_hour = hh, .tm_min = mm, .tm_sec = ss };
  if (tm.tm_mon < 0 || y < 1970 || y > 2100)
    return;
  time_t t = timegm (&tm);
  if ((zone[0] == '+' || zone[0] == '-') && strlen (zone) == 5) {
    long z = strtol (zone + 1, NULL, 10);
    long off = (z / 100) * 3600 + (z % 100) * 60;
    t += zone[0] == '+' ? -off : off;
  }
  gmtime_r (&t, &tm);
  strftime (out, 16, "%Y-%m-%d", &tm);
}

static void
finish_message (Splitter *s, long end)
{
  if (!s->out)
    return;
  if (fclose (s->out) != 0)
    die ("cannot write message", NULL);
  s->out = NULL;
  printf ("%ld %ld %ld %s\n", s->seq, s->start, end - s->start, s->date);
}

static void
start_message (Splitter *s, long offset)
{
  char path[4096];
  s->seq++;
  snprintf (path, sizeof path, "%s/cur/%05ld:2,", s->dir, s->seq);
  s->out = fopen (path, "wx");
  if (!s->out)
    die ("cannot create", path);
  s->start = offset;
  s->in_header = 1;
  s->pending_blank = 0;
  strcpy (s->date, "-");
}

/* One body or header line: un-quote ">From " and note the Date.  The
 * blank line before each From_ line belongs to the separator, so a blank
 * line is only written once the next line shows it was not the last. */
static void
body_line (Splitter *s, char *line, ssize_t len)
{
  if (s->in_header && strncasecmp (line, "Date:", 5) == 0 && s->date[0] == '-')
    parse_date (line + 5, s->date);
  if (len == 1 && line[0] == '\n') {
    s->in_header = 0;
    if (s->pending_blank)
      fputc ('\n', s->out);
    s->pending_blank = 1;
    return;
  }
  if (s->pending_blank)
    fputc ('\n', s->out);
  s->pending_blank = 0;
  char *p = line;
  while (*p == '>')
    p++;
  if (p > line && strncmp (p, "From ", 5) == 0) {
    line++;
    len--;
  }
  fwrite (line, 1, (size_t) len, s->out);
}

static int
split (const char *dir)
{
  char path[4096];
  const char *sub[] = { "", "/cur", "/new", "/tmp" };
  for (size_t i = 0; i < 4; i++) {
    snprintf (path, sizeof path, "%s%s", dir, sub[i]);
    if (mkdir (path, 0700) != 0 && errno != EEXIST)
      die ("cannot create", path);
  }
  Splitter s = { .dir = dir };
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  long offset = 0;
  while ((len = getline (&line, &cap, stdin)) > 0) {
    if (strncmp (line, "From ", 5) == 0) {
      finish_message (&s, offset);
      start_message (&s, offset);
    } else if (s.out) {
      body_line (&s, line, len);
    }
    offset += len;
  }
  finish_message (&s, offset);
  free (line);
  return fflush (stdout) == 0 ? 0 : 1;
}

/* Copy the archive's byte ranges named by manifest lines on stdin. */
static int
pick (const char *archive)
{
  FILE *in = fopen (archive, "r");
  if (!in)
    die ("cannot open", archive);
  long seq, off, len;
  char buf[65536];
  while (scanf ("%ld %ld %ld %*s", &seq, &off, &len) == 3) {
    if (fseek (in, off, SEEK_SET) != 0)
      die ("cannot seek", archive);
    while (len > 0) {
      size_t n = fread (buf, 1, len < (long) sizeof buf ? (size_t) len : sizeof buf, in);
      if (n == 0)
        die ("short read", archive);
      fwrite (buf, 1, n, stdout);
      len -= (long) n;
    }
  }
  fclose (in);
  return fflush (stdout) == 0 ? 0 : 1;
}

int
main (int argc, char **argv)
{
  if (argc == 3 && strcmp (argv[1], "split") == 0)
    return split (argv[2]);
  if (argc == 3 && strcmp (argv[1], "pick") == 0)
    return pick (argv[2]);
  fprintf (stderr, "usage: mbox split DIR < mbox > manifest\n"
                   "       mbox pick MBOX < manifest > subset.mbox\n");
  return 2;
}
