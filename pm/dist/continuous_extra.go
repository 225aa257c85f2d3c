package dist

import (
	"math"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// More continuous distributions of PyMC's catalogue. Draws are by the inverse CDF where it is a
// closed form.

const eulerGamma = 0.57721566490153286060651209008240243 // γ, Euler–Mascheroni

// uniformLike draws standard uniforms of the requested shape (the parameters' when nil).
func uniformLike(rs *tensor.RandomStream, shape, def []int, like *tt) *tt {
	return rs.Uniform(fill(tensor.ZerosLike(like), rshape(shape, def)), 1.0)
}

// ---------------------------------------------------------------------------------------------

type asymLaplace struct {
	base
	b, kappa, mu *tt
}

// AsymmetricLaplace is the asymmetric Laplace distribution with rate b, asymmetry kappa and
// location mu (PyMC's parameterization). Its log-density is
//
//	log p(x) = log b - log(κ + 1/κ) - (x-μ) b s κ^s,   s = sign(x-μ)
//
// and its CDF is κ²/(1+κ²) e^(b(x-μ)/κ) below μ and 1 - e^(-bκ(x-μ))/(1+κ²) above.
// Support: real x. Constraints: b > 0, κ > 0. Mean μ + (1/κ - κ)/b.
func AsymmetricLaplace(b, kappa, mu any) Dist {
	bl := newBuilder("AsymmetricLaplace")
	d := &asymLaplace{b: bl.param("b", b), kappa: bl.param("kappa", kappa), mu: bl.param("mu", mu)}
	bl.positive("b", d.b)
	bl.positive("kappa", d.kappa)
	bl.finite("mu", d.mu)
	d.base = bl.base(bl.batch(), 0, tensor.Float64)
	return d
}

func (d *asymLaplace) Logp(x *tt) *tt {
	z := tensor.Sub(x, d.mu)
	below := tensor.Lt(z, 0.0)
	rate := tensor.Switch(below, tensor.Neg(tensor.Div(d.b, d.kappa)), tensor.Mul(d.b, d.kappa))
	lp := tensor.Sub(tensor.Sub(tensor.Log(d.b), tensor.Log(tensor.Add(d.kappa, tensor.Div(1.0, d.kappa)))), tensor.Mul(z, rate))
	return bound(lp, condPos(d.b), condPos(d.kappa))
}

// logMassBelow is log P(X < μ) = log κ² - log(1+κ²).
func (d *asymLaplace) logMassBelow() *tt {
	k2 := tensor.Square(d.kappa)
	return tensor.Sub(tensor.Log(k2), tensor.Log1p(k2))
}

func (d *asymLaplace) LogCDF(x *tt) *tt {
	z := tensor.Sub(x, d.mu)
	below := tensor.Lt(z, 0.0)
	lo := tensor.Add(d.logMassBelow(), tensor.Div(tensor.Mul(d.b, tensor.Minimum(z, 0.0)), d.kappa))
	hi := tensor.Log1mexp(tensor.Sub(tensor.Neg(tensor.Mul(tensor.Mul(d.b, d.kappa), tensor.Maximum(z, 0.0))), tensor.Log1p(tensor.Square(d.kappa))))
	return tensor.Switch(below, lo, hi)
}

func (d *asymLaplace) LogCCDF(x *tt) *tt {
	z := tensor.Sub(x, d.mu)
	below := tensor.Lt(z, 0.0)
	lo := tensor.Log1mexp(tensor.Add(d.logMassBelow(), tensor.Div(tensor.Mul(d.b, tensor.Minimum(z, 0.0)), d.kappa)))
	hi := tensor.Sub(tensor.Neg(tensor.Mul(tensor.Mul(d.b, d.kappa), tensor.Maximum(z, 0.0))), tensor.Log1p(tensor.Square(d.kappa)))
	return tensor.Switch(below, lo, hi)
}

// ICDF is μ + (κ/b) log(u(1+κ²)/κ²) below P(X < μ) and μ - log((1-u)(1+κ²))/(bκ) above.
func (d *asymLaplace) ICDF(u *tt) *tt {
	k2p := tensor.Add(1.0, tensor.Square(d.kappa))
	pm := tensor.Div(tensor.Square(d.kappa), k2p)
	lo := tensor.Add(d.mu, tensor.Mul(tensor.Div(d.kappa, d.b), tensor.Log(tensor.Div(tensor.Mul(u, k2p), tensor.Square(d.kappa)))))
	hi := tensor.Sub(d.mu, tensor.Div(tensor.Log(tensor.Mul(tensor.Sub(1.0, u), k2p)), tensor.Mul(d.b, d.kappa)))
	return tensor.Switch(tensor.Lt(u, pm), lo, hi)
}

func (d *asymLaplace) Random(rs *tensor.RandomStream, shape []int) *tt {
	return d.ICDF(uniformLike(rs, shape, d.shape, d.mu))
}
func (d *asymLaplace) Support() Support            { return Support{Kind: Real} }
func (d *asymLaplace) DefaultTransform() Transform { return nil }
func (d *asymLaplace) InitialValue(shape []int) *tt {
	m := tensor.Add(d.mu, tensor.Div(tensor.Sub(tensor.Div(1.0, d.kappa), d.kappa), d.b))
	return fill(m, shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type exGaussian struct {
	base
	mu, sigma, nu *tt
}

// ExGaussian is the exponentially modified normal distribution: the sum of a Normal(mu, sigma)
// and an independent Exponential with mean nu. Its log-density is
//
//	log p(x) = -log ν + (μ-x)/ν + σ²/(2ν²) + log Φ((x-μ)/σ - σ/ν)
//
// and its CDF is Φ(z) - exp(-(x-μ)/ν + σ²/(2ν²)) Φ(z - σ/ν), z = (x-μ)/σ.
// Support: real x. Constraints: σ > 0, ν > 0. Mean μ + ν, variance σ² + ν².
func ExGaussian(mu, sigma, nu any) Dist {
	b := newBuilder("ExGaussian")
	d := &exGaussian{mu: b.param("mu", mu), sigma: b.param("sigma", sigma), nu: b.param("nu", nu)}
	b.finite("mu", d.mu)
	b.positive("sigma", d.sigma)
	b.positive("nu", d.nu)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

// parts are z = (x-μ)/σ and the log of the exponential factor with its Φ:
// -(x-μ)/ν + σ²/(2ν²) + log Φ(z - σ/ν).
func (d *exGaussian) parts(x *tt) (z, e *tt) {
	r := tensor.Sub(x, d.mu)
	z = tensor.Div(r, d.sigma)
	e = tensor.Add(tensor.Sub(tensor.Div(tensor.Square(d.sigma), tensor.Mul(2.0, tensor.Square(d.nu))), tensor.Div(r, d.nu)),
		normLogCDF(tensor.Sub(z, tensor.Div(d.sigma, d.nu))))
	return z, e
}

func (d *exGaussian) Logp(x *tt) *tt {
	_, e := d.parts(x)
	return bound(tensor.Sub(e, tensor.Log(d.nu)), condPos(d.sigma), condPos(d.nu))
}

func (d *exGaussian) LogCDF(x *tt) *tt {
	z, e := d.parts(x)
	return logSubExp(normLogCDF(z), e)
}

func (d *exGaussian) LogCCDF(x *tt) *tt {
	z, e := d.parts(x)
	return logAddExp(normLogCDF(tensor.Neg(z)), e)
}

func (d *exGaussian) Random(rs *tensor.RandomStream, shape []int) *tt {
	s := rshape(shape, d.shape)
	return tensor.Add(rs.Normal(fill(d.mu, s), d.sigma), rs.Exponential(fill(tensor.Div(1.0, d.nu), s)))
}
func (d *exGaussian) Support() Support            { return Support{Kind: Real} }
func (d *exGaussian) DefaultTransform() Transform { return nil }
func (d *exGaussian) InitialValue(shape []int) *tt {
	return fill(tensor.Add(d.mu, d.nu), shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type gumbel struct {
	base
	mu, beta *tt
}

// Gumbel is the Gumbel (type I extreme value) distribution with location mu and scale beta.
// Its log-density is
//
//	log p(x) = -log β - z - e^(-z),   z = (x-μ)/β
//
// and log F(x) = -e^(-z). Support: real x. Constraints: β > 0. Mean μ + βγ, variance π²β²/6.
func Gumbel(mu, beta any) Dist {
	b := newBuilder("Gumbel")
	d := &gumbel{mu: b.param("mu", mu), beta: b.param("beta", beta)}
	b.finite("mu", d.mu)
	b.positive("beta", d.beta)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

func (d *gumbel) z(x *tt) *tt { return tensor.Div(tensor.Sub(x, d.mu), d.beta) }

func (d *gumbel) Logp(x *tt) *tt {
	z := d.z(x)
	lp := tensor.Neg(tensor.Add(tensor.Add(tensor.Log(d.beta), z), tensor.Exp(tensor.Neg(z))))
	return bound(lp, condPos(d.beta))
}

func (d *gumbel) LogCDF(x *tt) *tt  { return tensor.Neg(tensor.Exp(tensor.Neg(d.z(x)))) }
func (d *gumbel) LogCCDF(x *tt) *tt { return tensor.Log1mexp(d.LogCDF(x)) }

// ICDF is μ - β log(-log u).
func (d *gumbel) ICDF(u *tt) *tt {
	return tensor.Sub(d.mu, tensor.Mul(d.beta, tensor.Log(tensor.Neg(tensor.Log(u)))))
}

func (d *gumbel) Random(rs *tensor.RandomStream, shape []int) *tt {
	return d.ICDF(uniformLike(rs, shape, d.shape, d.mu))
}
func (d *gumbel) Support() Support            { return Support{Kind: Real} }
func (d *gumbel) DefaultTransform() Transform { return nil }
func (d *gumbel) InitialValue(shape []int) *tt {
	return fill(tensor.Add(d.mu, tensor.Mul(d.beta, eulerGamma)), shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type kumaraswamy struct {
	base
	a, b *tt
}

// Kumaraswamy is the Kumaraswamy distribution on (0, 1). Its log-density is
//
//	log p(x) = log a + log b + (a-1) log x + (b-1) log(1 - x^a)
//
// and its CDF is 1 - (1-x^a)^b. Support: 0 < x < 1 (log-odds transform). Constraints: a > 0,
// b > 0. Median (1 - 2^(-1/b))^(1/a).
func Kumaraswamy(a, b any) Dist {
	bl := newBuilder("Kumaraswamy")
	d := &kumaraswamy{a: bl.param("a", a), b: bl.param("b", b)}
	bl.positive("a", d.a)
	bl.positive("b", d.b)
	d.base = bl.base(bl.batch(), 0, tensor.Float64)
	return d
}

// log1mxa is log(1 - x^a) for x in (0, 1), through log1mexp(a log x).
func (d *kumaraswamy) log1mxa(x *tt) *tt { return tensor.Log1mexp(tensor.Mul(d.a, tensor.Log(x))) }

func (d *kumaraswamy) Logp(x *tt) *tt {
	in := condUnit(x)
	xs := x
	if in != nil {
		xs = safeWhere(in, x, 0.5)
	}
	lp := tensor.Add(tensor.Add(tensor.Log(d.a), tensor.Log(d.b)), tensor.Add(tensor.Mul(tensor.Sub(d.a, 1.0), tensor.Log(xs)),
		tensor.Mul(tensor.Sub(d.b, 1.0), d.log1mxa(xs))))
	return bound(lp, in, condPos(d.a), condPos(d.b))
}

// logS is log(1 - F(x)) = b log(1 - x^a), with the bounds of the support.
func (d *kumaraswamy) logS(x *tt) *tt {
	in := tensor.And(tensor.Gt(x, 0.0), tensor.Lt(x, 1.0))
	ls := tensor.Mul(d.b, d.log1mxa(safeWhere(in, x, 0.5)))
	return tensor.Switch(tensor.Le(x, 0.0), 0.0, tensor.Switch(tensor.Ge(x, 1.0), negInf, ls))
}

func (d *kumaraswamy) LogCDF(x *tt) *tt  { return tensor.Log1mexp(d.logS(x)) }
func (d *kumaraswamy) LogCCDF(x *tt) *tt { return d.logS(x) }

// ICDF is (1 - (1-u)^(1/b))^(1/a).
func (d *kumaraswamy) ICDF(u *tt) *tt {
	v := tensor.Neg(tensor.Expm1(tensor.Div(tensor.Log1p(tensor.Neg(u)), d.b)))
	return tensor.Exp(tensor.Div(tensor.Log(v), d.a))
}

func (d *kumaraswamy) Random(rs *tensor.RandomStream, shape []int) *tt {
	return d.ICDF(uniformLike(rs, shape, d.shape, tensor.Add(d.a, d.b)))
}
func (d *kumaraswamy) Support() Support            { return Support{Kind: UnitInterval} }
func (d *kumaraswamy) DefaultTransform() Transform { return LogOdds() }
func (d *kumaraswamy) InitialValue(shape []int) *tt {
	return fill(d.ICDF(tensor.Const(0.5)), shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type logitNormal struct {
	base
	mu, sigma *tt
}

// LogitNormal is the distribution of sigmoid(Y) for Y Normal(mu, sigma). Its log-density is
//
//	log p(x) = -log σ - log √(2π) - (logit x - μ)²/(2σ²) - log x - log(1-x)
//
// and its CDF is Φ((logit x - μ)/σ). Support: 0 < x < 1 (log-odds transform). Constraints: σ > 0.
// Median sigmoid(μ).
func LogitNormal(mu, sigma any) Dist {
	b := newBuilder("LogitNormal")
	d := &logitNormal{mu: b.param("mu", mu), sigma: b.param("sigma", sigma)}
	b.finite("mu", d.mu)
	b.positive("sigma", d.sigma)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

func (d *logitNormal) Logp(x *tt) *tt {
	in := condUnit(x)
	xs := x
	if in != nil {
		xs = safeWhere(in, x, 0.5)
	}
	z := tensor.Div(tensor.Sub(tensor.Logit(xs), d.mu), d.sigma)
	lp := tensor.Sub(tensor.Mul(-0.5, tensor.Square(z)), tensor.Add(tensor.Add(tensor.Log(d.sigma), logSqrt2Pi),
		tensor.Add(tensor.Log(xs), tensor.Log1p(tensor.Neg(xs)))))
	return bound(lp, in, condPos(d.sigma))
}

func (d *logitNormal) zAt(x *tt, sign float64) (*tt, *tt, *tt) {
	in := tensor.And(tensor.Gt(x, 0.0), tensor.Lt(x, 1.0))
	z := tensor.Mul(sign, tensor.Div(tensor.Sub(tensor.Logit(safeWhere(in, x, 0.5)), d.mu), d.sigma))
	return z, tensor.Le(x, 0.0), tensor.Ge(x, 1.0)
}

func (d *logitNormal) LogCDF(x *tt) *tt {
	z, lo, hi := d.zAt(x, 1)
	return tensor.Switch(lo, negInf, tensor.Switch(hi, 0.0, normLogCDF(z)))
}

func (d *logitNormal) LogCCDF(x *tt) *tt {
	z, lo, hi := d.zAt(x, -1)
	return tensor.Switch(lo, 0.0, tensor.Switch(hi, negInf, normLogCDF(z)))
}

// ICDF is sigmoid(μ + σ Φ⁻¹(u)).
func (d *logitNormal) ICDF(u *tt) *tt {
	return tensor.Sigmoid(tensor.Add(d.mu, tensor.Mul(d.sigma, ndtri(u))))
}

func (d *logitNormal) Random(rs *tensor.RandomStream, shape []int) *tt {
	return tensor.Sigmoid(rs.Normal(d.mu, d.sigma, rshape(shape, d.shape)...))
}
func (d *logitNormal) Support() Support            { return Support{Kind: UnitInterval} }
func (d *logitNormal) DefaultTransform() Transform { return LogOdds() }
func (d *logitNormal) InitialValue(shape []int) *tt {
	return fill(tensor.Sigmoid(d.mu), shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type moyal struct {
	base
	mu, sigma *tt
}

// Moyal is the Moyal distribution with location mu and scale sigma. Its log-density is
//
//	log p(x) = -(z + e^(-z))/2 - log σ - log √(2π),   z = (x-μ)/σ
//
// and its CDF is erfc(e^(-z/2)/√2). Support: real x. Constraints: σ > 0. Mean
// μ + σ(γ + log 2), variance π²σ²/2.
func Moyal(mu, sigma any) Dist {
	b := newBuilder("Moyal")
	d := &moyal{mu: b.param("mu", mu), sigma: b.param("sigma", sigma)}
	b.finite("mu", d.mu)
	b.positive("sigma", d.sigma)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

func (d *moyal) z(x *tt) *tt { return tensor.Div(tensor.Sub(x, d.mu), d.sigma) }

func (d *moyal) Logp(x *tt) *tt {
	z := d.z(x)
	lp := tensor.Sub(tensor.Mul(-0.5, tensor.Add(z, tensor.Exp(tensor.Neg(z)))), tensor.Add(tensor.Log(d.sigma), logSqrt2Pi))
	return bound(lp, condPos(d.sigma))
}

// LogCDF is log erfc(e^(-z/2)/√2) = log 2 + log Φ(-e^(-z/2)).
func (d *moyal) LogCDF(x *tt) *tt {
	return tensor.Add(math.Ln2, normLogCDF(tensor.Neg(tensor.Exp(tensor.Mul(-0.5, d.z(x))))))
}

// LogCCDF is log erf(e^(-z/2)/√2).
func (d *moyal) LogCCDF(x *tt) *tt {
	return tensor.Log(tensor.Erf(tensor.Mul(tensor.Exp(tensor.Mul(-0.5, d.z(x))), 1/math.Sqrt2)))
}

// ICDF is μ - 2σ log Φ⁻¹(1 - u/2).
func (d *moyal) ICDF(u *tt) *tt {
	return tensor.Sub(d.mu, tensor.Mul(tensor.Mul(2.0, d.sigma), tensor.Log(ndtri(tensor.Sub(1.0, tensor.Mul(u, 0.5))))))
}

func (d *moyal) Random(rs *tensor.RandomStream, shape []int) *tt {
	return d.ICDF(uniformLike(rs, shape, d.shape, d.mu))
}
func (d *moyal) Support() Support            { return Support{Kind: Real} }
func (d *moyal) DefaultTransform() Transform { return nil }
func (d *moyal) InitialValue(shape []int) *tt {
	return fill(tensor.Add(d.mu, tensor.Mul(d.sigma, eulerGamma+math.Ln2)), shapeOr(shape, d.shape))
}

// ---------------------------------------------------------------------------------------------

type rice struct {
	base
	nu, sigma *tt
}

// Rice is the Rice distribution: the length of a 2-d normal vector with mean at distance nu
// from the origin and standard deviation sigma in each coordinate. Its log-density is
//
//	log p(x) = log x - 2 log σ - (x² + ν²)/(2σ²) + log I₀(xν/σ²)
//
// Support: x > 0 (log transform). Constraints: ν >= 0, σ > 0. Mean σ√(π/2) L_{1/2}(-ν²/(2σ²)).
// Its CDF is 1 − Q₁(ν/σ, x/σ) with Q₁ the Marcum Q function (LogCDF, LogCCDF; PyMC has none), and
// its quantile function is found from it numerically (ICDF).
func Rice(nu, sigma any) Dist {
	b := newBuilder("Rice")
	d := &rice{nu: b.param("nu", nu), sigma: b.param("sigma", sigma)}
	b.nonNegative("nu", d.nu)
	b.positive("sigma", d.sigma)
	d.base = b.base(b.batch(), 0, tensor.Float64)
	return d
}

func (d *rice) Logp(x *tt) *tt {
	pos := condPos(x)
	xs := x
	if pos != nil {
		xs = safeWhere(pos, x, 1.0)
	}
	s2 := tensor.Square(d.sigma)
	lp := tensor.Sub(tensor.Log(xs), tensor.Log(s2))
	lp = tensor.Sub(lp, tensor.Div(tensor.Add(tensor.Square(xs), tensor.Square(d.nu)), tensor.Mul(2.0, s2)))
	lp = tensor.Add(lp, logI0(tensor.Div(tensor.Mul(xs, d.nu), s2)))
	return bound(lp, pos, condNonNeg(d.nu), condPos(d.sigma))
}

func (d *rice) Random(rs *tensor.RandomStream, shape []int) *tt {
	s := rshape(shape, d.shape)
	a := rs.Normal(fill(d.nu, s), d.sigma)
	b := rs.Normal(fill(tensor.ZerosLike(d.nu), s), d.sigma)
	return tensor.Sqrt(tensor.Add(tensor.Square(a), tensor.Square(b)))
}
func (d *rice) Support() Support            { return Support{Kind: Positive} }
func (d *rice) DefaultTransform() Transform { return Log() }

// InitialValue is the root mean square √(ν² + 2σ²).
func (d *rice) InitialValue(shape []int) *tt {
	return fill(tensor.Sqrt(tensor.Add(tensor.Square(d.nu), tensor.Mul(2.0, tensor.Square(d.sigma)))), shapeOr(shape, d.shape))
}
