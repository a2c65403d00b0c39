#!/bin/sh
# A real procmail delivering 200 archive messages to a maildir, with the
# filter in two recipes: a copy piped to it (`:0 c`), and the filter as a
# pass-through filter (`:0 fw` with --pass).  Every message must reach the
# maildir unchanged and be recorded.
. "$(dirname "$0")/lib/tap.sh"
need_corpus
need_cmd procmail
need_cmd xz
need_cmd pgrep
. "$TOP/tests/lib/archive.sh"

N=200
archive_split $N "$TMP/msgs"
is "$(ls "$TMP/msgs" | wc -l)" $N "$N messages taken from the archive"
msgids "$TMP/msgs"/* | sort -u >"$TMP/expected"

# rc RECIPE-LINES: a procmailrc that runs them, then delivers to a maildir.
rc () {
  mkdir -p "$TMP/mail-$1"
  cat <<RC
SHELL=/bin/sh
MAILDIR=$TMP/mail-$1
DEFAULT=$TMP/mail-$1/inbox/
ORGMAIL=$TMP/mail-$1/inbox/
LOGFILE=$TMP/procmail-$1.log
$2
:0
inbox/
RC
}

# settle NAME: wait (at most a minute) for the filters procmail left
# running.  A `:0 c` pipe is a carbon copy: procmail forks it and goes on
# delivering without waiting for it, so the last filters may still be
# recording when procmail has returned.
settle () {
  n=0
  while pgrep -f -- "$TMP/index-$1.tdb" >/dev/null && [ $n -lt 600 ]; do
    sleep 0.1; n=$((n + 1))
  done
}

# deliver NAME: each message through procmail -m with rc NAME.
deliver () {
  fails=0
  for f in "$TMP/msgs"/*; do
    procmail -m "$TMP/rc-$1" <"$f" || fails=$((fails + 1))
  done
  settle "$1"
  is "$fails" 0 "$1: procmail delivered every message"
  is "$(ls "$TMP/mail-$1/inbox/new" | wc -l)" $N "$1: $N messages in the maildir"
  (cd "$TMP/msgs" && cksum ./* | cut -d' ' -f1,2 | sort) >"$TMP/sent"
  (cd "$TMP/mail-$1/inbox/new" && cksum ./* | cut -d' ' -f1,2 | sort) >"$TMP/got"
  ok "$1: delivered byte for byte" cmp -s "$TMP/sent" "$TMP/got"
  recorded_ids "$TMP/index-$1.tdb" >"$TMP/recorded"
  ok "$1: every message recorded ($(wc -l <"$TMP/expected") distinct ids)" \
    cmp -s "$TMP/expected" "$TMP/recorded"
  ok "$1: procmail logged no failure" sh -c "! grep -q '^procmail:' '$TMP/procmail-$1.log'"
}

rc copy ":0 c
| $FILTER --index $TMP/index-copy.tdb --list kvmarm" >"$TMP/rc-copy"
deliver copy

rc pass ":0 fw
| $FILTER --pass --index $TMP/index-pass.tdb --list kvmarm" >"$TMP/rc-pass"
deliver pass

done_testing
