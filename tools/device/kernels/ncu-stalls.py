#!/usr/bin/env python3
"""Where a profiled kernel's warps wait, from the CSV pages that
q4-program-variants.sh exports for each PROFILE build (ncu --page raw and
--page source --print-source sass):

    python3 tools/device/kernels/ncu-stalls.py DIR/profile-NAME [--top N]

prints the warp stall samples by reason (the raw page's
smsp__pcsamp_warps_issue_stalled_* counters), the executed instructions and
samples by opcode, and the N machine instructions (default 20) with the
most samples, with their two largest reasons. Runs here, on the files that
come back from the GPU machine; needs only the standard library.
"""

import argparse
import collections
import csv
import sys


def number(text):
    """A counter's value ('1,234' -> 1234.0; '-' or '' -> 0.0)."""
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return 0.0


def stall_reasons(raw_csv):
    """(reason, samples) from the raw page, largest first."""
    with open(raw_csv, newline="") as f:
        rows = list(csv.reader(f))
    if len(rows) < 3:
        sys.exit(f"{raw_csv}: no profiled kernel in it")
    header, values = rows[0], rows[2]  # rows[1] holds the units
    prefix = "smsp__pcsamp_warps_issue_stalled_"
    reasons = {
        name[len(prefix):]: number(value)
        for name, value in zip(header, values)
        if name.startswith(prefix) and not name.endswith("_not_issued")
    }
    return sorted(reasons.items(), key=lambda kv: -kv[1])


def sass_lines(sass_csv):
    """(offset, instruction, executed, samples, {reason: samples}) per line."""
    with open(sass_csv, newline="") as f:
        rows = list(csv.reader(f))
    header = next((r for r in rows if r and r[0] == "Address"), None)
    if header is None:
        sys.exit(f"{sass_csv}: no source page in it")
    at = {name: i for i, name in enumerate(header)}
    reasons = [h for h in header if h.startswith("stall_") and "Not Issued" not in h]
    lines = []
    for row in rows[rows.index(header) + 1:]:
        if len(row) < len(header):
            continue
        lines.append((int(row[0], 16), row[1].strip(),
                      number(row[at["Instructions Executed"]]),
                      number(row[at["Warp Stall Sampling (All Samples)"]]),
                      {r[len("stall_"):]: number(row[at[r]]) for r in reasons}))
    if not lines:
        sys.exit(f"{sass_csv}: no machine instructions in it")
    start = lines[0][0]
    return [(a - start, text, e, s, st) for a, text, e, s, st in lines]


def opcode(text):
    """The opcode of a SASS line, without its predicate and modifiers."""
    words = text.split()
    if words and words[0].startswith("@"):
        words = words[1:]
    return words[0].split(".")[0] if words else "?"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("profile", help="DIR/profile-NAME (the -raw.csv and "
                        "-sass.csv files beside it are read)")
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()

    reasons = stall_reasons(args.profile + "-raw.csv")
    total = sum(v for _, v in reasons) or 1.0
    print(f"warp stall samples: {total:.0f}")
    for name, value in reasons:
        if value:
            print(f"  {name:24s} {value:7.0f}  {100 * value / total:5.1f}%")

    lines = sass_lines(args.profile + "-sass.csv")
    executed = collections.Counter()
    sampled = collections.Counter()
    for _, text, e, s, _ in lines:
        executed[opcode(text)] += e
        sampled[opcode(text)] += s
    all_executed = sum(executed.values()) or 1.0
    all_sampled = sum(sampled.values()) or 1.0
    print(f"executed warp instructions: {all_executed:.0f}")
    for op, e in executed.most_common(16):
        print(f"  {op:10s} {e:11.0f} {100 * e / all_executed:5.1f}%   "
              f"samples {100 * sampled[op] / all_sampled:5.1f}%")
    print(f"the {args.top} lines with the most samples (offset, instruction, "
          "executed, share of samples, reasons):")
    for offset, text, e, s, st in sorted(lines, key=lambda l: -l[3])[:args.top]:
        top = sorted(st.items(), key=lambda kv: -kv[1])[:2]
        why = ", ".join(f"{k} {v:.0f}" for k, v in top if v)
        print(f"  {offset:6x}  {text[:52]:52s} {e:9.0f} "
              f"{100 * s / all_sampled:5.1f}%  {why}")


if __name__ == "__main__":
    main()
