#!/bin/sh
# Crashes: kill -9 at random moments during CRASH_SINGLE (300) single
# deliveries and CRASH_IMPORT (30) bulk imports of 4,500 archive messages
# (batches of up to 4,000, fewer while the file is small), at least 200
# kills in all by default.  After every kill the index opens and checks
# clean (tdbtool check, no dead space); every message whose filter
# exited 0 is there; every list entry names a recorded message exactly
# once (nothing half-written); delivering again records the rest.
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

done_testing
