/* Unit tests: lib/index-expire.c (retention) and the size limit of
 * lib/index.c: a writer that opened the file before an expiry replaced it
 * records into the new file; a store past max_size is refused whole. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "index.h"
#include "error.h"
#include "message.h"
#include <tdb.h>

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

/* Every kind of key a message brings (record, thread, time index,
 * series, change-id, list names...) goes when the message goes: after
 * expiring all messages only meta: and x: keys may be left.  A new kind
 * of key fails here until expiry handles it (index-expire.c). */
static const char *const messages[] = {
  "From: A <a@x.org>\nSubject: [PATCH v2 0/2] kvm: a series\nDate: Mon, 1 Mar 2021 12:00:00 +0000\n"
  "Message-ID: <cover@x.org>\nList-Id: <kvm.vger.kernel.org>\n\nThe series.\n\n"
  "change-id: 20210301-a-series-1234\n",
  "From: A <a@x.org>\nSubject: [PATCH v2 1/2] kvm: one\nDate: Mon, 1 Mar 2021 12:00:01 +0000\n"
  "Message-ID: <p1@x.org>\nIn-Reply-To: <cover@x.org>\nReferences: <cover@x.org>\n"
  "List-Id: <kvm.vger.kernel.org>\n\nOne.\n\nSigned-off-by: A <a@x.org>\n---\n"
  " a.c | 1 +\n\ndiff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1 +1,2 @@\n x\n+y\n",
  "From: B <b@x.org>\nSubject: Re: [PATCH v2 1/2] kvm: one\nDate: Tue, 2 Mar 2021 12:00:00 +0000\n"
  "Message-ID: <r1@x.org>\nIn-Reply-To: <p1@x.org>\nReferences: <cover@x.org> <p1@x.org>\n"
  "List-Id: <kvm.vger.kernel.org>\nList-Id: <kvmarm.lists.cs.columbia.edu>\n\nReviewed-by: B <b@x.org>\n",
  "From: C <c@x.org>\nSubject: [PATCH] solo\nDate: Wed, 3 Mar 2021 12:00:00 +0000\n"
  "Message-ID: <solo@x.org>\n\nno list at all\n",
};

static int
collect_key (struct tdb_context *tdb, TDB_DATA key, TDB_DATA value, void *data)
{
  g_ptr_array_add (data, g_strndup ((char *) key.dptr, key.dsize));
  return 0;
}

static void
test_every_key_kind_expires (void)
{
  g_autofree char *path = tmp_index ();
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) err = NULL;
  MdIndex *idx = md_index_open (path, MD_INDEX_WRITE, 1000, &err);
  MdExpireStats st;
  struct tdb_context *tdb;

  g_assert_no_error (err);
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      MdParseOptions popts = { NULL, T0 - 40 * DAY, FALSE };
      g_autoptr (MdRecord) rec = md_message_parse (messages[i], strlen (messages[i]), &popts, &err);
      g_assert_no_error (err);
      g_assert_true (md_index_add (idx, rec, NULL, &err));
      g_assert_no_error (err);
    }
  g_assert_true (md_index_state_put (idx, "summary", "cover@x.org", g_variant_new_string ("s"), &err));
  g_assert_true (md_index_close (idx, &err));
  tdb = tdb_open (path, 0, 0, O_RDONLY, 0);
  tdb_traverse_read (tdb, collect_key, keys);
  tdb_close (tdb);
  {
    g_autoptr (GString) kinds = g_string_new (NULL);
    for (guint i = 0; i < keys->len; i++)
      {
        const char *k = keys->pdata[i], *colon = strchr (k, ':');
        g_autofree char *kind = g_strdup_printf (" %.*s ", colon ? (int) (colon - k + 1) : 0, k);
        if (!strstr (kinds->str, kind))
          g_string_append (kinds, kind);
      }
    for (const char *const *want = (const char *const[]) { " m: ", " t: ", " a: ", " d: ", " s: ", " c: ", NULL };
         *want; want++)
      if (!strstr (kinds->str, *want))
        g_error ("the messages made no%skey (%s)", *want, kinds->str);
  }
  g_ptr_array_set_size (keys, 0);
  g_assert_true (md_index_expire (path, T0, 1000, &st, &err));
  g_assert_no_error (err);
  g_assert_cmpuint (st.removed, ==, G_N_ELEMENTS (messages));
  tdb = tdb_open (path, 0, 0, O_RDONLY, 0);
  g_assert_nonnull (tdb);
  tdb_traverse_read (tdb, collect_key, keys);
  tdb_close (tdb);
  for (guint i = 0; i < keys->len; i++)
    if (!g_str_has_prefix (keys->pdata[i], "meta:") && !g_str_has_prefix (keys->pdata[i], "x:"))
      g_error ("key '%s' outlived the expiry of every message", (char *) keys->pdata[i]);
  g_assert_cmpuint (keys->len, >=, 2);  /* meta:format and the summary at least */
  remove_index (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/expire/writer-follows-replacement", test_writer_follows_replacement);
  g_test_add_func ("/expire/max-size", test_max_size);
  g_test_add_func ("/expire/every-key-kind", test_every_key_kind_expires);
  return g_test_run ();
}
