package fastmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Every elementwise arithmetic kernel gives the scalar expression's bits (NaN for NaN) at every
// element, for every length up to 37 (the groups of four and the tail), random and special
// operands (±0, ±Inf, NaN, subnormals, overflow), and in place.
func TestArith(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 5e-324, -3e-320,
		math.MaxFloat64, -math.MaxFloat64, 1, -1, 2.2250738585072014e-308, 0.1, 3}
	gen := func(n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			if r.IntN(4) == 0 {
				x[i] = special[r.IntN(len(special))]
			} else {
				x[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20))
			}
		}
		return x
	}
	vv := []struct {
		name string
		f    func(dst, a, b []float64)
		op   func(a, b float64) float64
	}{
		{"AddVV", AddVV, func(a, b float64) float64 { return a + b }},
		{"SubVV", SubVV, func(a, b float64) float64 { return a - b }},
		{"MulVV", MulVV, func(a, b float64) float64 { return a * b }},
		{"DivVV", DivVV, func(a, b float64) float64 { return a / b }},
	}
	vs := []struct {
		name string
		f    func(dst, a []float64, c float64)
		op   func(a, c float64) float64
	}{
		{"AddVS", AddVS, func(a, c float64) float64 { return a + c }},
		{"SubVS", SubVS, func(a, c float64) float64 { return a - c }},
		{"MulVS", MulVS, func(a, c float64) float64 { return a * c }},
		{"DivVS", DivVS, func(a, c float64) float64 { return a / c }},
		{"SubSV", func(dst, b []float64, c float64) { SubSV(dst, c, b) }, func(b, c float64) float64 { return c - b }},
		{"DivSV", func(dst, b []float64, c float64) { DivSV(dst, c, b) }, func(b, c float64) float64 { return c / b }},
	}
	same := func(got, want float64) bool {
		return math.Float64bits(got) == math.Float64bits(want) || got != got && want != want
	}
	for n := 0; n <= 37; n++ {
		for rep := 0; rep < 20; rep++ {
			a, b := gen(n), gen(n)
			for _, c := range vv {
				dst := make([]float64, n)
				c.f(dst, a, b)
				in := append([]float64{}, a...)
				c.f(in, in, b)
				for i := range dst {
					if w := c.op(a[i], b[i]); !same(dst[i], w) || !same(in[i], w) {
						t.Fatalf("%s n=%d [%d]: %v, %v op %v = %v (in place %v)", c.name, n, i, dst[i], a[i], b[i], w, in[i])
					}
				}
			}
			cv := special[r.IntN(len(special))]
			if rep%2 == 0 {
				cv = r.NormFloat64()
			}
			for _, c := range vs {
				dst := make([]float64, n)
				c.f(dst, a, cv)
				in := append([]float64{}, a...)
				c.f(in, in, cv)
				for i := range dst {
					if w := c.op(a[i], cv); !same(dst[i], w) || !same(in[i], w) {
						t.Fatalf("%s n=%d [%d]: %v with %v and %v, want %v (in place %v)", c.name, n, i, dst[i], a[i], cv, w, in[i])
					}
				}
			}
		}
	}
}

func BenchmarkArith(b *testing.B) {
	x, y, dst := make([]float64, 500), make([]float64, 500), make([]float64, 500)
	for i := range x {
		x[i], y[i] = math.Sin(float64(i)), math.Cos(float64(i))
	}
	b.Run("loop", func(b *testing.B) {
		for range b.N {
			for i := range dst {
				dst[i] = x[i] * y[i]
			}
		}
	})
	b.Run("MulVV", func(b *testing.B) {
		for range b.N {
			MulVV(dst, x, y)
		}
	})
}
