#!/bin/sh
# The four whole threads of the corpus: each lands in one ingest thread of
# the expected size, and the messages carrying Reviewed-by/Acked-by/
# Tested-by are the ones THREADS.tsv counts.
. "$(dirname "$0")/lib/tap.sh"
need_corpus
. "$TOP/tests/lib/archive.sh"

# as_mbox FILE...: the files as one mboxrd stream, in the order given.
as_mbox () {
  for f in "$@"; do
    echo 'From mboxrd@z Thu Jan  1 00:00:00 1970'
    sed 's/^\(>*From \)/>\1/' "$f"
    echo
  done
}

# show_all IDS-FILE: --show for every id, in one run.
show_all () {
  sed 's/^/--show\n/' "$1" | xargs -d '\n' "$FILTER"
}

# check DIR SIZE TRAILERS ORDER: import the thread (archive order, or
# reversed: replies before the messages they answer) and check it.
check () {
  dir=$1 size=$2 trailers=$3 order=$4
  export MLDIGEST_INDEX="$TMP/$dir-$order.tdb"
  ls "$CORPUS/threads/$dir"/* | if [ "$order" = reversed ]; then sort -r; else cat; fi >"$TMP/files"
  as_mbox $(cat "$TMP/files") | "$FILTER" --mbox - --quiet
  is "$?" 0 "$dir ($order): imported"
  msgids "$CORPUS/threads/$dir"/* >"$TMP/ids"
  show_all "$TMP/ids" >"$TMP/show"
  label="$dir ($order)"
  is "$(grep -c '^message-id: ' "$TMP/show")" "$size" "$label: $size messages recorded"
  tids=$(sed -n 's/^thread-id: //p' "$TMP/show" | sort | uniq -c | sort -rn)
  is "$(echo "$tids" | wc -l)" 1 "$label: all in one ingest thread"
  tid=$(echo "$tids" | awk '{print $2; exit}')
  root=$(sed -n '1,/^$/s/^message-id: //p' "$TMP/show")
  is "$tid" "$root" "$label: the thread is named after its root, $root"
  members=$(tdbdump "$MLDIGEST_INDEX" | grep -A1 "^key([0-9]*) = \"t:$tid\"" |
            tail -1 | grep -o '\\00' | wc -l)
  is "$members" "$size" "$label: the thread's membership list holds all $size"
  with=$(awk '/^message-id: /{ if (t) n++; t = 0 }
              /^trailer: (Reviewed|Acked|Tested)-by: /{ t = 1 }
              END { if (t) n++; print n + 0 }' "$TMP/show")
  is "$with" "$trailers" "$label: $trailers messages carry Reviewed-by/Acked-by/Tested-by"
}

# (a redirect, not a pipe: the checks must run in this shell to count)
tail -n +2 "$CORPUS/threads/THREADS.tsv" >"$TMP/threads.tsv"
while IFS='	' read -r dir subject size trailers; do
  check "$dir" "$size" "$trailers" archive-order
  check "$dir" "$size" "$trailers" reversed
done <"$TMP/threads.tsv"
is "$(wc -l <"$TMP/threads.tsv")" 4 'THREADS.tsv lists the four threads'

done_testing
