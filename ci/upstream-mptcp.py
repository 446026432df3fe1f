#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The scoreboard's data: upstream MPTCP selftest results, one line a
subtest (see ci/upstream-mptcp.sh).

  upstream-mptcp.py parse UNIT OUTDIR RC SECS    one unit's run -> TSV
  upstream-mptcp.py merge KIND.tsv UNIT.tsv...   replace those units
  upstream-mptcp.py scoreboard DIR               DIR/{patched,control}.tsv
                                                 -> DIR/scoreboard.md

A line: unit, number, name, status (ok, not ok, skip), reason.  The
unit's own line has number "-" and name "(script)".
"""
import os
import re
import sys

TAP = re.compile(r"^(not ok|ok) (\d+) - (.*)$")
FAIL = re.compile(r"\[FAIL\]\s*(.*)")
SKIP = re.compile(r"\[SKIP\]\s*(.*)")
HEADER = re.compile(r"^(\d{3}) (\S.*)$")


def clean(text):
    """One line, no tabs, at most 200 characters."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    text = " ".join(text.replace("\t", " ").split())
    return text[:200]


def parse(unit, outdir, rc, secs):
    """Print the TSV lines of one unit's run."""
    script = unit.split()[0]
    log = os.path.join(outdir, "a", "out.log")
    try:
        with open(log, errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        lines = []
    test = script[:-3] if script.endswith(".sh") else script
    subtests = []
    fails = []          # the reasons the script printed, in order
    skips = []          # the same for skips
    blocks = {}         # mptcp_join.sh: subtest id -> its first [FAIL]
    block = None
    ids = []            # mptcp_join.sh: the ids of the titles, in order
    in_tap = False
    for line in lines:
        if line.startswith("TAP version"):
            in_tap = True
            continue
        m = TAP.match(line)
        if in_tap and m:
            subtests.append(m.groups())
            continue
        h = HEADER.match(line)
        if h and not in_tap:
            block = int(h.group(1))
            ids.append(block)
        m = SKIP.search(line)
        if m:
            skips.append(clean(m.group(1)))
        m = FAIL.search(line)
        if m:
            why = clean(m.group(1)) or "[FAIL]"
            fails.append(why)
            if block is not None:
                blocks.setdefault(block, why)
    nfail = nskip = 0
    rows = []
    # mptcp_join.sh names its subtests by title alone, one a title: the
    # scoreboard's name gets the title's id, "001 no JOIN", which is what
    # the script takes to run it again
    join = script == "mptcp_join.sh" and len(ids) == len(subtests)
    for i, (status, num, rest) in enumerate(subtests):
        name = rest
        if name.startswith(test + ": "):
            name = name[len(test) + 2:]
        name = re.sub(r"\s*#?\s*time=\d+ms$", "", name)
        reason = ""
        if " # " in name:
            name, reason = name.split(" # ", 1)
        name = clean(name)
        if join:
            name = f"{ids[i]:03d} {name}"
        if status == "ok" and reason.startswith("SKIP"):
            status = "skip"
            reason = reason[4:].strip(" #")
            if not reason and nskip < len(skips):
                reason = skips[nskip]
            reason = reason or "the script skipped it"
            nskip += 1
        elif status == "ok" and reason.startswith("IGNORE"):
            status = "not ok"
            reason = "failed; the script ignores it (" + reason + ")"
        elif status == "not ok":
            h = HEADER.match(name)
            if h and int(h.group(1)) in blocks:
                reason = blocks[int(h.group(1))]
            elif nfail < len(fails):
                reason = fails[nfail]
            else:
                reason = "no reason printed; see " + log
            nfail += 1
        rows.append((unit, num, name, status, clean(reason)))
    rc = int(rc)
    if rc == 124:
        what = "not ok", f"timeout: cut after {secs} s"
    elif rc == 125:
        what = "not ok", "the guest did not boot or QEMU failed"
    elif rc == 126:
        what = "not ok", "kernel splat in the console"
    elif not subtests:
        what = ("not ok" if rc else "ok",
                f"exit {rc}, no TAP subtests printed")
    else:
        what = ({0: "ok", 4: "skip"}.get(rc, "not ok"), f"exit {rc}")
    rows.append((unit, "-", "(script)", what[0], f"{what[1]}; {secs} s"))
    for r in rows:
        print("\t".join(r))


def read(path):
    """The lines of a TSV file, as tuples; none if it is missing."""
    try:
        with open(path) as f:
            return [tuple(line.rstrip("\n").split("\t"))
                    for line in f if line.strip() and line[0] != "#"]
    except FileNotFoundError:
        return []


def merge(target, parts):
    """Replace the lines of the units in @parts in @target."""
    new = []
    for p in parts:
        new += read(p + ".tsv" if not p.endswith(".tsv") else p)
    units = {r[0] for r in new}
    rows = [r for r in read(target) if r[0] not in units] + new
    order = unit_order(os.path.dirname(target))
    rows.sort(key=lambda r: (order.get(r[0], len(order)), r[0],
                             r[1] == "-", int(r[1]) if r[1].isdigit()
                             else 0))
    with open(target + ".tmp", "w") as f:
        f.write("# unit\tnumber\tname\tstatus\treason "
                "(ci/upstream-mptcp.sh)\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    os.replace(target + ".tmp", target)


def unit_order(d):
    """unit -> its place in DIR/units."""
    order = {}
    try:
        with open(os.path.join(d, "units")) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    order[line] = len(order)
    except FileNotFoundError:
        pass
    return order


def scoreboard(d):
    """DIR/scoreboard.md from DIR/patched.tsv and DIR/control.tsv."""
    kinds = ("patched", "control")
    res = {k: read(os.path.join(d, k + ".tsv")) for k in kinds}
    order = unit_order(d)
    scripts = []
    table = {}          # (script, name) -> {kind: (status, reason)}
    runs = {}           # (unit, kind) -> (status, reason)
    for k in kinds:
        for unit, num, name, status, reason in res[k]:
            script = unit.split()[0]
            if script not in scripts:
                scripts.append(script)
            if num == "-":
                runs[(unit, k)] = (status, reason)
                continue
            key = (script, name)
            table.setdefault(key, {"num": num, "unit": unit})[k] = \
                (status, reason)
    scripts.sort(key=lambda s: min([v for u, v in order.items()
                                    if u.split()[0] == s] or [99]))
    out = ["# Upstream's MPTCP selftests: patched next to control", "",
           "Written by `make scoreboard` from `patched.tsv` and "
           "`control.tsv` (`make upstream-mptcp KIND=...`); each unit "
           "runs in its own guest (QEMU under TCG, 2 cores), "
           "SELFTESTS_MPTCP_LIB_EXPECT_ALL_FEATURES unset.  A subtest "
           "that one kernel did not reach shows as \"-\".", "",
           "| kernel | ok | not ok | skip | not run | units run |",
           "|---|---|---|---|---|---|"]
    for k in kinds:
        c = {"ok": 0, "not ok": 0, "skip": 0, "-": 0}
        for v in table.values():
            c[v.get(k, ("-",))[0]] += 1
        nunits = sum(1 for (u, kk) in runs if kk == k)
        out.append(f"| {k} | {c['ok']} | {c['not ok']} | {c['skip']} | "
                   f"{c['-']} | {nunits} |")
    out.append("")
    for s in scripts:
        rows = [(key[1], v) for key, v in table.items() if key[0] == s]
        out += [f"## {s}", ""]
        for k in kinds:
            for (u, kk), (st, why) in runs.items():
                if kk == k and u.split()[0] == s:
                    out.append(f"- {k}, `{u}`: {st} ({why})")
        counts = []
        for k in kinds:
            n = sum(1 for _, v in rows if v.get(k, ("-",))[0] == "ok")
            counts.append(f"{k} {n}/{len(rows)} ok")
        out += ["", ", ".join(counts), "",
                "| # | subtest | patched | control |", "|---|---|---|---|"]
        rows.sort(key=lambda r: (order.get(r[1]["unit"], len(order)),
                                 int(r[1]["num"])))
        for name, v in rows:
            cells = []
            for k in kinds:
                st, why = v.get(k, ("-", ""))
                cell = st if st in ("ok", "-") else f"{st}: {why}"
                cells.append(cell.replace("|", "\\|"))
            out.append(f"| {v['num']} | {name.replace('|', chr(92) + '|')}"
                       f" | {cells[0]} | {cells[1]} |")
        out.append("")
    with open(os.path.join(d, "scoreboard.md"), "w") as f:
        f.write("\n".join(out))


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "parse":
        parse(*sys.argv[2:])
    elif len(sys.argv) >= 3 and sys.argv[1] == "merge":
        merge(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 3 and sys.argv[1] == "scoreboard":
        scoreboard(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
