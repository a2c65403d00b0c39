#!/bin/sh
# Crashes: kill -9 at random moments during CRASH_SINGLE (300) single
# deliveries and CRASH_IMPORT (30) bulk imports of 4,500 archive messages
# (batches of up to 4,000, fewer while the file is small), at least 200
# kills in all by default.  After every kill the index opens and checks
# clean (tdbtool check, no dead space); every message whose filter
# exited 0 is there; every list entry names a recorded message exactly
# once (nothing half-written); delivering again records the rest.
# Then a delivery that fits the index's room, one that must grow it and
# an import that grows it are killed at each of their writes and syncs
# in turn (tests/helpers/crash-at.preload.c), with the same check after
# each kill.
. "$(dirname "$0")/lib/tap.sh"
need_corpus
need_cmd xz
need_cmd tdbtool
. "$TOP/tests/lib/archive.sh"

SINGLE=${CRASH_SINGLE:-300}
IMPORTS=${CRASH_IMPORT:-30}
WANT_KILLS=${CRASH_KILLS:-200}
KILL=$TOP/tests/helpers/kill-at-random.py

# Lists and records agree: each arrival-index and thread-list entry is a
# recorded message, each recorded message is in each exactly once.
consistent () {
  recorded_ids "$1" >"$TMP/c.recorded"
  for kind in a:kvmarm: t:; do
    tdbdump "$1" | sed -n "/^key([0-9]*) = \"$kind/{n;p}" |
      sed 's/^data([0-9]*) = "//; s/"$//; s/\\00/\n/g' | sed '/^$/d' | sort >"$TMP/c.list"
    cmp -s "$TMP/c.recorded" "$TMP/c.list" || { diag "$kind lists differ from the records"; return 1; }
  done
}

# The check after each kill: tdbtool check finds the file sound, with no
# dead space either (index-room.c says why a commit may never extend the
# file).  A kill in the middle of a commit leaves TDB's recovery record,
# which tdbtool's open plays back first: those are counted and printed.
# Before the first import has made its file there is nothing to check.
cat >"$TMP/check.sh" <<CHECK
#!/bin/sh
[ -e "\$1" ] || { echo absent >>'$TMP/absent'; exit 0; }
out=\$(tdbtool "\$1" check 2>&1)
case \$out in *'Database integrity is OK'*) ;; *) echo "\$out"; exit 1 ;; esac
case \$out in *'Dead space'*) echo "\$out"; exit 1 ;; esac
case \$out in *'tdb_transaction_recover: recovered'*) echo x >>'$TMP/recovered' ;; esac
exit 0
CHECK
: >"$TMP/recovered"
: >"$TMP/absent"

# ---- single deliveries ----
CHECK="sh '$TMP/check.sh' '$MLDIGEST_INDEX'"
archive_split $((SINGLE + 5)) "$TMP/msgs"
ls "$TMP/msgs"/* >"$TMP/inputs"
t0=$(date +%s)
/usr/bin/python3 "$KILL" --runs "$SINGLE" --seed 7 --inputs "$TMP/inputs" --stdin \
  --check "$CHECK" --out "$TMP/runs" -- "$FILTER" --list kvmarm 2>"$TMP/kill.err"
is "$?" 0 "the index checked clean after each of $SINGLE kills"
{ grep -v '^#' "$TMP/kill.err" | head -n 5; grep '^#' "$TMP/kill.err"; } >&2
killed=$(grep -c '	killed	' "$TMP/runs")
kills=$killed
diag "single deliveries: $killed killed, $((SINGLE - killed)) ended first, $(($(date +%s) - t0)) s"
ok "most runs were killed ($killed of $SINGLE)" test "$killed" -ge $((SINGLE / 2))
is "$(grep -v '	killed	' "$TMP/runs" | grep -vc '	exit 0	')" 0 \
  'each run that was not killed exited 0'

recorded_ids "$MLDIGEST_INDEX" >"$TMP/recorded"
: >"$TMP/missing"
for f in $(grep '	exit 0	' "$TMP/runs" | cut -f1) $(sed -n 1,5p "$TMP/inputs"); do
  id=$(msgids "$f")
  grep -qxF "$id" "$TMP/recorded" || echo "$id" >>"$TMP/missing"
done
is "$(cat "$TMP/missing")" '' 'every message whose filter exited 0 is recorded'
ok 'lists and records agree after the kills' consistent "$MLDIGEST_INDEX"

# Delivering everything again records the rest, each once.
: >"$TMP/rerun"
while read -r f; do
  "$FILTER" --list kvmarm <"$f" || echo "exit $? for $f" >>"$TMP/rerun"
done <"$TMP/inputs"
is "$(cat "$TMP/rerun")" '' 'a second delivery of every message exits 0'
msgids "$TMP/msgs"/* | sort -u >"$TMP/expected"
recorded_ids "$MLDIGEST_INDEX" >"$TMP/recorded"
ok 'and then every message is recorded' cmp -s "$TMP/expected" "$TMP/recorded"
ok 'exactly once' consistent "$MLDIGEST_INDEX"

# ---- bulk import ----
diag "single deliveries: $(wc -l <"$TMP/recovered") kills left a commit that TDB's recovery rolled back, each checked clean"
: >"$TMP/recovered"
export MLDIGEST_INDEX=$TMP/import.tdb
CHECK="sh '$TMP/check.sh' '$MLDIGEST_INDEX'"
xz -dc "$ARCHIVE" | awk '/^From / { k++ } k <= 4500' >"$TMP/archive.mbox"
t0=$(date +%s)
# Calibrated on whole imports into a scratch index; each killed import
# then starts from what the ones before it left.
/usr/bin/python3 "$KILL" --runs "$IMPORTS" --seed 8 --calibrate 1 \
  --calibrate-cmd "'$FILTER' --index '$TMP/scratch.tdb' --mbox '$TMP/archive.mbox' --list kvmarm -q" \
  --check "$CHECK" --out "$TMP/imports" -- \
  "$FILTER" --mbox "$TMP/archive.mbox" --list kvmarm -q 2>"$TMP/kill.err"
is "$?" 0 "the index checked clean after each of $IMPORTS killed imports"
{ grep -v '^#' "$TMP/kill.err" | head -n 5; grep '^#' "$TMP/kill.err"; } >&2
killed=$(grep -c '	killed	' "$TMP/imports")
kills=$((kills + killed))
diag "imports: $killed killed, $((IMPORTS - killed)) ended first, $(($(date +%s) - t0)) s"
ok "most imports were killed ($killed of $IMPORTS)" test "$killed" -ge $((IMPORTS / 2))
is "$(grep -v '	killed	' "$TMP/imports" | grep -vc '	exit 0	')" 0 \
  'each import that was not killed exited 0'
ok 'lists and records agree after the killed imports' consistent "$MLDIGEST_INDEX"
diag "imports: $(wc -l <"$TMP/recovered") kills left a commit that TDB's recovery rolled back, $(wc -l <"$TMP/absent") came before the file was made; each checked clean"
diag "recorded after the kills: $(recorded_ids "$MLDIGEST_INDEX" | wc -l) messages"

"$FILTER" --mbox "$TMP/archive.mbox" --list kvmarm -q
is "$?" 0 'a last import runs to the end'
msgids_mbox <"$TMP/archive.mbox" | sort -u >"$TMP/expected"
recorded_ids "$MLDIGEST_INDEX" >"$TMP/recorded"
ok 'and then the whole mbox is recorded' cmp -s "$TMP/expected" "$TMP/recorded"
ok 'each message once' consistent "$MLDIGEST_INDEX"
ok 'the index is consistent (tdbtool check)' \
  sh -c "tdbtool '$MLDIGEST_INDEX' check | grep -q 'Database integrity is OK'"
ok "at least $WANT_KILLS kills in all ($kills)" test "$kills" -ge "$WANT_KILLS"

# ---- every kill point of a delivery ----
# Random kills seldom land inside a commit, and one that grows the index
# comes once in hundreds of messages.  So two deliveries are run again
# and again, killed at each write, truncation and sync of the index (or
# of its copy) in turn, and at each write's first page: one that fits
# the index's room and one that must grow it.  The filter linked with
# shared libraries takes the preloaded library that kills it.
SHARED=$BUILD/tests/mldigest-filter-shared
PRELOAD=$BUILD/tests/helpers/crash-at.so
K=$TMP/points
mkdir -p "$K"
: >"$TMP/recovered"
archive_split 1400 "$K/msgs"
# An index whose room the next deliveries use up: the first message that
# grows the file is the growing case, the one before it the fitting one.
"$FILTER" --index "$K/fill.tdb" --list kvmarm <"$K/msgs/00001.eml"
size=$(stat -c %s "$K/fill.tdb")
grow=
for f in "$K"/msgs/*; do
  cp "$K/fill.tdb" "$K/before.tdb"
  "$FILTER" --index "$K/fill.tdb" --list kvmarm <"$f" || break
  [ "$(stat -c %s "$K/fill.tdb")" = "$size" ] || { grow=$f; break; }
  fit=$f; cp "$K/before.tdb" "$K/fit.tdb"
done
ok 'a delivery grew the index (it is copied into a larger file)' test -n "$grow"
cp "$K/before.tdb" "$K/grow.tdb"

# The next 100 messages, as an mbox to import into the fitting index: its
# batches fill the room and one of them grows the file.
for f in $(ls "$K"/msgs/* | grep -A 99 -xF "$grow"); do
  echo 'From import@example.org Thu Jan  1 00:00:00 2020'
  sed 's/^>*From />&/' "$f"
  echo
done >"$K/next.mbox"
msgids "$grow" >"$K/grow.ids"
msgids "$fit" >"$K/fit.ids"
msgids_mbox <"$K/next.mbox" | sort >"$K/import.ids"

# kill_points BASE IDS INPUT ARG...: run the filter with ARGs on INPUT
# over a copy of BASE, killed at each point in turn; after each kill the
# copy checks clean, and running it again records every Message-ID of
# IDS.  Prints the number of kill points.  (An import maps the file: its
# writes through the map are no calls, so it is killed between them, at
# its syncs, growth and rename.)
kill_points () {
  base=$1 ids=$2 input=$3
  shift 3
  : >"$K/count"
  cp "$base" "$K/w.tdb"
  env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
    MD_CRASH_PATH="$K/w.tdb" MD_CRASH_COUNT="$K/count" LD_PRELOAD="$PRELOAD" \
    "$SHARED" --index "$K/w.tdb" --list kvmarm "$@" <"$input"
  n=$(tail -n 1 "$K/count")
  at=1
  while [ "$at" -le "$n" ]; do
    for part in 0 1; do
      cp "$base" "$K/w.tdb"
      env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
        MD_CRASH_PATH="$K/w.tdb" MD_CRASH_AT=$at MD_CRASH_PARTIAL=$part LD_PRELOAD="$PRELOAD" \
        "$SHARED" --index "$K/w.tdb" --list kvmarm "$@" <"$input" 2>/dev/null
      sh "$TMP/check.sh" "$K/w.tdb" >"$K/out" ||
        echo "$input: kill at $at (first page only: $part): $(tr '\n' ' ' <"$K/out")" >>"$K/problems"
      "$FILTER" --index "$K/w.tdb" --list kvmarm "$@" <"$input" &&
        recorded_ids "$K/w.tdb" | comm -13 - "$ids" | grep -q . &&
        echo "$input: kill at $at (first page only: $part): not recorded when run again" >>"$K/problems"
    done
    at=$((at + 1))
  done
  echo "$n"
}
: >"$K/problems"
n_grow=$(kill_points "$K/grow.tdb" "$K/grow.ids" "$grow")
n_fit=$(kill_points "$K/fit.tdb" "$K/fit.ids" "$fit")
n_import=$(kill_points "$K/fit.tdb" "$K/import.ids" /dev/null --mbox "$K/next.mbox" -q)
head -n 5 "$K/problems" >&2
diag "every kill point: $n_grow of a delivery that grows the index, $n_fit of one that fits its room, $n_import of an import of 100 messages that grows it, each killed twice; $(wc -l <"$TMP/recovered") left a commit that TDB's recovery rolled back"
ok 'each kill point was found' test "$n_grow" -gt 0 -a "$n_fit" -gt 0 -a "$n_import" -gt 0
is "$(wc -l <"$K/problems")" 0 'the index checked clean after a kill at each point, and running again recorded everything'

done_testing
