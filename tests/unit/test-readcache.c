/* Unit tests: lib/readcache.c, over a file in memory whose reader counts
 * its calls. */
#include <errno.h>
#include <string.h>
#include <glib.h>
#include "readcache.h"

#define FD 7
#define FILE_SIZE (128 * 1024 + 100)   /* 512 granules and a short one */

static unsigned char file[FILE_SIZE];
static guint calls;
static gboolean failing;

static ssize_t
fake_pread (int fd, void *buf, size_t n, off_t off)
{
  calls++;
  if (failing)
    {
      errno = EIO;
      return -1;
    }
  if (fd != FD || off >= FILE_SIZE)
    return 0;
  size_t got = MIN (n, (size_t) (FILE_SIZE - off));
  memcpy (buf, file + off, got);
  return got;
}

static void
setup (void)
{
  for (guint i = 0; i < FILE_SIZE; i++)
    file[i] = (unsigned char) (i * 7 + 3);
  calls = 0;
  failing = FALSE;
}

/* Read [OFF, OFF + N) through the cache and check it against the file. */
static void
check_read (int fd, off_t off, size_t n, ssize_t want)
{
  unsigned char buf[4096];
  memset (buf, 0xee, sizeof buf);
  ssize_t got = md_read_cache_pread (fd, buf, n, off, fake_pread);
  g_assert_cmpint (got, ==, want);
  if (want > 0)
    g_assert_cmpmem (buf, want, file + off, want);
}

static void
test_repeats_cost_nothing (void)
{
  setup ();
  md_read_cache_begin (FD);
  check_read (FD, 100, 24, 24);
  g_assert_cmpuint (calls, ==, 1);
  check_read (FD, 100, 24, 24);
  check_read (FD, 124, 4, 4);       /* the same granule */
  check_read (FD, 0, 4, 4);
  g_assert_cmpuint (calls, ==, 1);
  check_read (FD, 300, 4, 4);       /* the next granule */
  g_assert_cmpuint (calls, ==, 2);
  md_read_cache_end ();
}

static void
test_across_granules (void)
{
  setup ();
  md_read_cache_begin (FD);
  check_read (FD, 250, 24, 24);     /* 250..273 spans granules 0 and 1: one read */
  g_assert_cmpuint (calls, ==, 1);
  check_read (FD, 0, 256, 256);
  check_read (FD, 256, 256, 256);
  g_assert_cmpuint (calls, ==, 1);
  check_read (FD, 500, 24, 24);     /* granule 2 is new, 1 is known */
  g_assert_cmpuint (calls, ==, 2);
  md_read_cache_end ();
}

static void
test_end_of_file (void)
{
  setup ();
  md_read_cache_begin (FD);
  check_read (FD, FILE_SIZE - 10, 10, 10);
  guint before = calls;
  check_read (FD, FILE_SIZE - 10, 10, 10);
  g_assert_cmpuint (calls, ==, before);
  /* past the end: as short as pread() itself says, never made up */
  check_read (FD, FILE_SIZE - 4, 8, 4);
  check_read (FD, FILE_SIZE + 100, 4, 0);
  md_read_cache_end ();
}

static void
test_passes_through (void)
{
  setup ();
  md_read_cache_begin (FD);
  check_read (FD, 0, 1000, 1000);   /* larger than a granule */
  check_read (FD, 0, 1000, 1000);
  g_assert_cmpuint (calls, ==, 2);
  check_read (FD + 1, 0, 4, 0);     /* another file */
  g_assert_cmpuint (calls, ==, 3);
  md_read_cache_end ();
  check_read (FD, 0, 4, 4);         /* no window open */
  check_read (FD, 0, 4, 4);
  g_assert_cmpuint (calls, ==, 5);
}

static void
test_failure_is_reported (void)
{
  setup ();
  md_read_cache_begin (FD);
  failing = TRUE;
  unsigned char buf[8];
  errno = 0;
  g_assert_cmpint (md_read_cache_pread (FD, buf, 8, 0, fake_pread), ==, -1);
  g_assert_cmpint (errno, ==, EIO);
  failing = FALSE;
  check_read (FD, 0, 8, 8);         /* nothing was kept of the failure */
  md_read_cache_end ();
}

/* A new window forgets the old one: the file may have changed between. */
static void
test_windows_forget (void)
{
  setup ();
  md_read_cache_begin (FD);
  check_read (FD, 40, 8, 8);
  md_read_cache_end ();
  file[42] ^= 0xff;
  md_read_cache_begin (FD);
  check_read (FD, 40, 8, 8);
  md_read_cache_end ();
  /* and a write to the file inside the window ends it */
  md_read_cache_begin (FD);
  check_read (FD, 40, 8, 8);
  md_read_cache_written (FD);
  file[43] ^= 0xff;
  check_read (FD, 40, 8, 8);
  md_read_cache_end ();
}

/* More granules than the cache keeps: the rest still read correctly,
 * one call each. */
static void
test_full (void)
{
  setup ();
  md_read_cache_begin (FD);
  for (off_t off = 0; off < FILE_SIZE - 16; off += 256)
    check_read (FD, off + 3, 16, 16);
  guint first = calls;
  for (off_t off = 0; off < FILE_SIZE - 16; off += 256)
    check_read (FD, off + 5, 8, 8);
  g_assert_cmpuint (first, ==, (FILE_SIZE - 16 + 255) / 256);
  g_assert_cmpuint (calls - first, <=, first);
  g_assert_cmpuint (calls - first, >, 0);
  md_read_cache_end ();
}

/* Another thread's reads of the same descriptor are not served. */
static gpointer
read_elsewhere (gpointer data)
{
  guint before = calls;
  check_read (FD, 100, 24, 24);
  return GUINT_TO_POINTER (calls - before);
}

static void
test_other_thread (void)
{
  setup ();
  md_read_cache_begin (FD);
  check_read (FD, 100, 24, 24);
  GThread *t = g_thread_new ("reader", read_elsewhere, NULL);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (t)), ==, 1);
  md_read_cache_end ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/readcache/repeats", test_repeats_cost_nothing);
  g_test_add_func ("/readcache/across-granules", test_across_granules);
  g_test_add_func ("/readcache/end-of-file", test_end_of_file);
  g_test_add_func ("/readcache/passes-through", test_passes_through);
  g_test_add_func ("/readcache/failure", test_failure_is_reported);
  g_test_add_func ("/readcache/windows-forget", test_windows_forget);
  g_test_add_func ("/readcache/full", test_full);
  g_test_add_func ("/readcache/other-thread", test_other_thread);
  return g_test_run ();
}
