#!/bin/sh
# Sixteen filters at once, as procmail runs them on a busy list, on 1,000
# archive messages, with a reader querying the index all along: every
# message recorded, no filter failed or timed out, the index consistent.
. "$(dirname "$0")/lib/tap.sh"
need_corpus
need_cmd xz
. "$TOP/tests/lib/archive.sh"

N=1000
archive_split $N "$TMP/msgs"
msgids "$TMP/msgs"/* | sort -u >"$TMP/expected"

# One message recorded first, for the reader to look up meanwhile.
"$FILTER" --list kvmarm <"$TMP/msgs/00001.eml"
first=$(msgids "$TMP/msgs/00001.eml")
: >"$TMP/errors"
export FILTER ERRORS="$TMP/errors"

reader () {
  n=0
  while [ ! -e "$TMP/done" ]; do
    "$FILTER" --show "$first" >/dev/null 2>>"$ERRORS" || echo "reader: exit $?" >>"$ERRORS"
    n=$((n + 1))
  done
  echo "$n" >"$TMP/reads"
}
reader &
reader_pid=$!

ls "$TMP/msgs"/* | xargs -P16 -n1 sh -c \
  '"$FILTER" --list kvmarm <"$1" 2>>"$ERRORS" || echo "writer: exit $? for $1" >>"$ERRORS"' sh
: >"$TMP/done"
wait $reader_pid

is "$(cat "$TMP/errors")" '' 'no filter failed, timed out or said anything'
recorded_ids "$MLDIGEST_INDEX" >"$TMP/recorded"
is "$(wc -l <"$TMP/recorded")" "$(wc -l <"$TMP/expected")" 'as many messages recorded as distinct Message-IDs sent'
ok 'and exactly those' cmp -s "$TMP/expected" "$TMP/recorded"
ok "the reader ran all along ($(cat "$TMP/reads") lookups)" test "$(cat "$TMP/reads")" -gt 0
ok 'the index is consistent (tdbtool check)' \
  sh -c "tdbtool '$MLDIGEST_INDEX' check | grep -q 'Database integrity is OK'"

# Thread membership survived the races: every recorded message is listed
# exactly once under the thread its record names.
tdbdump "$MLDIGEST_INDEX" | sed -n '/^key([0-9]*) = "t:/{n;p}' |
  sed 's/^data([0-9]*) = "//; s/"$//; s/\\00/\n/g' | sed '/^$/d' | sort >"$TMP/members"
ok 'every message appears once in the thread lists' cmp -s "$TMP/recorded" "$TMP/members"

done_testing
