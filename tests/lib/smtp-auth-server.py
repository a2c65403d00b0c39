#!/usr/bin/python3
"""smtp-auth-server.py - a loopback SMTP server with AUTH, for tests.

    /usr/bin/python3 tests/lib/smtp-auth-server.py --port-file FILE \
        --maildir DIR --user USER --password-file FILE [--log FILE]

Listens on 127.0.0.1, on a port the kernel picks, and writes the port
(digits and a newline) to --port-file once it accepts connections
(written beside it and renamed).  Offers AUTH PLAIN and LOGIN without
TLS (loopback only) and accepts USER with the password in
--password-file (first line); any other credentials get 535.  Each
message accepted is written to DIR as PID-N.eml (the DATA bytes) with
PID-N.env (MAIL FROM and RCPT TO, one a line).  --log gets one line per
AUTH attempt: "auth ok" or "auth failed" (never the credentials).
Stops on SIGTERM.
"""
import argparse
import asyncio
import os
import signal
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, maildir):
        self.maildir = maildir
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        base = os.path.join(self.maildir, "%d-%d" % (os.getpid(), self.n))
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".env", "w") as f:
            f.write(envelope.mail_from + "\n")
            f.write("".join(r + "\n" for r in envelope.rcpt_tos))
        return "250 OK"


def make_authenticator(user, password, log):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == user
              and auth_data.password.decode() == password)
        if log:
            with open(log, "a") as f:
                f.write("auth %s\n" % ("ok" if ok else "failed"))
        return AuthResult(success=ok)
    return authenticate


async def main(a):
    password = open(a.password_file).readline().rstrip("\n")
    handler = Handler(a.maildir)
    auth = make_authenticator(a.user, password, a.log)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, auth_require_tls=False, authenticator=auth,
                     hostname="smtp.test"),
        "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(a.port_file + ".tmp", a.port_file)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    warnings.simplefilter("ignore", DeprecationWarning)   # aiosmtpd's own
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--maildir", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password-file", required=True)
    ap.add_argument("--log")
    asyncio.run(main(ap.parse_args()))
