#!/bin/sh
# The whole kvmarm archive through --mbox: every distinct Message-ID is
# recorded, and importing it a second time changes nothing.
. "$(dirname "$0")/lib/tap.sh"
need_corpus
need_cmd xz
. "$TOP/tests/lib/archive.sh"

xz -dc "$ARCHIVE" | msgids_mbox | sort -u >"$TMP/expected"
total=$(xz -dc "$ARCHIVE" | grep -c '^From ')

xz -dc "$ARCHIVE" | "$FILTER" --mbox - --list kvmarm >"$TMP/out" 2>"$TMP/err"
is "$?" 0 'the archive imports'
n=$(wc -l <"$TMP/expected")
# Every message is recorded once; the archive repeats some Message-IDs,
# which count as duplicates.
is "$(cat "$TMP/err")" "recorded $n, duplicates $((total - n)), merged 0, rejected 0" \
  "the summary line accounts for all $total messages"

# An independent count (awk over the raw stream: the Message-ID header,
# possibly folded, without <>, domain lower-cased).  A message without one
# would get a synthetic id and show up as "(none)" here: the archive has
# none, and the lists must be equal.
recorded_ids "$MLDIGEST_INDEX" >"$TMP/recorded"
ok 'every message in the archive has a Message-ID' sh -c "! grep -q '^(none)\$' '$TMP/expected'"
is "$(wc -l <"$TMP/recorded")" "$n" "distinct Message-IDs recorded: $n"
ok 'and they are the very ids of the archive' cmp -s "$TMP/expected" "$TMP/recorded"

tdbdump "$MLDIGEST_INDEX" >"$TMP/dump1"
xz -dc "$ARCHIVE" | "$FILTER" --mbox - --list kvmarm >/dev/null 2>"$TMP/err2"
is "$(cat "$TMP/err2")" "recorded 0, duplicates $total, merged 0, rejected 0" \
  'a second import finds only duplicates'
tdbdump "$MLDIGEST_INDEX" >"$TMP/dump2"
ok 'and leaves the index unchanged (tdbdump)' cmp -s "$TMP/dump1" "$TMP/dump2"
ok 'the index is consistent' sh -c "tdbtool '$MLDIGEST_INDEX' check | grep -q 'integrity is OK'"

# The time index holds each message once per kind.
a=$(tdbdump "$MLDIGEST_INDEX" | sed -n '/^key([0-9]*) = "a:kvmarm:/{n;p}' | grep -o '\\00' | wc -l)
is "$a" "$n" 'the arrival index lists every message once'

done_testing
