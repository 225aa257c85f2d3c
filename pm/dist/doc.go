// Package dist holds gopm's probability distributions and the transforms that map their
// supports to unconstrained space.
//
// A distribution is built by a constructor such as Normal(mu, sigma) whose parameters are
// float64 values, slices, gonum matrices or *tensor.Tensor expressions (other random variables,
// data), broadcasting NumPy style. It gives its log-density as a tensor graph (Logp), so that
// it runs on every backend and has gradients in the value and in every parameter; random draws
// as a graph over a tensor.RandomStream (Random); its support, default transform (PyMC's
// choices: log for positive values, log-odds for the unit interval, interval for bounded ones,
// stick-breaking for the simplex, none for discrete values) and a starting point
// (InitialValue). Constant parameters are checked when the distribution is built and a problem
// is reported by Err, e.g. "Normal: sigma is -1, but must be positive"; parameters that are not
// constants make the log-density -Inf where they are invalid. Values outside the support give
// -Inf, never NaN.
//
// The model layer (package pm) names variables, applies the transforms and adds their
// log-Jacobians; this package knows nothing of models.
//
// # PyMC names
//
// Every distribution of PyMC 5 and its gopm constructor. CDF marks a log-CDF and log-CCDF
// (so that Truncated and Censored accept it; through the regularized incomplete gamma and beta
// functions of package tensor, differentiable in every parameter, where there is no closed
// form; the Marcum Q function for Rice, Owen's T function for SkewNormal and a sum of the
// probabilities for BetaBinomial, in cdf_special.go; for Mixture and NormalMixture a weighted
// log-sum-exp of the component log-CDFs, when every component has one; for Flat and HalfFlat
// PyMC's conventional values, which Censored accepts and Truncated refuses); ICDF marks a
// quantile function (Truncated draws by it; Rice and SkewNormal invert their log-CDFs by a
// safeguarded Newton iteration, in icdf_special.go). Without a CDF: VonMises, Categorical,
// OrderedLogistic and OrderedProbit (as in PyMC), and PolyaGamma, which PyMC has and gopm not
// yet.
//
//	PyMC                          gopm                                     CDF  ICDF
//	AsymmetricLaplace             AsymmetricLaplace(b, kappa, mu)          yes  yes
//	Beta                          Beta(alpha, beta)                        yes  yes
//	Cauchy                        Cauchy(alpha, beta)                      yes  yes
//	ChiSquared                    ChiSquared(nu)                           yes  yes
//	ExGaussian                    ExGaussian(mu, sigma, nu)                yes  -
//	Exponential                   Exponential(lam)                         yes  yes
//	Flat, HalfFlat                Flat(), HalfFlat()                       yes  -
//	Gamma (alpha, beta)           Gamma(alpha, beta)                       yes  yes
//	Gamma (mu, sigma)             GammaMuSigma(mu, sigma)                  yes  yes
//	Gumbel                        Gumbel(mu, beta)                         yes  yes
//	HalfCauchy                    HalfCauchy(beta)                         yes  yes
//	HalfNormal                    HalfNormal(sigma)                        yes  yes
//	HalfStudentT                  HalfStudentT(nu, sigma)                  yes  yes
//	Interpolated                  Interpolated(xPoints, pdfPoints)         yes  yes
//	InverseGamma                  InverseGamma(alpha, beta)                yes  yes
//	Kumaraswamy                   Kumaraswamy(a, b)                        yes  yes
//	Laplace                       Laplace(mu, b)                           yes  yes
//	Logistic                      Logistic(mu, s)                          yes  yes
//	LogitNormal                   LogitNormal(mu, sigma)                   yes  yes
//	LogNormal                     LogNormal(mu, sigma)                     yes  yes
//	Moyal                         Moyal(mu, sigma)                         yes  yes
//	Normal                        Normal(mu, sigma)                        yes  yes
//	Pareto                        Pareto(alpha, m)                         yes  yes
//	PolyaGamma                    PolyaGamma(h, z)                         -    -
//	Rice                          Rice(nu, sigma)                          yes  yes
//	SkewNormal                    SkewNormal(mu, sigma, alpha)             yes  yes
//	SkewStudentT                  none yet (Jones–Faddy skew t)
//	StudentT                      StudentT(nu, mu, sigma)                  yes  yes
//	Triangular                    Triangular(lower, c, upper)              yes  yes
//	TruncatedNormal               TruncatedNormal(mu, sigma, lower, upper) yes  -
//	Uniform                       Uniform(lower, upper)                    yes  yes
//	VonMises                      VonMises(mu, kappa)                      -    -
//	Wald                          Wald(mu, lam)                            yes  -
//	Weibull                       Weibull(alpha, beta)                     yes  yes
//	Bernoulli (p, logit_p)        Bernoulli(p), BernoulliLogit(logitP)     yes  yes
//	BetaBinomial                  BetaBinomial(n, alpha, beta)             yes  yes
//	Binomial (p, logit_p)         Binomial(n, p), BinomialLogit(n, l)      yes  yes
//	Categorical (p, logit_p)      Categorical(p), CategoricalLogit(l)      -    -
//	DiracDelta                    none yet (a constant: use a Go value or Deterministic)
//	DiscreteUniform               DiscreteUniform(lower, upper)            yes  yes
//	DiscreteWeibull               DiscreteWeibull(q, beta)                 yes  yes
//	Geometric                     Geometric(p)                             yes  yes
//	HyperGeometric                HyperGeometric(N, k, n)                  yes  yes
//	NegativeBinomial (mu, alpha)  NegativeBinomial(mu, alpha)              yes  yes
//	OrderedLogistic               OrderedLogistic(eta, cutpoints)          -    -
//	OrderedProbit                 OrderedProbit(eta, cutpoints, sigma)     -    -
//	Poisson                       Poisson(mu), PoissonLog(eta)             yes  yes
//	ZeroInflatedPoisson           ZeroInflatedPoisson(psi, mu)             yes  yes
//	ZeroInflatedBinomial          ZeroInflatedBinomial(psi, n, p)          yes  -
//	ZeroInflatedNegativeBinomial  ZeroInflatedNegativeBinomial(psi, mu, a) yes  -
//	HurdlePoisson                 HurdlePoisson(psi, mu)                   yes  -
//	HurdleNegativeBinomial        HurdleNegativeBinomial(psi, mu, alpha)   yes  -
//	HurdleGamma                   HurdleGamma(psi, alpha, beta)            yes  -
//	HurdleLogNormal               HurdleLogNormal(psi, mu, sigma)          yes  -
//	Mixture, NormalMixture        Mixture(w, comps...), NormalMixture      yes  -
//	CAR                           CAR(mu, W, alpha, tau)
//	ICAR                          ICAR(W, sigma, zeroSumStdev)
//	Dirichlet                     Dirichlet(a)
//	DirichletMultinomial          DirichletMultinomial(n, a)
//	KroneckerNormal               KroneckerNormal(mu, covs...) (no added noise sigma)
//	LKJCholeskyCov                LKJCholeskyCov(n, eta, sdDist), CovCholeskyParts
//	LKJCorr                       LKJCorr(n, eta)
//	MatrixNormal                  MatrixNormal(mu, rowcov, colcov)
//	Multinomial                   Multinomial(n, p)
//	MvNormal (cov, chol, tau)     MvNormal(mu, cov), MvNormalChol, MvNormalPrec
//	MvStudentT                    MvStudentT(nu, mu, scale)
//	OrderedMultinomial            none yet
//	StickBreakingWeights          StickBreakingWeights(alpha, K)
//	Wishart                       none (PyMC discourages it; use LKJCholeskyCov)
//	ZeroSumNormal                 ZeroSumNormal(sigma, n) (one zero-sum axis)
//	AR                            AR(rho, sigma, init, steps, constant)
//	GaussianRandomWalk            GaussianRandomWalk(mu, sigma, init, steps)
//	RandomWalk, MvGaussianRandomWalk, MvStudentTRandomWalk, GARCH11, EulerMaruyama: none yet
//	Truncated                     Truncated(d, lower, upper)
//	Censored                      Censored(d, lower, upper)
//	CustomDist, DensityDist       CustomDist(name, logp, opts...)
//	Simulator                     none (likelihood-free inference is not supported)
//
// Transforms: PyMC's log, logodds, interval, lowerbound, upperbound, simplex, ordered,
// zerosum, CholeskyCorr and the chain log + ordered are Log, LogOdds, IntervalTransform,
// LowerBound, UpperBound, SimplexTransform, Ordered, ZeroSumTransform, CholeskyCorr and
// PositiveOrdered.
package dist
