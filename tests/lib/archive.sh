# archive.sh - real messages from the corpus archive for integration tests.
#
#   . "$TOP/tests/lib/archive.sh"      (after tap.sh and need_corpus)
#   archive_split N DIR      first N messages of the archive, one file each
#   msgids FILE...           normalised Message-IDs of messages, one a line
ARCHIVE=$CORPUS/archive/kvmarm-2019-2021.mbox.xz

# The archive is mboxrd: a "From " line starts each message and body lines
# ">From ", ">>From "... lose one '>'.  Stops reading after N messages.
archive_split () {
  mkdir -p "$2"
  xz -dc "$ARCHIVE" 2>/dev/null | LC_ALL=C awk -v n="$1" -v dir="$2" '
    /^From / { if (++k > n) exit; f = sprintf("%s/%05d.eml", dir, k); next }
    { if ($0 ~ /^>+From /) $0 = substr($0, 2); print > f }'
}

# An independent reading of Message-ID: the header (case-insensitive, its
# value possibly folded onto the next line), angle brackets and anything
# around them dropped, the domain part lower-cased.  Reads a stream of
# messages separated by From_ lines (mbox) or one message per file.
msgid_awk='
  function flush() { if (started) print (id != "" ? id : "(none)"); id = ""; inhdr = 1; want = 0 }
  function take(v,   a, at) {
    if (match(v, /<[^>]*>/)) v = substr(v, RSTART + 1, RLENGTH - 2)
    gsub(/^[ \t]+|[ \t]+$/, "", v)
    at = index(v, "@")
    if (at) v = substr(v, 1, at) tolower(substr(v, at + 1))
    id = v
  }
  FNR == 1 && !mbox { flush(); started = 1 }
  mbox && /^From / { flush(); started = 1; next }
  inhdr && /^\r?$/ { inhdr = 0; want = 0; next }
  inhdr && want && /^[ \t]/ { take($0); want = 0; next }
  inhdr { want = 0 }
  inhdr && id == "" && tolower($0) ~ /^message-id:/ {
    v = $0; sub(/^[^:]*:[ \t]*/, "", v); sub(/\r$/, "", v)
    if (v == "") want = 1; else take(v)
  }
  END { flush() }'

msgids () { LC_ALL=C awk -v mbox=0 "$msgid_awk" "$@"; }
msgids_mbox () { LC_ALL=C awk -v mbox=1 "$msgid_awk"; }

# Message-IDs recorded in the index at $1 (m: keys), one a line, sorted.
recorded_ids () {
  tdbdump "$1" | sed -n 's/^key([0-9]*) = "m:\(.*\)"$/\1/p' | sort
}
