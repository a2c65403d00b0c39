#!/bin/sh
# mldigest-aggregate --check-config: the shipped example passes; each kind
# of mistake is reported with file, line and key, and makes it exit 78;
# a complete, correct file passes.
. "$(dirname "$0")/lib/tap.sh"

check () { "$AGGREGATE" --check-config "$@" >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc"; }
rc () { cat "$TMP/rc"; }
said () { grep -qF -- "$1" "$TMP/out" || { diag "not said: $1"; sed 's/^/#   /' "$TMP/out" >&2; return 1; }; }

export HOME=$TMP/home
mkdir -p "$HOME"

# ---- the example and no file at all
check --config "$TOP/contrib/mldigest.conf.example"
is "$(rc)" 0 'contrib/mldigest.conf.example passes the check'
is "$(cat "$TMP/out")" '' '... and nothing is said about it'
check
is "$(rc)" 0 'no configuration file at all is fine'
ok '... and it says the defaults apply' said 'the defaults apply'
check --config "$TMP/nonexistent.conf"
is "$(rc)" 78 'a --config file that does not exist fails'

# ---- a file with one mistake of each kind
mkdir -p "$TMP/t" && : >"$TMP/afile"
printf '{{if}}\n' >"$TMP/t/broken.md.tmpl"
printf 'key\n' >"$TMP/open-key" && chmod 644 "$TMP/open-key"
printf 'pw\n' >"$TMP/closed-pw" && chmod 600 "$TMP/closed-pw"
cat >"$TMP/bad.conf" <<CONF
# line 1
[index]
path = $TMP/afile/{list}.tdb
max_size = 12Q
keep_days = 0

[defaults]
templte = weekly
lang = fr
history_days = -3
timezone = Mars/Olympus

[list kvmarm]
template = $TMP/t/broken.md.tmpl
to = not an address
archive_url = ftp://example.org/{message_id}
large_thread = 3
large_thread = 4

[llm]
modle = x
api_key_file = $TMP/open-key
concurrency = many
temperature = 3
url = http://127.0.0.1:8000/v1

[smtp]
url = http://mail.example.org
starttls = maybe
lang = en
password_file = $TMP/closed-pw
ca_file = $TMP/no-ca.pem

[smpt]
from = a@b
this line is wrong

[list kvmarm.lists.cs.columbia.edu]
lang = en
subject = [{list}] digest {when}
CONF
check --config "$TMP/bad.conf"
is "$(rc)" 78 'a file with mistakes: exit 78'
F=$TMP/bad.conf
ok 'unreachable index directory' said "$F:3: [index] path: the index directory cannot be reached: '$TMP/afile' is not a directory"
ok 'a size that is not one' said "$F:4: [index] max_size: '12Q' is not a size"
ok 'an integer out of range' said "$F:5: [index] keep_days: must be at least 1"
ok 'unknown key, nearest named' said "$F:8: [defaults] templte: unknown key (did you mean 'template'?)"
ok 'a language we have no report in' said "$F:9: [defaults] lang: 'fr' is not a report language"
ok 'a negative history' said "$F:10: [defaults] history_days: must be between 0 and 3660"
ok 'an unknown time zone' said "$F:11: [defaults] timezone: unknown time zone 'Mars/Olympus'"
ok 'a template that does not parse' said "$F:14: [list kvmarm] template: template $TMP/t/broken.md.tmpl:"
ok 'not an address' said "$F:15: [list kvmarm] to: 'not an address' is not a mail address"
ok 'an archive URL that is not http(s)' said "$F:16: [list kvmarm] archive_url:"
ok 'a key set twice' said "$F:18: [list kvmarm] large_thread: set again (line 17)"
ok 'llm key misspelt' said "$F:21: [llm] modle: unknown key (did you mean 'model'?)"
ok 'a secret others can read' said "$F:22: [llm] api_key_file: '$TMP/open-key' can be read by group or others (mode 0644)"
ok 'not an integer' said "$F:23: [llm] concurrency: 'many' is not an integer"
ok 'a number out of range' said "$F:24: [llm] temperature: must be between 0 and 2"
ok 'the wrong URL scheme' said "$F:28: [smtp] url: 'http://mail.example.org': the scheme must be smtp|smtps"
ok 'not one of the choices' said "$F:29: [smtp] starttls: 'maybe' is not one of required|optional|never"
ok 'a key of another group' said "$F:30: [smtp] lang: unknown key (lang is a key of [defaults] and [list NAME])"
ok 'a missing file' said "$F:32: [smtp] ca_file: '$TMP/no-ca.pem':"
ok 'unknown group, nearest named' said "$F:34: [smpt]: unknown group (did you mean [smtp]?)"
ok 'a line that is no key' said "$F:36: not a group, a 'key = value' line or a comment"
ok 'a subject with an unknown placeholder' said "$F:40: [list kvmarm.lists.cs.columbia.edu] subject: unknown placeholder"
ok 'a list named by its List-Id' said "$F:38: [list kvmarm.lists.cs.columbia.edu]: lists are named by their short name: [list kvmarm]"
ok 'a private secret file is fine' sh -c "! grep -q password_file '$TMP/out'"
ok 'a good URL is fine' sh -c "! grep -q '\\[llm\\] url' '$TMP/out'"
ok 'problems come in the order of the file' sh -c "cut -d: -f2 '$TMP/out' | sort -n -c"
ok 'the count is on stderr' grep -q 'the configuration has 23 problems' "$TMP/err"

# ---- a key that must be there, a password in a URL
printf '[llm]\nmodel = m\nurl = ftp://u:hunter2@x\n[smtp]\nurl = smtp://digest:hunter2@mail.example.org:587\n' >"$TMP/req.conf"
check --config "$TMP/req.conf"
is "$(rc)" 78 'passwords in URLs fail'
ok '... the URL with a password and the wrong scheme' said "$TMP/req.conf:3: [llm] url: the URL holds a user or password"
ok '... the URL with a password' said "$TMP/req.conf:5: [smtp] url: the URL holds a user or password"
ok '... without printing the password' sh -c "! grep -q hunter2 '$TMP/out'"
printf '[llm]\nmodel = m\n' >"$TMP/req.conf"
check --config "$TMP/req.conf"
ok 'an [llm] group without url: named at its group' said "$TMP/req.conf:1: [llm]: no 'url': it is required"

# ---- the secret fixed: that line goes away
chmod 600 "$TMP/open-key"
check --config "$TMP/bad.conf"
ok 'chmod 600 clears the secret problem' sh -c "! grep -q 'open-key' '$TMP/out'"

# ---- prompt templates in the templates directory must parse
mkdir -p "$TMP/tmpl"
cp -R "$TOP/templates/." "$TMP/tmpl/"
mkdir -p "$TMP/tmpl/prompts"
printf 'Summarise {{thread.subject}}\n' >"$TMP/tmpl/prompts/ok.en.tmpl"
printf 'Summarise {{if}}\n' >"$TMP/tmpl/prompts/bad.en.tmpl"
MLDIGEST_TEMPLATES=$TMP/tmpl check --config "$TOP/contrib/mldigest.conf.example"
is "$(rc)" 78 'a prompt template that does not parse fails the check'
ok '... and is named' said "prompt template: template $TMP/tmpl/prompts/bad.en.tmpl"
ok '... the good one is not' sh -c "! grep -q 'ok.en.tmpl' '$TMP/out'"

# ---- --index that cannot be reached, with no [index] path
check --config "$TOP/contrib/mldigest.conf.example" --index "$TMP/afile/index.tdb"
is "$(rc)" 78 'an --index in a place that cannot be reached fails'

# ---- every group, every kind of value, all correct
printf 'k\n' >"$TMP/key" && chmod 600 "$TMP/key"
printf 'Subject {{week}}\n' >"$TMP/t/mine.md.tmpl"
cat >"$TMP/good.conf" <<CONF
[index]
path = ~/idx/{list}/index.tdb
keep_days = 365
max_size = 2G
[defaults]
lang = en
template = update
timezone = Europe/Paris
archive_url = https://lore.kernel.org/{list}/{message_id}/
history_days = 0
bots = a@b;*-bot@*
categories = PATCH;Other
category_rules = PATCH: patch;Other: any
[list kvm]
template = $TMP/t/mine.md.tmpl
to = kvm@vger.kernel.org
cc = a@example.org;b@example.org
bcc = c@example.org
subject = [{list}] digest {week}
reply_to = kvm@vger.kernel.org
archive_dir = ~/digests/kvm
[llm]
url = http://127.0.0.1:8000/v1
model = qwen
api_key_file = $TMP/key
concurrency = 8
timeout = 30
max_output_tokens = 800
temperature = 0.2
context_tokens = 4000
budget_requests = 100
budget_tokens = 100000
[smtp]
url = smtps://mail.example.org:465
starttls = never
user = digest
password_env = HOME
from = mldigest <digest@example.org>
timeout = 30
outbox = ~/outbox
CONF
check --config "$TMP/good.conf"
is "$(rc)" 0 'a correct file with every group passes'
is "$(cat "$TMP/out")" '' '... silently'
done_testing
