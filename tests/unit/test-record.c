/* Unit tests: lib/record.c and lib/stored.c (serialisation). */
#include <string.h>
#include "record.h"
#include "stored.h"
#include "error.h"

static void
add_strs (GPtrArray *arr, const char *const *s)
{
  for (; *s != NULL; s++)
    g_ptr_array_add (arr, g_strdup (*s));
}

/* A record with every field set to something distinguishable. */
static MdRecord *
full_record (void)
{
  MdRecord *r = md_record_new ();
  r->flags = MD_REC_HAS_PATCH | MD_REC_CHARSET_GUESSED;
  r->message_id = g_strdup ("20210301.1234-5-maz@kernel.org");
  r->in_reply_to = g_strdup ("cover.1614600000@kernel.org");
  add_strs (r->references, (const char *[]) { "root@x.org", "cover.1614600000@kernel.org", NULL });
  g_free (r->subject);
  r->subject = g_strdup ("[PATCH v3 04/25] KVM: arm64: Sanitise — “quoted” 中文");
  g_free (r->from_name);
  r->from_name = g_strdup ("Philippe Mathieu-Daudé");
  g_free (r->from_email);
  r->from_email = g_strdup ("maz@kernel.org");
  r->date = 1614600000;
  r->arrival = 1614600123;
  add_strs (r->lists, (const char *[]) { "kvm", "kvmarm", NULL });
  add_strs (r->list_ids, (const char *[]) { "kvm.vger.kernel.org", "kvmarm.lists.cs.columbia.edu", NULL });
  add_strs (r->recipients, (const char *[]) { "kvm@vger.kernel.org", NULL });
  r->thread_id = g_strdup ("root@x.org");
  g_free (r->body);
  r->body = g_strdup ("Hello,\n\nmulti-line body\n");
  r->commit_msg = g_strdup ("Sanitise the thing.\n");
  r->diffstat = g_strdup (" arch/arm64/kvm/x.c | 2 +-\n 1 file changed\n");
  add_strs (r->files, (const char *[]) { "arch/arm64/kvm/x.c", NULL });
  add_strs (r->functions, (const char *[]) { "vgic_its_save_tables", "struct kvm {", NULL });
  md_record_add_trailer (r, MD_TRAILER_REVIEWED_BY, "Will Deacon", "will@kernel.org");
  md_record_add_trailer (r, MD_TRAILER_FIXES, "e1f358b5046 (\"KVM: arm64: x\")", "");
  r->tags.patch = 1;
  r->tags.reply = 0;
  r->tags.rfc = 1;
  r->tags.version = 3;
  r->tags.index = 4;
  r->tags.total = 25;
  r->tags.version_str = g_strdup ("3");
  r->tags.project = NULL;
  r->tags.title = g_strdup ("KVM: arm64: Sanitise");
  return r;
}

static void
assert_strv_equal (const GPtrArray *a, const GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpstr (a->pdata[i], ==, b->pdata[i]);
}

static void
assert_records_equal (const MdRecord *a, const MdRecord *b)
{
  g_assert_cmpuint (a->flags, ==, b->flags);
  g_assert_cmpstr (a->message_id, ==, b->message_id);
  g_assert_cmpstr (a->in_reply_to, ==, b->in_reply_to);
  assert_strv_equal (a->references, b->references);
  g_assert_cmpstr (a->subject, ==, b->subject);
  g_assert_cmpstr (a->from_name, ==, b->from_name);
  g_assert_cmpstr (a->from_email, ==, b->from_email);
  g_assert_cmpint (a->date, ==, b->date);
  g_assert_cmpint (a->arrival, ==, b->arrival);
  assert_strv_equal (a->lists, b->lists);
  assert_strv_equal (a->list_ids, b->list_ids);
  assert_strv_equal (a->recipients, b->recipients);
  g_assert_cmpstr (a->thread_id, ==, b->thread_id);
  g_assert_cmpstr (a->body, ==, b->body);
  g_assert_cmpstr (a->commit_msg, ==, b->commit_msg);
  g_assert_cmpstr (a->diffstat, ==, b->diffstat);
  assert_strv_equal (a->files, b->files);
  assert_strv_equal (a->functions, b->functions);
  g_assert_cmpuint (a->trailers->len, ==, b->trailers->len);
  for (guint i = 0; i < a->trailers->len; i++)
    {
      const MdTrailer *x = &g_array_index (a->trailers, MdTrailer, i);
      const MdTrailer *y = &g_array_index (b->trailers, MdTrailer, i);
      g_assert_cmpint (x->kind, ==, y->kind);
      g_assert_cmpstr (x->name, ==, y->name);
      g_assert_cmpstr (x->email, ==, y->email);
    }
  g_assert_cmpint (memcmp (&a->tags, &b->tags, offsetof (MdSubjectTags, version_str)), ==, 0);
  g_assert_cmpstr (a->tags.version_str, ==, b->tags.version_str);
  g_assert_cmpstr (a->tags.project, ==, b->tags.project);
  g_assert_cmpstr (a->tags.title, ==, b->tags.title);
}

static void
test_round_trip (void)
{
  g_autoptr (MdRecord) r = full_record ();
  g_autoptr (GBytes) b = md_record_to_bytes (r);
  gsize len;
  const guint8 *data = g_bytes_get_data (b, &len);
  g_autoptr (GError) err = NULL;
  g_autoptr (MdRecord) back = md_record_from_bytes (data, len, &err);

  g_assert_no_error (err);
  g_assert_cmpuint (data[0], ==, MD_RECORD_VERSION);
  assert_records_equal (r, back);

  /* Serialising is deterministic: the index's byte-identical re-import
   * depends on it. */
  g_autoptr (GBytes) again = md_record_to_bytes (back);
  g_assert_true (g_bytes_equal (b, again));
}

static void
test_round_trip_empty (void)
{
  g_autoptr (MdRecord) r = md_record_new ();
  r->message_id = g_strdup ("x@y");
  g_autoptr (GBytes) b = md_record_to_bytes (r);
  gsize len;
  const guint8 *data = g_bytes_get_data (b, &len);
  g_autoptr (GError) err = NULL;
  g_autoptr (MdRecord) back = md_record_from_bytes (data, len, &err);
  g_assert_no_error (err);
  assert_records_equal (r, back);
  g_assert_null (back->in_reply_to);
  g_assert_null (back->commit_msg);
  g_assert_cmpuint (back->tags.version, ==, 1);
}

/* Invalid UTF-8 handed in by a buggy caller is repaired, not stored. */
static void
test_invalid_utf8_repaired (void)
{
  g_autoptr (MdRecord) r = md_record_new ();
  r->message_id = g_strdup ("x@y");
  g_free (r->subject);
  r->subject = g_strdup ("caf\xe9 \xff");
  g_autoptr (GBytes) b = md_record_to_bytes (r);
  gsize len;
  const guint8 *data = g_bytes_get_data (b, &len);
  g_autoptr (MdRecord) back = md_record_from_bytes (data, len, NULL);
  g_assert_nonnull (back);
  g_assert_true (g_utf8_validate (back->subject, -1, NULL));
  g_assert_true (g_str_has_prefix (back->subject, "caf"));
}

static GByteArray *
serialised_copy (void)
{
  g_autoptr (MdRecord) r = full_record ();
  g_autoptr (GBytes) b = md_record_to_bytes (r);
  gsize len;
  const guint8 *data = g_bytes_get_data (b, &len);
  GByteArray *copy = g_byte_array_new ();
  g_byte_array_append (copy, data, len);
  return copy;
}

static void
assert_corrupt (const guint8 *data, gsize len)
{
  g_autoptr (GError) err = NULL;
  g_autoptr (MdRecord) r = md_record_from_bytes (data, len, &err);
  g_assert_null (r);
  g_assert_error (err, MD_ERROR, MD_ERROR_CORRUPT);
}

static void
test_wrong_version (void)
{
  g_autoptr (GByteArray) a = serialised_copy ();
  a->data[0] = MD_RECORD_VERSION + 1;
  assert_corrupt (a->data, a->len);
  a->data[0] = 0;
  assert_corrupt (a->data, a->len);
  assert_corrupt (a->data, 0);
  assert_corrupt (NULL, 0);
}

/* Every proper prefix of a record is rejected: the framing offsets at
 * the end of a GVariant tuple do not survive a cut. */
static void
test_truncated (void)
{
  g_autoptr (GByteArray) a = serialised_copy ();
  for (guint n = 0; n < a->len; n++)
    {
      g_autofree guint8 *cut = g_memdup2 (a->data, n);
      assert_corrupt (cut, n);
    }
}

static gboolean
record_is_valid_utf8 (const MdRecord *r)
{
  const char *strs[] = { r->message_id, r->subject, r->from_name,
                         r->from_email, r->body };
  for (guint i = 0; i < G_N_ELEMENTS (strs); i++)
    if (!g_utf8_validate (strs[i], -1, NULL))
      return FALSE;
  for (guint i = 0; i < r->trailers->len; i++)
    {
      const MdTrailer *t = &g_array_index (r->trailers, MdTrailer, i);
      if (t->kind >= MD_TRAILER_N_KINDS || !g_utf8_validate (t->name, -1, NULL))
        return FALSE;
    }
  return r->message_id[0] != '\0';
}

/* Flip every bit pattern of every byte in turn: each result is either a
 * valid record or MD_ERROR_CORRUPT, never a crash (run under SANITIZE=1). */
static void
test_flipped_bytes (void)
{
  g_autoptr (GByteArray) a = serialised_copy ();
  static const guint8 masks[] = { 0x01, 0x80, 0xff, 0x20 };
  guint rejected = 0, accepted = 0;
  for (guint i = 0; i < a->len; i++)
    for (guint m = 0; m < G_N_ELEMENTS (masks); m++)
      {
        g_autoptr (GByteArray) b = g_byte_array_new ();
        g_byte_array_append (b, a->data, a->len);
        b->data[i] ^= masks[m];
        g_autoptr (GError) err = NULL;
        g_autoptr (MdRecord) r = md_record_from_bytes (b->data, b->len, &err);
        if (r == NULL)
          {
            g_assert_error (err, MD_ERROR, MD_ERROR_CORRUPT);
            rejected++;
          }
        else
          {
            g_assert_true (record_is_valid_utf8 (r));
            accepted++;
          }
      }
  /* Flips inside text can stay valid; flips in framing cannot. */
  g_assert_cmpuint (rejected, >, 0);
  g_assert_cmpuint (accepted, >, 0);
}

/* A byte that makes a stored string invalid UTF-8 is caught. */
static void
test_invalid_utf8_rejected (void)
{
  g_autoptr (GByteArray) a = serialised_copy ();
  const char *needle = "Mathieu";
  guint8 *hit = memmem (a->data, a->len, needle, strlen (needle));
  g_assert_nonnull (hit);
  hit[0] = 0xc3;  /* a lead byte followed by 'a': not UTF-8 */
  assert_corrupt (a->data, a->len);
}

static void
test_unknown_trailer_and_flags (void)
{
  g_autoptr (GByteArray) a = serialised_copy ();
  guint8 *hit = memmem (a->data, a->len, "Reviewed-by", 11);
  g_assert_nonnull (hit);
  hit[0] = 'X';   /* "Xeviewed-by" is no trailer kind */
  assert_corrupt (a->data, a->len);

  /* flags is the tuple's first member, right after the version byte */
  g_autoptr (GByteArray) b = serialised_copy ();
  b->data[4] = 0x80;  /* top byte of the little-endian flags word */
  assert_corrupt (b->data, b->len);
}

/* The thread id alone, from good and from damaged bytes. */
static void
test_peek_thread_id (void)
{
  g_autoptr (GByteArray) a = serialised_copy ();
  g_autofree char *tid = md_record_peek_thread_id (a->data, a->len);
  g_assert_cmpstr (tid, ==, "root@x.org");
  g_assert_null (md_record_peek_thread_id (a->data, 0));
  a->data[0] = MD_RECORD_VERSION + 1;
  g_assert_null (md_record_peek_thread_id (a->data, a->len));
  a->data[0] = MD_RECORD_VERSION;
  for (guint i = 1; i < a->len; i++)
    {
      g_autoptr (GByteArray) b = g_byte_array_new ();
      g_byte_array_append (b, a->data, a->len);
      b->data[i] ^= 0xff;
      g_autofree char *t = md_record_peek_thread_id (b->data, b->len);
      g_assert_true (t == NULL || (*t != '\0' && g_utf8_validate (t, -1, NULL)));
      g_autofree char *cut = md_record_peek_thread_id (a->data, i);
      g_assert_true (cut == NULL || g_utf8_validate (cut, -1, NULL));
    }
}

/* Version 1, written before records kept functions: the same tuple
 * without its last field.  Built here from the documented type, so a
 * change to the reader that loses old records fails. */
#define V1_TYPE "(usmsassssxxasasasmssmsmsasa(sss)(uqqqmsmsms))"

static void
test_version1_read (void)
{
  g_autoptr (MdRecord) r = full_record ();
  g_autoptr (GBytes) b = md_record_to_bytes (r);
  gsize len;
  const guint8 *data = g_bytes_get_data (b, &len);
  g_autoptr (GVariant) v2 = md_stored_unpack (data, len, MD_RECORD_VERSION, G_VARIANT_TYPE (
    "(usmsassssxxasasasmssmsmsasa(sss)(uqqqmsmsms)as)"), "record", NULL);
  g_assert_nonnull (v2);
  GVariant *fields[19];
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    fields[i] = g_variant_get_child_value (v2, i);
  GVariant *v1 = g_variant_new_tuple (fields, G_N_ELEMENTS (fields));
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    g_variant_unref (fields[i]);
  g_assert_cmpstr (g_variant_get_type_string (v1), ==, V1_TYPE);
  g_autoptr (GBytes) old = md_stored_pack (1, v1);
  data = g_bytes_get_data (old, &len);

  g_autoptr (GError) err = NULL;
  g_autoptr (MdRecord) back = md_record_from_bytes (data, len, &err);
  g_assert_no_error (err);
  g_assert_cmpuint (back->functions->len, ==, 0);
  g_ptr_array_set_size (r->functions, 0);
  assert_records_equal (r, back);
  g_autofree char *tid = md_record_peek_thread_id (data, len);
  g_assert_cmpstr (tid, ==, "root@x.org");
  gint64 arrival = 0;
  g_assert_true (md_record_peek_arrival (data, len, &arrival));
  g_assert_cmpint (arrival, ==, 1614600123);

  /* a version 2 record is not read as a version 1 one */
  g_autoptr (GBytes) cur = md_record_to_bytes (back);
  g_autoptr (GByteArray) relabelled = g_byte_array_new ();
  g_byte_array_append (relabelled, g_bytes_get_data (cur, NULL), g_bytes_get_size (cur));
  relabelled->data[0] = 1;
  assert_corrupt (relabelled->data, relabelled->len);
}

static void
test_stored_type_checked (void)
{
  g_autoptr (GBytes) b = md_stored_pack (7, g_variant_new ("(su)", "abc", 42));
  gsize len;
  const guint8 *data = g_bytes_get_data (b, &len);
  g_autoptr (GError) err = NULL;
  g_autoptr (GVariant) ok = md_stored_unpack (data, len, 7, G_VARIANT_TYPE ("(su)"), "state", &err);
  g_assert_no_error (err);
  g_assert_cmpstr (g_variant_get_type_string (ok), ==, "(su)");
  /* the same bytes read as another type are not in normal form */
  g_autoptr (GVariant) bad = md_stored_unpack (data, len, 7, G_VARIANT_TYPE ("(ss)"), "state", &err);
  g_assert_null (bad);
  g_assert_error (err, MD_ERROR, MD_ERROR_CORRUPT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/record/round-trip", test_round_trip);
  g_test_add_func ("/record/round-trip-empty", test_round_trip_empty);
  g_test_add_func ("/record/invalid-utf8-repaired", test_invalid_utf8_repaired);
  g_test_add_func ("/record/wrong-version", test_wrong_version);
  g_test_add_func ("/record/truncated", test_truncated);
  g_test_add_func ("/record/flipped-bytes", test_flipped_bytes);
  g_test_add_func ("/record/invalid-utf8-rejected", test_invalid_utf8_rejected);
  g_test_add_func ("/record/unknown-trailer-and-flags", test_unknown_trailer_and_flags);
  g_test_add_func ("/record/peek-thread-id", test_peek_thread_id);
  g_test_add_func ("/record/version1-read", test_version1_read);
  g_test_add_func ("/stored/type-checked", test_stored_type_checked);
  return g_test_run ();
}
