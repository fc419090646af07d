"""Collect, prune and zip the layer's shared libraries (run inside layer/Dockerfile).

    libs.py collect DEST            the libraries WeasyPrint opens and everything they link, by soname
    libs.py prune SRC DEST          keep those the Lambda runtime image does not already have
    libs.py zip ROOT OUT DIR...     zip ROOT/DIR... as the layer (/opt/lib, /opt/fonts on Lambda)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

# What weasyprint/text/ffi.py dlopens (harfbuzz-subset makes the embedded fonts small).
ROOTS = ("libgobject-2.0.so.0", "libpango-1.0.so.0", "libpangoft2-1.0.so.0", "libharfbuzz.so.0",
         "libharfbuzz-subset.so.0", "libfontconfig.so.1")
# glibc and the loader belong to the runtime, whatever the image says.
NEVER = ("libc.so", "libm.so", "libdl.so", "librt.so", "libpthread.so", "ld-linux", "libresolv.so")
RUNTIME_DIRS = ("/lib64", "/usr/lib64", "/var/lang/lib", "/var/runtime/lib")


def find(soname: str) -> Path:
    listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines():
        name, _, path = line.strip().partition(" => ")
        if name.split(" ")[0] == soname and "x86-64" in name:
            return Path(path)
    raise SystemExit(f"{soname} is not installed")


def dependencies(library: Path) -> dict[str, Path]:
    out = subprocess.run(["ldd", str(library)], capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        name, arrow, rest = line.strip().partition(" => ")
        if arrow and rest.startswith("/"):
            found[name] = Path(rest.split(" (")[0])
        elif "not found" in line:
            raise SystemExit(f"{library}: {line.strip()}")
    return found


def collect(dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, Path] = {}
    for soname in ROOTS:
        wanted[soname] = find(soname)
        wanted.update(dependencies(wanted[soname]))
    for soname, path in sorted(wanted.items()):
        if not soname.startswith(NEVER):
            shutil.copy2(path.resolve(), dest / soname)  # the real file, under the name the loader asks for
            print(f"collected {soname}")


def prune(src: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for library in sorted(src.iterdir()):
        if any((Path(d) / library.name).exists() for d in RUNTIME_DIRS):
            print(f"runtime has {library.name}")
            continue
        shutil.copy2(library, dest / library.name)
        print(f"layer gets  {library.name}")


def zip_layer(root: Path, out: Path, folders: list[str]) -> None:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for folder in folders:
            for path in sorted((root / folder).rglob("*")):
                if path.is_file():
                    z.write(path, path.relative_to(root).as_posix())
    print(f"{out}: {out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "collect":
        collect(Path(args[0]))
    elif command == "prune":
        prune(Path(args[0]), Path(args[1]))
    elif command == "zip":
        zip_layer(Path(args[0]), Path(args[1]), args[2:])
    else:
        raise SystemExit(__doc__)
