/* drive.c - run commands one process at a time and measure each process.
 *
 *   drive [-i LIST] [-n RUNS] [-t SECONDS] [-o RAWDIR]
 *         -- NAME CMD [ARG...] [-- NAME CMD [ARG...]] ...
 *
 * With -i, LIST names one message file per line and every command runs
 * once per message, the message on stdin (as an MDA is run).  Without it
 * every command runs RUNS times (default 1) with stdin from /dev/null
 * (bulk imports).  stdout goes to /dev/null, stderr is inherited.
 *
 * Why a driver of our own: the percentiles need each process timed on
 * its own, and GNU time is not installed by default.  Each process is
 * fork+exec'd directly (no shell, the same overhead for every command),
 * reaped with wait4(), and timed from just before fork() to just after
 * wait4() on CLOCK_MONOTONIC; wait4() also gives its peak RSS
 * (ru_maxrss, which covers the children it reaped), CPU time and minor
 * page faults (each one a trip into the kernel; on some virtual machines
 * an expensive one).
 *
 * Several commands are interleaved message by message, and the order
 * rotates, so background load and cache state fall on all of them alike
 * instead of on whichever ran last.
 *
 * Per command it writes RAWDIR/NAME.tsv (seq, wall ms, cpu ms, maxrss KiB,
 * minor faults, exit status) and prints one summary line on stdout:
 *
 *   NAME runs failures median_ms p90_ms mean_ms per_s maxrss_kib cpu_median_ms
 *        maxrss_median_kib minflt_median
 *
 * per_s is runs divided by the summed wall time: the rate one process at
 * a time sustains.  maxrss_kib is the largest peak RSS of any run (one
 * run that grows a file or reads a huge message sets it), the median
 * the typical one.  A run fails when it exits non-zero or is killed (the
 * -t timeout, default 120 s, is an alarm() inherited across exec).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  double wall_ms, cpu_ms;
  long maxrss_kib, minflt;
  int status;
} Sample;

typedef struct {
  const char *name;
  char **argv;
  Sample *samples;
  size_t n;
  FILE *raw;
} Command;

static unsigned timeout_s = 120;

static void
die (const char *what, const char *arg)
{
  fprintf (stderr, "drive: %s %s: %s\n", what, arg ? arg : "", strerror (errno));
  exit (1);
}

static double
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double
tv_ms (struct timeval tv)
{
  return tv.tv_sec * 1e3 + tv.tv_usec / 1e3;
}

/* In the child: stdin from INPUT, stdout to /dev/null, then exec. */
static void
child (const Command *c, const char *input)
{
  int in = open (input, O_RDONLY);
  int out = open ("/dev/null", O_WRONLY);
  if (in < 0 || out < 0 || dup2 (in, 0) < 0 || dup2 (out, 1) < 0) {
    fprintf (stderr, "drive: cannot set up stdin from %s: %s\n", input, strerror (errno));
    _exit (127);
  }
  close (in);
  close (out);
  alarm (timeout_s);
  execvp (c->argv[0], c->argv);
  fprintf (stderr, "drive: cannot run %s: %s\n", c->argv[0], strerror (errno));
  _exit (127);
}

static Sample
run_once (const Command *c, const char *input)
{
  Sample s = { 0 };
  struct rusage ru;
  int status;
  double t0 = now_ms ();
  pid_t pid = fork ();
  if (pid < 0)
    die ("cannot fork for", c->name);
  if (pid == 0)
    child (c, input);
  while (wait4 (pid, &status, 0, &ru) < 0)
    if (errno != EINTR)
      die ("wait4 failed for", c->name);
  s.wall_ms = now_ms () - t0;
  s.cpu_ms = tv_ms (ru.ru_utime) + tv_ms (ru.ru_stime);
  s.maxrss_kib = ru.ru_maxrss;
  s.minflt = ru.ru_minflt;
  s.status = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
  return s;
}

static void
record (Command *c, Sample s, size_t cap)
{
  if (c->n < cap)
    c->samples[c->n++] = s;
  if (c->raw)
    fprintf (c->raw, "%zu\t%.3f\t%.3f\t%ld\t%ld\t%d\n", c->n, s.wall_ms, s.cpu_ms,
             s.maxrss_kib, s.minflt, s.status);
  if (s.status != 0)
    fprintf (stderr, "drive: %s: run %zu exited %d\n", c->name, c->n, s.status);
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Nearest-rank percentile of N sorted values. */
static double
percentile (const double *v, size_t n, double p)
{
  size_t rank = (size_t) (p / 100.0 * (double) n + 0.999999);
  return v[(rank ? rank : 1) - 1];
}

static void
summarise (const Command *c)
{
  size_t n = c->n, fails = 0;
  double *wall = calloc (n + 1, sizeof *wall), *cpu = calloc (n + 1, sizeof *cpu);
  double *rss = calloc (n + 1, sizeof *rss), *flt = calloc (n + 1, sizeof *flt);
  double sum = 0;
  if (!wall || !cpu || !rss || !flt)
    die ("out of memory", NULL);
  for (size_t i = 0; i < n; i++) {
    wall[i] = c->samples[i].wall_ms;
    cpu[i] = c->samples[i].cpu_ms;
    rss[i] = (double) c->samples[i].maxrss_kib;
    flt[i] = (double) c->samples[i].minflt;
    sum += wall[i];
    fails += c->samples[i].status != 0;
  }
  qsort (wall, n, sizeof *wall, cmp_double);
  qsort (cpu, n, sizeof *cpu, cmp_double);
  qsort (rss, n, sizeof *rss, cmp_double);
  qsort (flt, n, sizeof *flt, cmp_double);
  if (n)
    printf ("%s %zu %zu %.3f %.3f %.3f %.1f %.0f %.3f %.0f %.0f\n", c->name, n, fails,
            percentile (wall, n, 50), percentile (wall, n, 90), sum / n,
            sum > 0 ? n / (sum / 1e3) : 0.0, rss[n - 1], percentile (cpu, n, 50),
            percentile (rss, n, 50), percentile (flt, n, 50));
  free (wall);
  free (cpu);
  free (rss);
  free (flt);
}

/* Split "-- NAME CMD ARGS -- NAME CMD ARGS" in place. */
static size_t
parse_commands (int argc, char **argv, Command *cmds)
{
  size_t k = 0;
  for (int i = 0; i < argc; i++) {
    if (strcmp (argv[i], "--") != 0)
      continue;
    argv[i] = NULL;
    if (i + 2 >= argc || strcmp (argv[i + 1], "--") == 0 || strcmp (argv[i + 2], "--") == 0) {
      fprintf (stderr, "drive: each command needs a NAME and a program\n");
      exit (2);
    }
    cmds[k].name = argv[i + 1];
    cmds[k].argv = &argv[i + 2];
    k++;
  }
  return k;
}

static char **
read_list (const char *path, size_t *n)
{
  FILE *f = fopen (path, "r");
  char *line = NULL, **v = NULL;
  size_t cap = 0, vcap = 0;
  ssize_t len;
  if (!f)
    die ("cannot open", path);
  *n = 0;
  while ((len = getline (&line, &cap, f)) > 0) {
    if (line[len - 1] == '\n')
      line[len - 1] = '\0';
    if (*n == vcap) {
      vcap = vcap ? 2 * vcap : 1024;
      if (!(v = realloc (v, vcap * sizeof *v)))
        die ("out of memory", NULL);
    }
    if (!(v[(*n)++] = strdup (line)))
      die ("out of memory", NULL);
  }
  free (line);
  fclose (f);
  return v;
}

static void
open_raw (Command *cmds, size_t k, const char *rawdir, size_t cap)
{
  char path[4096];
  for (size_t j = 0; j < k; j++) {
    if (!(cmds[j].samples = calloc (cap, sizeof (Sample))))
      die ("out of memory", NULL);
    if (!rawdir)
      continue;
    snprintf (path, sizeof path, "%s/%s.tsv", rawdir, cmds[j].name);
    if (!(cmds[j].raw = fopen (path, "w")))
      die ("cannot create", path);
  }
}

static void
usage (void)
{
  fprintf (stderr, "usage: drive [-i LIST] [-n RUNS] [-t SECONDS] [-o RAWDIR]"
                   " -- NAME CMD [ARG...] [-- NAME CMD [ARG...]]...\n");
  exit (2);
}

int
main (int argc, char **argv)
{
  const char *list = NULL, *rawdir = NULL;
  size_t runs = 1, nin = 0;
  int opt;
  while ((opt = getopt (argc, argv, "+i:n:t:o:")) != -1) {
    switch (opt) {
    case 'i': list = optarg; break;
    case 'n': runs = strtoul (optarg, NULL, 10); break;
    case 't': timeout_s = (unsigned) strtoul (optarg, NULL, 10); break;
    case 'o': rawdir = optarg; break;
    default: usage ();
    }
  }
  /* getopt() consumes the first "--"; step back onto it. */
  int start = optind < argc && strcmp (argv[optind], "--") == 0 ? optind : optind - 1;
  Command *cmds = calloc ((size_t) argc, sizeof *cmds);
  size_t k = 0;
  if (cmds && start > 0 && strcmp (argv[start], "--") == 0)
    k = parse_commands (argc - start, argv + start, cmds);
  if (k == 0 || runs == 0)
    usage ();
  char **inputs = list ? read_list (list, &nin) : NULL;
  size_t total = list ? nin : runs;
  open_raw (cmds, k, rawdir, total);
  for (size_t i = 0; i < total; i++)
    for (size_t r = 0; r < k; r++) {
      Command *c = &cmds[(i + r) % k];
      record (c, run_once (c, inputs ? inputs[i] : "/dev/null"), total);
    }
  for (size_t j = 0; j < k; j++) {
    summarise (&cmds[j]);
    if (cmds[j].raw && fclose (cmds[j].raw) != 0)
      die ("cannot write raw samples for", cmds[j].name);
  }
  return fflush (stdout) == 0 ? 0 : 1;
}
