#!/bin/sh
# t0410: the HTML report in a real browser.  Headless Debian chromium
# loads the pages and the test asserts on the DOM it built: the thread
# titles and a Chinese summary line are there as text, a subject holding
# <script> shows as text, and no script element exists.
#
# Pages: tests/golden/render-hostile.zh-CN.html (kept equal to the
# renderer's output by test-render) and, once both programs are built,
# the report of the bundled sample week.
#
# MLDIGEST_SCREENSHOT=DIR also writes a screenshot of each page there.
. "$(dirname "$0")/lib/tap.sh"

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || skip_all "chromium not found at $CHROMIUM (apt-get install chromium)"

# Each run gets a fresh profile and no network, sync or updates.
chromium_run () {
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
    --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --disable-dev-shm-usage \
    --user-data-dir="$TMP/profile.$$" "$@" 2>>"$TMP/chromium.log"
}

# The text a reader sees: tags dropped, the common entities decoded.
dom_text () {
  sed -e 's/<[^>]*>//g' -e 's/&lt;/</g' -e 's/&gt;/>/g' \
      -e 's/&quot;/"/g' -e 's/&amp;/\&/g' "$1"
}

# On a DOM that was dumped at all (an empty file proves nothing).
no_script_element () {
  [ -s "$1" ] && ! grep -qi '<script' "$1"
}

no_javascript_link () {
  [ -s "$1" ] && ! grep -qi 'href="javascript' "$1"
}

has_text () {
  grep -qF -- "$2" "$1"
}

load () {   # load PAGE DOM-OUT
  chromium_run --dump-dom "file://$1" >"$2" && [ -s "$2" ]
}

page=$TOP/tests/golden/render-hostile.zh-CN.html
ok 'chromium loads the hostile report' load "$page" "$TMP/hostile.dom"
dom_text "$TMP/hostile.dom" >"$TMP/hostile.txt"
ok 'no script element in the DOM' no_script_element "$TMP/hostile.dom"
ok 'the <script> subject is text' has_text "$TMP/hostile.txt" \
  'Thread 1: <script>alert(1)</script> *bold* _u_ `code` [x](javascript:alert(1))'
ok 'a thread title' has_text "$TMP/hostile.txt" \
  'Thread 1: [PATCH v3 0/3] KVM: arm64: vgic-its: Tidy up table save/restore'
ok 'a Chinese summary line' has_text "$TMP/hostile.txt" \
  '系列：Alice Example 的 v3，共 3 个补丁，已全部收到。'
ok 'the page title' has_text "$TMP/hostile.dom" '<title>KVMARM 邮件列表 AI 总结报告</title>'
ok 'no javascript: link' no_javascript_link "$TMP/hostile.dom"

# The sample week end to end, when the programs and the sample exist.
if [ -x "$FILTER" ] && [ -x "$AGGREGATE" ] && [ -f "$DATA/sample.mbox" ]; then
  if ! { "$FILTER" --list kvmarm --mbox "$DATA/sample.mbox" 2>"$TMP/filter.log" &&
         "$AGGREGATE" --list kvmarm --week 2026-W46 --format html -o "$TMP/sample.html"; }; then
    fail 'the sample week renders as HTML'
  fi
  ok 'chromium loads the sample week' load "$TMP/sample.html" "$TMP/sample.dom"
  dom_text "$TMP/sample.dom" >"$TMP/sample.txt"
  ok 'sample: no script element' no_script_element "$TMP/sample.dom"
  ok 'sample: the zh-CN title' has_text "$TMP/sample.txt" 'KVMARM 邮件列表 AI 总结报告'
  ok 'sample: a thread heading' grep -q '^Thread 1: ' "$TMP/sample.txt"
  ok 'sample: a built-in summary heading' has_text "$TMP/sample.txt" '摘要（内置）'
  ok 'sample: the <script> subject is text' has_text "$TMP/sample.txt" \
    'Thread 6: [PATCH] KVM: arm64: vgic-debug: Drop the stray <script>alert(1)</script> line'
  ok 'sample: a Chinese summary line' has_text "$TMP/sample.txt" \
    '系列：Alice Moreau 的 v3，共 4 个补丁，已全部收到。'
else
  skip 'sample week: mldigest-filter, mldigest-aggregate or tests/data/sample.mbox not built yet'
fi

if [ -n "${MLDIGEST_SCREENSHOT:-}" ]; then
  mkdir -p "$MLDIGEST_SCREENSHOT"
  for p in "$page" "$TMP/sample.html"; do
    [ -f "$p" ] || continue
    (cd "$MLDIGEST_SCREENSHOT" && chromium_run --window-size=1000,2600 \
      --screenshot="$(basename "$p" .html).png" "file://$p" >/dev/null)
  done
fi
done_testing
