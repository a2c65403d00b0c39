/* index-keys.c - the index's key layout and list values, in one place.
 *
 * Every key the index uses is built here; docs/index-format.md describes
 * the same layout for users and tools.  Keys are plain bytes without a
 * terminating NUL so that tdbdump shows them as text.
 */
#include "index-private.h"

#include <string.h>
#include "error.h"

#define MAX_UNIX_TIME G_GINT64_CONSTANT (253402300799)  /* 9999-12-31 23:59:59 */

static GString *
key_with_prefix (const char *prefix, const char *rest)
{
  GString *k = g_string_new (prefix);
  g_string_append (k, rest);
  return k;
}

GString *
md_key_message (const char *message_id)
{
  return key_with_prefix ("m:", message_id);
}

GString *
md_key_thread (const char *thread_id)
{
  return key_with_prefix ("t:", thread_id);
}

GString *
md_key_meta (const char *name)
{
  return key_with_prefix ("meta:", name);
}

gint64
md_time_bucket (gint64 t)
{
  t = CLAMP (t, 0, MAX_UNIX_TIME);
  return t - t % 3600;
}

/* "a:kvmarm:2021030114": arrival (a) or Date (d) hour bucket, UTC. */
GString *
md_key_time (MdTimeKind kind, const char *list, gint64 t)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (md_time_bucket (t));
  g_autofree char *hour = g_date_time_format (dt, "%Y%m%d%H");
  GString *k = g_string_new (kind == MD_TIME_ARRIVAL ? "a:" : "d:");
  g_string_append_printf (k, "%s:%s", list, hour);
  return k;
}

/* "s:<from_email>\0<series key>": the NUL keeps any address apart from
 * any title. */
GString *
md_key_series (const char *from_email, const char *series_key)
{
  GString *k = key_with_prefix ("s:", from_email);
  g_string_append_c (k, '\0');
  g_string_append (k, series_key);
  return k;
}

/* "c:<change-id>": b4's change-id of a series, the same in every version. */
GString *
md_key_change_id (const char *change_id)
{
  return key_with_prefix ("c:", change_id);
}

GString *
md_key_state (const char *ns, const char *key)
{
  GString *k = key_with_prefix ("x:", ns);
  g_string_append_c (k, ':');
  g_string_append (k, key);
  return k;
}

/* List values are NUL-terminated entries one after the other, so that a
 * writer can add one with tdb_append() without reading the value. */
gboolean
md_id_list_split (GBytes *value, GPtrArray *out, GError **error)
{
  gsize len;
  const char *p = g_bytes_get_data (value, &len);
  const char *end = p + len;
  if (len > 0 && end[-1] != '\0')
    goto bad;
  while (p < end)
    {
      gsize n = strlen (p);
      if (n == 0 || !g_utf8_validate (p, n, NULL))
        goto bad;
      g_ptr_array_add (out, g_strndup (p, n));
      p += n + 1;
    }
  return TRUE;
bad:
  g_set_error (error, MD_ERROR, MD_ERROR_CORRUPT, "bad stored id list");
  return FALSE;
}
