#!/bin/sh
# [index] max_size: a delivery that would grow the file past it exits 75
# with a message that names retention and per-list files, and writes
# nothing; after --expire recording resumes.
. "$(dirname "$0")/lib/tap.sh"
need_cmd tdbtool

IDX=$MLDIGEST_INDEX
export MLDIGEST_CONFIG=$TMP/conf
/usr/bin/python3 - "$TMP/old.mbox" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(400):
        f.write(f"From old@example.org Mon Jun  1 12:00:00 2020\nFrom: Old <old@example.org>\n"
                f"Subject: old {i}\nDate: Mon, 1 Jun 2020 12:00:00 +0000\n"
                f"Message-ID: <old{i}@example.org>\nList-Id: <kvm.vger.kernel.org>\n\n"
                + "old text line\n" * 30 + "\n")
PY
printf '[index]\nkeep_days = 100000\n' >"$MLDIGEST_CONFIG"
"$FILTER" --quiet --mbox "$TMP/old.mbox"
"$AGGREGATE" --expire >/dev/null   # compact, keeping all: the limit is measured from here
size=$(stat -c %s "$IDX")

# --expire writes a file with room and a recovery area already in it
# (the file never grows at a commit, which a crash could leave
# half-done): a short message fits that room, is recorded and the file
# keeps its size.
printf '[index]\nkeep_days = 100000\nmax_size = %s\n' "$((size + 1024 * 1024))" >"$MLDIGEST_CONFIG"
printf 'From: a@example.org\nSubject: s\nDate: %s\nMessage-ID: <short@example.org>\nList-Id: <kvm.vger.kernel.org>\n\nhi\n' \
  "$(date -R)" | "$FILTER" 2>/dev/null
is "$?" 0 'right after --expire a short message fits the room the file was made with'
is "$(stat -c %s "$IDX")" "$size" '... and the file did not grow'

# When the room is used up the file grows by being rewritten with new
# room: past max_size that is refused.
printf '[index]\nkeep_days = 30\nmax_size = %s\n' "$((size + 1024 * 1024))" >"$MLDIGEST_CONFIG"

msg () {
  printf 'From: New <new@example.org>\nSubject: new %s\nDate: %s\n' "$1" "$(date -R)"
  printf 'Message-ID: <new%s@example.org>\nList-Id: <kvm.vger.kernel.org>\n\n' "$1"
  i=0; while [ $i -lt 200 ]; do echo "a line of new text $1 $i"; i=$((i + 1)); done
}
n=0 rc=0
while [ $n -lt 500 ]; do
  msg $n | "$FILTER" 2>"$TMP/err"; rc=$?
  [ $rc = 0 ] || break
  n=$((n + 1))
done
diag "$n messages fitted under max_size $((size + 1024 * 1024)) (from $size bytes)"
is "$rc" 75 'the delivery that would pass max_size exits 75'
ok 'some fitted before' test "$n" -gt 3
ok 'the message names max_size' grep -q 'max_size' "$TMP/err"
ok '... retention' sh -c "grep -q 'keep_days' '$TMP/err' && grep -q -- '--expire' '$TMP/err'"
ok '... and per-list files' grep -q '{list}' "$TMP/err"
diag "file: $(stat -c %s "$IDX") bytes"
ok 'the file did not pass the limit' test "$(stat -c %s "$IDX")" -le "$((size + 1024 * 1024))"
ok 'the refused message is not in the index' sh -c "! '$FILTER' --show new$n@example.org >/dev/null 2>&1"
ok 'the one before it is' sh -c "'$FILTER' --show new$((n - 1))@example.org >/dev/null"
ok 'the file is sound' sh -c "tdbtool '$IDX' check | grep -q 'integrity is OK'"
msg $n | "$FILTER" 2>/dev/null
is "$?" 75 'a retry before any retention is refused again'

"$AGGREGATE" --expire >"$TMP/exp"
ok 'retention removes the 400 old messages' grep -q ': 400 of' "$TMP/exp"
msg $n | "$FILTER"
is "$?" 0 'then the refused message is recorded'
ok '... and is in the index' sh -c "'$FILTER' --show new$n@example.org >/dev/null"

printf '[index]\nmax_size = lots\n' >"$MLDIGEST_CONFIG"
msg x | "$FILTER" 2>"$TMP/err"
is "$?" 75 'a max_size that is not a size: the mail waits (75)'
ok '... and the filter says why' grep -q 'max_size' "$TMP/err"
done_testing
