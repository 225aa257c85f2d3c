package diag

import (
	"math"
	"sort"
)

// HDI returns the highest-density interval of the draws x with probability
// mass prob: the shortest interval [x₍ᵢ₎, x₍ᵢ₊ₖ₎] between order statistics
// with k = ⌊prob·n⌋, ties broken by the lowest i. This is ArviZ's rule
// (arviz-stats _hdi_linear_nearest_common) and the one the diagnostics
// oracles were computed with: the interval spans k gaps, so it holds k+1
// draws. Pool the chains first for the HDI of a whole trace.
//
// lo and hi are NaN when x is empty, holds a NaN, or prob is not in (0, 1].
// With prob = 1 the interval is [min, max].
func HDI(x []float64, prob float64) (lo, hi float64) {
	n := len(x)
	if n == 0 || !(prob > 0 && prob <= 1) || hasNaN(x) {
		return math.NaN(), math.NaN()
	}
	return hdiSorted(sortedCopy(x), prob)
}

// hdiSorted is HDI on data sorted ascending, free of NaN, with prob valid.
func hdiSorted(s []float64, prob float64) (lo, hi float64) {
	n := len(s)
	k := int(math.Floor(prob * float64(n)))
	if k >= n {
		return s[0], s[n-1]
	}
	best := 0
	width := s[k] - s[0]
	for i := 1; i < n-k; i++ {
		// Strict < keeps the first minimum, as NumPy's argmin does.
		if w := s[i+k] - s[i]; w < width {
			best, width = i, w
		}
	}
	return s[best], s[best+k]
}

// ETI returns the equal-tailed interval of the draws x with probability mass
// prob: the type-7 quantiles at (1−prob)/2 and (1+prob)/2. NaN as for HDI.
func ETI(x []float64, prob float64) (lo, hi float64) {
	if len(x) == 0 || !(prob > 0 && prob <= 1) || hasNaN(x) {
		return math.NaN(), math.NaN()
	}
	s := sortedCopy(x)
	return quantileSorted(s, (1-prob)/2), quantileSorted(s, (1+prob)/2)
}

// Quantile returns the sample quantile of x at probability p by linear
// interpolation between order statistics, R's quantile(type = 7) and
// NumPy's default: with h = 1 + (n−1)·p and x sorted 1-based, the value is
// (1−f)·x₍⌊h⌋₎ + f·x₍⌈h⌉₎, f = h − ⌊h⌋, written as R 4.2 computes it so the
// result agrees to the last bit.
//
// NaN when x is empty, holds a NaN, or p is not in [0, 1].
func Quantile(x []float64, p float64) float64 {
	if len(x) == 0 || !(p >= 0 && p <= 1) || hasNaN(x) {
		return math.NaN()
	}
	return quantileSorted(sortedCopy(x), p)
}

// quantileSorted is Quantile on data already sorted ascending.
func quantileSorted(s []float64, p float64) float64 {
	n := len(s)
	index := 1 + float64(n-1)*p
	lo := math.Floor(index)
	hi := math.Ceil(index)
	qs := s[int(lo)-1]
	xh := s[int(hi)-1]
	if index > lo && xh != qs {
		h := index - lo
		qs = (1-h)*qs + h*xh
	}
	return qs
}

func sortedCopy(x []float64) []float64 {
	s := make([]float64, len(x))
	copy(s, x)
	sort.Float64s(s)
	return s
}

func hasNaN(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) {
			return true
		}
	}
	return false
}
