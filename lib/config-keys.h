/* config-keys.h - every group and key of the configuration file.
 *
 * One table (config-keys.c) names each key the programs read, its type,
 * its default and one line of meaning.  `mldigest-aggregate
 * --check-config` checks a file against it and mldigest.conf(5)
 * documents the same keys (a unit test checks the page names each one).
 * A new key is one line in the table, in its group's block.
 *
 * Groups: [index], [llm], [smtp], and the per-list keys, which are valid
 * in [defaults] and in every [list NAME] (group "list" in the table).
 */
#pragma once
#include <glib.h>

typedef enum {
  MD_CONF_STRING,     /* any text */
  MD_CONF_INT,        /* an integer; ARG "min..max" (either side may be empty) */
  MD_CONF_NUMBER,     /* a decimal number; ARG "min..max" */
  MD_CONF_BOOL,       /* true or false */
  MD_CONF_ENUM,       /* one of ARG, "a|b|c" */
  MD_CONF_LIST,       /* ';'-separated strings */
  MD_CONF_SIZE,       /* bytes, with an optional K, M, G or T suffix (powers of 1024) */
  MD_CONF_URL,        /* a URL whose scheme is one of ARG, "http|https" */
  MD_CONF_PATH,       /* a file that need not exist yet ("~/" is the home) */
  MD_CONF_INDEX_PATH, /* PATH that may hold {list}: its directory must be reachable */
  MD_CONF_DIR,        /* a directory, created when needed: must be reachable */
  MD_CONF_FILE,       /* a file that must exist and be readable */
  MD_CONF_SECRET,     /* FILE holding a secret: readable by its owner only */
  MD_CONF_ENV,        /* the name of an environment variable */
  MD_CONF_ADDRESS,    /* one mail address */
  MD_CONF_ADDRESSES,  /* ';'-separated mail addresses */
  MD_CONF_TEMPLATE,   /* a report template: a name (weekly, update) or a path */
  MD_CONF_LANG,       /* a report language: zh-CN or en */
  MD_CONF_TIMEZONE,   /* a time zone identifier (Europe/Paris, UTC, +08:00) */
  MD_CONF_ARCHIVE_URL, /* an http(s) URL pattern with {message_id} */
  MD_CONF_SUBJECT,    /* the digest's subject: text with {list} and {week} */
  MD_CONF_CATEGORY_RULES, /* LIST of category rules, as the aggregator parses them */
} MdConfType;

typedef struct {
  const char *group;  /* "index", "llm", "smtp", or "list" */
  const char *key;
  MdConfType type;
  const char *def;    /* the default, as mldigest.conf(5) states it; NULL: none */
  const char *arg;    /* ENUM choices, INT/NUMBER range, URL schemes; else NULL */
  const char *doc;    /* one line */
} MdConfKey;

/* The table, ended by an entry whose key is NULL. */
extern const MdConfKey md_config_keys[];

/* TRUE for a key that must be set when its group is there ([llm] url). */
gboolean md_config_key_required (const MdConfKey *k);

/* The table's name for the group GROUP of a file: "defaults" and
 * "list NAME" are "list"; NULL for an unknown group. */
const char *md_config_group_kind (const char *group);

/* The entry of KEY in group kind KIND (as md_config_group_kind()
 * returns), NULL when there is none. */
const MdConfKey *md_config_key_find (const char *kind, const char *key);

/* The known key of KIND closest to KEY (edit distance, at most a third
 * of its length, at least 2), or NULL.  Static string. */
const char *md_config_key_nearest (const char *kind, const char *key);
/* The same for a group name: "index", "defaults", "list NAME"... */
const char *md_config_group_nearest (const char *group);

/* Levenshtein distance of A and B, bytes. */
guint md_edit_distance (const char *a, const char *b);

/* "3584M" -> bytes.  FALSE on anything but digits and one suffix. */
gboolean md_config_parse_size (const char *text, guint64 *bytes);

/* An integer or number range "min..max" check; FALSE with a message in
 * *WHY (newly allocated) when V is outside. */
gboolean md_config_in_range (const char *range, double v, char **why);
