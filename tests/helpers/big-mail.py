#!/usr/bin/python3
"""big-mail - write one oversized or pathological message to stdout.

    big-mail.py KIND

KIND: body-50mb (a 50 MB plain-text body), body-70mb (over the 64 MiB
limit), header-200kb (one unstructured header line of 200 KB),
headers-200kb (200 KB of short header lines), mime-10000 (multipart
nested 10,000 deep), refs-100000 (References with 100,000 ids),
subject-1mb (a 1 MB Subject, folded), subject-1mb-line (the same on one
line), qp-50mb (a 50 MB quoted-printable patch).  Every message has a
Message-ID <KIND@example.org>.
"""
import sys

OUT = sys.stdout.buffer


def head(kind, subject="[PATCH] big mail", extra=b"", ctype=b"text/plain; charset=utf-8"):
    OUT.write(b"From: Big Mail <big@example.org>\n"
              b"To: kvmarm@lists.example.org\n"
              b"List-Id: <kvmarm.lists.example.org>\n"
              b"Date: Mon, 9 Nov 2026 10:00:00 +0000\n"
              b"Message-ID: <" + kind.encode() + b"@example.org>\n")
    if subject is not None:
        OUT.write(b"Subject: " + subject.encode() + b"\n")
    OUT.write(extra)
    OUT.write(b"MIME-Version: 1.0\nContent-Type: " + ctype + b"\n\n")


def text_lines(total):
    line = b"The quick brown fox jumps over the lazy dog, again and again.\n"
    chunk = line * 16384
    n = 0
    while n + len(chunk) <= total:
        OUT.write(chunk)
        n += len(chunk)
    OUT.write(line * ((total - n) // len(line)))


def main(kind):
    if kind in ("body-50mb", "body-70mb"):
        head(kind)
        text_lines((50 if kind == "body-50mb" else 70) * 1000 * 1000)
    elif kind == "qp-50mb":
        head(kind, ctype=b"text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable")
        OUT.write(b"Signed-off-by: Big Mail <big@example.org>\n---\n"
                  b" a.c | 1 +\n 1 file changed, 1 insertion(+)\n\n"
                  b"diff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1 +1,2 @@\n")
        line = b"+int x =3D 1; /* caf=C3=A9 soft break =\n here */\n"
        OUT.write(line * (50 * 1000 * 1000 // len(line)))
    elif kind == "header-200kb":
        head(kind, extra=b"X-Junk: " + b"j" * 200 * 1024 + b"\n")
        OUT.write(b"A body.\n")
    elif kind == "headers-200kb":
        head(kind, extra=b"X-Many: a short header line\n" * (200 * 1024 // 28))
        OUT.write(b"A body.\n")
    elif kind == "mime-10000":
        depth = 10000
        head(kind, ctype=b'multipart/mixed; boundary="b0"')
        for i in range(1, depth):
            OUT.write(b"--b%d\nContent-Type: multipart/mixed; boundary=\"b%d\"\n\n" % (i - 1, i))
        OUT.write(b"--b%d\nContent-Type: text/plain\n\nThe bottom.\n" % (depth - 1))
        for i in range(depth - 1, -1, -1):
            OUT.write(b"--b%d--\n" % i)
    elif kind == "refs-100000":
        refs = b"References:" + b"".join(b"\n <%d.ref@example.org>" % i for i in range(100000))
        head(kind, subject="Re: [PATCH] big mail",
             extra=refs + b"\nIn-Reply-To: <99999.ref@example.org>\n")
        OUT.write(b"A reply.\n")
    elif kind in ("subject-1mb", "subject-1mb-line"):
        words = ["w%06d" % i for i in range(1000 * 1000 // 8)]
        sep = " " if kind == "subject-1mb-line" else "\n "
        head(kind, subject="[PATCH v2 1/2] " + sep.join(words))
        OUT.write(b"A body.\n")
    else:
        sys.exit("big-mail: unknown kind " + kind)


if __name__ == "__main__":
    main(sys.argv[1])
