package fastmath

import "math"

// Scalar functions for loop bodies that run one step at a time (tensor.Scan's compiled loops),
// where a slice kernel does not apply and each transcendental call is on the critical path.

// LogAddExpW returns l = log(e^a + e^b) and the weights wa = e^(a−l) and wb = e^(b−l), the
// partial derivatives of l, with one exponential and one logarithm: with a ≥ b,
// l = a + log1p(e^(b−a)), wa = sigmoid(a−b) and wb = sigmoid(b−a) (see the top of sigmoid.go;
// wa + wb = 1 within an ulp). l has the bits of LogAddExp(a, b). For infinite or NaN arguments
// it follows LogAddExp, and the weights are those of the finite formula where it has a limit
// (one infinite argument: 1 and 0), else NaN.
func LogAddExpW(a, b float64) (l, wa, wb float64) {
	if a >= b {
		if math.IsInf(a, 0) && a == b {
			return a, math.NaN(), math.NaN()
		}
		e, sp, sn := logistic(a - b)
		return a + e, sp, sn
	}
	if b > a {
		e, sp, sn := logistic(b - a)
		return b + e, sn, sp
	}
	nan := a + b // a NaN argument
	return nan, nan, nan
}
