package diag

import (
	"math"

	"github.com/gopm-dev/gopm/pm/internal/fastmath"
)

// RelativeEff is the relative efficiency of chains[c][d] as the R package loo (2.5) computes
// it for its r_eff argument: the ESS of the raw draws, with chains not split (rstan's
// ess_rfun), divided by the number of draws. loo applies it to the likelihood values
// exp(log_lik) of one observation. It is NaN for chains of different lengths, fewer than 4
// draws per chain or non-finite draws, and 1 for draws that are all equal.
//
// The autocovariances are computed lag by lag, only as far as Geyer's initial positive
// sequence reaches: for well-mixing chains a few lags, far cheaper than a transform of the
// whole chain when thousands of observations need one each.
func RelativeEff(chains [][]float64) float64 {
	var w RelEffWorkspace
	return w.RelativeEff(chains)
}

// RelEffWorkspace holds the scratch of RelativeEff for repeated calls; its zero value is ready
// to use. It is not safe for concurrent use.
type RelEffWorkspace struct {
	means []float64
	rho   []float64
	acov  []float64
	cent  []float64
}

// RelativeEff is RelativeEff using the workspace's scratch.
func (w *RelEffWorkspace) RelativeEff(chains [][]float64) float64 {
	m := len(chains)
	if m == 0 {
		return math.NaN()
	}
	n := len(chains[0])
	for _, ch := range chains {
		if len(ch) != n {
			return math.NaN()
		}
	}
	if n < 4 {
		return math.NaN()
	}
	if cap(w.means) < m {
		w.means = make([]float64, m)
	}
	if cap(w.rho) < n {
		w.rho = make([]float64, n)
	}
	if cap(w.cent) < m*n {
		w.cent = make([]float64, m*n)
	}
	cent := w.cent[:m*n]
	means := w.means[:m]
	// One pass for finiteness, sum and range; one to center.
	lo, hi := math.Inf(1), math.Inf(-1)
	for c, ch := range chains {
		sum := 0.0
		for _, v := range ch {
			sum += v
			lo, hi = min(lo, v), max(hi, v)
		}
		if math.IsNaN(sum) || math.IsInf(sum, 0) {
			return math.NaN()
		}
		means[c] = sum / float64(n)
		x := cent[c*n : (c+1)*n]
		for i, v := range ch {
			x[i] = v - means[c]
		}
	}
	if lo == hi {
		return 1
	}
	w.acov = w.acov[:0]
	acov := func(t int) float64 {
		for len(w.acov) <= t {
			lag := len(w.acov)
			s := 0.0
			for c := range chains {
				x := cent[c*n : (c+1)*n]
				s += fastmath.Dot(x[:n-lag], x[lag:]) / float64(n)
			}
			w.acov = append(w.acov, s/float64(m))
		}
		return w.acov[t]
	}
	return geyerESS(n, means, acov, w.rho[:n]) / float64(m*n)
}
