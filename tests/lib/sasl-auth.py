#!/usr/bin/python3
"""sasl-auth.py SOCKET USER PASSWORD [MECHS] - the password check behind the
tests' Postfix: Dovecot's authentication protocol (what Postfix speaks
with smtpd_sasl_type = dovecot) on a UNIX socket, for one user, with the
PLAIN and LOGIN mechanisms (MECHS, e.g. "LOGIN", offers fewer).  Postfix itself runs the SMTP AUTH exchange;
this only says yes or no.  (Debian's Postfix does not hand
cyrus_sasl_config_path to Cyrus SASL, which then insists on /etc/sasldb2:
a shared system file no test may write.)
"""
import base64
import os
import socketserver
import sys

SOCKET, USER, PASSWORD = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
MECHS = (sys.argv[4] if len(sys.argv) > 4 else 'PLAIN LOGIN').split()


def b64(s):
    return base64.b64encode(s).decode()


class Handler(socketserver.StreamRequestHandler):
    def send(self, *fields):
        self.wfile.write(('\t'.join(fields) + '\n').encode())
        self.wfile.flush()

    def verdict(self, rid, user, password):
        if user == USER and password == PASSWORD:
            self.send('OK', rid, 'user=' + user.decode(errors='replace'))
        else:
            self.send('FAIL', rid, 'user=' + user.decode(errors='replace'))

    def handle(self):
        self.send('VERSION', '1', '2')
        for mech in MECHS:
            self.send('MECH', mech, 'plaintext')
        self.send('SPID', str(os.getpid()))
        self.send('CUID', '1')
        self.send('COOKIE', '0' * 32)
        self.send('DONE')
        pending = {}   # request id -> (mechanism, what was received so far)
        for line in self.rfile:
            f = line.decode(errors='replace').rstrip('\n').split('\t')
            if f[0] == 'AUTH':
                rid, mech = f[1], f[2].upper()
                resp = next((x[5:] for x in f[3:] if x.startswith('resp=')), None)
                pending[rid] = (mech, [])
                if resp is not None:
                    self.step(rid, resp, pending)
                else:
                    self.send('CONT', rid, '' if mech == 'PLAIN' else b64(b'Username:'))
            elif f[0] == 'CONT' and f[1] in pending:
                self.step(f[1], f[2] if len(f) > 2 else '', pending)

    def step(self, rid, data, pending):
        mech, got = pending[rid]
        try:
            raw = base64.b64decode(data, validate=True)
        except ValueError:
            raw = b''
        if mech == 'PLAIN':
            parts = raw.split(b'\0')
            del pending[rid]
            return self.verdict(rid, parts[1] if len(parts) == 3 else b'', parts[-1])
        got.append(raw)
        if len(got) == 1:
            return self.send('CONT', rid, b64(b'Password:'))
        del pending[rid]
        self.verdict(rid, got[0], got[1])


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


if os.path.exists(SOCKET):
    os.unlink(SOCKET)
server = Server(SOCKET, Handler)
os.chmod(SOCKET, 0o666)
print('ready', flush=True)
server.serve_forever()
