# lib.sh - formatting and bookkeeping for bench/run.sh (sourced).
# Expects W (work dir), TOOLS, FILTER, RAW and TOTAL from run.sh.

# ------------------------------------------------------------ reporting

# Each section's title, and its elapsed time when the next one starts.
section () {
  now=$(date +%s)
  [ -n "${_section_t:-}" ] && printf '(section took %d s; load average now %s)\n' \
    $((now - _section_t)) "$(cut -d' ' -f1-3 /proc/loadavg)"
  _section_t=$now
  printf '\n%s\n' "$1"
  echo "$1" | sed 's/./-/g'
}
skipped () { printf '  skipped: %s: %s\n' "$1" "$2"; }

# A command the benchmark compares against; a clear line when absent.
have () {
  case " ${BENCH_SKIP:-} " in
    *" $1 "*) skipped "$1" "left out (BENCH_SKIP)"; return 1 ;;
  esac
  command -v "$1" > /dev/null 2>&1 && return 0
  skipped "$1" "not installed (contrib/install-deps.sh --bench installs it)"
  return 1
}

have_filter () {
  [ -x "$FILTER" ] && return 0
  skipped "mldigest-filter" "$FILTER not built"
  return 1
}

# quietly NAME CMD...: run a set-up step, silent when it works; when it
# fails, say so in the table (NAME is then left out) and show why.
quietly () {
  _what=$1; shift
  "$@" > "$W/quietly.log" 2>&1 && return 0
  skipped "$_what" "failed (exit $?): $*"
  tail -n 5 "$W/quietly.log" | sed 's/^/    /'
  return 1
}

row_header () {
  printf '%-34s' "$1"; shift
  for c in "$@"; do printf ' %11s' "$c"; done
  echo
}
row () { row_header "$@"; }

label () {
  case $1 in
    mldigest-filter) echo "mldigest-filter (stdin)" ;;
    filter-startup)  echo "  mldigest-filter --help" ;;
    filter-linked)   echo "  mldigest-filter as linked" ;;
    libs-floor)      echo "  floor + the filter's shared objs" ;;
    parse-floor)     echo "  parse floor (GMime, no index)" ;;
    notmuch-insert)  echo "notmuch insert" ;;
    procmail)        echo "procmail to a maildir" ;;
    floor)           echo "fork+exec floor" ;;
    durable-floor)   echo "durable floor (write+fdatasync)" ;;
    tdb-floor)       echo "TDB floor (one synced txn)" ;;
    tdb-floor-defaults) echo "  TDB floor, tdb_open() defaults" ;;
    mldigest-bulk)   echo "mldigest-filter --mbox" ;;
    notmuch-new)     echo "notmuch new" ;;
    mu-index)        echo "mu index" ;;
    *)               echo "$1" ;;
  esac
}

mib ()  { [ -n "${1:-}" ] && awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }' || echo -; }
secs () { awk -v m="$1" 'BEGIN { printf "%.2f", m / 1000 }'; }
rate () { awk -v n="$1" -v m="$2" 'BEGIN { printf "%.0f", (m > 0 ? n / (m / 1000) : 0) }'; }

# ratio LABEL A B [OP GOAL]: A/B, and whether it meets the goal.
ratio () {
  if [ -z "$2" ] || [ -z "$3" ]; then
    printf '%-46s %s\n' "$1" "n/a (not measured)"
    return 0
  fi
  awk -v l="$1" -v a="$2" -v b="$3" -v op="${4:-}" -v g="${5:-}" 'BEGIN {
    r = a / b
    printf "%-46s %6.2fx", l, r
    if (op == ">=") printf "   goal >= %gx: %s", g, (r >= g ? "met" : sprintf("MISSED (%.0f%% of goal)", 100 * r / g))
    if (op == "<=") printf "   goal <= %gx: %s", g, (r <= g ? "met" : sprintf("MISSED (%.0f%% over)", 100 * (r / g - 1)))
    printf "\n" }'
}

goal_below () {
  [ -n "$2" ] || return 0
  awk -v l="$1" -v v="$2" -v g="$3" 'BEGIN {
    printf "%-46s %6.1f ms  goal < %g ms: %s\n", l, v, g, (v < g ? "met" : "MISSED") }'
}

# ------------------------------------------------------------- measures

kib () { du -sk "$1" | cut -f1; }
size_of () { [ -e "$2" ] && echo "$1 $(kib "$2")" >> "$W/sizes"; return 0; }
size () { awk -v n="$1" '$1 == n { v = $2 } END { print v == "" ? "-" : v }' "$W/sizes" 2>/dev/null; }

# shellcheck disable=SC2034 # TIMER is printed by run.sh
# time_commands NAME "CMD ARGS" ...: one line per command on stdout,
# "NAME median_ms mean_ms min_ms cpu_ms" (CPU: user + system, mean).
# hyperfine when present (warm-up, as many runs as fit in a few
# seconds), else our driver, 20 runs each (CPU then a median).
time_commands () {
  if command -v hyperfine > /dev/null 2>&1; then
    TIMER="hyperfine -N, 3 warm-up runs, 5 to 40 timed runs per query"
    : > "$W/hf.args"
    while [ $# -gt 0 ]; do printf '%s\n%s\n' "$1" "$2" >> "$W/hf.args"; shift 2; done
    hyperfine_run < "$W/hf.args" > /dev/null
    cp "$W/hf.csv" "$RAW/aggregate-hyperfine.csv"
    awk -F, 'NR > 1 { printf "%s %.2f %.2f %.2f %.2f\n", $1, $4 * 1000, $2 * 1000,
      $7 * 1000, ($5 + $6) * 1000 }' "$W/hf.csv"
  else
    TIMER="bench/drive, 20 runs per query (hyperfine not installed)"
    while [ $# -gt 0 ]; do
      # shellcheck disable=SC2086
      "$TOOLS/drive" -n 20 -o "$RAW" -- "$1" $2 | awk '{ print $1, $4, $6, "-", $9 }'
      shift 2
    done
  fi
}

# Reads "name\ncommand\n" pairs; one hyperfine invocation for them all.
hyperfine_run () {
  set --
  while read -r name && read -r cmd; do set -- "$@" -n "$name" "$cmd"; done
  hyperfine -N --warmup 3 --min-runs 5 --max-runs 40 --style basic \
    --export-csv "$W/hf.csv" "$@"
}

# How many messages the aggregator found in the window (a sanity figure:
# a fast empty answer is no answer).
window_messages () {
  "$@" --format json > "$W/window.json" 2> /dev/null || { echo "error"; return 0; }
  if command -v python3 > /dev/null 2>&1; then
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["messages"])' \
      "$W/window.json" 2> /dev/null || echo "?"
  else
    echo "?"
  fi
}

# ------------------------------------------------------ header and raw

# The shared objects a program maps at start-up (ldd counts the loader
# and the vDSO too, as the kernel maps them for every program).
shared_objects () {
  ldd "$1" 2>&1 | awk '/not a dynamic|statically linked/ { s = 1 } END {
    print s ? "0 (statically linked)" : NR }'
}

header () {
  echo "mldigest benchmarks  $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "host: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
    "Linux $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "mldigest: $(git -C "$TOP" describe --always --dirty 2> /dev/null || echo unknown)" \
    "$( [ -x "$FILTER" ] && echo "(mldigest-filter maps $(shared_objects "$FILTER") shared objects)")"
  printf 'against:'
  command -v notmuch > /dev/null 2>&1 && printf ' %s,' "$(notmuch --version)"
  command -v mu > /dev/null 2>&1 && printf ' mu %s,' "$(mu --version | sed -n '1s/.*version //p')"
  command -v procmail > /dev/null 2>&1 && printf ' procmail %s,' "$(procmail -v 2>&1 | sed -n '1s/procmail \(v[^ ]*\).*/\1/p')"
  command -v hyperfine > /dev/null 2>&1 && printf ' %s' "$(hyperfine --version)"
  echo
  echo "corpus: $TOTAL messages, $(kib "$W/archive.mbox") KiB mboxrd, extracted to $W"
}

raw_dump () {
  section "Raw figures"
  echo "# drive: name runs failed median_ms p90_ms mean_ms per_s maxrss_max_kib cpu_median_ms maxrss_median_kib minflt_median"
  cat "$W/pm.txt" "$W/bulk.txt" 2> /dev/null || :
  [ -s "$W/agg-rss.txt" ] && cat "$W/agg-rss.txt"
  if [ -s "$W/agg.txt" ]; then
    echo "# aggregate: name median_ms mean_ms min_ms cpu_ms"
    cat "$W/agg.txt"
  fi
  echo "# store sizes: name KiB (du -sk)"
  cat "$W/sizes" 2> /dev/null || :
  echo "# per-process samples: $RAW/NAME.tsv (seq wall_ms cpu_ms maxrss_kib minflt status)"
}
