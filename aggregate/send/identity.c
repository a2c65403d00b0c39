#include "identity.h"
#include "error.h"
#include "lang.h"
#include "mail.h"
#include "window.h"
#include <string.h>

#define DAY 86400

void
md_identity_last_week (gint64 now, GTimeZone *tz, gint64 *since, gint64 *until)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (now);
  g_autoptr (GDateTime) local = g_date_time_to_timezone (t, tz);
  g_autoptr (GDateTime) today = g_date_time_new (tz, g_date_time_get_year (local),
                                                 g_date_time_get_month (local),
                                                 g_date_time_get_day_of_month (local), 0, 0, 0);
  g_autoptr (GDateTime) monday = g_date_time_add_days (today, 1 - g_date_time_get_day_of_week (today));
  g_autoptr (GDateTime) before = g_date_time_add_days (monday, -7);

  /* add_days keeps the wall-clock time across a DST change */
  *since = g_date_time_to_unix (before);
  *until = g_date_time_to_unix (monday);
}

char *
md_identity_week (gint64 t, GTimeZone *tz)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (t);
  g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, tz);

  return g_strdup_printf ("%04d-W%02d", g_date_time_get_week_numbering_year (local),
                          g_date_time_get_week_of_year (local));
}

char *
md_identity_previous_week (const char *week)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  gint64 since, until;

  if (!md_window_parse_week (week, &since, &until, NULL))
    return NULL;
  return md_identity_week (since - 7 * DAY, utc);
}

/* Letters, digits, '-' and '_' pass: what both a dot-atom and a file
 * name hold without question. */
static char *
safe_name (const char *list)
{
  GString *s = g_string_new (NULL);
  gboolean changed = FALSE;

  for (const char *p = list; *p; p++)
    {
      gboolean ok = g_ascii_isalnum (*p) || *p == '-' || *p == '_';
      g_string_append_c (s, ok ? *p : '_');
      changed |= !ok;
    }
  if (changed || s->len == 0)
    {
      g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, list, -1);
      g_string_append_printf (s, "-%.8s", sum);
    }
  return g_string_free (s, FALSE);
}

char *
md_identity_message_id (const char *list, const char *week, const char *from)
{
  g_autofree char *name = safe_name (list);
  g_autofree char *addr = from ? md_mail_addr_spec (from) : NULL;
  const char *at = addr ? strrchr (addr, '@') : NULL;
  g_autofree char *domain = md_mail_header_clean (at && at[1] ? at + 1 : "localhost");

  g_strdelimit (domain, " <>()[]\\\",;:", '_');
  return g_strdup_printf ("mldigest.%s.%s@%s", week, name, domain);
}

char *
md_identity_file_stem (const char *list, const char *week)
{
  g_autofree char *name = safe_name (list);
  return g_strdup_printf ("%s.%s", name, week);
}

static const char *
default_subject (const char *lang)
{
  const char *canon = md_lang_canonical (lang);
  return canon && strcmp (canon, "en") == 0 ? "[{list}] weekly digest {week}"
                                            : "[{list}] 邮件列表周报 {week}";
}

char *
md_identity_subject (const char *tmpl, const char *lang, const char *list,
                     const char *week, GError **error)
{
  g_autoptr (GString) out = g_string_new (NULL);
  const char *p = tmpl ? tmpl : default_subject (lang);

  while (*p)
    {
      if (g_str_has_prefix (p, "{{"))
        g_string_append_c (out, '{'), p += 2;
      else if (g_str_has_prefix (p, "{list}"))
        g_string_append (out, list), p += strlen ("{list}");
      else if (g_str_has_prefix (p, "{week}"))
        g_string_append (out, week), p += strlen ("{week}");
      else if (*p == '{')
        {
          g_set_error (error, MD_ERROR, MD_ERROR_CONFIG,
                       "subject: unknown placeholder in '%s' (want {list} or {week})", tmpl);
          return NULL;
        }
      else
        g_string_append_c (out, *p++);
    }
  /* the template and the list name may carry CR/LF: one header line */
  return md_mail_header_clean (out->str);
}
