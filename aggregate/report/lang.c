/* lang.c - report languages. */
#include <string.h>
#include "lang.h"

static gboolean
lang_is (const char *s, const char *prefix)
{
  gsize n = strlen (prefix);
  return g_ascii_strncasecmp (s, prefix, n) == 0
         && (s[n] == '\0' || s[n] == '-' || s[n] == '_');
}

const char *
md_lang_canonical (const char *s)
{
  if (s == NULL || lang_is (s, "zh"))
    return "zh-CN";
  if (lang_is (s, "en"))
    return "en";
  return NULL;
}
