/* Unit tests: lib/config.c and lib/error.c */
#include <sysexits.h>
#include <glib/gstdio.h>
#include "config.h"
#include "config-keys.h"
#include "error.h"

static char *
write_tmp (const char *text)
{
  GError *err = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("mldigest-config-XXXXXX", &path, &err);
  g_assert_no_error (err);
  g_assert_true (g_file_set_contents (path, text, -1, &err));
  g_assert_no_error (err);
  close (fd);
  return path;
}

static void
test_fallback (void)
{
  g_autofree char *path = write_tmp ("[defaults]\nlang=en\nlarge=20\n"
                                     "[list kvmarm]\nlang=zh-CN\n");
  g_autoptr (GError) err = NULL;
  g_autofree char *from = NULL;
  g_autoptr (GKeyFile) kf = md_config_load (path, &from, &err);
  g_autofree char *a = NULL, *b = NULL, *c = NULL;

  g_assert_no_error (err);
  g_assert_cmpstr (from, ==, path);
  a = md_config_list_string (kf, "kvmarm", "lang", "x");
  b = md_config_list_string (kf, "kvm", "lang", "x");
  c = md_config_list_string (kf, "kvm", "template", "weekly");
  g_assert_cmpstr (a, ==, "zh-CN");
  g_assert_cmpstr (b, ==, "en");
  g_assert_cmpstr (c, ==, "weekly");
  g_assert_cmpint (md_config_list_int (kf, "kvmarm", "large", 0), ==, 20);
  g_assert_cmpint (md_config_list_int (kf, "kvmarm", "nope", 7), ==, 7);
  g_unlink (path);
}

static void
test_bad_file_names_line (void)
{
  g_autofree char *path = write_tmp ("[defaults]\nthis is not a key\n");
  g_autoptr (GError) err = NULL;
  g_autoptr (GKeyFile) kf = md_config_load (path, NULL, &err);

  g_assert_null (kf);
  g_assert_error (err, MD_ERROR, MD_ERROR_CONFIG);
  g_assert_nonnull (strstr (err->message, path));
  g_assert_cmpint (md_error_exit_code (err), ==, EX_CONFIG);
  g_unlink (path);
}

/* $MLDIGEST_CONFIG naming no file is skipped, like the other places. */
static void
test_env_missing (void)
{
  g_autoptr (GError) err = NULL;
  g_autoptr (GKeyFile) kf = NULL;
  g_autofree char *from = NULL;

  g_setenv ("MLDIGEST_CONFIG", "/nonexistent/mldigest.conf", TRUE);
  g_setenv ("XDG_CONFIG_HOME", "/nonexistent", TRUE);
  kf = md_config_load (NULL, &from, &err);
  g_assert_no_error (err);
  g_assert_nonnull (kf);
  g_assert_true (from == NULL || g_strcmp0 (from, "/etc/mldigest.conf") == 0);
}

static void
test_exit_codes (void)
{
  g_autoptr (GError) data = g_error_new (MD_ERROR, MD_ERROR_DATA, "x");
  g_autoptr (GError) temp = g_error_new (MD_ERROR, MD_ERROR_TEMP, "x");
  g_autoptr (GError) other = g_error_new (G_FILE_ERROR, G_FILE_ERROR_NOSPC, "x");

  g_assert_cmpint (md_error_exit_code (NULL), ==, 0);
  g_assert_cmpint (md_error_exit_code (data), ==, EX_DATAERR);
  g_assert_cmpint (md_error_exit_code (temp), ==, EX_TEMPFAIL);
  g_assert_cmpint (md_error_exit_code (other), ==, EX_TEMPFAIL);
  g_assert_cmpint (md_error_code_from_errno (ENOSPC), ==, MD_ERROR_TEMP);
  g_assert_cmpint (md_error_code_from_errno (EINVAL), ==, MD_ERROR_IO);
}

static void
test_edit_distance (void)
{
  g_assert_cmpuint (md_edit_distance ("", ""), ==, 0);
  g_assert_cmpuint (md_edit_distance ("model", "modle"), ==, 2);
  g_assert_cmpuint (md_edit_distance ("kitten", "sitting"), ==, 3);
  g_assert_cmpuint (md_edit_distance ("abc", ""), ==, 3);
  g_assert_cmpstr (md_config_key_nearest ("llm", "modle"), ==, "model");
  g_assert_cmpstr (md_config_key_nearest ("list", "templte"), ==, "template");
  g_assert_cmpstr (md_config_key_nearest ("smtp", "pasword_file"), ==, "password_file");
  g_assert_null (md_config_key_nearest ("smtp", "zzzzzzzz"));
  g_assert_cmpstr (md_config_group_nearest ("smpt"), ==, "smtp");
  g_assert_cmpstr (md_config_group_nearest ("lists kvm"), ==, "list NAME");
  g_assert_null (md_config_group_nearest ("qqqqqqqqqq"));
}

static void
test_groups_and_keys (void)
{
  g_assert_cmpstr (md_config_group_kind ("defaults"), ==, "list");
  g_assert_cmpstr (md_config_group_kind ("list kvmarm"), ==, "list");
  g_assert_cmpstr (md_config_group_kind ("index"), ==, "index");
  g_assert_null (md_config_group_kind ("list"));
  g_assert_null (md_config_group_kind ("list "));
  g_assert_null (md_config_group_kind ("model"));
  g_assert_nonnull (md_config_key_find ("index", "max_size"));
  g_assert_null (md_config_key_find ("index", "lang"));
  /* every key once */
  for (const MdConfKey *a = md_config_keys; a->key; a++)
    for (const MdConfKey *b = a + 1; b->key; b++)
      g_assert_false (strcmp (a->group, b->group) == 0 && strcmp (a->key, b->key) == 0);
}

static void
test_size (void)
{
  guint64 v = 0;
  g_assert_true (md_config_parse_size ("0", &v) && v == 0);
  g_assert_true (md_config_parse_size ("4096", &v) && v == 4096);
  g_assert_true (md_config_parse_size ("3584M", &v) && v == G_GUINT64_CONSTANT (3584) << 20);
  g_assert_true (md_config_parse_size ("2k", &v) && v == 2048);
  g_assert_true (md_config_parse_size ("1GiB", &v) && v == 1u << 30);
  g_assert_true (md_config_parse_size ("1GB", &v) && v == 1u << 30);
  g_assert_false (md_config_parse_size ("", &v));
  g_assert_false (md_config_parse_size ("-1", &v));
  g_assert_false (md_config_parse_size ("12Q", &v));
  g_assert_false (md_config_parse_size ("1MBB", &v));
  g_assert_false (md_config_parse_size ("99999999999999T", &v));
}

static void
test_expand_path (void)
{
  g_autofree char *home = g_build_filename (g_get_home_dir (), "x", "kvm.tdb", NULL);
  g_autofree char *a = md_config_expand_path ("~/x/{list}.tdb", "kvm");
  g_autofree char *b = md_config_expand_path ("/i/{list}/{list}.tdb", "a/../b");
  g_autofree char *c = md_config_expand_path ("/i/{list}.tdb", NULL);
  g_autofree char *d = md_config_expand_path ("/i/{list}.tdb", "..x");

  g_assert_cmpstr (a, ==, home);
  g_assert_cmpstr (b, ==, "/i/a_.._b/a_.._b.tdb");
  g_assert_cmpstr (c, ==, "/i/{list}.tdb");
  g_assert_cmpstr (d, ==, "/i/_.x.tdb");
}

/* The index path: --index, $MLDIGEST_INDEX, [index] path, the default. */
static void
test_index_path (void)
{
  g_autofree char *path = write_tmp ("[index]\npath = /idx/{list}.tdb\nmax_size = 1M\n");
  g_autoptr (GKeyFile) kf = md_config_load (path, NULL, NULL);
  g_autofree char *a = NULL, *b = NULL, *c = NULL;
  guint64 max = 0;

  g_unsetenv ("MLDIGEST_INDEX");
  a = md_config_index_path (kf, NULL, "kvm");
  b = md_config_index_path (kf, "/o/{list}", "kvm");
  g_setenv ("MLDIGEST_INDEX", "/env.tdb", TRUE);
  c = md_config_index_path (kf, NULL, "kvm");
  g_assert_cmpstr (a, ==, "/idx/kvm.tdb");
  g_assert_cmpstr (b, ==, "/o/kvm");
  g_assert_cmpstr (c, ==, "/env.tdb");
  g_assert_false (md_config_index_per_list (kf, NULL));
  g_assert_true (md_config_index_per_list (kf, "/o/{list}"));
  g_assert_true (md_config_index_max_size (kf, &max, NULL));
  g_assert_cmpuint (max, ==, 1 << 20);
  g_assert_true (md_config_index_max_size (NULL, &max, NULL));
  g_assert_cmpuint (max, ==, MD_CONFIG_DEFAULT_MAX_SIZE);
  g_unsetenv ("MLDIGEST_INDEX");
  g_unlink (path);
}

/* mldigest.conf(5) documents every key of the table in its group. */
static void
test_man_page_has_every_key (void)
{
  g_autofree char *page = g_test_build_filename (G_TEST_DIST, "..", "..", "docs", "mldigest.conf.5", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) err = NULL;

  g_assert_true (g_file_get_contents (page, &text, NULL, &err));
  for (const MdConfKey *k = md_config_keys; k->key; k++)
    {
      g_autofree char *head = strcmp (k->group, "list") == 0
        ? g_strdup (".SS \"[defaults] and [list NAME]\"\n") : g_strdup_printf (".SS [%s]\n", k->group);
      g_autofree char *item = g_strdup_printf ("\n.TP\n.B %s\n", k->key);
      const char *sect = strstr (text, head), *body, *next, *at;
      if (sect == NULL)
        g_error ("mldigest.conf.5 has no section for [%s]", k->group);
      body = sect + strlen (head) - 1;  /* from the newline that ends the heading */
      next = strstr (body, "\n.SS ");
      next = next ? next : strstr (body, "\n.SH ");
      at = strstr (body, item);
      if (at == NULL || (next && at > next))
        g_error ("mldigest.conf.5 does not document [%s] %s", k->group, k->key);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/config/fallback", test_fallback);
  g_test_add_func ("/config/bad-file", test_bad_file_names_line);
  g_test_add_func ("/config/env-missing", test_env_missing);
  g_test_add_func ("/error/exit-codes", test_exit_codes);
  g_test_add_func ("/config/edit-distance", test_edit_distance);
  g_test_add_func ("/config/groups-and-keys", test_groups_and_keys);
  g_test_add_func ("/config/size", test_size);
  g_test_add_func ("/config/expand-path", test_expand_path);
  g_test_add_func ("/config/index-path", test_index_path);
  g_test_add_func ("/config/man-page", test_man_page_has_every_key);
  return g_test_run ();
}
