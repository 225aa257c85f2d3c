#!/bin/sh
# seeds.sh: ESS per 1000 gradients of the default suite over seeds and metric
# adaptations, against Stan's stored figures (bench/README.md, "Metric adaptation
# over seeds 1–5"). Usage: bench/seeds.sh OUTDIR [metrics] [seeds] [models]
# Writes OUTDIR/METRIC_SEED.json (one `go run ./bench -json` result per run). A metric may be
# given as LABEL=METRIC (LABEL without "_"): the files are then named LABEL_SEED.json, for
# variants of one adaptation run under different settings.
set -e
out=${1:?usage: seeds.sh OUTDIR [metrics] [seeds] [models]}
metrics=${2:-"diag grad dense"}
seeds=${3:-"1 2 3 4 5"}
models=${4:-linreg,eight_schools_noncentered,logistic_big,hier_radon_like,coal_marginal,stochvol}
cd "$(dirname "$0")"
mkdir -p "$out"
# BENCHBIN: a bench binary built beforehand (e.g. from a variant of the code) instead of this tree.
if [ -n "$BENCHBIN" ]; then cp "$BENCHBIN" "$out/benchbin"; else go build -o "$out/benchbin" .; fi
for spec in $metrics; do
	label=${spec%%=*}
	m=${spec#*=}
	for s in $seeds; do
		"$out/benchbin" -models "$models" -metric "$m" -seed "$s" -chains 4 -draws 1000 -tune 1000 \
			-cores2=false -stan stored -json "$out/${label}_$s.json" >"$out/${label}_$s.txt" 2>&1
		echo "$label seed $s done"
	done
done
