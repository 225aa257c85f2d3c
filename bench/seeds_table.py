#!/usr/bin/env python3
"""Summarise bench/seeds.sh's runs: ESS per 1000 gradients per model and metric
over seeds (min, median, max) beside Stan's over the same seeds
(bench/data/stan_seeds.json, from bench/stan_seeds.R), the ratios
median(gopm) / median(Stan) and min(gopm) / median(Stan), and divergences.
Where Stan has no run of a seed, Stan's stored single run (seed 4711,
bench/data/stan.json, as recorded in gopm's result) stands in and the table says
"stored"; `--stan stored` compares with that stored run alone, as the tables of
bench/README.md's "Metric adaptation over seeds 1–5" do.

Usage: bench/seeds_table.py [--stan FILE|stored] OUTDIR [OUTDIR ...]
"""
import glob
import json
import os
import statistics
import sys

SUITE = ["linreg", "eight_schools_noncentered", "logistic_big",
         "hier_radon_like", "coal_marginal", "stochvol"]
LOOPS = ["arma11", "hmm2"]  # shown when present; not part of the suite's acceptance figures
METRICS = ["diag", "grad", "dense", "lowrank"]


def load_gopm(dirs):
    """(metric, model) -> sorted list of (seed, result) from OUTDIR/METRIC_SEED.json."""
    runs = {}
    for d in dirs:
        for f in sorted(glob.glob(os.path.join(d, "*_*.json"))):
            metric, _, seed = os.path.basename(f)[:-5].rpartition("_")
            if not seed.isdigit():
                continue
            for r in json.load(open(f)):
                runs.setdefault((metric, r["model"]), {})[int(seed)] = r
    return {k: sorted(v.items()) for k, v in runs.items()}


def load_stan(path):
    """model -> {seed: run} from stan_seeds.R's output (runs with an error left out)."""
    if path == "stored" or not os.path.exists(path):
        return {}
    out = {}
    for model, m in json.load(open(path))["models"].items():
        out[model] = {r["seed"]: r for r in m["runs"] if "error" not in r}
    return out


class Stan:
    """Stan's ESS per 1000 gradients for one model over the seeds gopm ran."""

    def __init__(self, stan_runs, rs):
        seeds = [s for s, _ in rs]
        got = [stan_runs[s] for s in seeds if s in stan_runs]
        if got and len(got) == len(seeds):
            self.source = "seeds"
            self.ess = [r["ess_bulk_per_1000_grads"] for r in got]
            self.div = " ".join(str(r["divergences"]) for r in got)
        else:  # Stan's stored single run
            self.source = "stored"
            self.ess = [rs[0][1]["stan_ess_bulk_per_1000_grads"]]
            self.div = "-"
        self.med = statistics.median(self.ess)

    def spread(self):
        if self.source == "stored":
            return f"{self.med:.1f} (stored, 1 run)"
        return f"{min(self.ess):.1f} / {self.med:.1f} / {max(self.ess):.1f}"


def main(argv):
    stan_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "stan_seeds.json")
    if len(argv) >= 2 and argv[0] == "--stan":
        stan_path, argv = argv[1], argv[2:]
    if not argv:
        sys.exit(__doc__)
    runs = load_gopm(argv)
    stan = load_stan(stan_path)

    print("| model | metric | seeds | gopm ESS/1000 grads min / median / max | Stan min / median / max "
          "| median / median | min gopm / median Stan | gopm divergences per seed "
          "| Stan divergences per seed | gopm max R-hat |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    ratios = {}  # metric -> list of (model, median ratio, min ratio)
    stan_med = {}  # (metric, model) -> Stan's median, for the seed-by-seed table
    for model in SUITE + LOOPS:
        for metric in METRICS:
            rs = runs.get((metric, model), [])
            if not rs:
                continue
            e = [r["ess_bulk_per_1000_grads"] for _, r in rs]
            st = Stan(stan.get(model, {}), rs)
            stan_med[(metric, model)] = st.med
            med = statistics.median(e)
            if model in SUITE:
                ratios.setdefault(metric, []).append((model, med / st.med, min(e) / st.med))
            seeds = ",".join(str(s) for s, _ in rs)
            div = " ".join(str(r["divergences"]) for _, r in rs)
            rhat = max(r["max_rhat"] for _, r in rs)
            print(f"| {model} | {metric} | {seeds} | {min(e):.1f} / {med:.1f} / {max(e):.1f} | "
                  f"{st.spread()} | {med/st.med:.2f}x | {min(e)/st.med:.2f}x | {div} | {st.div} | {rhat:.3f} |")
    print()
    print("| metric | suite models | worst model (median / median) | worst model (min gopm / median Stan) "
          "| suite median of (median / median) | >= 1.0x on every model | >= 1.3x suite median |")
    print("|---|---|---|---|---|---|---|")
    for metric in METRICS:
        rr = ratios.get(metric)
        if not rr:
            continue
        worst = min(rr, key=lambda x: x[1])
        worst_min = min(rr, key=lambda x: x[2])
        sm = statistics.median(x[1] for x in rr)
        print(f"| {metric} | {len(rr)} | {worst[0]} {worst[1]:.2f}x | {worst_min[0]} {worst_min[2]:.2f}x | "
              f"{sm:.2f}x | {'yes' if worst[1] >= 1.0 else 'no'} | {'yes' if sm >= 1.3 else 'no'} |")

    print()
    print("| metric | seed | worst model (ESS per grad / Stan's median) | suite median (/ Stan's median) |")
    print("|---|---|---|---|")
    for metric in METRICS:
        seeds = sorted({s for (m, _), rs in runs.items() if m == metric for s, _ in rs})
        for seed in seeds:
            rr = [(model, r["ess_bulk_per_1000_grads"] / stan_med[(metric, model)])
                  for model in SUITE for s, r in runs.get((metric, model), []) if s == seed]
            if len(rr) < len(SUITE):
                continue
            worst = min(rr, key=lambda x: x[1])
            sm = statistics.median(x[1] for x in rr)
            print(f"| {metric} | {seed} | {worst[0]} {worst[1]:.2f}x | {sm:.2f}x |")

    if stan:
        print()
        print("Stan alone (bench/data/stan_seeds.json), per model over its seeds:")
        print()
        print("| model | program | seeds | ESS/1000 grads min / median / max | max / min "
              "| min ESS bulk min / median / max | leapfrog steps median (warm-up + draws) "
              "| CPU s median | divergences per seed | max R-hat |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        progs = json.load(open(stan_path))["models"]
        for model in SUITE + LOOPS + sorted(set(stan) - set(SUITE) - set(LOOPS)):
            sr = sorted(stan.get(model, {}).items())
            if not sr:
                continue
            e = [r["ess_bulk_per_1000_grads"] for _, r in sr]
            ess = [r["min_ess_bulk"] for _, r in sr]
            lf = statistics.median(r["grad_evals_total"] for _, r in sr)
            cpu = statistics.median(r["cpu_s"] for _, r in sr)
            print(f"| {model} | {progs[model]['program']} | {','.join(str(s) for s, _ in sr)} | "
                  f"{min(e):.1f} / {statistics.median(e):.1f} / {max(e):.1f} | {max(e)/min(e):.2f} | "
                  f"{min(ess):.0f} / {statistics.median(ess):.0f} / {max(ess):.0f} | {lf:,.0f} | {cpu:.2f} | "
                  f"{' '.join(str(r['divergences']) for _, r in sr)} | {max(r['max_rhat'] for _, r in sr):.3f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
