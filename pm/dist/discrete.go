package dist

import (
	"fmt"
	"math"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// Discrete distributions have int64 values; their log-densities accept int64 or float64 values
// and give -Inf at non-integers. They have no default transform.

func intSupport(lo, hi any) Support {
	s := Support{Kind: Integers}
	if lo != nil {
		s.Lower = tensor.As(lo)
	}
	if hi != nil {
		s.Upper = tensor.As(hi)
	}
	return s
}

func asInt(x *tt) *tt { return tensor.Cast(x, tensor.Int64) }

// xf is a value as float64, for arithmetic.
func xf(x *tt) *tt { return tensor.Cast(x, tensor.Float64) }

// ---------------------------------------------------------------------------------------------

type bernoulli struct {
	base
	p     *tt
	logit bool
}

// Bernoulli is the Bernoulli distribution with success probability p. Its log-density is
//
//	log p(x) = log p if x = 1, log(1-p) if x = 0
//
// Support: x in {0, 1}. Constraints: 0 <= p <= 1. Mean p, variance p(1-p).
func Bernoulli(p any) Dist {
	b := newBuilder("Bernoulli")
	d := &bernoulli{p: b.param("p", p)}
	b.probability("p", d.p)
	d.base = b.base(b.batch(), 0, tensor.Int64)
	return d
}

// BernoulliLogit is the Bernoulli distribution with log-odds logitP = log(p/(1-p)). Its log-density is
//
//	log p(x) = x·l - log(1 + e^l)
//
// which is exact for large |l| (log-sigmoid form). Support: x in {0, 1}.
func BernoulliLogit(logitP any) Dist {
	b := newBuilder("Bernoulli")
	d := &bernoulli{p: b.param("logit_p", logitP), logit: true}
	b.finite("logit_p", d.p)
	d.base = b.base(b.batch(), 0, tensor.Int64)
	return d
}

func (d *bernoulli) Logp(x *tt) *tt {
	x = xf(x)
	ok := condInt(x, tensor.Const(0.0), tensor.Const(1.0))
	if d.logit {
		return bound(tensor.BernoulliLogitLogp(x, d.p), ok)
	}
	lp := tensor.Add(xlogy(x, d.p), xlog1py(tensor.Sub(1.0, x), tensor.Neg(d.p)))
	return bound(lp, ok, condProb(d.p))
}

func (d *bernoulli) prob() *tt {
	if d.logit {
		return tensor.Sigmoid(d.p)
	}
	return d.p
}

func (d *bernoulli) Random(rs *tensor.RandomStream, shape []int) *tt {
	return rs.Bernoulli(d.prob(), rshape(shape, d.shape)...)
}
func (d *bernoulli) Support() Support            { return intSupport(0.0, 1.0) }
func (d *bernoulli) DefaultTransform() Transform { return nil }
func (d *bernoulli) InitialValue(shape []int) *tt {
	return asInt(fill(tensor.Cast(tensor.Ge(d.prob(), 0.5), tensor.Float64), shapeOr(shape, d.shape)))
}

// ---------------------------------------------------------------------------------------------

type binomial struct {
	base
	n, p  *tt
	logit bool
}

// Binomial is the binomial distribution of successes in n trials of probability p. Its log-density is
//
//	log p(x) = log C(n, x) + x log p + (n-x) log(1-p)
//
// with log C(n, x) through lgamma. Support: integers 0 <= x <= n. Constraints: n a
// non-negative integer, 0 <= p <= 1. Mean np, variance np(1-p).
func Binomial(n, p any) Dist {
	b := newBuilder("Binomial")
	d := &binomial{n: b.param("n", n), p: b.param("p", p)}
	b.integer("n", d.n)
	b.probability("p", d.p)
	d.base = b.base(b.batch(), 0, tensor.Int64)
	return d
}

// BinomialLogit is the binomial distribution with log-odds logitP. Its log-density is
//
//	log p(x) = log C(n, x) + x·l - n log(1 + e^l)
//
// Support: integers 0 <= x <= n. Constraints: n a non-negative integer.
func BinomialLogit(n, logitP any) Dist {
	b := newBuilder("Binomial")
	d := &binomial{n: b.param("n", n), p: b.param("logit_p", logitP), logit: true}
	b.integer("n", d.n)
	b.finite("logit_p", d.p)
	d.base = b.base(b.batch(), 0, tensor.Int64)
	return d
}

func (d *binomial) Logp(x *tt) *tt {
	x = xf(x)
	ok := condInt(x, tensor.Const(0.0), d.n)
	var lp *tt
	if d.logit {
		lp = tensor.Sub(tensor.Mul(x, d.p), tensor.Mul(d.n, tensor.Softplus(d.p)))
	} else {
		lp = tensor.Add(xlogy(x, d.p), xlog1py(tensor.Sub(d.n, x), tensor.Neg(d.p)))
	}
	lp = tensor.Add(lchoose(d.n, x), lp)
	if d.logit {
		return bound(lp, ok)
	}
	return bound(lp, ok, condProb(d.p))
}

func (d *binomial) prob() *tt {
	if d.logit {
		return tensor.Sigmoid(d.p)
	}
	return d.p
}

func (d *binomial) Random(rs *tensor.RandomStream, shape []int) *tt {
	return rs.Binomial(d.n, d.prob(), rshape(shape, d.shape)...)
}
func (d *binomial) Support() Support            { return intSupport(0.0, d.n) }
func (d *binomial) DefaultTransform() Transform { return nil }
func (d *binomial) InitialValue(shape []int) *tt {
	return asInt(fill(tensor.Floor(tensor.Mul(d.n, d.prob())), shapeOr(shape, d.shape)))
}

// ---------------------------------------------------------------------------------------------

type poisson struct {
	base
	mu  *tt
	log bool
}

// Poisson is the Poisson distribution with rate mu. Its log-density is
//
//	log p(x) = x log μ - μ - log x!
//
// Support: integers x >= 0. Constraints: μ >= 0. Mean μ, variance μ.
func Poisson(mu any) Dist {
	b := newBuilder("Poisson")
	d := &poisson{mu: b.param("mu", mu)}
	b.nonNegative("mu", d.mu)
	d.base = b.base(b.batch(), 0, tensor.Int64)
	return d
}

// PoissonLog is the Poisson distribution with log-rate eta (μ = e^η), the form of Poisson
// regression. Its log-density is
//
//	log p(x) = xη - e^η - log x!
//
// Support: integers x >= 0.
func PoissonLog(eta any) Dist {
	b := newBuilder("Poisson")
	d := &poisson{mu: b.param("log_mu", eta), log: true}
	b.check("log_mu", d.mu, "finite or -inf", func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 1) })
	d.base = b.base(b.batch(), 0, tensor.Int64)
	return d
}

func (d *poisson) rate() *tt {
	if d.log {
		return tensor.Exp(d.mu)
	}
	return d.mu
}

func (d *poisson) Logp(x *tt) *tt {
	x = xf(x)
	ok := condCount(x)
	if d.log {
		return bound(tensor.PoissonLogLogp(x, d.mu), ok)
	}
	lp := tensor.Sub(tensor.Sub(xlogy(x, d.mu), d.mu), tensor.Lgamma(tensor.Add(x, 1.0)))
	return bound(lp, ok, condNonNeg(d.mu))
}

// LogCDF is log P(X <= x) = log Q(⌊x⌋+1, μ), the regularized upper incomplete gamma function.
func (d *poisson) LogCDF(x *tt) *tt {
	k := tensor.Floor(xf(x))
	return bound(tensor.Log(tensor.GammaIncC(tensor.Add(tensor.Maximum(k, 0.0), 1.0), d.rate())), condNonNeg(k))
}

// LogCCDF is log P(X > x) = log P(⌊x⌋+1, μ).
func (d *poisson) LogCCDF(x *tt) *tt {
	f := tensor.Floor(xf(x))
	k := tensor.Maximum(f, 0.0)
	return tensor.Switch(tensor.Lt(f, 0.0), 0.0, tensor.Log(tensor.GammaInc(tensor.Add(k, 1.0), d.rate())))
}

func (d *poisson) Random(rs *tensor.RandomStream, shape []int) *tt {
	return rs.Poisson(d.rate(), rshape(shape, d.shape)...)
}
func (d *poisson) Support() Support            { return intSupport(0.0, nil) }
func (d *poisson) DefaultTransform() Transform { return nil }
func (d *poisson) InitialValue(shape []int) *tt {
	return asInt(fill(tensor.Floor(d.rate()), shapeOr(shape, d.shape)))
}

// ---------------------------------------------------------------------------------------------

type negBinomial struct {
	base
	mu, alpha *tt
}

// NegativeBinomial is the negative binomial distribution with mean mu and dispersion alpha
// (PyMC's parameterization; a gamma mixture of Poissons with shape α and mean μ). Its log-density is
//
//	log p(x) = log Γ(x+α) - log x! - log Γ(α) + α log(α/(α+μ)) + x log(μ/(α+μ))
//
// Support: integers x >= 0. Constraints: μ > 0, α > 0. Mean μ, variance μ + μ²/α.
func NegativeBinomial(mu, alpha any) Dist {
	b := newBuilder("NegativeBinomial")
	d := &negBinomial{mu: b.param("mu", mu), alpha: b.param("alpha", alpha)}
	b.positive("mu", d.mu)
	b.positive("alpha", d.alpha)
	d.base = b.base(b.batch(), 0, tensor.Int64)
	return d
}

func (d *negBinomial) Logp(x *tt) *tt {
	x = xf(x)
	la := tensor.Log(tensor.Add(d.alpha, d.mu))
	lp := tensor.Sub(tensor.Sub(tensor.Lgamma(tensor.Add(x, d.alpha)), tensor.Lgamma(tensor.Add(x, 1.0))), tensor.Lgamma(d.alpha))
	// α log(α/(α+μ)) = -α log1p(μ/α), accurate for large α (the Poisson limit).
	lp = tensor.Sub(lp, tensor.Mul(d.alpha, tensor.Log1p(tensor.Div(d.mu, d.alpha))))
	lp = tensor.Add(lp, tensor.Mul(x, tensor.Sub(tensor.Log(d.mu), la)))
	return bound(lp, condCount(x), condPos(d.mu), condPos(d.alpha))
}

func (d *negBinomial) Random(rs *tensor.RandomStream, shape []int) *tt {
	s := rshape(shape, d.shape)
	g := rs.Gamma(fill(d.alpha, s), tensor.Div(d.alpha, d.mu))
	return rs.Poisson(g)
}
func (d *negBinomial) Support() Support            { return intSupport(0.0, nil) }
func (d *negBinomial) DefaultTransform() Transform { return nil }
func (d *negBinomial) InitialValue(shape []int) *tt {
	return asInt(fill(tensor.Floor(d.mu), shapeOr(shape, d.shape)))
}

// ---------------------------------------------------------------------------------------------

type geometric struct {
	base
	p *tt
}

// Geometric is the distribution of the number of Bernoulli(p) trials up to and including the
// first success. Its log-density is
//
//	log p(x) = log p + (x-1) log(1-p)
//
// Support: integers x >= 1. Constraints: 0 < p <= 1. Mean 1/p, variance (1-p)/p².
func Geometric(p any) Dist {
	b := newBuilder("Geometric")
	d := &geometric{p: b.param("p", p)}
	b.check("p", d.p, "in (0, 1]", func(v float64) bool { return v > 0 && v <= 1 })
	d.base = b.base(b.batch(), 0, tensor.Int64)
	return d
}

func (d *geometric) Logp(x *tt) *tt {
	x = xf(x)
	lp := tensor.Add(tensor.Log(d.p), xlog1py(tensor.Sub(x, 1.0), tensor.Neg(d.p)))
	return bound(lp, condInt(x, tensor.Const(1.0), nil), condProb(d.p))
}

func (d *geometric) LogCDF(x *tt) *tt {
	// P(X <= x) = 1 - (1-p)^floor(x).
	return tensor.Log1mexp(tensor.Mul(tensor.Floor(tensor.Maximum(xf(x), 0.0)), tensor.Log1p(tensor.Neg(d.p))))
}

func (d *geometric) LogCCDF(x *tt) *tt {
	return tensor.Mul(tensor.Floor(tensor.Maximum(xf(x), 0.0)), tensor.Log1p(tensor.Neg(d.p)))
}

// ICDF is the smallest k >= 1 with F(k) >= u: ⌈log(1-u)/log(1-p)⌉.
func (d *geometric) ICDF(u *tt) *tt {
	k := tensor.Ceil(tensor.Div(tensor.Log1p(tensor.Neg(u)), tensor.Log1p(tensor.Neg(d.p))))
	return tensor.Maximum(k, 1.0)
}

func (d *geometric) Random(rs *tensor.RandomStream, shape []int) *tt {
	u := rs.Uniform(fill(tensor.ZerosLike(d.p), rshape(shape, d.shape)), 1.0)
	// Inverse CDF, at least 1 (u is in [0, 1), and log(1-u) <= 0).
	k := tensor.Ceil(tensor.Div(tensor.Log1p(tensor.Neg(u)), tensor.Log1p(tensor.Neg(d.p))))
	return asInt(tensor.Maximum(k, 1.0))
}
func (d *geometric) Support() Support            { return intSupport(1.0, nil) }
func (d *geometric) DefaultTransform() Transform { return nil }
func (d *geometric) InitialValue(shape []int) *tt {
	return asInt(fill(tensor.Round(tensor.Div(1.0, d.p)), shapeOr(shape, d.shape)))
}

// ---------------------------------------------------------------------------------------------

type discreteUniform struct {
	base
	lower, upper *tt
}

// DiscreteUniform is the uniform distribution on the integers lower..upper. Its log-density is
//
//	log p(x) = -log(upper - lower + 1)
//
// Support: integers lower <= x <= upper. Constraints: lower <= upper, both integers. Mean
// (lower+upper)/2, variance ((upper-lower+1)² - 1)/12.
func DiscreteUniform(lower, upper any) Dist {
	b := newBuilder("DiscreteUniform")
	d := &discreteUniform{lower: b.param("lower", lower), upper: b.param("upper", upper)}
	isInt := func(v float64) bool { return v == math.Trunc(v) }
	b.check("lower", d.lower, "an integer", isInt)
	b.check("upper", d.upper, "an integer", isInt)
	b.less("lower", "upper", d.lower, d.upper, false)
	d.base = b.base(b.batch(), 0, tensor.Int64)
	return d
}

func (d *discreteUniform) Logp(x *tt) *tt {
	x = xf(x)
	lp := tensor.Neg(tensor.Log(tensor.Add(tensor.Sub(d.upper, d.lower), 1.0)))
	return like(bound(lp, condInt(x, d.lower, d.upper)), x)
}

func (d *discreteUniform) Random(rs *tensor.RandomStream, shape []int) *tt {
	u := rs.Uniform(fill(tensor.ZerosLike(tensor.Add(d.lower, d.upper)), rshape(shape, d.shape)), 1.0)
	k := tensor.Floor(tensor.Add(d.lower, tensor.Mul(u, tensor.Add(tensor.Sub(d.upper, d.lower), 1.0))))
	return asInt(tensor.Minimum(k, d.upper))
}
func (d *discreteUniform) Support() Support            { return intSupport(d.lower, d.upper) }
func (d *discreteUniform) DefaultTransform() Transform { return nil }
func (d *discreteUniform) InitialValue(shape []int) *tt {
	return asInt(fill(tensor.Floor(tensor.Mul(tensor.Add(d.lower, d.upper), 0.5)), shapeOr(shape, d.shape)))
}

// ---------------------------------------------------------------------------------------------

type categorical struct {
	base
	logp *tt // normalized log-probabilities, shape [..., K]
	k    int
}

// Categorical is the distribution over 0..K-1 with probabilities p, a vector of K
// probabilities or a batch of them (shape [..., K]; the batch shape is p's without the last
// axis). Constant probabilities must sum to 1 within 1e-8 (a Dist.Err otherwise; use
// CategoricalLogit for unnormalized weights on the log scale). Its log-density is
//
//	log p(x) = log p_x - log Σ_k p_k
//
// Support: integers 0 <= x <= K-1. Constraints: p_k >= 0, Σ_k p_k = 1.
func Categorical(p any) Dist {
	b := newBuilder("Categorical")
	pt := b.param("p", p)
	b.nonNegative("p", pt)
	b.sumsToOne("p", pt, 1e-8)
	d := &categorical{}
	if pt.NDim() == 0 {
		b.fail(fmt.Errorf("Categorical: p must be a vector of probabilities, got a scalar"))
		pt = tensor.Const([]float64{1})
	}
	d.k = pt.Shape()[pt.NDim()-1]
	d.logp = tensor.Sub(tensor.Log(pt), tensor.Log(tensor.SumKeepDims(pt, pt.NDim()-1)))
	d.base = b.base(append([]int{}, pt.Shape()[:pt.NDim()-1]...), 0, tensor.Int64)
	return d
}

// CategoricalLogit is Categorical with unnormalized log-probabilities logits (shape [..., K]):
// log p(x) = l_x - log Σ_k exp(l_k).
func CategoricalLogit(logits any) Dist {
	b := newBuilder("Categorical")
	lt := b.param("logit_p", logits)
	d := &categorical{}
	if lt.NDim() == 0 {
		b.fail(fmt.Errorf("Categorical: logit_p must be a vector of log-odds, got a scalar"))
		lt = tensor.Const([]float64{0})
	}
	d.k = lt.Shape()[lt.NDim()-1]
	d.logp = tensor.Sub(lt, tensor.LogSumExpKeepDims(lt, lt.NDim()-1))
	d.base = b.base(append([]int{}, lt.Shape()[:lt.NDim()-1]...), 0, tensor.Int64)
	return d
}

func (d *categorical) Logp(x *tt) *tt {
	x = xf(x)
	ks := make([]float64, d.k)
	for i := range ks {
		ks[i] = float64(i)
	}
	xe := tensor.ExpandDims(x, x.NDim())
	// A one-hot selection by Switch: a log-probability of -Inf (p_k = 0) in a category not
	// taken then costs nothing, where a product with an indicator would give NaN.
	sel := tensor.Switch(tensor.Eq(xe, tensor.Const(ks)), d.logp, 0.0)
	lp := tensor.Sum(sel, sel.NDim()-1)
	return bound(lp, condInt(x, tensor.Const(0.0), tensor.Const(float64(d.k-1))))
}

func (d *categorical) Random(rs *tensor.RandomStream, shape []int) *tt {
	return rs.Categorical(tensor.Exp(d.logp), rshape(shape, d.shape)...)
}
func (d *categorical) Support() Support            { return intSupport(0.0, float64(d.k-1)) }
func (d *categorical) DefaultTransform() Transform { return nil }
func (d *categorical) InitialValue(shape []int) *tt {
	return asInt(fill(tensor.Cast(tensor.Argmax(d.logp, d.logp.NDim()-1), tensor.Float64), shapeOr(shape, d.shape)))
}

// ---------------------------------------------------------------------------------------------

type betaBinomial struct {
	base
	n, alpha, beta *tt
}

// BetaBinomial is the binomial distribution whose success probability is Beta(alpha, beta). Its log-density is
//
//	log p(x) = log C(n, x) + log B(x+α, n-x+β) - log B(α, β)
//
// Support: integers 0 <= x <= n. Constraints: n a non-negative integer, α > 0, β > 0. Mean
// nα/(α+β), variance nαβ(α+β+n)/((α+β)²(α+β+1)).
func BetaBinomial(n, alpha, beta any) Dist {
	b := newBuilder("BetaBinomial")
	d := &betaBinomial{n: b.param("n", n), alpha: b.param("alpha", alpha), beta: b.param("beta", beta)}
	b.integer("n", d.n)
	b.positive("alpha", d.alpha)
	b.positive("beta", d.beta)
	d.base = b.base(b.batch(), 0, tensor.Int64)
	return d
}

func (d *betaBinomial) Logp(x *tt) *tt {
	x = xf(x)
	lp := tensor.Add(lchoose(d.n, x), lbeta(tensor.Add(x, d.alpha), tensor.Add(tensor.Sub(d.n, x), d.beta)))
	lp = tensor.Sub(lp, lbeta(d.alpha, d.beta))
	return bound(lp, condInt(x, tensor.Const(0.0), d.n), condPos(d.alpha), condPos(d.beta))
}

func (d *betaBinomial) Random(rs *tensor.RandomStream, shape []int) *tt {
	s := rshape(shape, d.shape)
	p := rs.Beta(fill(d.alpha, s), d.beta)
	return rs.Binomial(d.n, p)
}
func (d *betaBinomial) Support() Support            { return intSupport(0.0, d.n) }
func (d *betaBinomial) DefaultTransform() Transform { return nil }
func (d *betaBinomial) InitialValue(shape []int) *tt {
	m := tensor.Floor(tensor.Div(tensor.Mul(d.n, d.alpha), tensor.Add(d.alpha, d.beta)))
	return asInt(fill(m, shapeOr(shape, d.shape)))
}

// ---------------------------------------------------------------------------------------------

type zip struct {
	base
	psi, mu *tt
}

// ZeroInflatedPoisson is a mixture of a point mass at zero (weight 1-ψ) and a Poisson(μ)
// (weight ψ). Its log-density is
//
//	log p(0) = log(1-ψ + ψe^-μ),  log p(x) = log ψ + x log μ - μ - log x!  (x > 0)
//
// Support: integers x >= 0. Constraints: 0 <= ψ <= 1, μ >= 0. Mean ψμ, variance
// ψμ(1 + (1-ψ)μ).
func ZeroInflatedPoisson(psi, mu any) Dist {
	b := newBuilder("ZeroInflatedPoisson")
	d := &zip{psi: b.param("psi", psi), mu: b.param("mu", mu)}
	b.probability("psi", d.psi)
	b.nonNegative("mu", d.mu)
	d.base = b.base(b.batch(), 0, tensor.Int64)
	return d
}

func (d *zip) Logp(x *tt) *tt {
	x = xf(x)
	pois := tensor.Sub(tensor.Sub(xlogy(x, d.mu), d.mu), tensor.Lgamma(tensor.Add(x, 1.0)))
	pos := tensor.Add(tensor.Log(d.psi), pois)
	zero := logAddExp(tensor.Log1p(tensor.Neg(d.psi)), tensor.Sub(tensor.Log(d.psi), d.mu))
	lp := tensor.Switch(tensor.Eq(x, 0.0), zero, pos)
	return bound(lp, condCount(x), condProb(d.psi), condNonNeg(d.mu))
}

func (d *zip) Random(rs *tensor.RandomStream, shape []int) *tt {
	s := rshape(shape, d.shape)
	z := rs.Bernoulli(fill(d.psi, s))
	return tensor.Mul(z, rs.Poisson(fill(d.mu, s)))
}
func (d *zip) Support() Support            { return intSupport(0.0, nil) }
func (d *zip) DefaultTransform() Transform { return nil }
func (d *zip) InitialValue(shape []int) *tt {
	return asInt(fill(tensor.Floor(tensor.Mul(d.psi, d.mu)), shapeOr(shape, d.shape)))
}
