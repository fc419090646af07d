"""Xu hướng (#/xu-huong), used in Debian's headless Chromium by an admin and a leader (issue 17).

Reports of Cục Y tế's hospitals (and of two provinces, outside that subtree) are seeded through
the API over the last 4 months, one of them returned (so not counted). An admin chooses an
indicator, the subtree and the range; the chart's accessible name, the numbers behind it and the
units that moved most are what the seeded figures and GET /v1/trends say. A leader opens the
admin's link and sees the same trend. axe-core on every state; with THIDUA_SCREENSHOTS=1,
docs/portal-trends*-<360|1366>.png.

    .venv/bin/python -m pytest -q tests/e2e/test_office_trends.py
"""

from __future__ import annotations

import urllib.parse
from datetime import datetime, timedelta

import pytest

from browser import HAVE_CHROMIUM, NEEDS_CHROMIUM, button, field_error, fill, heading, norm, press, says, wait
from chalicelib.core.periods import VN_TZ, parse_period
from people import check, current_period, ok, person, portal_world, sign_in

pytestmark = pytest.mark.slow
if not HAVE_CHROMIUM:
    pytest.skip(NEEDS_CHROMIUM, allow_module_level=True)

CODE = "patients_treated"
LABEL = "Bệnh nhân COVID-19 được điều trị"


def months() -> list[str]:
    """The last 4 months, oldest first (the current one last)."""
    p = parse_period(current_period())
    out = [p]
    for _ in range(3):
        out.insert(0, out[0].previous())
    return [m.code for m in out]


# unit -> its figure per month (oldest first); None: no report that month
FIGURES = {
    "cuc-y-te": (100, None, None, 100),
    "bv-19-8": (1000, 1500, 2000, 4000),            # +3.000, +300 %
    "bv-199": (5000, 4500, 4200, 3800),             # −1.200, −24 %
    "bv-y-hoc-co-truyen": (600, 700, 800, 1100),    # +500, +83,3 %; its third month is returned
    "ca-nghe-an": (5000, 5000, 5000, 5000),          # outside Cục Y tế; unchanged
    "ca-bac-giang": (2000, None, None, 2500),        # outside Cục Y tế; +500
}
RETURNED = ("bv-y-hoc-co-truyen", 2)  # (unit, month index): sent back, so out of every total
SUBTREE = ("cuc-y-te", "bv-19-8", "bv-199", "bv-y-hoc-co-truyen")


def expected_totals(units) -> list[int]:
    return [sum(FIGURES[u][i] or 0 for u in units if (u, i) != RETURNED) for i in range(4)]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    for w in portal_world(tmp_path_factory, "office-trends"):
        periods = months()
        deadline = (datetime.now(VN_TZ) + timedelta(days=40)).replace(microsecond=0).isoformat()
        for period in periods:  # past months closed long ago: the office reopens them
            ok(w.api.call("PUT", f"/v1/periods/{period}", {"deadline": deadline}))
        for unit_id, values in FIGURES.items():
            for period, value in zip(periods, values):
                if value is not None:
                    ok(w.api.call("PUT", f"/v1/units/{unit_id}/reports/{period}", {"values": {CODE: value}}), 201)
        unit_id, i = RETURNED
        ok(w.api.call("POST", f"/v1/units/{unit_id}/reports/{periods[i]}/review",
                      {"action": "return", "note": "Số bệnh nhân chưa khớp sổ theo dõi; đề nghị kiểm tra lại."}))
        w.periods = periods
        yield w


def chart_label(driver) -> str:
    return norm(wait(driver, lambda d: d.execute_script(
        "const s = document.querySelector('svg[role=img]'); return s && s.getAttribute('aria-label')")))


def table_rows(driver, selector: str) -> list[list[str]]:
    """The rows of a table as their cells' text (the data-label prefixes of the phone layout are CSS)."""
    return [[norm(c) for c in row] for row in driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0] + ' tbody tr'))"
        ".map((tr) => Array.from(tr.children).map((c) => c.textContent))", selector)]


def fits(driver) -> None:
    width = driver.execute_script("return window.innerWidth")
    scroll = driver.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll}px wide in a {width}px window"


def month_label(code: str) -> str:
    """As the period pickers name it: "Tháng 9/2026"."""
    year, month = code.split("-")
    return f"Tháng {int(month)}/{year}"


def vn(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def test_an_admin_sees_a_subtrees_trend_its_numbers_and_who_moved_most(world, chromium_factory):
    periods = world.periods
    admin = person(world, "admin", name="Phạm Thị Thi Đua")
    driver = chromium_factory(width=1366)
    sign_in(driver, world, admin)
    press(driver, "Xu hướng")
    heading(driver, "Xu hướng")
    fill(driver, "Chỉ tiêu", CODE)
    fill(driver, "Đơn vị", "cuc-y-te")
    fill(driver, "Từ kỳ", periods[0])
    fill(driver, "Đến kỳ", periods[-1])

    totals = expected_totals(SUBTREE)
    assert totals == [6700, 6700, 6200, 9000]
    said = "; ".join(f"{month_label(p)}: {vn(t)}" for p, t in zip(periods, totals))
    wanted = (f"Biểu đồ cột: {LABEL} (người) của Cục Y tế, từ {month_label(periods[0])} "
              f"đến {month_label(periods[-1])}. {said}.")
    wait(driver, lambda d: chart_label(d) == wanted, message=f"the chart never read {wanted!r}")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(driver.current_url).fragment.partition("?")[2])
    assert query == {"chi-tieu": [CODE], "don-vi": ["cuc-y-te"], "tu": [periods[0]], "den": [periods[-1]]}
    check(driver, "trends")

    press(driver, "Xem số liệu")
    wait(driver, lambda d: len(table_rows(d, ".trends__numbers")) == 4)
    api = ok(world.api.call("GET", f"/v1/trends?indicator={CODE}&unit=cuc-y-te&from={periods[0]}&to={periods[-1]}"))
    assert [p["total"] for p in api["points"]] == totals
    assert [p["units_reported"] for p in api["points"]] == [4, 3, 2, 4]
    assert table_rows(driver, ".trends__numbers") == [
        [month_label(p["period"]), vn(p["total"]), f"{p['units_reported']}/4", str(p["units_with_value"])]
        for p in api["points"]]
    button(driver, "Ẩn số liệu")  # the same button, now hiding them

    # Who moved most: the hospitals, by absolute change, each with its first and last month.
    tables = driver.execute_script("return document.querySelectorAll('.trends__mover-table').length")
    assert tables == 2
    rising = [[norm(c) for c in r] for r in driver.execute_script(
        "return Array.from(document.querySelectorAll('.trends__mover-table')[0].querySelectorAll('tbody tr'))"
        ".map((tr) => Array.from(tr.children).map((c) => c.textContent))")]
    falling = [[norm(c) for c in r] for r in driver.execute_script(
        "return Array.from(document.querySelectorAll('.trends__mover-table')[1].querySelectorAll('tbody tr'))"
        ".map((tr) => Array.from(tr.children).map((c) => c.textContent))")]
    assert rising == [["Bệnh viện 19-8", "1.000", "4.000", "+3.000", "+300%"],
                      ["Bệnh viện Y học cổ truyền", "600", "1.100", "+500", "+83,3%"]]
    assert falling == [["Bệnh viện 199", "5.000", "3.800", "−1.200", "−24%"]]
    assert [(m["unit_id"], m["change"]) for m in api["rising"]] == [("bv-19-8", 3000), ("bv-y-hoc-co-truyen", 500)]
    assert [(m["unit_id"], m["change"], m["change_percent"]) for m in api["falling"]] == [("bv-199", -1200, -24.0)]
    link = driver.execute_script("return document.querySelector('.trends__mover-table a').getAttribute('href')")
    assert link == f"#/ky-bao-cao/{periods[-1]}/bv-19-8"
    check(driver, "trends-numbers")
    assert driver.current_url == shared_link(world)  # what the leader's test opens

    # The whole tree: the level under the ministry moves (Cục Y tế counts its hospitals).
    fill(driver, "Đơn vị", "Toàn Bộ")
    whole = expected_totals(FIGURES)
    wait(driver, lambda d: chart_label(d).startswith(f"Biểu đồ cột: {LABEL} (người) của Toàn Bộ")
         and f"{month_label(periods[-1])}: {vn(whole[-1])}." in chart_label(d))
    wait(driver, lambda d: [r[0] for r in table_rows(d, ".trends__mover-table")] == [
        "Cục Y tế", "Công an tỉnh Bắc Giang"])
    says_none = driver.execute_script("return document.querySelector('.trends__movers').innerText")
    assert "Không có đơn vị nào giảm." in says_none
    check(driver, "trends-whole-tree")

    # A range backwards is refused, in Vietnamese, next to the choice to fix.
    fill(driver, "Từ kỳ", periods[-1])
    fill(driver, "Đến kỳ", periods[0])
    assert field_error(driver, "Đến kỳ") == "Kỳ cuối phải từ kỳ đầu trở về sau."
    says(driver, "Kỳ cuối phải từ kỳ đầu trở về sau.")
    fill(driver, "Từ kỳ", periods[0])
    fill(driver, "Đến kỳ", periods[-1])

    # Back to Cục Y tế, and from a hospital that moved to its report of the last month.
    fill(driver, "Đơn vị", "cuc-y-te")
    wait(driver, lambda d: "của Cục Y tế" in chart_label(d))
    press(driver, "Bệnh viện 19-8")
    wait(driver, lambda d: d.current_url.endswith(f"#/ky-bao-cao/{periods[-1]}/bv-19-8"))


def shared_link(world) -> str:
    """The address an admin's choice of Cục Y tế over the 4 months leaves in the address bar."""
    return (f"{world.url}/#/xu-huong?chi-tieu={CODE}&don-vi=cuc-y-te"
            f"&tu={world.periods[0]}&den={world.periods[-1]}")


def test_a_leader_opens_the_shared_link_on_a_phone(world, chromium_factory):
    periods = world.periods
    leader = person(world, "leader", name="Trần Quốc Lãnh Đạo")
    driver = chromium_factory(width=360, height=780)
    sign_in(driver, world, leader)
    driver.get(shared_link(world))
    heading(driver, "Xu hướng")
    totals = expected_totals(SUBTREE)
    wait(driver, lambda d: chart_label(d).endswith(f"{month_label(periods[-1])}: {vn(totals[-1])}.")
         and "của Cục Y tế" in chart_label(d))
    fits(driver)
    check(driver, "trends")
    press(driver, "Xem số liệu")
    wait(driver, lambda d: [r[1] for r in table_rows(d, ".trends__numbers")] == [vn(t) for t in totals])
    # A leader reviews no reports: the units are named, not linked.
    assert driver.execute_script("return document.querySelectorAll('.trends__mover-table a').length") == 0
    assert [r[0] for r in table_rows(driver, ".trends__mover-table")] == [
        "Bệnh viện 19-8", "Bệnh viện Y học cổ truyền", "Bệnh viện 199"]
    fits(driver)
    check(driver, "trends-numbers")
    fill(driver, "Đơn vị", "Toàn Bộ")
    wait(driver, lambda d: "của Toàn Bộ" in chart_label(d))
    wait(driver, lambda d: [r[0] for r in table_rows(d, ".trends__mover-table")] == [
        "Cục Y tế", "Công an tỉnh Bắc Giang"])
    fits(driver)
    check(driver, "trends-whole-tree")

    # A year on a phone: every month has its bar's place, and the month labels never overlap.
    year_ago = parse_period(periods[-1])
    for _ in range(11):
        year_ago = year_ago.previous()
    fill(driver, "Từ kỳ", year_ago.code)
    wait(driver, lambda d: f"từ {month_label(year_ago.code)} đến" in chart_label(d))
    assert f"{month_label(year_ago.code)}: chưa có số liệu" in chart_label(driver)
    assert not driver.execute_script("""
        const boxes = Array.from(document.querySelectorAll('svg[role=img] text'))
          .filter((t) => t.textContent.includes('/')).map((t) => t.getBoundingClientRect());
        return boxes.length < 4 || boxes.some((b, i) => i > 0 && b.left < boxes[i - 1].right);"""), \
        "month labels missing or overlapping at 360 px"
    fits(driver)
    check(driver, "trends-year")
