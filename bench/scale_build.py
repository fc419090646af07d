"""The ministry at scale, built on DynamoDB Local for `python -m bench scale` (issue 20).

    python -m bench.scale_build --units 700          # build once, print the counts and the time

Sizes as the ministry would grow into them: the ministry's own level (the ministry and 159
provincial forces and departments: 160 units), with the districts (700), with every commune
police (11,000). Each unit has 12 monthly reports (2021-01..2021-12; about one in 200 is
missing, so the board has gaps), and one conference covering those 12 months gets 5,000
nominations (a second one, same months, 1,000: the shortlist figure at 1,000).

Items are made by the code itself, so the data is whatever the code writes: units by
`units.service.create_unit`, reports by `reporting.reports.submit_report` (the PUT's own use case:
report, figure history and anything else it stages; its audit event and revision item are left
out: no measured path reads them, and they would triple the items to send), nominations by
`store.nominations.create`; each into an in-memory `Store` (a chunk of units at a time), whose
items are then sent to DynamoDB Local with `BatchWriteItem` (25 items a request, the store
table's own serializer) from several threads, while worker processes make the next chunks.
Conferences and period deadlines are made through the HTTP handlers (a few requests).
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

MONTHS = [f"2021-{m:02d}" for m in range(1, 13)]
OPEN_PERIOD = "2022-01"        # the month the benchmark's own report PUTs go to (deadline far away)
BUILT_AT = datetime(2022, 1, 5, 3, 0, tzinfo=timezone.utc)
MINISTRY = "bo-cong-an"
LEVEL1, LEVEL2 = 159, 540      # units directly under the ministry; districts under the provinces
PROVINCES = 63
FORMS = ("bang-khen-bo-truong", "giay-khen", "co-thi-dua-bo-cong-an")
BIG, SMALL = 5000, 1000        # nominations of the two conferences
MISSING_ONE_IN = 200           # about one report in 200 never submitted
CHUNK = 200                    # units per chunk: ~2,400 reports, ~7,800 items in memory at once

FIRST = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
         "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Quang", "Thanh", "Ngọc", "Xuân", "Công"]
LAST = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hùng", "Khánh", "Lâm", "Long", "Mai", "Nam", "Phong",
        "Quân", "Sơn", "Thắng", "Trung", "Tuấn", "Việt"]
RANKS = ["Đại tá, Giám đốc", "Thượng tá, Phó Giám đốc", "Trung tá, Trưởng phòng", "Thiếu tá, Đội trưởng",
         "Đại úy, cán bộ", "Thượng úy, cán bộ"]


# -- the tree -------------------------------------------------------------------------------

def ministry(count: int) -> list[dict[str, Any]]:
    """`count` units: the ministry; 159 provinces and departments under it; districts under the 63
    provinces (up to 540); communes under the districts (the rest). Parents come before children."""
    from bench.compile import PROVINCES as NAMES

    units = [{"id": MINISTRY, "name": "Bộ Công an", "parent_id": None, "kind": "ministry"}]
    provinces: list[dict[str, Any]] = []
    for i in range(min(LEVEL1, count - 1)):
        if i < PROVINCES:
            unit = {"id": f"ca-t{i:02d}", "name": f"Công an tỉnh {NAMES[i % len(NAMES)]}", "parent_id": MINISTRY,
                    "kind": "province"}
            provinces.append(unit)
        elif i % 12 == 0:
            unit = {"id": f"bv-{i:03d}", "name": f"Bệnh viện Công an số {i - PROVINCES}", "parent_id": MINISTRY,
                    "kind": "hospital"}
        else:
            unit = {"id": f"cuc-{i:03d}", "name": f"Cục nghiệp vụ số {i - PROVINCES}", "parent_id": MINISTRY,
                    "kind": "department"}
        units.append(unit)
    districts: list[dict[str, Any]] = []
    for j in range(min(LEVEL2, max(0, count - len(units)))):
        province = provinces[j % len(provinces)]
        n = j // len(provinces) + 1
        unit = {"id": f"{province['id']}-h{n:02d}", "parent_id": province["id"], "kind": "other",
                "name": f"Công an huyện số {n}, {province['name'][len('Công an '):]}"}
        districts.append(unit)
        units.append(unit)
    k = 0
    while len(units) < count:
        district = districts[k % len(districts)]
        n = k // len(districts) + 1
        units.append({"id": f"{district['id']}-x{n:02d}", "parent_id": district["id"], "kind": "other",
                      "name": f"Công an xã số {n}, {district['name'][len('Công an '):]}"})
        k += 1
    return units


def missing(unit_id: str, period: str) -> bool:
    """About one report in MISSING_ONE_IN is never submitted (stable across runs)."""
    return int(hashlib.sha1(f"{unit_id}/{period}".encode()).hexdigest()[:8], 16) % MISSING_ONE_IN == 0


def values_for(rng: random.Random, level: int) -> dict[str, int]:
    """A month's figures, smaller further down the tree, within the catalog's cross-field rules and
    never ten times a unit's usual month (the outlier rule would ask for a comment): each figure
    moves by at most ±30 % around the level's own scale."""
    scale = (2000, 400, 60, 8)[min(level, 3)]

    def about(n: int) -> int:
        return max(1, round(n * rng.uniform(0.7, 1.3)))

    detected = about(scale)
    penalised = min(detected, about(max(1, scale // 10)))
    return {"officers_mobilised": about(scale // 2), "checkpoints": about(max(2, scale // 40)),
            "tracing_teams": about(max(2, scale // 30)), "people_traced": about(scale),
            "citizens_escorted": about(scale * 5), "violations_detected": detected,
            "violations_warned": detected - penalised, "violations_penalised": penalised,
            "fines_vnd": penalised * 1_500_000, "news_items": about(max(2, scale // 20))}


def levels(units: list[dict[str, Any]]) -> dict[str, int]:
    depth: dict[str, int] = {}
    for u in units:
        depth[u["id"]] = 0 if u["parent_id"] is None else depth[u["parent_id"]] + 1
    return depth


# -- writing to DynamoDB ----------------------------------------------------------------------

class BatchWriter:
    """`BatchWriteItem` of plain items (with their key attributes) through the store table's client
    and serializer, from `threads` threads; unprocessed items are sent again."""

    def __init__(self, table: Any, threads: int = 6) -> None:
        self.table = table
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="bench-write")
        self.pending: list[Any] = []
        self.written = 0
        self._lock = threading.Lock()

    def _send(self, items: list[dict[str, Any]]) -> None:
        requests = [{"PutRequest": {"Item": self.table._item(i)}} for i in items]
        for attempt in range(30):
            resp = self.table.client.batch_write_item(RequestItems={self.table.name: requests})
            requests = (resp.get("UnprocessedItems") or {}).get(self.table.name) or []
            if not requests:
                break
            time.sleep(min(1.0, 0.02 * 2 ** attempt))
        else:
            raise RuntimeError("DynamoDB Local kept returning unprocessed items")
        with self._lock:
            self.written += len(items)

    def put(self, items: list[dict[str, Any]]) -> None:
        for start in range(0, len(items), 25):
            self.pending.append(self.pool.submit(self._send, items[start:start + 25]))
        if len(self.pending) > 2000:  # keep memory bounded: wait for the oldest
            done, self.pending = self.pending[:1000], self.pending[1000:]
            for f in done:
                f.result()

    def close(self) -> None:
        for f in self.pending:
            f.result()
        self.pending = []
        self.pool.shutdown()


def _memory_items(store: Any) -> list[dict[str, Any]]:
    """Every item of an in-memory store's table, with its key attributes."""
    table = store.table
    with table._lock:
        return [dict(item) for item in table._items.values()]


# -- making items with the code's own use cases -----------------------------------------------

def unit_items(units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The units as `create_unit` stores them (with whatever it adds: audit events, paths ...)."""
    from chalicelib.store.factory import Store
    from chalicelib.store.memory import MemoryTable
    from chalicelib.units.models import UnitIn
    from chalicelib.units.service import create_unit

    store = Store.on(MemoryTable())
    for u in units:
        create_unit(store, None, UnitIn(id=u["id"], name=u["name"], parent_id=u["parent_id"], kind=u["kind"]),
                    BUILT_AT - timedelta(days=400))
    return _memory_items(store)


def _report_chunk(args: tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, int], int, dict[str, str]]
                  ) -> tuple[int, int]:
    """The reports of a chunk of units, made by the report PUT's use case on an in-memory store that
    holds the chunk's units; every item it wrote except those units is sent to DynamoDB from this
    (worker) process. (items written, reports)."""
    chunk_units, unit_records, depth, seed, where = args
    from bench.compile import paragraph
    from chalicelib.core.access import Principal
    from chalicelib.core.periods import parse_period
    from chalicelib.core.states import Role
    from chalicelib.reporting.models import report_in_model
    from chalicelib.reporting.reports import submit_report
    from chalicelib.store.factory import Store
    from chalicelib.store.memory import MemoryTable

    table = MemoryTable()
    store = Store.on(table)
    preloaded = set()
    for record in unit_records:
        table._items[(record["PK"], record["SK"])] = dict(record)
        preloaded.add((record["PK"], record["SK"]))
    body_model = report_in_model()
    rng = random.Random(seed)
    for unit in chunk_units:
        who = Principal(token_id="bench", role=Role.UNIT, unit_id=unit["id"], name="bench")
        level = depth[unit["id"]]
        for period in MONTHS:
            if missing(unit["id"], period):
                continue
            end = parse_period(period).end
            # submitted in the first days after the month, before the default deadline
            now = datetime(end.year, end.month, end.day, 2, rng.randint(0, 59), tzinfo=timezone.utc) + timedelta(days=2)
            text = paragraph(rng) if level <= 1 else paragraph(rng)[:240]
            body = body_model(values=values_for(rng, level), achievements=text)
            submit_report(store, who, unit["id"], period, body, None, 10, now)
    # Audit events and revisions live in partitions no measured path reads (an event's own, the
    # report's REVISION# items): left out, the 11,000-unit build sends a third of the items.
    items = [item for key, item in table._items.items() if key not in preloaded and not _unread(key)]
    # this worker sends its own items: no pickling back to the parent, serialization on every core
    writer = BatchWriter(_worker_table(where), threads=4)
    writer.put(items)
    writer.close()
    return len(items), sum(1 for i in items if str(i.get("SK", "")).startswith("REPORT#"))


def _unread(key: tuple[str, str]) -> bool:
    return key[0].startswith("AUDIT#") or key[1].startswith("REVISION#")


_table_of_worker: Any = None


def _worker_table(where: dict[str, str]) -> Any:
    """This worker process's own table and client (a client must not cross a fork)."""
    global _table_of_worker
    if _table_of_worker is None or _table_of_worker.name != where["THIDUA_TABLE"]:
        from chalicelib.core.settings import settings
        from chalicelib.store.dynamodb import DynamoTable, make_client

        conf = settings({**os.environ, **where})
        _table_of_worker = DynamoTable(make_client(conf), conf.table_name)
    return _table_of_worker


def nomination_items(conference_id: str, units: list[dict[str, Any]], count: int, seed: int,
                     created: datetime) -> list[dict[str, Any]]:
    """`count` nominations as `store.nominations.create` stores them (item, pointer, nominee guard,
    audit event), from units all over the tree: collectives for the units themselves, individuals."""
    import secrets

    from chalicelib.awards.nominations import entity, etag_of, identity_key, nominee_key
    from chalicelib.core import audit
    from chalicelib.core.clock import iso
    from chalicelib.store.factory import Store
    from chalicelib.store.memory import MemoryTable

    table = MemoryTable()
    store = Store.on(table)
    # the conference item the creation's condition checks (not dumped: made through the API)
    from chalicelib.store import keys
    pk, sk = keys.conference(conference_id)
    table._items[(pk, sk)] = {"PK": pk, "SK": sk, "id": conference_id}
    rng = random.Random(seed)
    seen: set[tuple[str, str]] = set()
    for n in range(count):
        unit = units[rng.randrange(len(units))]
        collective = n % 4 == 0
        form = FORMS[n % 3] if collective else rng.choice(FORMS[:2])
        # a unit is nominated once per form; its further collectives are teams within it
        team = collective and (unit["id"], form) in seen
        seen.add((unit["id"], form))
        name = (f"Đội công tác số {n}, {unit['name']}" if team else unit["name"] if collective else
                f"{rng.choice(FIRST)} {rng.choice(MIDDLE)} {rng.choice(LAST)} {n}")
        nomination = {
            "conference_id": conference_id, "kind": "collective" if collective else "individual", "name": name,
            "position": "" if collective else rng.choice(RANKS), "nominee_unit_id": unit["id"],
            "officer_number": None if collective else f"SH-{n:06d}", "birth_date": None,
            "team": team, "award_form": form,
            "achievements": "Hoàn thành xuất sắc nhiệm vụ phòng, chống dịch COVID-19; " * 3,
            "figures": {}, "unit_id": unit["id"], "status": "pending", "decision": None,
            "created_at": iso(created), "created_by": "bench", "updated_at": iso(created), "version": 1}
        nomination["identity_key"] = identity_key(nomination)
        nomination["nominee_key"] = nominee_key(nomination)
        nomination["id"] = secrets.token_hex(5)
        nomination["etag"] = etag_of(nomination)
        store.nominations.create(nomination, audit=audit.event(entity(nomination["id"]), "nominated", None,
                                                               created, conference_id=conference_id,
                                                               award_form=nomination["award_form"]))
    return [item for key, item in table._items.items() if key != (pk, sk)]


# -- the whole build -----------------------------------------------------------------------------

@dataclass
class Built:
    units: int
    reports: int = 0
    nominations: dict[str, int] = field(default_factory=dict)   # conference id -> nominations
    items: int = 0
    seconds: float = 0.0
    big: str = ""          # the 5,000-nomination conference
    small: str = ""        # the 1,000-nomination conference
    unit_ids: list[str] = field(default_factory=list)


def _chunks(units: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(units), size):
        yield units[start:start + size]


def build(store: Any, count: int, *, processes: int | None = None, progress: Any = print) -> Built:
    """Build the `count`-unit ministry and its reports into `store` (a DynamoDB store, table created).
    Conferences and their nominations: bench.scale.Ministry (through the handlers) and `add_nominations`."""
    started = time.monotonic()
    units = ministry(count)
    depth = levels(units)
    out = Built(units=len(units), unit_ids=[u["id"] for u in units])
    records = unit_items(units)
    by_unit = {r["id"]: r for r in records if r.get("SK", "").startswith("UNIT#") and r.get("PK") == "UNITS"}
    client = store.table.client
    where = {"THIDUA_TABLE": store.table.name, "THIDUA_DDB_ENDPOINT": client.meta.endpoint_url,
             "AWS_DEFAULT_REGION": client.meta.region_name, "THIDUA_STORE": "dynamodb"}
    jobs = [(chunk, [by_unit[u["id"]] for u in chunk], depth, i, where)
            for i, chunk in enumerate(_chunks(units, CHUNK))]
    processes = processes or (os.cpu_count() or 1) + 1  # one more: each also waits on DynamoDB
    expected = sum(1 for u in units for p in MONTHS if not missing(u["id"], p))
    # Workers are forked first, before this process starts any thread (a fork copies no thread,
    # and a lock held by one would stay held); they inherit the imported modules.
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes) as pool:
        writer = BatchWriter(store.table)
        writer.put(records)
        progress(f"   units: {len(units)} ({len(records)} items) in {time.monotonic() - started:.1f} s")
        last = time.monotonic()
        for written, reports in pool.imap_unordered(_report_chunk, jobs):
            out.reports += reports
            out.items += written
            if time.monotonic() - last > 15 or out.reports == expected:
                last = time.monotonic()
                progress(f"   reports: {out.reports:,}/{expected:,} written ({out.items:,} items), "
                         f"{time.monotonic() - started:.0f} s")
    writer.close()
    out.items += writer.written
    progress(f"   reports: {out.reports:,} in {time.monotonic() - started:.0f} s ({out.items:,} items)")
    out.seconds = time.monotonic() - started
    return out


def add_nominations(store: Any, conference_id: str, units: list[dict[str, Any]], count: int, seed: int) -> int:
    writer = BatchWriter(store.table)
    items = nomination_items(conference_id, units, count, seed, BUILT_AT - timedelta(days=3))
    writer.put(items)
    writer.close()
    return len(items)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale_build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=700)
    args = parser.parse_args(argv)
    from bench.scale import Ministry

    with Ministry(args.units) as m:
        print(f"built {m.built.units} units, {m.built.reports:,} reports, nominations {m.built.nominations}, "
              f"{m.built.items:,} items in {m.built.seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
