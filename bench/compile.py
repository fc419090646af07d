"""The national compile (issue 10): the summary report of 100 units, every catalog indicator,
12 months covered and 12 compared, a paragraph of achievements per unit per month.

    python -m bench compile             # the figures below, about 3 minutes on 2 cores
    python -m bench.compile measure --units 100 --annex --workers 2 --out out/bench/a.pdf

Every measurement runs in a fresh process (`measure`), so that one render's memory and
warm caches never flatter the next; the parent samples that process tree's memory from
/proc (the sum of every process's PSS, so pages a forked render still shares with its
parent count once) every 100 ms and keeps the peak (reading smaps costs CPU: no
faster). The load average before and after is printed with the speed-up: other work on
the machine takes cores from the parallel run first. Single-process and parallel runs are
interleaved. The document is built in memory (no DynamoDB): aggregation, HTML, PDF.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

from bench.figures import Figure

SECTION = "compile"
REPO = Path(__file__).resolve().parents[1]

PHRASES = [
    "kịp thời tham mưu chính quyền địa phương các biện pháp phòng, chống dịch, bảo đảm an ninh trật tự trên địa bàn",
    "duy trì {n} chốt kiểm soát phòng, chống dịch tại các khu vực cửa ngõ",
    "thành lập {n} tổ truy vết, huy động hơn {m} cán bộ, chiến sỹ tham gia điều tra, truy vết các trường hợp "
    "nhiễm và nghi nhiễm COVID-19",
    "triển khai {n} phương án đón, dẫn trên {m} công dân đến và qua địa bàn an toàn",
    "tuyên truyền, nhắc nhở {m} trường hợp vi phạm; tham mưu xử phạt hành chính {n} trường hợp cố tình vi phạm",
    "phối hợp lực lượng Y tế Công an nhân dân hỗ trợ tiêm vaccine cho hơn {m} lượt người",
    "bảo đảm an ninh, trật tự tại các khu công nghiệp, hỗ trợ doanh nghiệp thực hiện “3 tại chỗ”",
    "đăng tải {n} tin, bài tuyên truyền về công tác phòng, chống dịch trên các phương tiện thông tin đại chúng",
]
PROVINCES = [
    "Nghệ An", "Bắc Giang", "Bình Dương", "Đồng Nai", "Hà Tĩnh", "Thanh Hóa", "Quảng Ninh", "Hải Phòng",
    "Lạng Sơn", "Cao Bằng", "Điện Biên", "Sơn La", "Lào Cai", "Yên Bái", "Phú Thọ", "Vĩnh Phúc", "Bắc Ninh",
    "Hưng Yên", "Hải Dương", "Thái Bình", "Nam Định", "Ninh Bình", "Hà Nam", "Hòa Bình", "Tuyên Quang",
    "Hà Giang", "Thái Nguyên", "Bắc Kạn", "Lai Châu", "Quảng Bình", "Quảng Trị", "Thừa Thiên Huế", "Quảng Nam",
    "Quảng Ngãi", "Bình Định", "Phú Yên", "Khánh Hòa", "Ninh Thuận", "Bình Thuận", "Kon Tum", "Gia Lai",
    "Đắk Lắk", "Đắk Nông", "Lâm Đồng", "Bình Phước", "Tây Ninh", "Bà Rịa - Vũng Tàu", "Long An", "Tiền Giang",
    "Bến Tre", "Trà Vinh", "Vĩnh Long", "Đồng Tháp", "An Giang", "Kiên Giang", "Cần Thơ", "Hậu Giang",
    "Sóc Trăng", "Bạc Liêu", "Cà Mau", "Đà Nẵng", "Hà Nội", "Hồ Chí Minh",
]


# -- the synthetic national compile ----------------------------------------------------

def national_units(count: int) -> list[dict]:
    """The ministry, provincial forces and, under every third, a city force: `count` in all."""
    units = [{"id": "bo-cong-an", "name": "Bộ Công an", "parent_id": None, "kind": "ministry"}]
    i = 0
    while len(units) < count:
        place = PROVINCES[i % len(PROVINCES)] + ("" if i < len(PROVINCES) else f" {i // len(PROVINCES) + 1}")
        units.append({"id": f"ca-{i}", "name": f"Công an tỉnh {place}", "parent_id": "bo-cong-an", "kind": "province"})
        i += 1
        if len(units) < count and i % 3 == 0:
            units.append({"id": f"ca-tp-{i}", "name": f"Công an thành phố thuộc tỉnh {place}",
                          "parent_id": f"ca-{i - 1}", "kind": "other"})
    return units


def paragraph(rng: random.Random) -> str:
    """About 600 characters of achievements, as units write them."""
    parts = [rng.choice(PHRASES).format(n=rng.randint(2, 90), m=f"{rng.randint(1, 40)}.{rng.randint(100, 999)}")
             for _ in range(6)]
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def national_inputs(units: int = 100, months: int = 12, *, annex: bool = False):
    from chalicelib.conferences import aggregate
    from chalicelib.core.catalogs import indicator_catalog

    rng = random.Random(units)
    conference = {"id": "20220115-bench1", "title": "Hội nghị tổng kết công tác năm 2021", "date": "2022-01-15",
                  "place": "Hà Nội", "periods": [f"2021-{m:02d}" for m in range(1, months + 1)],
                  "recipients": ["Lãnh đạo Bộ <lanhdao@bocongan.example.vn>"], "number_prefix": "BC-BCA",
                  "signer": {"title": "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "name": "Thượng tướng Lê Văn Minh"},
                  "annex": annex}
    scope = national_units(units)
    covered, previous = aggregate.window(conference)
    catalog = indicator_catalog()
    reports: dict[str, list[dict]] = {}
    for period in [*previous, *covered]:
        reports[period.code] = []
        for unit in scope:
            values = {code: rng.randint(0, 5000) for code in catalog.codes}
            values["violations_detected"] = 10_000
            reports[period.code].append({
                "unit_id": unit["id"], "period": period.code, "values": values, "status": "submitted",
                "achievements": paragraph(rng) if period in covered else "", "etag": f"{unit['id']}-{period.code}"})
    return aggregate.Inputs(conference, scope, covered, previous, reports, catalog, "bench")


def national_summary(units: int = 100, months: int = 12, *, annex: bool = False):
    from chalicelib.conferences import aggregate

    inputs = national_inputs(units, months, annex=annex)
    completeness = [SimpleNamespace(name=u["name"], label="Đúng hạn", state="on_time") for u in inputs.units[1:]]
    from chalicelib.documents import issuers
    from chalicelib.documents.model import Heading

    heading = Heading(issuers.ministry(), "BC", "01/BC-BCA", dt.date(2022, 1, 10), 2022,
                      aggregate.distribution_lines(inputs.conference),
                      "https://thidua.example.gov.vn/v1/documents/7K3FQ2MD/verify", "7K3F-Q2MD")
    return aggregate.build_summary(inputs, heading=heading, completeness=completeness)


# -- one measurement, in its own process -----------------------------------------------

def measure(units: int, annex: bool, workers: int, out: Path) -> dict:
    """Aggregate, lay out and write the national summary once; what it took."""
    import resource

    from chalicelib.conferences import aggregate  # noqa: F401 - imports are not the compile
    from chalicelib.documents.render import render_pdfs, render_summary_html

    import weasyprint  # noqa: F401 - a warm Lambda has it loaded

    started = time.perf_counter()
    doc = national_summary(units, annex=annex)
    [pdf] = render_pdfs([render_summary_html(doc)], workers=workers)
    seconds = time.perf_counter() - started
    out.write_bytes(pdf)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "maxrss_self_mb": own, "maxrss_largest_child_mb": children}


def _tree_pss_mb(pid: int) -> float:
    """PSS of `pid` and every process below it, in MB (0 once it is gone)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{current}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total / 1024


def run_measure(units: int, annex: bool, workers: int, out: Path, sample: bool = False) -> dict:
    """`measure` in a fresh interpreter; with `sample`, its process tree's peak PSS sampled from
    here. Timed runs are not sampled: reading smaps_rollup of the render processes every 100 ms
    takes CPU from them, and on 2 cores that lengthens the parallel run more than the single one."""
    command = [sys.executable, "-m", "bench.compile", "measure", "--units", str(units), "--workers", str(workers),
               "--out", str(out)] + (["--annex"] if annex else [])
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
    peak = 0.0
    done = threading.Event()

    def sample_pss() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_pss_mb(process.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample_pss, daemon=True)
    if sample:
        sampler.start()
    stdout, _ = process.communicate()
    done.set()
    if sample:
        sampler.join()
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode})")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["peak_pss_mb"] = peak
    return result


# -- reading the PDFs back -------------------------------------------------------------

TOP_MARGIN_PT = 20 * 72 / 25.4


def _pdftotext(pdf: Path, *crop: str) -> list[str]:
    out = subprocess.run(["pdftotext", *crop, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def body_text(pdf: Path) -> str:
    """The text below the top margin in drawing order (-raw: a two-column block reads the
    same wherever it falls on a page), whitespace collapsed (page breaks are whitespace)."""
    pages = _pdftotext(pdf, "-raw", "-x", "0", "-y", str(int(TOP_MARGIN_PT) + 1), "-W", "596", "-H", "800")
    return " ".join(" ".join(pages).split())


def margin_numbers(pdf: Path) -> list[str]:
    """What each page prints in its top margin."""
    return [p.strip() for p in _pdftotext(pdf, "-x", "0", "-y", "0", "-W", "596", "-H", str(int(TOP_MARGIN_PT)))]


def numbered_from_two(pdf: Path) -> bool:
    numbers = margin_numbers(pdf)
    return bool(numbers) and numbers[0] == "" and numbers[1:] == [str(n) for n in range(2, len(numbers) + 1)]


def page_count(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M)[1])


# -- the figures -----------------------------------------------------------------------

def run(quick: bool = False) -> list[Figure]:
    from chalicelib.documents.parallel import worker_count

    workers = worker_count(int(os.environ.get("THIDUA_RENDER_WORKERS") or 0))
    units, big = (40, 160) if quick else (100, 400)
    repeat = 1 if quick else 3
    scratch = Path(tempfile.mkdtemp(prefix="bench-compile-"))
    single_pdf, parallel_pdf = scratch / "single.pdf", scratch / "parallel.pdf"
    runs: dict[str, list[dict]] = {"single": [], "parallel": []}

    def timed(name: str, w: int, out: Path):
        def once() -> float:
            result = run_measure(units, True, w, out)
            runs[name].append(result)
            return result["seconds"]
        return once

    from bench.figures import interleaved

    load_before = os.getloadavg()[0]
    medians = interleaved({"single": timed("single", 1, single_pdf),
                           "parallel": timed("parallel", workers, parallel_pdf)}, repeat)
    speedup = medians["single"] / medians["parallel"]
    load = f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after, {os.cpu_count()} CPUs"
    same_text = body_text(single_pdf) == body_text(parallel_pdf)
    numbered = numbered_from_two(parallel_pdf) and numbered_from_two(single_pdf)
    pages_single, pages_parallel = page_count(single_pdf), page_count(parallel_pdf)
    big_run = run_measure(big, True, workers, scratch / "big.pdf")
    ratio = big_run["seconds"] / medians["parallel"]
    memory_run = run_measure(units, True, workers, scratch / "memory.pdf", sample=True)
    peak = memory_run["peak_pss_mb"]
    peak_rss = memory_run["maxrss_self_mb"] + memory_run["maxrss_largest_child_mb"] * workers
    off = run_measure(units, False, workers, scratch / "summary.pdf")
    pages_off = page_count(scratch / "summary.pdf")
    size = f"{units} units, 12 months, annex on"
    cmd = "python -m bench compile"
    lambda_gb = 3008 / 1024
    figures = [
        Figure(SECTION, f"national compile ({size}), {workers} processes vs one", speedup, "×", "≥ 1.7×",
               speedup >= 1.7,
               baseline=f"single-process WeasyPrint {medians['single']:.1f} s, parallel {medians['parallel']:.1f} s "
                        f"(medians of {repeat}; {load})", command=cmd),
        Figure(SECTION, "same text, page numbers 2..N in order (parallel vs single)", float(same_text and numbered),
               "yes=1", "= 1", same_text and numbered,
               baseline=f"text equal: {same_text}; numbered: {numbered}; pages {pages_parallel} vs {pages_single}",
               command=cmd),
        Figure(SECTION, f"{big} units / {units} units compile time", ratio, "×", "≤ 4.4×", ratio <= 4.4,
               baseline=f"{big} units {big_run['seconds']:.1f} s ({page_count(scratch / 'big.pdf')} pages) vs "
                        f"{units} units {medians['parallel']:.1f} s", command=cmd),
        Figure(SECTION, f"peak memory of the compile at {units} units (parent + render processes, PSS)", peak, "MB",
               "≤ 500 MB", peak <= 500,
               baseline=f"ru_maxrss parent + {workers} × largest child: {peak_rss:.0f} MB (counts shared pages twice)",
               command=cmd),
        Figure(SECTION, f"pages with the annex off (the default), {units} units", pages_off, "pages", "< 60",
               pages_off < 60, baseline=f"compiled in {off['seconds']:.1f} s", command=cmd),
        Figure(SECTION, f"pages with the annex on, {units} units", pages_parallel, "pages", "-", None,
               baseline=f"single render {pages_single} pages", command=cmd),
        Figure(SECTION, f"Lambda GB-s per compile at 3,008 MB ({units} units, annex off / on)",
               lambda_gb * off["seconds"], "GB-s", "-", None,
               baseline=f"annex on {lambda_gb * medians['parallel']:.1f} GB-s; × $0.0000166667: "
                        f"${lambda_gb * off['seconds'] * 0.0000166667:.5f} / "
                        f"${lambda_gb * medians['parallel'] * 0.0000166667:.5f}", command=cmd),
    ]
    if quick:
        for f in figures:
            f.notes.append(f"quick run: {units} and {big} units, one repetition")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compile")
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("measure", help="one compile in this process; prints JSON")
    one.add_argument("--units", type=int, default=100)
    one.add_argument("--annex", action="store_true")
    one.add_argument("--workers", type=int, default=0)
    one.add_argument("--out", type=Path, default=Path("out/bench/national.pdf"))
    args = parser.parse_args(argv)
    from chalicelib.documents.parallel import worker_count

    args.out.parent.mkdir(parents=True, exist_ok=True)
    print(json.dumps(measure(args.units, args.annex, worker_count(args.workers), args.out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
