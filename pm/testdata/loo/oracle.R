# Oracle for gopm's LOO, WAIC and Compare: R's loo package (Debian's r-cran-loo, 2.5.1) on the
# draws gopm sampled (*_draws.csv, written by TestLOOWriteDraws in pm/loo_oracle_test.go).
# The log-likelihood is computed here with R's own densities, independently of gopm.
#
# Run from the repository root:  Rscript pm/testdata/loo/oracle.R
# It writes, for every model, <model>_oracle.csv (pointwise values) and
# <model>_oracle_estimates.csv (elpd_loo, p_loo, looic, elpd_waic, p_waic, waic with SE), and
# compare_<first model>.csv for each comparison (loo_compare and loo_model_weights).

suppressPackageStartupMessages(library(loo))
dir <- "pm/testdata/loo"
stopifnot(packageVersion("loo") >= "2.5.0")

num <- function(x) sprintf("%.17g", x)
write_num <- function(df, file) {
  out <- as.data.frame(lapply(df, num), stringsAsFactors = FALSE)
  write.csv(out, file.path(dir, file), row.names = FALSE, quote = FALSE)
}

draws_of <- function(name) read.csv(file.path(dir, paste0(name, "_draws.csv")), check.names = FALSE)
data_of <- function(name) read.csv(file.path(dir, paste0(name, "_data.csv")))

# log_lik[s, i] for each model, from the draws and the data.
loglik <- list(
  eight_schools = function(d, x) {
    tt <- as.matrix(d[, sprintf("theta_tilde[%d]", 0:7)])
    theta <- d$mu + d$tau * tt
    t(apply(theta, 1, function(th) dnorm(x$y, th, x$sigma, log = TRUE)))
  },
  eight_schools_pooled = function(d, x) {
    t(sapply(d$mu, function(m) dnorm(x$y, m, x$sigma, log = TRUE)))
  },
  linreg = function(d, x) {
    t(sapply(seq_len(nrow(d)), function(s)
      dnorm(x$y, d$alpha[s] + d[["beta[0]"]][s] * x$x1 + d[["beta[1]"]][s] * x$x2, d$sigma[s], log = TRUE)))
  },
  linreg_x1 = function(d, x) {
    t(sapply(seq_len(nrow(d)), function(s)
      dnorm(x$y, d$alpha[s] + d$beta[s] * x$x1, d$sigma[s], log = TRUE)))
  },
  linreg_x0 = function(d, x) {
    t(sapply(seq_len(nrow(d)), function(s) dnorm(x$y, d$alpha[s], d$sigma[s], log = TRUE)))
  },
  coal = function(d, x) {
    t(sapply(seq_len(nrow(d)), function(s)
      dpois(x$D, ifelse(x$year < d$s[s], d$e[s], d$l[s]), log = TRUE)))
  },
  outlier = function(d, x) {
    t(sapply(seq_len(nrow(d)), function(s) dnorm(x$y, d$a[s] + d$b[s] * x$x, d$sigma[s], log = TRUE)))
  }
)

lls <- list(); reffs <- list(); loos <- list()
for (name in names(loglik)) {
  d <- draws_of(name)
  ll <- loglik[[name]](d, data_of(name))
  chain_id <- d$chain + 1
  r_eff <- relative_eff(exp(ll), chain_id = chain_id)
  l <- loo(ll, r_eff = r_eff)
  w <- suppressWarnings(waic(ll))
  lls[[name]] <- ll; reffs[[name]] <- r_eff; loos[[name]] <- l
  write_num(data.frame(
    ll_mean = colMeans(ll),
    elpd_loo = l$pointwise[, "elpd_loo"],
    p_loo = l$pointwise[, "p_loo"],
    pareto_k = l$diagnostics$pareto_k,
    n_eff = l$diagnostics$n_eff,
    r_eff = r_eff,
    elpd_waic = w$pointwise[, "elpd_waic"],
    p_waic = w$pointwise[, "p_waic"]
  ), paste0(name, "_oracle.csv"))
  est <- rbind(l$estimates, w$estimates)
  write_num(data.frame(estimate = est[, "Estimate"], se = est[, "SE"]), paste0(name, "_oracle_estimates.csv"))
  cat(name, ": elpd_loo", l$estimates["elpd_loo", "Estimate"], " max k", max(l$diagnostics$pareto_k), "\n")
}

for (set in list(c("linreg", "linreg_x1", "linreg_x0"), c("eight_schools", "eight_schools_pooled"))) {
  cmp <- loo_compare(loos[set])
  cmp <- cmp[set, , drop = FALSE]
  ll <- unname(lls[set]); re <- unname(reffs[set])
  stk <- loo_model_weights(ll, method = "stacking", r_eff_list = re)
  pb <- loo_model_weights(ll, method = "pseudobma", BB = FALSE, r_eff_list = re)
  set.seed(1)
  pbb <- loo_model_weights(ll, method = "pseudobma", BB = TRUE, r_eff_list = re)
  write_num(data.frame(
    elpd_diff = cmp[, "elpd_diff"], se_diff = cmp[, "se_diff"],
    stacking = as.numeric(stk), pseudobma = as.numeric(pb), pseudobma_bb = as.numeric(pbb)
  ), paste0("compare_", set[1], ".csv"))
  print(cmp)
}
cat("loo", as.character(packageVersion("loo")), "\n")
