"""Proof under faults: the real `lodestar` binary is killed (SIGKILL) inside the write transactions of large
imports (from the command line and from the import page) and in the middle of walkthrough writes (on SQLite and
on PostgreSQL), then restarted, and the database is checked; an upload is shown to stream to disk; a backup is
taken while walkthroughs are written, restored, and checked. Run by Scripts/test-all after the build
(LODESTAR_BINARY, default the debug build; LODESTAR_FAULTS_POSTGRES_URL, a PostgreSQL database the tests may wipe).

Where a kill lands is observed, not guessed: an import is killed only once SQLite's write lock has been held
without a break for a share of the time an uninterrupted run holds it, and is still held at a last look.
Checks after each kill: SQLite's integrity check passes; the interrupted tables hold exactly what they held
before, row for row (a digest of every row); every walkthrough the server acknowledged (201) is there with all
its marks; the maintained rollups equal a rebuild from the raw rows; the server starts again and serves.
"""
import email
import email.policy
import hashlib
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
from district_benchmark import PASSWORD, PRINCIPAL, SCHOOL, Client, Server  # noqa: E402

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


FEEDBACK_DAYS = "SELECT day, school_id, first_visit_at, last_visit_at, visits, shared, within_a_day, replied, waits, teachers FROM rollup_feedback_days ORDER BY day, school_id"


def rollups(database):
    """The rollup rows with any count, as the dashboards read them."""
    with sqlite3.connect(database) as db:
        return (sorted(db.execute("SELECT id, visits, seen FROM rollup_indicator_months WHERE visits != 0 OR seen != 0")),
                sorted(db.execute("SELECT id, evidence, at_or_above FROM rollup_mastery_months WHERE evidence != 0 OR at_or_above != 0")),
                sorted(db.execute(FEEDBACK_DAYS)))


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


def digest(database, tables, skip=(), where=None):
    """A SHA-256 of every row of `tables`, in order, leaving out the columns in `skip` (times of writing) and the rows
    `where` leaves out (by table)."""
    hashed = hashlib.sha256()
    with sqlite3.connect(database) as db:
        for table in tables:
            columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})") if row[1] not in skip]
            hashed.update(table.encode())
            condition = f"WHERE {(where or {})[table]}" if table in (where or {}) else ""
            for row in db.execute(f"SELECT {', '.join(columns)} FROM {table} {condition} ORDER BY {', '.join(columns)}"):
                hashed.update(repr(row).encode())
    return hashed.hexdigest()


def write_lock_held(database):
    """Whether some connection holds SQLite's write lock now: a write transaction is open (ours is let go at once)."""
    db = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            return True
        raise
    finally:
        db.close()


def watch_write_lock(process, database, kill_after=None):
    """Watches SQLite's write lock while `process` runs. Without `kill_after`: returns the longest time the lock
    was held without a break (the import's one write transaction). With it: once the lock has been held that
    long without a break, and is still held at a last look, kills the process (SIGKILL) and returns True: the kill
    landed inside the write transaction. False if the process ended first."""
    since, longest = None, 0.0
    while process.poll() is None:
        if write_lock_held(database):
            since = since or time.time()
            longest = max(longest, time.time() - since)
            if kill_after is not None and time.time() - since >= kill_after and write_lock_held(database):
                process.kill()
                process.wait()
                return True
        else:
            since = None
        time.sleep(0.005)
    return longest if kill_after is None else False


def start(database, *arguments):
    return subprocess.Popen([BINARY, *arguments], env={**os.environ, "DATABASE_PATH": database, "LOG_LEVEL": "error"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def longest_write(database, *arguments):
    process = start(database, *arguments)
    held = watch_write_lock(process, database)
    assert process.returncode == 0, f"lodestar {' '.join(arguments)} failed"
    return held


SCORE_TABLES = ["scores", "assessments", "assessment_standards", "rollup_mastery_months"]
WRITTEN_AT = ("created_at", "entered_at")


def test_an_import_killed_inside_its_transaction_leaves_nothing(district, tmp_path):
    # An uninterrupted run gives the expected content and how long each import holds the write lock.
    reference = str(tmp_path / "reference.sqlite")
    lodestar(reference, "rollups", "rebuild")  # creates and migrates an empty database
    roster_write = longest_write(reference, "import", "oneroster", district["roster"])
    full = digest(reference, ROSTER_TABLES)
    for standards in district["standards"]:
        lodestar(reference, "import", "case", standards)
    results_write = longest_write(reference, "import", "results", district["results"])
    scored = digest(reference, SCORE_TABLES, skip=WRITTEN_AT)
    assert counts(reference, ["students"])["students"] > 10_000 and counts(reference, ["scores"])["scores"] == 200_000
    assert roster_write > 0.5 and results_write > 0.5, "the imports held the write lock too briefly to kill inside"

    database = str(tmp_path / "killed.sqlite")
    lodestar(database, "rollups", "rebuild")
    empty = digest(database, ROSTER_TABLES)
    for share in (0.3, 0.7):
        assert watch_write_lock(start(database, "import", "oneroster", district["roster"]), database, roster_write * share), \
            "the import finished before the kill"
        KILLS["survived"] += 1
        assert intact(database)
        assert digest(database, ROSTER_TABLES) == empty
    lodestar(database, "import", "oneroster", district["roster"])
    assert digest(database, ROSTER_TABLES) == full
    for standards in district["standards"]:
        lodestar(database, "import", "case", standards)
    before = digest(database, SCORE_TABLES)
    for share in (0.3, 0.7):
        assert watch_write_lock(start(database, "import", "results", district["results"]), database, results_write * share), \
            "the import finished before the kill"
        KILLS["survived"] += 1
        assert intact(database)
        assert digest(database, SCORE_TABLES) == before
        assert rollups_equal_a_rebuild(database)
    lodestar(database, "import", "results", district["results"])
    assert digest(database, SCORE_TABLES, skip=WRITTEN_AT) == scored
    assert rollups_equal_a_rebuild(database)


def multipart(fields, file_field, file_name, path):
    """A multipart/form-data body read from `path` as a browser sends it."""
    boundary = uuid.uuid4().hex
    body = b"".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode() for name, value in fields.items())
    body += f"--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{file_name}\"\r\nContent-Type: application/zip\r\n\r\n".encode()
    with open(path, "rb") as file:
        body += file.read()
    return f"multipart/form-data; boundary={boundary}", body + f"\r\n--{boundary}--\r\n".encode()


def upload(client, path, content_type, body, timeout=600):
    request = urllib.request.Request(client.base + path, body, method="POST", headers={"Content-Type": content_type, "Cookie": client.cookie})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def upload_until_killed(client, path, content_type, body):
    """An upload whose server is killed before it answers: the connection closes unanswered."""
    try:
        upload(client, path, content_type, body)
    except (urllib.error.URLError, ConnectionError, OSError):
        pass


def admin_database(path):
    """An empty, migrated database with one district admin, who signs in with the demo password."""
    lodestar(path, "rollups", "rebuild")
    subprocess.run([BINARY, "user", "add", ADMIN, "--role", "district_admin", "--password-stdin"], input=PASSWORD + "\n", text=True, check=True,
                   env={**os.environ, "DATABASE_PATH": path, "LOG_LEVEL": "error"}, capture_output=True)


ADMIN = "admin@faults.example.org"


def test_a_roster_upload_killed_inside_its_transaction_leaves_nothing(district, tmp_path):
    """The roster sent from the import page, the server killed while the import holds the write lock."""
    bundle = shutil.make_archive(str(tmp_path / "roster"), "zip", district["roster"])
    database = str(tmp_path / "upload.sqlite")
    admin_database(database)
    before = digest(database, ROSTER_TABLES)
    for attempt, after in enumerate((0.2, 1.0)):
        server = Server(BINARY, database, 8170 + attempt)
        client = Client(f"http://127.0.0.1:{server.port}")
        client.sign_in(ADMIN)
        content_type, body = multipart({"_csrf": client.csrf}, "bundle", "roster.zip", bundle)
        sent = threading.Thread(target=upload_until_killed, args=(client, "/admin/import", content_type, body), daemon=True)
        sent.start()
        assert watch_write_lock(server.process, database, after), "the upload's import finished before the kill"
        sent.join(timeout=30)
        KILLS["survived"] += 1
        assert intact(database)
        assert digest(database, ROSTER_TABLES) == before
    # The server starts again, and the same upload then imports the whole roster (the page waits for it a minute,
    # rather than sending the admin to the import's own page after three seconds).
    server = Server(BINARY, database, 8172, {"LODESTAR_IMPORT_WAIT_SECONDS": "60"})
    client = Client(f"http://127.0.0.1:{server.port}")
    client.sign_in(ADMIN)
    content_type, body = multipart({"_csrf": client.csrf}, "bundle", "roster.zip", bundle)
    status, page = upload(client, "/admin/import", content_type, body)
    server.stop()
    assert status == 200, page[-2000:]
    reference = str(tmp_path / "reference.sqlite")
    admin_database(reference)
    lodestar(reference, "import", "oneroster", district["roster"])
    # The roster as the command line imports it; the admin's own account (made apart in each database) left out.
    rostered = {"staff": "id NOT LIKE 'local-%'", "role_grants": "staff_id NOT LIKE 'local-%'"}
    assert digest(database, ROSTER_TABLES, where=rostered) == digest(reference, ROSTER_TABLES, where=rostered)


def test_an_upload_is_streamed_to_disk_and_removed(tmp_path):
    """A 200 MB upload from a district admin is written to a temporary file as it arrives, not held in memory, and the
    file is gone once the page has answered."""
    database = str(tmp_path / "stream.sqlite")
    admin_database(database)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    large = tmp_path / "large.zip"
    with open(large, "wb") as file:
        for _ in range(200):
            file.write(os.urandom(1024 * 1024))
    server = Server(BINARY, database, 8175, environment={"TMPDIR": str(temporary)})
    try:
        client = Client(f"http://127.0.0.1:{server.port}")
        client.sign_in(ADMIN)
        baseline = server.peak_memory_mb()
        content_type, body = multipart({"_csrf": client.csrf}, "bundle", "large.zip", large)
        status, page = upload(client, "/admin/import", content_type, body)
        assert status == 422 and "is not a zip file" in page, page[-2000:]
        grown = server.peak_memory_mb() - baseline
        assert grown < 100, f"the server grew by {grown:.0f} MB for a 200 MB upload"
        assert os.listdir(temporary) == []
    finally:
        server.stop()


class WalkthroughWriter(threading.Thread):
    """Posts walkthroughs one after another as the principal and keeps the ids the server acknowledged."""

    TEACHERS = f"SELECT staff_id FROM role_grants WHERE role = 'teacher' AND school_id = '{SCHOOL}' ORDER BY staff_id"
    KEYS = ("SELECT DISTINCT indicator_key FROM indicator_marks WHERE walkthrough_id IN (SELECT id FROM walkthroughs WHERE framework_id = "
            "(SELECT id FROM frameworks WHERE is_active ORDER BY version DESC LIMIT 1) LIMIT 20) ORDER BY indicator_key")

    def __init__(self, base, database, query=None):
        """`query(sql)` gives the rows of the server's database; by default `database` is read as SQLite."""
        super().__init__(daemon=True)
        self.client = Client(base)
        self.client.sign_in(PRINCIPAL)
        if query is None:
            def query(sql):
                with sqlite3.connect(database) as db:
                    return list(db.execute(sql))
        self.teachers = [row[0] for row in query(self.TEACHERS)]
        self.keys = [row[0] for row in query(self.KEYS)]
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


def kill_while_writing(server, writers):
    """Starts the writers, kills the server (SIGKILL) two to four seconds later, and returns the walkthroughs it acknowledged."""
    for writer in writers:
        writer.start()
    time.sleep(random.uniform(2, 4))
    server.process.kill()
    server.process.wait()
    for writer in writers:
        writer.join(timeout=15)
    KILLS["survived"] += 1
    written = [i for writer in writers for i in writer.acknowledged]
    assert len(written) > 5, "the server acknowledged too few walkthroughs to test"
    return written


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
        writers = [WalkthroughWriter(f"http://127.0.0.1:{server.port}", database) for _ in range(4)]
        acknowledged += kill_while_writing(server, writers)
        assert intact(database)
        assert missing_or_partial(database, acknowledged, len(writers[0].keys)) == []
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


POSTGRES = os.environ.get("LODESTAR_FAULTS_POSTGRES_URL")


def psql(sql):
    """Rows of a query on the fault tests' PostgreSQL database, through Debian's psql (fields split on tabs)."""
    result = subprocess.run(["psql", POSTGRES, "-v", "ON_ERROR_STOP=1", "-tA", "-F", "\t", "-c", sql], capture_output=True, text=True, check=True)
    return [tuple(line.split("\t")) for line in result.stdout.splitlines() if line]


def postgres_rollups():
    return (psql("SELECT id, visits, seen FROM rollup_indicator_months WHERE visits != 0 OR seen != 0 ORDER BY id"),
            psql("SELECT id, evidence, at_or_above FROM rollup_mastery_months WHERE evidence != 0 OR at_or_above != 0 ORDER BY id"),
            psql(FEEDBACK_DAYS))


@pytest.mark.skipif(not POSTGRES, reason="LODESTAR_FAULTS_POSTGRES_URL is not set (Scripts/test-all sets it)")
def test_every_acknowledged_walkthrough_survives_a_kill_on_postgresql(tmp_path):
    """The same kills with Lodestar on PostgreSQL: four writers, the server killed (SIGKILL) with writes in flight."""
    psql("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
    environment = {**os.environ, "DATABASE_URL": POSTGRES, "LOG_LEVEL": "error"}
    subprocess.run([BINARY, "demo", "--size", "small"], env=environment, capture_output=True, check=True)
    acknowledged, keys = [], 0
    for kill in range(3):
        server = Server(BINARY, str(tmp_path / f"postgres-{kill}"), 8186 + kill, environment={"DATABASE_URL": POSTGRES})
        writers = [WalkthroughWriter(f"http://127.0.0.1:{server.port}", None, query=psql) for _ in range(4)]
        keys = len(writers[0].keys)
        acknowledged += kill_while_writing(server, writers)
        ids = ",".join(f"'{i}'" for i in acknowledged)
        found = dict(psql(f"SELECT w.id, (SELECT count(*) FROM indicator_marks m WHERE m.walkthrough_id = w.id) FROM walkthroughs w WHERE w.id IN ({ids})"))
        assert [i for i in acknowledged if found.get(i) != str(keys)] == []
    maintained = postgres_rollups()
    subprocess.run([BINARY, "rollups", "rebuild"], env=environment, capture_output=True, check=True)
    assert postgres_rollups() == maintained
    print(f"\nkills on PostgreSQL survived: 3; acknowledged walkthroughs checked: {len(acknowledged)}")


def test_email_survives_a_kill_during_delivery_and_goes_twice_only_when_accepted_but_not_recorded(demo_database, tmp_path):
    """Twelve feedback emails (and the demo's own notifications), and the server killed (SIGKILL) while the SMTP server (aiosmtpd) is taking one of
    them: after a restart every email arrives, and the only one that can arrive twice is the one the SMTP server
    had taken but Lodestar had not yet recorded (the case the README documents)."""
    database = str(tmp_path / "mail.sqlite")
    shutil.copy(demo_database, database)
    folder = tmp_path / "mail"
    port = 8196
    sink = subprocess.Popen([sys.executable, os.path.join(ROOT, "Tests", "email", "smtp_sink.py"), "--port", str(port), "--folder", str(folder),
                             "--delay", "1.5"], stdout=subprocess.PIPE, text=True)
    assert sink.stdout.readline().startswith("ready")
    mail = {"LODESTAR_SMTP_URL": f"smtp://127.0.0.1:{port}?starttls=off", "LODESTAR_EMAIL_FROM": "lodestar@cedarvalley.example.org",
            "LODESTAR_PUBLIC_URL": "http://127.0.0.1:8197"}
    server = None
    try:
        # Twelve teachers, one shared visit each, before the worker's first round can send anything.
        with sqlite3.connect(database) as db:
            teachers = [row[0] for row in db.execute(WalkthroughWriter.TEACHERS)][:12]
            demo_feedback = db.execute("SELECT count(*) FROM notifications WHERE kind = 'feedback'").fetchone()[0]
        server = Server(BINARY, database, 8197, environment=mail)
        writer = WalkthroughWriter(f"http://127.0.0.1:{server.port}", database)
        for n, teacher in enumerate(teachers):
            body = json.dumps({"id": str(uuid.uuid4()), "teacherId": teacher, "visitType": "informal", "announced": False,
                               "observedAt": int(time.time()) - 600 - n, "notes": [],
                               "marks": [{"indicator": key, "mark": "observed", "lookFors": []} for key in writer.keys], "glow": "Students explained their thinking.",
                               "grow": "", "question": "", "share": True}).encode()
            request = urllib.request.Request(writer.client.base + "/api/walkthroughs", body, method="POST",
                                             headers={"Content-Type": "application/json", "X-CSRF-Token": writer.client.csrf, "Cookie": writer.client.cookie})
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 201
        # Killed while the SMTP server holds a message (it answers each after 1.5 s): after the third has arrived.
        deadline = time.time() + 60
        while len(list(folder.glob("*.eml"))) < 3 and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.7)
        server.process.kill()
        server.process.wait()
        KILLS["survived"] += 1
        with sqlite3.connect(database) as db:
            sent = db.execute("SELECT count(*) FROM email_outbox WHERE state = 'sent'").fetchone()[0]
            in_flight = {row[0] for row in db.execute("SELECT id FROM email_outbox WHERE state = 'pending' AND claimed_until IS NOT NULL")}
            # The claims of the killed server run out (they last five minutes): moved into the past here.
            db.execute("UPDATE email_outbox SET claimed_until = 0 WHERE claimed_until IS NOT NULL")
        assert sent > 0 and in_flight
        time.sleep(2)  # the SMTP server finishes the message it held
        server = Server(BINARY, database, 8197, environment=mail)
        deadline = time.time() + 120
        while time.time() < deadline:
            with sqlite3.connect(database) as db:
                if db.execute("SELECT count(*) FROM notifications WHERE emailed = 'due'").fetchone()[0] == 0 and \
                        db.execute("SELECT count(*) FROM email_outbox WHERE state <> 'sent'").fetchone()[0] == 0:
                    break
            time.sleep(0.5)
        server.stop()
        with sqlite3.connect(database) as db:
            outbox = dict(db.execute("SELECT id, state FROM email_outbox"))
            # The demo's principals' Monday summaries go out too; every other email is a notification's.
            summaries = db.execute("SELECT count(*) FROM email_outbox WHERE kind = 'weekly_summary'").fetchone()[0]
            queued = db.execute("SELECT count(*) FROM notifications WHERE emailed = 'queued'").fetchone()[0]
            assert db.execute("SELECT count(*) FROM notifications WHERE kind = 'feedback' AND emailed = 'queued'").fetchone()[0] == demo_feedback + 12
    finally:
        if server and server.process.poll() is None:
            server.stop()
        sink.kill()
        sink.wait()
    received = [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)["Message-ID"].strip("<>").split("@")[0]
                for path in folder.glob("*.eml")]
    assert len(outbox) == queued + summaries and set(outbox.values()) == {"sent"}
    assert set(received) == set(outbox), "an email was lost"
    twice = {i for i in received if received.count(i) > 1}
    assert twice <= in_flight, f"sent twice though recorded: {twice - in_flight}"
    # The worker claims up to ten at a time but hands them over one by one: at most one was with the SMTP server.
    assert len(received) - len(set(received)) <= 1
    print(f"\nemails: {len(outbox)} delivered ({sent} before the kill, {len(in_flight)} in flight at it); arrived twice: {len(twice)}")
