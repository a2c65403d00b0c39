#include "crash.h"
#include <glib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

void
md_crash_point (const char *name)
{
  const char *at = g_getenv ("MLDIGEST_CRASH_AT");

  if (at && strcmp (at, name) == 0)
    kill (getpid (), SIGKILL);
}
