#include "smtp.h"
#include "error.h"
#include "mail.h"
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GROUP "smtp"
#define DEFAULT_TIMEOUT 60
#define PASSWORD_MAX 4096

static gboolean G_GNUC_PRINTF (2, 3)
config_error (GError **error, const char *fmt, ...)
{
  g_autofree char *what = NULL;
  va_list ap;

  va_start (ap, fmt);
  what = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, MD_ERROR, MD_ERROR_CONFIG, "[smtp] %s", what);
  return FALSE;
}

static char *
get_string (GKeyFile *config, const char *key)
{
  char *v = g_key_file_get_string (config, GROUP, key, NULL);
  if (v && *g_strstrip (v) == '\0')
    g_clear_pointer (&v, g_free);
  return v;
}

/* Only the owner may read it: msmtp's rule, and the house rule for secrets. */
static gboolean
read_password_file (const char *path, char **out, GError **error)
{
  char buf[PASSWORD_MAX];
  struct stat st;
  ssize_t n;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

  if (fd < 0)
    return config_error (error, "cannot open password_file '%s'", path);
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)
      || (st.st_mode & (S_IRGRP | S_IROTH)) || st.st_uid != geteuid ())
    {
      close (fd);
      return config_error (error, "password_file '%s' must be a file of "
                           "this user that group and others cannot read (chmod 600)", path);
    }
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n < 0)
    return config_error (error, "cannot read password_file '%s'", path);
  buf[n] = '\0';
  buf[strcspn (buf, "\r\n")] = '\0';
  *out = g_strdup (buf);
  explicit_bzero (buf, sizeof buf);
  return **out != '\0' || config_error (error, "password_file '%s' is empty", path);
}

static gboolean
load_password (MdSmtpConfig *cfg, GKeyFile *config, GError **error)
{
  g_autofree char *file = get_string (config, "password_file");
  g_autofree char *env = get_string (config, "password_env");
  const char *value;

  if (cfg->user == NULL)
    return (file == NULL && env == NULL)
           || config_error (error, "%s without user", file ? "password_file" : "password_env");
  if (file)
    return read_password_file (file, &cfg->password, error);
  if (env == NULL)
    return config_error (error, "user '%s' needs password_file or password_env", cfg->user);
  if ((value = g_getenv (env)) == NULL || *value == '\0')
    return config_error (error, "password_env: $%s is not set", env);
  cfg->password = g_strdup (value);
  return TRUE;
}

static gboolean
parse_starttls (MdSmtpConfig *cfg, GKeyFile *config, GError **error)
{
  g_autofree char *v = get_string (config, "starttls");

  cfg->starttls = MD_STARTTLS_REQUIRED;
  if (v == NULL || strcmp (v, "required") == 0)
    return TRUE;
  if (strcmp (v, "optional") == 0)
    cfg->starttls = MD_STARTTLS_OPTIONAL;
  else if (strcmp (v, "never") == 0)
    cfg->starttls = MD_STARTTLS_NEVER;
  else
    return config_error (error, "starttls: '%s' is not required, optional or never", v);
  return TRUE;
}

/* smtp:// or smtps://, and no user:password@ in it: a secret in the URL
 * would reach error messages and the process list of whoever edits it. */
static gboolean
check_url (const char *url, GError **error)
{
  const char *rest;

  if (url == NULL)
    return config_error (error, "url: none set (smtp://host:port or smtps://host:port)");
  if (g_str_has_prefix (url, "smtp://"))
    rest = url + strlen ("smtp://");
  else if (g_str_has_prefix (url, "smtps://"))
    rest = url + strlen ("smtps://");
  else
    return config_error (error, "url: '%s' is not smtp:// or smtps://", url);
  if (memchr (rest, '@', strcspn (rest, "/")) != NULL)
    return config_error (error, "url: put the user in 'user' and the password in password_file, not in the url");
  return TRUE;
}

static gboolean
load_from (MdSmtpConfig *cfg, GKeyFile *config, GError **error)
{
  if ((cfg->from = get_string (config, "from")) == NULL)
    return config_error (error, "from: no sender address");
  if ((cfg->from_addr = md_mail_addr_spec (cfg->from)) == NULL)
    return config_error (error, "from: '%s' is not a mail address", cfg->from);
  return TRUE;
}

gboolean
md_smtp_config_load (MdSmtpConfig *cfg, GKeyFile *config,
                     const char *index_path, gboolean want_password,
                     GError **error)
{
  g_autofree char *dir = g_path_get_dirname (index_path);
  g_autoptr (GError) local = NULL;

  memset (cfg, 0, sizeof *cfg);
  cfg->url = get_string (config, "url");
  cfg->user = get_string (config, "user");
  cfg->ca_file = get_string (config, "ca_file");
  cfg->outbox = get_string (config, "outbox");
  if (cfg->outbox == NULL)
    cfg->outbox = g_build_filename (dir, "outbox", NULL);
  cfg->timeout = g_key_file_get_int64 (config, GROUP, "timeout", &local);
  if (local && !g_error_matches (local, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND)
      && !g_error_matches (local, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND))
    return config_error (error, "timeout: %s", local->message);
  if (local)
    cfg->timeout = DEFAULT_TIMEOUT;
  if (cfg->timeout <= 0)
    return config_error (error, "timeout: must be a number of seconds above 0");
  if (!load_from (cfg, config, error) || !parse_starttls (cfg, config, error))
    return FALSE;
  if (!want_password)
    return TRUE;
  return check_url (cfg->url, error) && load_password (cfg, config, error);
}

void
md_smtp_config_clear (MdSmtpConfig *cfg)
{
  if (cfg->password)
    explicit_bzero (cfg->password, strlen (cfg->password));
  g_free (cfg->url);
  g_free (cfg->user);
  g_free (cfg->password);
  g_free (cfg->from);
  g_free (cfg->from_addr);
  g_free (cfg->ca_file);
  g_free (cfg->outbox);
  memset (cfg, 0, sizeof *cfg);
}

/* ---- the transaction ---- */

typedef struct {
  const guint8 *data;
  gsize len, off;
} Upload;

static size_t
read_cb (char *buf, size_t size, size_t nitems, void *user)
{
  Upload *u = user;
  size_t n = MIN (size * nitems, u->len - u->off);

  memcpy (buf, u->data + u->off, n);
  u->off += n;
  return n;
}

static struct curl_slist *
recipients (const char *const *rcpts)
{
  struct curl_slist *list = NULL;

  for (guint i = 0; rcpts[i]; i++)
    {
      g_autofree char *a = g_strdup_printf ("<%s>", rcpts[i]);
      list = curl_slist_append (list, a);
    }
  return list;
}

static void
setup (CURL *c, const MdSmtpConfig *cfg, char *errbuf)
{
  static const long use_ssl[] = { CURLUSESSL_ALL, CURLUSESSL_TRY, CURLUSESSL_NONE };

  curl_easy_setopt (c, CURLOPT_URL, cfg->url);
  curl_easy_setopt (c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt (c, CURLOPT_USE_SSL, use_ssl[cfg->starttls]);
  curl_easy_setopt (c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (cfg->ca_file)
    curl_easy_setopt (c, CURLOPT_CAINFO, cfg->ca_file);
  if (cfg->user)
    {
      curl_easy_setopt (c, CURLOPT_USERNAME, cfg->user);
      curl_easy_setopt (c, CURLOPT_PASSWORD, cfg->password);
    }
  curl_easy_setopt (c, CURLOPT_TIMEOUT, cfg->timeout);
  curl_easy_setopt (c, CURLOPT_CONNECTTIMEOUT, MIN (cfg->timeout, 30L));
  curl_easy_setopt (c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (c, CURLOPT_ERRORBUFFER, errbuf);
}

gboolean
md_smtp_send (const MdSmtpConfig *cfg, const char *const *rcpts,
              GBytes *message, GError **error)
{
  char errbuf[CURL_ERROR_SIZE] = "";
  g_autofree char *from = g_strdup_printf ("<%s>", cfg->from_addr);
  struct curl_slist *to = recipients (rcpts);
  Upload up = { g_bytes_get_data (message, NULL), g_bytes_get_size (message), 0 };
  g_autofree char *said = NULL;
  long code = 0;
  CURLcode rc;
  CURL *c;

  curl_global_init (CURL_GLOBAL_DEFAULT);
  c = curl_easy_init ();
  setup (c, cfg, errbuf);
  curl_easy_setopt (c, CURLOPT_MAIL_FROM, from);
  curl_easy_setopt (c, CURLOPT_MAIL_RCPT, to);
  curl_easy_setopt (c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt (c, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt (c, CURLOPT_READDATA, &up);
  curl_easy_setopt (c, CURLOPT_INFILESIZE_LARGE, (curl_off_t) up.len);
  rc = curl_easy_perform (c);
  curl_easy_getinfo (c, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_cleanup (c);
  curl_slist_free_all (to);
  if (rc == CURLE_OK)
    return TRUE;
  said = code ? g_strdup_printf (" (server said %ld)", code) : g_strdup ("");
  g_set_error (error, MD_ERROR, MD_ERROR_TEMP, "cannot send through %s: %s%s",
               cfg->url, *errbuf ? errbuf : curl_easy_strerror (rc), said);
  return FALSE;
}
