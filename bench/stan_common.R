# Setup and figures shared by the benchmark's rstan scripts (stan_live.R, stan_seeds.R,
# run_stan_loops.R), so that every Stan figure the suite compares with is made the same way.
# Each script finds its own directory and sources this file from there:
#
#   args_all <- commandArgs(trailingOnly = FALSE)
#   BENCH <- normalizePath(dirname(sub("^--file=", "", args_all[grep("^--file=", args_all)])))
#   source(file.path(BENCH, "stan_common.R"))
#
# Programs come from bench/stan/NAME.stan, data from bench/data/DATA.json (NAME without a
# "_glm" suffix). Compiler flags: bench/stan/Makevars unless R_MAKEVARS_USER is set.
#
# Sampling (stan_run): chains run one after another in this one process (cores = 1), Stan's
# default NUTS (diag_e, adapt_delta 0.8, max_treedepth 10), default random inits. Timed:
#   cpu_s          process CPU (user + system, this R process) of the sampling() call: warm-up,
#                  draws, and rstan's handling of the output; the model is already compiled.
#   chain_total_s  get_elapsed_time() summed over chains and phases: Stan 2.21 measures it
#                  with clock(), process CPU of the sampler's loops only.
# Gradients: grad_evals_total = sum of n_leapfrog__ over warm-up and draws of every chain
# (get_sampler_params(inc_warmup = TRUE)); Stan's step-size initialization and the gradient at
# the initial point are not counted. Divergences: those of the draws (after warm-up).
# ESS: rstan's monitor() on the draws (Bulk_ESS, rounded to an integer by monitor), minimum
# over every element of the program's parameters block.
suppressPackageStartupMessages({
  library(rstan)
  library(jsonlite)
})

if (!exists("BENCH")) stop("stan_common.R: set BENCH to the bench directory before sourcing")
if (Sys.getenv("R_MAKEVARS_USER") == "") Sys.setenv(R_MAKEVARS_USER = file.path(BENCH, "stan", "Makevars"))
rstan_options(auto_write = FALSE)
# Debian's r-cran-bh has no headers of its own (it depends on libboost-dev): point rstan at the
# system Boost, otherwise stan_model() stops with "Boost not found".
if (!nzchar(rstan_options("boost_lib"))) rstan_options(boost_lib = "/usr/include")

# cpu is this R process's CPU seconds (user + system), children excluded.
cpu <- function() { p <- proc.time(); sum(p[c("user.self", "sys.self")]) }

# cpu_children is cpu() plus the finished children's (the C++ compiler's) CPU seconds.
cpu_children <- function() {
  p <- proc.time()
  sum(p[c("user.self", "sys.self", "user.child", "sys.child")], na.rm = TRUE)
}

# default_cache is where compiled models are kept: $GOPM_STAN_CACHE, else gopm-bench-stan in
# $TMPDIR (or /tmp).
default_cache <- function() Sys.getenv("GOPM_STAN_CACHE", file.path(Sys.getenv("TMPDIR", "/tmp"), "gopm-bench-stan"))

stan_file <- function(name) file.path(BENCH, "stan", paste0(name, ".stan"))
data_file <- function(name) file.path(BENCH, "data", paste0(sub("_glm$", "", name), ".json"))

# compiled returns the program NAME compiled, with the wall and CPU (incl. the compiler's)
# seconds that took. With a cache directory, a model compiled before is read from it, keyed by
# the program's MD5 and the rstan version (compile_s 0, cached TRUE); with cache = "" the
# program is always compiled, so that the compile time is measured.
compiled <- function(name, cache = "") {
  f <- stan_file(name)
  if (!file.exists(f)) stop("no Stan program ", f)
  rds <- ""
  if (nzchar(cache)) {
    dir.create(cache, showWarnings = FALSE, recursive = TRUE)
    key <- paste(name, unname(tools::md5sum(f)), packageVersion("rstan"), sep = "-")
    rds <- file.path(normalizePath(cache), paste0(key, ".rds"))
    if (file.exists(rds)) {
      sm <- tryCatch(readRDS(rds), error = function(e) NULL)
      if (!is.null(sm)) return(list(sm = sm, compile_s = 0, compile_cpu_s = 0, cached = TRUE))
    }
  }
  t0 <- Sys.time(); c0 <- cpu_children()
  sm <- stan_model(file = f, model_name = name, auto_write = FALSE)
  s <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
  cs <- cpu_children() - c0
  if (nzchar(rds)) saveRDS(sm, rds)
  list(sm = sm, compile_s = s, compile_cpu_s = cs, cached = FALSE)
}

# stan_data reads the data of program NAME.
stan_data <- function(name) {
  f <- data_file(name)
  if (!file.exists(f)) stop("no data file ", f)
  fromJSON(f)
}

# param_block lists the variable names declared in a program's parameters block.
param_block <- function(code) {
  code <- gsub("//[^\n]*", "", code)
  blk <- regmatches(code, regexpr("parameters[[:space:]]*\\{[^}]*\\}", code))
  if (length(blk) == 0) return(character(0))
  decl <- strsplit(sub("^[^{]*\\{", "", sub("\\}$", "", blk)), ";")[[1]]
  decl <- trimws(decl[nzchar(trimws(decl))])
  sub("^.*[[:space:]]", "", decl)
}

# sample_timed runs sampling() with the suite's settings and returns the fit with its timings.
sample_timed <- function(sm, data, chains, warmup, draws, seed) {
  c0 <- cpu(); t0 <- Sys.time()
  fit <- sampling(sm, data = data, chains = chains, iter = warmup + draws, warmup = warmup,
                  seed = seed, cores = 1, refresh = 0)
  cpu_s <- cpu() - c0
  wall_s <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
  list(fit = fit, cpu_s = cpu_s, wall_s = wall_s, elapsed = get_elapsed_time(fit))
}

# fit_figures counts a fit's leapfrog steps and divergences and summarises its draws with
# monitor(); is_par marks the rows of mon that belong to the program's parameters block.
fit_figures <- function(fit, code, warmup, draws) {
  sp <- get_sampler_params(fit, inc_warmup = TRUE)
  wi <- seq_len(warmup); si <- warmup + seq_len(draws)
  mon <- as.data.frame(monitor(as.array(fit), warmup = 0, print = FALSE))
  pn <- rownames(mon)
  is_par <- sub("\\[.*$", "", pn) %in% param_block(code)
  list(sp = sp, wi = wi, si = si, mon = mon, is_par = is_par,
       grad_evals_warmup = sum(sapply(sp, function(m) sum(m[wi, "n_leapfrog__"]))),
       grad_evals_sampling = sum(sapply(sp, function(m) sum(m[si, "n_leapfrog__"]))),
       divergences = sum(sapply(sp, function(m) sum(m[si, "divergent__"]))),
       min_ess_bulk = min(mon$Bulk_ESS[is_par]),
       min_ess_bulk_param = pn[is_par][which.min(mon$Bulk_ESS[is_par])],
       max_rhat = max(mon$Rhat[is_par]))
}

# stan_fit compiles (or reads from the cache) and samples program NAME with the suite's
# settings: the model, the timed sampling and the fit's figures.
stan_fit <- function(name, chains, warmup, draws, seed, cache) {
  data <- stan_data(name)
  cm <- compiled(name, cache)
  load0 <- readLines("/proc/loadavg")
  st <- sample_timed(cm$sm, data, chains, warmup, draws, seed)
  list(cm = cm, st = st, ff = fit_figures(st$fit, cm$sm@model_code, warmup, draws),
       loadavg_before = load0, loadavg_after = readLines("/proc/loadavg"))
}

# stan_run samples program NAME with the suite's settings and returns the figures stan_live.R
# reports per model (x: a stan_fit result, made here when NULL).
stan_run <- function(name, chains, warmup, draws, seed, cache, x = NULL) {
  if (is.null(x)) x <- stan_fit(name, chains, warmup, draws, seed, cache)
  ff <- x$ff
  mon <- ff$mon
  pn <- rownames(mon)
  ptab <- lapply(pn, function(p) {
    r <- mon[p, ]
    list(mean = r$mean, sd = r$sd, mcse_mean = r$se_mean, ess_bulk = r$Bulk_ESS, rhat = r$Rhat)
  })
  names(ptab) <- pn
  list(model = name, chains = chains, warmup = warmup, draws = draws, seed = seed,
       compile_s = x$cm$compile_s, compile_cached = x$cm$cached,
       cpu_s = x$st$cpu_s, sampling_wall_s = x$st$wall_s, chain_total_s = sum(x$st$elapsed),
       grad_evals_warmup = ff$grad_evals_warmup, grad_evals_sampling = ff$grad_evals_sampling,
       grad_evals_total = ff$grad_evals_warmup + ff$grad_evals_sampling,
       divergences = ff$divergences,
       min_ess_bulk = ff$min_ess_bulk, min_ess_bulk_param = ff$min_ess_bulk_param,
       max_rhat = ff$max_rhat,
       loadavg_before = x$loadavg_before, loadavg_after = x$loadavg_after,
       params = ptab)
}

# ess_bulk_blom is the bulk ESS of draws (iterations x chains) with the normal scores gopm's
# pm.Summary uses (Blom's offset, as the R package posterior: qnorm((r - 3/8) / (S + 1/4)))
# instead of rstan's qnorm((r - 1/2) / S); unrounded. The rest is rstan's own ESS code.
ess_bulk_blom <- function(sims) {
  s <- rstan:::split_chains(sims)
  z <- qnorm((rank(s, ties.method = "average") - 3 / 8) / (length(s) + 1 / 4))
  dim(z) <- dim(s)
  rstan:::ess_rfun(z)
}

# run_args parses "--key value" pairs into the list of defaults opt; usage is shown on error.
run_args <- function(opt, usage) {
  a <- commandArgs(trailingOnly = TRUE)
  i <- 1
  while (i <= length(a)) {
    k <- sub("^--", "", a[i])
    if (!(k %in% names(opt)) || i == length(a)) stop("usage: ", usage, "; bad argument ", a[i])
    opt[[k]] <- a[i + 1]
    i <- i + 2
  }
  opt
}

# run_env describes the R and Stan of this run.
run_env <- function() {
  list(R = R.version.string, rstan = as.character(packageVersion("rstan")),
       stan = stan_version(), started = format(Sys.time(), "%Y-%m-%dT%H:%M:%S%z"))
}
