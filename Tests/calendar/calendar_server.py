#!/usr/bin/env python3
"""A calendar server on loopback for Lodestar's subscription tests, as Google's and Outlook's secret
addresses behave: /cal/NAME serves FOLDER/NAME as text/calendar with an ETag and Last-Modified, and
answers 304 to a matching If-None-Match; the test changes the file between refreshes. Misbehaving
addresses for the refusals: /slow/SECONDS, /big/MEGABYTES (no Content-Length), /page (HTML),
/status/CODE, /redirect?to=URL. Every request is written to FOLDER/requests.log as "METHOD PATH STATUS".
Prints "ready" when it listens.
"""
import argparse
import hashlib
import os
import time
import urllib.parse
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--folder", required=True)
arguments = parser.parse_args()
os.makedirs(arguments.folder, exist_ok=True)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self, status):
        with open(os.path.join(arguments.folder, "requests.log"), "a") as log:
            log.write(f"{self.command} {self.path} {status}\n")

    def answer(self, status, body=b"", headers=()):
        self.record(status)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        if parts[0] == "cal" and len(parts) == 2:
            path = os.path.join(arguments.folder, os.path.basename(parts[1]))
            if not os.path.exists(path):
                return self.answer(404, b"not found")
            body = open(path, "rb").read()
            etag = '"' + hashlib.sha1(body).hexdigest() + '"'
            modified = formatdate(os.path.getmtime(path), usegmt=True)
            if self.headers.get("If-None-Match") == etag:
                return self.answer(304, headers=[("ETag", etag)])
            return self.answer(200, body, [("Content-Type", "text/calendar; charset=utf-8"), ("ETag", etag), ("Last-Modified", modified)])
        if parts[0] == "slow":
            time.sleep(float(parts[1]))
            return self.answer(200, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", [("Content-Type", "text/calendar")])
        if parts[0] == "big":
            self.record(200)
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"BEGIN:VCALENDAR\r\n" + b"X-PADDING:" + b"x" * 1000 + b"\r\n"
            try:
                for _ in range(int(float(parts[1]) * 1024)):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
            return
        if parts[0] == "page":
            return self.answer(200, b"<!doctype html><title>Sign in</title><p>Sign in to see this calendar.", [("Content-Type", "text/html")])
        if parts[0] == "status":
            return self.answer(int(parts[1]), b"no")
        if parts[0] == "redirect":
            target = urllib.parse.parse_qs(url.query)["to"][0]
            return self.answer(302, headers=[("Location", target)])
        self.answer(404, b"not found")


server = ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
print("ready", flush=True)
server.serve_forever()
