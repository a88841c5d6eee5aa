#!/usr/bin/env python3
"""The reference reading of iCalendar files, for Lodestar's tests: Python's icalendar parses, and
recurring-ical-events (python-dateutil's rrule underneath) expands.

Reads one JSON case per line on stdin: {"id", "ics", "from", "to", "zone"} (from/to in seconds since
1970, zone the district's IANA zone for floating times and dates) and writes one line per case:
{"id", "occurrences": [[summary, start, end, all_day], ...]} or {"id", "error": "..."}. An occurrence
is kept when it starts in [from, to) and is not cancelled, as Lodestar keeps them.
"""
import datetime
import json
import sys
import warnings
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

warnings.simplefilter("ignore")
UTC = datetime.timezone.utc


def instant(value, zone):
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return int(value.timestamp())


def occurrences(case):
    zone = ZoneInfo(case["zone"])
    calendar = icalendar.Calendar.from_ical(case["ics"])
    start = datetime.datetime.fromtimestamp(case["from"], UTC) - datetime.timedelta(days=3)
    stop = datetime.datetime.fromtimestamp(case["to"], UTC) + datetime.timedelta(days=3)
    result = []
    for event in recurring_ical_events.of(calendar).between(start, stop):
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        begin = event["DTSTART"].dt
        end = event["DTEND"].dt if "DTEND" in event else begin
        all_day = not isinstance(begin, datetime.datetime)
        first = instant(begin, zone)
        if case["from"] <= first < case["to"]:
            result.append([str(event.get("SUMMARY", "")), first, instant(end, zone), all_day])
    return sorted(result, key=lambda o: (o[1], o[0], o[2]))


for line in sys.stdin:
    case = json.loads(line)
    try:
        print(json.dumps({"id": case["id"], "occurrences": occurrences(case)}), flush=False)
    except Exception as error:  # the case is reported, not the run stopped
        print(json.dumps({"id": case["id"], "error": f"{type(error).__name__}: {error}"}))
sys.stdout.flush()
