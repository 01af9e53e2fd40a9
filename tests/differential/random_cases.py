#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write N random conformance cases: each combines 1 to 4 of make_cases.py's variants that set
different keys, for a random backend and command style, so that upstream Gravity can be the
oracle for configs nobody wrote by hand.  Usage: random_cases.py SEED N OUT, then
  conformance.py --record --galaxyctl UPSTREAM_GALAXYCTL --cases OUT
  conformance.py --galaxyctl ./galaxyctl --cases OUT
The same SEED writes the same cases.
"""
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_cases  # noqa: E402  (the variants and make_case)


def top_keys(lines):
    """The keys a snippet sets directly under its section (two-space indent)."""
    return set(re.findall(r"^  ([A-Za-z_]+):", lines, re.M))


def main():
    seed, n, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rng = random.Random(seed)
    names = sorted(make_cases.VARIANTS)
    os.makedirs(out, exist_ok=True)
    for k in range(n):
        backend = rng.choice(("sup", "sd"))
        picked, gkeys, xkeys, files = [], set(), set(), {}
        want = rng.randint(1, 4)
        for name in rng.sample(names, len(names)):
            gravity, galaxy, extra, _desc, backends = make_cases.VARIANTS[name]
            g, x = top_keys(gravity), top_keys(galaxy)
            if backends not in ("both", backend) or g & gkeys or x & xkeys or set(extra) & set(files):
                continue
            picked.append(name)
            gkeys |= g
            xkeys |= x
            files.update(extra)
            if len(picked) == want:
                break
        gravity = "".join(make_cases.VARIANTS[p][0] for p in picked)
        galaxy = "".join(make_cases.VARIANTS[p][1] for p in picked)
        style = rng.choice(("direct", "gravity"))
        make_cases.make_case(out, "rand%d-%05d-%s" % (seed, k, backend), backend, gravity, galaxy,
                             files, "random: %s, %s style" % (" + ".join(picked), style),
                             style=style)


if __name__ == "__main__":
    main()
