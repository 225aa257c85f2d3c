#!/usr/bin/env python3
"""Summarise bench/seeds.sh's runs: ESS per 1000 gradients per model and metric
over seeds (min, median, max), the median's ratio to Stan's stored figure, and
divergences. Usage: bench/seeds_table.py OUTDIR [OUTDIR ...]"""
import glob
import json
import os
import statistics
import sys

MODELS = ["linreg", "eight_schools_noncentered", "logistic_big",
          "hier_radon_like", "coal_marginal", "stochvol"]
METRICS = ["diag", "grad", "dense"]

runs = {}  # (metric, model) -> list of (seed, result)
for d in sys.argv[1:]:
    for f in sorted(glob.glob(os.path.join(d, "*_*.json"))):
        metric, seed = os.path.basename(f)[:-5].split("_")
        for r in json.load(open(f)):
            runs.setdefault((metric, r["model"]), []).append((int(seed), r))

print("| model | metric | seeds | ESS/1000 grads min / median / max | Stan (stored) | median / Stan | min / Stan | divergences per seed | max R-hat |")
print("|---|---|---|---|---|---|---|---|---|")
ratios = {}  # metric -> list of (model, median ratio, min ratio)
for model in MODELS:
    for metric in METRICS:
        rs = sorted(runs.get((metric, model), []), key=lambda x: x[0])
        if not rs:
            continue
        e = [r["ess_bulk_per_1000_grads"] for _, r in rs]
        stan = rs[0][1]["stan_ess_bulk_per_1000_grads"]
        med = statistics.median(e)
        ratios.setdefault(metric, []).append((model, med / stan, min(e) / stan))
        seeds = ",".join(str(s) for s, _ in rs)
        div = " ".join(str(r["divergences"]) for _, r in rs)
        rhat = max(r["max_rhat"] for _, r in rs)
        print(f"| {model} | {metric} | {seeds} | {min(e):.1f} / {med:.1f} / {max(e):.1f} | "
              f"{stan:.1f} | {med/stan:.2f}x | {min(e)/stan:.2f}x | {div} | {rhat:.3f} |")
print()
print("| metric | models | worst model (median / Stan) | median over the suite of (median / Stan) | >= 1.0x on every model | >= 1.3x suite median |")
print("|---|---|---|---|---|---|")
for metric in METRICS:
    rr = ratios.get(metric)
    if not rr:
        continue
    worst = min(rr, key=lambda x: x[1])
    sm = statistics.median(x[1] for x in rr)
    print(f"| {metric} | {len(rr)} | {worst[0]} {worst[1]:.2f}x | {sm:.2f}x | "
          f"{'yes' if worst[1] >= 1.0 else 'no'} | {'yes' if sm >= 1.3 else 'no'} |")

print()
print("| metric | seed | worst model (ESS per grad / Stan) | median over the suite (/ Stan) |")
print("|---|---|---|---|")
for metric in METRICS:
    seeds = sorted({s for (m, _), rs in runs.items() if m == metric for s, _ in rs})
    for seed in seeds:
        rr = [(model, r["ess_bulk_per_1000_grads"] / r["stan_ess_bulk_per_1000_grads"])
              for model in MODELS for s, r in runs.get((metric, model), []) if s == seed]
        if len(rr) < len(MODELS):
            continue
        worst = min(rr, key=lambda x: x[1])
        sm = statistics.median(x[1] for x in rr)
        print(f"| {metric} | {seed} | {worst[0]} {worst[1]:.2f}x | {sm:.2f}x |")
