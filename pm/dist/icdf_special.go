package dist

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// Quantile functions of the distributions whose CDFs are in cdf_special.go: Rice and
// SkewNormal by a safeguarded Newton iteration on the log-CDF, BetaBinomial by summing its
// probabilities. Below u = ½ the equation solved is log F(x) = log u, above it
// log(1 − F(x)) = log(1 − u) (1 − u is exact there), so that a quantile of u = 1e-12 or
// 1 − 1e-12 is found to the accuracy of the log-CDF, not of 1 − F.

// logTailRoot is the root of the increasing function g, which returns g(x) and g'(x). It
// brackets the root by steps from x0 that double in length, then takes Newton steps, falling
// back to bisection when a step leaves the bracket.
func logTailRoot(g func(x float64) (v, d float64), x0, step float64) float64 {
	v0, _ := g(x0)
	if v0 == 0 {
		return x0
	}
	lo, hi := x0, x0
	vlo, vhi := v0, v0
	dir := 1.0
	if v0 > 0 {
		dir = -1
	}
	if math.IsNaN(v0) {
		return math.NaN()
	}
	for i := 0; ; i++ {
		x := x0 + dir*step
		if i > 2100 || math.IsInf(x, 0) {
			return x
		}
		v, _ := g(x)
		if math.IsNaN(v) {
			return math.NaN()
		}
		if dir > 0 {
			lo, vlo, hi, vhi = x0, v0, x, v
		} else {
			lo, vlo, hi, vhi = x, v, x0, v0
		}
		if (v >= 0) == (dir > 0) {
			break
		}
		x0, v0, step = x, v, 2*step
	}
	// Newton from the end nearer the root; a step that is below 1e-10 of x leaves an error of
	// its square, so it is the last.
	x := lo
	if math.Abs(vhi) < math.Abs(vlo) {
		x = hi
	}
	for i := 0; i < 300; i++ {
		v, d := g(x)
		switch {
		case v == 0:
			return x
		case v < 0:
			lo = x
		default:
			hi = x
		}
		xn := x - v/d
		newton := xn > lo && xn < hi
		if !newton {
			xn = lo + (hi-lo)/2
		}
		if (newton && math.Abs(xn-x) <= 1e-10*math.Abs(xn)) || hi-lo <= 4e-16*math.Max(math.Abs(lo), math.Abs(hi)) || xn == lo || xn == hi {
			return xn
		}
		x = xn
	}
	return x
}

// riceQuantile is the quantile of Rice(a, 1) at u: the x with 1 − Q₁(a, x) = u, solved for
// t = log x, in which the lower tail log F ≈ 2t + c is linear. The derivative of log F in t is
// x p(x)/F(x) with log p(x) = log x − (x² + a²)/2 + log I₀(ax).
func riceQuantile(a, u float64) float64 {
	switch {
	case !(a >= 0) || !(u >= 0 && u <= 1):
		return math.NaN()
	case u == 0:
		return 0
	case u == 1:
		return math.Inf(1)
	}
	logp := func(x float64) float64 { return math.Log(x) - (x-a)*(x-a)/2 - a*x + logBesselI0(a*x) }
	upper, target := u > 0.5, math.Log(u)
	if upper {
		target = math.Log1p(-u)
	}
	g := func(t float64) (float64, float64) {
		x := math.Exp(t)
		if upper {
			lq := logMarcumQ(a, x)
			return target - lq, math.Exp(t + logp(x) - lq)
		}
		lf := logMarcumP(a, x)
		return lf - target, math.Exp(t + logp(x) - lf)
	}
	// The Rayleigh quantile (exact at a = 0) or the normal approximation a + Φ⁻¹(u).
	x0 := math.Max(a+mathext.NormalQuantile(u), math.Sqrt(-2*math.Log1p(-u)))
	if upper {
		x0 = math.Max(a-mathext.NormalQuantile(1-u), math.Sqrt(-2*target))
	}
	return math.Exp(logTailRoot(g, math.Log(x0), 0.5))
}

// skewNormalQuantile is the quantile of the standard skew-normal with shape α at u, starting
// from the normal approximation with its mean δ√(2/π) and variance 1 − 2δ²/π.
func skewNormalQuantile(al, u float64) float64 {
	switch {
	case math.IsNaN(al) || math.IsInf(al, 0) || !(u >= 0 && u <= 1):
		return math.NaN()
	case u == 0:
		return math.Inf(-1)
	case u == 1:
		return math.Inf(1)
	}
	logp := func(z float64) float64 { return math.Ln2 - z*z/2 - logSqrt2Pi + logPhi(al*z) }
	upper, target := u > 0.5, math.Log(u)
	if upper {
		target = math.Log1p(-u)
	}
	g := func(z float64) (float64, float64) {
		if upper {
			ls := skewNormalLogCDF(-z, -al)
			return target - ls, math.Exp(logp(z) - ls)
		}
		lf := skewNormalLogCDF(z, al)
		return lf - target, math.Exp(logp(z) - lf)
	}
	dl := al / math.Sqrt(1+al*al)
	z0 := dl*math.Sqrt(2/math.Pi) + mathext.NormalQuantile(u)*math.Sqrt(1-2*dl*dl/math.Pi)
	return logTailRoot(g, z0, 0.5)
}

// betaBinomQuantile is the smallest k in 0..n with F(k) >= u for BetaBinomial(n, α, β): the
// probabilities are added in logs from 0 up for u <= ½, and for u > ½ from n down, where the
// answer is the smallest k with P(X > k) <= 1 − u.
func betaBinomQuantile(n, a, b, u float64) float64 {
	if math.IsNaN(n+a+b+u) || !(a > 0 && b > 0 && n >= 0) || n != math.Floor(n) || !(u >= 0 && u <= 1) {
		return math.NaN()
	}
	logp := betaBinomLogPMF(n, a, b)
	if u <= 0.5 {
		lu := math.Log(u)
		s := logp(0)
		k := 0.0
		for ; k < n && s < lu; s = lae(s, logp(k)) {
			k++
		}
		return k
	}
	lv := math.Log1p(-u)
	s, k := math.Inf(-1), n
	for ; k > 0; k-- {
		t := lae(s, logp(k))
		if t > lv {
			break
		}
		s = t
	}
	return k
}
