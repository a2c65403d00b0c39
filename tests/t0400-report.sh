#!/bin/sh
# t0400: reports end to end: mldigest-filter records a week, mldigest-
# aggregate renders it.
#
#   - the sample week (tests/data/sample.mbox) in each shipped template,
#     language and format, compared byte for byte with
#     tests/golden/sample-week.* (regenerate: MLDIGEST_REGOLDEN=1 and
#     review the diff);
#   - the zh-CN report against its JSON facts (tests/lib/check-report.py:
#     the seed's sections in the seed's order, equal totals, the facts'
#     threads and messages in time order, no folded subject, no =?);
#   - config keys, options over config, a user's template, errors;
#   - with the real-mail corpus: a week of the kvmarm archive, checked
#     the same way, in every format.
. "$(dirname "$0")/lib/tap.sh"

[ -x "$FILTER" ] && [ -x "$AGGREGATE" ] ||
  skip_all "mldigest-filter or mldigest-aggregate is not built"
need_cmd python3

export MLDIGEST_NOW=2026-11-16T06:30:00Z   # the "generated" time
CHECK="python3 $TOP/tests/lib/check-report.py"
GOLDEN=$TOP/tests/golden

"$FILTER" --list kvmarm --mbox "$DATA/sample.mbox" 2>"$TMP/filter.log"
ok 'the sample week is recorded' grep -q '^recorded 48,' "$TMP/filter.log"

week () { "$AGGREGATE" --list kvmarm --week 2026-W46 "$@"; }

# NAME ARGS...: render, then compare with the golden file NAME.
golden () {
  name=$1; shift
  if ! week "$@" -o "$TMP/$name"; then fail "$name: renders"; return; fi
  if [ -n "${MLDIGEST_REGOLDEN:-}" ]; then
    cp "$TMP/$name" "$GOLDEN/$name"
    diag "regenerated $GOLDEN/$name"
  fi
  if cmp -s "$GOLDEN/$name" "$TMP/$name"; then pass "$name: as the golden file"; else
    fail "$name: as the golden file"
    diff -u "$GOLDEN/$name" "$TMP/$name" | head -20 >&2
  fi
}

golden sample-week.zh-CN.md
golden sample-week.zh-CN.html --format html
golden sample-week.zh-CN.txt --format text
golden sample-week.en.md --lang en
golden sample-week.en.txt --lang en --format text
golden sample-week.update.md --template update
golden sample-week.update.txt --template update --format text

week --format json -o "$TMP/sample.json"
ok 'the zh-CN report matches its facts, in the seed layout' \
  $CHECK "$TMP/sample-week.zh-CN.md" "$TMP/sample.json"
ok 'the <script> subject is escaped' \
  grep -qF 'Drop the stray \<script>alert(1)\</script> line' "$TMP/sample-week.zh-CN.md"
ok 'the HTML has no script element' sh -c "! grep -qi '<script' '$TMP/sample-week.zh-CN.html'"
ok 'the update patch list is not empty' \
  grep -q '^\[2026-11-1[0-9] [0-9:]*\] \[PATCH v3 1/4\]' "$TMP/sample-week.update.txt"
ok 'decoded names in the update' grep -q 'Hélène Dupré-Marchal <' "$TMP/sample-week.update.txt"

# The list's config: language, template, time zone, archive links.
cat > "$MLDIGEST_CONFIG" <<'EOF'
[list kvmarm]
lang=en
timezone=Asia/Shanghai
archive_url=https://mail.example.org/{list}/{message_id}
EOF
week -o "$TMP/config.md"
ok 'config: lang=en' grep -q '^# KVMARM Mailing List Digest$' "$TMP/config.md"
ok 'config: times in the zone' grep -q '^\*\*Period\*\*: 2026-11-09 08:00 to 2026-11-16 08:00 CST (7 days)$' "$TMP/config.md"
ok 'config: archive_url' grep -q '(https://mail.example.org/kvmarm/20261109081204.1213-1-jonas.keller@example.com)$' "$TMP/config.md"
week --lang zh-CN --timezone UTC -o "$TMP/override.md"
ok 'options win over config' grep -q '^\*\*分析周期\*\*: 2026-11-09 00:00 至 2026-11-16 00:00 UTC' "$TMP/override.md"
printf '[list kvmarm]\ntemplate=%s\n' "$TMP/mine.md.tmpl" > "$MLDIGEST_CONFIG"
printf '{{LIST}}: {{messages}} messages\n{{for c in categories}}{{c.name}} {{end}}\n' > "$TMP/mine.md.tmpl"
is "$(week --format text)" "KVMARM: 38 messages
PATCH RFC GIT PULL Selftest Discussion Other" 'config: a user template by path'

code () { "$@" > /dev/null 2> "$TMP/err"; echo $?; }
printf '[list kvmarm]\narchive_url=javascript:alert(1)/{message_id}\n' > "$MLDIGEST_CONFIG"
is "$(code week)" 78 'a bad archive_url: EX_CONFIG'
rm -f "$MLDIGEST_CONFIG"
is "$(code week --lang fr)" 64 'an unknown language: EX_USAGE'
is "$(code week --template nosuch)" 78 'a missing template: EX_CONFIG'
ok 'the error names the template' grep -q "no template 'nosuch'" "$TMP/err"

# A real week: the kvmarm archive, 2021-W10.
if [ -d "$CORPUS" ]; then
  export MLDIGEST_INDEX=$TMP/corpus.tdb
  xz -dc "$CORPUS/archive/kvmarm-2019-2021.mbox.xz" |
    "$FILTER" --list kvmarm --mbox - 2>"$TMP/corpus.log"
  for w in 2021-W10 2020-W45; do
    "$AGGREGATE" --list kvmarm --week $w --format json -o "$TMP/$w.json"
    "$AGGREGATE" --list kvmarm --week $w -o "$TMP/$w.md"
    ok "$w: the zh-CN report matches its facts, in the seed layout" $CHECK "$TMP/$w.md" "$TMP/$w.json"
    ok "$w: a built-in summary for every thread" sh -c \
      "[ \$(grep -c '^#### 📋 摘要（内置）\$' '$TMP/$w.md') = \$(grep -c '^### Thread ' '$TMP/$w.md') ]"
    for f in html text; do
      ok "$w: $f renders" "$AGGREGATE" --list kvmarm --week $w --format $f -o "$TMP/$w.$f"
    done
    ok "$w: no script element in the HTML" sh -c "! grep -qi '<script' '$TMP/$w.html'"
    ok "$w: valid UTF-8 text" python3 -c 'import sys; open(sys.argv[1], encoding="utf-8").read()' "$TMP/$w.text"
  done
else
  skip "real-mail corpus not found at $CORPUS (set MLDIGEST_CORPUS)"
fi
done_testing
