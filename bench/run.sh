#!/bin/sh
# run.sh - mldigest's benchmarks (make bench).  Prints figures; asserts
# nothing: a benchmark is not a test.  bench/README says what each figure
# means.  Everything is measured in this one run, on the same real
# messages: the kvmarm archive, extracted to a temporary directory.
#
#   MLDIGEST_BUILD    where mldigest-filter/-aggregate are (make sets it)
#   MLDIGEST_CORPUS   the corpus (default ../shared/corpus)
#   BENCH_DELIVER     messages delivered one process each (default 1000)
#   BENCH_WEEK        the week to aggregate (default 2020-W07: 226
#   BENCH_MONTH       messages, 2020's busiest; its month 2020-02)
#   BENCH_SKIP        competitors to leave out, e.g. "notmuch mu"
#   BENCH_RT          1: run section 1 under SCHED_FIFO (root, chrt)
#
# The summary goes to stdout and bench/results/latest.txt; the raw
# per-process samples to bench/results/raw/.
set -eu
export LC_ALL=C TZ=UTC

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${MLDIGEST_BUILD:-$TOP/build}
CORPUS=${MLDIGEST_CORPUS:-$TOP/../shared/corpus}
ARCHIVE=$CORPUS/archive/kvmarm-2019-2021.mbox.xz
DELIVER=${BENCH_DELIVER:-1000}
WEEK=${BENCH_WEEK:-2020-W07}
MONTH=${BENCH_MONTH:-2020-02}
LIST=kvmarm
FILTER=$BUILD/mldigest-filter
AGGREGATE=$BUILD/mldigest-aggregate
TOOLS=$BUILD/bench
RESULTS=$TOP/bench/results
RAW=$RESULTS/raw

if [ ! -r "$ARCHIVE" ]; then
  echo "bench: $ARCHIVE not found (set MLDIGEST_CORPUS); nothing measured" >&2
  exit 1
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/mldigest-bench.XXXXXX")
# No user configuration or default index may change what is measured.
export MLDIGEST_CONFIG="$W/no-config" MLDIGEST_INDEX="$W/no-index.tdb"
trap 'rm -rf "$W"' EXIT
trap 'exit 130' INT TERM

. "$TOP/bench/lib.sh"

# ---------------------------------------------------------------- setup

build_tools () {
  mkdir -p "$TOOLS"
  for t in mbox drive floor; do
    ${CC:-cc} -O2 -Wall -Wextra -o "$TOOLS/$t" "$TOP/bench/$t.c"
  done
  build_tdb_floor
  build_tdb_floor_defaults
  # The same floor made to map exactly the shared objects the filter maps
  # (--no-as-needed keeps them though it calls none): what loading them
  # costs before any code of theirs runs, however the filter was linked.
  rm -f "$TOOLS/floor-libs"
  [ -x "$FILTER" ] || return 0
  # shellcheck disable=SC2046 # one path per object, split on purpose
  ${CC:-cc} -O2 -Wall -Wextra -o "$TOOLS/floor-libs" "$TOP/bench/floor.c" \
    -Wl,--no-as-needed $(ldd "$FILTER" 2> /dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 }')
}

# The TDB floor (issue 11): the least possible TDB recorder, so linked
# as statically as this machine allows: libtdb and libc (no dynamic
# loader at all), else libtdb only, else shared; the filter's own
# stand-in supplies the one libreplace function libtdb.a needs.
# TDB_FLOOR_LINK says which link it got.
build_tdb_floor () {
  compat=$BUILD/filter/static/compat.o
  src=$TOP/bench/tdbfloor.c
  out=$TOOLS/tdbfloor
  TDB_FLOOR_LINK="fully static"
  # -lm: compat.o also carries the libm wrappers the filter's libxml2 needs.
  [ -f "$compat" ] && ${CC:-cc} -O2 -Wall -Wextra -static -o "$out" "$src" "$compat" \
    -ltdb -lm 2> /dev/null && return 0
  TDB_FLOOR_LINK="libtdb.a, shared libc"
  [ -f "$compat" ] && ${CC:-cc} -O2 -Wall -Wextra -o "$out" "$src" "$compat" \
    -Wl,-Bstatic -ltdb -Wl,-Bdynamic -lm 2> /dev/null && return 0
  TDB_FLOOR_LINK="libtdb.so"
  ${CC:-cc} -O2 -Wall -Wextra -o "$out" "$src" -ltdb || rm -f "$out"
}

# Every program of section 1 is measured from a copy written with plain
# write()s, as `make install` or a package manager writes a program
# (notmuch and procmail come from packages).  Straight from the linker's
# output a program costs more at every start here: mapping the pages of
# a file the linker wrote cost mldigest-filter (7 MB of code) about
# 0.3 ms more CPU per process, the small floors a few hundredths.  The
# reference row "mldigest-filter as linked" shows it in the same run.
# (The aggregator stays where it is: it finds its templates from there.)
LINKED_FILTER=$FILTER
install_copies () {
  mkdir -p "$W/bin/bench"
  if [ -x "$FILTER" ]; then
    copy_program "$FILTER" "$W/bin/mldigest-filter"
    FILTER=$W/bin/mldigest-filter
  fi
  for p in "$TOOLS"/*; do
    [ -x "$p" ] && copy_program "$p" "$W/bin/bench/${p##*/}"
  done
  TOOLS=$W/bin/bench
}
copy_program () { cat "$1" > "$2" && chmod 755 "$2"; }

# A reference row: the same dozen lines as one would first write them,
# tdb_open() with its defaults (131 buckets, the file mapped), libtdb.so.
build_tdb_floor_defaults () {
  ${CC:-cc} -O2 -Wall -Wextra -DTDBFLOOR_DEFAULTS -o "$TOOLS/tdbfloor-defaults" \
    "$TOP/bench/tdbfloor.c" -ltdb || rm -f "$TOOLS/tdbfloor-defaults"
}

# The archive as a maildir ($W/all, every message), and the split the
# per-message run needs: the last $DELIVER messages in archive order are
# "new mail"; the store already holds every message before them.  New
# mail at the end of the archive is what a live list delivers: replies
# to threads the store has seen.
extract_corpus () {
  xz -dc "$ARCHIVE" > "$W/archive.mbox"
  "$TOOLS/mbox" split "$W/all" < "$W/archive.mbox" > "$W/manifest"
  TOTAL=$(wc -l < "$W/manifest")
  REST=$((TOTAL - DELIVER))
  head -n "$REST" "$W/manifest" > "$W/rest.manifest"
  tail -n "$DELIVER" "$W/manifest" |
    awk -v d="$W/all/cur" '{ printf "%s/%05d:2,\n", d, $1 }' > "$W/deliver.list"
  head -n "$REST" "$W/manifest" |
    awk -v d="$W/all/cur" '{ printf "%s/%05d:2,\n", d, $1 }' > "$W/rest.list"
  "$TOOLS/mbox" pick "$W/archive.mbox" < "$W/rest.manifest" > "$W/rest.mbox"
  awk -v m="$MONTH" 'substr($4, 1, 7) == m' "$W/manifest" > "$W/month.manifest"
  "$TOOLS/mbox" pick "$W/archive.mbox" < "$W/month.manifest" > "$W/month.mbox"
  # The notmuch store of the per-message run: a maildir of the rest.
  mkdir -p "$W/nm-mail/cur" "$W/nm-mail/new" "$W/nm-mail/tmp"
  head -n "$REST" "$W/manifest" |
    awk -v d="$W/all/cur" '{ printf "%s/%05d:2,\n", d, $1 }' |
    xargs ln -t "$W/nm-mail/cur"
}

# A throwaway notmuch config: no hooks, no flag synchronisation, the
# database outside the mail so its size is the index alone.
notmuch_config () {
  mkdir -p "$W/hooks" "$2"
  cat > "$W/$1.conf" <<EOF
[database]
path=$2
mail_root=$3
hook_dir=$W/hooks
[user]
name=Bench
primary_email=bench@example.org
[new]
tags=inbox;unread
ignore=
[maildir]
synchronize_flags=false
EOF
}

procmail_rc () {
  mkdir -p "$W/procmail/cur" "$W/procmail/new" "$W/procmail/tmp"
  cat > "$W/procmail.rc" <<EOF
SHELL=/bin/sh
LOGFILE=/dev/null
DEFAULT=$W/procmail/
:0
$W/procmail/
EOF
}

# ---------------------------------------------------------- per message

# BENCH_RT=1: section 1's processes run under SCHED_FIFO, so that other
# work on a shared machine cannot take their core while they run (wall
# times then vary less; the disk is still shared).  Root only.
rt () {
  [ "${BENCH_RT:-0}" = 1 ] || return 0
  if command -v chrt > /dev/null 2>&1 && chrt -f 10 true 2> /dev/null; then
    echo "chrt -f 10"
  else
    echo "bench: BENCH_RT=1 needs chrt and root; section 1 runs at normal priority" >&2
  fi
}

per_message () {
  section "1. Per message: $DELIVER archive messages, one process each, into a store holding the other $REST"
  set --
  if have_filter &&
     quietly mldigest-filter "$FILTER" --index "$W/pm.tdb" --list "$LIST" --mbox "$W/rest.mbox" --quiet; then
    set -- "$@" -- mldigest-filter "$FILTER" --index "$W/pm.tdb" --list "$LIST"
    if "$FILTER" --help > /dev/null 2>&1; then
      set -- "$@" -- filter-startup "$FILTER" --help
    fi
    # the same index for the linker's output, synced: no first delivery
    # pays for writing back a fresh copy
    if [ "$LINKED_FILTER" != "$FILTER" ] && cp "$W/pm.tdb" "$W/pm-linked.tdb" &&
       sync "$W/pm.tdb" "$W/pm-linked.tdb"; then
      set -- "$@" -- filter-linked "$LINKED_FILTER" --index "$W/pm-linked.tdb" --list "$LIST"
    fi
  fi
  if have notmuch && notmuch_config nm-pm "$W/nm-pm-db" "$W/nm-mail" &&
     quietly notmuch notmuch --config="$W/nm-pm.conf" new --quiet; then
    set -- "$@" -- notmuch-insert notmuch --config="$W/nm-pm.conf" insert
  fi
  if have procmail; then
    procmail_rc
    set -- "$@" -- procmail procmail -m "$W/procmail.rc"
  fi
  mkdir -p "$W/durable"
  set -- "$@" -- floor "$TOOLS/floor" -- durable-floor "$TOOLS/floor" --durable "$W/durable"
  # The TDB floor's store holds the same messages as the filter's index
  # (raw, in transactions of a few thousand), so that both commit into a
  # file that already holds the archive.
  if [ -x "$TOOLS/tdbfloor" ] &&
     quietly tdb-floor xargs "$TOOLS/tdbfloor" "$W/tdbfloor.tdb" < "$W/rest.list"; then
    set -- "$@" -- tdb-floor "$TOOLS/tdbfloor" "$W/tdbfloor.tdb"
  fi
  if [ -x "$TOOLS/tdbfloor-defaults" ] &&
     quietly tdb-floor-defaults xargs "$TOOLS/tdbfloor-defaults" "$W/tdbfloor-defaults.tdb" \
       < "$W/rest.list"; then
    set -- "$@" -- tdb-floor-defaults "$TOOLS/tdbfloor-defaults" "$W/tdbfloor-defaults.tdb"
  fi
  [ -x "$TOOLS/floor-libs" ] && set -- "$@" -- libs-floor "$TOOLS/floor-libs"
  [ -x "$TOOLS/parsefloor" ] && set -- "$@" -- parse-floor "$TOOLS/parsefloor"
  # shellcheck disable=SC2086 # $(rt) is a command prefix, split on purpose
  $(rt) "$TOOLS/drive" -i "$W/deliver.list" -t 60 -o "$RAW" "$@" > "$W/pm.txt"
  size_of mldigest-filter "$W/pm.tdb"
  size_of notmuch-insert "$W/nm-pm-db"
  size_of procmail "$W/procmail"
  size_of durable-floor "$W/durable"
  size_of tdb-floor "$W/tdbfloor.tdb"
  per_message_table
}

per_message_table () {
  row_header "program" "median ms" "p90 ms" "msgs/s" "RSS median" "RSS max" "store KiB" "failed"
  for n in mldigest-filter notmuch-insert procmail floor durable-floor tdb-floor \
           reference filter-startup filter-linked libs-floor parse-floor tdb-floor-defaults; do
    [ "$n" = reference ] && { echo "reference rows, for reading mldigest-filter's:"; continue; }
    grep -q "^$n " "$W/pm.txt" || continue
    # shellcheck disable=SC2046 # the summary line's fields, split on purpose
    set -- $(grep "^$n " "$W/pm.txt")
    row "$(label "$n")" "$4" "$5" "$7" "$(mib "${10}")" "$(mib "$8")" "$(size "$n")" "$3"
  done
  echo
  ratio "notmuch insert / mldigest-filter" "$(med notmuch-insert)" "$(med mldigest-filter)" ">=" 10
  ratio "mldigest-filter / durable floor" "$(med mldigest-filter)" "$(med durable-floor)" "<=" 2
  ratio "mldigest-filter / TDB floor" "$(med mldigest-filter)" "$(med tdb-floor)" "<=" 1.2
  ratio "  (against tdb_open() defaults, reference)" "$(med mldigest-filter)" "$(med tdb-floor-defaults)"
  ratio "  (parse floor + the TDB floor's store) / TDB floor" "$(parse_and_store med)" "$(med tdb-floor)"
  ratio "notmuch insert / durable floor (= ceiling)" "$(med notmuch-insert)" "$(med durable-floor)"
  ratio "procmail / durable floor" "$(med procmail)" "$(med durable-floor)"
  ratio "mldigest-filter / procmail" "$(med mldigest-filter)" "$(med procmail)"
  echo "the same by median CPU time (steadier when the machine is busy):"
  ratio "notmuch insert / mldigest-filter, CPU" "$(cpu notmuch-insert)" "$(cpu mldigest-filter)" ">=" 10
  ratio "mldigest-filter / durable floor, CPU" "$(cpu mldigest-filter)" "$(cpu durable-floor)" "<=" 2
  ratio "mldigest-filter / TDB floor, CPU" "$(cpu mldigest-filter)" "$(cpu tdb-floor)" "<=" 1.2
  ratio "  (against tdb_open() defaults, reference)" "$(cpu mldigest-filter)" "$(cpu tdb-floor-defaults)"
  ratio "  (parse floor + the TDB floor's store) / TDB floor, CPU" "$(parse_and_store cpu)" "$(cpu tdb-floor)"
  [ -n "$(med tdb-floor)" ] && echo "(TDB floor: bench/tdbfloor.c linked $TDB_FLOOR_LINK)"
  [ -n "$(rt 2> /dev/null)" ] && echo "(section 1 ran under SCHED_FIFO: BENCH_RT=1)"
  return 0
}

med () { awk -v n="$1" '$1 == n { print $4 }' "$W/pm.txt"; }
cpu () { awk -v n="$1" '$1 == n { print $9 }' "$W/pm.txt"; }

# What a recorder would take that parses as the filter does and then
# costs only what the TDB floor's one store costs (the TDB floor above
# the fork+exec floor): how near the TDB floor parsing alone allows.
# $1: med or cpu.
parse_and_store () {
  p=$($1 parse-floor) t=$($1 tdb-floor) f=$($1 floor)
  [ -n "$p" ] && [ -n "$t" ] && [ -n "$f" ] || return 0
  awk -v p="$p" -v t="$t" -v f="$f" 'BEGIN { printf "%.3f", p + t - f }'
}

# ----------------------------------------------------------------- bulk

bulk () {
  section "2. Bulk: the whole archive ($TOTAL messages) from an empty store, one process"
  : > "$W/bulk.txt"
  if have_filter; then
    "$TOOLS/drive" -t 900 -o "$RAW" -- mldigest-bulk "$FILTER" --index "$W/all.tdb" \
      --list "$LIST" --mbox "$W/archive.mbox" --quiet >> "$W/bulk.txt"
    size_of mldigest-bulk "$W/all.tdb"
  fi
  if have notmuch; then
    notmuch_config nm-bulk "$W/nm-bulk-db" "$W/all"
    "$TOOLS/drive" -t 900 -o "$RAW" -- notmuch-new notmuch --config="$W/nm-bulk.conf" \
      new --quiet >> "$W/bulk.txt"
    size_of notmuch-new "$W/nm-bulk-db"
  fi
  if have mu && quietly mu mu init --quiet --maildir="$W/all" --muhome="$W/mu-home"; then
    "$TOOLS/drive" -t 900 -o "$RAW" -- mu-index mu index --quiet --muhome="$W/mu-home" \
      >> "$W/bulk.txt"
    size_of mu-index "$W/mu-home"
  fi
  bulk_table
}

bulk_table () {
  row_header "program" "seconds" "msgs/s" "peak RSS" "store KiB" "failed"
  for n in mldigest-bulk notmuch-new mu-index; do
    grep -q "^$n " "$W/bulk.txt" || continue
    # shellcheck disable=SC2046 # the summary line's fields, split on purpose
    set -- $(grep "^$n " "$W/bulk.txt")
    row "$(label "$n")" "$(secs "$4")" "$(rate "$TOTAL" "$4")" "$(mib "$8")" "$(size "$n")" "$3"
  done
  echo
  ratio "notmuch new / mldigest-filter --mbox" "$(bulk_ms notmuch-new)" "$(bulk_ms mldigest-bulk)" ">=" 15
  ratio "mu index / mldigest-filter --mbox" "$(bulk_ms mu-index)" "$(bulk_ms mldigest-bulk)" ">=" 5
}

bulk_ms () { awk -v n="$1" '$1 == n { print $4 }' "$W/bulk.txt"; }

# ----------------------------------------------------------- aggregator

aggregate () {
  section "3. Aggregator: $WEEK and the year 2020 to JSON"
  if [ ! -x "$AGGREGATE" ] || [ ! -s "$W/all.tdb" ]; then
    skipped "mldigest-aggregate" "$AGGREGATE not built (or no index from section 2)"
    return 0
  fi
  quietly mldigest-filter "$FILTER" --index "$W/month.tdb" --list "$LIST" \
    --mbox "$W/month.mbox" --quiet || return 0
  MONTH_N=$(wc -l < "$W/month.manifest")
  # --until takes a date as including that day: the year is 01-01..12-31.
  a="$AGGREGATE --list $LIST --format json"
  set -- "week-2y" "$a --index $W/all.tdb --week $WEEK" \
         "week-1m" "$a --index $W/month.tdb --week $WEEK" \
         "year-2y" "$a --index $W/all.tdb --since 2020-01-01 --until 2020-12-31"
  # A query that fails is reported, not timed.
  for q in "$2" "$4" "$6"; do
    # shellcheck disable=SC2086 # $q is a command line
    quietly mldigest-aggregate $q || return 0
  done
  time_commands "$@" > "$W/agg.txt"
  while [ $# -gt 0 ]; do
    # shellcheck disable=SC2086 # $2 is a command line
    "$TOOLS/drive" -- "$1" $2 >> "$W/agg-rss.txt"
    shift 2
  done
  aggregate_table
}

aggregate_table () {
  echo "index: all.tdb = whole archive ($TOTAL messages, $(size mldigest-bulk) KiB);" \
    "month.tdb = $MONTH only ($MONTH_N messages, $(kib "$W/month.tdb") KiB)"
  echo "timing: $TIMER"
  row_header "query" "index" "median ms" "mean ms" "min ms" "CPU ms" "peak RSS" "window msgs"
  agg_row week-2y "$WEEK" all.tdb "--week $WEEK"
  agg_row week-1m "$WEEK" month.tdb "--week $WEEK"
  agg_row year-2y "2020" all.tdb "--since 2020-01-01 --until 2020-12-31"
  echo
  ratio "week on 2-year index / week on 1-month index" "$(agg week-2y 2)" "$(agg week-1m 2)"
  ratio "the same by CPU time" "$(agg week-2y 5)" "$(agg week-1m 5)"
  echo "  (goal: the same cost on both indexes, a ratio near 1x)"
  goal_below "week on the 2-year index" "$(agg week-2y 2)" 100
}

agg () { awk -v n="$1" -v c="$2" '$1 == n { print $c }' "$W/agg.txt"; }

agg_row () {
  rss=$(awk -v n="$1" '$1 == n { print $8 }' "$W/agg-rss.txt")
  index=$W/${3}
  # shellcheck disable=SC2086
  msgs=$(window_messages "$AGGREGATE" --index "$index" --list "$LIST" $4)
  row "$2" "$3" "$(agg "$1" 2)" "$(agg "$1" 3)" "$(agg "$1" 4)" "$(agg "$1" 5)" \
    "$(mib "$rss")" "$msgs"
}

# ---------------------------------------------------------- diagnostics

# Not a competitor: figures for reading section 1 when the filter misses
# a goal.  Section 1's medians split into start-up and the message's own
# work, then single deliveries (into an index holding one month) under
# the dynamic loader's statistics and under strace.
diagnostics () {
  [ -x "$FILTER" ] || return 0
  section "4. Where one mldigest-filter run goes (for reading section 1)"
  echo "shared objects mapped: $(shared_objects "$FILTER")"
  split_medians
  quietly mldigest-filter "$FILTER" --index "$W/diag.tdb" --list "$LIST" \
    --mbox "$W/month.mbox" --quiet || return 0
  loader_statistics "$(sed -n 1p "$W/deliver.list")"
  command -v strace > /dev/null 2>&1 || { skipped strace "not installed"; return 0; }
  sync_calls "$(sed -n 2p "$W/deliver.list")"
  syscall_counts "$(sed -n 3p "$W/deliver.list")"
}

split_medians () {
  grep -q '^filter-startup ' "$W/pm.txt" || return 0
  row_header "median per process" "wall ms" "CPU ms" "page faults"
  for n in mldigest-filter filter-startup parse-floor libs-floor floor durable-floor tdb-floor; do
    awk -v n="$n" -v l="$(label "$n")" '$1 == n {
      printf "%-34s %11.2f %11.2f %11d\n", l, $4, $9, $11 }' "$W/pm.txt"
  done
  awk '{ w[$1] = $4; c[$1] = $9 } END {
    printf "start-up above the fork+exec floor: %.2f ms wall, %.2f ms CPU\n",
      w["filter-startup"] - w["floor"], c["filter-startup"] - c["floor"]
    if ("libs-floor" in w)
      printf "  of which mapping the shared libraries: %.2f ms wall, %.2f ms CPU\n",
        w["libs-floor"] - w["floor"], c["libs-floor"] - c["floor"]
    printf "the message itself (parse, index, synced commit): %.2f ms wall, %.2f ms CPU\n",
      w["mldigest-filter"] - w["filter-startup"], c["mldigest-filter"] - c["filter-startup"]
    if ("parse-floor" in w) {
      printf "  GMime start and parse, the record built (parse floor above fork+exec): %.2f ms wall, %.2f ms CPU\n",
        w["parse-floor"] - w["floor"], c["parse-floor"] - c["floor"]
      printf "  the index (mldigest-filter above the parse floor): %.2f ms wall, %.2f ms CPU\n",
        w["mldigest-filter"] - w["parse-floor"], c["mldigest-filter"] - c["parse-floor"]
      if ("tdb-floor" in w)
        printf "    against the one store of the TDB floor (it above fork+exec): %.2f ms wall, %.2f ms CPU\n",
          w["tdb-floor"] - w["floor"], c["tdb-floor"] - c["floor"]
    }
    if ("tdb-floor" in w)
      printf "mldigest-filter above the TDB floor: %.2f ms wall, %.2f ms CPU\n",
        w["mldigest-filter"] - w["tdb-floor"], c["mldigest-filter"] - c["tdb-floor"] }' "$W/pm.txt"
}

loader_statistics () {
  LD_DEBUG=statistics "$FILTER" --index "$W/diag.tdb" --list "$LIST" < "$1" 2> "$W/ld.txt" || :
  mhz=$(sed -n 's/^cpu MHz[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
  sed -n 's/^[[:space:]]*[0-9]*:[[:space:]]*//p' "$W/ld.txt" |
    awk -v mhz="${mhz:-0}" '/total startup time in dynamic loader/ && !t++ {
      c = $NF == "cycles" ? $(NF - 1) : $NF
      printf "dynamic loader (LD_DEBUG=statistics): %s cycles", c
      if (mhz > 0) printf ", about %.2f ms at %s MHz", c / (mhz * 1000), mhz
      printf "\n" }
      /number of relocations:/ && !r++ { print "relocations: " $NF }'
}

# Every sync of one delivery and the time spent in each (strace -T).
sync_calls () {
  strace -f -T -e trace=fsync,fdatasync,msync,sync_file_range -o "$W/sync.txt" \
    "$FILTER" --index "$W/diag.tdb" --list "$LIST" < "$1" || :
  awk -F'[<>]' '/^[0-9]+ +(fsync|fdatasync|msync|sync_file_range)\(/ {
      split($0, f, "("); sub(/^[0-9]+ +/, "", f[1]); n[f[1]]++; t += $(NF - 1) }
    END { printf "syncs in one delivery:"; for (k in n) printf " %d %s", n[k], k
      printf ", %.2f ms in them (under strace)\n", t * 1000 }' "$W/sync.txt"
}

syscall_counts () {
  strace -f -c -S calls -o "$W/strace.txt" "$FILTER" --index "$W/diag.tdb" --list "$LIST" < "$1" || :
  echo "system calls of one delivery (strace -c, most frequent first):"
  awk 'NR > 2 && !/^-/ && $NF != "total" { printf "  %-18s %s\n", $NF, $4 }' "$W/strace.txt" |
    head -n 12 | paste -d' ' - - -
}

# ----------------------------------------------------------------- main

main () {
  header
  per_message
  bulk
  aggregate
  diagnostics
  raw_dump
  echo
  MLDIGEST_BUILD=$BUILD sh "$TOP/bench/llm.sh"
}

build_tools
install_copies
extract_corpus
rm -rf "$RAW"
mkdir -p "$RAW"
main | tee "$RESULTS/latest.txt"
