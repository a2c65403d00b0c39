/* tdb-hold - hold one of a TDB file's locks, as another process might,
 * for the lock tests (t0260).
 *
 *   tdb-hold FILE MODE MS
 *
 * MODE: transaction (the transaction lock a writer takes first),
 * lockall (every chain, for writing), readall (every chain, for
 * reading, as a long traverse does), chain:KEY (KEY's chain, for
 * reading).  Prints "held" once the lock is taken, keeps it for MS
 * milliseconds (or until standard input closes, with MS 0), lets go and
 * exits 0.  Any failure exits 1 with a message.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <tdb.h>

static int
take (struct tdb_context *tdb, const char *mode)
{
  if (strcmp (mode, "transaction") == 0)
    return tdb_transaction_start (tdb);
  if (strcmp (mode, "lockall") == 0)
    return tdb_lockall (tdb);
  if (strcmp (mode, "readall") == 0)
    return tdb_lockall_read (tdb);
  if (strncmp (mode, "chain:", 6) == 0)
    {
      TDB_DATA key = { (unsigned char *) mode + 6, strlen (mode + 6) };
      return tdb_chainlock_read (tdb, key);
    }
  fprintf (stderr, "tdb-hold: unknown mode '%s'\n", mode);
  exit (1);
}

int
main (int argc, char **argv)
{
  if (argc != 4)
    {
      fprintf (stderr, "usage: tdb-hold FILE transaction|lockall|readall|chain:KEY MS\n");
      return 1;
    }
  struct tdb_context *tdb = tdb_open (argv[1], 0, 0, O_RDWR, 0600);
  if (tdb == NULL)
    {
      perror ("tdb-hold: cannot open");
      return 1;
    }
  if (take (tdb, argv[2]) != 0)
    {
      fprintf (stderr, "tdb-hold: cannot lock: %s\n", tdb_errorstr (tdb));
      return 1;
    }
  printf ("held\n");
  fflush (stdout);
  long ms = atol (argv[3]);
  if (ms > 0)
    {
      struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
      while (nanosleep (&t, &t) != 0)
        ;
    }
  else
    {
      char c;
      while (read (STDIN_FILENO, &c, 1) > 0)
        ;
    }
  /* Closing drops every lock, a transaction included (cancelled). */
  return tdb_close (tdb) == 0 ? 0 : 1;
}
