/* record.c - MdRecord lifetime; serialisation is at the end of the file. */
#include "record.h"

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
