/* floor.c - the least any per-message delivery program can cost.
 *
 *   floor                  read the message on stdin to EOF, exit 0
 *   floor --durable DIR    the same, then write it to a new file in DIR
 *                          and fdatasync it before exiting
 *
 * The first is the fork+exec floor: process start-up with only libc,
 * reading the message, exit.  The second is the durable floor: the cost
 * of a program that keeps its promise that exit 0 means "on disk".  A
 * real filter cannot beat the second; how far above it lands is what
 * the benchmark asks.  Exit 75 (EX_TEMPFAIL) on any failure, as an MDA.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EX_TEMPFAIL 75

/* Read all of FD; the buffer grows by doubling so a large message costs
 * a few reallocs, not one per chunk. */
static char *
slurp (int fd, size_t *len)
{
  size_t cap = 65536, n = 0;
  char *buf = malloc (cap);
  ssize_t r;
  while (buf && (r = read (fd, buf + n, cap - n)) != 0) {
    if (r < 0)
      return free (buf), NULL;
    n += (size_t) r;
    if (n == cap) {
      char *bigger = realloc (buf, cap *= 2);
      if (!bigger)
        free (buf);
      buf = bigger;
    }
  }
  *len = n;
  return buf;
}

/* A maildir-style unique name: time, pid, host are enough for one
 * writer per process. */
static int
store (const char *dir, const char *buf, size_t len)
{
  char path[4096], host[256] = "localhost";
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  gethostname (host, sizeof host - 1);
  snprintf (path, sizeof path, "%s/%lld.M%ldP%d.%s", dir, (long long) ts.tv_sec,
            ts.tv_nsec / 1000, (int) getpid (), host);
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return -1;
  for (size_t off = 0; off < len;) {
    ssize_t w = write (fd, buf + off, len - off);
    if (w < 0)
      return close (fd), -1;
    off += (size_t) w;
  }
  if (fdatasync (fd) != 0)
    return close (fd), -1;
  return close (fd);
}

int
main (int argc, char **argv)
{
  const char *dir = NULL;
  if (argc == 3 && strcmp (argv[1], "--durable") == 0)
    dir = argv[2];
  else if (argc != 1) {
    fprintf (stderr, "usage: floor [--durable DIR] < message\n");
    return 64;
  }
  size_t len = 0;
  char *buf = slurp (0, &len);
  if (!buf)
    return EX_TEMPFAIL;
  int rc = dir && store (dir, buf, len) != 0 ? EX_TEMPFAIL : 0;
  free (buf);
  return rc;
}
