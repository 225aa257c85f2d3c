#!/usr/bin/env Rscript
# Stan's ESS per gradient over several seeds, for comparing with gopm's over the same seeds
# (bench/seeds.sh, bench/seeds_table.py; bench/README.md, "Stan over seeds 1–5").
#
#   nice -n 5 Rscript bench/stan_seeds.R [--models a,b] [--seeds 1,2,3,4,5] [--out FILE]
#          [--chains 4] [--warmup 1000] [--draws 1000] [--cache DIR]
#
# Each model and seed is sampled exactly as `go run ./bench -stan live -seed S` samples it
# (stan_common.R's stan_run, shared with stan_live.R): the same program (logistic_big against
# logistic_big_glm, as the suite does), data, 4 chains x 1000 warm-up x 1000 draws, one core,
# Stan's default NUTS; leapfrog steps summed over warm-up and draws; min bulk ESS from monitor()
# over the parameters block. Also recorded, to show what the ESS estimator changes:
#   min_ess_bulk_unrounded  rstan::ess_bulk, the same estimator as monitor() without its rounding
#   min_ess_bulk_blom       the same with Blom's normal scores (r - 3/8) / (S + 1/4), as gopm's
#                           pm.Summary (and the R package posterior) compute bulk ESS
# Default models: the six of the suite and the loop models arma11, hmm2. Default output:
# bench/data/stan_seeds.json, {"env", "settings", "models": {MODEL: {"program", "runs": [...]}}},
# one run per seed, sorted by seed. The file is rewritten after every run; runs of models and
# seeds not sampled this time are kept, so a subset can be re-run.
args_all <- commandArgs(trailingOnly = FALSE)
BENCH <- normalizePath(dirname(sub("^--file=", "", args_all[grep("^--file=", args_all)])))
source(file.path(BENCH, "stan_common.R"))

SUITE <- "linreg,eight_schools_noncentered,logistic_big,hier_radon_like,coal_marginal,stochvol,arma11,hmm2"
opt <- run_args(list(models = SUITE, seeds = "1,2,3,4,5", chains = "4", warmup = "1000", draws = "1000",
                     out = file.path(BENCH, "data", "stan_seeds.json"), cache = default_cache()),
                "stan_seeds.R [--models a,b] [--seeds 1,2] [--out FILE] [--chains n] [--warmup n] [--draws n] [--cache DIR]")
CHAINS <- as.integer(opt$chains); WARMUP <- as.integer(opt$warmup); DRAWS <- as.integer(opt$draws)
SEEDS <- as.integer(strsplit(opt$seeds, ",")[[1]])
if (anyNA(SEEDS) || length(SEEDS) == 0) stop("--seeds: a comma-separated list of integers")

# program is the Stan program a suite model is compared with (bench/stan.go's stanProgram).
program <- function(model) if (model == "logistic_big") "logistic_big_glm" else model

# min_ess is the minimum of ess(draws of one element) over the parameters block's elements.
min_ess <- function(arr, names, ess) min(sapply(names, function(p) ess(arr[, , p])))

seed_run <- function(model, seed) {
  prog <- program(model)
  x <- stan_fit(prog, CHAINS, WARMUP, DRAWS, seed, opt$cache)
  r <- stan_run(prog, CHAINS, WARMUP, DRAWS, seed, opt$cache, x)
  arr <- as.array(x$st$fit)
  pars <- rownames(x$ff$mon)[x$ff$is_par]
  list(seed = seed, cpu_s = r$cpu_s, chain_total_s = r$chain_total_s, sampling_wall_s = r$sampling_wall_s,
       grad_evals_warmup = r$grad_evals_warmup, grad_evals_sampling = r$grad_evals_sampling,
       grad_evals_total = r$grad_evals_total,
       min_ess_bulk = r$min_ess_bulk, min_ess_bulk_param = r$min_ess_bulk_param,
       ess_bulk_per_1000_grads = 1000 * r$min_ess_bulk / r$grad_evals_total,
       min_ess_bulk_unrounded = min_ess(arr, pars, rstan::ess_bulk),
       min_ess_bulk_blom = min_ess(arr, pars, ess_bulk_blom),
       max_rhat = r$max_rhat, divergences = r$divergences,
       loadavg_before = r$loadavg_before, loadavg_after = r$loadavg_after)
}

out <- list(env = run_env(), settings = list(chains = CHAINS, warmup = WARMUP, draws = DRAWS), models = list())
if (file.exists(opt$out)) out$models <- fromJSON(opt$out, simplifyVector = FALSE)$models
for (m in strsplit(opt$models, ",")[[1]]) {
  for (s in SEEDS) {
    r <- tryCatch(seed_run(m, s), error = function(e) list(seed = s, error = conditionMessage(e)))
    e <- out$models[[m]]
    if (is.null(e)) e <- list(program = program(m), runs = list())
    keep <- Filter(function(x) x$seed != s, e$runs)
    e$runs <- c(keep, list(r))
    e$runs <- e$runs[order(sapply(e$runs, function(x) x$seed))]
    out$models[[m]] <- e
    out$env$finished <- format(Sys.time(), "%Y-%m-%dT%H:%M:%S%z")
    write(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), opt$out)
    message(sprintf("stan %s seed %d: %s", m, s, if (is.null(r$error))
      sprintf("%.2f CPU s, %d leapfrog steps, min ESS %.0f (%.1f per 1000), %d divergences", r$cpu_s,
              as.integer(r$grad_evals_total), r$min_ess_bulk, r$ess_bulk_per_1000_grads, as.integer(r$divergences))
      else r$error))
  }
}
