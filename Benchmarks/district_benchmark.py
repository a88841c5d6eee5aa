#!/usr/bin/env python3
"""The large-district benchmark: Lodestar beside sqlite3 and DuckDB on the same data, in one run.

Run after a release build (see BENCHMARKS.md):

    swift build -c release --product lodestar
    python3 Benchmarks/district_benchmark.py

It prints a table with ratios. Nothing here is a pass/fail test, except the DuckDB cross-check:
the five dashboards' numbers must equal DuckDB's, computed from the raw rows, or the run fails.
"""
import argparse
import calendar
import glob
import http.cookiejar
import importlib.util
import itertools
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "lodestar-demo"
DISTRICT_LEADER = "angela.brooks@cedarvalley.example.org"
PRINCIPAL = "jada.green@cedarvalley.example.org"
SCHOOL = "school-1"
TIME_ZONE = "America/New_York"
MINIMUM_GROUP = 10


def log(message):
    print(message, file=sys.stderr, flush=True)


# `--clock`: Lodestar runs with its clock set there (Debian's faketime), and the checks count from that clock.
CLOCK = {"start": None, "real": None}


def clock_command(command):
    """With --clock, Lodestar's commands run under Debian's `faketime`, their clock starting at the given time."""
    if CLOCK["start"] is None or os.path.basename(command[0]) != "lodestar":
        return command
    return ["faketime", CLOCK["start"], *command]


def clock_environment(command):
    return {"TZ": "UTC", "FAKETIME_DONT_FAKE_MONOTONIC": "1"} if CLOCK["start"] and os.path.basename(command[0]) == "lodestar" else {}


def now():
    """The server's clock: the real one, or with --clock the fake one (faketime starts it when the process starts)."""
    if CLOCK["start"] is None:
        return time.time()
    return CLOCK["epoch"] + (time.time() - CLOCK["real"])


def run(command, env=None, quiet=True):
    """Runs a command, returns its wall time in seconds; stops the benchmark if it fails."""
    start = time.perf_counter()
    result = subprocess.run(clock_command(command), env={**os.environ, **(env or {}), **clock_environment(command)}, capture_output=quiet, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stdout}\n{result.stderr}")
    return time.perf_counter() - start


def run_measured(command, env=None):
    """Runs a command; returns its wall time in seconds and its peak memory in MB (the kernel's maximum resident set)."""
    start = time.perf_counter()
    process = subprocess.Popen(clock_command(command), env={**os.environ, **(env or {}), **clock_environment(command)},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(command)}\n{output}")
    return seconds, usage.ru_maxrss / 1024


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def whole_percent(numerator, denominator):
    """As Lodestar shows a share: a whole percentage, halves away from zero."""
    return math.floor(numerator * 100 / denominator + 0.5)


# MARK: - Lodestar over HTTP

class Client:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path):
        with self.opener.open(self.base + path) as response:
            return response.read().decode()

    def sign_in(self, email):
        token = re.search(r'name="_csrf" value="([^"]+)"', self.get("/signin")).group(1)
        form = urllib.parse.urlencode({"_csrf": token, "identifier": email, "password": PASSWORD}).encode()
        self.opener.open(self.base + "/signin", form).read()
        page = self.get("/")
        self.csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
        self.cookie = "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def post(self, path, fields):
        form = urllib.parse.urlencode({"_csrf": self.csrf, **fields}).encode()
        with self.opener.open(self.base + path, form) as response:
            return response.read().decode()

    def csv(self, path):
        lines = self.get(path).splitlines()
        import csv as csvmodule
        rows = list(csvmodule.reader(lines))
        return [dict(zip(rows[0], row)) for row in rows[1:]]


class Server:
    def __init__(self, binary, database, port, environment=None):
        """`environment` adds to the server's (e.g. DATABASE_URL for PostgreSQL; `database` then names the log)."""
        self.port = port
        self.log = open(database + ".serve.log", "w")
        if CLOCK["start"]:
            CLOCK["real"] = time.time()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            sys.exit(f"port {port} is taken by another server; stop it first")
        except OSError:
            pass
        command = [binary, "serve", "--hostname", "127.0.0.1", "--port", str(port)]
        # In a process group of its own, so stopping it reaches the server under the faketime wrapper too.
        self.process = subprocess.Popen(clock_command(command), env={**os.environ, "DATABASE_PATH": database, "LOG_LEVEL": "error", **clock_environment(command), **(environment or {})},
                                        start_new_session=True,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(600):
            if self.process.poll() is not None:
                sys.exit(f"the server stopped (is port {port} taken?); see " + self.log.name)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.5)
        sys.exit("the server did not start; see " + self.log.name)

    def peak_memory_mb(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024

    def stop(self):
        os.killpg(self.process.pid, signal.SIGINT)
        self.process.wait(timeout=60)


def time_requests(fetch, count):
    for _ in range(3):
        fetch()
    times = []
    for _ in range(count):
        start = time.perf_counter()
        fetch()
        times.append((time.perf_counter() - start) * 1000)
    return times


# MARK: - The district's database: a SQLite file, or a database in a PostgreSQL of the benchmark's own

class SQLiteDistrict:
    """A district in a SQLite file, as `lodestar` keeps it by default."""
    label = "SQLite"

    def __init__(self, path):
        self.path = path
        self.log_name = path

    def environment(self):
        return {"DATABASE_PATH": self.path}

    def exists(self):
        return os.path.exists(self.path)

    def start_empty(self):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(self.path + suffix):
                os.remove(self.path + suffix)

    def rows(self, query, parameters=()):
        with sqlite3.connect(self.path) as connection:
            return connection.execute(query, parameters).fetchall()

    def change(self, statements):
        """Runs (query, parameters) pairs in one transaction; returns each one's changed rows."""
        connection = sqlite3.connect(self.path)
        with connection:
            counts = [connection.execute(query, parameters).rowcount for query, parameters in statements]
        connection.close()
        return counts

    def export_csv(self, query, path):
        with open(path, "w") as out:
            subprocess.run(["sqlite3", "-csv", "-header", self.path, query + ";"], stdout=out, check=True)

    def declared_types(self, table):
        return {row[1]: row[2].upper() for row in self.rows(f"PRAGMA table_info({table})")}

    def copy(self, name):
        copy = SQLiteDistrict(os.path.join(os.path.dirname(self.path), name + ".sqlite"))
        copy.start_empty()
        run(["sqlite3", self.path, f".backup '{copy.path}'"])
        return copy

    # Spelled as each database spells it.
    def as_number(self, column):
        return column

    def set_mastery_value(self, value):
        return f"json_set(definition, '$.masteryValue', {value})"


class PostgresCluster:
    """A PostgreSQL of the benchmark's own, from Debian's postgresql package: made by initdb in the work folder (kept
    for --reuse), started by pg_ctl on loopback and stopped at the end. As root, it runs as the postgres account.
    Settings are Debian's but for what a server given to one database would set: shared_buffers, max_wal_size, and
    connections for the test load; fsync and synchronous_commit stay on."""
    PASSWORD = "lodestar"

    def __init__(self, folder, port):
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda path: int(path.split("/")[-3]))
        if not versions:
            sys.exit("PostgreSQL is needed for --database postgres: apt-get install postgresql")
        self.bin = os.path.dirname(versions[-1])
        self.folder = os.path.abspath(folder)
        self.port = port
        self.owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if not os.path.exists(os.path.join(self.folder, "PG_VERSION")):
            os.makedirs(self.folder, exist_ok=True)
            password_file = self.folder + ".password"
            with open(password_file, "w") as out:
                out.write(self.PASSWORD)
            if self.owner:
                for path in (self.folder, password_file):
                    shutil.chown(path, "postgres", "postgres")
                if subprocess.run(self.owner + ["test", "-w", self.folder]).returncode != 0:
                    sys.exit(f"the postgres account cannot reach {self.folder}: give its parent folders o+x, or choose --postgres-data")
            self.as_owner([os.path.join(self.bin, "initdb"), "-D", self.folder, "-U", "lodestar", "--pwfile", password_file,
                           "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"])
            os.remove(password_file)
        settings = {"listen_addresses": "127.0.0.1", "port": port, "unix_socket_directories": self.folder,
                    "max_connections": 300, "shared_buffers": "1GB", "max_wal_size": "4GB"}
        if subprocess.run(self.owner + [os.path.join(self.bin, "pg_ctl"), "-D", self.folder, "status"], capture_output=True).returncode == 0:
            log("Stopping the PostgreSQL an earlier run left running on this folder …")
            self.stop()
        log(f"Starting PostgreSQL ({os.path.basename(os.path.dirname(self.bin))}) on port {port} …")
        self.as_owner([os.path.join(self.bin, "pg_ctl"), "-D", self.folder, "-l", os.path.join(self.folder, "server.log"), "-w", "-t", "120",
                       "-o", " ".join(f"-c {key}={value}" for key, value in settings.items()), "start"])

    def as_owner(self, command):
        result = subprocess.run(self.owner + command, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"failed: {' '.join(command)}\n{result.stdout}\n{result.stderr}")

    def url(self, name):
        return f"postgres://lodestar:{self.PASSWORD}@127.0.0.1:{self.port}/{name}"

    def connect(self, name="postgres"):
        import psycopg
        return psycopg.connect(self.url(name), autocommit=True)

    def stop(self):
        self.as_owner([os.path.join(self.bin, "pg_ctl"), "-D", self.folder, "-m", "fast", "-w", "stop"])


class PostgresDistrict:
    """A district in a database of the benchmark's PostgreSQL, which `lodestar` reaches through DATABASE_URL."""
    label = "PostgreSQL"

    def __init__(self, cluster, name, work):
        self.cluster = cluster
        self.name = name
        self.log_name = os.path.join(work, name + ".postgres")

    def environment(self):
        return {"DATABASE_URL": self.cluster.url(self.name)}

    def exists(self):
        with self.cluster.connect() as connection:
            return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name]).fetchone() is not None

    def start_empty(self, template=None):
        with self.cluster.connect() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
            connection.execute(f'CREATE DATABASE "{self.name}"' + (f' TEMPLATE "{template}"' if template else ""))

    def rows(self, query, parameters=()):
        with self.cluster.connect(self.name) as connection:
            return connection.execute(query.replace("?", "%s"), parameters).fetchall()

    def change(self, statements):
        import psycopg
        with psycopg.connect(self.cluster.url(self.name)) as connection:
            return [connection.execute(query.replace("?", "%s"), parameters).rowcount for query, parameters in statements]

    def export_csv(self, query, path):
        with self.cluster.connect(self.name) as connection, open(path, "wb") as out:
            with connection.cursor().copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
                for block in copy:
                    out.write(block)

    def declared_types(self, table):
        return {column: kind.upper() for column, kind in self.rows(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?", [table])}

    def copy(self, name):
        copy = PostgresDistrict(self.cluster, name, os.path.dirname(self.log_name))
        copy.start_empty(template=self.name)
        return copy

    def as_number(self, column):
        return f"{column}::int AS {column}"

    def set_mastery_value(self, value):
        return f"jsonb_set(definition::jsonb, '{{masteryValue}}', '{value}')::text"


# MARK: - DuckDB: the same numbers from the raw rows

def load_duckdb(district, folder):
    """Copies the tables the dashboards read from Lodestar's database into DuckDB, via CSV (not timed)."""
    import duckdb
    os.makedirs(folder, exist_ok=True)
    tables = {
        "walkthroughs": "SELECT id, framework_id, teacher_id, school_id, observed_at, shared_at FROM walkthroughs",
        "indicator_marks": "SELECT walkthrough_id, indicator_key, mark FROM indicator_marks",
        "feedback_replies": "SELECT walkthrough_id, author_id FROM feedback_replies",
        "role_grants": "SELECT staff_id, role, school_id FROM role_grants",
        "orgs": "SELECT id, name FROM orgs",
        "students": "SELECT id, school_id, sex, race_ethnicity, " + ", ".join(district.as_number(column) for column in
                                                                         ["english_learner", "special_education", "section_504", "economically_disadvantaged", "gifted"]) + " FROM students",
        "enrollments": "SELECT class_id, user_id, role FROM enrollments",
        "standards": "SELECT id, code FROM standards",
        "assessments": "SELECT id, assessed_on FROM assessments",
        "assessment_classes": "SELECT assessment_id, class_id FROM assessment_classes",
        "assessment_standards": "SELECT assessment_id, standard_id FROM assessment_standards",
        "scores": "SELECT id, assessment_id, student_id, standard_id, value, entered_at FROM scores",
    }
    for name, query in tables.items():
        district.export_csv(query, os.path.join(folder, name + ".csv"))
    if district.rows("SELECT count(*) FROM mastery_settings")[0][0]:
        sys.exit("the cross-check computes the default mastery method (decaying average 0.65); this database sets others")
    frameworks = district.rows("SELECT id, definition FROM frameworks")
    db = duckdb.connect()
    db.execute("SET threads TO 2")
    for name, query in tables.items():
        path = os.path.join(folder, name + ".csv")
        with open(path) as csv_file:
            empty = sum(1 for _ in itertools.islice(csv_file, 2)) < 2
        if empty:
            # An empty table (the first day of the year has no scores): no rows to tell DuckDB the types, so the
            # table is made from the columns' declared types.
            declared = district.declared_types(name)
            columns = query.split("SELECT ", 1)[1].split(" FROM ")[0].split(", ")
            kinds = {"INTEGER": "BIGINT", "BIGINT": "BIGINT", "REAL": "DOUBLE", "DOUBLE": "DOUBLE", "DOUBLE PRECISION": "DOUBLE", "BOOLEAN": "BIGINT"}
            # Days (`assessed_on`) as DuckDB reads them from a CSV with rows: dates.
            db.execute(f"CREATE TABLE {name} (" + ", ".join(f"{c} {'DATE' if c.endswith('_on') else kinds.get(declared.get(c, ''), 'VARCHAR')}"
                                                               for c in columns) + ")")
            continue
        db.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', header = true, nullstr = '')")
    db.execute("CREATE TABLE framework_indicators (framework_id VARCHAR, key VARCHAR, name VARCHAR)")
    for framework_id, definition in frameworks:
        framework = json.loads(definition)["framework"]
        if framework["scale"].get("type") != "observation":
            sys.exit(f"the cross-check knows the observed / not observed scale only; {framework_id} uses another")
        for domain in framework["domains"]:
            for indicator in domain["indicators"]:
                db.execute("INSERT INTO framework_indicators VALUES (?, ?, ?)", [framework_id, indicator["key"], indicator["shortName"]])
    db.execute("CREATE TABLE student_groups AS " + STUDENT_GROUPS)
    return db


# Each student's groups, as Lodestar labels them.
STUDENT_GROUPS = " UNION ALL ".join([
    "SELECT id AS student_id, CASE WHEN race_ethnicity = 'Not reported' THEN 'Race and ethnicity not reported' ELSE race_ethnicity END AS label FROM students",
    "SELECT id, CASE sex WHEN 'female' THEN 'Female' WHEN 'male' THEN 'Male' ELSE upper(sex[1]) || sex[2:] END FROM students WHERE sex <> ''",
] + [f"SELECT id, '{label}' FROM students WHERE {column} = 1" for column, label in {
    "english_learner": "English learners", "special_education": "Special education (IEP)", "section_504": "Section 504",
    "economically_disadvantaged": "Economically disadvantaged", "gifted": "Gifted"}.items()])


# Each student's running decaying average (D1 = x1, Dk = 0.35 Dk-1 + 0.65 xk) after every score, in
# attempt order (date given, then entry time), in closed form: Dk = 0.35^k * sum(c_j x_j).
STANDINGS = """
    WITH ordered AS (
        SELECT sc.student_id, sc.standard_id, a.assessed_on, sc.value,
               row_number() OVER (PARTITION BY sc.student_id, sc.standard_id ORDER BY a.assessed_on, sc.entered_at, sc.id) AS k
        FROM scores sc JOIN assessments a ON a.id = sc.assessment_id {where}
    )
    SELECT student_id, standard_id, assessed_on, k,
           pow(0.35, k) * sum(CASE WHEN k = 1 THEN value / 0.35 ELSE 0.65 * value * pow(0.35, -k) END)
               OVER (PARTITION BY student_id, standard_id ORDER BY k) AS mastery,
           count(*) OVER (PARTITION BY student_id, standard_id) AS attempts
    FROM ordered
"""


def duck_practice(db):
    """Per practice and month: visits that looked for it (marked it seen or not seen), that saw it, that did not
    see it, and that left it unmarked (not looked for); a mark of not applicable counts nowhere."""
    rows = db.execute(f"""
        WITH visits AS (
            SELECT id, framework_id, strftime(to_timestamp(observed_at) AT TIME ZONE '{TIME_ZONE}', '%Y-%m') AS month FROM walkthroughs
        )
        SELECT fi.name, v.month,
               count(*) FILTER (WHERE m.mark IN ('observed', 'not_observed')) AS looked,
               count(*) FILTER (WHERE m.mark = 'observed') AS seen,
               count(*) FILTER (WHERE m.mark = 'not_observed') AS not_seen,
               count(*) FILTER (WHERE m.mark IS NULL) AS not_looked_for
        FROM visits v JOIN framework_indicators fi ON fi.framework_id = v.framework_id
        LEFT JOIN indicator_marks m ON m.walkthrough_id = v.id AND m.indicator_key = fi.key
        GROUP BY 1, 2
    """).fetchall()
    return {(name, month): tuple(counts) for name, month, *counts in rows}


def duck_mastery_as_of(db, month, school=None):
    """Students with a result and at or above mastery per standard and group, as of the end of `month`."""
    where = f"WHERE a.assessed_on < DATE '{next_month(month)}-01'"
    school_filter = f"AND st.school_id = '{school}'" if school else ""
    rows = db.execute(f"""
        WITH standings AS ({STANDINGS.format(where=where)}),
        latest AS (SELECT student_id, standard_id, mastery FROM standings WHERE k = attempts),
        pairs AS (
            SELECT l.student_id, l.standard_id, l.mastery >= 3 - 1e-9 AS reached
            FROM latest l JOIN students st ON st.id = l.student_id {school_filter}
        )
        SELECT s.code, 'All students' AS label, count(*), count(*) FILTER (WHERE reached) FROM pairs p JOIN standards s ON s.id = p.standard_id GROUP BY 1
        UNION ALL
        SELECT s.code, g.label, count(*), count(*) FILTER (WHERE reached)
        FROM pairs p JOIN standards s ON s.id = p.standard_id JOIN student_groups g ON g.student_id = p.student_id GROUP BY 1, 2
    """).fetchall()
    return {(code, label): (students, reached) for code, label, students, reached in rows}


def duck_learning(db, school, months):
    rows = db.execute(f"""
        WITH standings AS ({STANDINGS.format(where='')}),
        monthly AS (
            SELECT student_id, standard_id, strftime(assessed_on::DATE, '%Y-%m') AS month, arg_max(mastery, k) AS mastery
            FROM standings GROUP BY 1, 2, 3
        ),
        months(month) AS (SELECT unnest(?::VARCHAR[])),
        as_of AS (
            SELECT m.month, p.standard_id, p.student_id, arg_max(p.mastery, p.month) AS mastery
            FROM months m JOIN monthly p ON p.month <= m.month
            JOIN students st ON st.id = p.student_id AND st.school_id = ?
            GROUP BY 1, 2, 3
        )
        SELECT s.code, a.month, count(*), count(*) FILTER (WHERE a.mastery >= 3 - 1e-9)
        FROM as_of a JOIN standards s ON s.id = a.standard_id GROUP BY 1, 2
    """, [months, school]).fetchall()
    return {(code, month): (students, reached) for code, month, students, reached in rows}


def duck_tracker(db, class_id):
    rows = db.execute(f"""
        WITH class_standards AS (
            SELECT DISTINCT ast.standard_id FROM assessment_classes ac JOIN assessment_standards ast ON ast.assessment_id = ac.assessment_id
            WHERE ac.class_id = ?
        ),
        class_students AS (SELECT DISTINCT user_id AS student_id FROM enrollments WHERE class_id = ? AND role = 'student'),
        standings AS ({STANDINGS.format(where="WHERE sc.student_id IN (SELECT student_id FROM class_students) AND sc.standard_id IN (SELECT standard_id FROM class_standards)")})
        SELECT cs.student_id, s.code, coalesce(max(st.attempts), 0), arg_max(st.mastery, st.k)
        FROM class_students cs CROSS JOIN class_standards c JOIN standards s ON s.id = c.standard_id
        LEFT JOIN standings st ON st.student_id = cs.student_id AND st.standard_id = c.standard_id
        GROUP BY 1, 2
    """, [class_id, class_id]).fetchall()
    return {(student, code): (attempts, mastery) for student, code, attempts, mastery in rows}


def duck_feedback(db, now):
    rows = db.execute("""
        WITH recent AS (
            SELECT w.school_id, w.teacher_id, w.observed_at, w.shared_at,
                   EXISTS (SELECT 1 FROM feedback_replies r WHERE r.walkthrough_id = w.id AND r.author_id = w.teacher_id) AS replied
            FROM walkthroughs w WHERE w.observed_at BETWEEN ? AND ?
        ),
        teachers AS (SELECT DISTINCT school_id, staff_id FROM role_grants WHERE role = 'teacher' AND school_id IS NOT NULL),
        loops AS (
            SELECT school_id, count(*) AS visits,
                   median(greatest(0, (shared_at - observed_at) / 3600.0)) FILTER (WHERE shared_at IS NOT NULL) AS median_hours,
                   count(*) FILTER (WHERE shared_at IS NOT NULL) AS shared,
                   count(*) FILTER (WHERE shared_at IS NOT NULL AND (shared_at - observed_at) <= 86400) AS within_a_day,
                   count(*) FILTER (WHERE shared_at IS NOT NULL AND replied) AS replied
            FROM recent GROUP BY 1
        ),
        visited AS (
            SELECT t.school_id, count(DISTINCT r.teacher_id) AS visited FROM recent r JOIN teachers t ON t.school_id = r.school_id AND t.staff_id = r.teacher_id GROUP BY 1
        ),
        staff AS (SELECT school_id, count(*) AS teachers FROM teachers GROUP BY 1)
        SELECT o.name, coalesce(l.visits, 0), coalesce(s.teachers, 0), coalesce(v.visited, 0), l.median_hours, l.shared, l.within_a_day, l.replied
        FROM orgs o LEFT JOIN loops l ON l.school_id = o.id LEFT JOIN staff s ON s.school_id = o.id LEFT JOIN visited v ON v.school_id = o.id
        WHERE l.visits IS NOT NULL OR s.teachers IS NOT NULL
    """, [now - 30 * 86400, now]).fetchall()
    return {row[0]: row[1:] for row in rows}


def next_month(month):
    year, number = map(int, month.split("-"))
    return f"{year + number // 12}-{number % 12 + 1:02d}"


MONTHS = {name: number for number, name in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}


# MARK: - The checks: Lodestar's CSV against DuckDB

class Mismatch(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Mismatch(message)


def check_practice(rows, duck):
    """Both ways: every practice and month DuckDB counts is in Lodestar's CSV with the same counts, and every
    row of the CSV is what DuckDB counts (zero where it has nothing); the share is seen over looked for."""
    checked = 0
    totals = {}
    shown = set()
    for row in rows:
        if row["month"] == "All":
            continue
        name, month = row["practice"], row["month"]
        key = (name, f"{month[-4:]}-{MONTHS[month[:3]]:02d}")
        expect(key not in shown, f"practice {key}: listed twice")
        shown.add(key)
        counts = duck.get(key, (0, 0, 0, 0))
        lodestar = tuple(int(row[column]) for column in ("looked_for", "seen", "not_seen", "not_looked_for"))
        expect(lodestar == counts, f"practice {key}: Lodestar looked for/seen/not seen/not looked for {lodestar}, DuckDB {counts}")
        # No visit looked for it (a month without visits, or every visit left it unmarked): no share, on both sides.
        expected_share = "" if counts[0] == 0 else str(whole_percent(counts[1], counts[0]))
        expect(row["share_percent"] == expected_share, f"practice {key}: share {row['share_percent']!r}, DuckDB {expected_share!r}")
        totals[name] = [a + b for a, b in zip(totals.get(name, [0, 0, 0, 0]), counts)]
        checked += 1
    missing = sorted(key for key in duck if key not in shown)
    expect(not missing, f"practice: DuckDB counts {len(missing)} practice-months Lodestar does not list, e.g. {missing[:3]}")
    for row in rows:
        if row["month"] == "All":
            lodestar = [int(row[column]) for column in ("looked_for", "seen", "not_seen", "not_looked_for")]
            expect(lodestar == totals[row["practice"]], f"practice {row['practice']} for all months: {lodestar}, DuckDB {totals[row['practice']]}")
            checked += 1
    return checked


# The student groups Lodestar reports, by label, with the keys its suppression breaks ties by; and the
# partitions (groups that together make up every student) within which a hidden count is covered.
RACES = ["Hispanic or Latino", "American Indian or Alaska Native", "Asian", "Black or African American",
         "Native Hawaiian or Other Pacific Islander", "White", "Two or more races", "Not reported"]
GROUP_KEYS = {("Race and ethnicity not reported" if race == "Not reported" else race): "race:" + race for race in RACES}
GROUP_KEYS.update({"Female": "sex:female", "Male": "sex:male", "English learners": "english_learner", "Special education (IEP)": "special_education",
                   "Section 504": "section_504", "Economically disadvantaged": "economically_disadvantaged", "Gifted": "gifted"})
PARTITIONS = [[label for label, key in GROUP_KEYS.items() if key.startswith("race:")], ["Female", "Male"]]


def hidden_groups(everyone, counts):
    """The groups of one standard that may not be shown: under the minimum, and — within a partition where that
    leaves exactly one hidden cell (the students outside the partition's groups count as a cell never shown) —
    the next smallest cell too (complementary suppression); every group when all students are too few."""
    if everyone < MINIMUM_GROUP:
        return set(counts)
    hidden = {label for label, students in counts.items() if 0 < students < MINIMUM_GROUP}
    for partition in PARTITIONS:
        cells = [(counts.get(label, 0), GROUP_KEYS[label], label) for label in partition]
        cells.append((everyone - sum(cell[0] for cell in cells), "\0rest", None))
        small = {cell[2] for cell in cells if 0 < cell[0] < MINIMUM_GROUP}
        if len(small) == 1:
            cover = [cell for cell in cells if cell[0] > 0 and cell[2] not in small]
            if cover:
                small.add(min(cover)[2])
        hidden |= {label for label in small if label is not None}
    return hidden


def check_equity(rows, duck, need_cover=False):
    """Both ways: every group with students on every standard is listed once, a hidden one without numbers (the
    rule recomputed here, complementary suppression included), a shown one with DuckDB's numbers; gaps to close
    come first, furthest below first, then groups above, furthest above first."""
    listed = {}
    for row in rows:
        key = (row["standard"], row["group"])
        expect(key not in listed, f"equity {key}: listed twice")
        listed[key] = row
    codes = {code for code, label in duck if label == "All students"}
    expected = {}
    for code in codes:
        everyone = duck[(code, "All students")][0]
        counts = {label: duck[(code, label)][0] for label in GROUP_KEYS if duck.get((code, label), (0, 0))[0] > 0}
        hidden = hidden_groups(everyone, counts)
        for label in counts:
            expected[(code, label)] = label in hidden
    missing = sorted(set(expected) - set(listed))
    expect(not missing, f"equity: DuckDB has {len(missing)} groups Lodestar does not list, e.g. {missing[:3]}")
    extra = sorted(set(listed) - set(expected))
    expect(not extra, f"equity: Lodestar lists {len(extra)} groups without students in DuckDB, e.g. {extra[:3]}")
    hidden_count = covers = 0
    for key, hidden in expected.items():
        row = listed[key]
        if hidden:
            hidden_count += 1
            covers += duck[key][0] >= MINIMUM_GROUP
            expect((row["students"], row["at_or_above_percent"], row["gap_to_all_points"]) == ("", "", "") and row["note"].startswith("hidden"),
                   f"equity {key}: should be hidden by the small-group rule, shows {row}")
            continue
        students, reached = duck[key]
        all_students, all_reached = duck[(key[0], "All students")]
        expect(row["note"] == "", f"equity {key}: hidden, but the rule shows it ({students} students)")
        expect(int(row["students"]) == students, f"equity {key}: {row['students']} students, DuckDB {students}")
        expect(int(row["at_or_above_percent"]) == whole_percent(reached, students), f"equity {key}: share")
        gap = (reached / students - all_reached / all_students) * 100
        shown = math.floor(abs(gap) + 0.5) * (1 if gap >= 0 else -1)
        expect(int(row["gap_to_all_points"]) == shown, f"equity {key}: gap {row['gap_to_all_points']}, DuckDB {gap:.2f}")
    # Gaps under half a point read "0": they close the list of gaps below or of groups above.
    gaps = [int(row["gap_points"]) for row in itertools.takewhile(lambda row: row["gap_points"] != "", rows)]
    split = next((index for index, gap in enumerate(gaps) if gap > 0), len(gaps))
    expect(gaps[:split] == sorted(gaps[:split]) and all(gap <= 0 for gap in gaps[:split]) and gaps[split:] == sorted(gaps[split:], reverse=True)
           and all(row["gap_points"] == "" for row in rows[len(gaps):]),
           "equity: the gaps to close do not come first, furthest below first, then the groups above")
    expect(not expected or len(expected) > hidden_count, "equity: every group is hidden, so nothing was compared")
    expect(covers > 0 or not need_cover, "equity: no group was hidden to cover a smaller one, so complementary suppression was not tried")
    return f"{len(rows)} ({hidden_count} hidden, {covers} of them to cover a smaller group)"


def check_learning(rows, duck):
    shown = {(row["standard"], row["month"]): row for row in rows}
    for key, (students, reached) in duck.items():
        expect(key in shown, f"learning {key}: DuckDB has {students} students, Lodestar shows no row")
        row = shown[key]
        if students < MINIMUM_GROUP:
            expect(row["students"] == "" and row["at_or_above_percent"] == "", f"learning {key}: {students} students are not hidden")
        else:
            expect((int(row["students"]), int(row["at_or_above_percent"])) == (students, whole_percent(reached, students)),
                   f"learning {key}: Lodestar {row['students']} / {row['at_or_above_percent']}%, DuckDB {students} / {whole_percent(reached, students)}%")
    expect(len(shown) == len(duck), f"learning: Lodestar shows {len(shown)} rows, DuckDB has {len(duck)}")
    return len(rows)


def check_tracker(rows, duck):
    expect(len(rows) == len(duck), f"tracker: Lodestar {len(rows)} cells, DuckDB {len(duck)}")
    for row in rows:
        attempts, mastery = duck[(row["student_id"], row["standard"])]
        expect(int(row["scores"]) == attempts, f"tracker {row['student_id']} {row['standard']}: {row['scores']} scores, DuckDB {attempts}")
        if mastery is not None:
            expect(row["mastery"] != "" and abs(float(row["mastery"]) - mastery) < 0.0051, f"tracker {row['student_id']} {row['standard']}: {row['mastery']!r}, DuckDB {mastery:.4f}")
        else:
            expect(row["mastery"] == "", f"tracker {row['student_id']} {row['standard']}: a value without scores, or before the method can say")
    return len(rows)


def check_feedback(rows, duck):
    for row in rows:
        visits, teachers, visited, median_hours, shared, within, replied = duck[row["school"]]
        expect((int(row["visits_30_days"]), int(row["teachers"]), int(row["teachers_visited"])) == (visits, teachers, visited),
               f"coverage {row['school']}: Lodestar {row['visits_30_days']}/{row['teachers']}/{row['teachers_visited']}, DuckDB {visits}/{teachers}/{visited}")
        if not shared:
            expect((row["median_hours_to_feedback"], row["shared_within_a_day_percent"], row["reply_rate_percent"]) == ("", "", ""),
                   f"coverage {row['school']}: numbers shown without shared feedback")
        else:
            expect(abs(float(row["median_hours_to_feedback"]) - median_hours) < 0.051, f"coverage {row['school']}: median hours")
            expect(int(row["shared_within_a_day_percent"]) == whole_percent(within, shared), f"coverage {row['school']}: within a day")
            expect(int(row["reply_rate_percent"]) == whole_percent(replied, shared), f"coverage {row['school']}: reply rate")
    expect(len(rows) == len(duck), f"coverage: Lodestar lists {len(rows)} schools, DuckDB {len(duck)}")
    return len(rows)


def either(check, rows, first, second):
    """Passes when the rows match either of two DuckDB results (a moving clock between two instants)."""
    try:
        return check(rows, first)
    except Mismatch:
        return check(rows, second)


# MARK: - Every mastery method, and a second mastery level

# The methods a district admin can choose (form fields as the settings page sends them), each computed here
# from its definition, apart from Lodestar's code.
METHODS = [
    {"method": "decaying", "weight": "0.5"}, {"method": "weighted", "weight": "0.65"}, {"method": "most_recent"},
    {"method": "recent_mean", "count": "3"}, {"method": "highest"}, {"method": "mean"},
    {"method": "mode", "tieBreak": "highest"}, {"method": "mode", "tieBreak": "lowest"}, {"method": "mode", "tieBreak": "mostRecent"},
    {"method": "n_times", "count": "2"}, {"method": "power_law"},
]
DEFAULT_METHOD = {"method": "decaying", "weight": "0.65"}


def method_value(method, values, scale):
    """A student's mastery on a standard from their scores in attempt order; None when the method cannot say yet."""
    low, high, level = scale
    kind = method["method"]
    if kind == "most_recent":
        value = values[-1]
    elif kind == "highest":
        value = max(values)
    elif kind == "mean":
        value = sum(values) / len(values)
    elif kind == "mode":
        counts = {}
        for v in values:
            counts[v] = counts.get(v, 0) + 1
        tied = [v for v, n in counts.items() if n == max(counts.values())]
        value = {"highest": max(tied), "lowest": min(tied)}.get(method["tieBreak"]) if method["tieBreak"] != "mostRecent" \
            else next(v for v in reversed(values) if v in tied)
    elif kind == "recent_mean":
        recent = values[-max(1, int(method["count"])):]
        value = sum(recent) / len(recent)
    elif kind == "n_times":
        mastered = [v for v in values if v >= level - 1e-9]
        if len(mastered) < max(1, int(method["count"])):
            return None
        value = sum(mastered) / len(mastered)
    elif kind == "weighted":
        weight = float(method["weight"])
        value = values[-1] if len(values) == 1 else weight * values[-1] + (1 - weight) * sum(values[:-1]) / (len(values) - 1)
    elif kind == "decaying":
        weight = float(method["weight"])
        value = values[0]
        for v in values[1:]:
            value = (1 - weight) * value + weight * v
    elif kind == "power_law":
        if len(values) < 3:
            return None
        n = len(values)
        xs = [math.log(x) for x in range(1, n + 1)]
        ys = [math.log(max(v, 0.01)) for v in values]
        mean_x, mean_y = sum(xs) / n, sum(ys) / n
        b = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / sum((x - mean_x) ** 2 for x in xs)
        value = math.exp(mean_y - b * mean_x + b * math.log(n))
    else:
        raise ValueError(kind)
    return min(max(value, low), high)


class Scores:
    """Every score from DuckDB, grouped by student and standard in attempt order, with the students' groups."""

    def __init__(self, db):
        self.pairs = {}
        for student, standard, day, value, school in db.execute("""
            SELECT sc.student_id, sc.standard_id, strftime(a.assessed_on::DATE, '%Y-%m-%d'), sc.value, st.school_id
            FROM scores sc JOIN assessments a ON a.id = sc.assessment_id JOIN students st ON st.id = sc.student_id
            ORDER BY sc.student_id, sc.standard_id, a.assessed_on, sc.entered_at, sc.id
        """).fetchall():
            self.pairs.setdefault((student, standard, school), []).append((day, value))
        self.codes = dict(db.execute("SELECT id, code FROM standards").fetchall())
        self.groups = {}
        for student, label in db.execute("SELECT student_id, label FROM student_groups").fetchall():
            self.groups.setdefault(student, []).append(label)

    def as_of(self, method, scale, month, school=None):
        """{(code, group): (students, at or above)} as of the end of `month`."""
        end = next_month(month) + "-01"
        result = {}
        for (student, standard, in_school), scores in self.pairs.items():
            if school and in_school != school:
                continue
            values = [value for day, value in scores if day < end]
            value = method_value(method, values, scale) if values else None
            if value is None:
                continue
            reached = value >= scale[2] - 1e-9
            for label in ["All students"] + self.groups.get(student, []):
                students, count = result.get((self.codes[standard], label), (0, 0))
                result[(self.codes[standard], label)] = (students + 1, count + reached)
        return result

    def learning(self, method, scale, school, months):
        result = {}
        for month in months:
            for (code, label), counts in self.as_of(method, scale, month, school).items():
                if label == "All students":
                    result[(code, month)] = counts
        return result

    def tracker(self, db, method, scale, class_id):
        students = [row[0] for row in db.execute("SELECT DISTINCT user_id FROM enrollments WHERE class_id = ? AND role = 'student'", [class_id]).fetchall()]
        standards = [row[0] for row in db.execute("""
            SELECT DISTINCT ast.standard_id FROM assessment_classes ac JOIN assessment_standards ast ON ast.assessment_id = ac.assessment_id WHERE ac.class_id = ?
        """, [class_id]).fetchall()]
        by_pair = {(student, standard): scores for (student, standard, _), scores in self.pairs.items()}
        result = {}
        for student in students:
            for standard in standards:
                values = [value for _, value in by_pair.get((student, standard), [])]
                result[(student, self.codes[standard])] = (len(values), method_value(method, values, scale) if values else None)
        return result


def sweep_methods(binary, district, args, duck, month, learning_months, tracker_class):
    """Equity, a school's mastery by standard and a class tracker under every mastery method (set as a district
    admin sets it), then under the default method with a second mastery level (2.5 instead of 3), each against
    the same numbers computed here. On a copy of the district, so the other measures are not changed."""
    copy = district.copy("methods")
    scale_ids = [row[0] for row in copy.rows("SELECT DISTINCT scale_id FROM assessments")]
    definitions = dict(copy.rows("SELECT id, definition FROM proficiency_scales"))
    if len(scale_ids) > 1:
        sys.exit("the cross-check computes mastery on one proficiency scale; this district uses several")
    scores = Scores(duck)
    results = []

    def compare(label, method, scale, school_equity=False):
        checks = [("equity", leader.csv(f"/insights/equity.csv?month={month}"), scores.as_of(method, scale, month), check_equity),
                  ("learning", leader.csv(f"/insights/learning.csv?school={SCHOOL}"), scores.learning(method, scale, SCHOOL, learning_months), check_learning)]
        if tracker_class:
            checks.append(("tracker", leader.csv(f"/classes/{tracker_class}/mastery.csv"), scores.tracker(duck, method, scale, tracker_class), check_tracker))
        if school_equity:
            checks.append((f"equity of {SCHOOL}", leader.csv(f"/insights/equity.csv?school={SCHOOL}&month={month}"), scores.as_of(method, scale, month, SCHOOL),
                           lambda rows, expected: check_equity(rows, expected, need_cover=True)))
        for page, rows, expected, check in checks:
            try:
                results.append((f"{label}: {page}", f"all {check(rows, expected)} rows match"))
            except Mismatch as mismatch:
                results.append((f"{label}: {page}", f"MISMATCH: {mismatch}"))

    def scale_of(scale_id):
        scale = json.loads(definitions[scale_id]) if scale_id in definitions else {"levels": [{"value": 1}, {"value": 4}], "masteryValue": 3}
        return (scale["levels"][0]["value"], scale["levels"][-1]["value"], scale["masteryValue"])

    scale = scale_of(scale_ids[0]) if scale_ids else (1, 4, 3)
    server = Server(binary, copy.log_name, args.port, copy.environment())
    try:
        admin = Client(f"http://127.0.0.1:{args.port}")
        admin.sign_in("admin@cedarvalley.example.org")
        leader = Client(admin.base)
        leader.sign_in(DISTRICT_LEADER)
        for method in METHODS:
            log(f"Cross-checking mastery by {method} …")
            admin.post("/admin/mastery", {"scope": "district", **method})
            compare(" ".join(method.values()), method, scale)
        admin.post("/admin/mastery", {"scope": "district", **DEFAULT_METHOD})
    finally:
        server.stop()
    if not scale_ids:
        return results
    log("Cross-checking with mastery at 2.5, and one small race and ethnicity group in a school …")
    # In the school, the two largest race and ethnicity groups take in every other student but five, who form one small
    # group: on each standard it is the partition's only hidden cell, so the next smallest must be hidden to cover it.
    races = [row[0] for row in copy.rows("SELECT race_ethnicity FROM students WHERE school_id = ? GROUP BY 1 ORDER BY count(*) DESC, 1", [SCHOOL])]
    small = next(race for race in RACES if race not in races[:2])
    updated, _, _ = copy.change([
        (f"UPDATE proficiency_scales SET definition = {copy.set_mastery_value(2.5)} WHERE id = ?", [scale_ids[0]]),
        ("UPDATE students SET race_ethnicity = ? WHERE school_id = ? AND race_ethnicity NOT IN (?, ?)", [races[0], SCHOOL, races[0], races[1]]),
        ("""UPDATE students SET race_ethnicity = ? WHERE id IN (
              SELECT id FROM students WHERE school_id = ? AND race_ethnicity = ? ORDER BY id LIMIT 5)""", [small, SCHOOL, races[0]]),
    ])
    if updated != 1:
        sys.exit(f"the scale {scale_ids[0]} is not stored, so its mastery level cannot be changed")
    duck.execute("UPDATE students SET race_ethnicity = ? WHERE school_id = ? AND race_ethnicity NOT IN (?, ?)", [races[0], SCHOOL, races[0], races[1]])
    duck.execute("""UPDATE students SET race_ethnicity = ? WHERE id IN (
                      SELECT id FROM students WHERE school_id = ? AND race_ethnicity = ? ORDER BY id LIMIT 5)""", [small, SCHOOL, races[0]])
    duck.execute("DELETE FROM student_groups")
    duck.execute("INSERT INTO student_groups " + STUDENT_GROUPS)
    scores = Scores(duck)
    run([binary, "rollups", "rebuild"], {**copy.environment(), "LOG_LEVEL": "error"})
    server = Server(binary, copy.log_name, args.port, copy.environment())
    try:
        leader = Client(f"http://127.0.0.1:{args.port}")
        leader.sign_in(DISTRICT_LEADER)
        compare("mastery at 2.5", DEFAULT_METHOD, (scale[0], scale[1], 2.5), school_equity=True)
    finally:
        server.stop()
    return results


# MARK: - Walkthroughs under load (wrk)

WRK_SCRIPT = """
local run = "%(run)s"
local teachers = {%(teachers)s}
local marks = "%(marks)s"
local observed = %(observed)d
local counter = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Cookie"] = "%(cookie)s"
  wrk.headers["X-CSRF-Token"] = "%(csrf)s"
end
function request()
  counter = counter + 1
  local id = string.format("%%s-%%04x-4000-8000-%%012x", run, tid, counter)
  local teacher = teachers[(counter %% #teachers) + 1]
  local body = '{"id":"' .. id .. '","teacherId":"' .. teacher .. '","visitType":"informal","announced":false,"observedAt":' .. (observed - counter %% 3600) ..
    ',"marks":' .. marks .. ',"notes":[],"glow":"Students explained their thinking to a partner.","grow":"","question":"What did you notice?","share":true}'
  return wrk.format(nil, nil, nil, body)
end
"""


def walkthrough_load(base, client, district, seconds, work):
    teachers = [row[0] for row in district.rows("SELECT staff_id FROM role_grants WHERE role = 'teacher' AND school_id = ? ORDER BY staff_id", [SCHOOL])]
    framework_id = district.rows("SELECT framework_id FROM walkthroughs ORDER BY created_at DESC LIMIT 1")[0][0]
    keys = [row[0] for row in district.rows("SELECT DISTINCT indicator_key FROM indicator_marks WHERE walkthrough_id IN (SELECT id FROM walkthroughs WHERE framework_id = ? LIMIT 50)", [framework_id])]
    before = district.rows("SELECT count(*) FROM walkthroughs")[0][0]
    marks = json.dumps([{"indicator": key, "mark": random.Random(i).choice(["observed", "not_observed"]), "lookFors": []} for i, key in enumerate(sorted(keys))])
    script = os.path.join(work, "walkthroughs.lua")
    with open(script, "w") as out:
        out.write(WRK_SCRIPT % {"run": f"{random.getrandbits(32):08x}", "teachers": ",".join(f'"{t}"' for t in teachers),
                                "marks": marks.replace('"', '\\"'), "observed": int(time.time()) - 3600,
                                "cookie": client.cookie, "csrf": client.csrf})
    output = subprocess.run(["wrk", "-t2", "-c64", f"-d{seconds}s", "--latency", "-s", script, base + "/api/walkthroughs"],
                            capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    saved = district.rows("SELECT count(*) FROM walkthroughs")[0][0] - before
    total = int(re.search(r"(\d+) requests in", output).group(1))
    return rate, p99_ms, int(errors.group(1)) if errors else 0, total, saved


# MARK: - The run

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="large", choices=["small", "medium", "large"])
    parser.add_argument("--through", default="2026-11-20", help="the demo's data up to this day (fixed, so runs compare)")
    parser.add_argument("--work", default=os.path.join(ROOT, ".build-benchmark"), help="folder for the databases and files")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per dashboard")
    parser.add_argument("--wrk-seconds", type=int, default=20)
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgres"],
                        help="where Lodestar keeps the district: a SQLite file, or a PostgreSQL the script starts on loopback")
    parser.add_argument("--postgres-port", type=int, default=55432)
    parser.add_argument("--postgres-data", help="the PostgreSQL cluster's folder (default: postgres in the work folder)")
    parser.add_argument("--reuse", action="store_true", help="keep the demo database of an earlier run")
    parser.add_argument("--clock", help="run Lodestar with its clock starting at this UTC time, e.g. '2026-12-01 05:30:00' (needs faketime)")
    parser.add_argument("--parts", default="import,dashboards,walkthroughs", help="which measures to take, comma-separated")
    parser.add_argument("--methods", action=argparse.BooleanOptionalAction, default=True,
                        help="cross-check equity, mastery by standard and a tracker under every mastery method and a second mastery level")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "lodestar"),
                        help="the lodestar executable (the test suite runs the small district on the debug build to check the numbers)")
    args = parser.parse_args()
    if args.clock:
        if not shutil.which("faketime"):
            sys.exit("faketime is needed for --clock: apt-get install faketime")
        CLOCK["start"] = args.clock
        CLOCK["epoch"] = calendar.timegm(time.strptime(args.clock, "%Y-%m-%d %H:%M:%S"))
    binary = args.binary
    if not os.path.exists(binary):
        sys.exit("build first: swift build -c release --product lodestar")
    for tool in ["sqlite3", "wrk"]:
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed: apt-get install {tool}")
    if importlib.util.find_spec("duckdb") is None:
        sys.exit("DuckDB is needed: python3 -m pip install duckdb")
    if args.database == "postgres" and importlib.util.find_spec("psycopg") is None:
        sys.exit("psycopg is needed for --database postgres: python3 -m pip install 'psycopg[binary]'")
    os.makedirs(args.work, exist_ok=True)
    cluster = PostgresCluster(args.postgres_data or os.path.join(args.work, "postgres"), args.postgres_port) if args.database == "postgres" else None
    try:
        measure(binary, args, cluster)
    finally:
        if cluster:
            cluster.stop()


def district_named(name, args, cluster):
    return PostgresDistrict(cluster, name, args.work) if cluster else SQLiteDistrict(os.path.join(args.work, name + ".sqlite"))


def measure(binary, args, cluster):
    parts = set(args.parts.split(","))
    results = {}
    if "import" in parts:
        results["import"] = measure_import(binary, args, cluster)
    district = district_named(args.size, args, cluster)
    # The import measures a district of its own: the demo district is loaded only for the other parts.
    if parts & {"dashboards", "walkthroughs"} and not (args.reuse and district.exists()):
        district.start_empty()
        log(f"Loading the {args.size} demo district into {district.label} …")
        results["demo"] = run([binary, "demo", "--size", args.size, "--through", args.through], {**district.environment(), "LOG_LEVEL": "error"})
    failures = []
    if "dashboards" in parts:
        results["dashboards"], failures = measure_dashboards(binary, district, args)
    if "walkthroughs" in parts:
        server = Server(binary, district.log_name, args.port, district.environment())
        try:
            log(f"Submitting walkthroughs with wrk ({args.wrk_seconds} s, 64 connections) …")
            principal = Client(f"http://127.0.0.1:{args.port}")
            principal.sign_in(PRINCIPAL)
            results["walkthroughs"] = walkthrough_load(principal.base, principal, district, args.wrk_seconds, args.work)
            results["memory"] = server.peak_memory_mb()
        finally:
            server.stop()
    report(results, args, district)
    if failures:
        sys.exit("the DuckDB cross-check failed for: " + ", ".join(failures))


def measure_import(binary, args, cluster):
    """Lodestar's import of results.csv beside the database's own bulk load of the same file: sqlite3's .import, or
    psql's \\copy; each into a plain table and into one with a key and two indexes."""
    export = os.path.join(args.work, "export")
    log(f"Writing the {args.size} district as files …")
    shutil.rmtree(export, ignore_errors=True)
    run([binary, "demo", "--size", args.size, "--export", export, "--through", args.through])
    roster = os.path.join(args.work, "roster")
    shutil.rmtree(roster, ignore_errors=True)
    os.makedirs(roster)
    for name in os.listdir(export):
        if name.endswith(".csv") and name not in ("lineItems.csv", "results.csv"):
            shutil.copy(os.path.join(export, name), roster)
    results_csv = os.path.join(export, "results.csv")
    with open(results_csv, "rb") as results_file:
        result_rows = sum(1 for _ in results_file) - 1
    target = district_named("import", args, cluster)
    target.start_empty()
    env = {**target.environment(), "LOG_LEVEL": "error"}
    log("Importing standards and roster (not timed) …")
    for name in sorted(os.listdir(export)):
        if name.startswith("standards-"):
            run([binary, "import", "case", os.path.join(export, name)], env)
    run([binary, "import", "oneroster", roster], env)
    log(f"Importing {result_rows:,} results with Lodestar into {target.label} …")
    lodestar_import, peak_mb = run_measured([binary, "import", "results", export], env)
    columns = ("sourcedId TEXT PRIMARY KEY, status TEXT, dateLastModified TEXT, lineItemSourcedId TEXT, "
               "studentSourcedId TEXT, scoreStatus TEXT, score {real}, scoreDate TEXT")
    indexes = "CREATE INDEX results_student ON results (studentSourcedId, lineItemSourcedId); CREATE INDEX results_item ON results (lineItemSourcedId);"
    plain, indexed = district_named("plain", args, cluster), district_named("indexed", args, cluster)
    plain.start_empty()
    indexed.start_empty()
    if cluster:
        log("Importing the same file with psql \\copy …")
        psql = lambda district, command: ["psql", "-q", "-v", "ON_ERROR_STOP=1", cluster.url(district.name), "-c", command]
        run(psql(plain, "CREATE TABLE results (" + columns.replace(" PRIMARY KEY", "").format(real="DOUBLE PRECISION") + ")"))
        native = run(psql(plain, f"\\copy results FROM '{results_csv}' WITH (FORMAT csv, HEADER true)"))
        run(psql(indexed, "CREATE TABLE results (" + columns.format(real="DOUBLE PRECISION") + "); " + indexes))
        native_indexed = run(psql(indexed, f"\\copy results FROM '{results_csv}' WITH (FORMAT csv, HEADER true)"))
    else:
        log("Importing the same file with sqlite3 .import …")
        native = run(["sqlite3", plain.path, ".import --csv " + results_csv + " results"])
        run(["sqlite3", indexed.path, "CREATE TABLE results (" + columns.format(real="REAL") + "); " + indexes])
        native_indexed = run(["sqlite3", indexed.path, ".import --csv --skip 1 " + results_csv + " results"])
    return result_rows, lodestar_import, native, native_indexed, peak_mb


def measure_dashboards(binary, district, args):
    """Five dashboards over HTTP, each beside DuckDB computing the same numbers from the raw rows."""
    # The class with the most assessments (none on the first day of the year: no tracker to check then).
    tracker_class = (district.rows("""
        SELECT ac.class_id FROM assessment_classes ac JOIN classes c ON c.id = ac.class_id
        WHERE c.school_id = ? GROUP BY ac.class_id ORDER BY count(*) DESC, ac.class_id LIMIT 1
    """, [SCHOOL]) or [[None]])[0][0]
    log("Copying the tables to DuckDB (not timed) …")
    duck = load_duckdb(district, os.path.join(args.work, "duckdb"))
    server = Server(binary, district.log_name, args.port, district.environment())
    base = f"http://127.0.0.1:{args.port}"
    try:
        leader = Client(base)
        leader.sign_in(DISTRICT_LEADER)
        equity_rows = leader.csv("/insights/equity.csv")
        month = equity_rows[0]["month"] if equity_rows else args.through[:7]
        learning_rows = leader.csv(f"/insights/learning.csv?school={SCHOOL}")
        learning_months = sorted({row["month"] for row in learning_rows})
        # The page counts the 30 days up to the server's clock: DuckDB counts up to the second before and after.
        feedback_before = int(now()) - (2 if CLOCK["start"] else 0)
        feedback_rows = leader.csv("/insights/feedback.csv")
        feedback_after = int(now()) + (3 if CLOCK["start"] else 1)
        dashboards = [
            ("District practice trends (heatmap)", "/insights/practice", lambda: leader.csv("/insights/practice.csv"),
             lambda: duck_practice(duck), check_practice),
            ("District equity gaps", "/insights/equity", lambda: equity_rows,
             lambda: duck_mastery_as_of(duck, month), check_equity),
            # A school's groups are smaller: there the small-group rule and complementary suppression hide some.
            (f"School equity gaps ({SCHOOL})", f"/insights/equity?school={SCHOOL}", lambda: leader.csv(f"/insights/equity.csv?school={SCHOOL}&month={month}"),
             lambda: duck_mastery_as_of(duck, month, SCHOOL), check_equity),
            (f"School mastery by standard ({SCHOOL})", f"/insights/learning?school={SCHOOL}", lambda: learning_rows,
             lambda: duck_learning(duck, SCHOOL, learning_months), check_learning),
        ] + ([
            (f"Class mastery tracker ({tracker_class})", f"/classes/{tracker_class}/mastery", lambda: leader.csv(f"/classes/{tracker_class}/mastery.csv"),
             lambda: duck_tracker(duck, tracker_class), check_tracker),
        ] if tracker_class else []) + [
            ("Visit coverage and feedback by school", "/insights/feedback", lambda: feedback_rows,
             lambda: duck_feedback(duck, feedback_before),
             lambda rows, numbers: either(check_feedback, rows, numbers, duck_feedback(duck, feedback_after))),
        ]
        measured = []
        failures = []
        for name, path, lodestar_numbers, duck_numbers, check in dashboards:
            log(f"Timing {name} …")
            lodestar_times = time_requests(lambda: leader.get(path), args.requests)
            duck_times = time_requests(duck_numbers, max(5, args.requests // 3))
            try:
                checked = check(lodestar_numbers(), duck_numbers())
                verdict = f"all {checked} rows match"
            except Mismatch as mismatch:
                verdict = f"MISMATCH: {mismatch}"
                failures.append(name)
            measured.append((name, lodestar_times, duck_times, verdict))
    finally:
        server.stop()
    if args.methods:
        swept = sweep_methods(binary, district, args, duck, month, learning_months, tracker_class)
        for name, verdict in swept:
            measured.append((f"Mastery method {name}", None, None, verdict))
            if verdict.startswith("MISMATCH"):
                failures.append(f"mastery method {name}")
    return measured, failures



def report(results, args, district):
    """Prints the table."""
    print(f"\nLodestar benchmark — {args.size} district on {district.label}, data through {args.through}\n")
    print(f"{'measure':<52} {'Lodestar':>16} {'comparison':>22} {'ratio':>8}")
    if "import" in results:
        rows, lodestar_seconds, native_seconds, indexed_seconds, peak_mb = results["import"]
        tool = "\\copy" if district.label == "PostgreSQL" else "sqlite3"
        print(f"{'import results.csv: rows/s (' + format(rows, ',') + ' rows)':<52} {rows / lodestar_seconds:>16,.0f} {rows / native_seconds:>13,.0f} {tool:>7} {native_seconds / lodestar_seconds:>8.2f}")
        print(f"{'   … into a table with a key and two indexes':<52} {'':>16} {rows / indexed_seconds:>13,.0f} {tool:>7} {indexed_seconds / lodestar_seconds:>8.2f}")
        print(f"{'   … import time, and its peak memory (max RSS)':<52} {f'{lodestar_seconds:.1f} s, {peak_mb:,.0f} MB':>16}")
    if "demo" in results:
        print(f"{'lodestar demo --size ' + args.size:<52} {results['demo']:>14.1f} s")
    for name, lodestar_times, duck_times, verdict in results.get("dashboards", []):
        if lodestar_times is None:
            print(f"{name:<52}\n{'   cross-check: ' + verdict:<52}")
            continue
        lp50, lp95 = percentile(lodestar_times, 0.5), percentile(lodestar_times, 0.95)
        dp50, dp95 = percentile(duck_times, 0.5), percentile(duck_times, 0.95)
        print(f"{name:<52} {f'p50 {lp50:.1f} / p95 {lp95:.1f} ms':>16} {f'{dp50:.1f} / {dp95:.1f} ms DuckDB':>22} {lp95 / dp95:>8.2f}")
        print(f"{'   cross-check: ' + verdict:<52}")
    if "walkthroughs" in results:
        rate, p99, errors, total, saved = results["walkthroughs"]
        print(f"{'walkthrough submissions (wrk, 64 connections)':<52} {f'{rate:,.0f}/s, p99 {p99:.1f} ms':>16} {f'{errors} errors of {total:,}; {saved:,} saved':>22}")
    if "memory" in results:
        print(f"{'server peak memory (VmHWM)':<52} {results['memory']:>13,.0f} MB")
    print("\nratio: comparison time / Lodestar time for the import (above 1 means Lodestar is faster); "
          "Lodestar p95 / DuckDB p95 for dashboards (below 0.5 is the target).")


if __name__ == "__main__":
    main()
