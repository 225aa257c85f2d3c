package dist

import (
	"math"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// Log-CDFs, log complementary CDFs and quantile functions through the regularized incomplete
// gamma and beta functions (tensor.GammaInc, tensor.GammaIncC, tensor.BetaInc), which are
// differentiable in every parameter, and the remaining closed forms. Every branch a Switch
// discards is evaluated at a safe argument, so that gradients stay finite at the edges of the
// support.

var negInf = math.Inf(-1)

// safeWhere is x where cond holds and v elsewhere.
func safeWhere(cond, x *tt, v float64) *tt { return tensor.Switch(cond, x, v) }

// Gamma: F(x) = P(α, βx), 1 − F(x) = Q(α, βx) (DLMF 8.2.4; R: pgamma).

func (d *gamma) LogCDF(x *tt) *tt {
	pos := tensor.Gt(x, 0.0)
	return tensor.Switch(pos, tensor.Log(tensor.GammaInc(d.alpha, tensor.Mul(d.beta, safeWhere(pos, x, 1.0)))), negInf)
}

func (d *gamma) LogCCDF(x *tt) *tt {
	return tensor.Log(tensor.GammaIncC(d.alpha, tensor.Mul(d.beta, tensor.Maximum(x, 0.0))))
}

// ICDF is P⁻¹(α, u)/β.
func (d *gamma) ICDF(u *tt) *tt { return tensor.Div(quantile(qGamma, d.alpha, u), d.beta) }

// InverseGamma: F(x) = Q(α, β/x), 1 − F(x) = P(α, β/x).

func (d *invGamma) LogCDF(x *tt) *tt {
	pos := tensor.Gt(x, 0.0)
	return tensor.Switch(pos, tensor.Log(tensor.GammaIncC(d.alpha, tensor.Div(d.beta, safeWhere(pos, x, 1.0)))), negInf)
}

func (d *invGamma) LogCCDF(x *tt) *tt {
	pos := tensor.Gt(x, 0.0)
	return tensor.Switch(pos, tensor.Log(tensor.GammaInc(d.alpha, tensor.Div(d.beta, safeWhere(pos, x, 1.0)))), 0.0)
}

// ICDF is β / P⁻¹(α, 1−u).
func (d *invGamma) ICDF(u *tt) *tt {
	return tensor.Div(d.beta, quantile(qGamma, d.alpha, tensor.Sub(1.0, u)))
}

// Beta: F(x) = I_x(α, β), 1 − F(x) = I_{1−x}(β, α) (DLMF 8.17.2; R: pbeta).

func (d *betaDist) LogCDF(x *tt) *tt {
	in := tensor.And(tensor.Gt(x, 0.0), tensor.Lt(x, 1.0))
	lc := tensor.Log(tensor.BetaInc(d.alpha, d.beta, safeWhere(in, x, 0.5)))
	return tensor.Switch(tensor.Le(x, 0.0), negInf, tensor.Switch(tensor.Ge(x, 1.0), 0.0, lc))
}

func (d *betaDist) LogCCDF(x *tt) *tt {
	in := tensor.And(tensor.Gt(x, 0.0), tensor.Lt(x, 1.0))
	lc := tensor.Log(tensor.BetaInc(d.beta, d.alpha, tensor.Sub(1.0, safeWhere(in, x, 0.5))))
	return tensor.Switch(tensor.Le(x, 0.0), 0.0, tensor.Switch(tensor.Ge(x, 1.0), negInf, lc))
}

// ICDF is I⁻¹(α, β, u).
func (d *betaDist) ICDF(u *tt) *tt { return quantile(qBeta, d.alpha, d.beta, u) }

// StudentT: with z = (x−μ)/σ, P(T <= −|z|) = ½ I_{ν/(ν+z²)}(ν/2, ½) (Abramowitz & Stegun
// 26.7.1; R: pt). At z = 0 the argument of I is 1, where the derivative in z is taken as 0 (the
// true value is the density at the centre); everywhere else it is exact.
// HalfStudentT: F(x) = I_{z²/(ν+z²)}(½, ν/2) = 1 − 2 P(T <= −z).

// tLower is log P(T <= −|z|) for the standard t with ν degrees of freedom.
func tLower(nu, z *tt) *tt {
	z2 := tensor.Square(z)
	return tensor.Sub(tensor.Log(tensor.BetaInc(tensor.Mul(nu, 0.5), 0.5, tensor.Div(nu, tensor.Add(nu, z2)))), math.Ln2)
}

func (d *studentT) LogCDF(x *tt) *tt {
	z := tensor.Div(tensor.Sub(x, d.mu), d.sigma)
	if d.half {
		pos := tensor.Gt(z, 0.0)
		zs := safeWhere(pos, z, 1.0)
		z2 := tensor.Square(zs)
		lc := tensor.Log(tensor.BetaInc(0.5, tensor.Mul(d.nu, 0.5), tensor.Div(z2, tensor.Add(d.nu, z2))))
		return tensor.Switch(pos, lc, negInf)
	}
	lo := tLower(d.nu, z)
	return tensor.Switch(tensor.Lt(z, 0.0), lo, tensor.Log1mexp(lo))
}

func (d *studentT) LogCCDF(x *tt) *tt {
	z := tensor.Div(tensor.Sub(x, d.mu), d.sigma)
	lo := tLower(d.nu, z)
	if d.half {
		return tensor.Switch(tensor.Gt(z, 0.0), tensor.Add(lo, math.Ln2), 0.0)
	}
	return tensor.Switch(tensor.Gt(z, 0.0), lo, tensor.Log1mexp(lo))
}

// ICDF is μ + σ t_ν⁻¹(u) (for HalfStudentT σ t_ν⁻¹((1+u)/2)).
func (d *studentT) ICDF(u *tt) *tt {
	if d.half {
		return tensor.Mul(d.sigma, quantile(qStudentT, d.nu, tensor.Mul(tensor.Add(u, 1.0), 0.5)))
	}
	return tensor.Add(d.mu, tensor.Mul(d.sigma, quantile(qStudentT, d.nu, u)))
}

// Wald: F(x) = Φ(√(λ/x)(x/μ − 1)) + e^(2λ/μ) Φ(−√(λ/x)(x/μ + 1)) (Chhikara & Folks 1989,
// eq. 2.7; R: statmod::pinvgauss).

func (d *wald) cdfParts(x *tt) (pos, a, b, c *tt) {
	pos = tensor.Gt(x, 0.0)
	xs := safeWhere(pos, x, 1.0)
	r := tensor.Sqrt(tensor.Div(d.lam, xs))
	q := tensor.Div(xs, d.mu)
	return pos, tensor.Mul(r, tensor.Sub(q, 1.0)), tensor.Neg(tensor.Mul(r, tensor.Add(q, 1.0))), tensor.Div(tensor.Mul(2.0, d.lam), d.mu)
}

func (d *wald) LogCDF(x *tt) *tt {
	pos, a, b, c := d.cdfParts(x)
	return tensor.Switch(pos, logAddExp(normLogCDF(a), tensor.Add(c, normLogCDF(b))), negInf)
}

func (d *wald) LogCCDF(x *tt) *tt {
	pos, a, b, c := d.cdfParts(x)
	return tensor.Switch(pos, logSubExp(normLogCDF(tensor.Neg(a)), tensor.Add(c, normLogCDF(b))), 0.0)
}

// Triangular: F(x) = (x−a)²/((b−a)(c−a)) for a <= x < c, 1 − (b−x)²/((b−a)(b−c)) for
// c <= x <= b.

func (d *triangular) LogCDF(x *tt) *tt {
	a, b, c := d.lower, d.upper, d.c
	xc := tensor.Clip(x, a, b)
	w := tensor.Log(tensor.Sub(b, a))
	left := tensor.Sub(tensor.Mul(2.0, tensor.Log(tensor.Sub(xc, a))), tensor.Add(w, tensor.Log(tensor.Maximum(tensor.Sub(c, a), 1e-300))))
	right := tensor.Log1p(tensor.Neg(tensor.Div(tensor.Square(tensor.Sub(b, xc)), tensor.Mul(tensor.Sub(b, a), tensor.Maximum(tensor.Sub(b, c), 1e-300)))))
	return tensor.Switch(tensor.Lt(xc, c), left, right)
}

func (d *triangular) LogCCDF(x *tt) *tt {
	a, b, c := d.lower, d.upper, d.c
	xc := tensor.Clip(x, a, b)
	w := tensor.Log(tensor.Sub(b, a))
	left := tensor.Log1p(tensor.Neg(tensor.Div(tensor.Square(tensor.Sub(xc, a)), tensor.Mul(tensor.Sub(b, a), tensor.Maximum(tensor.Sub(c, a), 1e-300)))))
	right := tensor.Sub(tensor.Mul(2.0, tensor.Log(tensor.Sub(b, xc))), tensor.Add(w, tensor.Log(tensor.Maximum(tensor.Sub(b, c), 1e-300))))
	return tensor.Switch(tensor.Lt(xc, c), left, right)
}

// ICDF splits at F(c) = (c−a)/(b−a).
func (d *triangular) ICDF(u *tt) *tt {
	a, b, c := d.lower, d.upper, d.c
	fc := tensor.Div(tensor.Sub(c, a), tensor.Sub(b, a))
	l := tensor.Add(a, tensor.Sqrt(tensor.Mul(u, tensor.Mul(tensor.Sub(b, a), tensor.Sub(c, a)))))
	r := tensor.Sub(b, tensor.Sqrt(tensor.Mul(tensor.Sub(1.0, u), tensor.Mul(tensor.Sub(b, a), tensor.Sub(b, c)))))
	return tensor.Switch(tensor.Lt(u, fc), l, r)
}

// Bernoulli: F(k) = 1 − p for 0 <= k < 1, 1 for k >= 1.

func (d *bernoulli) logQ() *tt { // log(1 − p)
	if d.logit {
		return tensor.LogSigmoid(tensor.Neg(d.p))
	}
	return tensor.Log1p(tensor.Neg(d.p))
}

func (d *bernoulli) logP() *tt {
	if d.logit {
		return tensor.LogSigmoid(d.p)
	}
	return tensor.Log(d.p)
}

func (d *bernoulli) LogCDF(x *tt) *tt {
	x = xf(x)
	return tensor.Switch(tensor.Lt(x, 0.0), negInf, tensor.Switch(tensor.Ge(x, 1.0), 0.0, d.logQ()))
}

func (d *bernoulli) LogCCDF(x *tt) *tt {
	x = xf(x)
	return tensor.Switch(tensor.Lt(x, 0.0), 0.0, tensor.Switch(tensor.Ge(x, 1.0), negInf, d.logP()))
}

// ICDF is 1 where u > 1 − p, else 0.
func (d *bernoulli) ICDF(u *tt) *tt {
	return tensor.Cast(tensor.Gt(tensor.Log(u), d.logQ()), tensor.Float64)
}

// Binomial: F(k) = I_{1−p}(n−k, k+1) for 0 <= k < n (DLMF 8.17.5; R: pbinom).

// binomParts are ⌊x⌋ clamped into [0, n−1], and whether ⌊x⌋ is below 0 and at least n.
func binomK(x, n *tt) (k, below, above *tt) {
	f := tensor.Floor(xf(x))
	return tensor.Maximum(tensor.Minimum(f, tensor.Sub(n, 1.0)), 0.0), tensor.Lt(f, 0.0), tensor.Ge(f, n)
}

func (d *binomial) q() *tt { // 1 − p
	if d.logit {
		return tensor.Sigmoid(tensor.Neg(d.p))
	}
	return tensor.Sub(1.0, d.p)
}

func (d *binomial) LogCDF(x *tt) *tt {
	k, below, above := binomK(x, d.n)
	lc := tensor.Log(tensor.BetaInc(tensor.Maximum(tensor.Sub(d.n, k), 1.0), tensor.Add(k, 1.0), d.q()))
	return tensor.Switch(below, negInf, tensor.Switch(above, 0.0, lc))
}

func (d *binomial) LogCCDF(x *tt) *tt {
	k, below, above := binomK(x, d.n)
	lc := tensor.Log(tensor.BetaInc(tensor.Add(k, 1.0), tensor.Maximum(tensor.Sub(d.n, k), 1.0), d.prob()))
	return tensor.Switch(below, 0.0, tensor.Switch(above, negInf, lc))
}

// ICDF is the smallest k with F(k) >= u, found numerically.
func (d *binomial) ICDF(u *tt) *tt { return quantile(qBinomial, d.n, d.prob(), u) }

// NegativeBinomial: with p = α/(α+μ), F(k) = I_p(α, k+1) (R: pnbinom(k, size = α, mu = μ)).

func (d *negBinomial) LogCDF(x *tt) *tt {
	f := tensor.Floor(xf(x))
	p := tensor.Div(d.alpha, tensor.Add(d.alpha, d.mu))
	lc := tensor.Log(tensor.BetaInc(d.alpha, tensor.Add(tensor.Maximum(f, 0.0), 1.0), p))
	return tensor.Switch(tensor.Lt(f, 0.0), negInf, lc)
}

func (d *negBinomial) LogCCDF(x *tt) *tt {
	f := tensor.Floor(xf(x))
	q := tensor.Div(d.mu, tensor.Add(d.alpha, d.mu))
	lc := tensor.Log(tensor.BetaInc(tensor.Add(tensor.Maximum(f, 0.0), 1.0), d.alpha, q))
	return tensor.Switch(tensor.Lt(f, 0.0), 0.0, lc)
}

// ICDF is the smallest k with F(k) >= u, found numerically.
func (d *negBinomial) ICDF(u *tt) *tt {
	return quantile(qNegBinom, d.alpha, tensor.Div(d.alpha, tensor.Add(d.alpha, d.mu)), u)
}

// Poisson: ICDF is the smallest k with Q(k+1, μ) >= u, found numerically (the log-CDFs are in
// discrete.go).
func (d *poisson) ICDF(u *tt) *tt { return quantile(qPoisson, d.rate(), u) }

// DiscreteUniform: F(k) = (⌊k⌋ − lower + 1)/(upper − lower + 1) on [lower, upper].

func (d *discreteUniform) LogCDF(x *tt) *tt {
	n := tensor.Add(tensor.Sub(d.upper, d.lower), 1.0)
	c := tensor.Clip(tensor.Div(tensor.Add(tensor.Sub(tensor.Floor(xf(x)), d.lower), 1.0), n), 0.0, 1.0)
	return tensor.Log(c)
}

func (d *discreteUniform) LogCCDF(x *tt) *tt {
	n := tensor.Add(tensor.Sub(d.upper, d.lower), 1.0)
	c := tensor.Clip(tensor.Div(tensor.Sub(d.upper, tensor.Floor(xf(x))), n), 0.0, 1.0)
	return tensor.Log(c)
}

// ICDF is lower − 1 + ⌈u (upper − lower + 1)⌉, at least lower.
func (d *discreteUniform) ICDF(u *tt) *tt {
	n := tensor.Add(tensor.Sub(d.upper, d.lower), 1.0)
	return tensor.Maximum(tensor.Add(tensor.Sub(d.lower, 1.0), tensor.Ceil(tensor.Mul(u, n))), d.lower)
}

// Cauchy: ICDF is α + β tan(π(u − ½)); HalfCauchy's is β tan(πu/2).
func (d *cauchy) ICDF(u *tt) *tt {
	if d.half {
		a := tensor.Mul(u, math.Pi/2)
		return tensor.Mul(d.beta, tensor.Div(tensor.Sin(a), tensor.Cos(a)))
	}
	a := tensor.Mul(tensor.Sub(u, 0.5), math.Pi)
	return tensor.Add(d.alpha, tensor.Mul(d.beta, tensor.Div(tensor.Sin(a), tensor.Cos(a))))
}

// Laplace: ICDF is μ − b sign(u − ½) log(1 − 2|u − ½|).
func (d *laplace) ICDF(u *tt) *tt {
	c := tensor.Sub(u, 0.5)
	return tensor.Sub(d.mu, tensor.Mul(tensor.Mul(d.b, tensor.Sign(c)), tensor.Log1p(tensor.Mul(-2.0, tensor.Abs(c)))))
}
