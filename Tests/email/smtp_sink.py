"""A real SMTP server for the tests (aiosmtpd), on loopback: every message it accepts is written to a folder as
<n>.eml, with the envelope in <n>.json. It can refuse the first N messages for now (451), refuse for good (550),
offer STARTTLS or speak TLS from the start with a given certificate, and require AUTH (PLAIN and LOGIN).

    python3 Tests/email/smtp_sink.py --port 2525 --folder /tmp/mail [--refuse-first 2] [--refuse-always]
        [--starttls cert.pem key.pem] [--implicit-tls cert.pem key.pem] [--user name:password] [--delay seconds]

Prints "ready <port>" once it listens, and runs until killed."""

import argparse
import asyncio
import json
import os
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, folder, refuse_first, refuse_always, delay, implicit_tls):
        self.delay = delay
        self.implicit_tls = implicit_tls
        self.folder = folder
        self.refuse_first = refuse_first
        self.refuse_always = refuse_always
        self.seen = 0

    async def handle_DATA(self, server, session, envelope):
        self.seen += 1
        if self.refuse_always:
            return "550 5.1.1 Mailbox unavailable"
        if self.seen <= self.refuse_first:
            return "451 4.3.0 Try again later"
        n = len([name for name in os.listdir(self.folder) if name.endswith(".eml")]) + 1
        with open(os.path.join(self.folder, f"{n}.json.part"), "w") as file:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos, "tls": session.ssl is not None or self.implicit_tls,
                       "authenticated": bool(session.authenticated)}, file)
        with open(os.path.join(self.folder, f"{n}.eml.part"), "wb") as file:
            file.write(envelope.original_content)
        os.rename(os.path.join(self.folder, f"{n}.json.part"), os.path.join(self.folder, f"{n}.json"))
        os.rename(os.path.join(self.folder, f"{n}.eml.part"), os.path.join(self.folder, f"{n}.eml"))
        # Kept, then answered late: a client stopped meanwhile never hears that its message was taken.
        await asyncio.sleep(self.delay)
        return "250 2.0.0 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--folder", required=True)
    parser.add_argument("--refuse-first", type=int, default=0)
    parser.add_argument("--refuse-always", action="store_true")
    parser.add_argument("--starttls", nargs=2)
    parser.add_argument("--implicit-tls", nargs=2)
    parser.add_argument("--user")
    parser.add_argument("--delay", type=float, default=0)
    arguments = parser.parse_args()
    os.makedirs(arguments.folder, exist_ok=True)
    options = {}
    if arguments.starttls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*arguments.starttls)
        options.update(tls_context=context, require_starttls=True)
    if arguments.implicit_tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*arguments.implicit_tls)
        options.update(ssl_context=context)
    if arguments.user:
        name, password = arguments.user.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == name and auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

        options.update(authenticator=authenticator, auth_required=True,
                       # With TLS from the start aiosmtpd does not know the line is secure; AUTH is then offered at once.
                       auth_require_tls=bool(arguments.starttls))
    controller = Controller(Sink(arguments.folder, arguments.refuse_first, arguments.refuse_always, arguments.delay,
                                 # With TLS from the start nothing but TLS reaches the handler (aiosmtpd records only STARTTLS).
                                 bool(arguments.implicit_tls)),
                            hostname="127.0.0.1", port=arguments.port, server_hostname="localhost", **options)
    controller.start()
    print(f"ready {arguments.port}", flush=True)
    parent = os.getppid()

    async def while_the_test_runs():
        # A test killed before it could stop the sink leaves it without a parent: stop then.
        while os.getppid() == parent:
            await asyncio.sleep(1)

    try:
        asyncio.run(while_the_test_runs())
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
