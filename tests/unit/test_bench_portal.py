"""The portal bench's first-screen figure reads what a built index.html makes the browser fetch."""

from __future__ import annotations

import gzip

from bench.portal import first_screen_files, gzipped_size

INDEX = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<link rel="manifest" href="/manifest.webmanifest"><link rel="icon" href="/assets/icon-1a2b.svg">
<script type="module" crossorigin src="/assets/index-4f3c.js"></script>
<link rel="modulepreload" crossorigin href="/assets/vendor-9e8d.js">
<link rel="stylesheet" crossorigin href="./assets/index-77aa.css">
</head><body><div id="app"></div></body></html>"""


def test_the_entry_script_its_preloads_and_stylesheets_count_and_nothing_else(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX, encoding="utf-8")
    for name, text in (("index-4f3c.js", "export const a = 1;\n" * 500), ("vendor-9e8d.js", "let b;\n" * 300),
                       ("index-77aa.css", "body{margin:0}\n" * 200), ("icon-1a2b.svg", "<svg/>"),
                       ("lazy-5555.js", "never on the first screen")):
        (tmp_path / "assets" / name).write_text(text)
    files = first_screen_files(tmp_path)
    assert [f.name for f in files] == ["index-4f3c.js", "vendor-9e8d.js", "index-77aa.css"]
    zipped, raw = gzipped_size(files)
    assert raw == sum(f.stat().st_size for f in files)
    assert zipped == sum(len(gzip.compress(f.read_bytes(), 9)) for f in files) and zipped < raw
