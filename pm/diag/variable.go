package diag

import (
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/mathext"
)

// variable holds one variable's draws chains[c][d] together with what
// several diagnostics share, so that Summarize sorts each variable once:
// the pooled draws in chain order and, on first use, their ascending order
// and the rank-normalized scores.
type variable struct {
	chains [][]float64
	m, n   int
	// ok: Check passed and every draw is finite.
	ok     bool
	pooled []float64
	// order holds indices into pooled, ascending by value; sorted is pooled
	// in that order. Both are nil until sort is called.
	order  []int
	sorted []float64
	// Bulk scores for offset zc, cached because ESS and R-hat both use them.
	z  []float64
	zc float64
}

func newVariable(chains [][]float64) *variable {
	v := &variable{chains: chains}
	if Check(chains) != nil {
		return v
	}
	v.m, v.n = len(chains), len(chains[0])
	v.pooled = pool(chains)
	v.ok = allFinite(v.pooled)
	return v
}

func (v *variable) sort() {
	if v.order != nil {
		return
	}
	// Sorting (value, index) pairs keeps each comparison in cache, unlike
	// sorting indices that point into pooled. Values are finite or the
	// caller does not read the order, so < is a total order here.
	type pair struct {
		x float64
		i int
	}
	ps := make([]pair, len(v.pooled))
	for i, x := range v.pooled {
		ps[i] = pair{x, i}
	}
	slices.SortFunc(ps, func(a, b pair) int {
		switch {
		case a.x < b.x:
			return -1
		case a.x > b.x:
			return 1
		}
		return 0
	})
	v.order = make([]int, len(ps))
	v.sorted = make([]float64, len(ps))
	for k, p := range ps {
		v.order[k], v.sorted[k] = p.i, p.x
	}
}

// splitOf cuts a pooled-indexed slice into split chains: the first halves
// of all chains, then the second halves, dropping the middle draw of
// odd-length chains as posterior's split_chains and ArviZ's _split_chains
// do. nil when chains are too short to split.
func (v *variable) splitOf(z []float64) [][]float64 {
	h := v.n / 2
	if h == 0 {
		return nil
	}
	out := make([][]float64, 0, 2*v.m)
	for c := 0; c < v.m; c++ {
		out = append(out, z[c*v.n:c*v.n+h])
	}
	for c := 0; c < v.m; c++ {
		out = append(out, z[c*v.n+v.n-h:(c+1)*v.n])
	}
	return out
}

// usable reports whether diagnostics on the split chains of the
// pooled-indexed values x are defined (see invalid).
func (v *variable) usable(x []float64) ([][]float64, bool) {
	if !v.ok {
		return nil, false
	}
	s := v.splitOf(x)
	if s == nil || invalid(s) {
		return nil, false
	}
	return s, true
}

// scores returns the normal scores Φ⁻¹((r−c)/(S−2c+1)) of the values x
// (pooled-indexed) whose ascending order is ord, with r the rank among the
// draws kept by the split (ties get their average rank) and S their number
// (Vehtari et al. 2021, eq. 14; c = 3/8 is Blom's offset). Entries of
// dropped middle draws stay 0 and are never read.
func (v *variable) scores(x []float64, ord []int, c float64) []float64 {
	kept := ord
	h := v.n / 2
	if v.n%2 == 1 {
		kept = make([]int, 0, len(ord))
		for _, i := range ord {
			if d := i % v.n; d < h || d >= v.n-h {
				kept = append(kept, i)
			}
		}
	}
	s := len(kept)
	z := make([]float64, len(x))
	denom := float64(s) - 2*c + 1
	for i := 0; i < s; {
		j := i + 1
		for j < s && x[kept[j]] == x[kept[i]] {
			j++
		}
		// Ranks i+1 … j share the average rank (i+1+j)/2.
		r := float64(i+1+j) / 2
		q := mathext.NormalQuantile((r - c) / denom)
		for k := i; k < j; k++ {
			z[kept[k]] = q
		}
		i = j
	}
	return z
}

func (v *variable) bulkScores(c float64) []float64 {
	if v.z == nil || v.zc != c {
		v.sort()
		v.z, v.zc = v.scores(v.pooled, v.order, c), c
	}
	return v.z
}

func (v *variable) essBulk(c float64) float64 {
	if _, ok := v.usable(v.pooled); !ok {
		return math.NaN()
	}
	return essSplit(v.splitOf(v.bulkScores(c)))
}

func (v *variable) rhatBulk(c float64) float64 {
	if _, ok := v.usable(v.pooled); !ok {
		return math.NaN()
	}
	return splitRHat(v.splitOf(v.bulkScores(c)), nil)
}

// rhatTail folds the draws around the median of all pooled draws (before
// splitting, so an odd chain's middle draw counts), then proceeds as
// rhatBulk. The folded draws are sorted by merging the two monotone runs of
// the sorted draws on either side of the median, which is exact because
// rounded subtraction is monotone.
func (v *variable) rhatTail(c float64) float64 {
	if !v.ok {
		return math.NaN()
	}
	v.sort()
	med := quantileSorted(v.sorted, 0.5)
	f := make([]float64, len(v.pooled))
	for i, x := range v.pooled {
		f[i] = math.Abs(x - med)
	}
	if _, ok := v.usable(f); !ok {
		return math.NaN()
	}
	ord := foldedOrder(make([]int, 0, len(f)), f, v.order, sort.SearchFloat64s(v.sorted, med))
	return splitRHat(v.splitOf(v.scores(f, ord, c)), nil)
}

// foldedOrder appends to dst the order of the folded draws f = |x − med| ascending, given the
// order of x ascending and r, the first place in it of a draw not below med: it merges the two
// monotone runs on either side of the median, which is exact because rounded subtraction is
// monotone.
func foldedOrder[I int | int32](dst []I, f []float64, order []I, r int) []I {
	l := r - 1
	for l >= 0 || r < len(f) {
		if r >= len(f) || (l >= 0 && f[order[l]] <= f[order[r]]) {
			dst = append(dst, order[l])
			l--
		} else {
			dst = append(dst, order[r])
			r++
		}
	}
	return dst
}

func (v *variable) rhat(c float64) float64 {
	bulk, tail := v.rhatBulk(c), v.rhatTail(c)
	if math.IsNaN(bulk) || math.IsNaN(tail) {
		return math.NaN()
	}
	return math.Max(bulk, tail)
}

func (v *variable) essQuantile(p float64) float64 {
	if !v.ok || !(p >= 0 && p <= 1) {
		return math.NaN()
	}
	v.sort()
	q := quantileSorted(v.sorted, p)
	ind := make([]float64, len(v.pooled))
	for i, x := range v.pooled {
		if x <= q {
			ind[i] = 1
		}
	}
	s, ok := v.usable(ind)
	if !ok {
		return math.NaN()
	}
	return essSplit(s)
}

func (v *variable) essTail() float64 {
	a, b := v.essQuantile(0.05), v.essQuantile(0.95)
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN()
	}
	return math.Min(a, b)
}

func (v *variable) essMean() float64 {
	s, ok := v.usable(v.pooled)
	if !ok {
		return math.NaN()
	}
	return essSplit(s)
}

func (v *variable) mcseMean() float64 {
	ess := v.essMean()
	if math.IsNaN(ess) {
		return math.NaN()
	}
	_, vr := meanVar(v.pooled)
	return math.Sqrt(vr) / math.Sqrt(ess)
}

func (v *variable) mcseSD() float64 {
	if !v.ok {
		return math.NaN()
	}
	m := mean(v.pooled)
	sq := make([]float64, len(v.pooled))
	var m2, m4 float64
	for i, x := range v.pooled {
		d := (x - m) * (x - m)
		sq[i] = d
		m2 += d
		m4 += d * d
	}
	n := float64(len(v.pooled))
	m2 /= n
	m4 /= n
	s, ok := v.usable(sq)
	if !ok {
		return math.NaN()
	}
	varvar := (m4 - m2*m2) / essSplit(s)
	return math.Sqrt(varvar / m2 / 4)
}

func (v *variable) rhatBasic() float64 {
	s, ok := v.usable(v.pooled)
	if !ok {
		return math.NaN()
	}
	return splitRHat(s, nil)
}
