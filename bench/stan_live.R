#!/usr/bin/env Rscript
# Samples benchmark models with rstan for `go run ./bench -stan live` (bench/stan.go), so that
# Stan runs beside gopm in the same session on the same machine.
#
#   Rscript bench/stan_live.R --out FILE [--models a,b] [--chains 4] [--warmup 1000]
#          [--draws 1000] [--seed 4711] [--cache DIR]
#
# Programs come from bench/stan/NAME.stan, data from bench/data/DATA.json (NAME without a
# "_glm" suffix), both beside this script. A compiled model is cached in the cache directory
# (default: $GOPM_STAN_CACHE, else $TMPDIR/gopm-bench-stan, else /tmp/gopm-bench-stan), keyed
# by the program's MD5 and the rstan version, so only the first run of a program pays the
# ~1 min of C++ compilation; compile_s is 0 and compile_cached true when the cache was used.
#
# Each model: chains run one after another in this one process (cores = 1), Stan's default
# NUTS (diag_e, adapt_delta 0.8, max_treedepth 10), default random inits. Timed:
#   cpu_s          process CPU (user + system, this R process) of the sampling() call: warm-up,
#                  draws, and rstan's handling of the output; the model is already compiled.
#   chain_total_s  get_elapsed_time() summed over chains and phases: Stan 2.21 measures it
#                  with clock(), process CPU of the sampler's loops only.
# Gradients: grad_evals_total = sum of n_leapfrog__ over warm-up and draws of every chain
# (get_sampler_params(inc_warmup = TRUE)); Stan's step-size initialization and the gradient at
# the initial point are not counted.
# Writes one JSON object {"env": ..., "models": {NAME: {...}}} to --out.
suppressPackageStartupMessages({
  library(rstan)
  library(jsonlite)
})

args_all <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args_all[grep("^--file=", args_all)])
BENCH <- normalizePath(dirname(script))
opt <- list(models = "linreg", chains = "4", warmup = "1000", draws = "1000", seed = "4711",
            out = "", cache = Sys.getenv("GOPM_STAN_CACHE", file.path(Sys.getenv("TMPDIR", "/tmp"), "gopm-bench-stan")))
a <- commandArgs(trailingOnly = TRUE)
i <- 1
while (i <= length(a)) {
  k <- sub("^--", "", a[i])
  if (!(k %in% names(opt)) || i == length(a)) stop("usage: stan_live.R --out FILE [--models a,b] [--chains n] [--warmup n] [--draws n] [--seed n] [--cache DIR]; bad argument ", a[i])
  opt[[k]] <- a[i + 1]
  i <- i + 2
}
if (opt$out == "") stop("--out FILE is required")
CHAINS <- as.integer(opt$chains); WARMUP <- as.integer(opt$warmup); DRAWS <- as.integer(opt$draws)
SEED <- as.integer(opt$seed)
CACHE <- opt$cache
dir.create(CACHE, showWarnings = FALSE, recursive = TRUE)
CACHE <- normalizePath(CACHE)

if (Sys.getenv("R_MAKEVARS_USER") == "") Sys.setenv(R_MAKEVARS_USER = file.path(BENCH, "stan", "Makevars"))
rstan_options(auto_write = FALSE)
# Debian's r-cran-bh has no headers of its own: point rstan at the system Boost.
if (!nzchar(rstan_options("boost_lib"))) rstan_options(boost_lib = "/usr/include")

cpu <- function() { p <- proc.time(); sum(p[c("user.self", "sys.self")]) }

compiled <- function(name) {
  stan_file <- file.path(BENCH, "stan", paste0(name, ".stan"))
  if (!file.exists(stan_file)) stop("no Stan program ", stan_file)
  key <- paste(name, unname(tools::md5sum(stan_file)), packageVersion("rstan"), sep = "-")
  rds <- file.path(CACHE, paste0(key, ".rds"))
  if (file.exists(rds)) {
    sm <- tryCatch(readRDS(rds), error = function(e) NULL)
    if (!is.null(sm)) return(list(sm = sm, compile_s = 0, cached = TRUE))
  }
  t0 <- Sys.time()
  sm <- stan_model(file = stan_file, model_name = name, auto_write = FALSE)
  s <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
  saveRDS(sm, rds)
  list(sm = sm, compile_s = s, cached = FALSE)
}

run_one <- function(name) {
  data_file <- file.path(BENCH, "data", paste0(sub("_glm$", "", name), ".json"))
  if (!file.exists(data_file)) stop("no data file ", data_file)
  data <- fromJSON(data_file)
  cm <- compiled(name)
  load0 <- readLines("/proc/loadavg")
  c0 <- cpu(); t0 <- Sys.time()
  fit <- sampling(cm$sm, data = data, chains = CHAINS, iter = WARMUP + DRAWS, warmup = WARMUP,
                  seed = SEED, cores = 1, refresh = 0)
  cpu_s <- cpu() - c0
  wall_s <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
  et <- get_elapsed_time(fit)
  sp <- get_sampler_params(fit, inc_warmup = TRUE)
  wi <- seq_len(WARMUP); si <- WARMUP + seq_len(DRAWS)
  lf_w <- sum(sapply(sp, function(m) sum(m[wi, "n_leapfrog__"])))
  lf_s <- sum(sapply(sp, function(m) sum(m[si, "n_leapfrog__"])))
  div <- sum(sapply(sp, function(m) sum(m[si, "divergent__"])))
  mon <- as.data.frame(monitor(as.array(fit), warmup = 0, print = FALSE))
  pn <- rownames(mon)
  # The program's parameters block: the headline ESS and R-hat are taken over these.
  is_par <- sub("\\[.*$", "", pn) %in% param_block(cm$sm@model_code)
  ptab <- lapply(pn, function(p) {
    r <- mon[p, ]
    list(mean = r$mean, sd = r$sd, mcse_mean = r$se_mean, ess_bulk = r$Bulk_ESS, rhat = r$Rhat)
  })
  names(ptab) <- pn
  list(model = name, chains = CHAINS, warmup = WARMUP, draws = DRAWS, seed = SEED,
       compile_s = cm$compile_s, compile_cached = cm$cached,
       cpu_s = cpu_s, sampling_wall_s = wall_s, chain_total_s = sum(et),
       grad_evals_warmup = lf_w, grad_evals_sampling = lf_s, grad_evals_total = lf_w + lf_s,
       divergences = div,
       min_ess_bulk = min(mon$Bulk_ESS[is_par]),
       min_ess_bulk_param = pn[is_par][which.min(mon$Bulk_ESS[is_par])],
       max_rhat = max(mon$Rhat[is_par]),
       loadavg_before = load0, loadavg_after = readLines("/proc/loadavg"),
       params = ptab)
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

out <- list(env = list(R = R.version.string, rstan = as.character(packageVersion("rstan")),
                       stan = stan_version(), started = format(Sys.time(), "%Y-%m-%dT%H:%M:%S%z")),
            models = list())
for (m in strsplit(opt$models, ",")[[1]]) {
  r <- tryCatch(run_one(m), error = function(e) list(model = m, error = conditionMessage(e)))
  out$models[[m]] <- r
  message(sprintf("stan %s: %s", m, if (is.null(r$error)) sprintf("%.2f CPU s, %d leapfrog steps, min ESS %.0f", r$cpu_s, as.integer(r$grad_evals_total), r$min_ess_bulk) else r$error))
}
write(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), opt$out)
