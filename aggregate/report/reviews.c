/* reviews.c - review trailers per person and kind. */
#include "escape.h"
#include "reviews.h"

static void
group_free (gpointer p)
{
  MdReviewGroup *g = p;
  g_array_unref (g->patches);
  g_free (g);
}

static gboolean
same_reviewer (const MdReview *a, const MdReview *b)
{
  /* One person may sign with two addresses: same address or same name. */
  if (a->kind != b->kind)
    return FALSE;
  if (a->email && *a->email && g_ascii_strcasecmp (a->email, b->email ? b->email : "") == 0)
    return TRUE;
  return a->name && *a->name && b->name && g_utf8_collate (a->name, b->name) == 0;
}

static MdReviewGroup *
find_group (GPtrArray *groups, const MdReview *r)
{
  for (guint i = 0; i < groups->len; i++)
    if (same_reviewer (((MdReviewGroup *) groups->pdata[i])->first, r))
      return groups->pdata[i];
  return NULL;
}

GPtrArray *
md_review_groups (GPtrArray *reviews)
{
  GPtrArray *groups = g_ptr_array_new_with_free_func (group_free);

  for (guint i = 0; i < reviews->len; i++)
    {
      const MdReview *r = reviews->pdata[i];
      MdReviewGroup *g = find_group (groups, r);
      if (g == NULL)
        {
          g = g_new0 (MdReviewGroup, 1);
          g->first = r;
          g->patches = g_array_new (FALSE, FALSE, sizeof (guint16));
          g_ptr_array_add (groups, g);
        }
      g_array_append_val (g->patches, r->patch_index);
    }
  return groups;
}

static gint
cmp_u16 (gconstpointer a, gconstpointer b)
{
  return (gint) *(const guint16 *) a - (gint) *(const guint16 *) b;
}

char *
md_patch_refs (GArray *indexes, guint total, const char *sep)
{
  GString *out = g_string_new (NULL);

  g_array_sort (indexes, cmp_u16);
  for (guint i = 0; i < indexes->len && total > 0; i++)
    {
      guint16 ix = g_array_index (indexes, guint16, i);
      g_autofree char *ref = NULL;
      if (ix == 0 || (i > 0 && ix == g_array_index (indexes, guint16, i - 1)))
        continue;
      ref = md_patch_ref (ix, total);
      g_string_append_printf (out, "%s%s", out->len ? sep : "", ref);
    }
  return g_string_free (out, FALSE);
}
