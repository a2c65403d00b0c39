/* Unit tests: lib/config.c and lib/error.c */
#include <sysexits.h>
#include <glib/gstdio.h>
#include "config.h"
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/config/fallback", test_fallback);
  g_test_add_func ("/config/bad-file", test_bad_file_names_line);
  g_test_add_func ("/config/env-missing", test_env_missing);
  g_test_add_func ("/error/exit-codes", test_exit_codes);
  return g_test_run ();
}
