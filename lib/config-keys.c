/* config-keys.c - the table of every configuration key (see config-keys.h).
 *
 * Keep each group's keys together; mldigest.conf(5) follows the same
 * order.  DEF is documentation (what the code does when the key is
 * absent), written as the man page says it.
 */
#include "config-keys.h"

#include <string.h>

const MdConfKey md_config_keys[] = {
  /* [index]: where messages are recorded (both programs) */
  { "index", "path", MD_CONF_INDEX_PATH, "$XDG_DATA_HOME/mldigest/index.tdb", NULL,
    "the index file; {list} in it gives each list a file of its own" },
  { "index", "keep_days", MD_CONF_INT, NULL, "1..",
    "days of messages kept by mldigest-aggregate --expire; unset: keep everything" },
  { "index", "max_size", MD_CONF_SIZE, "3584M", NULL,
    "the filter refuses (exit 75) a message that would grow the file past this" },

  /* [defaults] and [list NAME]: the digest of a list */
  { "list", "lang", MD_CONF_LANG, "zh-CN", NULL, "report language: zh-CN or en" },
  { "list", "template", MD_CONF_TEMPLATE, "weekly", NULL,
    "report template: weekly, update, or the path of a template file" },
  { "list", "timezone", MD_CONF_TIMEZONE, "UTC", NULL, "time zone of the times in reports" },
  { "list", "archive_url", MD_CONF_ARCHIVE_URL, "https://lore.kernel.org/{list}/{message_id}/", NULL,
    "link of a message: {list} and {message_id} are filled in; empty: no links" },
  { "list", "history_days", MD_CONF_INT, "28", "0..3660",
    "how far back a thread's earlier messages are looked for" },
  { "list", "large_thread", MD_CONF_INT, "20", "1..",
    "messages in a week that make a thread large" },
  { "list", "attention_days", MD_CONF_INT, "7", "0..3660",
    "a series unanswered this many days before the window's end needs attention" },
  { "list", "attention_max", MD_CONF_INT, "10", "0..",
    "at most this many entries in the report's \"needs attention\" list" },
  { "list", "subject_merge_hours", MD_CONF_INT, "48", "0..",
    "threads with the same subject this close are one thread" },
  { "list", "series_join_hours", MD_CONF_INT, "48", "0..",
    "patches this close to a cover letter join its series" },
  { "list", "series_sibling_minutes", MD_CONF_INT, "60", "0..",
    "patches of one series sent this close without a cover letter are one series" },
  { "list", "bots", MD_CONF_LIST,
    "lkp@intel.com;pr-tracker-bot@kernel.org;patchwork-bot*@kernel.org;syzbot*;*-bot@*;*+bot@*;noreply@*;no-reply@*",
    NULL, "sender addresses counted as robots, glob patterns, ';'-separated" },
  { "list", "categories", MD_CONF_LIST, "PATCH;RFC;GIT PULL;Selftest;Discussion;Other", NULL,
    "the order of the report's sections, ';'-separated" },
  { "list", "category_rules", MD_CONF_CATEGORY_RULES, NULL, NULL,
    "rules that put a thread into a section (see CATEGORY RULES)" },
  { "list", "to", MD_CONF_ADDRESSES, NULL, NULL, "where the digest is mailed (the list address)" },
  { "list", "cc", MD_CONF_ADDRESSES, NULL, NULL, "Cc of the digest, ';'-separated" },
  { "list", "bcc", MD_CONF_ADDRESSES, NULL, NULL, "Bcc of the digest, ';'-separated" },
  { "list", "subject", MD_CONF_SUBJECT, "[{list}] weekly digest {week}", NULL,
    "subject of the digest mail: {list} and {week} are filled in" },
  { "list", "reply_to", MD_CONF_ADDRESS, NULL, NULL, "Reply-To of the digest mail" },
  { "list", "archive_dir", MD_CONF_DIR, NULL, NULL,
    "each sent digest is also kept there (Markdown and HTML)" },

  /* [llm]: summaries by a model over an OpenAI-compatible API */
  { "llm", "url", MD_CONF_URL, NULL, "http|https",
    "base URL of the API; requests go to {url}/chat/completions" },
  { "llm", "model", MD_CONF_STRING, NULL, NULL, "the model name the server knows" },
  { "llm", "api_key_file", MD_CONF_SECRET, NULL, NULL,
    "file holding the API key (mode 0600 or stricter)" },
  { "llm", "api_key_env", MD_CONF_ENV, NULL, NULL,
    "environment variable holding the API key" },
  { "llm", "concurrency", MD_CONF_INT, "4", "1..256", "requests in flight at most" },
  { "llm", "timeout", MD_CONF_INT, "120", "1..", "seconds per request" },
  { "llm", "max_output_tokens", MD_CONF_INT, "1024", "1..", "tokens a summary may have" },
  { "llm", "temperature", MD_CONF_NUMBER, "0.2", "0..2",
    "sampling temperature: low keeps summaries close to the mail" },
  { "llm", "context_tokens", MD_CONF_INT, "6000", "256..", "input budget per thread, in tokens" },
  { "llm", "budget_requests", MD_CONF_INT, NULL, "0..",
    "requests per run; then the built-in summary (unset: no limit)" },
  { "llm", "budget_tokens", MD_CONF_INT, NULL, "0..",
    "tokens per run; then the built-in summary (unset: no limit)" },
  { "llm", "max_retries", MD_CONF_INT, "4", "0..10",
    "retries of a request after a connection error, a timeout, 429 or 5xx" },

  /* [smtp]: mailing the digest */
  { "smtp", "url", MD_CONF_URL, NULL, "smtp|smtps", "the server: smtp://host:port or smtps://host:port" },
  { "smtp", "starttls", MD_CONF_ENUM, "required", "required|optional|never",
    "STARTTLS on smtp:// URLs" },
  { "smtp", "user", MD_CONF_STRING, NULL, NULL, "user name for AUTH" },
  { "smtp", "password_file", MD_CONF_SECRET, NULL, NULL,
    "file holding the password (mode 0600 or stricter)" },
  { "smtp", "password_env", MD_CONF_ENV, NULL, NULL, "environment variable holding the password" },
  { "smtp", "from", MD_CONF_ADDRESS, NULL, NULL, "the From of the digest mail" },
  { "smtp", "timeout", MD_CONF_INT, "60", "1..", "seconds for the whole SMTP transaction" },
  { "smtp", "outbox", MD_CONF_DIR, "outbox beside the index", NULL,
    "where a digest that could not be sent waits" },
  { "smtp", "ca_file", MD_CONF_FILE, NULL, NULL, "CA certificates for a private CA" },

  { NULL, NULL, 0, NULL, NULL, NULL },
};

/* Keys a group cannot do without, "group key". */
static const char *const required[] = { "llm url", NULL };

gboolean
md_config_key_required (const MdConfKey *k)
{
  g_autofree char *name = g_strdup_printf ("%s %s", k->group, k->key);
  return g_strv_contains (required, name);
}

static const char *const group_names[] = { "index", "defaults", "list NAME", "llm", "smtp", NULL };

const char *
md_config_group_kind (const char *group)
{
  if (strcmp (group, "defaults") == 0)
    return "list";
  if (g_str_has_prefix (group, "list ") && group[5] != '\0' && group[5] != ' ')
    return "list";
  for (const MdConfKey *k = md_config_keys; k->key; k++)
    if (strcmp (k->group, "list") != 0 && strcmp (k->group, group) == 0)
      return k->group;
  return NULL;
}

const MdConfKey *
md_config_key_find (const char *kind, const char *key)
{
  for (const MdConfKey *k = md_config_keys; k->key; k++)
    if (strcmp (k->group, kind) == 0 && strcmp (k->key, key) == 0)
      return k;
  return NULL;
}

guint
md_edit_distance (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    row[j] = j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diag = row[0];
      row[0] = i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint up = row[j];
          guint sub = diag + (a[i - 1] != b[j - 1]);
          row[j] = MIN (sub, MIN (up, row[j - 1]) + 1);
          diag = up;
        }
    }
  return row[lb];
}

/* Close enough to be a typo: a third of the length, but at least 2. */
static gboolean
near (const char *typed, const char *known, guint d)
{
  return d <= MAX (2, strlen (typed) / 3) && d < strlen (known);
}

const char *
md_config_key_nearest (const char *kind, const char *key)
{
  const char *best = NULL;
  guint best_d = G_MAXUINT;

  for (const MdConfKey *k = md_config_keys; k->key; k++)
    {
      guint d;
      if ((kind && strcmp (k->group, kind) != 0)
          || (d = md_edit_distance (key, k->key)) >= best_d)
        continue;
      best_d = d;
      best = k->key;
    }
  return best && near (key, best, best_d) ? best : NULL;
}

const char *
md_config_group_nearest (const char *group)
{
  const char *best = NULL;
  guint best_d = G_MAXUINT;

  for (guint i = 0; group_names[i]; i++)
    {
      guint d = md_edit_distance (group, group_names[i]);
      /* "lists kvm", "List kvm": the word before the name */
      if (g_str_has_prefix (group_names[i], "list ") && strchr (group, ' '))
        {
          g_autofree char *word = g_strndup (group, strchr (group, ' ') - group);
          d = MIN (d, md_edit_distance (word, "list"));
        }
      if (d < best_d)
        {
          best_d = d;
          best = group_names[i];
        }
    }
  return best && near (group, best, best_d) ? best : NULL;
}

gboolean
md_config_parse_size (const char *text, guint64 *bytes)
{
  const char *units = "KMGT", *u;
  char *end = NULL;
  guint64 v;

  if (!g_ascii_isdigit (*text))
    return FALSE;
  v = g_ascii_strtoull (text, &end, 10);
  if (*end != '\0')
    {
      /* one unit letter, then nothing, "B" or "iB" */
      if ((u = strchr (units, g_ascii_toupper (*end))) == NULL
          || (end[1] != '\0' && g_ascii_strcasecmp (end + 1, "B") != 0
              && g_ascii_strcasecmp (end + 1, "iB") != 0))
        return FALSE;
      for (int n = (int) (u - units) + 1; n > 0; n--)
        {
          if (v > G_MAXUINT64 / 1024)
            return FALSE;
          v *= 1024;
        }
    }
  *bytes = v;
  return TRUE;
}

gboolean
md_config_in_range (const char *range, double v, char **why)
{
  g_auto (GStrv) ends = range ? g_strsplit (range, "..", 2) : NULL;

  if (ends == NULL || ends[1] == NULL)
    return TRUE;
  if ((*ends[0] && v < g_ascii_strtod (ends[0], NULL))
      || (*ends[1] && v > g_ascii_strtod (ends[1], NULL)))
    {
      *why = *ends[0] && *ends[1] ? g_strdup_printf ("must be between %s and %s", ends[0], ends[1])
           : *ends[0] ? g_strdup_printf ("must be at least %s", ends[0])
                      : g_strdup_printf ("must be at most %s", ends[1]);
      return FALSE;
    }
  return TRUE;
}
