# Reference values for pm/dist's tests, from R and CRAN packages packaged by Debian
# (r-base-core, r-cran-extradistr, r-cran-vgam, r-cran-actuar, r-cran-mvtnorm).
# Regenerate from pm/dist with:   Rscript testdata/rref.R > testdata/rref.txt
# Each output line is: dist | fn | params | x | want | source
# fn is logp, logcdf, logccdf or icdf; params, x and want are comma-separated; source names the
# R function that computed want.
suppressPackageStartupMessages({
  library(extraDistr); library(VGAM); library(actuar); library(mvtnorm)
})
num <- function(v) paste(sprintf("%.17g", v), collapse = ",")
emit <- function(dist, fn, params, x, want, src) {
  cat(dist, "|", fn, "|", num(params), "|", num(x), "|", num(want), "|", src, "\n", sep = "")
}
# cdf3 emits the log-CDF, the log-CCDF and, when q is given, the quantiles at u.
u <- c(0.001, 0.05, 0.3, 0.5, 0.77, 0.99, 0.99999)

# --- distributions with CDFs through the incomplete gamma and beta functions ---
for (p in list(c(0.5, 2), c(3, 1.5), c(40, 0.3))) {
  x <- c(1e-4, 0.3, 1, 2.5, 7, 40, 200)
  emit("Gamma", "logcdf", p, x, pgamma(x, shape = p[1], rate = p[2], log.p = TRUE), "pgamma(x, shape, rate, log.p = TRUE)")
  emit("Gamma", "logccdf", p, x, pgamma(x, shape = p[1], rate = p[2], lower.tail = FALSE, log.p = TRUE), "pgamma(x, shape, rate, lower.tail = FALSE, log.p = TRUE)")
  emit("Gamma", "icdf", p, u, qgamma(u, shape = p[1], rate = p[2]), "qgamma(u, shape, rate)")
  # x = 1e-4 is left out of the InverseGamma CDF: P < 1e-1000 there, below double precision.
  xi <- x[-1]
  emit("InverseGamma", "logcdf", p, xi, pgamma(1 / xi, shape = p[1], rate = p[2], lower.tail = FALSE, log.p = TRUE), "pgamma(1/x, shape, rate, lower.tail = FALSE, log.p = TRUE)")
  emit("InverseGamma", "logccdf", p, x, pgamma(1 / x, shape = p[1], rate = p[2], log.p = TRUE), "pgamma(1/x, shape, rate, log.p = TRUE)")
  emit("InverseGamma", "icdf", p, u, 1 / qgamma(1 - u, shape = p[1], rate = p[2]), "1/qgamma(1-u, shape, rate)")
}
for (nu in c(0.7, 3, 25)) {
  x <- c(0.01, 0.5, 2, 6, 30, 120)
  emit("ChiSquared", "logcdf", nu, x, pchisq(x, nu, log.p = TRUE), "pchisq(x, df, log.p = TRUE)")
  emit("ChiSquared", "logccdf", nu, x, pchisq(x, nu, lower.tail = FALSE, log.p = TRUE), "pchisq(x, df, lower.tail = FALSE, log.p = TRUE)")
}
for (p in list(c(0.5, 0.5), c(2, 5), c(30, 4), c(0.2, 9))) {
  x <- c(1e-6, 0.01, 0.2, 0.5, 0.8, 0.99, 0.999999)
  emit("Beta", "logcdf", p, x, pbeta(x, p[1], p[2], log.p = TRUE), "pbeta(x, a, b, log.p = TRUE)")
  emit("Beta", "logccdf", p, x, pbeta(x, p[1], p[2], lower.tail = FALSE, log.p = TRUE), "pbeta(x, a, b, lower.tail = FALSE, log.p = TRUE)")
  emit("Beta", "icdf", p, u, qbeta(u, p[1], p[2]), "qbeta(u, a, b)")
}
for (p in list(c(1, 0, 1), c(4.5, 1, 2), c(60, -2, 0.5))) {
  x <- c(-300, -20, -3, -0.1, 0.7, 1.3, 4, 50)
  z <- (x - p[2]) / p[3]
  emit("StudentT", "logcdf", p, x, pt(z, p[1], log.p = TRUE), "pt((x-mu)/sigma, df, log.p = TRUE)")
  emit("StudentT", "logccdf", p, x, pt(z, p[1], lower.tail = FALSE, log.p = TRUE), "pt((x-mu)/sigma, df, lower.tail = FALSE, log.p = TRUE)")
  emit("StudentT", "icdf", p, u, p[2] + p[3] * qt(u, p[1]), "mu + sigma*qt(u, df)")
}
for (p in list(c(1, 1), c(5, 2))) {
  x <- c(0.01, 0.5, 2, 10, 400)
  emit("HalfStudentT", "logcdf", p, x, log(1 - 2 * pt(-x / p[2], p[1])), "log(1 - 2*pt(-x/sigma, df))")
  emit("HalfStudentT", "logccdf", p, x, log(2) + pt(-x / p[2], p[1], log.p = TRUE), "log(2) + pt(-x/sigma, df, log.p = TRUE)")
}
for (p in list(c(1, 1), c(2.5, 6), c(0.3, 0.2))) {
  x <- c(0.01, 0.2, 0.9, 2, 5, 15)
  emit("Wald", "logcdf", p, x, actuar::pinvgauss(x, mean = p[1], shape = p[2], log.p = TRUE), "actuar::pinvgauss(x, mean, shape, log.p = TRUE)")
  emit("Wald", "logccdf", p, x, actuar::pinvgauss(x, mean = p[1], shape = p[2], lower.tail = FALSE, log.p = TRUE), "actuar::pinvgauss(x, mean, shape, lower.tail = FALSE, log.p = TRUE)")
}
for (p in list(c(-1, 0.5, 3), c(0, 0, 2), c(0, 2, 2))) {
  x <- c(-0.9, -0.2, 0.3, 0.5, 1, 1.9, 2.9)
  x <- x[x > p[1] & x < p[3]]
  emit("Triangular", "logcdf", p, x, log(extraDistr::ptriang(x, p[1], p[3], p[2])), "log(extraDistr::ptriang(x, a, b, c))")
  emit("Triangular", "logccdf", p, x, log(1 - extraDistr::ptriang(x, p[1], p[3], p[2])), "log(1 - extraDistr::ptriang(x, a, b, c))")
}

# --- discrete ---
for (p in list(c(10, 0.3), c(1, 0.9), c(200, 0.02), c(55, 0.999))) {
  x <- c(-1, 0, 1, 3, 9, 10, 54, 55, 200)
  emit("Binomial", "logcdf", p, x, pbinom(x, p[1], p[2], log.p = TRUE), "pbinom(x, size, prob, log.p = TRUE)")
  emit("Binomial", "logccdf", p, x, pbinom(x, p[1], p[2], lower.tail = FALSE, log.p = TRUE), "pbinom(x, size, prob, lower.tail = FALSE, log.p = TRUE)")
  emit("Binomial", "icdf", p, u, qbinom(u, p[1], p[2]), "qbinom(u, size, prob)")
}
for (p in list(c(3, 0.5), c(0.2, 10), c(40, 2), c(1000, 7))) {
  x <- c(-1, 0, 1, 4, 20, 100, 400)
  x <- x[pnbinom(x, size = p[2], mu = p[1], lower.tail = FALSE) > 1e-300 | x < 0]
  emit("NegativeBinomial", "logcdf", p, x, pnbinom(x, size = p[2], mu = p[1], log.p = TRUE), "pnbinom(x, size = alpha, mu, log.p = TRUE)")
  emit("NegativeBinomial", "logccdf", p, x, pnbinom(x, size = p[2], mu = p[1], lower.tail = FALSE, log.p = TRUE), "pnbinom(x, size = alpha, mu, lower.tail = FALSE, log.p = TRUE)")
  emit("NegativeBinomial", "icdf", p, u, qnbinom(u, size = p[2], mu = p[1]), "qnbinom(u, size = alpha, mu)")
}
for (mu in c(0.1, 3, 250)) {
  x <- c(-1, 0, 2, 7, 40, 240, 300)
  x <- x[ppois(x, mu, lower.tail = FALSE) > 1e-300 | x < 0]
  emit("Poisson", "logcdf", mu, x, ppois(x, mu, log.p = TRUE), "ppois(x, lambda, log.p = TRUE)")
  emit("Poisson", "logccdf", mu, x, ppois(x, mu, lower.tail = FALSE, log.p = TRUE), "ppois(x, lambda, lower.tail = FALSE, log.p = TRUE)")
  emit("Poisson", "icdf", mu, u, qpois(u, mu), "qpois(u, lambda)")
}
for (p in c(0.2, 0.95)) {
  x <- c(-1, 0, 1, 2)
  emit("Bernoulli", "logcdf", p, x, pbinom(x, 1, p, log.p = TRUE), "pbinom(x, 1, p, log.p = TRUE)")
  emit("Bernoulli", "logccdf", p, x, pbinom(x, 1, p, lower.tail = FALSE, log.p = TRUE), "pbinom(x, 1, p, lower.tail = FALSE, log.p = TRUE)")
}
for (p in list(c(-2, 5), c(3, 3))) {
  x <- c(-3, -2, 0, 3, 5, 6)
  emit("DiscreteUniform", "logcdf", p, x, log(extraDistr::pdunif(x, p[1], p[2])), "log(extraDistr::pdunif(x, min, max))")
  emit("DiscreteUniform", "logccdf", p, x, log(1 - extraDistr::pdunif(x, p[1], p[2])), "log(1 - extraDistr::pdunif(x, min, max))")
}

# --- distributions new in gopm's catalogue ---
for (p in list(c(1, 0.5, 0), c(2.5, 1.7, -1))) {  # AsymmetricLaplace(b, kappa, mu)
  x <- c(-6, -1.2, -0.5, 0, 0.3, 2, 9)
  sc <- sqrt(2) / p[1]
  emit("AsymmetricLaplace", "logp", p, x, VGAM::dalap(x, location = p[3], scale = sc, kappa = p[2], log = TRUE), "VGAM::dalap(x, location = mu, scale = sqrt(2)/b, kappa, log = TRUE)")
  emit("AsymmetricLaplace", "logcdf", p, x, log(VGAM::palap(x, location = p[3], scale = sc, kappa = p[2])), "log(VGAM::palap(x, location = mu, scale = sqrt(2)/b, kappa))")
  emit("AsymmetricLaplace", "logccdf", p, x, log(VGAM::palap(x, location = p[3], scale = sc, kappa = p[2], lower.tail = FALSE)), "log(VGAM::palap(x, location = mu, scale = sqrt(2)/b, kappa, lower.tail = FALSE))")
  emit("AsymmetricLaplace", "icdf", p, u, VGAM::qalap(u, location = p[3], scale = sc, kappa = p[2]), "VGAM::qalap(u, location = mu, scale = sqrt(2)/b, kappa)")
}
for (p in list(c(0, 1, 1), c(2, 0.5, 3), c(-1, 2, 0.2))) {  # ExGaussian(mu, sigma, nu)
  x <- c(-4, -1, 0, 0.5, 2, 6, 15)
  dens <- sapply(x, function(v) integrate(function(t) dnorm(v - t, p[1], p[2]) * dexp(t, 1 / p[3]), 0, Inf, rel.tol = 1e-13, abs.tol = 0)$value)
  cdf <- sapply(x, function(v) integrate(function(t) pnorm(v - t, p[1], p[2]) * dexp(t, 1 / p[3]), 0, Inf, rel.tol = 1e-13, abs.tol = 0)$value)
  ccdf <- sapply(x, function(v) integrate(function(t) pnorm(v - t, p[1], p[2], lower.tail = FALSE) * dexp(t, 1 / p[3]), 0, Inf, rel.tol = 1e-13, abs.tol = 0)$value)
  emit("ExGaussian", "logp", p, x, log(dens), "log(integrate(dnorm(x - t, mu, sigma) * dexp(t, 1/nu), 0, Inf))")
  emit("ExGaussian", "logcdf", p, x, log(cdf), "log(integrate(pnorm(x - t, mu, sigma) * dexp(t, 1/nu), 0, Inf))")
  emit("ExGaussian", "logccdf", p, x, log(ccdf), "log(integrate(pnorm(x - t, mu, sigma, lower.tail = FALSE) * dexp(t, 1/nu), 0, Inf))")
}
for (p in list(c(0, 1), c(3, 2.5))) {  # Gumbel(mu, beta)
  x <- c(-3, -0.5, 0, 1, 4, 12, 30)
  emit("Gumbel", "logp", p, x, extraDistr::dgumbel(x, p[1], p[2], log = TRUE), "extraDistr::dgumbel(x, mu, sigma, log = TRUE)")
  emit("Gumbel", "logcdf", p, x, extraDistr::pgumbel(x, p[1], p[2], log.p = TRUE), "extraDistr::pgumbel(x, mu, sigma, log.p = TRUE)")
  # extraDistr's upper tail is 1 - F, which loses its digits for large x: the closed form instead.
  emit("Gumbel", "logccdf", p, x, log(-expm1(-exp(-(x - p[1]) / p[2]))), "log(-expm1(-exp(-(x-mu)/sigma))), the closed form (extraDistr's 1 - F loses digits in the tail)")
  emit("Gumbel", "icdf", p, u, extraDistr::qgumbel(u, p[1], p[2]), "extraDistr::qgumbel(u, mu, sigma)")
}
for (p in list(c(0.5, 0.5), c(2, 5), c(3, 1.3))) {  # Kumaraswamy(a, b)
  x <- c(1e-4, 0.05, 0.3, 0.5, 0.8, 0.97, 0.9999)
  emit("Kumaraswamy", "logp", p, x, extraDistr::dkumar(x, p[1], p[2], log = TRUE), "extraDistr::dkumar(x, a, b, log = TRUE)")
  # x = 1e-4 is left out of the CDF: extraDistr computes 1 - (1-x^a)^b, which loses digits there.
  emit("Kumaraswamy", "logcdf", p, x[-1], extraDistr::pkumar(x[-1], p[1], p[2], log.p = TRUE), "extraDistr::pkumar(x, a, b, log.p = TRUE)")
  emit("Kumaraswamy", "logccdf", p, x, extraDistr::pkumar(x, p[1], p[2], lower.tail = FALSE, log.p = TRUE), "extraDistr::pkumar(x, a, b, lower.tail = FALSE, log.p = TRUE)")
  emit("Kumaraswamy", "icdf", p, u, extraDistr::qkumar(u, p[1], p[2]), "extraDistr::qkumar(u, a, b)")
}
for (p in list(c(0, 1), c(-1.5, 0.4), c(2, 3))) {  # LogitNormal(mu, sigma)
  x <- c(1e-5, 0.05, 0.3, 0.5, 0.8, 0.99)
  emit("LogitNormal", "logp", p, x, dnorm(qlogis(x), p[1], p[2], log = TRUE) - log(x) - log1p(-x), "dnorm(qlogis(x), mu, sigma, log = TRUE) - log(x) - log(1-x)")
  emit("LogitNormal", "logcdf", p, x, pnorm(qlogis(x), p[1], p[2], log.p = TRUE), "pnorm(qlogis(x), mu, sigma, log.p = TRUE)")
  emit("LogitNormal", "logccdf", p, x, pnorm(qlogis(x), p[1], p[2], lower.tail = FALSE, log.p = TRUE), "pnorm(qlogis(x), mu, sigma, lower.tail = FALSE, log.p = TRUE)")
  emit("LogitNormal", "icdf", p, u, plogis(qnorm(u, p[1], p[2])), "plogis(qnorm(u, mu, sigma))")
}
for (p in list(c(0, 1), c(1.5, 0.7))) {  # Moyal(mu, sigma)
  x <- c(-2, -0.5, 0, 1, 3, 10, 25)
  z <- (x - p[1]) / p[2]
  # exp(-(X-mu)/sigma) is chi-squared with 1 degree of freedom.
  emit("Moyal", "logp", p, x, dchisq(exp(-z), 1, log = TRUE) - z - log(p[2]), "dchisq(exp(-z), 1, log = TRUE) - z - log(sigma), z = (x-mu)/sigma")
  emit("Moyal", "logcdf", p, x, pchisq(exp(-z), 1, lower.tail = FALSE, log.p = TRUE), "pchisq(exp(-z), 1, lower.tail = FALSE, log.p = TRUE)")
  emit("Moyal", "logccdf", p, x, pchisq(exp(-z), 1, log.p = TRUE), "pchisq(exp(-z), 1, log.p = TRUE)")
  emit("Moyal", "icdf", p, u, p[1] - p[2] * log(qchisq(1 - u, 1)), "mu - sigma*log(qchisq(1-u, 1))")
}
for (p in list(c(0, 1), c(2, 0.5), c(5, 3))) {  # Rice(nu, sigma)
  x <- c(0.01, 0.5, 1, 2.5, 6, 12)
  emit("Rice", "logp", p, x, VGAM::drice(x, sigma = p[2], vee = p[1], log = TRUE), "VGAM::drice(x, sigma, vee = nu, log = TRUE)")
}
# Rice CDFs: F(x) = 1 - Q1(nu/sigma, x/sigma) = pchisq(x^2/sigma^2, 2, ncp = nu^2/sigma^2). R's
# noncentral pchisq keeps its digits in the lower tail only, so each tail is taken from R where it
# is below 1/2 (the lower from pchisq, the upper from integrate() of VGAM::drice) and the other
# as log1p(-that); x = 30 at nu = 2, sigma = 0.5 is left out (Q1 < 1e-300).
riceTail <- function(x, p, upper) {
  lo <- pchisq((x / p[2])^2, 2, ncp = (p[1] / p[2])^2, log.p = TRUE)
  up <- sapply(x, function(v) integrate(function(t) VGAM::drice(t, sigma = p[2], vee = p[1]), v, Inf, rel.tol = 1e-13, abs.tol = 0)$value)
  if (upper) suppressWarnings(ifelse(lo < log(0.5), log1p(-exp(lo)), log(up))) else ifelse(lo < log(0.5), lo, log1p(-up))
}
for (p in list(c(0, 1), c(2, 0.5), c(5, 3), c(10, 1), c(30, 2))) {  # Rice(nu, sigma)
  x <- c(0.01, 0.5, 1, 2.5, 6, 12, 30)
  x <- x[x / p[2] - p[1] / p[2] < 35]
  emit("Rice", "logcdf", p, x, riceTail(x, p, FALSE), "pchisq((x/sigma)^2, 2, ncp = (nu/sigma)^2, log.p = TRUE) where < log(1/2), else log1p(-integrate(VGAM::drice(t, sigma, vee = nu), x, Inf))")
  emit("Rice", "logccdf", p, x, riceTail(x, p, TRUE), "log(integrate(VGAM::drice(t, sigma, vee = nu), x, Inf)) where pchisq((x/sigma)^2, 2, ncp = (nu/sigma)^2) >= 1/2, else log1p(-pchisq(...))")
}
# SkewNormal(mu, sigma, alpha) CDFs by integrate() of the density 2 dnorm(t) pnorm(alpha t) (the
# sn package is not packaged by Debian): each tail where it is below 1/2, log1p(-the other)
# elsewhere; values below 1e-300 are left out.
for (p in list(c(0, 1, 0), c(0, 1, 3), c(1, 2, -4), c(0, 1, 0.5), c(-1, 0.5, 20))) {
  x <- c(-8, -3, -1, -0.2, 0, 0.4, 1.5, 3, 8)
  z <- (x - p[1]) / p[2]
  f <- function(t) 2 * dnorm(t) * pnorm(p[3] * t)
  lo <- sapply(z, function(v) integrate(f, -Inf, v, rel.tol = 1e-13, abs.tol = 0)$value)
  up <- sapply(z, function(v) integrate(f, v, Inf, rel.tol = 1e-13, abs.tol = 0)$value)
  keep <- lo > 1e-300 & up > 1e-300
  x <- x[keep]; lo <- lo[keep]; up <- up[keep]
  emit("SkewNormal", "logcdf", p, x, suppressWarnings(ifelse(lo < 0.5, log(lo), log1p(-up))), "log(integrate(2*dnorm(t)*pnorm(alpha*t), -Inf, (x-mu)/sigma)) where < 1/2, else log1p(-integrate(..., z, Inf))")
  emit("SkewNormal", "logccdf", p, x, suppressWarnings(ifelse(up < 0.5, log(up), log1p(-lo))), "log(integrate(2*dnorm(t)*pnorm(alpha*t), (x-mu)/sigma, Inf)) where < 1/2, else log1p(-integrate(..., -Inf, z))")
}
for (p in list(c(0.3, 0.8), c(0.9, 1.5), c(0.5, 1))) {  # DiscreteWeibull(q, beta)
  x <- c(0, 1, 2, 5, 12, 40)
  emit("DiscreteWeibull", "logp", p, x, extraDistr::ddweibull(x, p[1], p[2], log = TRUE), "extraDistr::ddweibull(x, shape1 = q, shape2 = beta, log = TRUE)")
  emit("DiscreteWeibull", "logcdf", p, x, extraDistr::pdweibull(x, p[1], p[2], log.p = TRUE), "extraDistr::pdweibull(x, shape1 = q, shape2 = beta, log.p = TRUE)")
  # extraDistr's upper tail is 1 - F, which loses digits where it is small: only x <= 5 here.
  x <- x[x <= 5]
  emit("DiscreteWeibull", "logccdf", p, x, extraDistr::pdweibull(x, p[1], p[2], lower.tail = FALSE, log.p = TRUE), "extraDistr::pdweibull(x, shape1 = q, shape2 = beta, lower.tail = FALSE, log.p = TRUE)")
  emit("DiscreteWeibull", "icdf", p, u, extraDistr::qdweibull(u, p[1], p[2]), "extraDistr::qdweibull(u, shape1 = q, shape2 = beta)")
}
for (p in list(c(20, 7, 12), c(50, 3, 10), c(500, 250, 100))) {  # HyperGeometric(N, k, n)
  x <- c(0, 1, 2, 3, 5, 7, 30, 50, 70)
  emit("HyperGeometric", "logp", p, x, dhyper(x, p[2], p[1] - p[2], p[3], log = TRUE), "dhyper(x, m = k, n = N - k, k = n, log = TRUE)")
  emit("HyperGeometric", "logcdf", p, x, phyper(x, p[2], p[1] - p[2], p[3], log.p = TRUE), "phyper(x, m = k, n = N - k, k = n, log.p = TRUE)")
  emit("HyperGeometric", "logccdf", p, x, phyper(x, p[2], p[1] - p[2], p[3], lower.tail = FALSE, log.p = TRUE), "phyper(x, m = k, n = N - k, k = n, lower.tail = FALSE, log.p = TRUE)")
  emit("HyperGeometric", "icdf", p, u, qhyper(u, p[2], p[1] - p[2], p[3]), "qhyper(u, m = k, n = N - k, k = n)")
}
for (p in list(c(10, 2, 3), c(40, 0.5, 0.8), c(200, 30, 5))) {  # BetaBinomial(n, alpha, beta)
  x <- c(-1, 0, 1, 3, 9, 10, 39, 40, 150, 199, 200)
  lo <- extraDistr::pbbinom(x, p[1], p[2], p[3], log.p = TRUE)
  up <- sapply(x, function(v) { k <- seq(max(v + 1, 0), p[1]); if (v >= p[1]) -Inf else log(sum(extraDistr::dbbinom(k, p[1], p[2], p[3]))) })
  keep <- !(is.finite(lo) & lo < -690) & !(is.finite(up) & up < -690)
  x <- x[keep]; lo <- lo[keep]; up <- up[keep]
  emit("BetaBinomial", "logcdf", p, x, ifelse(lo < log(0.5), lo, log1p(-exp(up))), "extraDistr::pbbinom(x, size = n, alpha, beta, log.p = TRUE) where < log(1/2), else log1p(-sum(extraDistr::dbbinom(x+1..n, n, alpha, beta)))")
  emit("BetaBinomial", "logccdf", p, x, ifelse(lo < log(0.5), log1p(-exp(lo)), up), "log(sum(extraDistr::dbbinom(x+1..n, n, alpha, beta))) where pbbinom >= 1/2, else log1p(-extraDistr::pbbinom(x, n, alpha, beta))")
}
for (p in list(c(0.6, 3.5), c(0.15, 0.4))) {  # ZeroInflatedPoisson(psi, mu)
  x <- c(-1, 0, 1, 2, 5, 12)
  emit("ZeroInflatedPoisson", "logcdf", p, x, extraDistr::pzip(x, p[2], 1 - p[1], log.p = TRUE), "extraDistr::pzip(x, lambda = mu, pi = 1 - psi, log.p = TRUE)")
  # extraDistr's upper tail is 1 - F, which loses digits where it is small: psi times the Poisson's.
  emit("ZeroInflatedPoisson", "logccdf", p, x, ifelse(x < 0, 0, log(p[1]) + ppois(x, p[2], lower.tail = FALSE, log.p = TRUE)), "ifelse(x < 0, 0, log(psi) + ppois(x, mu, lower.tail = FALSE, log.p = TRUE))")
}
for (p in list(c(0.7, 10, 0.3), c(0.2, 3, 0.9))) {  # ZeroInflatedBinomial(psi, n, p)
  x <- c(0, 1, 2, 3, 7, 10)
  emit("ZeroInflatedBinomial", "logp", p, x, extraDistr::dzib(x, p[2], p[3], 1 - p[1], log = TRUE), "extraDistr::dzib(x, size = n, prob = p, pi = 1 - psi, log = TRUE)")
  emit("ZeroInflatedBinomial", "logcdf", p, x, extraDistr::pzib(x, p[2], p[3], 1 - p[1], log.p = TRUE), "extraDistr::pzib(x, size = n, prob = p, pi = 1 - psi, log.p = TRUE)")
  emit("ZeroInflatedBinomial", "logccdf", p, x, log(extraDistr::pzib(x, p[2], p[3], 1 - p[1], lower.tail = FALSE)), "log(extraDistr::pzib(x, size = n, prob = p, pi = 1 - psi, lower.tail = FALSE))")
}
for (p in list(c(0.7, 4, 2), c(0.3, 0.5, 10))) {  # ZeroInflatedNegativeBinomial(psi, mu, alpha)
  x <- c(0, 1, 2, 5, 20)
  pr <- p[3] / (p[3] + p[2])
  emit("ZeroInflatedNegativeBinomial", "logp", p, x, extraDistr::dzinb(x, p[3], pr, 1 - p[1], log = TRUE), "extraDistr::dzinb(x, size = alpha, prob = alpha/(alpha+mu), pi = 1 - psi, log = TRUE)")
  emit("ZeroInflatedNegativeBinomial", "logcdf", p, x, extraDistr::pzinb(x, p[3], pr, 1 - p[1], log.p = TRUE), "extraDistr::pzinb(x, size = alpha, prob = alpha/(alpha+mu), pi = 1 - psi, log.p = TRUE)")
}
for (p in list(c(0.6, 2.5), c(0.9, 0.3))) {  # HurdlePoisson(psi, mu)
  x <- c(0, 1, 2, 4, 9)
  lp <- ifelse(x == 0, log(1 - p[1]), log(p[1]) + dpois(x, p[2], log = TRUE) - ppois(0, p[2], lower.tail = FALSE, log.p = TRUE))
  emit("HurdlePoisson", "logp", p, x, lp, "ifelse(x == 0, log(1 - psi), log(psi) + dpois(x, mu, log = TRUE) - ppois(0, mu, lower.tail = FALSE, log.p = TRUE))")
  cc <- log(p[1]) + ppois(x, p[2], lower.tail = FALSE, log.p = TRUE) - ppois(0, p[2], lower.tail = FALSE, log.p = TRUE)
  emit("HurdlePoisson", "logccdf", p, x, cc, "log(psi) + ppois(x, mu, lower.tail = FALSE, log.p = TRUE) - ppois(0, mu, lower.tail = FALSE, log.p = TRUE)")
}
for (p in list(c(0.6, 2.5, 1.5))) {  # HurdleNegativeBinomial(psi, mu, alpha)
  x <- c(0, 1, 2, 4, 9)
  lp <- ifelse(x == 0, log(1 - p[1]), log(p[1]) + dnbinom(x, size = p[3], mu = p[2], log = TRUE) - pnbinom(0, size = p[3], mu = p[2], lower.tail = FALSE, log.p = TRUE))
  emit("HurdleNegativeBinomial", "logp", p, x, lp, "ifelse(x == 0, log(1 - psi), log(psi) + dnbinom(x, size = alpha, mu, log = TRUE) - pnbinom(0, size = alpha, mu, lower.tail = FALSE, log.p = TRUE))")
}
for (p in list(c(0.4, 2, 3))) {  # HurdleGamma(psi, alpha, beta)
  x <- c(0, 0.1, 1, 2.5)
  emit("HurdleGamma", "logp", p, x, ifelse(x == 0, log(1 - p[1]), log(p[1]) + dgamma(x, p[2], p[3], log = TRUE)), "ifelse(x == 0, log(1 - psi), log(psi) + dgamma(x, alpha, rate = beta, log = TRUE))")
  emit("HurdleGamma", "logcdf", p, x, log(1 - p[1] + p[1] * pgamma(x, p[2], p[3])), "log(1 - psi + psi*pgamma(x, alpha, rate = beta))")
}
for (p in list(c(0.4, 0.5, 0.8))) {  # HurdleLogNormal(psi, mu, sigma)
  x <- c(0, 0.1, 1, 2.5)
  emit("HurdleLogNormal", "logp", p, x, ifelse(x == 0, log(1 - p[1]), log(p[1]) + dlnorm(x, p[2], p[3], log = TRUE)), "ifelse(x == 0, log(1 - psi), log(psi) + dlnorm(x, mu, sigma, log = TRUE))")
}
# OrderedLogistic(eta, cutpoints) and OrderedProbit(eta, cutpoints, sigma): params are eta then the cutpoints (then sigma).
for (p in list(c(0.3, -1, 0.5, 2), c(-4, -1, 0.5, 2), c(25, -1, 0.5, 2))) {
  cp <- p[-1]
  F <- plogis(cp - p[1])
  pr <- diff(c(0, F, 1))
  emit("OrderedLogistic", "logp", p, 0:3, log(pr), "log(diff(c(0, plogis(cutpoints - eta), 1)))")
  Fp <- pnorm((cp - p[1]) / 1.5)
  emit("OrderedProbit", "logp", c(p, 1.5), 0:3, log(diff(c(0, Fp, 1))), "log(diff(c(0, pnorm((cutpoints - eta)/sigma), 1)))")
}

# --- multivariate: the inputs are written out here and in rref_test.go's mvCases (same order) ---
S3 <- matrix(c(2, 0.5, -0.3, 0.5, 1, 0.2, -0.3, 0.2, 1.5), 3, 3)
mu3 <- c(0.5, -1, 2)
X3 <- rbind(c(0.1, 0.2, 0.3), c(2, -3, 1), c(10, 4, -6))
emit("mv:MvStudentT", "logp", numeric(0), t(X3), mvtnorm::dmvt(X3, delta = mu3, sigma = S3, df = 4.5, log = TRUE), "mvtnorm::dmvt(x, delta = mu, sigma = scale, df = 4.5, log = TRUE)")
A4 <- c(0.5, 1.5, 2, 4)
C4 <- rbind(c(3, 0, 4, 3), c(0, 0, 10, 0), c(1, 2, 3, 4))
emit("mv:DirichletMultinomial", "logp", numeric(0), t(C4), extraDistr::ddirmnom(C4, 10, A4, log = TRUE), "extraDistr::ddirmnom(x, size = 10, alpha = a, log = TRUE)")
U2 <- matrix(c(1, 0.3, 0.3, 2), 2, 2)
V3 <- S3
M23 <- rbind(c(0, 1, 2), c(-1, 0, 1))
X23 <- rbind(c(0.5, 0.2, 2.5), c(-2, 1, 0.3))
emit("mv:MatrixNormal", "logp", numeric(0), t(X23), mvtnorm::dmvnorm(as.vector(X23), as.vector(M23), kronecker(V3, U2), log = TRUE), "mvtnorm::dmvnorm(vec(X), vec(M), kronecker(colcov, rowcov), log = TRUE)")
x6 <- c(0.3, -1.2, 2.2, 0.7, -0.4, 1.1)
emit("mv:KroneckerNormal", "logp", numeric(0), x6, mvtnorm::dmvnorm(x6, rep(0.2, 6), kronecker(U2, S3), log = TRUE), "mvtnorm::dmvnorm(x, mu, kronecker(K1, K2), log = TRUE)")
W4 <- rbind(c(0, 1, 0, 1), c(1, 0, 1, 0), c(0, 1, 0, 1), c(1, 0, 1, 0))
Q4 <- 2.5 * (diag(rowSums(W4)) - 0.6 * W4)
x4 <- c(0.3, -0.5, 1.2, 0.1)
emit("mv:CAR", "logp", numeric(0), x4, mvtnorm::dmvnorm(x4, rep(0.1, 4), solve(Q4), log = TRUE), "mvtnorm::dmvnorm(x, mu, solve(tau*(D - alpha*W)), log = TRUE) with tau = 2.5, alpha = 0.6")
e <- which(upper.tri(W4) & W4 > 0, arr.ind = TRUE)
x4z <- c(0.3, -0.5, 1.2, -0.9)
icar <- -sum((x4z[e[, 1]] - x4z[e[, 2]])^2) / (2 * 0.7^2) + dnorm(sum(x4z), 0, 0.001 * 4, log = TRUE)
emit("mv:ICAR", "logp", numeric(0), x4z, icar, "-sum over edges (x_i - x_j)^2/(2 sigma^2) + dnorm(sum(x), 0, 0.001*k, log = TRUE), sigma = 0.7")
w5 <- c(0.3, 0.25, 0.2, 0.15, 0.1)
R <- rev(cumsum(rev(w5)))
beta <- w5[1:4] / R[1:4]
emit("mv:StickBreakingWeights", "logp", numeric(0), w5, sum(dbeta(beta, 1, 2.5, log = TRUE)) - sum(log(R[1:4])), "sum(dbeta(beta_k, 1, alpha, log = TRUE)) - sum(log(tail sums)), beta_k = w_k/tail sum, alpha = 2.5")
z5 <- c(0.5, -1, 0.25, 1.5, -1.25)
B <- qr.Q(qr(cbind(rep(1, 5), diag(5)[, 1:4])))[, 2:5]
emit("mv:ZeroSumNormal", "logp", numeric(0), z5, sum(dnorm(t(B) %*% z5, 0, 1.3, log = TRUE)), "sum(dnorm(t(B) %*% x, 0, sigma = 1.3, log = TRUE)), B an orthonormal basis of the zero-sum subspace (qr.Q)")

# Interpolated(x_points, pdf_points): params are the points then the densities.
xp <- c(-1, 0, 0.5, 2, 3)
pp <- c(0, 1, 0.4, 0.8, 0.1)
f <- approxfun(xp, pp)
Z <- integrate(f, -1, 3, subdivisions = 1000, rel.tol = 1e-13)$value
x <- c(-0.7, 0, 0.25, 1, 2.9)
emit("Interpolated", "logp", c(xp, pp), x, log(f(x) / Z), "log(approxfun(x_points, pdf_points)(x) / integrate(approxfun(...), min, max))")
emit("Interpolated", "logcdf", c(xp, pp), x, log(sapply(x, function(v) integrate(f, -1, v, rel.tol = 1e-13)$value) / Z), "log(integrate(approxfun(x_points, pdf_points), min, x) / Z)")
emit("Interpolated", "icdf", c(xp, pp), u[2:6], sapply(u[2:6], function(q) uniroot(function(v) integrate(f, -1, v, rel.tol = 1e-13)$value / Z - q, c(-1, 3), tol = 1e-14)$root), "uniroot of integrate(approxfun(x_points, pdf_points), min, x)/Z")

# Quantiles of Cauchy(alpha, beta), HalfCauchy(beta) and Laplace(mu, b).
emit("Cauchy", "icdf", c(0.5, 2), u, qcauchy(u, 0.5, 2), "qcauchy(u, location, scale)")
emit("HalfCauchy", "icdf", 1.5, u, qcauchy((1 + u) / 2, 0, 1.5), "qcauchy((1+u)/2, 0, scale)")
emit("Laplace", "icdf", c(-1, 0.7), u, extraDistr::qlaplace(u, -1, 0.7), "extraDistr::qlaplace(u, mu, sigma)")

# Quantiles of Rice(nu, sigma), SkewNormal(mu, sigma, alpha), BetaBinomial(n, alpha, beta) and
# ZeroInflatedPoisson(psi, mu).
for (p in list(c(0, 1), c(2, 0.5), c(5, 3))) {
  emit("Rice", "icdf", p, u, p[2] * sqrt(qchisq(u, 2, ncp = (p[1] / p[2])^2)), "sigma*sqrt(qchisq(u, 2, ncp = (nu/sigma)^2))")
}
for (p in list(c(0, 1, 3), c(1, 2, -4), c(-1, 0.5, 20))) {
  f <- function(t) 2 * dnorm(t) * pnorm(p[3] * t)
  Fz <- function(z) if (z < 0) integrate(f, -Inf, z, rel.tol = 1e-13, abs.tol = 0)$value else 1 - integrate(f, z, Inf, rel.tol = 1e-13, abs.tol = 0)$value
  z <- sapply(u[2:6], function(q) uniroot(function(z) Fz(z) - q, c(-10, 10), tol = 1e-15)$root)
  emit("SkewNormal", "icdf", p, u[2:6], p[1] + p[2] * z, "mu + sigma*uniroot(integrate(2*dnorm(t)*pnorm(alpha*t), -Inf, z) = u)")
}
for (p in list(c(10, 2, 3), c(40, 0.5, 0.8), c(200, 30, 5))) {
  F <- extraDistr::pbbinom(0:p[1], p[1], p[2], p[3])
  emit("BetaBinomial", "icdf", p, u, sapply(u, function(q) min(which(F >= q)) - 1), "smallest k with extraDistr::pbbinom(k, size = n, alpha, beta) >= u")
}
for (p in list(c(0.6, 3.5), c(0.15, 0.4))) {
  emit("ZeroInflatedPoisson", "icdf", p, u, extraDistr::qzip(u, p[2], 1 - p[1]), "extraDistr::qzip(u, lambda = mu, pi = 1 - psi)")
}

# Log-CDFs of mixtures: log(sum_k w_k F_k(x)) with each component's log-CDF (log-CCDF) from R,
# added in logs. NormalMixture params: w (3), mu (3), sigma (3); MixtureGammaLogNormal: w (2),
# Gamma(alpha, beta), LogNormal(mu, sigma); MixturePoissonBinomial: w (2), Poisson(mu), Binomial(n, p).
lse <- function(a) { m <- apply(a, 1, max); ifelse(is.finite(m), m + log(rowSums(exp(a - m))), m) }
w <- c(0.2, 0.5, 0.3); m <- c(-2, 0.5, 4); s <- c(0.7, 1, 2.5)
x <- c(-12, -3, 0, 1.5, 6, 25)
emit("NormalMixture", "logcdf", c(w, m, s), x, lse(sapply(1:3, function(k) log(w[k]) + pnorm(x, m[k], s[k], log.p = TRUE))), "log(sum_k w_k pnorm(x, mu_k, sigma_k)) from pnorm(..., log.p = TRUE)")
emit("NormalMixture", "logccdf", c(w, m, s), x, lse(sapply(1:3, function(k) log(w[k]) + pnorm(x, m[k], s[k], lower.tail = FALSE, log.p = TRUE))), "log(sum_k w_k pnorm(x, mu_k, sigma_k, lower.tail = FALSE)) from log.p = TRUE")
p <- c(0.35, 0.65, 2, 1.5, 0.3, 0.8)
x <- c(1e-3, 0.2, 1, 3, 10, 60)
emit("MixtureGammaLogNormal", "logcdf", p, x, lse(cbind(log(p[1]) + pgamma(x, p[3], p[4], log.p = TRUE), log(p[2]) + plnorm(x, p[5], p[6], log.p = TRUE))), "log(w1 pgamma(x, alpha, beta) + w2 plnorm(x, mu, sigma)) from log.p = TRUE")
emit("MixtureGammaLogNormal", "logccdf", p, x, lse(cbind(log(p[1]) + pgamma(x, p[3], p[4], lower.tail = FALSE, log.p = TRUE), log(p[2]) + plnorm(x, p[5], p[6], lower.tail = FALSE, log.p = TRUE))), "log(w1 pgamma(x, alpha, beta, lower.tail = FALSE) + w2 plnorm(x, mu, sigma, lower.tail = FALSE)) from log.p = TRUE")
p <- c(0.4, 0.6, 3.5, 20, 0.7)
x <- c(-1, 0, 2, 5, 12, 19, 20)
emit("MixturePoissonBinomial", "logcdf", p, x, lse(cbind(log(p[1]) + ppois(x, p[3], log.p = TRUE), log(p[2]) + pbinom(x, p[4], p[5], log.p = TRUE))), "log(w1 ppois(x, mu) + w2 pbinom(x, n, p)) from log.p = TRUE")
emit("MixturePoissonBinomial", "logccdf", p, x, lse(cbind(log(p[1]) + ppois(x, p[3], lower.tail = FALSE, log.p = TRUE), log(p[2]) + pbinom(x, p[4], p[5], lower.tail = FALSE, log.p = TRUE))), "log(w1 ppois(x, mu, lower.tail = FALSE) + w2 pbinom(x, n, p, lower.tail = FALSE)) from log.p = TRUE")
