#!/usr/bin/python3
"""check-crontab.py CRONTAB - a strict reading of a user crontab.

Each entry (and each commented-out entry "# @reboot ..." or "# 30 0 ..."
that a user is meant to switch on) must have five valid time fields
(numbers in range, names, lists, ranges, steps) or an @keyword, and a
command in which every % is escaped (cron turns a bare % into a newline
and feeds the rest to the command's standard input).  Prints the
entries, one a line, as "SCHEDULE<TAB>COMMAND" with the command as cron
hands it to /bin/sh (\\% made %), or "ERROR line N: why" lines and exits 1.
"""
import re
import sys

FIELDS = [  # name, low, high, names
    ("minute", 0, 59, None),
    ("hour", 0, 23, None),
    ("day of month", 1, 31, None),
    ("month", 1, 12, "jan feb mar apr may jun jul aug sep oct nov dec".split()),
    ("day of week", 0, 7, "sun mon tue wed thu fri sat".split()),
]
KEYWORDS = {"@reboot", "@yearly", "@annually", "@monthly", "@weekly",
            "@daily", "@midnight", "@hourly"}
ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*=")


def value(tok, low, high, names):
    if names and tok.lower() in names:
        return names.index(tok.lower()) + (1 if low == 1 else 0)
    if not tok.isdigit():
        raise ValueError("%r is not a number%s" % (tok, " or a name" if names else ""))
    v = int(tok)
    if not low <= v <= high:
        raise ValueError("%d is out of %d-%d" % (v, low, high))
    return v


def check_field(text, low, high, names):
    for item in text.split(","):
        rng, _, step = item.partition("/")
        if step and (not step.isdigit() or int(step) == 0):
            raise ValueError("bad step %r" % step)
        if rng == "*":
            continue
        a, dash, b = rng.partition("-")
        lo = value(a, low, high, names)
        if dash and value(b, low, high, names) < lo:
            raise ValueError("range %r runs backwards" % rng)
        if step and not dash:
            raise ValueError("a step needs * or a range: %r" % item)


def unescape(cmd):
    """The command as cron runs it, or ValueError on a bare %."""
    out, i = [], 0
    while i < len(cmd):
        if cmd[i] == "\\" and i + 1 < len(cmd) and cmd[i + 1] == "%":
            out.append("%")
            i += 2
            continue
        if cmd[i] == "%":
            raise ValueError("bare %% at column %d: cron would cut the command there" % (i + 1))
        out.append(cmd[i])
        i += 1
    return "".join(out)


def entry(text):
    if text.split()[0].startswith("@"):
        kw, _, cmd = text.partition(" ")
        if kw not in KEYWORDS:
            raise ValueError("unknown keyword %s" % kw)
        sched = kw
    else:
        parts = text.split(None, 5)
        if len(parts) < 6:
            raise ValueError("needs five time fields and a command")
        for (name, low, high, names), f in zip(FIELDS, parts[:5]):
            try:
                check_field(f, low, high, names)
            except ValueError as e:
                raise ValueError("%s field %r: %s" % (name, f, e))
        sched, cmd = " ".join(parts[:5]), parts[5]
    cmd = cmd.strip()
    if not cmd:
        raise ValueError("no command")
    return sched, unescape(cmd)


def main(path):
    bad = 0
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            text = line.strip()
            commented = re.match(r"^#\s*(@[a-z]+|[0-9*][0-9*,/-]*\s+[0-9*])", text)
            if commented:
                text = text.lstrip("#").strip()
            elif not text or text.startswith("#") or ENV.match(text):
                continue
            try:
                sched, cmd = entry(text)
            except ValueError as e:
                print("ERROR line %d: %s" % (n, e))
                bad += 1
                continue
            print("%s\t%s" % (sched, cmd))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
