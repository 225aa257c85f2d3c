package diag

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/mathext"

	"gonum.org/v1/gonum/floats"
)

// Checker computes what the convergence warnings need, rank-normalized R-hat and bulk and tail
// ESS, variable after variable, and nothing else of a Summary (no means, HDI or MCSE). It is
// what a sampler runs after every sampling run, so it reuses its scratch between variables
// (allocating nothing per variable once warm), sorts each variable once with a radix sort,
// reads the normal scores of the ranks from a table shared by all variables, and sums the
// autocovariances lag by lag only as far as Geyer's initial positive sequence reaches (a few
// lags for a well-mixing chain) instead of transforming the whole chain.
//
// Its values are those of RHat, ESSBulk and ESSTail up to rounding (those sum the
// autocovariances by a Fourier transform). Create it with NewChecker; it is not safe for
// concurrent use.
type Checker struct {
	m, n int
	rows []Row

	keys, tmp []rankPair // the radix sort's ping-pong buffers
	sorted    []float64  // the draws, ascending
	order     []int32    // order[k]: pooled index of sorted[k]
	fold      []int32    // the folded draws' order
	kept      []int32    // an order without the middle draws of odd chains
	z, f      []float64  // scores; folded draws or indicators
	split     [][]float64
	zTable    []float64 // normal scores of the ranks r = 1, 1.5, 2, …: entry 2r−2, NaN until computed
	cent      []float64
	means     []float64
	rho, acov []float64
}

// rankPair is a draw as an order-preserving integer key and its pooled index.
type rankPair struct {
	key uint64
	i   int32
}

// NewChecker returns a Checker for variables of chains × draws draws each.
func NewChecker(chains, draws int) *Checker {
	k := &Checker{m: chains, n: draws}
	size := chains * draws
	k.keys, k.tmp = make([]rankPair, size), make([]rankPair, size)
	k.sorted, k.order, k.fold = make([]float64, size), make([]int32, size), make([]int32, size)
	k.z, k.f, k.cent = make([]float64, size), make([]float64, size), make([]float64, size)
	k.split = make([][]float64, 0, 2*chains)
	k.means = make([]float64, 2*chains)
	k.rho = make([]float64, max(draws, 2))
	h := draws / 2
	k.zTable = make([]float64, 2*2*chains*h)
	for i := range k.zTable {
		k.zTable[i] = math.NaN()
	}
	return k
}

// Add computes the row of one variable (element), whose draws are x[c·draws + d] for chain c and
// draw d, and keeps it for Warnings. Only Name, RHat, ESSBulk and ESSTail of the row are
// computed; the other columns are NaN. Draws that hold NaN or ±Inf, or are constant, give NaN
// diagnostics, as in Summarize. It is an error when x does not hold chains × draws values.
func (k *Checker) Add(name string, x []float64) (Row, error) {
	nan := math.NaN()
	r := Row{Name: name, Mean: nan, SD: nan, HDILow: nan, HDIHigh: nan, MCSEMean: nan, MCSESD: nan, ESSBulk: nan, ESSTail: nan, RHat: nan}
	if len(x) != k.m*k.n || len(x) == 0 {
		return r, fmt.Errorf("diag: variable %q has %d draws, but the Checker is for %d chains × %d draws", name, len(x), k.m, k.n)
	}
	if allFinite(x) {
		k.sort(x)
		r.ESSBulk, r.RHat = k.bulk(x)
		if !math.IsNaN(r.RHat) {
			if tail := k.rhatTail(x); math.IsNaN(tail) {
				r.RHat = nan
			} else {
				r.RHat = math.Max(r.RHat, tail)
			}
		}
		lo, hi := k.essQuantile(x, 0.05), k.essQuantile(x, 0.95)
		if !math.IsNaN(lo) && !math.IsNaN(hi) {
			r.ESSTail = math.Min(lo, hi)
		}
	}
	k.rows = append(k.rows, r)
	return r, nil
}

// Warnings returns the warnings of Warnings for the variables added so far (checking R-hat
// and ESS as a Summary of them would) and the sampler statistics st.
func (k *Checker) Warnings(st SamplerStats) []Warning {
	return warnings(k.rows, k.m, k.n, st)
}

// sort fills sorted and order with x ascending: a least-significant-digit radix sort on the
// high 32 bits of the draws' bits mapped to integers of the same order, a byte at a time,
// skipping bytes that all draws share, then an insertion sort of each run of equal high
// halves on the full keys (draws within a factor of about 1 + 2⁻²⁰ of each other: a few pairs
// among thousands of draws); a run longer than insertionMax (the draws of a variable that
// barely moves), where insertion would take time quadratic in its length, is sorted by sortRun
// instead. The order is a stable sort's on the full keys: equal draws (−0 and +0 included) are
// ties, in pooled order.
func (k *Checker) sort(x []float64) {
	a, b := k.keys[:len(x)], k.tmp[:len(x)]
	for i, v := range x {
		u := math.Float64bits(v)
		switch {
		case v == 0:
			u = 1 << 63
		case u>>63 == 1:
			u = ^u
		default:
			u |= 1 << 63
		}
		a[i] = rankPair{u, int32(i)}
	}
	var count [256]int
	for shift := 32; shift < 64; shift += 8 {
		clear(count[:])
		for _, p := range a {
			count[byte(p.key>>shift)]++
		}
		if count[byte(a[0].key>>shift)] == len(a) {
			continue
		}
		sum := 0
		for d, c := range count {
			count[d] = sum
			sum += c
		}
		for _, p := range a {
			d := byte(p.key >> shift)
			b[count[d]] = p
			count[d]++
		}
		a, b = b, a
	}
	for i := 1; i < len(a); i++ {
		p := a[i]
		if p.key>>32 != a[i-1].key>>32 || p.key >= a[i-1].key {
			continue
		}
		if i+insertionMax < len(a) && a[i+insertionMax].key>>32 == p.key>>32 {
			i = sortRun(a, i-1, i+insertionMax+1)
			continue
		}
		j := i
		for j > 0 && a[j-1].key > p.key {
			a[j] = a[j-1]
			j--
		}
		a[j] = p
	}
	for j, p := range a {
		k.order[j] = p.i
		k.sorted[j] = x[p.i]
	}
}

// insertionMax bounds the runs of equal high halves that Checker.sort sorts by insertion.
const insertionMax = 64

// sortRun sorts the run of equal high halves of the keys that includes a[s:e] on the full
// keys, as a stable sort does, and returns the index of its last element. The radix sort is
// stable, so the run holds equal keys in pooled order: sorting on the key and then the pooled
// index is that stable sort, in O(n log n) steps.
func sortRun(a []rankPair, s, e int) int {
	hi := a[s].key >> 32
	for s > 0 && a[s-1].key>>32 == hi {
		s--
	}
	for e < len(a) && a[e].key>>32 == hi {
		e++
	}
	slices.SortFunc(a[s:e], func(p, q rankPair) int {
		if c := cmp.Compare(p.key, q.key); c != 0 {
			return c
		}
		return cmp.Compare(p.i, q.i)
	})
	return e - 1
}

// splitOf cuts pooled-indexed values into split chains (first halves, then second halves,
// dropping an odd chain's middle draw), into the Checker's reused slice.
func (k *Checker) splitOf(v []float64) [][]float64 {
	h := k.n / 2
	k.split = k.split[:0]
	if h == 0 {
		return nil
	}
	for c := 0; c < k.m; c++ {
		k.split = append(k.split, v[c*k.n:c*k.n+h])
	}
	for c := 0; c < k.m; c++ {
		k.split = append(k.split, v[c*k.n+k.n-h:(c+1)*k.n])
	}
	return k.split
}

// scores writes the normal scores of the values v (pooled-indexed, ascending in order ord)
// into k.z, as variable.scores does, reading them from the table of ranks.
func (k *Checker) scores(v []float64, ord []int32) []float64 {
	kept := ord
	h := k.n / 2
	if k.n%2 == 1 {
		kept = k.kept[:0]
		for _, i := range ord {
			if d := int(i) % k.n; d < h || d >= k.n-h {
				kept = append(kept, i)
			}
		}
		k.kept = kept
	}
	s := len(kept)
	denom := float64(s) - 2*BlomOffset + 1
	for i := 0; i < s; {
		j := i + 1
		for j < s && v[kept[j]] == v[kept[i]] {
			j++
		}
		// Ranks i+1 … j share the average rank (i+1+j)/2: table entry i+j−1.
		q := k.zTable[i+j-1]
		if math.IsNaN(q) {
			q = mathext.NormalQuantile((float64(i+1+j)/2 - BlomOffset) / denom)
			k.zTable[i+j-1] = q
		}
		for t := i; t < j; t++ {
			k.z[kept[t]] = q
		}
		i = j
	}
	return k.z
}

// bulk returns the bulk ESS and bulk R-hat.
func (k *Checker) bulk(x []float64) (ess, rhat float64) {
	if s := k.splitOf(x); s == nil || constant(s) {
		return math.NaN(), math.NaN()
	}
	z := k.splitOf(k.scores(x, k.order))
	return k.essSplit(z), splitRHat(z, k.means)
}

// rhatTail is variable.rhatTail on the Checker's scratch.
func (k *Checker) rhatTail(x []float64) float64 {
	med := quantileSorted(k.sorted, 0.5)
	f := k.f[:len(x)]
	for i, v := range x {
		f[i] = math.Abs(v - med)
	}
	if s := k.splitOf(f); s == nil || constant(s) {
		return math.NaN()
	}
	ord := foldedOrder(k.fold[:0], f, k.order, sort.SearchFloat64s(k.sorted, med))
	return splitRHat(k.splitOf(k.scores(f, ord)), k.means)
}

// essQuantile is variable.essQuantile on the Checker's scratch.
func (k *Checker) essQuantile(x []float64, p float64) float64 {
	q := quantileSorted(k.sorted, p)
	ind := k.f[:len(x)]
	for i, v := range x {
		ind[i] = 0
		if v <= q {
			ind[i] = 1
		}
	}
	s := k.splitOf(ind)
	if s == nil || constant(s) {
		return math.NaN()
	}
	return k.essSplit(s)
}

// essSplit is essSplit with the autocovariances summed lag by lag, as far as geyerESS asks.
func (k *Checker) essSplit(x [][]float64) float64 {
	m, n := len(x), len(x[0])
	if n < 3 {
		return math.NaN()
	}
	means := k.means[:m]
	cent := k.cent[:m*n]
	for c, ch := range x {
		means[c] = quickMean(ch)
		for i, v := range ch {
			cent[c*n+i] = v - means[c]
		}
	}
	k.acov = k.acov[:0]
	acov := func(t int) float64 {
		for len(k.acov) <= t {
			lag := len(k.acov)
			s := 0.0
			for c := 0; c < m; c++ {
				y := cent[c*n : (c+1)*n]
				s += floats.Dot(y[:n-lag], y[lag:]) / float64(n)
			}
			k.acov = append(k.acov, s/float64(m))
		}
		return k.acov[t]
	}
	return geyerESS(n, means, acov, k.rho[:n])
}

// constant is invalid for draws known to be finite: whether they are all equal (to within
// machine epsilon, as invalid has it).
func constant(x [][]float64) bool {
	lo, hi := x[0][0], x[0][0]
	for _, ch := range x {
		for _, v := range ch {
			if v < lo {
				lo = v
			}
			if v > hi {
				hi = v
			}
		}
	}
	return !(hi-lo >= epsilon)
}

// quickMean is the mean of finite x in one pass with four partial sums (mean's second,
// compensating pass changes the ESS by rounding only).
func quickMean(x []float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i]
		s1 += x[i+1]
		s2 += x[i+2]
		s3 += x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i]
	}
	return ((s0 + s1) + (s2 + s3)) / float64(len(x))
}
