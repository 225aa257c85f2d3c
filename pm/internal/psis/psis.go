// Package psis is Pareto-smoothed importance sampling (Vehtari, Simpson, Gelman, Yao and Gabry,
// 2024, "Pareto smoothed importance sampling", JMLR 25): the generalized Pareto fit of the
// largest importance ratios with the estimator of Zhang and Stephens (2009), whose shape k says
// how reliable the importance weights are, and the smoothing that replaces the largest ratios
// by the fitted distribution's quantiles.
//
// It is the minimal version Pathfinder needs; LOO needs the same computation, and the two should
// share one package when both are merged.
package psis

import (
	"math"
	"sort"
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
			k, sigma := FitGPD(tail)
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

// FitGPD fits a generalized Pareto distribution with location 0 to the positive exceedances x
// (any order) with Zhang and Stephens' (2009) empirical Bayes estimator, and shrinks k toward
// 0.5 with a weakly informative prior as Vehtari et al. do (weight 10 prior draws). It returns
// the shape k and scale sigma, NaN for fewer than two values.
func FitGPD(x []float64) (k, sigma float64) {
	n := len(x)
	if n < 2 {
		return math.NaN(), math.NaN()
	}
	xs := append([]float64(nil), x...)
	sort.Float64s(xs)
	xmax := xs[n-1]
	if !(xmax > 0) {
		return math.NaN(), math.NaN()
	}
	const prior = 3.0
	mgrid := 30 + int(math.Sqrt(float64(n)))
	xq := xs[int(math.Floor(float64(n)/4+0.5))-1] // first quartile
	if xq <= 0 {
		xq = xs[0]
		for _, v := range xs {
			if v > 0 {
				xq = v
				break
			}
		}
	}
	theta := make([]float64, mgrid)
	for j := range theta {
		theta[j] = 1/xmax + (1-math.Sqrt(float64(mgrid)/(float64(j)+0.5)))/(prior*xq)
	}
	lik := make([]float64, mgrid)
	for j, th := range theta {
		// profile log-likelihood at theta: n (log(-theta/k) - k - 1), k = mean(log1p(-theta x))
		kk := 0.0
		for _, v := range xs {
			kk += math.Log1p(-th * v)
		}
		kk /= float64(n)
		lik[j] = float64(n) * (math.Log(-th/kk) - kk - 1)
	}
	// Posterior weights of the grid points.
	w := make([]float64, mgrid)
	for j := range w {
		s := 0.0
		for l := range lik {
			s += math.Exp(lik[l] - lik[j])
		}
		w[j] = 1 / s
	}
	thetaHat := 0.0
	for j := range w {
		thetaHat += w[j] * theta[j]
	}
	k = 0.0
	for _, v := range xs {
		k += math.Log1p(-thetaHat * v)
	}
	k /= float64(n)
	sigma = -k / thetaHat
	// Weakly informative prior: shrink toward 0.5 as if from 10 prior observations.
	nf := float64(n)
	k = (nf*k + 10*0.5) / (nf + 10)
	return k, sigma
}

// GPDQuantile is the p-quantile of the generalized Pareto distribution with location 0, shape k
// and scale sigma.
func GPDQuantile(p, k, sigma float64) float64 {
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
