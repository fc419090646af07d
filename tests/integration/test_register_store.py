"""The register of commendations on DynamoDB Local: entries written once whatever the retries, a
year's entries, a nominee's history through the index, a pending import kept with its TTL."""

from __future__ import annotations

import datetime as dt

from chalicelib.core.access import Principal
from chalicelib.core.states import Role
from chalicelib.register import service
from helpers import seed_units

NOW = dt.datetime(2021, 8, 28, 3, 0, tzinfo=dt.timezone.utc)
ADMIN = Principal("adm", Role.ADMIN, None, "Văn thư")


def entry(n: int, name: str, year: int, identity: str) -> dict:
    return {"id": f"e{n:03d}", "kind": "individual", "name": name, "search": service.search_key(name),
            "identity_key": identity, "unit_id": "ca-nghe-an", "unit_name": "Công an tỉnh Nghệ An",
            "award_form": "giay-khen", "award_form_name": "Giấy khen", "decision_number": f"{n}/QĐ-CAT",
            "decision_date": f"{year}-12-0{1 + n % 9}", "granted_by": "Giám đốc Công an tỉnh Nghệ An",
            "summary": "", "conference_id": None, "nomination_id": None, "source": "import", "year": year,
            "officer_number": None, "birth_date": None, "position": "Đại úy"}


def test_entries_are_written_once_and_read_by_year_and_identity(store):
    seed_units(store, [("bo-cong-an", "Bộ Công an", None, "ministry"),
                       ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province")])
    entries = [entry(n, "Nguyễn Thị Hòa" if n % 2 else "Trần Văn Đức", 2019 + n % 3,
                     "officer:A1" if n % 2 else "officer:B2") for n in range(130)]
    assert store.register.put_entries(entries) == 130
    assert store.register.put_entries(entries[:40]) == 0  # a retry: nothing new
    assert len(store.register.entries()) == 130
    # which of 150 (130 stored, 20 not) the register holds: read in batches of 100
    unknown = [{**e, "id": f"{e['id']}-x"} for e in entries[:20]]
    assert store.register.present(entries + unknown) == {e["id"] for e in entries}
    assert {e["year"] for e in store.register.entries(2020)} == {2020}
    history = store.register.of_identity("officer:A1")
    assert len(history) == 65 and [e["decision_date"] for e in history] == sorted(e["decision_date"] for e in history)
    found = service.search(store, ADMIN, q="nguyen thi hoa", year="2021")
    assert found and all(e["name"] == "Nguyễn Thị Hòa" and e["year"] == 2021 for e in found)


def test_a_pending_import_is_kept_with_a_ttl_and_confirmed_once(store):
    seed_units(store, [("bo-cong-an", "Bộ Công an", None, "ministry"),
                       ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province")])
    rows = [{"row": 2, "kind": "Cá nhân", "name": "Phạm Thế Tùng", "unit_id": "ca-nghe-an",
             "award_form": "Giấy khen", "decision_number": "7/QĐ", "decision_date": "01/12/2020",
             "granted_by": "Giám đốc Công an tỉnh Nghệ An"}]
    preview = service.preview_import(store, ADMIN, rows, NOW)
    assert preview["errors"] == [] and store.register.entries() == []
    assert store.register.get_import(preview["id"])["state"] == "pending"
    assert service.confirm_import(store, ADMIN, preview["id"], NOW)["new"] == 1
    assert service.confirm_import(store, ADMIN, preview["id"], NOW)["new"] == 0
    [stored] = store.register.entries(2020)
    assert (stored["name"], stored["decision_date"]) == ("Phạm Thế Tùng", "2020-12-01")
