#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""compare-baseline.py STOCK SERIES: zswap's throughput on stock Linux
against the series, from two `zp_bench --baseline` logs of the same runs
on the same data.  Per data set and kernel: the median run, and the
spread of the runs ((max - min) / median), which is the noise a
difference must exceed to mean anything."""
import statistics
import sys


def load(path):
    kernel, runs = "?", {}
    for line in open(path):
        f = line.split()
        if f[:1] == ["kernel"] and len(f) == 2:
            kernel = f[1]
        elif f[:1] == ["baseline"] and len(f) == 4:
            runs.setdefault(f[1], []).append((float(f[2]), float(f[3])))
    return kernel, runs


def summary(values):
    med = statistics.median(values)
    return med, (max(values) - min(values)) / med * 100 if med else 0.0


def main():
    (sk, stock), (pk, series) = load(sys.argv[1]), load(sys.argv[2])
    if not stock or not series:
        print("compare: no runs to compare (stock: %d sets, series: %d)" %
              (len(stock), len(series)))
        return 1
    print(f"stock: {sk}, series: {pk}; median of "
          f"{min(len(v) for v in list(stock.values()) + list(series.values()))} runs or more")
    print(f"{'data':<13} {'kernel':<7} {'store MB/s':>10} {'spread':>7} "
          f"{'load MB/s':>10} {'spread':>7}")
    for name in stock:
        if name not in series:
            continue
        rows = {}
        for kernel, runs in (("stock", stock[name]), ("series", series[name])):
            st, sst = summary([r[0] for r in runs])
            ld, sld = summary([r[1] for r in runs])
            rows[kernel] = (st, ld, sst, sld)
            print(f"{name:<13} {kernel:<7} {st:10.1f} {sst:6.1f}% {ld:10.1f} {sld:6.1f}%")
        (s0, l0, *_), (s1, l1, *_) = rows["stock"], rows["series"]
        print(f"{'':<13} {'diff':<7} {100 * (s1 / s0 - 1):+9.1f}% {'':>7} "
              f"{100 * (l1 / l0 - 1):+9.1f}%   (+ is faster than stock)")
    return 0


sys.exit(main())
