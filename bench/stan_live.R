#!/usr/bin/env Rscript
# Samples benchmark models with rstan for `go run ./bench -stan live` (bench/stan.go), so that
# Stan runs beside gopm in the same session on the same machine.
#
#   Rscript bench/stan_live.R --out FILE [--models a,b] [--chains 4] [--warmup 1000]
#          [--draws 1000] [--seed 4711] [--cache DIR]
#
# Programs, data, sampler settings, timings, leapfrog counts and ESS: see stan_common.R
# (stan_run), shared with stan_seeds.R and run_stan_loops.R. A compiled model is cached in the
# cache directory (default: $GOPM_STAN_CACHE, else $TMPDIR/gopm-bench-stan, else
# /tmp/gopm-bench-stan), keyed by the program's MD5 and the rstan version, so only the first run
# of a program pays the ~1 min of C++ compilation; compile_s is 0 and compile_cached true when
# the cache was used.
# Writes one JSON object {"env": ..., "models": {NAME: {...}}} to --out.
args_all <- commandArgs(trailingOnly = FALSE)
BENCH <- normalizePath(dirname(sub("^--file=", "", args_all[grep("^--file=", args_all)])))
source(file.path(BENCH, "stan_common.R"))

opt <- run_args(list(models = "linreg", chains = "4", warmup = "1000", draws = "1000", seed = "4711",
                     out = "", cache = default_cache()),
                "stan_live.R --out FILE [--models a,b] [--chains n] [--warmup n] [--draws n] [--seed n] [--cache DIR]")
if (opt$out == "") stop("--out FILE is required")
CHAINS <- as.integer(opt$chains); WARMUP <- as.integer(opt$warmup); DRAWS <- as.integer(opt$draws)
SEED <- as.integer(opt$seed)

out <- list(env = run_env(), models = list())
for (m in strsplit(opt$models, ",")[[1]]) {
  r <- tryCatch(stan_run(m, CHAINS, WARMUP, DRAWS, SEED, opt$cache),
                error = function(e) list(model = m, error = conditionMessage(e)))
  out$models[[m]] <- r
  message(sprintf("stan %s: %s", m, if (is.null(r$error)) sprintf("%.2f CPU s, %d leapfrog steps, min ESS %.0f", r$cpu_s, as.integer(r$grad_evals_total), r$min_ess_bulk) else r$error))
}
write(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), opt$out)
