package diag

import "math"

// RHat returns the rank-normalized split R-hat of chains[c][d]: the larger of
// the bulk R-hat (split R-hat of the rank-normalized draws) and the tail
// R-hat (split R-hat of the rank-normalized folded draws |x − median|),
// Vehtari et al. (2021), section 4.2. Values above 1.01 indicate that the
// chains have not mixed.
//
// Ranks use Blom's offset like ESSBulk (posterior, ArviZ); RHatOffset with
// RStanOffset gives rstan 2.21's value. A single chain is split in two, so
// R-hat still detects drift within it. NaN when the draws cannot be
// diagnosed: see ESSBulk.
func RHat(chains [][]float64) float64 {
	return RHatOffset(chains, BlomOffset)
}

// RHatOffset is RHat with the rank offset c chosen by the caller (see
// ESSBulkOffset).
func RHatOffset(chains [][]float64, c float64) float64 {
	return newVariable(chains).rhat(c)
}

// RHatBasic returns the classic split R-hat of the raw draws, without rank
// normalization or folding (posterior's rhat_basic; Gelman et al. 2013,
// Bayesian Data Analysis, 3rd ed., eq. 11.4 on split chains).
func RHatBasic(chains [][]float64) float64 {
	return newVariable(chains).rhatBasic()
}

// splitRHat is sqrt(((n−1)/n·W + B/n)/W) for m chains of n draws, with W the
// mean within-chain variance and B/n the variance of the chain means, both
// with n−1 denominators, written as posterior's .rhat and rstan's
// rhat_rfun compute it. means is scratch of at least m values, or nil.
func splitRHat(x [][]float64, means []float64) float64 {
	m := len(x)
	n := len(x[0])
	if n < 2 || m < 2 {
		return math.NaN()
	}
	if len(means) < m {
		means = make([]float64, m)
	}
	means = means[:m]
	var w float64
	for c, ch := range x {
		mu, v := meanVar(ch)
		means[c] = mu
		w += v
	}
	w /= float64(m)
	_, vb := meanVar(means)
	nf := float64(n)
	b := nf * vb
	return math.Sqrt((b/w + nf - 1) / nf)
}
