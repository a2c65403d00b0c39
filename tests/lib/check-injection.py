#!/usr/bin/python3
"""check-injection - mail-derived text never became markup or a header.

    check-injection.py html CLEAN.html HOSTILE.html [notext]
    check-injection.py mail CLEAN.eml HOSTILE.eml

html: the hostile report (rendered with tests/data/hostile/injection.mbox
in the week) has no element or attribute the clean report lacks, no
script element, no on* attribute, no javascript:/data: URL, no image
from elsewhere; the payloads show as text (unless "notext": a template
that leaves the thread out).
mail: the hostile message has the clean one's headers exactly (names and
count), no X-Injected header, no evil@ address in any header, two text
parts, and no header-like payload line outside the parts' bodies.
Prints "PASS<TAB>name" / "FAIL<TAB>name" lines (tests/lib/tap.sh
verdicts).
"""
import email
import email.policy
import html.parser
import sys


def verdict(ok, name):
    print("%s\t%s" % ("PASS" if ok else "FAIL", name))
    return ok


class Markup(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.urls, self.text = set(), set(), [], []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for k, v in attrs:
            self.attrs.add((tag, k))
            if k in ("href", "src", "action", "formaction", "srcset") and v:
                self.urls.append((tag, k, v.strip()))

    def handle_data(self, data):
        self.text.append(data)


def parse_html(path):
    m = Markup()
    m.feed(open(path, encoding="utf-8").read())
    m.close()
    m.text = "".join(m.text)
    return m


def check_html(clean_path, hostile_path, expect_text=True):
    clean, bad = parse_html(clean_path), parse_html(hostile_path)
    verdict(bad.tags <= clean.tags, "no element the clean report lacks (%s)"
            % ", ".join(sorted(bad.tags - clean.tags)))
    verdict(bad.attrs <= clean.attrs, "no attribute the clean report lacks (%s)"
            % ", ".join("%s@%s" % a for a in sorted(bad.attrs - clean.attrs)))
    verdict("script" not in bad.tags, "no script element")
    verdict(not [a for a in bad.attrs if a[1].startswith("on")], "no on* attribute")
    scheme = [u for u in bad.urls if u[2].lower().replace(" ", "").startswith(("javascript:", "vbscript:", "data:"))]
    verdict(not scheme, "no javascript:, vbscript: or data: URL %s" % scheme[:3])
    verdict(not [u for u in bad.urls if "evil.example" in u[2]], "no URL from the mail (tracking image)")
    if expect_text:
        verdict("alert('subject')" in bad.text, "the <script> subject shows as text")


def header_names(msg):
    return sorted(k.lower() for k in msg.keys())


def check_mail(clean_path, hostile_path):
    pol = email.policy.default
    clean = email.message_from_binary_file(open(clean_path, "rb"), policy=pol)
    bad = email.message_from_binary_file(open(hostile_path, "rb"), policy=pol)
    verdict(header_names(bad) == header_names(clean),
            "the same header fields as the clean week's (%s)" % header_names(bad))
    verdict("x-injected" not in header_names(bad) and "bcc" not in header_names(bad),
            "no X-Injected or Bcc header")
    verdict(not [k for k, v in bad.items() if "evil@" in str(v)], "no evil@ address in a header")
    for k, v in bad.items():
        if "\r" in str(v) or "\n" in str(v):
            verdict(False, "header %s holds a line break" % k)
    parts = [p for p in bad.walk() if not p.is_multipart()]
    verdict([p.get_content_type() for p in parts] == ["text/plain", "text/html"],
            "two parts, text/plain and text/html")
    # The message's own header block, as bytes on the wire, holds none of
    # the payload lines.
    raw = open(hostile_path, "rb").read()
    head = raw.split(b"\r\n\r\n", 1)[0]
    verdict(b"X-Injected" not in head and b"evil@" not in head,
            "the header block on the wire holds no payload line")
    verdict(any("PWNED" in p.get_content() or "alert(" in p.get_content() for p in parts),
            "the payloads are in the body, as text")


if __name__ == "__main__":
    kind, clean_path, hostile_path = sys.argv[1:4]
    if kind == "html":
        check_html(clean_path, hostile_path, sys.argv[4:] != ["notext"])
    else:
        check_mail(clean_path, hostile_path)
