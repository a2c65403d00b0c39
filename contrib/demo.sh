#!/bin/sh
# demo.sh - what `make demo` runs: record the bundled sample week
# (tests/data/sample.mbox, a made-up week of kvmarm) into a scratch index
# and print its digest; the HTML and text versions are left beside it.
#
#   MLDIGEST_BUILD   where mldigest-filter and mldigest-aggregate are
#                    (default: build/ of this tree)
#   MLDIGEST_DEMO    where to put the index and reports (default: demo-out/)
#
# Safe to run again: it starts from an empty index every time, and never
# reads your configuration or your index.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${MLDIGEST_BUILD:-$TOP/build}
OUT=${MLDIGEST_DEMO:-$TOP/demo-out}
# The sample's week, Mon 2026-11-09 to Mon 2026-11-16 (--until would
# include the whole day it names).
WEEK="--list kvmarm --week 2026-W46"

for prog in mldigest-filter mldigest-aggregate; do
  if [ ! -x "$BUILD/$prog" ]; then
    echo "demo: $BUILD/$prog is not built (run make)" >&2
    exit 1
  fi
done

rm -rf "$OUT"
mkdir -p "$OUT"
export MLDIGEST_INDEX="$OUT/index.tdb"
export MLDIGEST_CONFIG="$OUT/no-config"   # a path that does not exist: defaults only
export MLDIGEST_TEMPLATES="$TOP/templates"

"$BUILD/mldigest-filter" --list kvmarm --mbox "$TOP/tests/data/sample.mbox" 2>"$OUT/filter.log"
for f in md html text; do
  # shellcheck disable=SC2086
  "$BUILD/mldigest-aggregate" $WEEK --format "$f" -o "$OUT/report.$f"
done

cat > "$OUT/mail.conf" <<'CONF'
[smtp]
from = mldigest demo <digest@example.org>
[list kvmarm]
to = kvmarm@lists.example.org
CONF
# shellcheck disable=SC2086
"$BUILD/mldigest-aggregate" $WEEK --config "$OUT/mail.conf" --format mail -o "$OUT/report.eml"

cat "$OUT/report.md"
echo
echo "demo: the same report as HTML: $OUT/report.html"
echo "demo: as plain text:          $OUT/report.text"
echo "demo: the index:              $OUT/index.tdb"
echo
echo "demo: the message --send would send ($OUT/report.eml):"
echo
tr -d '\r' < "$OUT/report.eml"
