"""Issuers and signers as data (issuers.json): one record gives header, symbol and signer."""

from __future__ import annotations

import pytest

from chalicelib.documents import issuers


def test_the_conferences_signer_signs_for_the_ministry_on_one_line_or_two():
    for title in ("KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "KT. BỘ TRƯỞNG THỨ TRƯỞNG", "KT. Bộ trưởng\nThứ trưởng"):
        issuer = issuers.ministry({"signer": {"title": title, "name": "Thượng tướng Nguyễn Văn Sơn"}})
        assert issuer.signer_lines == ["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"], title
        assert issuer.signer_name == "Thượng tướng Nguyễn Văn Sơn"
    minister = issuers.ministry({"signer": {"title": "BỘ TRƯỞNG", "name": "Đại tướng A"}})
    assert minister.signer_lines == ["BỘ TRƯỞNG"] and minister.authority == ""


@pytest.mark.parametrize("title", ["CHÁNH VĂN PHÒNG", "KT. CHÁNH VĂN PHÒNG\nPHÓ CHÁNH VĂN PHÒNG", "GIÁM ĐỐC",
                                   "KT. BỘ TRƯỞNGTHỨ TRƯỞNG"])
def test_a_signer_for_another_body_is_refused(title):
    with pytest.raises(ValueError):
        issuers.ministry({"signer": {"title": title, "name": "A"}})


def test_a_unit_without_a_catalog_entry_is_derived_from_its_kind():
    units = [{"id": "bo-cong-an", "name": "Bộ Công an", "parent_id": None, "kind": "ministry"},
             {"id": "na", "name": "Công an tỉnh Nghệ An", "parent_id": "bo-cong-an", "kind": "province"}]
    issuer = issuers.unit_issuer(units[1], units)
    assert (issuer.header_lines, issuer.symbol("QĐ"), issuer.signer_lines, issuer.proposer) == (
        ("BỘ CÔNG AN", "CÔNG AN TỈNH NGHỆ AN"), "QĐ-CAT-NA", ["GIÁM ĐỐC"], "Trưởng phòng Tổ chức cán bộ")


def test_the_offices_unit_order_is_data():
    units = [{"id": "bca", "name": "Bộ Công an", "parent_id": None, "kind": "ministry"},
             {"id": "tn", "name": "Công an tỉnh Tây Ninh", "parent_id": "bca", "kind": "province"},
             {"id": "dn", "name": "Công an thành phố Đà Nẵng", "parent_id": "bca", "kind": "province"},
             {"id": "bd", "name": "Công an tỉnh Bình Dương", "parent_id": "bca", "kind": "province"},
             {"id": "x", "name": "Cục Y tế", "parent_id": "bca", "kind": "department"},
             {"id": "a", "name": "A", "parent_id": "missing", "kind": "other"}]
    assert [(d, u["id"]) for d, u in issuers.office_order(units)] == [
        (0, "bca"), (1, "x"), (1, "bd"), (1, "dn"), (1, "tn"), (0, "a")]
    assert issuers.place_name("Công an tỉnh Bình Dương") == "Bình Dương"
    assert issuers.place_name("Cục Y tế") == "Cục Y tế"


def test_each_issuer_keeps_its_own_copy_in_nơi_nhận():
    """"Lưu: VT, V01" is the ministry office's file: a unit's Giấy khen decision is kept by the unit."""
    units = [{"id": "bo-cong-an", "name": "Bộ Công an", "parent_id": None, "kind": "ministry"},
             {"id": "na", "name": "Công an tỉnh Nghệ An", "parent_id": "bo-cong-an", "kind": "province"}]
    assert issuers.ministry().archive == "Lưu: VT, V01."
    assert issuers.unit_issuer({"id": "ca-binh-duong", "name": "Công an tỉnh Bình Dương"}).archive == "Lưu: VT, PX01."
    assert issuers.unit_issuer(units[1], units).archive == "Lưu: VT."
