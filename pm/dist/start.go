package dist

// StartAdjuster is implemented by transforms whose domain leaves out the constant values that
// distributions start from: an ordered vector cannot have equal elements, so a Normal(0, 5)
// variable with the ordered transform, started at its mean [0, 0], would start at
// log(0) = −Inf in unconstrained space. Model.InitialPoint calls AdjustStart on a starting
// value that the user did not give (pm.Initval), so such a model samples without one.
type StartAdjuster interface {
	// AdjustStart moves the constrained starting value v (row-major, of the given shape) into
	// the transform's domain, in place, leaving the rows already inside unchanged.
	AdjustStart(shape []int, v []float64)
}

// AdjustStart spreads a row (the last axis) that is not strictly increasing around its mean,
// one unit apart: [0, 0] becomes [−0.5, 0.5].
func (ordered) AdjustStart(shape []int, v []float64) {
	forRows(shape, v, func(row []float64) {
		if increasing(row, false) {
			return
		}
		mean, k := rowMean(row), float64(len(row))
		for i := range row {
			row[i] = mean + float64(i) - (k-1)/2
		}
	})
}

// AdjustStart makes a row that is not positive and strictly increasing into evenly spaced
// positive values with the same mean (its absolute value's, or 1 where that is 0):
// [1, 1] becomes [2/3, 4/3].
func (positiveOrdered) AdjustStart(shape []int, v []float64) {
	forRows(shape, v, func(row []float64) {
		if increasing(row, true) {
			return
		}
		mean, k := rowMean(row), float64(len(row))
		if mean < 0 {
			mean = -mean
		}
		if !(mean > 0) || mean > 1e300 {
			mean = 1
		}
		for i := range row {
			row[i] = mean * 2 * float64(i+1) / (k + 1)
		}
	})
}

// forRows calls f on each row (the last axis) of v.
func forRows(shape []int, v []float64, f func(row []float64)) {
	k := len(v)
	if len(shape) > 0 {
		k = shape[len(shape)-1]
	}
	if k < 1 {
		return
	}
	for i := 0; i+k <= len(v); i += k {
		f(v[i : i+k])
	}
}

// increasing reports whether row is strictly increasing (and positive, with positive).
func increasing(row []float64, positive bool) bool {
	for i, x := range row {
		if x != x || (positive && !(x > 0)) || (i > 0 && !(x > row[i-1])) {
			return false
		}
	}
	return true
}

func rowMean(row []float64) float64 {
	s := 0.0
	for _, x := range row {
		s += x
	}
	return s / float64(len(row))
}
