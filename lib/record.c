/* record.c - MdRecord lifetime; serialisation is at the end of the file. */
#include "record.h"

#include <string.h>
#include "error.h"
#include "stored.h"

static const char *const trailer_names[MD_TRAILER_N_KINDS] = {
  [MD_TRAILER_REVIEWED_BY]     = "Reviewed-by",
  [MD_TRAILER_ACKED_BY]        = "Acked-by",
  [MD_TRAILER_TESTED_BY]       = "Tested-by",
  [MD_TRAILER_SIGNED_OFF_BY]   = "Signed-off-by",
  [MD_TRAILER_REPORTED_BY]     = "Reported-by",
  [MD_TRAILER_SUGGESTED_BY]    = "Suggested-by",
  [MD_TRAILER_CO_DEVELOPED_BY] = "Co-developed-by",
  [MD_TRAILER_NACKED_BY]       = "Nacked-by",
  [MD_TRAILER_FIXES]           = "Fixes",
  [MD_TRAILER_LINK]            = "Link",
  [MD_TRAILER_CC]              = "Cc",
};

const char *
md_trailer_kind_name (MdTrailerKind kind)
{
  return kind < MD_TRAILER_N_KINDS ? trailer_names[kind] : "?";
}

static void
trailer_clear (gpointer p)
{
  MdTrailer *t = p;
  g_free (t->name);
  g_free (t->email);
}

MdRecord *
md_record_new (void)
{
  MdRecord *rec = g_new0 (MdRecord, 1);
  rec->references = g_ptr_array_new_with_free_func (g_free);
  rec->lists = g_ptr_array_new_with_free_func (g_free);
  rec->list_ids = g_ptr_array_new_with_free_func (g_free);
  rec->recipients = g_ptr_array_new_with_free_func (g_free);
  rec->files = g_ptr_array_new_with_free_func (g_free);
  rec->functions = g_ptr_array_new_with_free_func (g_free);
  rec->trailers = g_array_new (FALSE, TRUE, sizeof (MdTrailer));
  g_array_set_clear_func (rec->trailers, trailer_clear);
  rec->subject = g_strdup ("");
  rec->from_name = g_strdup ("");
  rec->from_email = g_strdup ("");
  rec->body = g_strdup ("");
  rec->tags.version = 1;
  return rec;
}

void
md_subject_tags_clear (MdSubjectTags *tags)
{
  g_clear_pointer (&tags->version_str, g_free);
  g_clear_pointer (&tags->project, g_free);
  g_clear_pointer (&tags->title, g_free);
}

void
md_record_free (MdRecord *rec)
{
  if (rec == NULL)
    return;
  g_free (rec->message_id);
  g_free (rec->in_reply_to);
  g_ptr_array_unref (rec->references);
  g_free (rec->subject);
  g_free (rec->from_name);
  g_free (rec->from_email);
  g_ptr_array_unref (rec->lists);
  g_ptr_array_unref (rec->list_ids);
  g_ptr_array_unref (rec->recipients);
  g_free (rec->thread_id);
  g_free (rec->body);
  g_free (rec->commit_msg);
  g_free (rec->diffstat);
  g_ptr_array_unref (rec->files);
  g_ptr_array_unref (rec->functions);
  g_array_unref (rec->trailers);
  md_subject_tags_clear (&rec->tags);
  g_free (rec);
}

void
md_record_add_trailer (MdRecord *rec, MdTrailerKind kind,
                       const char *name, const char *email)
{
  MdTrailer t = { kind, g_strdup (name ? name : ""), g_strdup (email ? email : "") };
  g_array_append_val (rec->trailers, t);
}

gboolean
md_record_has_flag (const MdRecord *rec, MdRecordFlags flag)
{
  return (rec->flags & flag) != 0;
}

/* ---- serialisation (see docs/index-format.md) ---- */
/*
 * A stored record is one version byte (MD_RECORD_VERSION) followed by a
 * GVariant of type RECORD_TYPE in little-endian byte order.  A tuple, not
 * a dictionary: the index holds one per message and names would double
 * its size; the field order below is the documented format, and any
 * change to it bumps MD_RECORD_VERSION.  Version 1 is version 2 without
 * its last field (functions): old records are read, with no functions,
 * so an index needs no conversion.
 *
 * Reading trusts nothing: the bytes come from a file other processes
 * write, so the version and the variant's normal form (stored.c), every
 * string's UTF-8 and every enumerated value are checked, and anything
 * else is MD_ERROR_CORRUPT rather than a crash or a bad string later.
 */

#define RECORD_V1_FIELDS \
  "u"   /*  0 flags (MdRecordFlags)     */ \
  "s"   /*  1 message_id                */ \
  "ms"  /*  2 in_reply_to               */ \
  "as"  /*  3 references, oldest first  */ \
  "s"   /*  4 subject                   */ \
  "s"   /*  5 from_name                 */ \
  "s"   /*  6 from_email                */ \
  "x"   /*  7 date (UTC seconds)        */ \
  "x"   /*  8 arrival (UTC seconds)     */ \
  "as"  /*  9 lists                     */ \
  "as"  /* 10 list_ids                  */ \
  "as"  /* 11 recipients                */ \
  "ms"  /* 12 thread_id                 */ \
  "s"   /* 13 body                      */ \
  "ms"  /* 14 commit_msg                */ \
  "ms"  /* 15 diffstat                  */ \
  "as"  /* 16 files                     */ \
  "a(sss)"      /* 17 trailers: kind name ("Reviewed-by"), name, email */ \
  "(uqqqmsmsms)" /* 18 tags: bits, version, index, total, version_str, project, title */

#define RECORD_V1_TYPE "(" RECORD_V1_FIELDS ")"
#define RECORD_TYPE "(" RECORD_V1_FIELDS \
  "as"  /* 19 functions (version 2)   */ \
  ")"

enum { TAG_REPLY = 1, TAG_FORWARD = 2, TAG_PATCH = 4, TAG_RFC = 8,
       TAG_RESEND = 16, TAG_GIT_PULL = 32, TAG_ALL = 63 };

#define RECORD_FLAGS_ALL ((guint32) MD_REC_CHARSET_GUESSED * 2 - 1) /* every MdRecordFlags bit */

/* GVariant refuses invalid UTF-8 with a critical; the parser promises
 * valid text, but a record must be storable whatever it holds. */
static GVariant *
str_value (const char *s)
{
  if (s == NULL)
    s = "";
  if (g_utf8_validate (s, -1, NULL))
    return g_variant_new_string (s);
  g_autofree char *valid = g_utf8_make_valid (s, -1);
  return g_variant_new_string (valid);
}

static GVariant *
maybe_str_value (const char *s)
{
  return g_variant_new_maybe (G_VARIANT_TYPE_STRING,
                              s != NULL ? str_value (s) : NULL);
}

static GVariant *
strv_value (const GPtrArray *arr)
{
  GVariantBuilder b;
  g_variant_builder_init (&b, G_VARIANT_TYPE_STRING_ARRAY);
  for (guint i = 0; arr != NULL && i < arr->len; i++)
    g_variant_builder_add_value (&b, str_value (arr->pdata[i]));
  return g_variant_builder_end (&b);
}

static GVariant *
trailers_value (const GArray *trailers)
{
  GVariantBuilder b;
  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(sss)"));
  for (guint i = 0; i < trailers->len; i++)
    {
      const MdTrailer *t = &g_array_index (trailers, MdTrailer, i);
      g_variant_builder_add (&b, "(@s@s@s)",
                             str_value (md_trailer_kind_name (t->kind)),
                             str_value (t->name), str_value (t->email));
    }
  return g_variant_builder_end (&b);
}

static GVariant *
tags_value (const MdSubjectTags *t)
{
  guint32 bits = (t->reply ? TAG_REPLY : 0) | (t->forward ? TAG_FORWARD : 0)
    | (t->patch ? TAG_PATCH : 0) | (t->rfc ? TAG_RFC : 0)
    | (t->resend ? TAG_RESEND : 0) | (t->git_pull ? TAG_GIT_PULL : 0);
  return g_variant_new ("(uqqq@ms@ms@ms)", bits, t->version, t->index,
                        t->total, maybe_str_value (t->version_str),
                        maybe_str_value (t->project),
                        maybe_str_value (t->title));
}

static GVariant *
record_value (const MdRecord *r)
{
  GVariant *fields[] = {
    g_variant_new_uint32 (r->flags), str_value (r->message_id),
    maybe_str_value (r->in_reply_to), strv_value (r->references),
    str_value (r->subject), str_value (r->from_name),
    str_value (r->from_email), g_variant_new_int64 (r->date),
    g_variant_new_int64 (r->arrival), strv_value (r->lists),
    strv_value (r->list_ids), strv_value (r->recipients),
    maybe_str_value (r->thread_id), str_value (r->body),
    maybe_str_value (r->commit_msg), maybe_str_value (r->diffstat),
    strv_value (r->files), trailers_value (r->trailers),
    tags_value (&r->tags), strv_value (r->functions),
  };
  return g_variant_new_tuple (fields, G_N_ELEMENTS (fields));
}

GBytes *
md_record_to_bytes (const MdRecord *rec)
{
  return md_stored_pack (MD_RECORD_VERSION, record_value (rec));
}

/* ---- reading back ---- */

/* Copy one string child, checking its UTF-8 (GVariant's normal-form
 * check covers it today; the record's promise should not depend on it). */
static gboolean
take_str (GVariant *tuple, gsize i, char **out)
{
  g_autoptr (GVariant) c = g_variant_get_child_value (tuple, i);
  const char *s = g_variant_get_string (c, NULL);
  if (!g_utf8_validate (s, -1, NULL))
    return FALSE;
  g_free (*out);
  *out = g_strdup (s);
  return TRUE;
}

static gboolean
take_maybe_str (GVariant *tuple, gsize i, char **out)
{
  g_autoptr (GVariant) c = g_variant_get_child_value (tuple, i);
  g_autoptr (GVariant) inner = g_variant_get_maybe (c);
  g_clear_pointer (out, g_free);
  if (inner == NULL)
    return TRUE;
  const char *s = g_variant_get_string (inner, NULL);
  if (!g_utf8_validate (s, -1, NULL))
    return FALSE;
  *out = g_strdup (s);
  return TRUE;
}

static gboolean
take_strv (GVariant *tuple, gsize i, GPtrArray *out)
{
  g_autoptr (GVariant) c = g_variant_get_child_value (tuple, i);
  GVariantIter it;
  const char *s;
  g_variant_iter_init (&it, c);
  while (g_variant_iter_next (&it, "&s", &s))
    {
      if (!g_utf8_validate (s, -1, NULL))
        return FALSE;
      g_ptr_array_add (out, g_strdup (s));
    }
  return TRUE;
}

static gboolean
trailer_kind_from_name (const char *name, MdTrailerKind *kind)
{
  for (int k = 0; k < MD_TRAILER_N_KINDS; k++)
    if (strcmp (name, trailer_names[k]) == 0)
      {
        *kind = k;
        return TRUE;
      }
  return FALSE;
}

static gboolean
take_trailers (GVariant *tuple, gsize i, MdRecord *rec)
{
  g_autoptr (GVariant) c = g_variant_get_child_value (tuple, i);
  GVariantIter it;
  const char *kind_name, *name, *email;
  g_variant_iter_init (&it, c);
  while (g_variant_iter_next (&it, "(&s&s&s)", &kind_name, &name, &email))
    {
      MdTrailerKind kind;
      if (!trailer_kind_from_name (kind_name, &kind)
          || !g_utf8_validate (name, -1, NULL)
          || !g_utf8_validate (email, -1, NULL))
        return FALSE;
      md_record_add_trailer (rec, kind, name, email);
    }
  return TRUE;
}

static gboolean
take_tags (GVariant *tuple, gsize i, MdSubjectTags *t)
{
  g_autoptr (GVariant) c = g_variant_get_child_value (tuple, i);
  guint32 bits;
  g_variant_get_child (c, 0, "u", &bits);
  g_variant_get_child (c, 1, "q", &t->version);
  g_variant_get_child (c, 2, "q", &t->index);
  g_variant_get_child (c, 3, "q", &t->total);
  if ((bits & ~TAG_ALL) != 0)
    return FALSE;
  t->reply = !!(bits & TAG_REPLY);
  t->forward = !!(bits & TAG_FORWARD);
  t->patch = !!(bits & TAG_PATCH);
  t->rfc = !!(bits & TAG_RFC);
  t->resend = !!(bits & TAG_RESEND);
  t->git_pull = !!(bits & TAG_GIT_PULL);
  return take_maybe_str (c, 4, &t->version_str)
    && take_maybe_str (c, 5, &t->project)
    && take_maybe_str (c, 6, &t->title);
}

static gboolean
fill_record (GVariant *v, MdRecord *r)
{
  g_variant_get_child (v, 0, "u", &r->flags);
  g_variant_get_child (v, 7, "x", &r->date);
  g_variant_get_child (v, 8, "x", &r->arrival);
  return (r->flags & ~RECORD_FLAGS_ALL) == 0
    && take_str (v, 1, &r->message_id) && r->message_id[0] != '\0'
    && take_maybe_str (v, 2, &r->in_reply_to)
    && take_strv (v, 3, r->references)
    && take_str (v, 4, &r->subject) && take_str (v, 5, &r->from_name)
    && take_str (v, 6, &r->from_email)
    && take_strv (v, 9, r->lists) && take_strv (v, 10, r->list_ids)
    && take_strv (v, 11, r->recipients)
    && take_maybe_str (v, 12, &r->thread_id) && take_str (v, 13, &r->body)
    && take_maybe_str (v, 14, &r->commit_msg)
    && take_maybe_str (v, 15, &r->diffstat) && take_strv (v, 16, r->files)
    && take_trailers (v, 17, r) && take_tags (v, 18, &r->tags)
    && (g_variant_n_children (v) < 20 || take_strv (v, 19, r->functions));
}

/* The type of a stored record of the version DATA starts with: the
 * current one or version 1; NULL for any other. */
static const GVariantType *
record_type (const guint8 *data, gsize len)
{
  if (data == NULL || len < 1)
    return NULL;
  if (data[0] == MD_RECORD_VERSION)
    return G_VARIANT_TYPE (RECORD_TYPE);
  return data[0] == 1 ? G_VARIANT_TYPE (RECORD_V1_TYPE) : NULL;
}

MdRecord *
md_record_from_bytes (const guint8 *data, gsize len, GError **error)
{
  const GVariantType *type = record_type (data, len);
  g_autoptr (GVariant) v = md_stored_unpack (data, len, type ? data[0] : MD_RECORD_VERSION,
                                             type ? type : G_VARIANT_TYPE (RECORD_TYPE),
                                             "record", error);
  if (v == NULL)
    return NULL;
  g_autoptr (MdRecord) rec = md_record_new ();
  if (!fill_record (v, rec))
    {
      g_set_error (error, MD_ERROR, MD_ERROR_CORRUPT,
                   "bad stored record: invalid field");
      return NULL;
    }
  return g_steal_pointer (&rec);
}

char *
md_record_peek_thread_id (const guint8 *data, gsize len)
{
  const GVariantType *type = record_type (data, len);
  g_autoptr (GVariant) v = type ? md_stored_peek (data, len, data[0], type) : NULL;
  char *tid = NULL;
  if (v == NULL || !take_maybe_str (v, 12, &tid) || tid == NULL || *tid == '\0')
    g_clear_pointer (&tid, g_free);
  return tid;
}

gboolean
md_record_peek_arrival (const guint8 *data, gsize len, gint64 *arrival)
{
  const GVariantType *type = record_type (data, len);
  g_autoptr (GVariant) v = type ? md_stored_peek (data, len, data[0], type) : NULL;
  g_autoptr (GVariant) t = v ? g_variant_get_child_value (v, 8) : NULL;

  if (t == NULL)
    return FALSE;
  *arrival = g_variant_get_int64 (t);
  return TRUE;
}

char *
md_record_change_id (const MdRecord *rec)
{
  const char *p = rec->body;

  while (p && *p)
    {
      const char *eol = strchr (p, '\n');
      gsize len = eol ? (gsize) (eol - p) : strlen (p);

      if (len > 10 && g_ascii_strncasecmp (p, "change-id:", 10) == 0)
        {
          g_autofree char *v = g_strndup (p + 10, len - 10);
          g_strstrip (v);
          return *v && !strchr (v, ' ') ? g_steal_pointer (&v) : NULL;
        }
      p = eol ? eol + 1 : NULL;
    }
  return NULL;
}
