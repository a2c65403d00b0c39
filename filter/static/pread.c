/* pread.c - the static filter's pread() and pwrite(), through the index
 * read cache (lib/readcache.h).
 *
 * Linked into the static mldigest-filter only, with -Wl,--wrap=pread
 * -Wl,--wrap=pwrite (Makefile): every call of pread() in the program,
 * libtdb.a's included, comes here, and __real_pread is libc's.  Outside
 * a write transaction of the index this is one test and the real call.
 */
#include <unistd.h>
#include "readcache.h"

ssize_t __real_pread (int fd, void *buf, size_t n, off_t off);
ssize_t __real_pwrite (int fd, const void *buf, size_t n, off_t off);
ssize_t __wrap_pread (int fd, void *buf, size_t n, off_t off);
ssize_t __wrap_pwrite (int fd, const void *buf, size_t n, off_t off);

ssize_t
__wrap_pread (int fd, void *buf, size_t n, off_t off)
{
  return md_read_cache_pread (fd, buf, n, off, __real_pread);
}

ssize_t
__wrap_pwrite (int fd, const void *buf, size_t n, off_t off)
{
  md_read_cache_written (fd);
  return __real_pwrite (fd, buf, n, off);
}
