#!/usr/bin/python3
"""A real SMTP listener on loopback for jwo-edge's tests (Debian's python3-aiosmtpd).

Stores every accepted message as DIR/<n>.eml (the bytes received, headers included) plus
DIR/<n>.json (envelope: mail_from, rcpt_tos, tls, auth_user), and can misbehave on command:

  smtp_sink.py --dir DIR [--port 0] [--tls-cert PEM --tls-key PEM [--require-starttls]]
               [--auth USER:PASSWORD] [--reject-rcpt ADDR:CODE] [--hang-data]

Prints "listening PORT" on stdout once bound; runs until killed.
  --reject-rcpt a@b:550  answers RCPT TO:<a@b> with 550 (451 for a temporary refusal)
  --hang-data            accepts DATA and never answers it (the client cannot know the outcome)
"""
import argparse
import asyncio
import json
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, directory, reject, hang):
        self.directory = directory
        self.reject = reject
        self.hang = hang
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.reject.get(address.lower())
        if code is not None:
            return f"{code} {'Requested action not taken: mailbox unavailable' if code >= 500 else 'Try again later'}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hang:
            await asyncio.sleep(3600)
        with self.lock:
            self.count += 1
            n = self.count
        base = os.path.join(self.directory, f"{n:04d}")
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "auth_user": (session.auth_data.login.decode()
                          if isinstance(session.auth_data, LoginPassword) else None),
        }
        with open(base + ".json", "w") as f:
            json.dump(meta, f)
        os.rename(base + ".eml.tmp", base + ".eml")  # the .eml appears last: a reader sees both
        return "250 Message accepted for delivery"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--auth")
    p.add_argument("--reject-rcpt", action="append", default=[])
    p.add_argument("--hang-data", action="store_true")
    a = p.parse_args()

    reject = {}
    for r in a.reject_rcpt:
        addr, code = r.rsplit(":", 1)
        reject[addr.lower()] = int(code)
    kwargs = {}
    if a.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        kwargs["tls_context"] = ctx
        kwargs["require_starttls"] = a.require_starttls
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
                  and auth_data.password.decode() == password)
            # handled=False: aiosmtpd answers 235 or 535 itself.
            return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

        kwargs["authenticator"] = authenticator
        kwargs["auth_required"] = True
        # AUTH over plain text only when the test has no TLS at all.
        kwargs["auth_require_tls"] = bool(a.tls_cert)

    handler = Handler(a.dir, reject, a.hang_data)
    port = a.port
    if port == 0:
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print(f"listening {port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    sys.exit(main())
