// Package psis is Pareto-smoothed importance sampling (Vehtari, Simpson, Gelman, Yao and Gabry,
// 2024, "Pareto smoothed importance sampling", JMLR 25): the generalized Pareto fit of the
// largest importance ratios with the estimator of Zhang and Stephens (2009), whose shape k says
// how reliable the importance weights are, and the smoothing that replaces the largest ratios
// by the fitted distribution's quantiles.
//
// Pathfinder's importance resampling uses Smooth; pm's PSIS-LOO, which also needs the relative
// efficiency of each observation's ratios, uses GPDFitter and GPDQuantile.
package psis

import (
	"math"
	"sort"

	"github.com/gopm-dev/gopm/pm/internal/fastmath"
)

// Result is the outcome of smoothing.
type Result struct {
	// LogWeights are the smoothed, normalized log-weights (logsumexp = 0), in the input order.
	LogWeights []float64
	// K is the estimated Pareto shape of the upper tail of the ratios (NaN when the tail is
	// too short to fit, fewer than 5 draws in it). k < 0.5: reliable; 0.5 ≤ k < 0.7: usable;
	// k ≥ 0.7: the weights are not to be trusted (Vehtari et al.'s thresholds, for large S).
	K float64
	// TailLen is the number of ratios in the fitted tail, M = min(0.2 S, 3 √S).
	TailLen int
}

// Smooth Pareto-smooths the log importance ratios logRatios (log p − log q, up to a constant).
// Non-finite ratios (−Inf: zero weight) are allowed; NaN counts as −Inf.
func Smooth(logRatios []float64) Result {
	s := len(logRatios)
	lw := make([]float64, s)
	maxLw := math.Inf(-1)
	for i, v := range logRatios {
		if math.IsNaN(v) {
			v = math.Inf(-1)
		}
		lw[i] = v
		if v > maxLw {
			maxLw = v
		}
	}
	res := Result{K: math.NaN(), LogWeights: lw}
	if s == 0 || math.IsInf(maxLw, -1) {
		return res
	}
	for i := range lw {
		lw[i] -= maxLw
	}
	m := int(math.Ceil(math.Min(0.2*float64(s), 3*math.Sqrt(float64(s)))))
	order := make([]int, s)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return lw[order[a]] < lw[order[b]] })
	if m >= 5 && s > m {
		cut := lw[order[s-m-1]] // the largest ratio below the tail
		if !math.IsInf(cut, -1) {
			expCut := math.Exp(cut)
			tail := make([]float64, m)
			for j := 0; j < m; j++ {
				tail[j] = math.Exp(lw[order[s-m+j]]) - expCut
			}
			var f GPDFitter
			k, sigma := f.Fit(tail) // ascending: order sorts lw
			if !math.IsNaN(k) && !math.IsInf(k, 0) {
				res.K = k
				res.TailLen = m
				// Replace the tail by the quantiles of the fitted distribution at the middle
				// of each order statistic's probability interval, capped at the largest raw
				// ratio (log 0 = the maximum).
				for j := 0; j < m; j++ {
					p := (float64(j) + 0.5) / float64(m)
					v := math.Log(GPDQuantile(p, k, sigma) + expCut)
					lw[order[s-m+j]] = math.Min(v, 0)
				}
			}
		}
	}
	// Normalize.
	lse := logSumExp(lw)
	for i := range lw {
		lw[i] -= lse
	}
	return res
}

// GPDFitter fits generalized Pareto distributions with Zhang and Stephens' (2009) empirical
// Bayes estimator, reusing its scratch: after the first fit of a given size it allocates
// nothing. LOO fits one tail per observation with it, Pathfinder one per resampling.
type GPDFitter struct {
	theta, lth, buf []float64
}

// Fit estimates the shape k and scale σ of a generalized Pareto distribution with location 0
// from the exceedances x (ascending, positive), as R's loo 2.5 does: the posterior mean of
// θ = −k/σ over a grid of 30+⌊√n⌋ points, each weighted by its profile likelihood; then k is
// pulled towards 0.5 by loo's weakly informative prior (as if 10 more observations had
// k = 0.5). A fit that fails (fewer than two values, no positive value) gives k = +Inf.
func (f *GPDFitter) Fit(x []float64) (k, sigma float64) {
	n := len(x)
	if n < 2 {
		return math.Inf(1), math.NaN()
	}
	const prior = 3
	mg := 30 + int(math.Sqrt(float64(n)))
	if cap(f.theta) < mg {
		f.theta = make([]float64, mg)
		f.lth = make([]float64, mg)
	}
	if cap(f.buf) < n {
		f.buf = make([]float64, n)
	}
	theta, lth, buf := f.theta[:mg], f.lth[:mg], f.buf[:n]
	xstar := x[int(math.Floor(float64(n)/4+0.5))-1] // first quartile
	if xstar <= 0 {
		// Ties at the cutoff (nearly constant ratios): R's loo fails here; the smallest
		// positive exceedance keeps the grid finite.
		for _, v := range x {
			if v > 0 {
				xstar = v
				break
			}
		}
	}
	lmax := math.Inf(-1)
	for j := range theta {
		theta[j] = 1/x[n-1] + (1-math.Sqrt(float64(mg)/(float64(j)+0.5)))/prior/xstar
		a := -theta[j]
		kk := meanLog1p(a, x, buf)
		lth[j] = float64(n) * (math.Log(a/kk) - kk - 1)
		lmax = max(lmax, lth[j])
	}
	sumW, thetaHat := 0.0, 0.0
	for j, l := range lth {
		wj := math.Exp(l - lmax)
		sumW += wj
		thetaHat += theta[j] * wj
	}
	thetaHat /= sumW
	for i, v := range x {
		buf[i] = -thetaHat * v
	}
	fastmath.Log1pTo(buf, buf)
	k = fastmath.Sum(buf) / float64(n)
	sigma = -k / thetaHat
	const a = 10.0
	k = k*float64(n)/(float64(n)+a) + a*0.5/(float64(n)+a)
	if math.IsNaN(k) {
		k = math.Inf(1)
	}
	return k, sigma
}

// meanLog1p is the mean of log1p(a·x_i) over x (ascending, positive), using buf as scratch.
// Where the terms are not small it takes one logarithm per 8 terms, of the product of their
// 1 + a·x_i: the sum's absolute error stays within a few n·ε, far below the mean's size, and
// the profile likelihood needs 30+√n such means per fit.
func meanLog1p(a float64, x, buf []float64) float64 {
	n := len(x)
	if big := math.Abs(a * x[n-1]); big > 0.1 && big < 1e30 {
		// Four groups at a time: their products are independent chains of multiplications.
		nb, i := 0, 0
		for ; i+32 <= n; i += 32 {
			g := x[i : i+32]
			p0, p1, p2, p3 := 1.0, 1.0, 1.0, 1.0
			for k := range 8 {
				p0 *= 1 + a*g[k]
				p1 *= 1 + a*g[8+k]
				p2 *= 1 + a*g[16+k]
				p3 *= 1 + a*g[24+k]
			}
			buf[nb], buf[nb+1], buf[nb+2], buf[nb+3] = p0, p1, p2, p3
			nb += 4
		}
		for ; i < n; i += 8 {
			p := 1.0
			for _, v := range x[i:min(i+8, n)] {
				p *= 1 + a*v
			}
			buf[nb] = p
			nb++
		}
		fastmath.LogTo(buf[:nb], buf[:nb])
		return fastmath.Sum(buf[:nb]) / float64(n)
	}
	for i, v := range x {
		buf[i] = a * v
	}
	fastmath.Log1pTo(buf[:n], buf[:n])
	return fastmath.Sum(buf[:n]) / float64(n)
}

// FitGPD fits a generalized Pareto distribution with location 0 to the positive exceedances x
// (any order; x is not modified) with GPDFitter.Fit. It returns the shape k and scale sigma,
// NaN for fewer than two values or a failed fit.
func FitGPD(x []float64) (k, sigma float64) {
	xs := append([]float64(nil), x...)
	sort.Float64s(xs)
	if len(xs) < 2 || !(xs[len(xs)-1] > 0) {
		return math.NaN(), math.NaN()
	}
	var f GPDFitter
	k, sigma = f.Fit(xs)
	if math.IsInf(k, 0) {
		return math.NaN(), math.NaN()
	}
	return k, sigma
}

// GPDQuantile is the p-quantile of the generalized Pareto distribution with location 0, shape k
// and scale sigma.
func GPDQuantile(p, k, sigma float64) float64 {
	if math.IsNaN(sigma) || sigma <= 0 {
		return math.NaN()
	}
	if k == 0 {
		return -sigma * math.Log1p(-p)
	}
	return sigma * math.Expm1(-k*math.Log1p(-p)) / k
}

// logSumExp is log Σ exp(v), stable for large values.
func logSumExp(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		if x > m {
			m = x
		}
	}
	if math.IsInf(m, -1) {
		return m
	}
	s := 0.0
	for _, x := range v {
		s += math.Exp(x - m)
	}
	return m + math.Log(s)
}
