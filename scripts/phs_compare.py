#!/usr/bin/env python3
"""Local check (needs tshark; not run by CI): compares `tracematch phs` with
`tshark -n -q -z io,phs` over every capture of the public corpus, on the nodes
tests/phs_corpus.rs compares (paths made only of its DECODED protocols), and prints per capture
the nodes that differ. tshark's outputs are cached in $PHS_CACHE (default /tmp/phs_tshark).

Usage: scripts/phs_compare.py [TRACEMATCH_BINARY] [CAPTURE_NAME_SUBSTRING...]
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CAPTURES = os.path.join(ROOT, "..", "shared", "captures", "public")
if not os.path.isdir(CAPTURES):
    CAPTURES = "/work/shared/captures/public"
CACHE = os.environ.get("PHS_CACHE", "/tmp/phs_tshark")


def const_list(name):
    """The string list `const NAME: &[&str] = &[...]` of tests/phs_corpus.rs."""
    src = open(os.path.join(ROOT, "tests", "phs_corpus.rs")).read()
    m = re.search(r"const " + name + r": &\[&str\] = &\[(.*?)\];", src, re.S)
    return re.findall(r'"([^"]+)"', m.group(1))


def parse_phs(text):
    rows, stack = [], []
    for line in text.splitlines():
        if " frames:" not in line:
            continue
        label, counts = line.split(" frames:", 1)
        depth = (len(label) - len(label.lstrip())) // 2
        frames, bytes_ = counts.split(" bytes:")
        del stack[depth:]
        stack.append(label.strip())
        rows.append((":".join(stack), int(frames), int(bytes_)))
    return rows


def tshark_phs(path, name):
    os.makedirs(CACHE, exist_ok=True)
    cached = os.path.join(CACHE, name + ".txt")
    if not os.path.exists(cached):
        env = dict(os.environ, LC_ALL="C", TZ="UTC", HOME="", XDG_CONFIG_HOME="")
        out = subprocess.run(["tshark", "-n", "-q", "-z", "io,phs", "-r", path],
                             capture_output=True, env=env).stdout
        open(cached, "wb").write(out)
    return open(cached).read()


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target/debug/tracematch")
    only = sys.argv[2:]
    decoded = set(const_list("DECODED"))
    names = sorted(n for n in os.listdir(CAPTURES)
                   if not n.endswith((".tsv", ".md")) and os.path.isfile(os.path.join(CAPTURES, n)))
    names = [n for n in names if not only or any(o in n for o in only)]
    exact = exact_app = with_app = 0
    for name in names:
        path = os.path.join(CAPTURES, name)
        theirs = parse_phs(tshark_phs(path, name))
        ours_text = subprocess.run([binary, "phs", path], capture_output=True).stdout.decode()
        ours = {p: (f, b) for p, f, b in parse_phs(ours_text)}
        has_app = any(p.split(":")[-1] in ("http", "tls") for p, _, _ in theirs)
        with_app += has_app
        diffs = []
        seen = set()
        for p, f, b in theirs:
            seen.add(p)
            if not all(x in decoded for x in p.split(":")):
                continue
            if ours.get(p) != (f, b):
                diffs.append(f"  {p}: tshark {f} frames {b} bytes, ours {ours.get(p)}")
        for p, fb in ours.items():
            if p not in seen:
                diffs.append(f"  {p}: ours {fb}, absent from tshark")
        if diffs:
            print(f"DIFF {name}{' [http/tls]' if has_app else ''}")
            print("\n".join(diffs))
        else:
            exact += 1
            exact_app += has_app
            print(f"ok   {name}{' [http/tls]' if has_app else ''}")
    print(f"exact on compared nodes: {exact}/{len(names)} captures; "
          f"with http/tls nodes: {exact_app}/{with_app}")


if __name__ == "__main__":
    main()
