package tensor

import "math"

// Elementwise ops beyond the core set of scalarops.go, added for the numerically stable forms the
// rewrites of rules.go produce.

// opLog1mexp is log(1 − eˣ) for x ≤ 0, the log of a complementary probability given its log.
var opLog1mexp = &scalarOp{name: "log1mexp", arity: 1, out: outFloat, f1: log1mexp}

// log1mexp computes log(1 − eˣ) by Mächler's rule ("Accurately computing log(1 − exp(−|a|))",
// Rmpfr package vignette, 2012): log(−expm1(x)) for x > −ln 2, where 1 − eˣ is small and expm1
// keeps its digits, and log1p(−eˣ) below, where eˣ is small and log1p keeps its digits. It is
// NaN for x > 0 (the log of a negative number), −Inf at 0 and −0 at −Inf.
func log1mexp(x float64) float64 {
	if x > -math.Ln2 {
		return math.Log(-math.Expm1(x))
	}
	return math.Log1p(-math.Exp(x))
}

// Log1mexp is log(1 − eˣ), accurate both near x = 0 and for very negative x; it is what
// log(1 − exp(x)) is rewritten to.
func Log1mexp(x any) *Tensor { return elemwise(opLog1mexp, x) }

func init() {
	// d/dx log(1 − eˣ) = −eˣ/(1 − eˣ) = −1/(e⁻ˣ − 1) = −1/expm1(−x), accurate where 1 − eˣ is tiny.
	opLog1mexp.grad = func(in []*Tensor, out, g *Tensor) []*Tensor {
		return []*Tensor{Neg(Div(g, Expm1(Neg(in[0]))))}
	}
}
