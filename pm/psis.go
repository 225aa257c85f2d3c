package pm

import (
	"math"

	"github.com/gopm-dev/gopm/pm/diag"
	"github.com/gopm-dev/gopm/pm/internal/fastmath"
	"github.com/gopm-dev/gopm/pm/internal/psis"
)

// psisWork is one goroutine's scratch for Pareto-smoothed importance sampling of one
// observation at a time: nothing is allocated per observation.
type psisWork struct {
	e, lw, tmp []float64
	heap       []ranked
	sample     []float64
	gpd        psis.GPDFitter
	chains     [][]float64
	reff       diag.RelEffWorkspace
}

func newPSISWork(nc, nd int) *psisWork {
	s := nc * nd
	return &psisWork{e: make([]float64, s), lw: make([]float64, s), tmp: make([]float64, s),
		chains: make([][]float64, nc)}
}

// psisObs holds what PSIS-LOO computes for one observation.
type psisObs struct {
	elpd, lpd, k, neff, reff float64
	bad                      bool // a log-likelihood value is not finite
}

// psis runs PSIS-LOO for one observation whose log-likelihood at the nc·nd draws is ll
// (chain after chain), as the R package loo 2.5 does it (Vehtari, Gelman and Gabry 2017;
// Vehtari et al. 2024): the relative efficiency of exp(ll) from the chains sets the tail
// length min(0.2·S, 3·√(S/r_eff)); the largest importance ratios exp(−ll) are replaced by the
// quantiles of a generalized Pareto distribution fitted to them (Zhang and Stephens 2009,
// with loo's weakly informative prior on k), and truncated at the largest raw ratio. The
// smoothed log weights, shifted so that the largest raw one is 0, are left in w.lw.
func (w *psisWork) psis(ll []float64, nc, nd int) psisObs {
	s := len(ll)
	var r psisObs
	// Likelihood values scaled by their maximum: lpd and r_eff (scale-free) both use them.
	maxLL := math.Inf(-1)
	minLL := math.Inf(1)
	for _, v := range ll {
		maxLL = max(maxLL, v)
		minLL = min(minLL, v)
	}
	// The built-in min and max return NaN if any value is NaN.
	if math.IsInf(minLL, 0) || math.IsInf(maxLL, 0) || math.IsNaN(minLL+maxLL) {
		r.bad = true
		return r
	}
	e := w.e
	for i, v := range ll {
		e[i] = v - maxLL
	}
	fastmath.ExpTo(e, e)
	r.lpd = maxLL + math.Log(fastmath.Sum(e)) - math.Log(float64(s))
	for c := range nc {
		w.chains[c] = e[c*nd : (c+1)*nd]
	}
	r.reff = w.reff.RelativeEff(w.chains[:nc])
	if math.IsNaN(r.reff) || r.reff <= 0 {
		r.reff = 1
	}
	// Log ratios −ll shifted by their maximum −minLL, so that the largest is 0.
	lw := w.lw
	for i, v := range ll {
		lw[i] = minLL - v
	}
	r.k = math.Inf(1)
	var tail []ranked
	m := int(math.Ceil(min(0.2*float64(s), 3*math.Sqrt(float64(s)/r.reff))))
	if m >= 5 && m < s {
		// The m largest ratios (the tail) and the largest one below them (the cutoff), in
		// ascending order.
		top := w.largest(lw, m+1)
		cutoff := top[0].v
		tail = top[1:]
		if tail[m-1].v-tail[0].v >= 2.220446049250313e-16/100 {
			x := w.tmp[:m]
			ec := math.Exp(cutoff)
			for j, t := range tail {
				x[j] = math.Exp(t.v) - ec
			}
			k, sigma := w.gpd.Fit(x)
			if !math.IsInf(k, 0) && !math.IsNaN(k) {
				for j, t := range tail {
					p := (float64(j) + 0.5) / float64(m)
					lw[t.i] = math.Log(psis.GPDQuantile(p, k, sigma) + ec)
				}
			}
			r.k = k
		}
	}
	// Truncate at the largest raw ratio (0 after the shift); only smoothed values can exceed
	// it. lw keeps the shifted log weights: normalized weights do not depend on the shift.
	for _, t := range tail {
		lw[t.i] = min(lw[t.i], 0)
	}
	// n_eff = r_eff / Σ ŵ_s² with ŵ the normalized weights.
	t := w.tmp
	fastmath.ExpTo(t, lw)
	sumW := fastmath.Sum(t)
	sumW2 := fastmath.Dot(t, t)
	lseW := -minLL + math.Log(sumW)
	// elpd_i = log Σ w_s p(y_i|θ_s) − log Σ w_s. Outside the tail w_s = 1/p(y_i|θ_s), so those
	// terms are 1 each; only the smoothed tail needs exponentials.
	mx := 0.0
	for _, t := range tail {
		mx = max(mx, lw[t.i]-minLL+ll[t.i])
	}
	sum := float64(s-len(tail)) * math.Exp(-mx)
	for _, t := range tail {
		sum += math.Exp(lw[t.i] - minLL + ll[t.i] - mx)
	}
	r.elpd = mx + math.Log(sum) - lseW
	r.neff = r.reff * sumW * sumW / sumW2
	return r
}

// ranked is a value with its position.
type ranked struct {
	v float64
	i int
}

// largest returns the n largest values of x with their positions, in ascending order (ties
// by position). A pivot from a strided sample of x makes one pass keep a few more than n
// candidates, which are then sorted: about len(x) comparisons that mostly fail, instead of a
// selection's several passes.
func (w *psisWork) largest(x []float64, n int) []ranked {
	const stride = 8
	smp := w.sample[:0]
	for i := 0; i < len(x); i += stride {
		smp = append(smp, x[i])
	}
	w.sample = smp
	// Aim for about 1.25·n + 16 candidates; lower the pivot until there are enough.
	want := (5*n/4 + 16 + stride - 1) / stride
	for {
		pivot := math.Inf(-1)
		if want < len(smp) {
			pivot = nthSmallest(smp, len(smp)-1-want)
		}
		c := w.heap[:0]
		for i, v := range x {
			if v >= pivot {
				c = append(c, ranked{v, i})
			}
		}
		w.heap = c
		if len(c) >= n || want >= len(smp) {
			sortRanked(c)
			return c[len(c)-n:]
		}
		want *= 2
	}
}

// sortRanked sorts by value, ties by position: quicksort with insertion sort for short runs,
// written out because the candidates are few and sorted once per observation.
func sortRanked(x []ranked) {
	less := func(a, b ranked) bool { return a.v < b.v || (a.v == b.v && a.i < b.i) }
	for len(x) > 12 {
		m := len(x) / 2
		// Median of three to x[m].
		if less(x[m], x[0]) {
			x[m], x[0] = x[0], x[m]
		}
		if less(x[len(x)-1], x[0]) {
			x[len(x)-1], x[0] = x[0], x[len(x)-1]
		}
		if less(x[len(x)-1], x[m]) {
			x[len(x)-1], x[m] = x[m], x[len(x)-1]
		}
		p := x[m]
		i, j := 0, len(x)-1
		for i <= j {
			for less(x[i], p) {
				i++
			}
			for less(p, x[j]) {
				j--
			}
			if i <= j {
				x[i], x[j] = x[j], x[i]
				i++
				j--
			}
		}
		// Recurse into the smaller part, loop on the larger.
		if j+1 < len(x)-i {
			sortRanked(x[:j+1])
			x = x[i:]
		} else {
			sortRanked(x[i:])
			x = x[:j+1]
		}
	}
	for a := 1; a < len(x); a++ {
		for b := a; b > 0 && less(x[b], x[b-1]); b-- {
			x[b], x[b-1] = x[b-1], x[b]
		}
	}
}

// nthSmallest returns the k-th smallest value of x (from 0), reordering x (Hoare's
// selection).
func nthSmallest(x []float64, k int) float64 {
	lo, hi := 0, len(x)-1
	for lo < hi {
		pivot := x[lo+(hi-lo)/2]
		i, j := lo, hi
		for i <= j {
			for x[i] < pivot {
				i++
			}
			for x[j] > pivot {
				j--
			}
			if i <= j {
				x[i], x[j] = x[j], x[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return x[k]
		}
	}
	return x[k]
}
