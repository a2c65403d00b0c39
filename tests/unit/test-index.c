/* Unit tests: lib/index.c, lib/index-query.c, lib/index-keys.c.
 * Records are built by hand; the parser has its own tests. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <tdb.h>
#include <glib/gstdio.h>
#include "index.h"
#include "error.h"
#include "subject.h"

#define T0 G_GINT64_CONSTANT (1614600000)  /* 2021-03-01 12:00:00 UTC */

typedef struct {
  char *dir;
  char *path;
  MdIndex *idx;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) err = NULL;
  f->dir = g_dir_make_tmp ("mldigest-index-XXXXXX", &err);
  g_assert_no_error (err);
  f->path = g_build_filename (f->dir, "sub", "index.tdb", NULL);
  f->idx = md_index_open (f->path, MD_INDEX_WRITE, 1000, &err);
  g_assert_no_error (err);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  if (f->idx != NULL)
    g_assert_true (md_index_close (f->idx, NULL));
  g_autofree char *sub = g_path_get_dirname (f->path);
  g_unlink (f->path);
  g_rmdir (sub);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* id, list, arrival; then optional In-Reply-To and References. */
static MdRecord *
make_rec (const char *id, const char *list, gint64 arrival,
          const char *irt, const char *const *refs)
{
  MdRecord *r = md_record_new ();
  r->message_id = g_strdup (id);
  r->in_reply_to = g_strdup (irt);
  for (; refs != NULL && *refs != NULL; refs++)
    g_ptr_array_add (r->references, g_strdup (*refs));
  if (list != NULL)
    {
      g_ptr_array_add (r->lists, g_strdup (list));
      g_ptr_array_add (r->list_ids, g_strdup_printf ("%s.example.org", list));
    }
  r->arrival = arrival;
  r->date = arrival - 60;
  g_free (r->from_email);
  r->from_email = g_strdup ("maz@kernel.org");
  return r;
}

static MdAddResult
add (MdIndex *idx, MdRecord *r)
{
  g_autoptr (GError) err = NULL;
  MdAddResult res = -1;
  g_assert_true (md_index_add (idx, r, &res, &err));
  g_assert_no_error (err);
  return res;
}

static MdAddResult
add_simple (MdIndex *idx, const char *id, const char *list, gint64 arrival,
            const char *irt, const char *const *refs, char **thread_id)
{
  g_autoptr (MdRecord) r = make_rec (id, list, arrival, irt, refs);
  MdAddResult res = add (idx, r);
  if (thread_id != NULL)
    *thread_id = g_strdup (r->thread_id);
  return res;
}

static char *
joined (GPtrArray *ids)
{
  g_ptr_array_add (ids, NULL);
  char *s = g_strjoinv (",", (char **) ids->pdata);
  g_ptr_array_remove_index (ids, ids->len - 1);
  return s;
}

/* The Message-IDs of a window, joined with commas. */
static char *
window_ids (MdIndex *idx, const char *list, MdTimeKind kind, gint64 since,
            gint64 until)
{
  g_autoptr (GError) err = NULL;
  g_autoptr (GPtrArray) recs = md_index_window (idx, list, kind, since, until,
                                                NULL, &err);
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();

  g_assert_no_error (err);
  for (guint i = 0; i < recs->len; i++)
    g_ptr_array_add (ids, ((MdRecord *) recs->pdata[i])->message_id);
  return joined (ids);
}

/* Every key and value of the file, sorted: what tdbdump would show. */
static int
collect (struct tdb_context *tdb, TDB_DATA k, TDB_DATA v, void *data)
{
  g_autofree char *raw = g_strndup ((char *) k.dptr, k.dsize);
  g_autofree char *hk = g_strescape (raw, "");
  g_autofree char *hv = g_base64_encode (v.dptr, v.dsize);
  g_ptr_array_add (data, g_strdup_printf ("%s=%s", hk, hv));
  return 0;
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* TDB refuses a second open of one file in a process: the fixture's
 * handle is closed for the dump and opened again. */
static char *
dump (Fixture *f)
{
  g_assert_true (md_index_close (f->idx, NULL));
  struct tdb_context *tdb = tdb_open (f->path, 0, 0, O_RDONLY, 0);
  g_assert_nonnull (tdb);
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  tdb_traverse_read (tdb, collect, lines);
  tdb_close (tdb);
  g_ptr_array_sort (lines, cmp_str);
  f->idx = md_index_open (f->path, MD_INDEX_WRITE, 1000, NULL);
  g_assert_nonnull (f->idx);
  return joined (lines);
}

static void
test_open_creates (Fixture *f, gconstpointer data)
{
  struct stat st;
  g_autofree char *sub = g_path_get_dirname (f->path);
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (sub, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0077, ==, 0);
  g_autofree char *d = dump (f);
  g_assert_nonnull (strstr (d, "meta:format="));
}

static void
test_add_get (Fixture *f, gconstpointer data)
{
  g_autoptr (MdRecord) r = make_rec ("a@x", "kvmarm", T0, NULL, NULL);
  g_free (r->subject);
  r->subject = g_strdup ("[PATCH] hello");
  md_record_add_trailer (r, MD_TRAILER_ACKED_BY, "Will", "will@kernel.org");
  g_assert_cmpint (add (f->idx, r), ==, MD_ADD_NEW);
  g_assert_cmpstr (r->thread_id, ==, "a@x");

  g_autoptr (GError) err = NULL;
  g_autoptr (MdRecord) back = md_index_get (f->idx, "a@x", &err);
  g_assert_no_error (err);
  g_assert_cmpstr (back->subject, ==, "[PATCH] hello");
  g_assert_cmpstr (back->thread_id, ==, "a@x");
  g_assert_cmpint (back->arrival, ==, T0);
  g_assert_cmpuint (back->trailers->len, ==, 1);
  g_assert_true (md_index_contains (f->idx, "a@x"));
  g_assert_false (md_index_contains (f->idx, "b@x"));

  g_autoptr (MdRecord) none = md_index_get (f->idx, "b@x", &err);
  g_assert_null (none);
  g_assert_error (err, MD_ERROR, MD_ERROR_NOT_FOUND);
}

static void
test_duplicate_changes_nothing (Fixture *f, gconstpointer data)
{
  add_simple (f->idx, "a@x", "kvmarm", T0, NULL, NULL, NULL);
  g_autofree char *before = dump (f);
  g_autofree char *tid = NULL;
  g_assert_cmpint (add_simple (f->idx, "a@x", "kvmarm", T0 + 999, NULL, NULL, &tid),
                   ==, MD_ADD_DUPLICATE);
  g_assert_cmpstr (tid, ==, "a@x");
  g_autofree char *after = dump (f);
  g_assert_cmpstr (before, ==, after);
}

static void
test_cross_post_merged (Fixture *f, gconstpointer data)
{
  add_simple (f->idx, "a@x", "kvmarm", T0, NULL, NULL, NULL);
  g_assert_cmpint (add_simple (f->idx, "a@x", "kvm", T0 + 5000, NULL, NULL, NULL),
                   ==, MD_ADD_MERGED);
  g_autoptr (MdRecord) back = md_index_get (f->idx, "a@x", NULL);
  g_autofree char *lists = joined (back->lists);
  g_autofree char *ids = joined (back->list_ids);
  g_assert_cmpstr (lists, ==, "kvm,kvmarm");
  g_assert_cmpstr (ids, ==, "kvm.example.org,kvmarm.example.org");
  g_assert_cmpint (back->arrival, ==, T0);  /* the first arrival stays */

  /* the new list's window finds it at the record's own time */
  g_autofree char *w = window_ids (f->idx, "kvm", MD_TIME_ARRIVAL, T0, T0 + 1);
  g_assert_cmpstr (w, ==, "a@x");
  g_autoptr (GPtrArray) all = md_index_lists (f->idx, NULL);
  g_autofree char *names = joined (all);
  g_assert_cmpstr (names, ==, "kvm,kvmarm");

  /* and a third delivery on either list is a duplicate */
  g_assert_cmpint (add_simple (f->idx, "a@x", "kvm", T0, NULL, NULL, NULL),
                   ==, MD_ADD_DUPLICATE);
}

static void
test_unlisted (Fixture *f, gconstpointer data)
{
  g_autoptr (MdRecord) r = make_rec ("u@x", NULL, T0, NULL, NULL);
  add (f->idx, r);
  g_autoptr (MdRecord) back = md_index_get (f->idx, "u@x", NULL);
  g_autofree char *lists = joined (back->lists);
  g_assert_cmpstr (lists, ==, "unlisted");
  g_autofree char *w = window_ids (f->idx, "unlisted", MD_TIME_ARRIVAL,
                                   T0 - 10, T0 + 10);
  g_assert_cmpstr (w, ==, "u@x");
}

/* A reply that arrives before its root joins the thread the root will
 * start; later messages join the thread of what they refer to. */
static void
test_thread_ids (Fixture *f, gconstpointer data)
{
  g_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL, *t4 = NULL, *t5 = NULL;
  add_simple (f->idx, "reply1@x", "l", T0, "root@x",
              (const char *[]) { "root@x", NULL }, &t1);
  g_assert_cmpstr (t1, ==, "root@x");
  add_simple (f->idx, "root@x", "l", T0 + 1, NULL, NULL, &t2);
  g_assert_cmpstr (t2, ==, "root@x");
  /* a reply whose References name an unknown root but whose parent is
   * known: the parent's thread wins */
  add_simple (f->idx, "reply2@x", "l", T0 + 2, "reply1@x",
              (const char *[]) { "other-root@x", "reply1@x", NULL }, &t3);
  g_assert_cmpstr (t3, ==, "root@x");
  /* only In-Reply-To, unknown */
  add_simple (f->idx, "lone@x", "l", T0 + 3, "missing@x", NULL, &t4);
  g_assert_cmpstr (t4, ==, "missing@x");
  /* References newest first: the newest known one decides */
  add_simple (f->idx, "deep@x", "l", T0 + 4, NULL,
              (const char *[]) { "nowhere@x", "lone@x", "gone@x", NULL }, &t5);
  g_assert_cmpstr (t5, ==, "missing@x");

  g_autoptr (GPtrArray) m = md_index_thread_members (f->idx, "root@x", NULL);
  g_autofree char *members = joined (m);
  g_assert_cmpstr (members, ==, "reply1@x,root@x,reply2@x");
  g_autoptr (GPtrArray) none = md_index_thread_members (f->idx, "nope@x", NULL);
  g_assert_cmpuint (none->len, ==, 0);
}

/* Where the live record of KEY is and how much room it has, read from
 * the file as TDB lays it out (tdb_private.h): 16,411 buckets of chain
 * heads after the 168-byte header and the free list's head; a record
 * starts with next, rec_len, key_len, data_len, full_hash, magic, and
 * rec_len counts key, data, slack and the 4-byte tailer. */
typedef struct {
  guint32 offset, rec_len, key_len, data_len;
} RecordPlace;

static RecordPlace
record_place (Fixture *f, const char *key)
{
  TDB_DATA k = { (unsigned char *) key, strlen (key) };
  guint32 hash = tdb_jenkins_hash (&k);
  g_autofree char *raw = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (f->path, &raw, &len, NULL));
  guint32 off;
  memcpy (&off, raw + 168 + 4 * (1 + hash % 16411), 4);
  while (off != 0)
    {
      guint32 rec[6];
      g_assert_cmpuint (off + sizeof rec + k.dsize, <=, len);
      memcpy (rec, raw + off, sizeof rec);
      if (rec[4] == hash && rec[2] == k.dsize
          && memcmp (raw + off + sizeof rec, key, k.dsize) == 0)
        return (RecordPlace) { off, rec[1], rec[2], rec[3] };
      off = rec[0];
    }
  g_assert_not_reached ();
}

/* Single deliveries append to a thread's list and to an hour's two
 * lists each time.  Those lists grow in place: the list of a thread
 * stays where it is, with room left, until it moves into a larger size
 * class (256 bytes, doubling); only then does TDB write it elsewhere. */
static void
test_lists_grow_in_place (Fixture *f, gconstpointer data)
{
  enum { REPLIES = 40 };
  g_autoptr (GPtrArray) expect = g_ptr_array_new_with_free_func (g_free);
  guint moves = 0, in_place = 0;
  RecordPlace last = { 0 };
  add_simple (f->idx, "root@x", "l", T0, NULL, NULL, NULL);
  g_ptr_array_add (expect, g_strdup ("root@x"));
  for (int i = 1; i <= REPLIES; i++)
    {
      g_autofree char *id = g_strdup_printf ("reply-%02d-with-a-longish-id@example.org", i);
      add_simple (f->idx, id, "l", T0 + i, "root@x",
                  (const char *[]) { "root@x", NULL }, NULL);
      g_ptr_array_add (expect, g_steal_pointer (&id));
      RecordPlace now = record_place (f, "t:root@x");
      /* the value is the list exactly; the record holds room past it */
      g_assert_cmpuint (now.rec_len, >=, now.key_len + now.data_len + 4);
      if (now.offset == last.offset)
        in_place++;
      else
        moves++;
      last = now;
    }
  g_test_message ("t:root@x: %u appends in place, %u moves", in_place, moves);
  /* 41 entries of about 40 bytes: classes 256 to 2048 */
  g_assert_cmpuint (moves, <=, 4);
  g_assert_cmpuint (last.rec_len - last.key_len - last.data_len - 4, >, 0);

  g_autofree char *want = joined (expect);
  g_autoptr (GPtrArray) m = md_index_thread_members (f->idx, "root@x", NULL);
  g_autofree char *members = joined (m);
  g_assert_cmpstr (members, ==, want);
  g_autofree char *by_arrival = window_ids (f->idx, "l", MD_TIME_ARRIVAL, T0, T0 + 3600);
  g_assert_cmpstr (by_arrival, ==, want);
  g_autofree char *by_date = window_ids (f->idx, "l", MD_TIME_DATE, T0 - 60, T0 + 3600);
  g_assert_cmpstr (by_date, ==, want);

  /* what the deliveries left is a clean file */
  g_assert_true (md_index_close (f->idx, NULL));
  struct tdb_context *tdb = tdb_open (f->path, 0, 0, O_RDONLY, 0);
  g_assert_nonnull (tdb);
  g_assert_cmpint (tdb_check (tdb, NULL, NULL), ==, 0);
  tdb_close (tdb);
  f->idx = md_index_open (f->path, MD_INDEX_WRITE, 1000, NULL);
  g_assert_nonnull (f->idx);
}

static void
test_window (Fixture *f, gconstpointer data)
{
  /* T0 is 12:00:00; bucket 11:00 holds two, 12:00 two, 13:00 one */
  const gint64 times[] = { T0 - 3600, T0 - 1, T0, T0 + 3599, T0 + 3600 };
  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      g_autofree char *id = g_strdup_printf ("m%u@x", i);
      add_simple (f->idx, id, "kvmarm", times[i], NULL, NULL, NULL);
    }
  add_simple (f->idx, "other@x", "kvm", T0, NULL, NULL, NULL);

  g_autofree char *ids = window_ids (f->idx, "kvmarm", MD_TIME_ARRIVAL,
                                     T0 - 1, T0 + 3600);
  g_assert_cmpstr (ids, ==, "m1@x,m2@x,m3@x");

  /* by Date (arrival - 60 here) */
  g_autofree char *dids = window_ids (f->idx, "kvmarm", MD_TIME_DATE,
                                      T0 - 60, T0 + 1);
  g_assert_cmpstr (dids, ==, "m2@x");

  g_autofree char *empty = window_ids (f->idx, "kvmarm", MD_TIME_ARRIVAL,
                                       T0 + 5, T0 + 5);
  g_assert_cmpstr (empty, ==, "");
  g_autofree char *nolist = window_ids (f->idx, "nope", MD_TIME_ARRIVAL, 0, T0 * 2);
  g_assert_cmpstr (nolist, ==, "");
}

static MdRecord *
patch_rec (const char *id, const char *subject, gint64 arrival)
{
  MdRecord *r = make_rec (id, "kvmarm", arrival, NULL, NULL);
  g_free (r->subject);
  r->subject = g_strdup (subject);
  md_subject_parse (subject, &r->tags);
  return r;
}

static void
test_series_lookup (Fixture *f, gconstpointer data)
{
  const char *subjects[] = {
    "[PATCH v2 0/3] KVM: arm64: Fix the thing",
    "[PATCH v2 1/3] KVM: arm64: part one",
    "Re: [PATCH v2 0/3] KVM: arm64: Fix the thing",
    "[PATCH v3 0/3] KVM: arm64: Fix the thing",
    "[PATCH] KVM: arm64: Fix the thing",
  };
  for (guint i = 0; i < G_N_ELEMENTS (subjects); i++)
    {
      g_autofree char *id = g_strdup_printf ("s%u@x", i);
      g_autoptr (MdRecord) r = patch_rec (id, subjects[i], T0 + i);
      add (f->idx, r);
    }
  g_autoptr (MdRecord) probe = patch_rec ("probe@x", subjects[3], T0);
  g_autofree char *key = md_subject_series_key (&probe->tags);
  g_autoptr (GError) err = NULL;
  g_autoptr (GPtrArray) hits = md_index_series_lookup (f->idx, "maz@kernel.org", key, &err);
  g_assert_no_error (err);
  g_autofree char *ids = joined (hits);
  g_assert_cmpstr (ids, ==, "s0@x,s3@x,s4@x");
  g_autoptr (GPtrArray) other = md_index_series_lookup (f->idx, "will@kernel.org", key, NULL);
  g_assert_cmpuint (other->len, ==, 0);
}

/* c:<change-id> lists the cover letters that carry it, whoever sent
 * them: not its patches, not replies quoting it. */
static void
test_change_id_lookup (Fixture *f, gconstpointer data)
{
  const struct { const char *id, *subject, *from; } posts[] = {
    { "c1@x", "[PATCH 0/2] KVM: first title", "a@x" },
    { "c1p@x", "[PATCH 1/2] KVM: part", "a@x" },
    { "c2@x", "Re: [PATCH 0/2] KVM: first title", "b@x" },
    { "c3@x", "[PATCH v2 0/2] KVM: second title", "c@x" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (posts); i++)
    {
      g_autoptr (MdRecord) r = patch_rec (posts[i].id, posts[i].subject, T0 + i);
      g_free (r->from_email), r->from_email = g_strdup (posts[i].from);
      g_free (r->body), r->body = g_strdup ("text\n\nchange-id: 20260101-kvm-abc\nbase-commit: 1\n");
      add (f->idx, r);
    }
  g_autoptr (GError) err = NULL;
  g_autoptr (GPtrArray) hits = md_index_change_id_lookup (f->idx, "20260101-kvm-abc", &err);
  g_assert_no_error (err);
  g_autofree char *ids = joined (hits);
  g_assert_cmpstr (ids, ==, "c1@x,c3@x");
  g_autoptr (GPtrArray) none = md_index_change_id_lookup (f->idx, "20260101-other", NULL);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_state (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) err = NULL;
  g_assert_true (md_index_state_put (f->idx, "summary", "root@x",
                                     g_variant_new ("(sx)", "text", T0), &err));
  g_assert_no_error (err);
  g_autoptr (GVariant) v = md_index_state_get (f->idx, "summary", "root@x",
                                               G_VARIANT_TYPE ("(sx)"), &err);
  g_assert_no_error (err);
  const char *s;
  gint64 t;
  g_variant_get (v, "(&sx)", &s, &t);
  g_assert_cmpstr (s, ==, "text");
  g_assert_cmpint (t, ==, T0);

  g_autoptr (GVariant) wrong = md_index_state_get (f->idx, "summary", "root@x",
                                                   G_VARIANT_TYPE ("s"), &err);
  g_assert_null (wrong);
  g_assert_error (err, MD_ERROR, MD_ERROR_CORRUPT);
  g_clear_error (&err);
  g_autoptr (GVariant) none = md_index_state_get (f->idx, "summary", "nope",
                                                  G_VARIANT_TYPE ("s"), &err);
  g_assert_null (none);
  g_assert_error (err, MD_ERROR, MD_ERROR_NOT_FOUND);
}

static void
test_batch (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) err = NULL;
  /* imports open the index for bulk writing */
  g_assert_true (md_index_close (f->idx, NULL));
  f->idx = md_index_open (f->path, MD_INDEX_BULK, 1000, &err);
  g_assert_no_error (err);
  g_assert_true (md_index_begin (f->idx, &err));
  add_simple (f->idx, "b1@x", "l", T0, NULL, NULL, NULL);
  add_simple (f->idx, "b2@x", "l", T0, "b1@x", NULL, NULL);
  /* list entries wait for the commit, but reads in the batch see them */
  g_autoptr (GPtrArray) in_batch = md_index_thread_members (f->idx, "b1@x", NULL);
  g_assert_cmpuint (in_batch->len, ==, 2);
  g_autofree char *w = window_ids (f->idx, "l", MD_TIME_ARRIVAL, T0, T0 + 1);
  g_assert_cmpstr (w, ==, "b1@x,b2@x");
  g_assert_true (md_index_commit (f->idx, &err));
  g_assert_no_error (err);
  g_autoptr (GPtrArray) m = md_index_thread_members (f->idx, "b1@x", NULL);
  g_assert_cmpuint (m->len, ==, 2);

  g_autofree char *before = dump (f);
  g_assert_true (md_index_begin (f->idx, &err));
  add_simple (f->idx, "c1@x", "l", T0, NULL, NULL, NULL);
  md_index_cancel (f->idx);
  g_assert_false (md_index_contains (f->idx, "c1@x"));
  g_autofree char *after = dump (f);
  g_assert_cmpstr (before, ==, after);
}

/* Importing the same messages again leaves every byte as it was. */
static void
test_reimport_identical (Fixture *f, gconstpointer data)
{
  for (int pass = 0; pass < 2; pass++)
    {
      g_autofree char *before = pass ? dump (f) : NULL;
      for (int i = 0; i < 50; i++)
        {
          g_autofree char *id = g_strdup_printf ("r%d@x", i);
          g_autofree char *parent = g_strdup_printf ("r%d@x", i / 2);
          add_simple (f->idx, id, i % 3 ? "kvmarm" : "kvm", T0 + i * 600,
                      i ? parent : NULL, NULL, NULL);
        }
      if (pass)
        {
          g_autofree char *after = dump (f);
          g_assert_cmpstr (before, ==, after);
        }
    }
}

static void
put_raw (const char *path, const char *key, const void *val, gsize len)
{
  struct tdb_context *tdb = tdb_open (path, 0, 0, O_RDWR, 0);
  g_assert_nonnull (tdb);
  TDB_DATA k = { (unsigned char *) key, strlen (key) };
  g_assert_cmpint (tdb_store (tdb, k, (TDB_DATA) { (unsigned char *) val, len }, TDB_REPLACE), ==, 0);
  tdb_close (tdb);
}

static void
test_corrupt_record (Fixture *f, gconstpointer data)
{
  g_assert_true (md_index_close (f->idx, NULL));
  f->idx = NULL;
  put_raw (f->path, "m:bad@x", "\x01garbage", 8);
  put_raw (f->path, "t:bad@x", "no-nul", 6);
  g_autoptr (GError) err = NULL;
  f->idx = md_index_open (f->path, MD_INDEX_WRITE, 1000, &err);
  g_assert_no_error (err);

  g_autoptr (MdRecord) r = md_index_get (f->idx, "bad@x", &err);
  g_assert_null (r);
  g_assert_error (err, MD_ERROR, MD_ERROR_CORRUPT);
  g_clear_error (&err);

  g_autoptr (MdRecord) again = make_rec ("bad@x", "l", T0, NULL, NULL);
  g_assert_false (md_index_add (f->idx, again, NULL, &err));
  g_assert_error (err, MD_ERROR, MD_ERROR_CORRUPT);
  g_clear_error (&err);

  g_autoptr (GPtrArray) m = md_index_thread_members (f->idx, "bad@x", &err);
  g_assert_null (m);
  g_assert_error (err, MD_ERROR, MD_ERROR_CORRUPT);
  g_clear_error (&err);

  /* a reply to the corrupt record is still recorded */
  g_autofree char *tid = NULL;
  g_assert_cmpint (add_simple (f->idx, "child@x", "l", T0, "bad@x", NULL, &tid),
                   ==, MD_ADD_NEW);
  g_assert_cmpstr (tid, ==, "bad@x");
}

/* A window whose time index names an undecodable record: the record is
 * counted and left out, the rest of the week is still read. */
static void
test_window_corrupt (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) err = NULL;
  guint unreadable = 99;

  add_simple (f->idx, "fine@x", "l", T0, NULL, NULL, NULL);
  g_assert_true (md_index_close (f->idx, NULL));
  f->idx = NULL;
  put_raw (f->path, "m:bad@x", "\x01garbage", 8);
  put_raw (f->path, "a:l:2021030112", "bad@x\0fine@x\0", 13);
  f->idx = md_index_open (f->path, MD_INDEX_READ, 1000, &err);
  g_assert_no_error (err);

  g_autoptr (GPtrArray) recs = md_index_window (f->idx, "l", MD_TIME_ARRIVAL,
                                                T0 - 10, T0 + 10, &unreadable, &err);
  g_assert_no_error (err);
  g_assert_cmpuint (recs->len, ==, 1);
  g_assert_cmpstr (((MdRecord *) recs->pdata[0])->message_id, ==, "fine@x");
  g_assert_cmpuint (unreadable, ==, 1);
}

static void
test_open_errors (void)
{
  g_autoptr (GError) err = NULL;
  g_autofree char *dir = g_dir_make_tmp ("mldigest-index-XXXXXX", NULL);
  g_autofree char *missing = g_build_filename (dir, "none.tdb", NULL);
  MdIndex *idx = md_index_open (missing, MD_INDEX_READ, 100, &err);
  g_assert_null (idx);
  g_assert_error (err, MD_ERROR, MD_ERROR_NOT_FOUND);
  g_clear_error (&err);

  /* a path under a regular file cannot be created */
  g_autofree char *file = g_build_filename (dir, "file", NULL);
  g_assert_true (g_file_set_contents (file, "x", 1, NULL));
  g_autofree char *under = g_build_filename (file, "index.tdb", NULL);
  idx = md_index_open (under, MD_INDEX_WRITE, 100, &err);
  g_assert_null (idx);
  g_assert_nonnull (err);
  g_assert_nonnull (strstr (err->message, file));
  g_clear_error (&err);

  /* a TDB that is not ours */
  g_autofree char *foreign = g_build_filename (dir, "foreign.tdb", NULL);
  struct tdb_context *tdb = tdb_open (foreign, 0, 0, O_RDWR | O_CREAT, 0600);
  tdb_close (tdb);
  put_raw (foreign, "meta:format", "99", 2);
  idx = md_index_open (foreign, MD_INDEX_READ, 100, &err);
  g_assert_null (idx);
  g_assert_error (err, MD_ERROR, MD_ERROR_CORRUPT);
  g_clear_error (&err);
  idx = md_index_open (foreign, MD_INDEX_WRITE, 100, &err);
  g_assert_null (idx);
  g_assert_error (err, MD_ERROR, MD_ERROR_CORRUPT);

  g_unlink (foreign);
  g_unlink (file);
  g_rmdir (dir);
}

/* A writer that holds the lock longer than our timeout makes us fail
 * with MD_ERROR_TEMP after about that long, not hang. */
static void
test_lock_timeout (Fixture *f, gconstpointer data)
{
  int ready[2], release[2];
  g_assert_cmpint (pipe (ready), ==, 0);
  g_assert_cmpint (pipe (release), ==, 0);
  g_assert_true (md_index_close (f->idx, NULL));
  f->idx = NULL;
  pid_t pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      char c;
      MdIndex *holder = md_index_open (f->path, MD_INDEX_WRITE, 1000, NULL);
      if (holder == NULL || !md_index_begin (holder, NULL))
        _exit (1);
      if (write (ready[1], "x", 1) != 1 || read (release[0], &c, 1) != 1)
        _exit (2);
      md_index_cancel (holder);
      _exit (md_index_close (holder, NULL) ? 0 : 3);
    }
  char c;
  g_assert_cmpint (read (ready[0], &c, 1), ==, 1);

  g_autoptr (GError) err = NULL;
  f->idx = md_index_open (f->path, MD_INDEX_WRITE, 300, &err);
  g_assert_no_error (err);
  g_autoptr (MdRecord) r = make_rec ("late@x", "l", T0, NULL, NULL);
  gint64 start = g_get_monotonic_time ();
  g_assert_false (md_index_add (f->idx, r, NULL, &err));
  gint64 waited = (g_get_monotonic_time () - start) / 1000;
  g_assert_error (err, MD_ERROR, MD_ERROR_TEMP);
  g_assert_cmpint (waited, >=, 300);
  g_assert_cmpint (waited, <, 3000);
  g_clear_error (&err);

  /* once the holder lets go, the same handle records it */
  g_assert_cmpint (write (release[1], "x", 1), ==, 1);
  int status;
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_assert_cmpint (add (f->idx, r), ==, MD_ADD_NEW);
  close (ready[0]); close (ready[1]); close (release[0]); close (release[1]);
}

#define ADD(path, fn) \
  g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("/index/open-creates", test_open_creates);
  ADD ("/index/add-get", test_add_get);
  ADD ("/index/duplicate", test_duplicate_changes_nothing);
  ADD ("/index/cross-post", test_cross_post_merged);
  ADD ("/index/unlisted", test_unlisted);
  ADD ("/index/thread-ids", test_thread_ids);
  ADD ("/index/window", test_window);
  ADD ("/index/lists-grow-in-place", test_lists_grow_in_place);
  ADD ("/index/series", test_series_lookup);
  ADD ("/index/change-id", test_change_id_lookup);
  ADD ("/index/state", test_state);
  ADD ("/index/batch", test_batch);
  ADD ("/index/reimport-identical", test_reimport_identical);
  ADD ("/index/corrupt-record", test_corrupt_record);
  ADD ("/index/window-corrupt", test_window_corrupt);
  ADD ("/index/lock-timeout", test_lock_timeout);
  g_test_add_func ("/index/open-errors", test_open_errors);
  return g_test_run ();
}
