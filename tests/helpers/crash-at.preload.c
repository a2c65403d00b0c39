/* crash-at - an LD_PRELOAD library that kills its program at a chosen
 * write to a chosen file: every kill point of a commit, one run each.
 *
 *   MD_CRASH_PATH=S     count the calls that change a file whose path
 *                       holds S (pwrite, write, ftruncate, fallocate,
 *                       fsync, fdatasync; rename of such a path)
 *   MD_CRASH_AT=N       SIGKILL the program at the Nth of them, before
 *                       it runs (MD_CRASH_PARTIAL=1: a write of more
 *                       than a page writes its first page, then dies,
 *                       as a kill between two pages of a write does)
 *   MD_CRASH_COUNT=F    append the number of such calls to F at exit
 *
 * Writes through a memory map are not calls: a program under test maps
 * nothing it writes (mldigest-filter's single deliveries do not).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long crash_at = -1, calls;
static int partial;

static void
report (void)
{
  const char *out = getenv ("MD_CRASH_COUNT");
  FILE *f = out != NULL ? fopen (out, "a") : NULL;
  if (f != NULL)
    {
      fprintf (f, "%ld\n", calls);
      fclose (f);
    }
}

__attribute__ ((constructor)) static void
setup (void)
{
  const char *at = getenv ("MD_CRASH_AT");
  const char *p = getenv ("MD_CRASH_PARTIAL");
  crash_at = at != NULL ? atol (at) : -1;
  partial = p != NULL && strcmp (p, "1") == 0;
  atexit (report);
}

static int
watched_path (const char *path)
{
  const char *s = getenv ("MD_CRASH_PATH");
  return s != NULL && *s != '\0' && path != NULL && strstr (path, s) != NULL;
}

static int
watched_fd (int fd)
{
  char link[64], path[4096];
  snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink (link, path, sizeof path - 1);
  if (n < 0)
    return 0;
  path[n] = '\0';
  return watched_path (path);
}

/* Whether this call is the one to die at. */
static int
is_fatal (int watched)
{
  return watched && ++calls == crash_at;
}

static void
die (void)
{
  report ();
  kill (getpid (), SIGKILL);
}

#define REAL(name) static __typeof__ (name) *real; \
  if (real == NULL) real = (__typeof__ (name) *) dlsym (RTLD_NEXT, #name)

ssize_t
pwrite64 (int fd, const void *buf, size_t len, off_t off)
{
  REAL (pwrite64);
  if (is_fatal (watched_fd (fd)))
    {
      if (partial && len > 4096)
        real (fd, buf, 4096, off);
      die ();
    }
  return real (fd, buf, len, off);
}

ssize_t
pwrite (int fd, const void *buf, size_t len, off_t off)
{
  return pwrite64 (fd, buf, len, off);
}

ssize_t
write (int fd, const void *buf, size_t len)
{
  REAL (write);
  if (is_fatal (watched_fd (fd)))
    {
      if (partial && len > 4096)
        real (fd, buf, 4096);
      die ();
    }
  return real (fd, buf, len);
}

int
ftruncate64 (int fd, off_t len)
{
  REAL (ftruncate64);
  if (is_fatal (watched_fd (fd)))
    die ();
  return real (fd, len);
}

int
ftruncate (int fd, off_t len)
{
  return ftruncate64 (fd, len);
}

int
posix_fallocate64 (int fd, off_t off, off_t len)
{
  REAL (posix_fallocate64);
  if (is_fatal (watched_fd (fd)))
    die ();
  return real (fd, off, len);
}

int
posix_fallocate (int fd, off_t off, off_t len)
{
  return posix_fallocate64 (fd, off, len);
}

/* fdatasync() and fsync(): the order of a commit's writes. */
#define SYNC_CALL(name)                         \
  int                                           \
  name (int fd)                                 \
  {                                             \
    REAL (name);                                \
    if (is_fatal (watched_fd (fd)))             \
      die ();                                   \
    return real (fd);                           \
  }
SYNC_CALL (fdatasync)
SYNC_CALL (fsync)

int
rename (const char *from, const char *to)
{
  REAL (rename);
  if (is_fatal (watched_path (from) || watched_path (to)))
    die ();
  return real (from, to);
}
