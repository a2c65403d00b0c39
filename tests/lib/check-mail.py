#!/usr/bin/python3
"""check-mail.py MESSAGE TEXT HTML [NAME=VALUE...] - a digest message as a
different MIME parser (Python's email package) reads it.

MESSAGE is the message as printed by --format mail (CRLF) or as an MTA
delivered it (a maildir file, LF).  TEXT and HTML are the --format text
and --format html renderings it must carry, byte for byte after
decoding.  Each NAME=VALUE is a header the message must have, decoded
(subject=..., message-id=..., in-reply-to=...; VALUE "-" means absent).
With --wire, MESSAGE must also be what goes on the wire: CRLF only.

Prints "PASS<TAB>check" / "FAIL<TAB>check" lines (tests/lib/tap.sh
verdicts) and "# ..." diagnostics.
"""
import email
import email.policy
import sys

args = [a for a in sys.argv[1:] if a != '--wire']
wire = '--wire' in sys.argv
raw = open(args[0], 'rb').read()
text = open(args[1], 'rb').read()
html = open(args[2], 'rb').read()
want = dict(a.split('=', 1) for a in args[3:])


def check(name, ok, got=None, expect=None):
    print('%s\t%s' % ('PASS' if ok else 'FAIL', name))
    if not ok and (got is not None or expect is not None):
        print('# got:  %r' % (got,))
        print('# want: %r' % (expect,))


# Read it as a local mailbox holds it (LF line ends), the form an MTA
# delivers into a maildir: quoted-printable's CRLF line breaks decode to
# the LF of the renderings.
msg = email.message_from_bytes(raw.replace(b'\r\n', b'\n'), policy=email.policy.default)
check('parses without defects', not msg.defects, msg.defects, [])
check('multipart/alternative', msg.get_content_type() == 'multipart/alternative',
      msg.get_content_type(), 'multipart/alternative')
parts = list(msg.iter_parts()) if msg.is_multipart() else []
types = [p.get_content_type() for p in parts]
check('text/plain then text/html', types == ['text/plain', 'text/html'], types)
for part, body, kind in zip(parts, (text, html), ('text', 'html')):
    cte = part['Content-Transfer-Encoding']
    check(kind + ': utf-8', part.get_content_charset() == 'utf-8', part.get_content_charset())
    check(kind + ': quoted-printable or base64', cte in ('quoted-printable', 'base64'), cte)
    got = part.get_payload(decode=True)
    check(kind + ': equals --format ' + kind + ' byte for byte', got == body,
          got[:200] if got != body else None, body[:200] if got != body else None)
    if got != body:
        for i, (a, b) in enumerate(zip(got, body)):
            if a != b:
                print('# first difference at byte %d: %r vs %r' % (i, got[i-20:i+20], body[i-20:i+20]))
                break
        print('# lengths %d vs %d' % (len(got), len(body)))

lines = raw.split(b'\r\n') if wire else raw.split(b'\n')
longest = max(len(line) for line in lines)
check('lines within RFC 5322 (78)', longest <= 78, longest, 78)
if wire:
    check('CRLF only: no bare LF or CR', raw.count(b'\n') == raw.count(b'\r\n')
          and raw.count(b'\r') == raw.count(b'\r\n'))
    check('ASCII only on the wire', all(c < 128 for c in raw))
check('no Bcc header', msg['Bcc'] is None, msg['Bcc'])
check('Auto-Submitted: auto-generated', msg['Auto-Submitted'] == 'auto-generated', msg['Auto-Submitted'])
check('Date', msg['Date'] is not None and msg['Date'].datetime is not None)
check('one Subject header', len(msg.get_all('Subject') or []) == 1, msg.get_all('Subject'))
for name, value in want.items():
    got = msg[name]
    if value == '-':
        check(name + ': absent', got is None, got)
    else:
        check(name + ': ' + value, got is not None and str(got) == value, str(got), value)
