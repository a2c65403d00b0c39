#include "outbox.h"
#include "error.h"
#include "crash.h"
#include "identity.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "mldigest-outbox 1\n"
#define SUFFIX ".msg"
#define TMP_PREFIX ".tmp-"
#define LOCK_WAIT_MS 120000

MdOutboxEntry *
md_outbox_entry_new (void)
{
  MdOutboxEntry *e = g_new0 (MdOutboxEntry, 1);
  e->rcpts = g_ptr_array_new_with_free_func (g_free);
  return e;
}

void
md_outbox_entry_free (MdOutboxEntry *e)
{
  if (e == NULL)
    return;
  g_free (e->path);
  g_free (e->list);
  g_free (e->week);
  g_free (e->message_id);
  g_free (e->from);
  g_ptr_array_unref (e->rcpts);
  g_clear_pointer (&e->md, g_bytes_unref);
  g_clear_pointer (&e->html, g_bytes_unref);
  g_clear_pointer (&e->message, g_bytes_unref);
  g_free (e);
}

static gboolean
sys_error (GError **error, const char *what, const char *path)
{
  int err = errno;
  g_set_error (error, MD_ERROR, MD_ERROR_TEMP, "outbox: cannot %s '%s': %s",
               what, path, g_strerror (err));
  return FALSE;
}

static gboolean
fsync_dir (const char *dir, GError **error)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  gboolean ok;

  if (fd < 0)
    return sys_error (error, "open", dir);
  ok = fsync (fd) == 0 || sys_error (error, "sync", dir);
  close (fd);
  return ok;
}

gboolean
md_outbox_lock (const char *dir, int *fd, GError **error)
{
  g_autofree char *path = g_build_filename (dir, ".lock", NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    return sys_error (error, "create", dir);
  if ((*fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
    return sys_error (error, "open", path);
  /* another run is sending: wait for it rather than send beside it */
  for (int waited = 0; flock (*fd, LOCK_EX | LOCK_NB) != 0; waited += 100)
    {
      if (errno != EWOULDBLOCK || waited >= LOCK_WAIT_MS)
        {
          sys_error (error, "lock", path);
          close (*fd);
          return FALSE;
        }
      g_usleep (100 * 1000);
    }
  return TRUE;
}

/* ---- writing ---- */

static void
append_bytes (GString *s, GBytes *b)
{
  if (b)
    g_string_append_len (s, g_bytes_get_data (b, NULL), g_bytes_get_size (b));
}

static GString *
serialise (const MdOutboxEntry *e)
{
  GString *s = g_string_new (MAGIC);

  g_string_append_printf (s, "list %s\nweek %s\nmessage-id %s\nfrom %s\n",
                          e->list, e->week, e->message_id, e->from);
  for (guint i = 0; i < e->rcpts->len; i++)
    g_string_append_printf (s, "rcpt %s\n", (char *) e->rcpts->pdata[i]);
  g_string_append_printf (s, "md %zu\nhtml %zu\nmessage %zu\n\n",
                          e->md ? g_bytes_get_size (e->md) : 0,
                          e->html ? g_bytes_get_size (e->html) : 0,
                          g_bytes_get_size (e->message));
  append_bytes (s, e->md);
  append_bytes (s, e->html);
  append_bytes (s, e->message);
  return s;
}

static gboolean
write_all (int fd, const char *data, gsize len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n, len -= n;
    }
  return TRUE;
}

/* Every write, fsync and close checked: a short file must never get
 * its final name. */
static gboolean
write_file (const char *tmp, const GString *s, GError **error)
{
  int fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  gboolean ok;

  if (fd < 0)
    return sys_error (error, "create", tmp);
  ok = write_all (fd, s->str, s->len / 2);
  md_crash_point ("queue-write");
  ok = ok && write_all (fd, s->str + s->len / 2, s->len - s->len / 2) && fsync (fd) == 0;
  if (!ok)
    sys_error (error, "write", tmp);
  if (close (fd) != 0 && ok)
    ok = sys_error (error, "close", tmp);
  if (!ok)
    unlink (tmp);
  return ok;
}

gboolean
md_outbox_put (const char *dir, MdOutboxEntry *e, GError **error)
{
  g_autofree char *stem = md_identity_file_stem (e->list, e->week);
  g_autofree char *name = g_strconcat (stem, SUFFIX, NULL);
  g_autofree char *tmpname = g_strdup_printf (TMP_PREFIX "%s.%d", name, (int) getpid ());
  g_autofree char *tmp = g_build_filename (dir, tmpname, NULL);
  g_autoptr (GString) s = serialise (e);

  g_free (e->path);
  e->path = g_build_filename (dir, name, NULL);
  if (!write_file (tmp, s, error))
    return FALSE;
  if (rename (tmp, e->path) != 0)
    {
      sys_error (error, "rename into", e->path);
      unlink (tmp);
      return FALSE;
    }
  return fsync_dir (dir, error);
}

gboolean
md_outbox_remove (const char *dir, const MdOutboxEntry *e, GError **error)
{
  if (unlink (e->path) != 0 && errno != ENOENT)
    return sys_error (error, "remove", e->path);
  return fsync_dir (dir, error);
}

/* ---- reading ---- */

/* The value of the header line "KEY value" at *P, advancing *P. */
static char *
field (const char **p, const char *end, const char *key)
{
  gsize klen = strlen (key);
  const char *nl = memchr (*p, '\n', end - *p);

  if (nl == NULL || (gsize) (nl - *p) <= klen || strncmp (*p, key, klen) != 0
      || (*p)[klen] != ' ')
    return NULL;
  char *v = g_strndup (*p + klen + 1, nl - *p - klen - 1);
  *p = nl + 1;
  if (!g_utf8_validate (v, -1, NULL) || *v == '\0')
    g_clear_pointer (&v, g_free);
  return v;
}

static gboolean
size_field (const char **p, const char *end, const char *key, gsize *out)
{
  g_autofree char *v = field (p, end, key);
  char *stop = NULL;
  guint64 n;

  if (v == NULL || !g_ascii_isdigit (*v))
    return FALSE;
  n = g_ascii_strtoull (v, &stop, 10);
  *out = n;
  return *stop == '\0' && n <= G_MAXSIZE;
}

static GBytes *
take (const char **p, gsize len)
{
  GBytes *b = g_bytes_new (*p, len);
  *p += len;
  return b;
}

static gboolean
parse_entry (MdOutboxEntry *e, const char *data, gsize len)
{
  const char *p = data, *end = data + len;
  gsize md, html, msg;
  char *rcpt;

  if (len < strlen (MAGIC) || memcmp (p, MAGIC, strlen (MAGIC)) != 0)
    return FALSE;
  p += strlen (MAGIC);
  if (!(e->list = field (&p, end, "list")) || !(e->week = field (&p, end, "week"))
      || !(e->message_id = field (&p, end, "message-id")) || !(e->from = field (&p, end, "from")))
    return FALSE;
  while ((rcpt = field (&p, end, "rcpt")) != NULL)
    g_ptr_array_add (e->rcpts, rcpt);
  if (e->rcpts->len == 0 || !size_field (&p, end, "md", &md)
      || !size_field (&p, end, "html", &html) || !size_field (&p, end, "message", &msg)
      || p >= end || *p++ != '\n' || msg == 0
      || (gsize) (end - p) != md + html + msg || md + html + msg < msg)
    return FALSE;
  e->md = take (&p, md);
  e->html = take (&p, html);
  e->message = take (&p, msg);
  return TRUE;
}

static MdOutboxEntry *
read_entry (const char *path, GError **error)
{
  g_autoptr (MdOutboxEntry) e = md_outbox_entry_new ();
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, NULL))
    {
      sys_error (error, "read", path);
      return NULL;
    }
  if (!parse_entry (e, data, len))
    {
      g_set_error (error, MD_ERROR, MD_ERROR_CORRUPT, "outbox: '%s' is not a queued digest", path);
      return NULL;
    }
  e->path = g_strdup (path);
  return g_steal_pointer (&e);
}

static gint
by_name (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static GPtrArray *
names (const char *dir, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (GDir) d = g_dir_open (dir, 0, &local);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    {
      g_set_error (error, MD_ERROR, MD_ERROR_TEMP, "outbox: %s", local->message);
      g_ptr_array_unref (out);
      return NULL;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_str_has_prefix (name, TMP_PREFIX))
        unlink (path);   /* a run killed while writing: its digest was never queued */
      else if (name[0] != '.' && g_str_has_suffix (name, SUFFIX))
        g_ptr_array_add (out, g_steal_pointer (&path));
    }
  g_ptr_array_sort (out, by_name);
  return out;
}

GPtrArray *
md_outbox_list (const char *dir, GPtrArray *bad, GError **error)
{
  g_autoptr (GPtrArray) paths = names (dir, error);
  GPtrArray *out;

  if (paths == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) md_outbox_entry_free);
  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr (GError) local = NULL;
      MdOutboxEntry *e = read_entry (paths->pdata[i], &local);
      if (e)
        g_ptr_array_add (out, e);
      else if (local->code != MD_ERROR_CORRUPT)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          g_ptr_array_unref (out);
          return NULL;
        }
      else if (bad)
        g_ptr_array_add (bad, g_strdup (paths->pdata[i]));
    }
  return out;
}
