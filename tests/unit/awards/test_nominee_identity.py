"""Nominees with identity: one person or collective per conference and award form, whatever the spelling."""

from __future__ import annotations

import pytest

from tests.unit.awards.test_awards_api import nominate, world  # noqa: F401  (the fixture)


def person(api, world, name, **fields):
    t, cid = world["tokens"], world["conference"]
    body = {"kind": "individual", "name": name, "position": "Đại úy, Bác sĩ", "nominee_unit_id": "bv-19-8", **fields}
    return nominate(api, t["cuc-y-te"], "cuc-y-te", cid, **body)


@pytest.mark.parametrize("first, second", [
    ("Nguyễn Thị Hoà", "Nguyễn Thị Hòa"),          # old and new tone placement
    ("Lê Thị Thuý", "Lê Thị Thúy"),
    ("Trần Văn Nam", "Ｔｒầｎ Ｖăｎ Ｎａｍ"),             # fullwidth letters
    ("Cao Văn Lâm", "Сao Văn Lâm"),                # a Cyrillic С (U+0421)
])
def test_one_person_under_another_spelling_is_a_duplicate(api, world, first, second):
    created = person(api, world, first)
    assert created.status_code == 201, created.body
    again = person(api, world, second)
    assert again.status_code == 409, again.body
    detail = again.data["detail"]
    assert created.data["id"] in detail and "đã được đề nghị" in detail   # names the nomination already there


def test_officer_number_tells_two_namesakes_apart(api, world):
    first = person(api, world, "Nguyễn Văn An", officer_number="123-456", birth_date="1980-05-02")
    assert first.status_code == 201, first.body
    assert first.data["identity_key"] == "officer:123-456" and first.data["birth_date"] == "1980-05-02"
    namesake = person(api, world, "Nguyễn Văn An", officer_number="654-321")
    assert namesake.status_code == 201, namesake.body
    respelt = person(api, world, "Nguyễn Văn Ân", officer_number="123-456")   # a typo in the name, same officer
    assert respelt.status_code == 409
    assert first.data["id"] in respelt.data["detail"]


def test_date_of_birth_is_the_second_key(api, world):
    assert person(api, world, "Phạm Thị Hoà", birth_date="1990-01-01").status_code == 201
    assert person(api, world, "Phạm Thị Hòa", birth_date="1991-03-04").status_code == 201
    assert person(api, world, "Phạm Thị Hòa", birth_date="1990-01-01").status_code == 409


def test_a_name_mixing_scripts_is_refused_unless_it_is_a_duplicate(api, world):
    refused = person(api, world, "Vũ Văn Сường")   # Cyrillic С: no such person yet
    assert refused.status_code == 422 and refused.data["errors"][0]["field"] == "name"
    assert person(api, world, "Vũ Văn Cường").status_code == 201
    assert person(api, world, "Vũ Văn Сường").status_code == 409


def test_collectives_are_units_of_the_tree_or_named_teams(api, world):
    t, cid = world["tokens"], world["conference"]
    hospital = nominate(api, t["cuc-y-te"], "cuc-y-te", cid, name="Bệnh viện 19-8", nominee_unit_id="bv-19-8")
    assert hospital.status_code == 201 and hospital.data["identity_key"] == "unit:bv-19-8"
    assert hospital.data["team"] is False
    renamed = nominate(api, t["cuc-y-te"], "cuc-y-te", cid, name="BV 19-8", nominee_unit_id="bv-19-8")
    assert renamed.status_code == 409   # the same unit under another name
    team = nominate(api, t["cuc-y-te"], "cuc-y-te", cid, name="Khoa Truyền nhiễm", nominee_unit_id="bv-19-8",
                    team=True)
    assert team.status_code == 201 and team.data["identity_key"].startswith("team:bv-19-8:")
    # a collective without a unit of the tree is a named team of the nominating unit (as clients always sent)
    legacy = nominate(api, t["cuc-y-te"], "cuc-y-te", cid, name="Phòng Kế hoạch")
    assert legacy.status_code == 201 and legacy.data["team"] is True
    outside = nominate(api, t["cuc-y-te"], "cuc-y-te", cid, name="Công an tỉnh Nghệ An", nominee_unit_id="ca-nghe-an")
    assert outside.status_code == 422 and outside.data["errors"][0]["field"] == "nominee_unit_id"
    not_a_person = nominate(api, t["cuc-y-te"], "cuc-y-te", cid, name="Khoa Nội", officer_number="123-456", team=True)
    assert not_a_person.status_code == 422 and not_a_person.data["errors"][0]["field"] == "officer_number"


def test_a_patch_to_another_spelling_of_a_nominee_already_there_is_409(api, world):
    first = person(api, world, "Đỗ Thị Thuý").data
    second = person(api, world, "Đỗ Thị Lan").data
    etag = api.get(f"/v1/nominations/{second['id']}", token=world["tokens"]["cuc-y-te"]).headers["ETag"]
    clash = api.patch(f"/v1/nominations/{second['id']}", token=world["tokens"]["cuc-y-te"],
                      body={"name": "Đỗ Thị Thúy"}, headers={"If-Match": etag})
    assert clash.status_code == 409 and first["id"] in clash.data["detail"]


def test_the_form_picks_the_nominee_unit_from_the_subtree(api, world):
    got = api.get("/v1/units/cuc-y-te/nominee-units", token=world["tokens"]["cuc-y-te"])
    assert got.status_code == 200
    assert [(u["id"], u["parent_id"]) for u in got.data["items"]] == [
        ("cuc-y-te", None), ("bv-19-8", "cuc-y-te"), ("bv-199", "cuc-y-te")]
    assert api.get("/v1/units/cuc-y-te/nominee-units", token=world["tokens"]["ca-nghe-an"]).status_code == 403


def test_a_collective_stored_before_identities_keeps_its_name_as_its_identity():
    from chalicelib.awards.nominations import identity_key, public

    old = {"id": "x", "kind": "collective", "name": "Phòng  Kế hoạch", "unit_id": "cuc-y-te",
           "nominee_unit_id": "cuc-y-te", "figures": {}, "version": 1}
    assert identity_key(old) == "team:cuc-y-te:phòng kế hoạch" and public(old)["team"] is True
    assert identity_key({**old, "team": False}) == "unit:cuc-y-te"
