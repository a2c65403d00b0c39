/* check.c - the configuration checker (see check.h). */
#include "check.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "gmime-cleanup.h"
#include "category.h"
#include "config.h"
#include "config-keys.h"
#include "escape.h"
#include "identity.h"
#include "lang.h"
#include "message.h"
#include "render.h"
#include "template.h"

/* One "key = value" line of the file. */
typedef struct {
  char *group;
  char *key;
  guint line;
} Entry;

typedef struct {
  const char *file;
  GKeyFile *kf;
  GPtrArray *entries;       /* Entry*, in file order */
  GHashTable *group_lines;  /* group -> first line (GUINT_TO_POINTER) */
  GArray *said;             /* Said, sorted by line at the end */
  MdCheckReport *report;
} Ctx;

/* One line of the report, kept to be printed in the file's order. */
typedef struct {
  guint line, seq;
  char *text;
} Said;

static void
entry_free (gpointer p)
{
  Entry *e = p;
  g_free (e->group);
  g_free (e->key);
  g_free (e);
}

static void G_GNUC_PRINTF (5, 6)
say (Ctx *c, gboolean problem, guint line, const char *where, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_autofree char *at = line ? g_strdup_printf ("%s:%u", c->file, line) : g_strdup (c->file);
  Said said = { line, c->said->len,
                g_strdup_printf ("%s: %s%s%s%s\n", at, problem ? "" : "warning: ",
                                 where ? where : "", where ? ": " : "", msg) };
  g_array_append_val (c->said, said);
  if (problem)
    c->report->problems++;
  else
    c->report->warnings++;
}

#define problem(c, line, where, ...) say (c, TRUE, line, where, __VA_ARGS__)
#define warning(c, line, where, ...) say (c, FALSE, line, where, __VA_ARGS__)

/* ---- reading the lines ---- */

/* FALSE for a line GKeyFile would refuse (the caller leaves it out, so
 * that one bad line does not hide the rest of the file). */
static gboolean
scan_line (Ctx *c, char *text, guint line, char **group)
{
  char *s = g_strstrip (text), *eq, *bracket;

  if (*s == '\0' || *s == '#')
    return TRUE;
  if (*s == '[')
    {
      char *end = strchr (s, ']');
      g_free (*group);
      *group = end ? g_strndup (s + 1, end - s - 1) : g_strdup (s + 1);
      if (!g_hash_table_contains (c->group_lines, *group))
        g_hash_table_insert (c->group_lines, g_strdup (*group), GUINT_TO_POINTER (line));
      return TRUE;
    }
  if ((eq = strchr (s, '=')) == NULL || eq == s)
    {
      problem (c, line, NULL, "not a group, a 'key = value' line or a comment: '%s'", s);
      return FALSE;
    }
  *eq = '\0';
  if ((bracket = strchr (s, '[')) != NULL)  /* key[locale] */
    *bracket = '\0';
  Entry *e = g_new0 (Entry, 1);
  e->group = g_strdup (*group ? *group : "");
  e->key = g_strdup (g_strstrip (s));
  e->line = line;
  g_ptr_array_add (c->entries, e);
  return TRUE;
}

/* The text with the lines GKeyFile would refuse made comments. */
static char *
scan_file (Ctx *c, const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *group = NULL;
  GString *clean = g_string_new (NULL);

  for (guint i = 0; lines[i]; i++)
    {
      g_autofree char *copy = g_strdup (lines[i]);
      g_string_append (clean, scan_line (c, copy, i + 1, &group) ? lines[i] : "#");
      g_string_append_c (clean, '\n');
    }
  return g_string_free (clean, FALSE);
}

/* ---- values ---- */

static gboolean
dir_reachable (const char *dir, char **why)
{
  g_autofree char *d = g_strdup (dir);
  struct stat st;

  /* the nearest existing ancestor: the rest is created when needed */
  while (stat (d, &st) != 0)
    {
      char *parent;
      if (errno != ENOENT)
        {
          *why = g_strdup_printf ("'%s': %s", d, g_strerror (errno));
          return FALSE;
        }
      parent = g_path_get_dirname (d);
      g_free (d);
      d = parent;
    }
  if (!S_ISDIR (st.st_mode))
    *why = g_strdup_printf ("'%s' is not a directory", d);
  else if (access (d, W_OK | X_OK) != 0)
    *why = g_strdup_printf ("'%s': %s", d, g_strerror (errno));
  else
    return TRUE;
  return FALSE;
}

/* The directory part of an index path, up to the first {list}. */
static char *
index_dir (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  char *brace = strstr (dir, "{list}");

  if (brace == NULL)
    return g_steal_pointer (&dir);
  *brace = '\0';
  return g_path_get_dirname (*dir ? dir : ".");
}

static void
check_dir (Ctx *c, const Entry *e, const char *where, const char *value, gboolean index)
{
  g_autofree char *path = md_config_expand_path (value, NULL);
  g_autofree char *dir = index ? index_dir (path) : g_strdup (path);
  g_autofree char *why = NULL;

  if (!dir_reachable (dir, &why))
    problem (c, e->line, where, "%s cannot be reached: %s",
             index ? "the index directory" : "the directory", why);
}

static void
check_secret (Ctx *c, const Entry *e, const char *where, const char *value)
{
  g_autofree char *path = md_config_expand_path (value, NULL);
  struct stat st;

  if (stat (path, &st) != 0)
    problem (c, e->line, where, "'%s': %s", path, g_strerror (errno));
  else if (!S_ISREG (st.st_mode))
    problem (c, e->line, where, "'%s' is not a regular file", path);
  else if ((st.st_mode & 077) != 0)
    problem (c, e->line, where, "'%s' can be read by group or others (mode %04o): chmod 600 it",
             path, (unsigned) (st.st_mode & 07777));
  else if (access (path, R_OK) != 0)
    problem (c, e->line, where, "'%s': %s", path, g_strerror (errno));
}

static void
check_file (Ctx *c, const Entry *e, const char *where, const char *value)
{
  g_autofree char *path = md_config_expand_path (value, NULL);

  if (access (path, R_OK) != 0)
    problem (c, e->line, where, "'%s': %s", path, g_strerror (errno));
  else if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    problem (c, e->line, where, "'%s' is not a regular file", path);
}

static void
check_env (Ctx *c, const Entry *e, const char *where, const char *value)
{
  gboolean ok = *value != '\0' && (g_ascii_isalpha (*value) || *value == '_');

  for (const char *p = value; ok && *p; p++)
    ok = g_ascii_isalnum (*p) || *p == '_';
  if (!ok)
    problem (c, e->line, where, "'%s' is not an environment variable name", value);
  else if (g_getenv (value) == NULL)
    warning (c, e->line, where, "the environment variable %s is not set here", value);
}

/* A URL is never printed whole: it may hold a password. */
static void
check_url (Ctx *c, const Entry *e, const char *where, const char *value, const char *schemes)
{
  g_autoptr (GUri) uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);
  g_auto (GStrv) allowed = g_strsplit (schemes, "|", -1);
  g_autofree char *shown = uri ? g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO) : NULL;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    problem (c, e->line, where, "not a URL with a host");
  else if (g_uri_get_userinfo (uri) != NULL)
    problem (c, e->line, where, "the URL holds a user or password: secrets belong in a "
             "0600 file or the environment (*_file, *_env keys)");
  else if (!g_strv_contains ((const char *const *) allowed, g_uri_get_scheme (uri)))
    problem (c, e->line, where, "'%s': the scheme must be %s", shown, schemes);
}

static gboolean
address_ok (const char *text)
{
  g_autoptr (InternetAddressList) list = internet_address_list_parse (NULL, text);

  if (list == NULL || internet_address_list_length (list) != 1 || strpbrk (text, "\r\n"))
    return FALSE;
  InternetAddress *a = internet_address_list_get_address (list, 0);
  return INTERNET_ADDRESS_IS_MAILBOX (a)
    && strchr (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (a)), '@') != NULL;
}

static void
check_addresses (Ctx *c, const Entry *e, const char *where, gboolean many)
{
  g_auto (GStrv) v = g_key_file_get_string_list (c->kf, e->group, e->key, NULL, NULL);
  guint n = 0;

  for (guint i = 0; v && v[i]; i++)
    {
      g_autofree char *a = g_strstrip (g_strdup (v[i]));
      if (*a == '\0')
        continue;
      n++;
      if (!address_ok (a))
        problem (c, e->line, where, "'%s' is not a mail address", a);
    }
  if (n == 0)
    problem (c, e->line, where, "no address");
  else if (n > 1 && !many)
    problem (c, e->line, where, "one address only");
}

static void
check_number (Ctx *c, const Entry *e, const char *where, const MdConfKey *k)
{
  g_autoptr (GError) err = NULL;
  g_autofree char *why = NULL;
  double v = k->type == MD_CONF_INT
    ? (double) g_key_file_get_int64 (c->kf, e->group, e->key, &err)
    : g_key_file_get_double (c->kf, e->group, e->key, &err);

  if (err != NULL)
    {
      g_autofree char *raw = g_key_file_get_value (c->kf, e->group, e->key, NULL);
      problem (c, e->line, where, "'%s' is not %s", raw ? raw : "",
               k->type == MD_CONF_INT ? "an integer" : "a number");
    }
  else if (!md_config_in_range (k->arg, v, &why))
    problem (c, e->line, where, "%s", why);
}

static void
check_enum (Ctx *c, const Entry *e, const char *where, const char *value, const char *choices)
{
  g_auto (GStrv) allowed = g_strsplit (choices, "|", -1);

  if (!g_strv_contains ((const char *const *) allowed, value))
    problem (c, e->line, where, "'%s' is not one of %s", value, choices);
}

/* The list a [list NAME] group is about; NULL for [defaults]. */
static const char *
group_list (const char *group)
{
  return g_str_has_prefix (group, "list ") ? group + 5 : NULL;
}

static void
check_one_template (Ctx *c, const Entry *e, const char *where, const char *path)
{
  g_autofree char *dir = md_template_dir ();
  g_autoptr (GError) err = NULL;

  if (!md_template_check (path, dir, &err))
    problem (c, e->line, where, "%s", err->message);
}

/* A name is looked up as the report would, for the group's language,
 * in the Markdown and the text layout (HTML is made from Markdown). */
static void
check_template (Ctx *c, const Entry *e, const char *where, const char *value)
{
  g_autofree char *lang = md_config_list_string (c->kf, group_list (e->group), "lang", NULL);
  const MdFormat formats[] = { MD_FORMAT_MD, MD_FORMAT_TEXT };
  g_autofree char *last = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autoptr (GError) err = NULL;
      g_autofree char *path = md_render_template_path (value, lang, formats[i], &err);
      if (path == NULL)
        {
          problem (c, e->line, where, "%s", err->message);
          return;
        }
      if (g_strcmp0 (path, last) != 0)
        check_one_template (c, e, where, path);
      g_free (last);
      last = g_steal_pointer (&path);
    }
}

static void
check_rules (Ctx *c, const Entry *e, const char *where)
{
  g_autoptr (GError) err = NULL;
  MdCategoryRules *rules = md_category_rules_load (c->kf, group_list (e->group), &err);

  if (rules == NULL)
    problem (c, e->line, where, "%s", err->message);
  md_category_rules_free (rules);
}

static void
check_subject (Ctx *c, const Entry *e, const char *where, const char *value)
{
  g_autoptr (GError) err = NULL;
  g_autofree char *subject = md_identity_subject (value, "en", "list", "2021-W01", &err);

  if (subject == NULL)
    problem (c, e->line, where, "%s", g_str_has_prefix (err->message, "subject: ")
                                      ? err->message + strlen ("subject: ") : err->message);
}

static void
check_string_value (Ctx *c, const Entry *e, const char *where, const MdConfKey *k,
                    const char *v)
{
  guint64 size;
  GTimeZone *tz;

  switch (k->type)
    {
    case MD_CONF_ENUM: check_enum (c, e, where, v, k->arg); break;
    case MD_CONF_URL: check_url (c, e, where, v, k->arg); break;
    case MD_CONF_INDEX_PATH: check_dir (c, e, where, v, TRUE); break;
    case MD_CONF_DIR: check_dir (c, e, where, v, FALSE); break;
    case MD_CONF_FILE: check_file (c, e, where, v); break;
    case MD_CONF_SECRET: check_secret (c, e, where, v); break;
    case MD_CONF_ENV: check_env (c, e, where, v); break;
    case MD_CONF_TEMPLATE: check_template (c, e, where, v); break;
    case MD_CONF_SIZE:
      if (!md_config_parse_size (v, &size))
        problem (c, e->line, where, "'%s' is not a size (bytes, or a number with K, M, G or T)", v);
      break;
    case MD_CONF_LANG:
      if (md_lang_canonical (v) == NULL)
        problem (c, e->line, where, "'%s' is not a report language (zh-CN or en)", v);
      break;
    case MD_CONF_TIMEZONE:
      if ((tz = g_time_zone_new_identifier (v)) == NULL)
        problem (c, e->line, where, "unknown time zone '%s'", v);
      g_clear_pointer (&tz, g_time_zone_unref);
      break;
    case MD_CONF_SUBJECT:
      check_subject (c, e, where, v);
      break;
    case MD_CONF_ARCHIVE_URL:
      if (!md_archive_pattern_valid (v))
        problem (c, e->line, where, "'%s' is not an http(s) URL with {message_id}", v);
      break;
    default:
      break;
    }
}

static void
check_value (Ctx *c, const Entry *e, const char *where, const MdConfKey *k)
{
  g_autoptr (GError) err = NULL;
  g_autofree char *v = g_key_file_get_string (c->kf, e->group, e->key, &err);

  if (v == NULL)
    {
      problem (c, e->line, where, "%s", err ? err->message : "no value");
      return;
    }
  g_strstrip (v);
  switch (k->type)
    {
    case MD_CONF_INT:
    case MD_CONF_NUMBER: check_number (c, e, where, k); break;
    case MD_CONF_BOOL:
      g_key_file_get_boolean (c->kf, e->group, e->key, &err);
      if (err)
        problem (c, e->line, where, "'%s' is not true or false", v);
      break;
    case MD_CONF_ADDRESS: check_addresses (c, e, where, FALSE); break;
    case MD_CONF_ADDRESSES: check_addresses (c, e, where, TRUE); break;
    case MD_CONF_CATEGORY_RULES: check_rules (c, e, where); break;
    case MD_CONF_STRING:
    case MD_CONF_LIST:
    case MD_CONF_PATH: break;
    default:
      if (*v == '\0' && k->type != MD_CONF_ARCHIVE_URL)
        problem (c, e->line, where, "empty value");
      else
        check_string_value (c, e, where, k, v);
    }
}

/* ---- keys and groups ---- */

/* "did you mean 'model'?", or where the key belongs, or nothing. */
static char *
hint (const char *kind, const char *key)
{
  const char *near = kind ? md_config_key_nearest (kind, key) : NULL;

  if (near)
    return g_strdup_printf (" (did you mean '%s'?)", near);
  for (const MdConfKey *k = md_config_keys; k->key; k++)
    if (strcmp (k->key, key) == 0)
      return g_strdup_printf (" (%s is a key of %s)", key,
                              strcmp (k->group, "list") == 0 ? "[defaults] and [list NAME]"
                                                             : k->group);
  return g_strdup ("");
}

static void
check_entry (Ctx *c, const Entry *e, GHashTable *seen)
{
  const char *kind = md_config_group_kind (e->group);
  g_autofree char *where = g_strdup_printf ("[%s] %s", e->group, e->key);
  g_autofree char *twice = g_strdup_printf ("%s\n%s", e->group, e->key);
  const MdConfKey *k;

  if (*e->group == '\0')
    {
      problem (c, e->line, e->key, "a key before the first [group]");
      return;
    }
  if (kind == NULL)
    return;  /* the group is reported once */
  if (g_hash_table_contains (seen, twice))
    problem (c, e->line, where, "set again (line %u): the last one counts",
             GPOINTER_TO_UINT (g_hash_table_lookup (seen, twice)));
  else
    g_hash_table_insert (seen, g_steal_pointer (&twice), GUINT_TO_POINTER (e->line));
  if ((k = md_config_key_find (kind, e->key)) == NULL)
    {
      g_autofree char *h = hint (kind, e->key);
      problem (c, e->line, where, "unknown key%s", h);
      return;
    }
  check_value (c, e, where, k);
}

/* Lists are looked up by their short name ("kvmarm"): a group named by a
 * whole List-Id would never be read. */
static void
check_list_name (Ctx *c, const char *group, guint line)
{
  const char *name = group_list (group);
  g_autofree char *short_name = name ? md_list_short_name (name) : NULL;
  g_autofree char *where = NULL;

  if (name == NULL || g_strcmp0 (short_name, name) == 0)
    return;
  where = g_strdup_printf ("[%s]", group);
  problem (c, line, where, "lists are named by their short name: [list %s]",
           short_name ? short_name : "NAME");
}

static void
check_required (Ctx *c, const char *group, guint line)
{
  const char *kind = md_config_group_kind (group);
  g_autofree char *where = g_strdup_printf ("[%s]", group);

  for (const MdConfKey *k = md_config_keys; k->key; k++)
    if (strcmp (k->group, kind) == 0 && md_config_key_required (k)
        && !g_key_file_has_key (c->kf, group, k->key, NULL))
      problem (c, line, where, "no '%s': it is required (%s)", k->key, k->doc);
}

static void
check_groups (Ctx *c)
{
  GHashTableIter it;
  gpointer group, line;

  g_hash_table_iter_init (&it, c->group_lines);
  while (g_hash_table_iter_next (&it, &group, &line))
    if (md_config_group_kind (group) != NULL)
      {
        check_list_name (c, group, GPOINTER_TO_UINT (line));
        check_required (c, group, GPOINTER_TO_UINT (line));
      }
    else
      {
        const char *near = md_config_group_nearest (group);
        g_autofree char *where = g_strdup_printf ("[%s]", (char *) group);
        if (near)
          problem (c, GPOINTER_TO_UINT (line), where, "unknown group (did you mean [%s]?)", near);
        else
          problem (c, GPOINTER_TO_UINT (line), where,
                   "unknown group (known: index, defaults, list NAME, llm, smtp)");
      }
}

/* ---- what no single key names ---- */

/* The index directory is checked even when [index] path is not set. */
static void
check_default_index (Ctx *c, const char *index)
{
  g_autofree char *path = NULL, *dir = NULL, *why = NULL;

  if (index == NULL && g_key_file_has_key (c->kf, "index", "path", NULL))
    return;  /* checked with its key */
  path = md_config_index_path (NULL, index, NULL);
  dir = index_dir (path);
  if (!dir_reachable (dir, &why))
    problem (c, 0, index ? "--index" : "[index] path (default)",
             "the index directory cannot be reached: %s", why);
}

/* Prompt templates (templates/prompts/ in the templates directory, when
 * there is one) are named by no key: each must parse. */
static void
check_prompts (Ctx *c)
{
  g_autofree char *tdir = md_template_dir ();
  g_autofree char *dir = g_build_filename (tdir, "prompts", NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr (GError) err = NULL;
      if (g_str_has_suffix (name, ".tmpl") && !md_template_check (path, dir, &err))
        problem (c, 0, "prompt template", "%s", err->message);
    }
}

static gint
cmp_said (gconstpointer a, gconstpointer b)
{
  const Said *x = a, *y = b;
  return x->line != y->line ? (x->line < y->line ? -1 : 1)
                            : (x->seq < y->seq ? -1 : x->seq > y->seq);
}

static void
flush_said (Ctx *c)
{
  g_array_sort (c->said, cmp_said);
  for (guint i = 0; i < c->said->len; i++)
    {
      Said *s = &g_array_index (c->said, Said, i);
      g_string_append (c->report->out, s->text);
      g_free (s->text);
    }
}

static void
check_text (Ctx *c, const char *text, const char *index)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GError) err = NULL;
  g_autofree char *clean = scan_file (c, text);

  if (!g_key_file_load_from_data (c->kf, clean, -1, G_KEY_FILE_NONE, &err))
    {
      problem (c, 0, NULL, "%s", err->message);
      return;
    }
  check_groups (c);
  for (guint i = 0; i < c->entries->len; i++)
    check_entry (c, c->entries->pdata[i], seen);
  check_default_index (c, index);
  check_prompts (c);
}

void
md_check_config (const char *path, const char *index, MdCheckReport *report)
{
  g_autofree char *file = path ? g_strdup (path) : md_config_default_path (), *text = NULL;
  g_autoptr (GError) err = NULL;
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func (entry_free);
  g_autoptr (GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GArray) said = g_array_new (FALSE, FALSE, sizeof (Said));
  Ctx c = { file ? file : "(no configuration file)", kf, entries, groups, said, report };

  g_mime_init ();
  if (file != NULL && !g_file_get_contents (file, &text, NULL, &err))
    problem (&c, 0, NULL, "%s", err->message);
  else if (file == NULL)
    {
      g_string_append (report->out, "no configuration file ($MLDIGEST_CONFIG, "
                       "$XDG_CONFIG_HOME/mldigest/config, /etc/mldigest.conf): "
                       "the defaults apply\n");
      check_default_index (&c, index);
      check_prompts (&c);
    }
  else
    check_text (&c, text, index);
  flush_said (&c);
}
