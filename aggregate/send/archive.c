#include "archive.h"
#include <errno.h>
#include "error.h"
#include "identity.h"

static gboolean
write_one (const char *dir, const char *stem, const char *ext, GBytes *data,
           GError **error)
{
  g_autofree char *name = g_strconcat (stem, ext, NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) local = NULL;

  if (data == NULL || g_bytes_get_size (data) == 0)
    return TRUE;
  if (g_file_set_contents_full (path, g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                                G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                0644, &local))
    return TRUE;
  g_set_error (error, MD_ERROR, MD_ERROR_TEMP, "archive_dir: %s", local->message);
  return FALSE;
}

gboolean
md_archive_write (const char *dir, const char *list, const char *week,
                  GBytes *md, GBytes *html, GError **error)
{
  g_autofree char *stem = md_identity_file_stem (list, week);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, MD_ERROR, MD_ERROR_TEMP, "archive_dir: cannot create '%s': %s",
                   dir, g_strerror (errno));
      return FALSE;
    }
  return write_one (dir, stem, ".md", md, error)
         && write_one (dir, stem, ".html", html, error);
}
