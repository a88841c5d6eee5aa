"""Proof under faults: the real `lodestar` binary is killed (SIGKILL) in the middle of large imports and of
walkthrough writes, then restarted, and the database is checked; a backup is taken while walkthroughs are
written, restored, and checked. Run by Scripts/test-all after the build (LODESTAR_BINARY, default the debug build).

Checks after each kill: SQLite's integrity check passes; an import is either all there or not at all (the
counts of the interrupted tables equal those before it or those of an uninterrupted run); every walkthrough
the server acknowledged (201) is there with all its marks; the maintained rollups equal a rebuild from the
raw rows; the server starts again and serves.
"""
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "Benchmarks"))
from district_benchmark import PRINCIPAL, SCHOOL, Client, Server  # noqa: E402

BINARY = os.environ.get("LODESTAR_BINARY", os.path.join(ROOT, ".build", "debug", "lodestar"))
ROSTER_TABLES = ["orgs", "academic_sessions", "courses", "classes", "staff", "students", "enrollments", "role_grants"]
KILLS = {"survived": 0}


def lodestar(database, *arguments, check=True):
    result = subprocess.run([BINARY, *arguments], env={**os.environ, "DATABASE_PATH": database, "LOG_LEVEL": "error"},
                            capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"lodestar {' '.join(arguments)} failed: {result.stdout}{result.stderr}")
    return result


def counts(database, tables):
    with sqlite3.connect(database) as db:
        return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables}


def intact(database):
    with sqlite3.connect(database) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def rollups(database):
    """The rollup rows with any count, as the dashboards read them."""
    with sqlite3.connect(database) as db:
        return (sorted(db.execute("SELECT id, visits, seen FROM rollup_indicator_months WHERE visits != 0 OR seen != 0")),
                sorted(db.execute("SELECT id, evidence, at_or_above FROM rollup_mastery_months WHERE evidence != 0 OR at_or_above != 0")))


def rollups_equal_a_rebuild(database):
    maintained = rollups(database)
    lodestar(database, "rollups", "rebuild")
    return rollups(database) == maintained


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    """The medium demo district as files: its roster (30 schools) and the first 200,000 of its results."""
    folder = tmp_path_factory.mktemp("district")
    lodestar(str(folder / "unused.sqlite"), "demo", "--size", "medium", "--export", str(folder / "export"))
    roster = folder / "roster"
    results = folder / "results"
    roster.mkdir()
    results.mkdir()
    for name in ["manifest.csv", "orgs.csv", "academicSessions.csv", "courses.csv", "classes.csv", "users.csv", "enrollments.csv", "demographics.csv"]:
        shutil.copy(folder / "export" / name, roster / name)
    shutil.copy(folder / "export" / "lineItems.csv", results / "lineItems.csv")
    with open(folder / "export" / "results.csv") as source, open(results / "results.csv", "w") as target:
        for n, line in enumerate(source):
            if n > 200_000:
                break
            target.write(line)
    return {"folder": folder, "roster": str(roster), "results": str(results),
            "standards": [str(folder / "export" / name) for name in sorted(os.listdir(folder / "export")) if name.endswith(".json")]}


def kill_during(database, arguments, after):
    """Starts `lodestar ARGUMENTS`, kills it with SIGKILL after `after` seconds; False if it finished first."""
    process = subprocess.Popen([BINARY, *arguments], env={**os.environ, "DATABASE_PATH": database, "LOG_LEVEL": "error"},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(after)
    if process.poll() is not None:
        return False
    process.kill()
    process.wait()
    return True


def timed(database, *arguments):
    start = time.time()
    lodestar(database, *arguments)
    return time.time() - start


def test_an_import_killed_midway_is_all_there_or_not_at_all(district, tmp_path):
    # An uninterrupted run gives the expected counts and how long each import takes.
    reference = str(tmp_path / "reference.sqlite")
    lodestar(reference, "rollups", "rebuild")  # creates and migrates an empty database
    empty = counts(reference, ROSTER_TABLES)
    roster_seconds = timed(reference, "import", "oneroster", district["roster"])
    full = counts(reference, ROSTER_TABLES)
    for standards in district["standards"]:
        lodestar(reference, "import", "case", standards)
    results_seconds = timed(reference, "import", "results", district["results"])
    scores = counts(reference, ["scores", "assessments"])
    assert full["students"] > 10_000 and scores["scores"] == 200_000

    database = str(tmp_path / "killed.sqlite")
    lodestar(database, "rollups", "rebuild")
    for share in (0.3, 0.7):
        assert kill_during(database, ["import", "oneroster", district["roster"]], roster_seconds * share), "the import finished before the kill"
        KILLS["survived"] += 1
        assert intact(database)
        assert counts(database, ROSTER_TABLES) in (empty, full)
    lodestar(database, "import", "oneroster", district["roster"])
    assert counts(database, ROSTER_TABLES) == full
    for standards in district["standards"]:
        lodestar(database, "import", "case", standards)
    before = counts(database, ["scores", "assessments"])
    for share in (0.3, 0.7):
        assert kill_during(database, ["import", "results", district["results"]], results_seconds * share), "the import finished before the kill"
        KILLS["survived"] += 1
        assert intact(database)
        assert counts(database, ["scores", "assessments"]) in (before, scores)
        assert rollups_equal_a_rebuild(database)
    lodestar(database, "import", "results", district["results"])
    assert counts(database, ["scores", "assessments"]) == scores
    assert rollups_equal_a_rebuild(database)


class WalkthroughWriter(threading.Thread):
    """Posts walkthroughs one after another as the principal and keeps the ids the server acknowledged."""

    def __init__(self, base, database):
        super().__init__(daemon=True)
        self.client = Client(base)
        self.client.sign_in(PRINCIPAL)
        with sqlite3.connect(database) as db:
            self.teachers = [row[0] for row in db.execute("SELECT staff_id FROM role_grants WHERE role = 'teacher' AND school_id = ?", [SCHOOL])]
            framework = db.execute("SELECT id FROM frameworks WHERE is_active = 1 ORDER BY version DESC LIMIT 1").fetchone()
            self.keys = sorted(row[0] for row in db.execute(
                "SELECT DISTINCT indicator_key FROM indicator_marks WHERE walkthrough_id IN (SELECT id FROM walkthroughs WHERE framework_id = ? LIMIT 20)", framework))
        self.acknowledged = []
        self.stopped = threading.Event()

    def run(self):
        n = 0
        while not self.stopped.is_set():
            n += 1
            walkthrough_id = str(uuid.uuid4())
            body = json.dumps({"id": walkthrough_id, "teacherId": self.teachers[n % len(self.teachers)], "visitType": "informal", "announced": False,
                               "observedAt": int(time.time()) - n, "marks": [{"indicator": key, "mark": random.choice(["observed", "not_observed"]), "lookFors": []}
                                                                           for key in self.keys],
                               "notes": [], "glow": "Students explained their thinking.", "grow": "", "question": "", "share": False}).encode()
            request = urllib.request.Request(self.client.base + "/api/walkthroughs", body, method="POST",
                                             headers={"Content-Type": "application/json", "X-CSRF-Token": self.client.csrf, "Cookie": self.client.cookie})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    if response.status == 201:
                        self.acknowledged.append(walkthrough_id)
            except (urllib.error.URLError, ConnectionError, OSError):
                return


def missing_or_partial(database, ids, marks):
    """Acknowledged walkthroughs that are not there, or not with all their marks."""
    with sqlite3.connect(database) as db:
        found = dict(db.execute(f"SELECT w.id, (SELECT count(*) FROM indicator_marks m WHERE m.walkthrough_id = w.id) FROM walkthroughs w "
                                f"WHERE w.id IN ({','.join('?' * len(ids))})", ids)) if ids else {}
    return [i for i in ids if found.get(i) != marks]


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory):
    """A database with the small demo district, loaded once."""
    database = str(tmp_path_factory.mktemp("demo") / "demo.sqlite")
    lodestar(database, "demo", "--size", "small")
    return database


def test_every_acknowledged_walkthrough_survives_a_kill(demo_database, tmp_path):
    database = str(tmp_path / "walkthroughs.sqlite")
    shutil.copy(demo_database, database)
    acknowledged = []
    for kill in range(3):
        server = Server(BINARY, database, 8180 + kill)
        writer = WalkthroughWriter(f"http://127.0.0.1:{server.port}", database)
        writer.start()
        time.sleep(random.uniform(2, 4))
        server.process.kill()
        server.process.wait()
        writer.join(timeout=15)
        KILLS["survived"] += 1
        assert len(writer.acknowledged) > 5, "the server acknowledged too few walkthroughs to test"
        acknowledged += writer.acknowledged
        assert intact(database)
        assert missing_or_partial(database, acknowledged, len(writer.keys)) == []
    assert rollups_equal_a_rebuild(database)
    # The server starts again on the database and serves.
    server = Server(BINARY, database, 8183)
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/signin", timeout=10) as response:
        assert response.status == 200
    server.stop()
    print(f"\nkills survived: {KILLS['survived']}; acknowledged walkthroughs checked: {len(acknowledged)}")


def test_a_backup_taken_during_writes_restores_to_a_consistent_database(demo_database, tmp_path):
    live = str(tmp_path / "live.sqlite")
    shutil.copy(demo_database, live)
    server = Server(BINARY, live, 8190)
    writer = WalkthroughWriter(f"http://127.0.0.1:{server.port}", live)
    writer.start()
    time.sleep(1.5)
    backup = str(tmp_path / "backup.sqlite")
    lodestar(live, "backup", backup)
    time.sleep(1)
    writer.stopped.set()
    writer.join(timeout=15)
    server.stop()
    assert "already exists" in lodestar(live, "backup", backup, check=False).stderr

    restored = str(tmp_path / "restored.sqlite")
    output = lodestar(restored, "restore", backup)
    assert "Restored" in output.stdout
    assert intact(restored)
    with sqlite3.connect(restored) as db:
        ours = [row[0] for row in db.execute(f"SELECT id FROM walkthroughs WHERE id IN ({','.join('?' * len(writer.acknowledged))})", writer.acknowledged)]
    assert 0 < len(ours) <= len(writer.acknowledged)
    assert missing_or_partial(restored, ours, len(writer.keys)) == []
    assert rollups_equal_a_rebuild(restored)

    # Restoring over a database keeps the one it replaces; a file that is not a Lodestar database is refused.
    again = lodestar(live, "restore", backup)
    kept = again.stdout.split("kept as ")[1].split(". ")[0]
    assert counts(kept, ["walkthroughs"])["walkthroughs"] >= counts(live, ["walkthroughs"])["walkthroughs"]
    notes = tmp_path / "notes.sqlite"
    notes.write_text("not a database")
    refused = lodestar(live, "restore", str(notes), check=False)
    assert refused.returncode != 0 and "nothing was restored" in refused.stderr


def test_a_shutdown_during_writes_lets_them_finish_and_never_crashes(demo_database, tmp_path):
    """SIGINT or SIGTERM while four capture pages send walkthroughs, eight times: the server exits cleanly
    (no crash in its log), and every walkthrough it acknowledged is there whole."""
    database = str(tmp_path / "shutdown.sqlite")
    shutil.copy(demo_database, database)
    acknowledged, keys = [], 0
    for attempt in range(8):
        server = Server(BINARY, database, 8200 + attempt)
        writers = [WalkthroughWriter(f"http://127.0.0.1:{server.port}", database) for _ in range(4)]
        keys = len(writers[0].keys)
        for writer in writers:
            writer.start()
        time.sleep(random.uniform(1.0, 2.5))
        server.process.send_signal(signal.SIGINT if attempt % 2 == 0 else signal.SIGTERM)
        code = server.process.wait(timeout=60)
        for writer in writers:
            writer.stopped.set()
            writer.join(timeout=15)
        server.log.close()
        with open(server.log.name) as log:
            text = log.read()
        assert code == 0, f"exit code {code} on shutdown {attempt}: {text[-2000:]}"
        assert "Fatal error" not in text and "Unexpectedly found nil" not in text, text[-2000:]
        written = [i for writer in writers for i in writer.acknowledged]
        assert len(written) > 5, "the server acknowledged too few walkthroughs to test"
        acknowledged += written
        assert intact(database)
        assert missing_or_partial(database, acknowledged, keys) == []
    assert rollups_equal_a_rebuild(database)
    print(f"\nshutdowns during writes: 8; acknowledged walkthroughs checked: {len(acknowledged)}")


def raw_request(port, data, read_timeout=10):
    """Sends bytes as they are (no client tidies the path) and returns the status line."""
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as connection:
        connection.sendall(data)
        answer = b""
        while b"\r\n" not in answer:
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
        return answer.split(b"\r\n", 1)[0].decode(errors="replace")


def test_no_request_of_any_shape_stops_the_server(demo_database, tmp_path):
    database = str(tmp_path / "hostile.sqlite")
    shutil.copy(demo_database, database)
    server = Server(BINARY, database, 8210)
    try:
        for path in ["/%ff", "/../Package.swift", "/css/%2e%2e/%2e%2e/Package.swift", "/css/../../Package.swift", "/%", "/%00",
                     "/js/%c0%ae%c0%ae/Package.swift", "//etc/passwd", "/" + "a" * 8000]:
            status = raw_request(server.port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            assert status.split(" ")[1] in ("400", "403", "404", "414", "431"), f"{path[:60]}: {status}"
            assert server.process.poll() is None, f"the server stopped after GET {path}"
        # A 200 MB upload announced by someone signed out is answered at once, its body unread.
        started = time.time()
        status = raw_request(server.port, b"POST /admin/import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                                          b"Content-Length: 209715200\r\n\r\n--x\r\n" + b"A" * 65536)
        assert status.split(" ")[1] in ("303", "403"), status
        assert time.time() - started < 5
        status = raw_request(server.port, b"POST /signin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                                          b"Content-Length: 209715200\r\n\r\n--x\r\n" + b"A" * 65536)
        assert status.split(" ")[1] == "403", status
        with open(f"/proc/{server.process.pid}/status") as proc:
            memory = next(int(line.split()[1]) for line in proc if line.startswith("VmHWM:")) / 1024
        assert memory < 400, f"the server grew to {memory:.0f} MB"
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/signin", timeout=10) as response:
            assert response.status == 200
    finally:
        server.stop()
