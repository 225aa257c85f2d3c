package diag

import (
	"fmt"
	"math"
)

// Check reports why chains[c][d] cannot be diagnosed as a whole: there are
// no chains, a chain is empty, or the chains have different lengths. The
// diagnostics return NaN in those cases rather than truncating chains
// silently; call Check to learn which one applies. NaN draws are not an
// error here: they make the diagnostics NaN, as in the R package posterior.
func Check(chains [][]float64) error {
	if len(chains) == 0 {
		return fmt.Errorf("diag: no chains")
	}
	n := len(chains[0])
	for c, ch := range chains {
		if len(ch) == 0 {
			return fmt.Errorf("diag: chain %d has no draws", c)
		}
		if len(ch) != n {
			return fmt.Errorf("diag: chain %d has %d draws but chain 0 has %d; chains must have equal lengths", c, len(ch), n)
		}
	}
	return nil
}

// invalid reports whether the diagnostics of x are undefined: a non-finite
// draw, or all draws equal. The constancy test is posterior 1.4.0's
// is_constant, |max − min| < machine epsilon, applied to all draws together.
func invalid(x [][]float64) bool {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, ch := range x {
		for _, v := range ch {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return true
			}
			lo = math.Min(lo, v)
			hi = math.Max(hi, v)
		}
	}
	return !(math.Abs(hi-lo) >= epsilon)
}

// epsilon is R's .Machine$double.eps, 2⁻⁵².
const epsilon = 0x1p-52

// pool concatenates the chains in chain order.
func pool(chains [][]float64) []float64 {
	n := 0
	for _, ch := range chains {
		n += len(ch)
	}
	out := make([]float64, 0, n)
	for _, ch := range chains {
		out = append(out, ch...)
	}
	return out
}

func allFinite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// mean is R's mean.default: the plain mean followed by one correction pass
// with the mean of the residuals, which removes most of the rounding error
// of the first sum.
func mean(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	n := float64(len(x))
	var s float64
	for _, v := range x {
		s += v
	}
	s /= n
	if math.IsInf(s, 0) || math.IsNaN(s) {
		return s
	}
	var t float64
	for _, v := range x {
		t += v - s
	}
	return s + t/n
}

// meanVar returns the mean and the sample variance (denominator n−1) of x,
// by two passes as R's var does. The variance of fewer than two values is
// NaN.
func meanVar(x []float64) (m, v float64) {
	m = mean(x)
	if len(x) < 2 {
		return m, math.NaN()
	}
	var ss, s float64
	for _, xi := range x {
		d := xi - m
		ss += d * d
		s += d
	}
	// The compensation term (Chan, Golub and LeVeque 1983) cancels what is
	// left of the rounding error in m.
	n := float64(len(x))
	return m, (ss - s*s/n) / (n - 1)
}
