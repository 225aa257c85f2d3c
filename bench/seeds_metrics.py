#!/usr/bin/env python3
"""Compare any set of metric adaptations (or labelled variants, see seeds.sh) from
bench/seeds.sh's runs: per model, ESS per 1000 gradients min / median / max over seeds and
the median's ratio to Stan's stored figure; then per metric the acceptance figures of issue
13 (worst model, suite median of the per-model median ratios) and their spread over seeds.
Usage: bench/seeds_metrics.py OUTDIR [OUTDIR ...] [-m metric,metric,...] [-stanseeds FILE]
With -stanseeds (Stan over the same seeds, bench/stan_seeds.R's JSON), the ratios are also
given against the median of Stan's seeds. (seeds_table.py gives the tables for diag, grad and
dense.)"""
import glob
import json
import os
import statistics
import sys

MODELS = ["linreg", "eight_schools_noncentered", "logistic_big",
          "hier_radon_like", "coal_marginal", "stochvol"]

args = sys.argv[1:]
only = None
if "-m" in args:
    i = args.index("-m")
    only = args[i + 1].split(",")
    args = args[:i] + args[i + 2:]

if "-stanseeds" in args:
    i = args.index("-stanseeds")
    stanfile = args[i + 1]
    args = args[:i] + args[i + 2:]
else:
    stanfile = None
runs = {}  # (metric, model) -> {seed: result}
for d in args:
    for f in sorted(glob.glob(os.path.join(d, "*_*.json"))):
        metric, seed = os.path.basename(f)[:-5].split("_")
        for r in json.load(open(f)):
            runs.setdefault((metric, r["model"]), {})[int(seed)] = r
metrics = only or sorted({m for m, _ in runs})
stanmed = {}
if stanfile:
    for model, v in json.load(open(stanfile))["models"].items():
        stanmed[model] = statistics.median(r["ess_bulk_per_1000_grads"] for r in v["runs"])

print("| model | metric | seeds | ESS/1000 grads min / median / max | Stan (stored) | median / Stan | min / Stan | Stan's seeds (median) | median / Stan's seeds | divergences per seed |")
print("|---|---|---|---|---|---|---|---|---|---|")
ratios = {}
for model in MODELS:
    for metric in metrics:
        rs = sorted(runs.get((metric, model), {}).items())
        if not rs:
            continue
        e = [r["ess_bulk_per_1000_grads"] for _, r in rs]
        stan = rs[0][1]["stan_ess_bulk_per_1000_grads"]
        med = statistics.median(e)
        ratios.setdefault(metric, []).append((model, med / stan))
        div = " ".join(str(r["divergences"]) for _, r in rs)
        sm = stanmed.get(model)
        ss = f"{sm:.1f} | {med/sm:.2f}x" if sm else "– | –"
        print(f"| {model} | {metric} | {','.join(str(s) for s, _ in rs)} | {min(e):.1f} / {med:.1f} / {max(e):.1f} | "
              f"{stan:.1f} | {med/stan:.2f}x | {min(e)/stan:.2f}x | {ss} | {div} |")
print()
print("| metric | models | worst model (median / Stan) | suite median of (median / Stan) | per seed: suite median (worst model) |")
print("|---|---|---|---|---|")
for metric in metrics:
    rr = ratios.get(metric)
    if not rr:
        continue
    worst = min(rr, key=lambda x: x[1])
    sm = statistics.median(x[1] for x in rr)
    seeds = sorted({s for model in MODELS for s in runs.get((metric, model), {})})
    per = []
    for s in seeds:
        v = [(model, runs[(metric, model)][s]["ess_bulk_per_1000_grads"] / runs[(metric, model)][s]["stan_ess_bulk_per_1000_grads"])
             for model in MODELS if s in runs.get((metric, model), {})]
        if len(v) == len(MODELS):
            w = min(v, key=lambda x: x[1])
            per.append(f"{s}: {statistics.median(x[1] for x in v):.2f}x ({w[0]} {w[1]:.2f}x)")
    print(f"| {metric} | {len(rr)} | {worst[0]} {worst[1]:.2f}x | {sm:.2f}x | {'; '.join(per)} |")
