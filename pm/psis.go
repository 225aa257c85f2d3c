package pm

import (
	"math"
	"math/bits"

	"github.com/gopm-dev/gopm/pm/diag"
	"github.com/gopm-dev/gopm/pm/internal/fastmath"
	"github.com/gopm-dev/gopm/pm/internal/psis"
)

// psisWork is one goroutine's scratch for Pareto-smoothed importance sampling of one
// observation at a time: nothing is allocated per observation.
type psisWork struct {
	e, lw, tmp []float64
	sample     []float64
	cv, top    []float64         // tail candidates' values; the tail by rank
	ci, pos    []int32           // tail candidates' positions; the tail's positions by rank
	keys, kbuf []uint64          // tail candidates' sort keys; radix sort scratch
	smooth     []float64         // the smoothed tail by rank
	log1mp     map[int][]float64 // by tail length: log(1 − p_j) of the quantiles that replace it
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
	minLL, maxLL := minMax(ll)
	if math.IsInf(minLL, 0) || math.IsInf(maxLL, 0) || math.IsNaN(minLL+maxLL) {
		r.bad = true
		return r
	}
	// Log ratios −ll shifted by their maximum −minLL, so that the largest is 0.
	e, lw := w.e[:s], w.lw[:s]
	for i, v := range ll {
		e[i] = v - maxLL
		lw[i] = minLL - v
	}
	fastmath.ExpTo(e, e)
	sumE := fastmath.Sum(e)
	if math.IsNaN(sumE) { // minMax skips NaN
		r.bad = true
		return r
	}
	r.lpd = maxLL + math.Log(sumE) - math.Log(float64(s))
	for c := range nc {
		w.chains[c] = e[c*nd : (c+1)*nd]
	}
	r.reff = w.reff.RelativeEff(w.chains[:nc])
	if math.IsNaN(r.reff) || r.reff <= 0 {
		r.reff = 1
	}
	r.k = math.Inf(1)
	var tail []float64 // the tail's raw log ratios in ascending order, at w.pos
	var smooth []float64
	var pos []int32 // the tail's positions, by rank
	m := int(math.Ceil(min(0.2*float64(s), 3*math.Sqrt(float64(s)/r.reff))))
	if m >= 5 && m < s {
		// The m largest ratios (the tail) and the largest one below them (the cutoff), in
		// ascending order.
		top := w.largest(lw, m+1)
		cutoff := top[0]
		tail = top[1:]
		pos = w.pos[1 : m+1]
		if tail[m-1]-tail[0] >= 2.220446049250313e-16/100 {
			x := w.tmp[:m]
			ec := math.Exp(cutoff)
			for j, v := range tail {
				x[j] = math.Exp(v) - ec
			}
			k, sigma := w.gpd.Fit(x)
			if !math.IsInf(k, 0) && !math.IsNaN(k) {
				if cap(w.smooth) < m {
					w.smooth = make([]float64, m)
				}
				smooth = w.smooth[:m]
				// The quantiles at p_j = (j + ½)/m, as psis.GPDQuantile computes them, with
				// log(1 − p_j) kept per tail length (m varies with r_eff).
				log1mp := w.log1mp[m]
				if log1mp == nil {
					log1mp = make([]float64, m)
					for j := range log1mp {
						log1mp[j] = math.Log1p(-(float64(j) + 0.5) / float64(m))
					}
					if w.log1mp == nil {
						w.log1mp = map[int][]float64{}
					}
					w.log1mp[m] = log1mp
				}
				for j, l := range log1mp {
					q := math.NaN() // no valid scale
					if sigma > 0 {
						q = -sigma * l
					}
					if k != 0 && sigma > 0 {
						q = sigma * math.Expm1(-k*l) / k
					}
					smooth[j] = q + ec
				}
				fastmath.LogTo(smooth, smooth)
			}
			r.k = k
		}
		if smooth == nil {
			smooth = tail // not smoothed
		}
		// Truncate at the largest raw ratio (0 after the shift); only smoothed values can
		// exceed it. lw keeps the shifted log weights: normalized weights do not depend on
		// the shift.
		for j, i := range pos {
			smooth[j] = min(smooth[j], 0)
			lw[i] = smooth[j]
		}
	}
	// n_eff = r_eff / Σ ŵ_s² with ŵ the normalized weights.
	t := w.tmp
	fastmath.ExpTo(t, lw)
	sumW, sumW2 := sumSq(t)
	lseW := -minLL + math.Log(sumW)
	// elpd_i = log Σ w_s p(y_i|θ_s) − log Σ w_s. Outside the tail w_s = 1/p(y_i|θ_s), so those
	// terms are 1 each; only the smoothed tail needs exponentials.
	mx := 0.0
	for j, v := range smooth {
		mx = max(mx, v-minLL+ll[pos[j]])
	}
	sum := float64(s-len(tail)) * math.Exp(-mx)
	for j, v := range smooth {
		sum += math.Exp(v - minLL + ll[pos[j]] - mx)
	}
	r.elpd = mx + math.Log(sum) - lseW
	r.neff = r.reff * sumW * sumW / sumW2
	return r
}

// largest finds the n largest values of x (no NaN), in ascending order (ties by position),
// and leaves their positions in w.pos[:n]: the value of rank j is at x[w.pos[j]]. A pivot
// from a strided sample of x makes one pass keep a few more than n candidates, which are then
// sorted as integer keys: a value's bits in an order-preserving form, with the lowest
// mantissa bits replaced by the candidate's number (its position order). The keys sort
// values that agree to within those bits by position; one insertion pass with exact
// comparisons repairs that (the keys are then sorted but for such near ties).
func (w *psisWork) largest(x []float64, n int) []float64 {
	const stride = 8
	smp := w.sample[:0]
	for i := 0; i < len(x); i += stride {
		smp = append(smp, x[i])
	}
	w.sample = smp
	if cap(w.cv) < len(x) {
		w.cv = make([]float64, len(x))
		w.ci = make([]int32, len(x))
		w.keys = make([]uint64, len(x))
	}
	cv, ci := w.cv[:len(x)], w.ci[:len(x)]
	// Aim for about 1.25·n + 16 candidates; lower the pivot until there are enough.
	want := (5*n/4 + 16 + stride - 1) / stride
	nc := 0
	for {
		pivot := math.Inf(-1)
		if want < len(smp) {
			pivot = nthSmallest(smp, len(smp)-1-want)
		}
		nc = 0
		for i, v := range x {
			if v >= pivot {
				cv[nc] = v
				ci[nc] = int32(i)
				nc++
			}
		}
		// nc ≥ n at the latest when the pivot is −Inf.
		if nc >= n || want >= len(smp) {
			break
		}
		want *= 2
	}
	low := uint(bits.Len(uint(nc)))
	mask := uint64(1)<<low - 1
	keys := w.keys[:nc]
	for c, v := range cv[:nc] {
		b := math.Float64bits(v + 0) // −0 as +0
		if b>>63 != 0 {
			b = ^b
		} else {
			b |= 1 << 63
		}
		keys[c] = b&^mask | uint64(c)
	}
	keys = w.radixSort(keys)
	// Exact order among keys that agree above the low bits.
	less := func(a, b uint64) bool {
		va, vb := cv[a&mask], cv[b&mask]
		return va < vb || (va == vb && a&mask < b&mask)
	}
	for a := 1; a < nc; a++ {
		for b := a; b > 0 && less(keys[b], keys[b-1]); b-- {
			keys[b], keys[b-1] = keys[b-1], keys[b]
		}
	}
	if cap(w.pos) < n {
		w.pos = make([]int32, n)
		w.top = make([]float64, n)
	}
	pos, top := w.pos[:n], w.top[:n]
	for j, k := range keys[nc-n:] {
		c := k & mask
		pos[j], top[j] = ci[c], cv[c]
	}
	return top
}

// radixSort sorts keys by their bytes, least significant first, skipping the bytes that all
// keys share; it returns the sorted keys, in keys or in w.kbuf. Sorting a few hundred keys
// this way costs no mispredicted branches, which dominate a comparison sort's time here.
func (w *psisWork) radixSort(keys []uint64) []uint64 {
	var count [8][256]int32
	for _, k := range keys {
		for b := range 8 {
			count[b][byte(k>>(8*b))]++
		}
	}
	if cap(w.kbuf) < len(keys) {
		w.kbuf = make([]uint64, cap(keys))
	}
	src, dst := keys, w.kbuf[:len(keys)]
	for b := range 8 {
		c := &count[b]
		if int(c[byte(keys[0]>>(8*b))]) == len(keys) {
			continue // every key has this byte
		}
		var off int32
		for d, n := range c {
			c[d] = off
			off += n
		}
		shift := 8 * b
		for _, k := range src {
			d := byte(k >> shift)
			dst[c[d]] = k
			c[d]++
		}
		src, dst = dst, src
	}
	return src
}

// minMax returns the smallest and largest values of x (not empty), skipping NaN (NaN, NaN if
// all are NaN): four running extremes, without the NaN and signed-zero handling of the
// built-in min and max, which would make one long dependency chain.
func minMax(x []float64) (lo, hi float64) {
	lo0, lo1, lo2, lo3 := math.Inf(1), math.Inf(1), math.Inf(1), math.Inf(1)
	hi0, hi1, hi2, hi3 := math.Inf(-1), math.Inf(-1), math.Inf(-1), math.Inf(-1)
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4]
		if v[0] < lo0 {
			lo0 = v[0]
		}
		if v[1] < lo1 {
			lo1 = v[1]
		}
		if v[2] < lo2 {
			lo2 = v[2]
		}
		if v[3] < lo3 {
			lo3 = v[3]
		}
		if v[0] > hi0 {
			hi0 = v[0]
		}
		if v[1] > hi1 {
			hi1 = v[1]
		}
		if v[2] > hi2 {
			hi2 = v[2]
		}
		if v[3] > hi3 {
			hi3 = v[3]
		}
	}
	for ; i < len(x); i++ {
		if x[i] < lo0 {
			lo0 = x[i]
		}
		if x[i] > hi0 {
			hi0 = x[i]
		}
	}
	lo, hi = min(lo0, lo1, lo2, lo3), max(hi0, hi1, hi2, hi3)
	if lo > hi { // only NaN
		return math.NaN(), math.NaN()
	}
	return lo, hi
}

// sumSq returns Σ x and Σ x² in one pass, in four lanes each.
func sumSq(x []float64) (sum, sumSq float64) {
	var s0, s1, s2, s3, q0, q1, q2, q3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4]
		s0 += v[0]
		s1 += v[1]
		s2 += v[2]
		s3 += v[3]
		q0 += v[0] * v[0]
		q1 += v[1] * v[1]
		q2 += v[2] * v[2]
		q3 += v[3] * v[3]
	}
	for ; i < len(x); i++ {
		s0 += x[i]
		q0 += x[i] * x[i]
	}
	return (s0 + s1) + (s2 + s3), (q0 + q1) + (q2 + q3)
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
