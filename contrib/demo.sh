#!/bin/sh
# demo.sh - what `make demo` runs: record an mbox into a scratch index and
# print one week's digest, then the complete mail --send would send; the
# HTML and text versions are left beside it.  By default the bundled
# sample week (tests/data/sample.mbox, a made-up week of kvmarm).
#
#   DEMO_MBOX        another mbox (.xz, .gz and .zst are read as such)
#   DEMO_WEEK        the ISO week to report, e.g. 2021-W10 (default for
#                    DEMO_MBOX: the week with the most messages, by Date)
#   DEMO_LIST        the list to report (default: the List-Id with the
#                    most messages that week; given, it also names the
#                    list of mail without a List-Id)
#   DEMO_LANG        zh-CN (the default) or en
#   MLDIGEST_BUILD   where mldigest-filter and mldigest-aggregate are
#                    (default: build/ of this tree)
#   MLDIGEST_DEMO    where to put the index and reports (default: demo-out/)
#
#   DEMO_MBOX=../shared/corpus/archive/kvmarm-2019-2021.mbox.xz DEMO_WEEK=2021-W10 make demo
#
# Safe to run again: it starts from an empty index every time, and never
# reads your configuration or your index.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${MLDIGEST_BUILD:-$TOP/build}
OUT=${MLDIGEST_DEMO:-$TOP/demo-out}
MBOX=${DEMO_MBOX:-}
WEEK=${DEMO_WEEK:-}
LIST=${DEMO_LIST:-}
LANG_OPT=${DEMO_LANG:+--lang $DEMO_LANG}
if [ -z "$MBOX" ]; then
  # The sample's week, Mon 2026-11-09 to Mon 2026-11-16.
  MBOX=$TOP/tests/data/sample.mbox WEEK=${WEEK:-2026-W46} LIST=${LIST:-kvmarm}
fi

die () { echo "demo: $*" >&2; exit 1; }
for prog in mldigest-filter mldigest-aggregate; do
  [ -x "$BUILD/$prog" ] || die "$BUILD/$prog is not built (run make)"
done
[ -r "$MBOX" ] || die "cannot read DEMO_MBOX '$MBOX'"
case $WEEK in ''|[0-9][0-9][0-9][0-9]-W[0-9][0-9]) ;; *) die "DEMO_WEEK '$WEEK' is not like 2021-W10" ;; esac

mbox () {
  case $MBOX in
    *.xz) xz -dc "$MBOX" ;;
    *.gz) gzip -dc "$MBOX" ;;
    *.zst) zstd -dcq "$MBOX" ;;
    *) cat "$MBOX" ;;
  esac
}

# The ISO week with the most messages, by their Date header.
busiest_week () {
  mbox | /usr/bin/python3 -c '
import collections, email.utils, sys
weeks = collections.Counter()
for line in sys.stdin.buffer:
    if line[:5].lower() == b"date:":
        try:
            y, w, _ = email.utils.parsedate_to_datetime(line[5:].decode("ascii", "replace").strip()).isocalendar()
            weeks["%04d-W%02d" % (y, w)] += 1
        except (TypeError, ValueError, IndexError, OverflowError):
            pass
print(weeks.most_common(1)[0][0] if weeks else "")'
}

# The list with the most messages in the week: the facts' first lines
# are "LIST: ..." and "messages N, threads ...".
busiest_list () {
  best='' most=-1
  for l in $(tdbdump -k meta:lists "$MLDIGEST_INDEX" 2>/dev/null | sed 's/\\00/ /g'); do
    n=$("$BUILD/mldigest-aggregate" --list "$l" --week "$WEEK" --format facts 2>/dev/null |
        sed -n 's/^messages \([0-9]*\),.*/\1/p')
    if [ "${n:-0}" -gt "$most" ]; then best=$l most=${n:-0}; fi
  done
  echo "$best"
}

rm -rf "$OUT"
mkdir -p "$OUT"
export MLDIGEST_INDEX="$OUT/index.tdb"
export MLDIGEST_CONFIG="$OUT/no-config"   # a path that does not exist: defaults only
export MLDIGEST_TEMPLATES="$TOP/templates"

# shellcheck disable=SC2086
mbox | "$BUILD/mldigest-filter" ${LIST:+--list "$LIST"} --mbox - 2>"$OUT/filter.log" ||
  die "mldigest-filter failed: $(tail -n 1 "$OUT/filter.log")"
[ -n "$WEEK" ] || WEEK=$(busiest_week)
[ -n "$WEEK" ] || die "no message of '$MBOX' has a Date: set DEMO_WEEK"
[ -n "$LIST" ] || LIST=$(busiest_list)
[ -n "$LIST" ] || die "no list in the index: set DEMO_LIST"
SEL="--list $LIST --week $WEEK"

for f in md html text; do
  # shellcheck disable=SC2086
  "$BUILD/mldigest-aggregate" $SEL $LANG_OPT --format "$f" -o "$OUT/report.$f"
done

cat > "$OUT/mail.conf" <<CONF
[smtp]
from = mldigest demo <digest@example.org>
[list $LIST]
to = $LIST@lists.example.org
CONF
# shellcheck disable=SC2086
"$BUILD/mldigest-aggregate" $SEL $LANG_OPT --config "$OUT/mail.conf" --format mail -o "$OUT/report.eml"

cat "$OUT/report.md"
echo
echo "demo: $(basename "$MBOX"), list $LIST, week $WEEK"
echo "demo: the same report as HTML: $OUT/report.html"
echo "demo: as plain text:          $OUT/report.text"
echo "demo: the index:              $OUT/index.tdb"
echo
echo "demo: the message --send would send ($OUT/report.eml):"
echo
tr -d '\r' < "$OUT/report.eml"
