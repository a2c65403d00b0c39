/* Unit tests: lib/index-expire.c (retention) and the size limit of
 * lib/index.c: a writer that opened the file before an expiry replaced it
 * records into the new file; a store past max_size is refused whole. */
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "index.h"
#include "error.h"

#define T0 G_GINT64_CONSTANT (1614600000)  /* 2021-03-01 12:00:00 UTC */
#define DAY 86400

static MdRecord *
make_rec (const char *id, gint64 arrival, const char *body)
{
  MdRecord *r = md_record_new ();
  r->message_id = g_strdup (id);
  g_ptr_array_add (r->lists, g_strdup ("kvm"));
  r->arrival = arrival;
  r->date = arrival;
  g_free (r->body);
  r->body = g_strdup (body ? body : "text");
  return r;
}

static gboolean
add (MdIndex *idx, const char *id, gint64 arrival, const char *body, GError **error)
{
  g_autoptr (MdRecord) r = make_rec (id, arrival, body);
  return md_index_add (idx, r, NULL, error);
}

static char *
tmp_index (void)
{
  g_autoptr (GError) err = NULL;
  g_autofree char *dir = g_dir_make_tmp ("mldigest-expire-XXXXXX", &err);
  g_assert_no_error (err);
  return g_build_filename (dir, "index.tdb", NULL);
}

static void
remove_index (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_unlink (path);
  g_rmdir (dir);
}

static gboolean
has (const char *path, const char *id)
{
  MdIndex *idx = md_index_open (path, MD_INDEX_READ, 1000, NULL);
  gboolean yes = idx && md_index_contains (idx, id);
  md_index_close (idx, NULL);
  return yes;
}

static void
fill (const char *path)
{
  g_autoptr (GError) err = NULL;
  MdIndex *idx = md_index_open (path, MD_INDEX_WRITE, 1000, &err);
  g_assert_no_error (err);
  g_assert_true (add (idx, "old@x", T0 - 40 * DAY, NULL, &err));
  g_assert_true (add (idx, "new@x", T0, NULL, &err));
  g_assert_true (md_index_close (idx, &err));
}

/* A child opens the index for writing, the parent expires (the file is
 * replaced), then the child records: its message must be in the file
 * that is at the path now, not in the replaced one. */
static void
test_writer_follows_replacement (void)
{
  g_autofree char *path = tmp_index ();
  int opened[2], go[2];
  MdExpireStats st;
  g_autoptr (GError) err = NULL;
  struct stat before, after;
  char c = 0;
  int status;
  pid_t pid;

  fill (path);
  g_assert_cmpint (pipe (opened), ==, 0);
  g_assert_cmpint (pipe (go), ==, 0);
  if ((pid = fork ()) == 0)
    {
      MdIndex *idx = md_index_open (path, MD_INDEX_WRITE, 5000, NULL);
      if (idx == NULL || write (opened[1], "o", 1) != 1 || read (go[0], &c, 1) != 1)
        _exit (2);
      _exit (add (idx, "late@x", T0, NULL, NULL) && md_index_close (idx, NULL) ? 0 : 1);
    }
  g_assert_cmpint (read (opened[0], &c, 1), ==, 1);
  g_assert_cmpint (stat (path, &before), ==, 0);
  g_assert_true (md_index_expire (path, T0 - 30 * DAY, 5000, &st, &err));
  g_assert_no_error (err);
  g_assert_cmpint (stat (path, &after), ==, 0);
  g_assert_cmpuint (before.st_ino, !=, after.st_ino);
  g_assert_cmpuint (st.messages, ==, 2);
  g_assert_cmpuint (st.removed, ==, 1);
  g_assert_cmpint (write (go[1], "g", 1), ==, 1);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_assert_true (has (path, "late@x"));
  g_assert_true (has (path, "new@x"));
  g_assert_false (has (path, "old@x"));
  close (opened[0]); close (opened[1]); close (go[0]); close (go[1]);
  remove_index (path);
}

/* Messages are added until one would grow the file past max_size: that
 * one is refused (MD_ERROR_TEMP, naming the way out) and nothing of it
 * is written; after an expiry recording resumes. */
static void
test_max_size (void)
{
  g_autofree char *path = tmp_index ();
  g_autofree char *body = g_strnfill (10000, 'x');
  g_autoptr (GError) err = NULL;
  MdExpireStats st;
  struct stat sb;
  guint64 limit = 14 << 20;
  MdIndex *idx = md_index_open (path, MD_INDEX_WRITE, 1000, &err);
  guint n = 0;

  md_index_set_max_size (idx, limit);
  for (; n < 10000; n++)
    {
      g_autofree char *id = g_strdup_printf ("m%u@x", n);
      if (!add (idx, id, T0 - 40 * DAY, body, &err))
        break;
    }
  g_assert_cmpuint (n, >, 10);
  g_assert_error (err, MD_ERROR, MD_ERROR_TEMP);
  g_assert_nonnull (strstr (err->message, "max_size"));
  g_assert_nonnull (strstr (err->message, "keep_days"));
  g_assert_nonnull (strstr (err->message, "{list}"));
  g_clear_error (&err);
  g_assert_true (md_index_close (idx, &err));
  g_assert_cmpint (stat (path, &sb), ==, 0);
  g_assert_cmpuint (sb.st_size, <=, limit);
  {
    g_autofree char *refused = g_strdup_printf ("m%u@x", n);
    g_autofree char *last = g_strdup_printf ("m%u@x", n - 1);
    g_assert_false (has (path, refused));
    g_assert_true (has (path, last));
  }
  g_assert_true (md_index_expire (path, T0 - 30 * DAY, 1000, &st, &err));
  g_assert_no_error (err);
  g_assert_cmpuint (st.removed, ==, n);
  idx = md_index_open (path, MD_INDEX_WRITE, 1000, &err);
  md_index_set_max_size (idx, limit);
  g_assert_true (add (idx, "after@x", T0, body, &err));
  g_assert_no_error (err);
  g_assert_true (md_index_close (idx, &err));
  g_assert_true (has (path, "after@x"));
  remove_index (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/expire/writer-follows-replacement", test_writer_follows_replacement);
  g_test_add_func ("/expire/max-size", test_max_size);
  return g_test_run ();
}
