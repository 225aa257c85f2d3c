package dist

import (
	"fmt"
	"math"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// More discrete distributions of PyMC's catalogue: DiscreteWeibull, HyperGeometric, the
// zero-inflated and hurdle models, and the ordinal regressions.

type discreteWeibull struct {
	base
	q, beta *tt
}

// DiscreteWeibull is the discrete Weibull distribution of Nakagawa and Osaki (1975). Its
// log-density is
//
//	log p(x) = log(q^(x^β) - q^((x+1)^β))
//
// and its CDF is 1 - q^((x+1)^β). Support: integers x >= 0. Constraints: 0 < q < 1, β > 0.
func DiscreteWeibull(q, beta any) Dist {
	b := newBuilder("DiscreteWeibull")
	d := &discreteWeibull{q: b.param("q", q), beta: b.param("beta", beta)}
	b.check("q", d.q, "in (0, 1)", func(v float64) bool { return v > 0 && v < 1 })
	b.positive("beta", d.beta)
	d.base = b.base(b.batch(), 0, tensor.Int64)
	return d
}

func (d *discreteWeibull) Logp(x *tt) *tt {
	x = xf(x)
	ok := condCount(x)
	xs := tensor.Maximum(x, 0.0)
	lq := tensor.Log(d.q)
	a := tensor.Mul(tensor.Pow(xs, d.beta), lq)
	c := tensor.Mul(tensor.Pow(tensor.Add(xs, 1.0), d.beta), lq)
	return bound(tensor.Add(a, tensor.Log1mexp(tensor.Sub(c, a))), ok, condUnit(d.q), condPos(d.beta))
}

func (d *discreteWeibull) LogCCDF(x *tt) *tt {
	k := tensor.Floor(xf(x))
	return tensor.Switch(tensor.Lt(k, 0.0), 0.0, tensor.Mul(tensor.Pow(tensor.Add(tensor.Maximum(k, 0.0), 1.0), d.beta), tensor.Log(d.q)))
}

func (d *discreteWeibull) LogCDF(x *tt) *tt {
	k := tensor.Floor(xf(x))
	return tensor.Switch(tensor.Lt(k, 0.0), negInf, tensor.Log1mexp(d.LogCCDF(tensor.Maximum(k, 0.0))))
}

// ICDF is the smallest k >= 0 with 1 - q^((k+1)^β) >= u: ⌈(log(1-u)/log q)^(1/β) - 1⌉.
func (d *discreteWeibull) ICDF(u *tt) *tt {
	r := tensor.Pow(tensor.Div(tensor.Log1p(tensor.Neg(u)), tensor.Log(d.q)), tensor.Div(1.0, d.beta))
	return tensor.Maximum(tensor.Ceil(tensor.Sub(r, 1.0)), 0.0)
}

func (d *discreteWeibull) Random(rs *tensor.RandomStream, shape []int) *tt {
	return asInt(d.ICDF(uniformLike(rs, shape, d.shape, d.q)))
}
func (d *discreteWeibull) Support() Support            { return intSupport(0.0, nil) }
func (d *discreteWeibull) DefaultTransform() Transform { return nil }
func (d *discreteWeibull) InitialValue(shape []int) *tt {
	return asInt(fill(d.ICDF(tensor.Const(0.5)), shapeOr(shape, d.shape)))
}

// ---------------------------------------------------------------------------------------------

type hyperGeometric struct {
	base
	bigN, k, n *tt
}

// HyperGeometric is the number of successes in n draws without replacement from a population
// of N items of which k are successes. Its log-density is
//
//	log p(x) = log C(k, x) + log C(N-k, n-x) - log C(N, n)
//
// Support: integers max(0, n-N+k) <= x <= min(k, n). Constraints: N, k, n non-negative
// integers, k <= N, n <= N. Mean nk/N.
func HyperGeometric(bigN, k, n any) Dist {
	b := newBuilder("HyperGeometric")
	d := &hyperGeometric{bigN: b.param("N", bigN), k: b.param("k", k), n: b.param("n", n)}
	b.integer("N", d.bigN)
	b.integer("k", d.k)
	b.integer("n", d.n)
	b.less("k", "N", d.k, d.bigN, false)
	b.less("n", "N", d.n, d.bigN, false)
	d.base = b.base(b.batch(), 0, tensor.Int64)
	return d
}

func (d *hyperGeometric) bounds() (lo, hi *tt) {
	return tensor.Maximum(0.0, tensor.Sub(d.n, tensor.Sub(d.bigN, d.k))), tensor.Minimum(d.k, d.n)
}

func (d *hyperGeometric) Logp(x *tt) *tt {
	x = xf(x)
	lo, hi := d.bounds()
	ok := condInt(x, lo, hi)
	xs := tensor.Clip(x, lo, hi)
	lp := tensor.Sub(tensor.Add(lchoose(d.k, xs), lchoose(tensor.Sub(d.bigN, d.k), tensor.Sub(d.n, xs))), lchoose(d.bigN, d.n))
	return bound(lp, ok)
}

// LogCDF sums the probabilities from the bottom of the support (an op in Go).
func (d *hyperGeometric) LogCDF(x *tt) *tt {
	return tensor.Log(discreteOp(dHyperCDF, d.bigN, d.k, d.n, tensor.Floor(xf(x))))
}

// LogCCDF sums the probabilities above x.
func (d *hyperGeometric) LogCCDF(x *tt) *tt {
	return tensor.Log(discreteOp(dHyperCCDF, d.bigN, d.k, d.n, tensor.Floor(xf(x))))
}

// ICDF is the smallest x with F(x) >= u.
func (d *hyperGeometric) ICDF(u *tt) *tt { return discreteOp(dHyperQuantile, d.bigN, d.k, d.n, u) }

func (d *hyperGeometric) Random(rs *tensor.RandomStream, shape []int) *tt {
	return asInt(d.ICDF(uniformLike(rs, shape, d.shape, d.bigN)))
}
func (d *hyperGeometric) Support() Support {
	lo, hi := d.bounds()
	return Support{Kind: Integers, Lower: lo, Upper: hi}
}
func (d *hyperGeometric) DefaultTransform() Transform { return nil }
func (d *hyperGeometric) InitialValue(shape []int) *tt {
	lo, hi := d.bounds()
	m := tensor.Clip(tensor.Round(tensor.Div(tensor.Mul(d.n, d.k), d.bigN)), lo, hi)
	return asInt(fill(m, shapeOr(shape, d.shape)))
}

// ---------------------------------------------------------------------------------------------

// zeroInflated is a mixture of a point mass at 0 (weight 1-ψ) and a count distribution d
// (weight ψ).
type zeroInflated struct {
	base
	psi *tt
	d   Dist
}

func newZeroInflated(b *builder, psi *tt, d Dist) Dist {
	b.probability("psi", psi)
	if d.Err() != nil {
		b.fail(d.Err())
	}
	z := &zeroInflated{psi: psi, d: d}
	z.base = b.base(b.batch(d.Shape()), 0, tensor.Int64)
	return z
}

// ZeroInflatedBinomial is a mixture of a point mass at zero (weight 1-ψ) and a Binomial(n, p)
// (weight ψ). Its log-density is
//
//	log p(0) = log(1-ψ + ψ(1-p)^n),  log p(x) = log ψ + log Binomial(x | n, p)  (x > 0)
//
// Support: integers 0..n. Constraints: 0 <= ψ <= 1, 0 <= p <= 1. Mean ψnp.
func ZeroInflatedBinomial(psi, n, p any) Dist {
	b := newBuilder("ZeroInflatedBinomial")
	ps := b.param("psi", psi)
	nn, pp := b.param("n", n), b.param("p", p)
	b.integer("n", nn)
	b.probability("p", pp)
	return newZeroInflated(b, ps, Binomial(nn, pp))
}

// ZeroInflatedNegativeBinomial is a mixture of a point mass at zero (weight 1-ψ) and a
// NegativeBinomial(mu, alpha) (weight ψ). Its log-density is
//
//	log p(0) = log(1-ψ + ψ(α/(α+μ))^α),  log p(x) = log ψ + log NB(x | μ, α)  (x > 0)
//
// Support: integers x >= 0. Constraints: 0 <= ψ <= 1, μ > 0, α > 0. Mean ψμ.
func ZeroInflatedNegativeBinomial(psi, mu, alpha any) Dist {
	b := newBuilder("ZeroInflatedNegativeBinomial")
	ps := b.param("psi", psi)
	m, a := b.param("mu", mu), b.param("alpha", alpha)
	b.positive("mu", m)
	b.positive("alpha", a)
	return newZeroInflated(b, ps, NegativeBinomial(m, a))
}

func (z *zeroInflated) Logp(x *tt) *tt {
	x = xf(x)
	lpsi := tensor.Log(z.psi)
	pos := tensor.Add(lpsi, z.d.Logp(x))
	zero := logAddExp(tensor.Log1p(tensor.Neg(z.psi)), pos)
	return bound(tensor.Switch(tensor.Eq(x, 0.0), zero, pos), condCount(x), condProb(z.psi))
}

func (z *zeroInflated) LogCDF(x *tt) *tt {
	x = xf(x)
	lc := logAddExp(tensor.Log1p(tensor.Neg(z.psi)), tensor.Add(tensor.Log(z.psi), z.d.(CDFer).LogCDF(tensor.Maximum(x, 0.0))))
	return tensor.Switch(tensor.Lt(x, 0.0), negInf, lc)
}

func (z *zeroInflated) LogCCDF(x *tt) *tt {
	x = xf(x)
	return tensor.Switch(tensor.Lt(x, 0.0), 0.0, tensor.Add(tensor.Log(z.psi), z.d.(CDFer).LogCCDF(tensor.Maximum(x, 0.0))))
}

func (z *zeroInflated) Random(rs *tensor.RandomStream, shape []int) *tt {
	s := rshape(shape, z.shape)
	keep := rs.Bernoulli(fill(z.psi, s))
	return asInt(tensor.Mul(xf(keep), xf(z.d.Random(rs, s))))
}
func (z *zeroInflated) Support() Support            { return z.d.Support() }
func (z *zeroInflated) DefaultTransform() Transform { return nil }
func (z *zeroInflated) InitialValue(shape []int) *tt {
	return z.d.InitialValue(shapeOr(shape, z.shape))
}

// ---------------------------------------------------------------------------------------------

// hurdle is a point mass at 0 (weight 1-ψ) and the distribution d restricted to x > 0
// (weight ψ): for discrete d renormalized by P(X > 0), for continuous d as it is.
type hurdle struct {
	base
	psi *tt
	d   Dist
}

func newHurdle(b *builder, psi *tt, d Dist) Dist {
	b.probability("psi", psi)
	if d.Err() != nil {
		b.fail(d.Err())
	}
	h := &hurdle{psi: psi, d: d}
	h.base = b.base(b.batch(d.Shape()), 0, d.DType())
	return h
}

// HurdlePoisson is zero with probability 1-ψ and otherwise a Poisson(μ) conditioned on x > 0:
//
//	log p(0) = log(1-ψ),  log p(x) = log ψ + log Poisson(x | μ) - log(1 - e^(-μ))  (x > 0)
//
// Support: integers x >= 0. Constraints: 0 <= ψ <= 1, μ > 0.
func HurdlePoisson(psi, mu any) Dist {
	b := newBuilder("HurdlePoisson")
	ps, m := b.param("psi", psi), b.param("mu", mu)
	b.positive("mu", m)
	return newHurdle(b, ps, Poisson(m))
}

// HurdleNegativeBinomial is zero with probability 1-ψ and otherwise a NegativeBinomial(μ, α)
// conditioned on x > 0: log p(x) = log ψ + log NB(x | μ, α) - log(1 - (α/(α+μ))^α) for x > 0.
// Support: integers x >= 0. Constraints: 0 <= ψ <= 1, μ > 0, α > 0.
func HurdleNegativeBinomial(psi, mu, alpha any) Dist {
	b := newBuilder("HurdleNegativeBinomial")
	ps, m, a := b.param("psi", psi), b.param("mu", mu), b.param("alpha", alpha)
	return newHurdle(b, ps, NegativeBinomial(m, a))
}

// HurdleGamma is zero with probability 1-ψ and otherwise Gamma(α, β):
//
//	log p(0) = log(1-ψ),  log p(x) = log ψ + log Gamma(x | α, β)  (x > 0)
//
// (a density for x > 0 with a point mass at 0, for observed data). Support: x >= 0.
func HurdleGamma(psi, alpha, beta any) Dist {
	b := newBuilder("HurdleGamma")
	ps, a, r := b.param("psi", psi), b.param("alpha", alpha), b.param("beta", beta)
	return newHurdle(b, ps, Gamma(a, r))
}

// HurdleLogNormal is zero with probability 1-ψ and otherwise LogNormal(μ, σ):
// log p(0) = log(1-ψ), log p(x) = log ψ + log LogNormal(x | μ, σ) for x > 0. Support: x >= 0.
func HurdleLogNormal(psi, mu, sigma any) Dist {
	b := newBuilder("HurdleLogNormal")
	ps, m, s := b.param("psi", psi), b.param("mu", mu), b.param("sigma", sigma)
	return newHurdle(b, ps, LogNormal(m, s))
}

func (h *hurdle) discrete() bool { return h.dtype == tensor.Int64 }

// logS0 is log P(X > 0) of the base (0 for continuous d).
func (h *hurdle) logS0() *tt {
	if !h.discrete() {
		return tensor.Const(0.0)
	}
	return h.d.(CDFer).LogCCDF(tensor.Const(0.0))
}

func (h *hurdle) Logp(x *tt) *tt {
	xv := xf(x)
	zero := tensor.Eq(xv, 0.0)
	xs := tensor.Switch(zero, 1.0, xv)
	if h.discrete() {
		xs = asInt(xs)
	}
	pos := tensor.Sub(tensor.Add(tensor.Log(h.psi), h.d.Logp(xs)), h.logS0())
	lp := tensor.Switch(zero, tensor.Log1p(tensor.Neg(h.psi)), pos)
	var ok *tt
	if h.discrete() {
		ok = condCount(xv)
	} else {
		ok = condNonNeg(xv)
	}
	return bound(lp, ok, condProb(h.psi))
}

// LogCCDF is log ψ + log P(X > x) - log P(X > 0) for x >= 0.
func (h *hurdle) LogCCDF(x *tt) *tt {
	xv := xf(x)
	c := tensor.Sub(tensor.Add(tensor.Log(h.psi), h.d.(CDFer).LogCCDF(tensor.Maximum(xv, 0.0))), h.logS0())
	return tensor.Switch(tensor.Lt(xv, 0.0), 0.0, c)
}

func (h *hurdle) LogCDF(x *tt) *tt {
	xv := xf(x)
	return tensor.Switch(tensor.Lt(xv, 0.0), negInf, tensor.Log1mexp(h.LogCCDF(tensor.Maximum(xv, 0.0))))
}

// Random draws the base conditioned on x > 0 (for discrete d by the inverse CDF above F(0))
// and keeps it with probability ψ.
func (h *hurdle) Random(rs *tensor.RandomStream, shape []int) *tt {
	s := rshape(shape, h.shape)
	var y *tt
	if h.discrete() {
		f0 := tensor.Exp(h.d.(CDFer).LogCDF(tensor.Const(0.0)))
		u := rs.Uniform(fill(f0, s), 1.0)
		y = tensor.Maximum(h.d.(ICDFer).ICDF(u), 1.0)
	} else {
		y = h.d.Random(rs, s)
	}
	keep := rs.Bernoulli(fill(h.psi, s))
	r := tensor.Mul(xf(keep), xf(y))
	if h.discrete() {
		return asInt(r)
	}
	return r
}

func (h *hurdle) Support() Support {
	if h.discrete() {
		return intSupport(0.0, nil)
	}
	return Support{Kind: NonNegative}
}
func (h *hurdle) DefaultTransform() Transform { return nil }
func (h *hurdle) InitialValue(shape []int) *tt {
	iv := h.d.InitialValue(shapeOr(shape, h.shape))
	if h.discrete() {
		return asInt(tensor.Maximum(xf(iv), 1.0))
	}
	return iv
}

// ---------------------------------------------------------------------------------------------

// OrderedLogistic is the ordinal regression with latent logistic noise: with cutpoints
// c_0 < ... < c_{K-2} (the last axis of cutpoints) and F the standard logistic CDF,
//
//	P(x = 0) = F(c_0 - η),  P(x = k) = F(c_k - η) - F(c_{k-1} - η),  P(x = K-1) = 1 - F(c_{K-2} - η)
//
// Support: integers 0..K-1. Constraints: cutpoints increasing. The differences are taken in log
// space, in the tail where they keep their digits.
func OrderedLogistic(eta, cutpoints any) Dist {
	b := newBuilder("OrderedLogistic")
	e, c := b.param("eta", eta), b.param("cutpoints", cutpoints)
	logF := func(t *tt) *tt { return tensor.LogSigmoid(t) }
	logS := func(t *tt) *tt { return tensor.LogSigmoid(tensor.Neg(t)) }
	return ordinal(b, e, c, logF, logS)
}

// OrderedProbit is the ordinal regression with latent normal noise of standard deviation sigma:
// OrderedLogistic's probabilities with F(t) = Φ(t/σ). Constraints: cutpoints increasing, σ > 0.
func OrderedProbit(eta, cutpoints, sigma any) Dist {
	b := newBuilder("OrderedProbit")
	e, c, s := b.param("eta", eta), b.param("cutpoints", cutpoints), b.param("sigma", sigma)
	b.positive("sigma", s)
	logF := func(t *tt) *tt { return normLogCDF(tensor.Div(t, s)) }
	logS := func(t *tt) *tt { return normLogCDF(tensor.Div(tensor.Neg(t), s)) }
	return ordinal(b, e, c, logF, logS)
}

func ordinal(b *builder, eta, c *tt, logF, logS func(*tt) *tt) Dist {
	d := &categorical{}
	if c.NDim() == 0 {
		b.fail(fmt.Errorf("%s: cutpoints must be a vector, got a scalar", b.name))
		c = tensor.Const([]float64{0})
	}
	if v := c.Value(); v != nil && b.err == nil {
		k := v.Shape[len(v.Shape)-1]
		for i := 1; i < len(v.Data); i++ {
			if i%k != 0 && !(v.Data[i] > v.Data[i-1]) {
				b.fail(fmt.Errorf("%s: cutpoints must be increasing, but cutpoints[%d] = %v follows %v", b.name, i%k, v.Data[i], v.Data[i-1]))
				break
			}
		}
	}
	ax := c.NDim() - 1
	k := c.Shape()[ax]
	t := tensor.Sub(c, tensor.ExpandDims(eta, eta.NDim()))
	ax = t.NDim() - 1
	lf, ls := logF(t), logS(t)
	parts := []any{tensor.Slice(lf, ax, 0, 1, 1)}
	if k > 1 {
		// P(c_{j-1} < Y <= c_j): F(c_j) - F(c_{j-1}) below the median, S(c_{j-1}) - S(c_j) above.
		fl, fh := tensor.Slice(lf, ax, 0, k-1, 1), tensor.Slice(lf, ax, 1, k, 1)
		sl, sh := tensor.Slice(ls, ax, 0, k-1, 1), tensor.Slice(ls, ax, 1, k, 1)
		upper := tensor.Gt(fl, -math.Ln2)
		parts = append(parts, logSubExp(tensor.Switch(upper, sl, fh), tensor.Switch(upper, sh, fl)))
	}
	parts = append(parts, tensor.Slice(ls, ax, k-1, k, 1))
	d.logp = tensor.Concatenate(ax, parts...)
	d.k = k + 1
	d.base = b.base(append([]int{}, d.logp.Shape()[:ax]...), 0, tensor.Int64)
	return d
}
