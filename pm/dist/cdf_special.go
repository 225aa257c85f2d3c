package dist

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/mathext"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// Log-CDFs that need a special function package tensor does not have: the Marcum Q function
// (Rice), Owen's T function (SkewNormal) and the beta-binomial sum. Each is an elementwise op
// computed in log space, so that both tails keep their digits, with its gradient built from
// closed forms.

const (
	spRiceCDF       uint8 = iota // (a, b): log(1 − Q₁(a, b))
	spRiceCCDF                   // (a, b): log Q₁(a, b)
	spSkewNormalCDF              // (z, α): log F(z; α), the standard skew-normal CDF
)

// specialOp is one of the log-CDFs above; its inputs are float64 tensors of one shape.
type specialOp struct{ kind uint8 }

// String implements tensor.Op.
func (o specialOp) String() string {
	return [...]string{"rice_logcdf", "rice_logccdf", "skewnormal_logcdf"}[o.kind]
}

// Infer implements tensor.Op.
func (o specialOp) Infer(in []tensor.Type) ([]tensor.Type, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("dist: %s takes 2 inputs, got %d", o, len(in))
	}
	return sameShapes(o.String(), in)
}

// Kernel implements tensor.Op.
func (o specialOp) Kernel(spec tensor.KernelSpec) (tensor.Kernel, error) {
	if err := sameSizes(o, spec); err != nil {
		return nil, err
	}
	return func(out, in []*tensor.Array) error {
		y, p, q := out[0].Data, in[0].Data, in[1].Data
		for i := range y {
			switch o.kind {
			case spRiceCDF:
				y[i] = logMarcumP(p[i], q[i])
			case spRiceCCDF:
				y[i] = logMarcumQ(p[i], q[i])
			case spSkewNormalCDF:
				y[i] = skewNormalLogCDF(p[i], q[i])
			}
		}
		return nil
	}, nil
}

// Grad implements tensor.Op. The derivatives are closed forms in ops that have gradients
// themselves.
//
// Marcum: ∂Q₁/∂b = −b e^(−(a²+b²)/2) I₀(ab), ∂Q₁/∂a = b e^(−(a²+b²)/2) I₁(ab) (Marcum 1950;
// DLMF 10.29 for I₀' = I₁).
// Skew-normal: ∂F/∂z = 2φ(z)Φ(αz), ∂F/∂α = −e^(−z²(1+α²)/2)/(π(1+α²)) (the derivative of
// −2T(z, α) in its upper limit).
func (o specialOp) Grad(in, out, gout []*tensor.Tensor) []*tensor.Tensor {
	x, y, lf, g := in[0], in[1], out[0], gout[0]
	switch o.kind {
	case spRiceCDF, spRiceCCDF:
		a, b := x, y
		ab := tensor.Mul(a, b)
		// b e^(−(a²+b²)/2) I₀(ab) / F, with the scaled Bessel function to avoid overflow.
		e := tensor.Sub(tensor.Sub(logI0(ab), ab), tensor.Mul(0.5, tensor.Square(tensor.Sub(a, b))))
		e = tensor.Mul(b, tensor.Exp(tensor.Sub(e, lf)))
		ratio := tensor.Apply1(unaryOp{kind: opBesselR}, ab)
		da, db := tensor.Mul(e, ratio), tensor.Neg(e)
		if o.kind == spRiceCDF {
			da, db = tensor.Neg(da), e
		}
		return []*tensor.Tensor{tensor.Mul(g, da), tensor.Mul(g, db)}
	}
	z, al := x, y
	dz := tensor.Exp(tensor.Sub(tensor.Add(tensor.Sub(tensor.Mul(-0.5, tensor.Square(z)), logSqrt2Pi-math.Ln2), normLogCDF(tensor.Mul(al, z))), lf))
	a2 := tensor.Add(1.0, tensor.Square(al))
	da := tensor.Neg(tensor.Exp(tensor.Sub(tensor.Sub(tensor.Mul(-0.5, tensor.Mul(tensor.Square(z), a2)), tensor.Add(tensor.Log(a2), math.Log(math.Pi))), lf)))
	return []*tensor.Tensor{tensor.Mul(g, dz), tensor.Mul(g, da)}
}

// special applies a specialOp after broadcasting its inputs to one float64 shape.
func special(kind uint8, args ...*tt) *tt {
	for i, a := range args {
		args[i] = tensor.Cast(a, tensor.Float64)
	}
	return tensor.Apply1(specialOp{kind: kind}, broadcastAll(args)...)
}

// lae is log(e^a + e^b) for float64s.
func lae(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(a, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// logGammaP is log P(s, x), the regularized lower incomplete gamma function, accurate where it
// is tiny: below x = s+1 by its power series P = xˢe⁻ˣ/Γ(s+1) Σₙ xⁿ/((s+1)…(s+n)) (DLMF 8.7.1)
// summed with the prefactor in logs, above it as log(1 − Q) with Q <= ½ or so.
func logGammaP(s, x float64) float64 {
	switch {
	case math.IsNaN(s) || math.IsNaN(x):
		return math.NaN()
	case x <= 0:
		return math.Inf(-1)
	case x >= s+1:
		return math.Log1p(-mathext.GammaIncRegComp(s, x))
	}
	sum, term := 1.0, 1.0
	for n := 1.0; n < 1e7; n++ {
		term *= x / (s + n)
		sum += term
		if term < sum*1e-17 {
			break
		}
	}
	lg, _ := math.Lgamma(s + 1)
	return s*math.Log(x) - x - lg + math.Log(sum)
}

// logPois is log of the Poisson(μ) mass at the integer k >= 0, with lmu = log μ.
func logPois(k, mu, lmu float64) float64 {
	if k == 0 {
		return -mu
	}
	lg, _ := math.Lgamma(k + 1)
	return k*lmu - mu - lg
}

// logSkellamTail is log P(X >= Y + s) for independent X ~ Poisson(mx), Y ~ Poisson(my) and
// s = 0 or 1, as Σ_y P(Y = y) P(X >= y+s). Each term is the product of two log-concave
// sequences, so the terms rise to one peak and fall; they are summed in logs from above the
// bulk of Y downwards, with P(X >= k) found once by logGammaP and then by the stable
// recursion P(X >= k−1) = P(X >= k) + P(X = k−1), until they are negligible past the peak.
// The work is O(√my) terms in the bulk and at most O(my) in a far tail.
func logSkellamTail(mx, my float64, s float64) float64 {
	if math.IsNaN(mx) || math.IsNaN(my) || mx < 0 || my < 0 || math.IsInf(mx+my, 0) {
		return math.NaN()
	}
	logSurv := func(k float64) float64 { // log P(X >= k)
		if k <= 0 {
			return 0
		}
		if mx == 0 {
			return math.Inf(-1)
		}
		return logGammaP(k, mx)
	}
	if my == 0 {
		return logSurv(s)
	}
	lmx, lmy := math.Log(mx), math.Log(my)
	yHi := math.Ceil(my + 10*math.Sqrt(my) + 20)
	// In a far tail the peak is far below the bulk of Y: it is found by bisection on the sign of
	// the terms' differences (which fall, the terms being log-concave), and the sum starts where
	// the terms above it are negligible, so that the work stays O(√my + log my).
	term := func(y float64) float64 { return logPois(y, my, lmy) + logSurv(y+s) }
	lo, hi := 0.0, yHi
	for hi-lo > 1 {
		mid := math.Floor((lo + hi) / 2)
		if term(mid) >= term(mid-1) {
			lo = mid
		} else {
			hi = mid
		}
	}
	tp := term(lo)
	for top, step := lo, 1.0; top < yHi; step *= 2 {
		top = math.Min(yHi, top+step)
		if term(top) < tp-45 {
			yHi = top
			break
		}
	}
	ls := logSurv(yHi + s)
	total, peak := math.Inf(-1), math.Inf(-1)
	for y := yHi; y >= 0; y-- {
		term := logPois(y, my, lmy) + ls
		total = lae(total, term)
		if term > peak {
			peak = term
		} else if term < total-42 {
			break
		}
		if k := y - 1 + s; k < 0 {
			ls = 0
		} else if mx > 0 || k == 0 {
			ls = lae(ls, logPois(k, mx, lmx))
		}
	}
	return total
}

// logMarcumQ is log Q₁(a, b), the Marcum Q function of order 1: the upper tail P(χ'² > b²) of
// the noncentral chi-squared with 2 degrees of freedom and noncentrality a². As a Poisson
// mixture of central chi-squared tails it is Q₁(a, b) = P(J >= I) with J ~ Poisson(a²/2) and
// I ~ Poisson(b²/2) independent (Marcum 1950; Johnson, Kotz & Balakrishnan, ch. 29).
func logMarcumQ(a, b float64) float64 {
	return logComplemented(logSkellamTail(a*a/2, b*b/2, 0), func() float64 { return logSkellamTail(b*b/2, a*a/2, 1) })
}

// logMarcumP is log(1 − Q₁(a, b)) = log P(I >= J + 1), summed directly so that a small lower
// tail keeps its digits.
func logMarcumP(a, b float64) float64 {
	return logComplemented(logSkellamTail(b*b/2, a*a/2, 1), func() float64 { return logSkellamTail(a*a/2, b*b/2, 0) })
}

// logComplemented returns lp, the log of a probability, unless it is above log ½: there a sum
// near 1 has only absolute accuracy, and log(1 − e^(other())) of the complementary
// probability, which is below ½ and accurate relatively, is returned instead.
func logComplemented(lp float64, other func() float64) float64 {
	if lp > -math.Ln2 {
		return math.Log1p(-math.Exp(other()))
	}
	return lp
}

// Gauss-Legendre nodes and weights on [-1, 1] for logOwenJ.
var glX, glW = func() ([]float64, []float64) {
	x, w := make([]float64, 20), make([]float64, 20)
	quad.Legendre{}.FixedLocations(x, w, -1, 1)
	return x, w
}()

// logOwenJ is log (1/2π) ∫_{t1}^{t2} exp(−h²/(2cos²θ)) dθ for 0 <= t1 <= t2 <= π/2. With
// t1 = 0 it is Owen's T function T(h, tan t2) in its angular form (x = tan θ in
// T(h, a) = (1/2π) ∫₀ᵃ e^(−h²(1+x²)/2)/(1+x²) dx, Owen 1956); with t2 = π/2 and t1 = 0 it is
// Φ(−|h|)/2. The integrand is positive and falls from its maximum at t1, so the integral is
// computed as e^(g(t1)) times a Gauss-Legendre sum over panels that start at the width of the
// boundary layer at t1 and double, stopping when the rest is below 1e-17 of the sum: no
// differences of nearly equal terms, so tiny values keep their relative accuracy.
func logOwenJ(h, t1, t2 float64) float64 {
	if math.IsNaN(h) || math.IsNaN(t1) || math.IsNaN(t2) {
		return math.NaN()
	}
	if !(t2 > t1) {
		return math.Inf(-1)
	}
	h2 := h * h
	if math.IsInf(h2, 0) {
		return math.Inf(-1)
	}
	c1 := math.Cos(t1)
	g0 := -h2 / (2 * c1 * c1)
	logf := func(t float64) float64 { c := math.Cos(t); return -h2/(2*c*c) - g0 }
	rate := h2*math.Tan(t1)/(c1*c1) + math.Abs(h) + 1
	w := math.Min(t2-t1, 0.25/rate)
	f := func(t float64) float64 { return math.Exp(logf(t)) }
	var panels [][3]float64 // a, b, and the sum over [a, b]
	sum := 0.0
	for a := t1; a < t2; w *= 2 {
		b := math.Min(a+w, t2)
		s := glSum(f, a, b)
		panels = append(panels, [3]float64{a, b, s})
		sum += s
		if f(b)*(t2-b) < 1e-17*sum {
			break
		}
		a = b
	}
	// The second pass bisects the panels where the rule has not converged: near π/2 the
	// integrand turns to 0 over a width of about |h|, which the doubling panels do not follow.
	tot := 0.0
	for _, p := range panels {
		tot += glAdapt(f, p[0], p[1], p[2], 1e-16*sum, 0)
	}
	if !(tot > 0) {
		// The boundary layer at t1 is narrower than the resolution of t1 (|h| and |α| both
		// huge): the leading term of the endpoint expansion, e^(g(t1))/|g'(t1)|.
		return g0 - math.Log(rate) - math.Log(2*math.Pi)
	}
	return g0 + math.Log(tot) - math.Log(2*math.Pi)
}

// glSum is the 20-point Gauss-Legendre sum of f over [a, b].
func glSum(f func(float64) float64, a, b float64) float64 {
	mid, half := (a+b)/2, (b-a)/2
	s := 0.0
	for i, xi := range glX {
		s += glW[i] * f(mid+half*xi)
	}
	return s * half
}

// glAdapt refines whole, the Gauss-Legendre sum of f over [a, b], by bisection until the two
// halves agree with it within tol.
func glAdapt(f func(float64) float64, a, b, whole, tol float64, depth int) float64 {
	m := (a + b) / 2
	l, r := glSum(f, a, m), glSum(f, m, b)
	if depth >= 30 || math.Abs(l+r-whole) <= tol {
		return l + r
	}
	return glAdapt(f, a, m, l, tol, depth+1) + glAdapt(f, m, b, r, tol, depth+1)
}

// logPhi is log Φ(z) for a float64, with the asymptotic series of Mills' ratio far in the lower
// tail (Abramowitz & Stegun 26.2.12).
func logPhi(z float64) float64 {
	if z > -35 {
		return math.Log(0.5 * math.Erfc(-z/math.Sqrt2))
	}
	r := 1 / (z * z)
	s := 1 - r*(1-r*(3-r*(15-r*105)))
	return -z*z/2 - math.Log(-z) - 0.5*math.Log(2*math.Pi) + math.Log(s)
}

// skewNormalLogCDF is log F(z; α) for the standard skew-normal, F(z; α) = Φ(z) − 2T(z, α)
// (Azzalini 1985). With θ = arctan|α| and J(θ₁, θ₂) the integral of logOwenJ, F is written as
// a sum of positive terms in every quadrant, so that neither tail cancels:
//
//	z <= 0, α >= 0:  2J(θ, π/2)
//	z <= 0, α < 0:   Φ(z) + 2J(0, θ)
//	z > 0,  α <= 0:  1 − 2J(θ, π/2)
//	z > 0,  α > 0:   erf(z/√2) + 2J(θ, π/2)
//
// from Φ(z) = 2J(0, π/2) for z <= 0, T(z, α) = sign(α) J(0, θ) and 1 − F(z; α) = F(−z; −α).
func skewNormalLogCDF(z, al float64) float64 {
	return logComplemented(skewNormalLogCDFSum(z, al), func() float64 { return skewNormalLogCDFSum(-z, -al) })
}

// skewNormalLogCDFSum is log F(z; α) by the sums of skewNormalLogCDF.
func skewNormalLogCDFSum(z, al float64) float64 {
	if math.IsNaN(z) || math.IsNaN(al) {
		return math.NaN()
	}
	if math.IsInf(z, 0) {
		if z > 0 {
			return 0
		}
		return math.Inf(-1)
	}
	th := math.Atan(math.Abs(al))
	switch {
	case z <= 0 && al >= 0:
		return math.Ln2 + logOwenJ(z, th, math.Pi/2)
	case z <= 0:
		return lae(logPhi(z), math.Ln2+logOwenJ(z, 0, th))
	case al <= 0:
		return math.Log1p(-2 * math.Exp(logOwenJ(z, th, math.Pi/2)))
	}
	return lae(math.Log(math.Erf(z/math.Sqrt2)), math.Ln2+logOwenJ(z, th, math.Pi/2))
}

// Rice: F(x) = 1 − Q₁(ν/σ, x/σ) (R: VGAM::price, pchisq(x²/σ², 2, ncp = ν²/σ²)).

func (d *rice) marcum(kind uint8, x *tt) (pos, lc *tt) {
	pos = tensor.Gt(x, 0.0)
	return pos, special(kind, tensor.Div(d.nu, d.sigma), tensor.Div(safeWhere(pos, x, 1.0), d.sigma))
}

// LogCDF is log(1 − Q₁(ν/σ, x/σ)).
func (d *rice) LogCDF(x *tt) *tt {
	pos, lc := d.marcum(spRiceCDF, x)
	return tensor.Switch(pos, lc, negInf)
}

// LogCCDF is log Q₁(ν/σ, x/σ).
func (d *rice) LogCCDF(x *tt) *tt {
	pos, lc := d.marcum(spRiceCCDF, x)
	return tensor.Switch(pos, lc, 0.0)
}

// ICDF is σ times the Rice(ν/σ, 1) quantile, found by a safeguarded Newton iteration on the
// log-CDF (below u = ½) or the log-CCDF (above it).
func (d *rice) ICDF(u *tt) *tt {
	return tensor.Mul(d.sigma, quantile(qRice, tensor.Div(d.nu, d.sigma), u))
}

// SkewNormal: F(x) = Φ(z) − 2T(z, α) with z = (x−μ)/σ and T Owen's T function; 1 − F(x) =
// F(−z; −α).

// LogCDF is log F(z; α).
func (d *skewNormal) LogCDF(x *tt) *tt {
	z := tensor.Div(tensor.Sub(x, d.mu), d.sigma)
	return special(spSkewNormalCDF, z, d.alpha)
}

// LogCCDF is log F(−z; −α).
func (d *skewNormal) LogCCDF(x *tt) *tt {
	z := tensor.Div(tensor.Sub(x, d.mu), d.sigma)
	return special(spSkewNormalCDF, tensor.Neg(z), tensor.Neg(d.alpha))
}

// ICDF is μ + σ z with z the standard skew-normal quantile, found by a safeguarded Newton
// iteration on the log-CDF (below u = ½) or the log-CCDF (above it).
func (d *skewNormal) ICDF(u *tt) *tt {
	return tensor.Add(d.mu, tensor.Mul(d.sigma, quantile(qSkewNormal, d.alpha, u)))
}

// bbOp is the beta-binomial log-CDF (upper false) or log-CCDF (upper true) of its inputs
// (n, α, β, x), or with wrt = 1 or 2 its derivative in α or β. The CDF is the sum of the
// probabilities over 0..⌊x⌋ (the CCDF over ⌊x⌋+1..n), added in logs; its derivative is the
// average over the same values of the score ∂ log p(k)/∂α = ψ(k+α) − ψ(n+α+β) − ψ(α) + ψ(α+β)
// (∂/∂β: ψ(n−k+β) − ψ(n+α+β) − ψ(β) + ψ(α+β)) weighted by p(k). The work is O(n) per value.
type bbOp struct {
	upper bool
	wrt   uint8
}

// String implements tensor.Op.
func (o bbOp) String() string {
	s := [...]string{"betabinomial_logcdf", "betabinomial_dlogcdf_dalpha", "betabinomial_dlogcdf_dbeta"}[o.wrt]
	if o.upper {
		s += "_upper"
	}
	return s
}

// Infer implements tensor.Op.
func (o bbOp) Infer(in []tensor.Type) ([]tensor.Type, error) {
	if len(in) != 4 {
		return nil, fmt.Errorf("dist: %s takes 4 inputs, got %d", o, len(in))
	}
	return sameShapes(o.String(), in)
}

// Kernel implements tensor.Op.
func (o bbOp) Kernel(spec tensor.KernelSpec) (tensor.Kernel, error) {
	if err := sameSizes(o, spec); err != nil {
		return nil, err
	}
	return func(out, in []*tensor.Array) error {
		y := out[0].Data
		for i := range y {
			y[i] = betaBinomTail(o, in[0].Data[i], in[1].Data[i], in[2].Data[i], in[3].Data[i])
		}
		return nil
	}, nil
}

func betaBinomTail(o bbOp, n, a, b, x float64) float64 {
	if math.IsNaN(n+a+b+x) || !(a > 0 && b > 0 && n >= 0) || n != math.Floor(n) {
		return math.NaN()
	}
	lo, hi := 0.0, math.Floor(x)
	if o.upper {
		lo, hi = math.Floor(x)+1, n
	}
	lo, hi = math.Max(lo, 0), math.Min(hi, n)
	switch {
	case lo > hi && o.wrt == 0:
		return math.Inf(-1)
	case lo > hi || (lo == 0 && hi == n):
		return 0 // the whole support: log 1, with derivative 0
	}
	logp := betaBinomLogPMF(n, a, b)
	// The largest term first, so the sum is of numbers at most 1.
	m := math.Inf(-1)
	mode := math.Max(lo, math.Min(hi, math.Floor((n+1)*a/(a+b))))
	for _, k := range []float64{lo, hi, mode} {
		m = math.Max(m, logp(k))
	}
	ab, nab := mathext.Digamma(a+b), mathext.Digamma(n+a+b)
	da, db := mathext.Digamma(a), mathext.Digamma(b)
	s, sd := 0.0, 0.0
	for k := lo; k <= hi; k++ {
		w := math.Exp(logp(k) - m)
		s += w
		switch o.wrt {
		case 1:
			sd += w * (mathext.Digamma(k+a) - nab - da + ab)
		case 2:
			sd += w * (mathext.Digamma(n-k+b) - nab - db + ab)
		}
	}
	if o.wrt == 0 {
		if lp := m + math.Log(s); lp > -math.Ln2 {
			return math.Log1p(-math.Exp(betaBinomTail(bbOp{upper: !o.upper}, n, a, b, x)))
		}
		return m + math.Log(s)
	}
	return sd / s
}

// betaBinomLogPMF is k ↦ log p(k) of BetaBinomial(n, a, b) for float64s:
// log C(n, k) + log B(k+a, n−k+b) − log B(a, b).
func betaBinomLogPMF(n, a, b float64) func(k float64) float64 {
	lgn, _ := math.Lgamma(n + 1)
	lb := lbetaF(a, b)
	return func(k float64) float64 {
		lk, _ := math.Lgamma(k + 1)
		lnk, _ := math.Lgamma(n - k + 1)
		return lgn - lk - lnk + lbetaF(k+a, n-k+b) - lb
	}
}

// lbetaF is log B(a, b) for float64s.
func lbetaF(a, b float64) float64 {
	x, _ := math.Lgamma(a)
	y, _ := math.Lgamma(b)
	z, _ := math.Lgamma(a + b)
	return x + y - z
}

// Grad implements tensor.Op: the derivative ops in α and β; none in n and x (integers), and
// the derivative ops have no derivatives of their own.
func (o bbOp) Grad(in, out, gout []*tensor.Tensor) []*tensor.Tensor {
	gs := make([]*tensor.Tensor, 4)
	if o.wrt != 0 {
		return gs
	}
	gs[1] = tensor.Mul(gout[0], tensor.Apply1(bbOp{upper: o.upper, wrt: 1}, in...))
	gs[2] = tensor.Mul(gout[0], tensor.Apply1(bbOp{upper: o.upper, wrt: 2}, in...))
	return gs
}

func (d *betaBinomial) tail(upper bool, x *tt) *tt {
	args := []*tt{d.n, d.alpha, d.beta, xf(x)}
	for i, a := range args {
		args[i] = tensor.Cast(a, tensor.Float64)
	}
	return tensor.Apply1(bbOp{upper: upper}, broadcastAll(args)...)
}

// LogCDF is log Σ_{k=0}^{⌊x⌋} p(k), -Inf below 0 and 0 from n on.
func (d *betaBinomial) LogCDF(x *tt) *tt { return d.tail(false, x) }

// LogCCDF is log Σ_{k=⌊x⌋+1}^{n} p(k), 0 below 0 and -Inf from n on.
func (d *betaBinomial) LogCCDF(x *tt) *tt { return d.tail(true, x) }

// ICDF is the smallest k with F(k) >= u, by adding the probabilities from the nearer end.
func (d *betaBinomial) ICDF(u *tt) *tt { return quantile(qBetaBinom, d.n, d.alpha, d.beta, u) }

// ZeroInflatedPoisson: F(x) = 1 − ψ + ψ Q(⌊x⌋+1, μ) for x >= 0, 1 − F(x) = ψ P(⌊x⌋+1, μ).

func (d *zip) pois() *poisson { return &poisson{mu: d.mu} }

// LogCDF is log(1 − ψ + ψ F_Poisson(x)), -Inf below 0.
func (d *zip) LogCDF(x *tt) *tt {
	x = xf(x)
	lc := logAddExp(tensor.Log1p(tensor.Neg(d.psi)), tensor.Add(tensor.Log(d.psi), d.pois().LogCDF(tensor.Maximum(x, 0.0))))
	return tensor.Switch(tensor.Lt(x, 0.0), negInf, lc)
}

// LogCCDF is log ψ + log P(Poisson > x), 0 below 0.
func (d *zip) LogCCDF(x *tt) *tt {
	x = xf(x)
	return tensor.Switch(tensor.Lt(x, 0.0), 0.0, tensor.Add(tensor.Log(d.psi), d.pois().LogCCDF(tensor.Maximum(x, 0.0))))
}

// ICDF is the Poisson(μ) quantile at 1 − (1 − u)/ψ (0 where that is negative): F(k) >= u if and
// only if F_Poisson(k) >= 1 − (1 − u)/ψ. At ψ = 0 it is 0.
func (d *zip) ICDF(u *tt) *tt {
	pos := tensor.Gt(d.psi, 0.0)
	v := tensor.Maximum(tensor.Sub(1.0, tensor.Div(tensor.Sub(1.0, u), safeWhere(pos, d.psi, 1.0))), 0.0)
	return tensor.Switch(pos, quantile(qPoisson, d.mu, v), 0.0)
}
