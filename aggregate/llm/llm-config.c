/* llm-config.c - the [llm] group of the configuration, read and checked.
 *
 * Every error names the key ("[llm] concurrency: ...") and none quotes
 * the API key: a value read from api_key_file or $api_key_env is never
 * put in a message, only the file's or the variable's name.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "client.h"
#include "error.h"

#define GROUP "llm"
#define KEY_FILE_MAX 4096

MdLlmConfig *
md_llm_config_new (const char *url, const char *model)
{
  MdLlmConfig *cfg = g_new0 (MdLlmConfig, 1);

  cfg->url = g_strdup (url);
  cfg->model = g_strdup (model);
  cfg->concurrency = 4;
  cfg->timeout_s = 120;
  cfg->max_output_tokens = 1024;
  cfg->temperature = 0.2;
  cfg->context_tokens = 6000;
  cfg->max_retries = 4;
  cfg->backoff_ms = 1000;
  cfg->retry_after_max_s = 120;
  return cfg;
}

void
md_llm_config_free (MdLlmConfig *cfg)
{
  if (!cfg)
    return;
  g_free (cfg->url);
  g_free (cfg->model);
  if (cfg->api_key)
    explicit_bzero (cfg->api_key, strlen (cfg->api_key));
  g_free (cfg->api_key);
  g_free (cfg);
}

static gboolean
bad (GError **error, const char *key, const char *what)
{
  g_set_error (error, MD_ERROR, MD_ERROR_CONFIG, "[" GROUP "] %s: %s", key, what);
  return FALSE;
}

/* The trimmed string value of KEY, NULL when unset or empty. */
static char *
get_string (GKeyFile *kf, const char *key)
{
  g_autofree char *v = g_key_file_get_string (kf, GROUP, key, NULL);

  if (!v)
    return NULL;
  g_strstrip (v);
  return *v ? g_steal_pointer (&v) : NULL;
}

static gboolean
get_uint (GKeyFile *kf, const char *key, guint64 min, guint64 max,
          guint64 *out, GError **error)
{
  g_autofree char *v = get_string (kf, key);
  g_autofree char *range = NULL;
  guint64 n;

  if (!v)
    return TRUE;
  if (g_ascii_string_to_unsigned (v, 10, min, max, &n, NULL)) {
    *out = n;
    return TRUE;
  }
  range = g_strdup_printf ("is not a whole number from %" G_GUINT64_FORMAT
                           " to %" G_GUINT64_FORMAT, min, max);
  g_set_error (error, MD_ERROR, MD_ERROR_CONFIG, "[" GROUP "] %s: \"%s\" %s",
               key, v, range);
  return FALSE;
}

static gboolean
get_guint (GKeyFile *kf, const char *key, guint min, guint max, guint *out,
           GError **error)
{
  guint64 n = *out;

  if (!get_uint (kf, key, min, max, &n, error))
    return FALSE;
  *out = (guint) n;
  return TRUE;
}

/* temperature: 0 to 2, the API's range. */
static gboolean
get_temperature (GKeyFile *kf, double *out, GError **error)
{
  g_autofree char *v = get_string (kf, "temperature");
  char *end = NULL;
  double t;

  if (!v)
    return TRUE;
  t = g_ascii_strtod (v, &end);
  if (end == v || *end || !(t >= 0 && t <= 2)) {
    g_set_error (error, MD_ERROR, MD_ERROR_CONFIG, "[" GROUP "] temperature: "
                 "\"%s\" is not a number from 0 to 2", v);
    return FALSE;
  }
  *out = t;
  return TRUE;
}

/* url: http(s), no credentials in it (they would end up in logs and
 * error messages: the key belongs in api_key_file), no trailing '/'. */
static gboolean
get_url (GKeyFile *kf, MdLlmConfig *cfg, GError **error)
{
  g_autofree char *v = get_string (kf, "url");
  g_autoptr (GUri) uri = NULL;
  gsize len;

  if (!v)
    return bad (error, "url", "the key is missing (e.g. url=http://127.0.0.1:8000/v1)");
  uri = g_uri_parse (v, G_URI_FLAGS_NONE, NULL);
  if (!uri || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
               g_strcmp0 (g_uri_get_scheme (uri), "https") != 0) ||
      !g_uri_get_host (uri) || !*g_uri_get_host (uri))
    return bad (error, "url", "the value is not an http:// or https:// URL");
  if (g_uri_get_userinfo (uri) || g_uri_get_query (uri) || g_uri_get_fragment (uri))
    return bad (error, "url", "the URL must hold no user, password, query or "
                "fragment (put a key in api_key_file or api_key_env)");
  len = strlen (v);
  while (len > 0 && v[len - 1] == '/')
    v[--len] = '\0';
  cfg->url = g_steal_pointer (&v);
  return TRUE;
}

/* A key is one header value: printable ASCII, no spaces inside. */
static gboolean
key_ok (const char *key)
{
  if (!*key)
    return FALSE;
  for (const char *p = key; *p; p++)
    if (*p <= ' ' || *p > '~')
      return FALSE;
  return TRUE;
}

static char *
read_key_file (const char *path, GError **error)
{
  struct stat st;
  char buf[KEY_FILE_MAX + 1];
  ssize_t n;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

  if (fd < 0) {
    g_set_error (error, MD_ERROR, MD_ERROR_CONFIG, "[" GROUP "] api_key_file: "
                 "cannot open %s: %s", path, g_strerror (errno));
    return NULL;
  }
  /* Checked on the open file, so the file read is the file checked. */
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || (st.st_mode & 077)) {
    g_set_error (error, MD_ERROR, MD_ERROR_CONFIG, "[" GROUP "] api_key_file: "
                 "%s must be a regular file that group and others cannot "
                 "read (chmod 600 %s)", path, path);
    close (fd);
    return NULL;
  }
  n = read (fd, buf, KEY_FILE_MAX + 1);
  close (fd);
  if (n < 0 || n > KEY_FILE_MAX) {
    explicit_bzero (buf, sizeof buf);
    g_set_error (error, MD_ERROR, MD_ERROR_CONFIG, "[" GROUP "] api_key_file: "
                 "cannot read %s: %s", path,
                 n < 0 ? g_strerror (errno) : "too long for a key");
    return NULL;
  }
  buf[n] = '\0';
  g_strstrip (buf);
  char *key = g_strdup (buf);
  explicit_bzero (buf, sizeof buf);
  return key;
}

static gboolean
get_key (GKeyFile *kf, MdLlmConfig *cfg, GError **error)
{
  g_autofree char *file = get_string (kf, "api_key_file");
  g_autofree char *env = get_string (kf, "api_key_env");
  const char *from = file ? "api_key_file" : "api_key_env";
  char *key = NULL;

  if (file && env) {
    g_set_error (error, MD_ERROR, MD_ERROR_CONFIG, "[" GROUP "] api_key_file "
                 "and api_key_env are both set: keep one");
    return FALSE;
  }
  if (file) {
    g_autofree char *path = g_str_has_prefix (file, "~/")
      ? g_build_filename (g_get_home_dir (), file + 2, NULL) : g_strdup (file);
    if (!(key = read_key_file (path, error)))
      return FALSE;
  } else if (env) {
    const char *v = g_getenv (env);
    if (!v || !*v) {
      g_set_error (error, MD_ERROR, MD_ERROR_CONFIG, "[" GROUP "] api_key_env: "
                   "the environment variable %s is not set", env);
      return FALSE;
    }
    key = g_strstrip (g_strdup (v));
  } else {
    return TRUE;          /* no key: a local server */
  }
  if (!key_ok (key)) {
    explicit_bzero (key, strlen (key));
    g_free (key);
    return bad (error, from, "the key it gives is empty or holds spaces or "
                "control characters");
  }
  cfg->api_key = key;
  return TRUE;
}

static gboolean
load_numbers (GKeyFile *kf, MdLlmConfig *cfg, GError **error)
{
  /* The ranges of mldigest.conf(5) (lib/config-keys.c); G_MAXINT / 1000:
   * a timeout's milliseconds fit libcurl's long anywhere. */
  return get_guint (kf, "concurrency", 1, 256, &cfg->concurrency, error) &&
         get_guint (kf, "timeout", 1, G_MAXINT / 1000, &cfg->timeout_s, error) &&
         get_guint (kf, "max_output_tokens", 1, G_MAXINT, &cfg->max_output_tokens, error) &&
         get_temperature (kf, &cfg->temperature, error) &&
         get_guint (kf, "context_tokens", 256, G_MAXINT, &cfg->context_tokens, error) &&
         get_uint (kf, "budget_requests", 0, G_MAXUINT64, &cfg->budget_requests, error) &&
         get_uint (kf, "budget_tokens", 0, G_MAXUINT64, &cfg->budget_tokens, error) &&
         get_guint (kf, "max_retries", 0, 10, &cfg->max_retries, error);
}

MdLlmConfig *
md_llm_config_load (GKeyFile *config, GError **error)
{
  g_autoptr (MdLlmConfig) cfg = NULL;
  g_autofree char *model = NULL;

  if (!config || !g_key_file_has_group (config, GROUP))
    return NULL;
  model = get_string (config, "model");
  if (!model) {
    g_set_error (error, MD_ERROR, MD_ERROR_CONFIG,
                 "[" GROUP "] model: the key is missing (the name the server "
                 "knows the model by)");
    return NULL;
  }
  cfg = md_llm_config_new (NULL, model);
  if (!get_url (config, cfg, error) || !load_numbers (config, cfg, error) ||
      !get_key (config, cfg, error))
    return NULL;
  return g_steal_pointer (&cfg);
}
