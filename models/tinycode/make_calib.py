#!/usr/bin/env python3
"""Writes calib.txt: calibration text for quantization (AWQ, GPTQ), from the train split.

The same corpus and split rule as train.py (Python files of the standard library, split by the
sha1 of the path: h % 20 == 0 is test, 1 is validation, the rest train), so no held-out file
can be in it. Files are taken in a fixed pseudo-random order (sha1 of "calib:" + path) until
--bytes are reached, whole files only, joined by blank lines.

    python3 models/tinycode/make_calib.py models/tinycode/calib.txt [--bytes 65536]
"""

import argparse
import hashlib
import pathlib
import sysconfig


def split_of(relpath):
    h = int(hashlib.sha1(relpath.encode()).hexdigest(), 16) % 20
    return "test" if h == 0 else "valid" if h == 1 else "train"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=pathlib.Path)
    ap.add_argument("--bytes", type=int, default=65536)
    args = ap.parse_args()
    root = pathlib.Path(sysconfig.get_paths()["stdlib"])
    paths = []
    for p in root.rglob("*.py"):
        rel = p.relative_to(root)
        if any(part in ("site-packages", "dist-packages", "test", "tests") for part in rel.parts):
            continue
        if p.is_file() and split_of(rel.as_posix()) == "train":
            paths.append(rel.as_posix())
    paths.sort(key=lambda r: hashlib.sha1(("calib:" + r).encode()).hexdigest())
    parts, size = [], 0
    for rel in paths:
        try:
            text = (root / rel).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if size + len(text) > args.bytes:
            continue
        parts.append(text)
        size += len(text) + 2
        if size > args.bytes * 0.95:
            break
    args.out.write_text("\n\n".join(parts))
    print(f"{args.out}: {len(parts)} train-split files, {args.out.stat().st_size} bytes, from {root}")


if __name__ == "__main__":
    main()
