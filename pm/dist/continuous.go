package dist

import (
	"math"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// tt is tensor.Tensor, shortened for the many signatures of this package.
type tt = tensor.Tensor

// like broadcasts a log-density that does not involve the value (Uniform, Flat) to the value's
// shape, so that Logp has the documented shape.
func like(lp, x *tt) *tt {
	if s, ok := broadcast2(lp.Shape(), x.Shape()); ok && sameInts(s, lp.Shape()) {
		return lp
	}
	return tensor.Add(lp, tensor.ZerosLike(tensor.Cast(x, tensor.Float64)))
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// rshape is the shape to draw: the requested one, or the distribution's.
// rshape is the shape to draw with: the requested one, else the parameters'. A shape with a
// dimension known only at run time (parameters built from a data container) is left to the
// random op, which then follows the parameters' run-time shape.
func rshape(shape, def []int) []int {
	s := shapeOr(shape, def)
	for _, d := range s {
		if d < 0 {
			return nil
		}
	}
	return s
}

// ---------------------------------------------------------------------------------------------

type normal struct {
	base
	mu, sigma *tt
}

// Normal is the normal distribution with mean mu and standard deviation sigma. Its log-density is
//
//	log p(x) = -(x-μ)²/(2σ²) - log σ - log √(2π)
//
// Support: real x. Constraints: σ > 0. Mean μ, variance σ².
func Normal(mu, sigma any) Dist {
	b := newBuilder("Normal")
	d := &normal{mu: b.param("mu", mu), sigma: b.param("sigma", sigma)}
	b.finite("mu", d.mu)
	b.positive("sigma", d.sigma)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

// Logp uses the fused tensor.NormalLogp: one pass for the value and its partials (−Inf where
// σ ≤ 0, with zero partials there).
func (d *normal) Logp(x *tt) *tt {
	return tensor.NormalLogp(x, d.mu, d.sigma)
}

func (d *normal) LogCDF(x *tt) *tt {
	return normLogCDF(tensor.Div(tensor.Sub(x, d.mu), d.sigma))
}

func (d *normal) LogCCDF(x *tt) *tt {
	return normLogCDF(tensor.Div(tensor.Sub(d.mu, x), d.sigma))
}

func (d *normal) ICDF(u *tt) *tt { return tensor.Add(d.mu, tensor.Mul(d.sigma, ndtri(u))) }

func (d *normal) Random(rs *tensor.RandomStream, shape []int) *tt {
	return rs.Normal(d.mu, d.sigma, rshape(shape, d.shape)...)
}
func (d *normal) Support() Support            { return Support{Kind: Real} }
func (d *normal) DefaultTransform() Transform { return nil }
func (d *normal) InitialValue(shape []int) *tt {
	return fill(d.mu, shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type halfNormal struct {
	base
	sigma *tt
}

// HalfNormal is the normal distribution with mean 0 and scale sigma folded onto x >= 0. Its log-density is
//
//	log p(x) = ½ log(2/π) - log σ - x²/(2σ²)
//
// Support: x >= 0 (log transform). Constraints: σ > 0. Mean σ√(2/π), variance σ²(1 - 2/π).
func HalfNormal(sigma any) Dist {
	b := newBuilder("HalfNormal")
	d := &halfNormal{sigma: b.param("sigma", sigma)}
	b.positive("sigma", d.sigma)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

func (d *halfNormal) Logp(x *tt) *tt {
	z := tensor.Div(x, d.sigma)
	lp := tensor.Sub(tensor.Mul(-0.5, tensor.Square(z)), tensor.Add(tensor.Log(d.sigma), logSqrt2Pi-math.Ln2))
	return bound(lp, condNonNeg(x), condPos(d.sigma))
}

func (d *halfNormal) LogCDF(x *tt) *tt {
	// P(X <= x) = erf(x/(σ√2)) = 1 - erfc(...).
	z := tensor.Div(x, tensor.Mul(d.sigma, math.Sqrt2))
	return bound(tensor.Log1p(tensor.Neg(tensor.Erfc(z))), condNonNeg(x))
}

func (d *halfNormal) LogCCDF(x *tt) *tt {
	z := tensor.Div(tensor.Maximum(x, 0.0), tensor.Mul(d.sigma, math.Sqrt2))
	return tensor.Log(tensor.Erfc(z))
}

func (d *halfNormal) ICDF(u *tt) *tt {
	return tensor.Mul(d.sigma, ndtri(tensor.Mul(tensor.Add(u, 1.0), 0.5)))
}

func (d *halfNormal) Random(rs *tensor.RandomStream, shape []int) *tt {
	return rs.HalfNormal(d.sigma, rshape(shape, d.shape)...)
}
func (d *halfNormal) Support() Support            { return Support{Kind: Positive} }
func (d *halfNormal) DefaultTransform() Transform { return Log() }
func (d *halfNormal) InitialValue(shape []int) *tt {
	return fill(d.sigma, shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type uniform struct {
	base
	lower, upper *tt
}

// Uniform is the continuous uniform distribution on [lower, upper]. Its log-density is
//
//	log p(x) = -log(upper - lower)
//
// Support: lower <= x <= upper (interval transform). Constraints: lower < upper. Mean
// (lower+upper)/2, variance (upper-lower)²/12.
func Uniform(lower, upper any) Dist {
	b := newBuilder("Uniform")
	d := &uniform{lower: b.param("lower", lower), upper: b.param("upper", upper)}
	b.finite("lower", d.lower)
	b.finite("upper", d.upper)
	b.less("lower", "upper", d.lower, d.upper, true)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

func (d *uniform) Logp(x *tt) *tt {
	lp := tensor.Neg(tensor.Log(tensor.Sub(d.upper, d.lower)))
	return like(bound(lp, condBetween(x, d.lower, d.upper, false)), x)
}

func (d *uniform) LogCDF(x *tt) *tt {
	c := tensor.Clip(tensor.Div(tensor.Sub(x, d.lower), tensor.Sub(d.upper, d.lower)), 0.0, 1.0)
	return tensor.Log(c)
}

func (d *uniform) LogCCDF(x *tt) *tt {
	c := tensor.Clip(tensor.Div(tensor.Sub(d.upper, x), tensor.Sub(d.upper, d.lower)), 0.0, 1.0)
	return tensor.Log(c)
}

func (d *uniform) ICDF(u *tt) *tt {
	return tensor.Add(d.lower, tensor.Mul(u, tensor.Sub(d.upper, d.lower)))
}

func (d *uniform) Random(rs *tensor.RandomStream, shape []int) *tt {
	return rs.Uniform(d.lower, d.upper, rshape(shape, d.shape)...)
}
func (d *uniform) Support() Support {
	return Support{Kind: Interval, Lower: d.lower, Upper: d.upper}
}
func (d *uniform) DefaultTransform() Transform { return IntervalTransform(d.lower, d.upper) }
func (d *uniform) InitialValue(shape []int) *tt {
	return fill(tensor.Mul(tensor.Add(d.lower, d.upper), 0.5), shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type flat struct {
	base
	half bool
}

// Flat is the improper uniform density on the real line: log p(x) = 0. It has no random draws
// (prior predictive sampling of a Flat variable is an error); its initial value is 0.
func Flat() Dist {
	return &flat{base: base{name: "Flat", shape: []int{}, dtype: tensor.Float64}}
}

// HalfFlat is the improper uniform density on x > 0: log p(x) = 0 there (log transform). It
// has no random draws; its initial value is 1.
func HalfFlat() Dist {
	return &flat{base: base{name: "HalfFlat", shape: []int{}, dtype: tensor.Float64}, half: true}
}

func (d *flat) Logp(x *tt) *tt {
	z := tensor.ZerosLike(tensor.Cast(x, tensor.Float64))
	if d.half {
		return bound(z, condPos(x))
	}
	return z
}

func (d *flat) Random(rs *tensor.RandomStream, shape []int) *tt {
	panic(errDist(d.name, "an improper distribution has no random draws"))
}
func (d *flat) Support() Support {
	if d.half {
		return Support{Kind: Positive}
	}
	return Support{Kind: Real}
}
func (d *flat) DefaultTransform() Transform {
	if d.half {
		return Log()
	}
	return nil
}
func (d *flat) InitialValue(shape []int) *tt {
	v := 0.0
	if d.half {
		v = 1
	}
	return fill(v, shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type betaDist struct {
	base
	alpha, beta *tt
}

// Beta is the beta distribution. Its log-density is
//
//	log p(x) = (α-1) log x + (β-1) log(1-x) - log B(α, β)
//
// Support: 0 < x < 1 (log-odds transform). Constraints: α > 0, β > 0. Mean α/(α+β), variance
// αβ/((α+β)²(α+β+1)).
func Beta(alpha, beta any) Dist {
	b := newBuilder("Beta")
	d := &betaDist{alpha: b.param("alpha", alpha), beta: b.param("beta", beta)}
	b.positive("alpha", d.alpha)
	b.positive("beta", d.beta)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

func (d *betaDist) Logp(x *tt) *tt {
	lp := tensor.Add(tensor.Mul(tensor.Sub(d.alpha, 1.0), tensor.Log(x)),
		tensor.Mul(tensor.Sub(d.beta, 1.0), tensor.Log1p(tensor.Neg(x))))
	lp = tensor.Sub(lp, lbeta(d.alpha, d.beta))
	return bound(lp, condUnit(x), condPos(d.alpha), condPos(d.beta))
}

func (d *betaDist) Random(rs *tensor.RandomStream, shape []int) *tt {
	return rs.Beta(d.alpha, d.beta, rshape(shape, d.shape)...)
}
func (d *betaDist) Support() Support            { return Support{Kind: UnitInterval} }
func (d *betaDist) DefaultTransform() Transform { return LogOdds() }
func (d *betaDist) InitialValue(shape []int) *tt {
	return fill(tensor.Div(d.alpha, tensor.Add(d.alpha, d.beta)), shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type gamma struct {
	base
	alpha, beta *tt
}

// Gamma is the gamma distribution with shape alpha and rate beta. Its log-density is
//
//	log p(x) = α log β - log Γ(α) + (α-1) log x - βx
//
// Support: x > 0 (log transform). Constraints: α > 0, β > 0. Mean α/β, variance α/β².
// GammaMuSigma takes the mean and standard deviation instead.
func Gamma(alpha, beta any) Dist {
	b := newBuilder("Gamma")
	d := &gamma{alpha: b.param("alpha", alpha), beta: b.param("beta", beta)}
	b.positive("alpha", d.alpha)
	b.positive("beta", d.beta)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

// GammaMuSigma is the gamma distribution with mean mu and standard deviation sigma, that is
// shape α = μ²/σ² and rate β = μ/σ². Constraints: μ > 0, σ > 0.
func GammaMuSigma(mu, sigma any) Dist {
	b := newBuilder("Gamma")
	m, s := b.param("mu", mu), b.param("sigma", sigma)
	b.positive("mu", m)
	b.positive("sigma", s)
	v := tensor.Square(s)
	d := &gamma{alpha: tensor.Div(tensor.Square(m), v), beta: tensor.Div(m, v)}
	if b.err != nil {
		d.alpha, d.beta = tensor.Const(1.0), tensor.Const(1.0)
	}
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

func (d *gamma) Logp(x *tt) *tt {
	lp := tensor.Sub(tensor.Mul(d.alpha, tensor.Log(d.beta)), tensor.Lgamma(d.alpha))
	lp = tensor.Add(lp, tensor.Sub(tensor.Mul(tensor.Sub(d.alpha, 1.0), tensor.Log(x)), tensor.Mul(d.beta, x)))
	return bound(lp, condPos(x), condPos(d.alpha), condPos(d.beta))
}

func (d *gamma) Random(rs *tensor.RandomStream, shape []int) *tt {
	return rs.Gamma(d.alpha, d.beta, rshape(shape, d.shape)...)
}
func (d *gamma) Support() Support            { return Support{Kind: Positive} }
func (d *gamma) DefaultTransform() Transform { return Log() }
func (d *gamma) InitialValue(shape []int) *tt {
	return fill(tensor.Div(d.alpha, d.beta), shapeOr(shape, d.shape))
}

// ChiSquared is the chi-squared distribution with nu degrees of freedom, the gamma distribution
// with shape ν/2 and rate 1/2. Its log-density is
//
//	log p(x) = -(ν/2) log 2 - log Γ(ν/2) + (ν/2-1) log x - x/2
//
// Support: x > 0 (log transform). Constraints: ν > 0. Mean ν, variance 2ν.
func ChiSquared(nu any) Dist {
	b := newBuilder("ChiSquared")
	n := b.param("nu", nu)
	b.positive("nu", n)
	d := &gamma{alpha: tensor.Mul(n, 0.5), beta: tensor.Const(0.5)}
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

// ---------------------------------------------------------------------------------------------

type invGamma struct {
	base
	alpha, beta *tt
}

// InverseGamma is the distribution of 1/X for X gamma with shape alpha and rate beta. Its log-density is
//
//	log p(x) = α log β - log Γ(α) - (α+1) log x - β/x
//
// Support: x > 0 (log transform). Constraints: α > 0, β > 0. Mean β/(α-1) for α > 1, variance
// β²/((α-1)²(α-2)) for α > 2. The initial value is the mode β/(α+1).
func InverseGamma(alpha, beta any) Dist {
	b := newBuilder("InverseGamma")
	d := &invGamma{alpha: b.param("alpha", alpha), beta: b.param("beta", beta)}
	b.positive("alpha", d.alpha)
	b.positive("beta", d.beta)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

func (d *invGamma) Logp(x *tt) *tt {
	lp := tensor.Sub(tensor.Mul(d.alpha, tensor.Log(d.beta)), tensor.Lgamma(d.alpha))
	lp = tensor.Sub(lp, tensor.Add(tensor.Mul(tensor.Add(d.alpha, 1.0), tensor.Log(x)), tensor.Div(d.beta, x)))
	return bound(lp, condPos(x), condPos(d.alpha), condPos(d.beta))
}

func (d *invGamma) Random(rs *tensor.RandomStream, shape []int) *tt {
	return tensor.Div(1.0, rs.Gamma(d.alpha, d.beta, rshape(shape, d.shape)...))
}
func (d *invGamma) Support() Support            { return Support{Kind: Positive} }
func (d *invGamma) DefaultTransform() Transform { return Log() }
func (d *invGamma) InitialValue(shape []int) *tt {
	return fill(tensor.Div(d.beta, tensor.Add(d.alpha, 1.0)), shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type exponential struct {
	base
	lam *tt
}

// Exponential is the exponential distribution with rate lam. Its log-density is
//
//	log p(x) = log λ - λx
//
// Support: x >= 0 (log transform). Constraints: λ > 0. Mean 1/λ, variance 1/λ².
func Exponential(lam any) Dist {
	b := newBuilder("Exponential")
	d := &exponential{lam: b.param("lam", lam)}
	b.positive("lam", d.lam)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

func (d *exponential) Logp(x *tt) *tt {
	lp := tensor.Sub(tensor.Log(d.lam), tensor.Mul(d.lam, x))
	return bound(lp, condNonNeg(x), condPos(d.lam))
}

func (d *exponential) LogCDF(x *tt) *tt {
	return bound(tensor.Log1mexp(tensor.Neg(tensor.Mul(d.lam, x))), condNonNeg(x))
}

func (d *exponential) LogCCDF(x *tt) *tt {
	return tensor.Neg(tensor.Mul(d.lam, tensor.Maximum(x, 0.0)))
}

func (d *exponential) ICDF(u *tt) *tt {
	return tensor.Div(tensor.Neg(tensor.Log1p(tensor.Neg(u))), d.lam)
}

func (d *exponential) Random(rs *tensor.RandomStream, shape []int) *tt {
	return rs.Exponential(d.lam, rshape(shape, d.shape)...)
}
func (d *exponential) Support() Support            { return Support{Kind: Positive} }
func (d *exponential) DefaultTransform() Transform { return Log() }
func (d *exponential) InitialValue(shape []int) *tt {
	return fill(tensor.Div(1.0, d.lam), shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type logNormal struct {
	base
	mu, sigma *tt
}

// LogNormal is the distribution of exp(X) for X normal with mean mu and standard deviation
// sigma. Its log-density is
//
//	log p(x) = -log x - log σ - log √(2π) - (log x - μ)²/(2σ²)
//
// Support: x > 0 (log transform). Constraints: σ > 0. Mean exp(μ + σ²/2), variance
// (exp(σ²) - 1) exp(2μ + σ²).
func LogNormal(mu, sigma any) Dist {
	b := newBuilder("LogNormal")
	d := &logNormal{mu: b.param("mu", mu), sigma: b.param("sigma", sigma)}
	b.finite("mu", d.mu)
	b.positive("sigma", d.sigma)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

func (d *logNormal) Logp(x *tt) *tt {
	lx := tensor.Log(x)
	z := tensor.Div(tensor.Sub(lx, d.mu), d.sigma)
	lp := tensor.Sub(tensor.Mul(-0.5, tensor.Square(z)), tensor.Add(tensor.Add(lx, tensor.Log(d.sigma)), logSqrt2Pi))
	return bound(lp, condPos(x), condPos(d.sigma))
}

func (d *logNormal) LogCDF(x *tt) *tt {
	return bound(normLogCDF(tensor.Div(tensor.Sub(tensor.Log(x), d.mu), d.sigma)), condPos(x))
}

func (d *logNormal) LogCCDF(x *tt) *tt {
	return normLogCDF(tensor.Div(tensor.Sub(d.mu, tensor.Log(tensor.Maximum(x, 0.0))), d.sigma))
}

func (d *logNormal) ICDF(u *tt) *tt {
	return tensor.Exp(tensor.Add(d.mu, tensor.Mul(d.sigma, ndtri(u))))
}

func (d *logNormal) Random(rs *tensor.RandomStream, shape []int) *tt {
	return rs.LogNormal(d.mu, d.sigma, rshape(shape, d.shape)...)
}
func (d *logNormal) Support() Support            { return Support{Kind: Positive} }
func (d *logNormal) DefaultTransform() Transform { return Log() }
func (d *logNormal) InitialValue(shape []int) *tt {
	return fill(tensor.Exp(tensor.Add(d.mu, tensor.Mul(0.5, tensor.Square(d.sigma)))), shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type studentT struct {
	base
	nu, mu, sigma *tt
	half          bool
}

// StudentT is Student's t distribution with nu degrees of freedom, location mu and scale sigma. Its log-density is
//
//	log p(x) = log Γ((ν+1)/2) - log Γ(ν/2) - ½ log(νπ) - log σ - (ν+1)/2 log(1 + ((x-μ)/σ)²/ν)
//
// Support: real x. Constraints: ν > 0, σ > 0. Mean μ for ν > 1, variance σ²ν/(ν-2) for ν > 2.
func StudentT(nu, mu, sigma any) Dist {
	b := newBuilder("StudentT")
	d := &studentT{nu: b.param("nu", nu), mu: b.param("mu", mu), sigma: b.param("sigma", sigma)}
	b.positive("nu", d.nu)
	b.finite("mu", d.mu)
	b.positive("sigma", d.sigma)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

// HalfStudentT is Student's t distribution with location 0 folded onto x >= 0:
// log p(x) = log 2 + StudentT(ν, 0, σ) log-density. Support: x >= 0 (log transform).
// Constraints: ν > 0, σ > 0.
func HalfStudentT(nu, sigma any) Dist {
	b := newBuilder("HalfStudentT")
	d := &studentT{nu: b.param("nu", nu), mu: tensor.Const(0.0), sigma: b.param("sigma", sigma), half: true}
	b.positive("nu", d.nu)
	b.positive("sigma", d.sigma)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

func (d *studentT) Logp(x *tt) *tt {
	z := tensor.Div(tensor.Sub(x, d.mu), d.sigma)
	h := tensor.Mul(tensor.Add(d.nu, 1.0), 0.5)
	c := tensor.Sub(tensor.Sub(tensor.Lgamma(h), tensor.Lgamma(tensor.Mul(d.nu, 0.5))),
		tensor.Add(tensor.Mul(0.5, tensor.Log(tensor.Mul(d.nu, math.Pi))), tensor.Log(d.sigma)))
	if d.half {
		c = tensor.Add(c, math.Ln2)
	}
	lp := tensor.Sub(c, tensor.Mul(h, tensor.Log1p(tensor.Div(tensor.Square(z), d.nu))))
	if d.half {
		return bound(lp, condNonNeg(x), condPos(d.nu), condPos(d.sigma))
	}
	return bound(lp, condPos(d.nu), condPos(d.sigma))
}

func (d *studentT) Random(rs *tensor.RandomStream, shape []int) *tt {
	r := rs.StudentT(d.nu, d.mu, d.sigma, rshape(shape, d.shape)...)
	if d.half {
		return tensor.Abs(r)
	}
	return r
}
func (d *studentT) Support() Support {
	if d.half {
		return Support{Kind: Positive}
	}
	return Support{Kind: Real}
}
func (d *studentT) DefaultTransform() Transform {
	if d.half {
		return Log()
	}
	return nil
}
func (d *studentT) InitialValue(shape []int) *tt {
	if d.half {
		return fill(d.sigma, shapeOr(shape, d.shape))
	}
	return fill(d.mu, shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type cauchy struct {
	base
	alpha, beta *tt
	half        bool
}

// Cauchy is the Cauchy distribution with location alpha and scale beta. Its log-density is
//
//	log p(x) = -log π - log β - log(1 + ((x-α)/β)²)
//
// Support: real x. Constraints: β > 0. Mean and variance undefined; median α.
func Cauchy(alpha, beta any) Dist {
	b := newBuilder("Cauchy")
	d := &cauchy{alpha: b.param("alpha", alpha), beta: b.param("beta", beta)}
	b.finite("alpha", d.alpha)
	b.positive("beta", d.beta)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

// HalfCauchy is the Cauchy distribution with location 0 folded onto x >= 0. Its log-density is
//
//	log p(x) = log 2 - log π - log β - log(1 + (x/β)²)
//
// Support: x >= 0 (log transform). Constraints: β > 0. Median β.
func HalfCauchy(beta any) Dist {
	b := newBuilder("HalfCauchy")
	d := &cauchy{alpha: tensor.Const(0.0), beta: b.param("beta", beta), half: true}
	b.positive("beta", d.beta)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

func (d *cauchy) Logp(x *tt) *tt {
	z := tensor.Div(tensor.Sub(x, d.alpha), d.beta)
	c := -logPi
	if d.half {
		c += math.Ln2
	}
	lp := tensor.Sub(tensor.Sub(c, tensor.Log(d.beta)), tensor.Log1p(tensor.Square(z)))
	if d.half {
		return bound(lp, condNonNeg(x), condPos(d.beta))
	}
	return bound(lp, condPos(d.beta))
}

func (d *cauchy) cdf(x *tt) *tt {
	// atan is not among the tensor ops; F(x) = 1/2 + atan(z)/π, and atan(z) = 2 atan(z/(1+√(1+z²))).
	z := tensor.Div(tensor.Sub(x, d.alpha), d.beta)
	return tensor.Add(0.5, tensor.Div(atan(z), math.Pi))
}

func (d *cauchy) LogCDF(x *tt) *tt {
	if d.half {
		z := tensor.Div(tensor.Maximum(x, 0.0), d.beta)
		return tensor.Log(tensor.Mul(atan(z), 2/math.Pi))
	}
	return tensor.Log(d.cdf(x))
}

func (d *cauchy) LogCCDF(x *tt) *tt {
	if d.half {
		z := tensor.Div(tensor.Maximum(x, 0.0), d.beta)
		return tensor.Log1p(tensor.Neg(tensor.Mul(atan(z), 2/math.Pi)))
	}
	z := tensor.Div(tensor.Sub(d.alpha, x), d.beta)
	return tensor.Log(tensor.Add(0.5, tensor.Div(atan(z), math.Pi)))
}

func (d *cauchy) Random(rs *tensor.RandomStream, shape []int) *tt {
	r := rs.Cauchy(d.alpha, d.beta, rshape(shape, d.shape)...)
	if d.half {
		return tensor.Abs(r)
	}
	return r
}
func (d *cauchy) Support() Support {
	if d.half {
		return Support{Kind: Positive}
	}
	return Support{Kind: Real}
}
func (d *cauchy) DefaultTransform() Transform {
	if d.half {
		return Log()
	}
	return nil
}
func (d *cauchy) InitialValue(shape []int) *tt {
	if d.half {
		return fill(d.beta, shapeOr(shape, d.shape))
	}
	return fill(d.alpha, shapeOr(shape, d.shape))
}

// atan is arctan(z), an op of this package (package tensor has no inverse trigonometry).
func atan(z *tt) *tt { return tensor.Apply1(unaryOp{kind: opAtan}, z) }

// ---------------------------------------------------------------------------------------------

type laplace struct {
	base
	mu, b *tt
}

// Laplace is the Laplace (double exponential) distribution with location mu and scale b. Its log-density is
//
//	log p(x) = -log(2b) - |x-μ|/b
//
// Support: real x. Constraints: b > 0. Mean μ, variance 2b².
func Laplace(mu, b any) Dist {
	bl := newBuilder("Laplace")
	d := &laplace{mu: bl.param("mu", mu), b: bl.param("b", b)}
	bl.finite("mu", d.mu)
	bl.positive("b", d.b)
	d.base = bl.base(bl.batch(), 0, tensor.Float64)
	return d
}

func (d *laplace) Logp(x *tt) *tt {
	lp := tensor.Neg(tensor.Add(tensor.Log(tensor.Mul(d.b, 2.0)), tensor.Div(tensor.Abs(tensor.Sub(x, d.mu)), d.b)))
	return bound(lp, condPos(d.b))
}

func (d *laplace) LogCDF(x *tt) *tt {
	z := tensor.Div(tensor.Sub(x, d.mu), d.b)
	// z <= 0: log(e^z / 2); z > 0: log(1 - e^-z / 2).
	lo := tensor.Sub(tensor.Minimum(z, 0.0), math.Ln2)
	hi := tensor.Log1p(tensor.Mul(-0.5, tensor.Exp(tensor.Neg(tensor.Maximum(z, 0.0)))))
	return tensor.Switch(tensor.Le(z, 0.0), lo, hi)
}

func (d *laplace) LogCCDF(x *tt) *tt {
	z := tensor.Div(tensor.Sub(d.mu, x), d.b)
	lo := tensor.Sub(tensor.Minimum(z, 0.0), math.Ln2)
	hi := tensor.Log1p(tensor.Mul(-0.5, tensor.Exp(tensor.Neg(tensor.Maximum(z, 0.0)))))
	return tensor.Switch(tensor.Le(z, 0.0), lo, hi)
}

func (d *laplace) Random(rs *tensor.RandomStream, shape []int) *tt {
	return rs.Laplace(d.mu, d.b, rshape(shape, d.shape)...)
}
func (d *laplace) Support() Support            { return Support{Kind: Real} }
func (d *laplace) DefaultTransform() Transform { return nil }
func (d *laplace) InitialValue(shape []int) *tt {
	return fill(d.mu, shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type logistic struct {
	base
	mu, s *tt
}

// Logistic is the logistic distribution with location mu and scale s. Its log-density is
//
//	log p(x) = -z - log s - 2 log(1 + e^-z),  z = (x-μ)/s
//
// Support: real x. Constraints: s > 0. Mean μ, variance s²π²/3.
func Logistic(mu, s any) Dist {
	b := newBuilder("Logistic")
	d := &logistic{mu: b.param("mu", mu), s: b.param("s", s)}
	b.finite("mu", d.mu)
	b.positive("s", d.s)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

func (d *logistic) Logp(x *tt) *tt {
	z := tensor.Div(tensor.Sub(x, d.mu), d.s)
	lp := tensor.Neg(tensor.Add(tensor.Add(z, tensor.Log(d.s)), tensor.Mul(2.0, tensor.Softplus(tensor.Neg(z)))))
	return bound(lp, condPos(d.s))
}

func (d *logistic) LogCDF(x *tt) *tt {
	return tensor.LogSigmoid(tensor.Div(tensor.Sub(x, d.mu), d.s))
}

func (d *logistic) LogCCDF(x *tt) *tt {
	return tensor.LogSigmoid(tensor.Div(tensor.Sub(d.mu, x), d.s))
}

func (d *logistic) ICDF(u *tt) *tt { return tensor.Add(d.mu, tensor.Mul(d.s, tensor.Logit(u))) }

func (d *logistic) Random(rs *tensor.RandomStream, shape []int) *tt {
	return rs.Logistic(d.mu, d.s, rshape(shape, d.shape)...)
}
func (d *logistic) Support() Support            { return Support{Kind: Real} }
func (d *logistic) DefaultTransform() Transform { return nil }
func (d *logistic) InitialValue(shape []int) *tt {
	return fill(d.mu, shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type weibull struct {
	base
	alpha, beta *tt
}

// Weibull is the Weibull distribution with shape alpha and scale beta. Its log-density is
//
//	log p(x) = log α - log β + (α-1) log(x/β) - (x/β)^α
//
// Support: x > 0 (log transform). Constraints: α > 0, β > 0. Mean β Γ(1 + 1/α), variance
// β² (Γ(1 + 2/α) - Γ(1 + 1/α)²).
func Weibull(alpha, beta any) Dist {
	b := newBuilder("Weibull")
	d := &weibull{alpha: b.param("alpha", alpha), beta: b.param("beta", beta)}
	b.positive("alpha", d.alpha)
	b.positive("beta", d.beta)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

func (d *weibull) Logp(x *tt) *tt {
	lz := tensor.Sub(tensor.Log(x), tensor.Log(d.beta))
	lp := tensor.Sub(tensor.Log(tensor.Div(d.alpha, d.beta)), tensor.Exp(tensor.Mul(d.alpha, lz)))
	lp = tensor.Add(lp, tensor.Mul(tensor.Sub(d.alpha, 1.0), lz))
	return bound(lp, condPos(x), condPos(d.alpha), condPos(d.beta))
}

func (d *weibull) LogCDF(x *tt) *tt {
	p := tensor.Pow(tensor.Div(tensor.Maximum(x, 0.0), d.beta), d.alpha)
	return tensor.Log1mexp(tensor.Neg(p))
}

func (d *weibull) LogCCDF(x *tt) *tt {
	return tensor.Neg(tensor.Pow(tensor.Div(tensor.Maximum(x, 0.0), d.beta), d.alpha))
}

func (d *weibull) ICDF(u *tt) *tt {
	return tensor.Mul(d.beta, tensor.Pow(tensor.Neg(tensor.Log1p(tensor.Neg(u))), tensor.Div(1.0, d.alpha)))
}

func (d *weibull) Random(rs *tensor.RandomStream, shape []int) *tt {
	return d.ICDF(rs.Uniform(0.0, 1.0, rshape(shape, d.shape)...))
}
func (d *weibull) Support() Support            { return Support{Kind: Positive} }
func (d *weibull) DefaultTransform() Transform { return Log() }
func (d *weibull) InitialValue(shape []int) *tt {
	m := tensor.Mul(d.beta, tensor.Exp(tensor.Lgamma(tensor.Add(1.0, tensor.Div(1.0, d.alpha)))))
	return fill(m, shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type pareto struct {
	base
	alpha, m *tt
}

// Pareto is the Pareto distribution with shape alpha and scale (lower bound) m. Its log-density is
//
//	log p(x) = log α + α log m - (α+1) log x
//
// Support: x >= m (lower-bound transform). Constraints: α > 0, m > 0. Mean αm/(α-1) for α > 1,
// variance m²α/((α-1)²(α-2)) for α > 2. The initial value is the median m 2^(1/α).
func Pareto(alpha, m any) Dist {
	b := newBuilder("Pareto")
	d := &pareto{alpha: b.param("alpha", alpha), m: b.param("m", m)}
	b.positive("alpha", d.alpha)
	b.positive("m", d.m)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

func (d *pareto) Logp(x *tt) *tt {
	lp := tensor.Add(tensor.Log(d.alpha), tensor.Mul(d.alpha, tensor.Log(d.m)))
	lp = tensor.Sub(lp, tensor.Mul(tensor.Add(d.alpha, 1.0), tensor.Log(x)))
	return bound(lp, tensor.Ge(x, d.m), condPos(d.alpha), condPos(d.m))
}

func (d *pareto) LogCDF(x *tt) *tt {
	r := tensor.Div(d.m, tensor.Maximum(x, d.m))
	return tensor.Log1mexp(tensor.Mul(d.alpha, tensor.Log(r)))
}

func (d *pareto) LogCCDF(x *tt) *tt {
	return tensor.Mul(d.alpha, tensor.Log(tensor.Div(d.m, tensor.Maximum(x, d.m))))
}

func (d *pareto) ICDF(u *tt) *tt {
	return tensor.Mul(d.m, tensor.Pow(tensor.Sub(1.0, u), tensor.Div(-1.0, d.alpha)))
}

func (d *pareto) Random(rs *tensor.RandomStream, shape []int) *tt {
	return d.ICDF(rs.Uniform(0.0, 1.0, rshape(shape, d.shape)...))
}
func (d *pareto) Support() Support            { return Support{Kind: Interval, Lower: d.m} }
func (d *pareto) DefaultTransform() Transform { return LowerBound(d.m) }
func (d *pareto) InitialValue(shape []int) *tt {
	return fill(tensor.Mul(d.m, tensor.Pow(2.0, tensor.Div(1.0, d.alpha))), shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type vonMises struct {
	base
	mu, kappa *tt
}

// VonMises is the von Mises (circular normal) distribution with mean direction mu and
// concentration kappa. Its log-density is
//
//	log p(x) = κ cos(x-μ) - log(2π I₀(κ))
//
// Support: -π <= x <= π (interval transform). Constraints: κ >= 0. Circular mean μ.
func VonMises(mu, kappa any) Dist {
	b := newBuilder("VonMises")
	d := &vonMises{mu: b.param("mu", mu), kappa: b.param("kappa", kappa)}
	b.finite("mu", d.mu)
	b.nonNegative("kappa", d.kappa)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

func (d *vonMises) Logp(x *tt) *tt {
	lp := tensor.Sub(tensor.Mul(d.kappa, tensor.Cos(tensor.Sub(x, d.mu))),
		tensor.Add(logI0(d.kappa), math.Log(2*math.Pi)))
	return bound(lp, condBetween(x, tensor.Const(-math.Pi), tensor.Const(math.Pi), false), condNonNeg(d.kappa))
}

// vmRounds is the number of rejection rounds drawn at once for VonMises. Best and Fisher's
// sampler accepts a candidate with probability at least 0.65 for every κ, so all of them
// failing (the draw then falls back to μ) has probability below 0.35^20 ≈ 8e-10.
const vmRounds = 20

// Random uses Best and Fisher's (1979) rejection sampler, vectorized: vmRounds candidates are
// drawn for every value and the first accepted one is kept. With τ = 1 + √(1+4κ²),
// ρ = (τ - √(2τ))/(2κ), r = (1+ρ²)/(2ρ): z = cos(πu₁), f = (1+rz)/(r+z), c = κ(r-f); accept
// if c(2-c) > u₂ or log(c/u₂) + 1 - c >= 0; then x = μ ± acos(f), wrapped into [-π, π].
// For κ < 1e-8 the distribution is uniform on the circle.
func (d *vonMises) Random(rs *tensor.RandomStream, shape []int) *tt {
	s := rshape(shape, d.shape)
	rs3 := append([]int{vmRounds}, s...)
	k := tensor.Maximum(d.kappa, 1e-8)
	tau := tensor.Add(1.0, tensor.Sqrt(tensor.Add(1.0, tensor.Mul(4.0, tensor.Square(k)))))
	rho := tensor.Div(tensor.Sub(tau, tensor.Sqrt(tensor.Mul(2.0, tau))), tensor.Mul(2.0, k))
	r := tensor.Div(tensor.Add(1.0, tensor.Square(rho)), tensor.Mul(2.0, rho))
	u1 := rs.Uniform(0.0, 1.0, rs3...)
	u2 := rs.Uniform(0.0, 1.0, rs3...)
	u3 := rs.Uniform(0.0, 1.0, rs3...)
	z := tensor.Cos(tensor.Mul(math.Pi, u1))
	f := tensor.Clip(tensor.Div(tensor.Add(1.0, tensor.Mul(r, z)), tensor.Add(r, z)), -1.0, 1.0)
	c := tensor.Mul(k, tensor.Sub(r, f))
	acc := tensor.Or(tensor.Gt(tensor.Mul(c, tensor.Sub(2.0, c)), u2),
		tensor.Ge(tensor.Add(tensor.Log(tensor.Div(c, u2)), tensor.Sub(1.0, c)), 0.0))
	// acos(f) = 2 atan(√((1-f)/(1+f))).
	ac := tensor.Mul(2.0, atan(tensor.Sqrt(tensor.Div(tensor.Sub(1.0, f), tensor.Add(1.0, f)))))
	theta := tensor.Add(d.mu, tensor.Mul(tensor.Sign(tensor.Sub(u3, 0.5)), ac))
	accF := tensor.Cast(acc, tensor.Float64)
	first := tensor.And(acc, tensor.Eq(tensor.Cumsum(accF, 0), 1.0))
	x := tensor.Sum(tensor.Switch(first, theta, 0.0), 0)
	x = tensor.Switch(tensor.Gt(tensor.Sum(accF, 0), 0.0), x, fill(d.mu, s))
	// Uniform on the circle for a vanishing κ.
	x = tensor.Switch(tensor.Lt(d.kappa, 1e-8), tensor.Add(d.mu, tensor.Mul(2*math.Pi, tensor.Sub(u1.Slice(0, 0, 1, 1).Squeeze(0), 0.5))), x)
	// Wrap into [-π, π].
	return tensor.Sub(tensor.Mod(tensor.Add(x, math.Pi), 2*math.Pi), math.Pi)
}
func (d *vonMises) Support() Support {
	return Support{Kind: Circular, Lower: tensor.Const(-math.Pi), Upper: tensor.Const(math.Pi)}
}
func (d *vonMises) DefaultTransform() Transform {
	return IntervalTransform(-math.Pi, math.Pi)
}
func (d *vonMises) InitialValue(shape []int) *tt {
	return fill(d.mu, shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type skewNormal struct {
	base
	mu, sigma, alpha *tt
}

// SkewNormal is the skew-normal distribution with location mu, scale sigma and shape alpha. Its log-density is
//
//	log p(x) = log 2 - log σ + log φ(z) + log Φ(αz),  z = (x-μ)/σ
//
// Support: real x. Constraints: σ > 0. Mean μ + σδ√(2/π) with δ = α/√(1+α²), variance
// σ²(1 - 2δ²/π).
func SkewNormal(mu, sigma, alpha any) Dist {
	b := newBuilder("SkewNormal")
	d := &skewNormal{mu: b.param("mu", mu), sigma: b.param("sigma", sigma), alpha: b.param("alpha", alpha)}
	b.finite("mu", d.mu)
	b.positive("sigma", d.sigma)
	b.finite("alpha", d.alpha)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

func (d *skewNormal) Logp(x *tt) *tt {
	z := tensor.Div(tensor.Sub(x, d.mu), d.sigma)
	lp := tensor.Sub(tensor.Mul(-0.5, tensor.Square(z)), tensor.Add(tensor.Log(d.sigma), logSqrt2Pi-math.Ln2))
	lp = tensor.Add(lp, normLogCDF(tensor.Mul(d.alpha, z)))
	return bound(lp, condPos(d.sigma))
}

func (d *skewNormal) delta() *tt {
	return tensor.Div(d.alpha, tensor.Sqrt(tensor.Add(1.0, tensor.Square(d.alpha))))
}

func (d *skewNormal) Random(rs *tensor.RandomStream, shape []int) *tt {
	// X = δ|U₀| + √(1-δ²) U₁ with U standard normal (Azzalini's representation).
	s := rshape(shape, d.shape)
	dl := d.delta()
	u0 := rs.Normal(0.0, 1.0, s...)
	u1 := rs.Normal(0.0, 1.0, s...)
	v := tensor.Add(tensor.Mul(dl, tensor.Abs(u0)), tensor.Mul(tensor.Sqrt(tensor.Sub(1.0, tensor.Square(dl))), u1))
	return tensor.Add(d.mu, tensor.Mul(d.sigma, v))
}
func (d *skewNormal) Support() Support            { return Support{Kind: Real} }
func (d *skewNormal) DefaultTransform() Transform { return nil }
func (d *skewNormal) InitialValue(shape []int) *tt {
	m := tensor.Add(d.mu, tensor.Mul(d.sigma, tensor.Mul(d.delta(), math.Sqrt(2/math.Pi))))
	return fill(m, shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type wald struct {
	base
	mu, lam *tt
}

// Wald is the Wald (inverse Gaussian) distribution with mean mu and shape lam. Its log-density is
//
//	log p(x) = ½ log λ - ½ log 2π - (3/2) log x - λ(x-μ)²/(2μ²x)
//
// Support: x > 0 (log transform). Constraints: μ > 0, λ > 0. Mean μ, variance μ³/λ.
func Wald(mu, lam any) Dist {
	b := newBuilder("Wald")
	d := &wald{mu: b.param("mu", mu), lam: b.param("lam", lam)}
	b.positive("mu", d.mu)
	b.positive("lam", d.lam)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

func (d *wald) Logp(x *tt) *tt {
	lp := tensor.Sub(tensor.Mul(0.5, tensor.Log(d.lam)), tensor.Add(tensor.Mul(1.5, tensor.Log(x)), logSqrt2Pi))
	q := tensor.Div(tensor.Mul(d.lam, tensor.Square(tensor.Sub(x, d.mu))), tensor.Mul(tensor.Mul(2.0, tensor.Square(d.mu)), x))
	return bound(tensor.Sub(lp, q), condPos(x), condPos(d.mu), condPos(d.lam))
}

func (d *wald) Random(rs *tensor.RandomStream, shape []int) *tt {
	// Michael, Schucany and Haas (1976): transformation with multiple roots.
	s := rshape(shape, d.shape)
	mu, lam := fill(d.mu, s), d.lam
	v := tensor.Square(rs.Normal(tensor.ZerosLike(mu), 1.0))
	muy := tensor.Mul(mu, v)
	x := tensor.Add(mu, tensor.Div(tensor.Mul(mu, tensor.Sub(muy, tensor.Sqrt(tensor.Add(tensor.Mul(tensor.Mul(4.0, lam), muy), tensor.Square(muy))))), tensor.Mul(2.0, lam)))
	u := rs.Uniform(tensor.ZerosLike(mu), 1.0)
	return tensor.Switch(tensor.Le(u, tensor.Div(mu, tensor.Add(mu, x))), x, tensor.Div(tensor.Square(mu), x))
}
func (d *wald) Support() Support            { return Support{Kind: Positive} }
func (d *wald) DefaultTransform() Transform { return Log() }
func (d *wald) InitialValue(shape []int) *tt {
	return fill(d.mu, shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type triangular struct {
	base
	lower, c, upper *tt
}

// Triangular is the triangular distribution on [lower, upper] with mode c. Its density is
//
//	p(x) = 2(x-a)/((b-a)(c-a)) for a <= x < c,  2(b-x)/((b-a)(b-c)) for c <= x <= b
//
// Support: lower <= x <= upper (interval transform). Constraints: lower <= c <= upper,
// lower < upper. Mean (a+b+c)/3, variance (a²+b²+c²-ab-ac-bc)/18.
func Triangular(lower, c, upper any) Dist {
	b := newBuilder("Triangular")
	d := &triangular{lower: b.param("lower", lower), c: b.param("c", c), upper: b.param("upper", upper)}
	b.less("lower", "upper", d.lower, d.upper, true)
	b.less("lower", "c", d.lower, d.c, false)
	b.less("c", "upper", d.c, d.upper, false)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

func (d *triangular) Logp(x *tt) *tt {
	w := tensor.Log(tensor.Sub(d.upper, d.lower))
	left := tensor.Sub(tensor.Log(tensor.Mul(2.0, tensor.Sub(x, d.lower))), tensor.Add(w, tensor.Log(tensor.Sub(d.c, d.lower))))
	right := tensor.Sub(tensor.Log(tensor.Mul(2.0, tensor.Sub(d.upper, x))), tensor.Add(w, tensor.Log(tensor.Sub(d.upper, d.c))))
	lp := tensor.Switch(tensor.Lt(x, d.c), left, right)
	return bound(lp, condBetween(x, d.lower, d.upper, false))
}

func (d *triangular) Random(rs *tensor.RandomStream, shape []int) *tt {
	// Inverse CDF: F(c) = (c-a)/(b-a) splits the two branches.
	s := rshape(shape, d.shape)
	a, b, c := d.lower, d.upper, d.c
	u := rs.Uniform(fill(tensor.ZerosLike(d.c), s), 1.0)
	fc := tensor.Div(tensor.Sub(c, a), tensor.Sub(b, a))
	l := tensor.Add(a, tensor.Sqrt(tensor.Mul(u, tensor.Mul(tensor.Sub(b, a), tensor.Sub(c, a)))))
	r := tensor.Sub(b, tensor.Sqrt(tensor.Mul(tensor.Sub(1.0, u), tensor.Mul(tensor.Sub(b, a), tensor.Sub(b, c)))))
	return tensor.Switch(tensor.Lt(u, fc), l, r)
}
func (d *triangular) Support() Support {
	return Support{Kind: Interval, Lower: d.lower, Upper: d.upper}
}
func (d *triangular) DefaultTransform() Transform { return IntervalTransform(d.lower, d.upper) }
func (d *triangular) InitialValue(shape []int) *tt {
	return fill(d.c, shapeOr(shape, d.shape))
}
