#!/usr/bin/env Rscript
# Stan (rstan 2.21.7 / Stan 2.21.0, Debian bookworm) anchor run for the suite's loop and
# correlation models: arma11, hmm2, collinear_reg, garch11 (bench/models_loops.go). The method is
# ../shared/bench/run_stan.R's, with the setup, sampling and counting of stan_common.R (shared
# with stan_live.R and stan_seeds.R): compile (timed, never cached), then 4 chains x (1000
# warmup + 1000 draws), seed 4711, chains SEQUENTIALLY in one process (cores = 1), default NUTS
# settings (adapt_delta 0.8, max_treedepth 10, diag_e metric), Stan's default random inits;
# chain times from get_elapsed_time() (process CPU seconds), n_leapfrog__ summed over warm-up
# and sampling, bulk ESS from rstan's monitor() over each program's parameters block; models
# taking < 20 CPU s are sampled 5 times with the same seed and the median time is reported.
# Over seeds 1-5 (ESS per gradient only): bench/stan_seeds.R.
#
#   Rscript bench/run_stan_loops.R                # all four (from the project root)
#   Rscript bench/run_stan_loops.R hmm2           # a subset (the others are kept)
#
# Reads bench/stan/NAME.stan and bench/data/NAME.json; writes bench/data/stan_loops.json, in the
# shape of bench/data/stan.json ({"env": ..., "models": {NAME: ...}}), which go run ./bench
# merges into Stan's figures. Compiler flags: bench/stan/Makevars (the same as
# ../shared/bench/Makevars) unless R_MAKEVARS_USER is set.
args_all <- commandArgs(trailingOnly = FALSE)
BENCH <- normalizePath(dirname(sub("^--file=", "", args_all[grep("^--file=", args_all)])))
source(file.path(BENCH, "stan_common.R"))

ALL <- c("arma11", "hmm2", "collinear_reg", "garch11")
EXTRA <- character(0)
models <- commandArgs(trailingOnly = TRUE)
if (length(models) == 0) models <- ALL

CHAINS <- 4L; WARMUP <- 1000L; DRAWS <- 1000L; SEED <- 4711L
REPS <- 5L; REPEAT_BELOW_S <- 20
KEEP_FULL <- 25L  # vectors longer than this: keep only the first 5 elements in the report

RESULTS <- file.path(tempdir(), "results")  # per-model files of this run
dir.create(RESULTS, showWarnings = FALSE)

base_name <- function(p) sub("\\[.*$", "", p)
elem_index <- function(p) {
  m <- regmatches(p, regexpr("\\[[0-9,]+\\]$", p))
  if (length(m) == 0) return(NA_integer_)
  as.integer(strsplit(gsub("\\[|\\]", "", m), ",")[[1]][1])
}

run_one <- function(name) {
  cat(sprintf("== %s\n", name))
  data <- stan_data(name)

  load0 <- readLines("/proc/loadavg")
  cm <- compiled(name)  # no cache: the compile time is measured
  sm <- cm$sm
  compile_s <- cm$compile_s
  compile_cpu_s <- cm$compile_cpu_s  # stanc (in R) + g++ (child) CPU seconds
  cat(sprintf("   compiled in %.1f s wall, %.1f s CPU\n", compile_s, compile_cpu_s))

  st <- sample_timed(sm, data, CHAINS, WARMUP, DRAWS, SEED)
  fit <- st$fit
  sampling_wall_s <- st$wall_s
  et <- st$elapsed  # chains x (warmup, sample), seconds, measured inside Stan
  ff <- fit_figures(fit, sm@model_code, WARMUP, DRAWS)
  # Timing repeats: same seed => identical draws, so a rerun measures only timing noise.
  # Models whose first run took < REPEAT_BELOW_S CPU seconds are re-run to REPS runs in all;
  # the headline times are the medians.
  tot_reps <- sum(et); w_reps <- sum(et[, 1]); s_reps <- sum(et[, 2]); wall_reps <- sampling_wall_s
  same_draws <- TRUE
  lf1 <- ff$grad_evals_warmup + ff$grad_evals_sampling
  if (sum(et) < REPEAT_BELOW_S) for (r in 2:REPS) {
    sr <- sample_timed(sm, data, CHAINS, WARMUP, DRAWS, SEED)
    wall_reps <- c(wall_reps, sr$wall_s)
    er <- sr$elapsed
    tot_reps <- c(tot_reps, sum(er)); w_reps <- c(w_reps, sum(er[, 1])); s_reps <- c(s_reps, sum(er[, 2]))
    lfr <- sum(sapply(get_sampler_params(sr$fit, inc_warmup = TRUE), function(m) sum(m[, "n_leapfrog__"])))
    same_draws <- same_draws && lfr == lf1
  }
  sp <- ff$sp; wi <- ff$wi; si <- ff$si
  lf_w <- ff$grad_evals_warmup
  lf_s <- ff$grad_evals_sampling
  div <- ff$divergences
  div_w <- sum(sapply(sp, function(m) sum(m[wi, "divergent__"])))
  tdmax <- sum(sapply(sp, function(m) sum(m[si, "treedepth__"] >= 10)))
  stepsize <- sapply(sp, function(m) m[DRAWS + WARMUP, "stepsize__"])
  mean_td <- mean(sapply(sp, function(m) mean(m[si, "treedepth__"])))
  mean_acc <- mean(sapply(sp, function(m) mean(m[si, "accept_stat__"])))

  mon <- ff$mon  # monitor() of the draws: params, transformed params, lp__
  pn <- rownames(mon)
  is_par <- ff$is_par
  min_bulk <- ff$min_ess_bulk; min_tail <- min(mon$Tail_ESS[is_par])
  max_rhat <- ff$max_rhat
  chain_total_s <- median(tot_reps)
  grads <- lf_w + lf_s

  # parameter table (params + transformed params; long vectors truncated to first 5)
  len <- table(base_name(pn))
  keep <- sapply(pn, function(p) {
    b <- base_name(p); if (b == "lp__") return(TRUE)
    if (len[[b]] <= KEEP_FULL) return(TRUE)
    i <- elem_index(p); !is.na(i) && i <= 5
  })
  ptab <- lapply(pn[keep], function(p) {
    r <- mon[p, ]
    list(mean = r$mean, sd = r$sd, mcse_mean = r$se_mean, q5 = r$Q5, q50 = r$Q50, q95 = r$Q95,
         ess_bulk = r$Bulk_ESS, ess_tail = r$Tail_ESS, rhat = r$Rhat)
  })
  names(ptab) <- pn[keep]

  res <- list(
    model = name, sampler = "rstan NUTS (diag_e, adapt_delta=0.8, max_treedepth=10)",
    stan_file = paste0("bench/stan/", name, ".stan"), data_file = paste0("bench/data/", basename(data_file(name))),
    data_sha256 = sub(" .*$", "", system2("sha256sum", data_file(name), stdout = TRUE)),
    n_unconstrained = get_num_upars(fit),
    chains = CHAINS, warmup = WARMUP, draws = DRAWS, seed = SEED, cores = 1,
    chain_mode = "sequential, one process, one core",
    compile_s = compile_s, compile_cpu_s = compile_cpu_s,
    timing_note = paste("chain_*_s come from get_elapsed_time(), which in Stan 2.21 is clock(),",
                        "i.e. process CPU seconds (one thread); sampling_wall_s is the wall clock of",
                        "the whole sampling() call incl. R-side output handling"),
    loadavg_before = load0, loadavg_after = readLines("/proc/loadavg"),
    sampling_wall_s = median(wall_reps),
    chain_warmup_s = unname(et[, 1]), chain_sample_s = unname(et[, 2]),
    warmup_s = median(w_reps), sample_s = median(s_reps), chain_total_s = chain_total_s,
    timing_runs = length(tot_reps), chain_total_s_runs = tot_reps, sampling_wall_s_runs = wall_reps,
    reruns_identical = same_draws,
    grad_evals_warmup = lf_w, grad_evals_sampling = lf_s, grad_evals_total = grads,
    divergences = div, divergences_warmup = div_w, treedepth10_hits = tdmax,
    mean_treedepth = mean_td, mean_accept_stat = mean_acc, stepsize = unname(stepsize),
    min_ess_bulk = min_bulk, min_ess_bulk_param = ff$min_ess_bulk_param,
    min_ess_tail = min_tail, min_ess_tail_param = pn[is_par][which.min(mon$Tail_ESS[is_par])],
    max_rhat = max_rhat,
    min_ess_bulk_incl_transformed_and_lp = min(mon$Bulk_ESS), lp_ess_bulk = mon["lp__", "Bulk_ESS"],
    ess_bulk_per_s = min_bulk / chain_total_s,
    ess_bulk_per_s_wall = min_bulk / median(wall_reps),
    ess_tail_per_s = min_tail / chain_total_s,
    ess_bulk_per_1000_grads = 1000 * min_bulk / grads,
    grads_per_ess_bulk = grads / min_bulk,
    params = ptab,
    run_started = env$started
  )
  cat(sprintf("   sample %.1f s (warmup %.1f + draws %.1f), grads %d, div %d, minESS bulk %.0f tail %.0f, Rhat %.3f, ESS/s %.1f\n",
              chain_total_s, median(w_reps), median(s_reps), grads, div, min_bulk, min_tail, max_rhat,
              min_bulk / chain_total_s))
  write(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE),
        file.path(RESULTS, paste0("stan_", name, ".json")))
  res
}

env <- list(
  R = R.version.string,
  rstan = as.character(packageVersion("rstan")),
  stan = stan_version(),
  StanHeaders = as.character(packageVersion("StanHeaders")),
  cxx = system2("g++", "--version", stdout = TRUE)[1],
  makevars = readLines(Sys.getenv("R_MAKEVARS_USER")),
  boost_lib = rstan_options("boost_lib"),
  cpu = sub(".*: ", "", grep("model name", readLines("/proc/cpuinfo"), value = TRUE)[1]),
  nproc = parallel::detectCores(),
  started = format(Sys.time(), "%Y-%m-%dT%H:%M:%S%z")
)
for (m in models) {
  tryCatch(run_one(m), error = function(e) {
    cat("   FAILED:", conditionMessage(e), "\n")
    write(toJSON(list(model = m, error = conditionMessage(e)), auto_unbox = TRUE, pretty = TRUE),
          file.path(RESULTS, paste0("stan_", m, ".json")))
  })
}
env$finished <- format(Sys.time(), "%Y-%m-%dT%H:%M:%S%z")
# bench/data/stan_loops.json = env of this run + the models of this run + the other models
# already in the file (so a subset re-run replaces only its own models).
f <- file.path(BENCH, "data", "stan_loops.json")
out <- list(env = env, models = list())
if (file.exists(f)) out$models <- fromJSON(f, simplifyVector = FALSE)$models
for (m in models) {
  r <- file.path(RESULTS, paste0("stan_", m, ".json"))
  if (!file.exists(r)) next
  res <- fromJSON(r, simplifyVector = FALSE)
  if (is.null(res$error)) out$models[[m]] <- res  # a failed model keeps its previous figures
}
write(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), f)
cat("wrote", f, "\n")
