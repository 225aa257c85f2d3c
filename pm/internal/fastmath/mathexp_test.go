package fastmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// mathCase is one of the slice kernels with math's bits: its scalar function, random
// arguments over its range and near its edges, special arguments, and a call of the assembly
// alone with the number of elements it must take before the group it must refuse.
type mathCase struct {
	name     string
	f        func(float64) float64
	to       func(dst, x []float64)
	asm      func(dst, x *float64, n int) int
	random   func(r *rand.Rand) []float64
	special  []float64
	asmIn    []float64
	asmTakes int
}

var mathCases = []mathCase{
	{"MathExpTo", math.Exp, MathExpTo, mathExpAVX2,
		func(r *rand.Rand) []float64 {
			// the whole range, near 0, near ±708 and 709 (2^k at the ends of the normal range)
			return []float64{(r.Float64()*2 - 1) * 720, (r.Float64()*2 - 1) * 1e-3, r.NormFloat64(), 708 + r.Float64()*2,
				-708 - r.Float64()*2, -708 + r.Float64()*1e-3, 709 - r.Float64()*1e-3}
		},
		[]float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 5e-324, -5e-324,
			709, 709.7, 709.79, 710, -708, -708.4, -709, -745.2, -745.14, -746, -1e300, 1e300, 0.5, -0.5,
			math.Ln2 * 1023, math.Ln2 * -1021, 1, -1},
		[]float64{1, 2, 3, 4, -700, 700, 0.1, -0.1, 1, math.NaN(), 2, 3}, 8},
	{"MathLogTo", math.Log, MathLogTo, mathLogAVX2,
		func(r *rand.Rand) []float64 {
			// every exponent, near 1, near the √2/2 boundary of the mantissa
			return []float64{math.Ldexp(0.5+r.Float64()/2, r.IntN(2100)-1050), 1 + (r.Float64()*2-1)*1e-6, r.Float64() * 10,
				math.Ldexp(math.Sqrt2/2*(1+(r.Float64()*2-1)*1e-15), r.IntN(40)-20)}
		},
		[]float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 5e-324, 2.2250738585072014e-308,
			math.Nextafter(2.2250738585072014e-308, 0), math.MaxFloat64, -1, -5e-324, 1, 2, 0.5, math.Sqrt2 / 2,
			math.Nextafter(math.Sqrt2/2, 1), math.Nextafter(math.Sqrt2/2, 0), math.E, 1e-300, 1e300},
		[]float64{1, 2, 3, 4, 1e-300, 7e300, 0.7, 0.75, 1, 0, 2, 3}, 8},
}

// MathExpTo and MathLogTo give math.Exp's and math.Log's bits at every element: on random
// arguments over the range and near its edges, at the special arguments (NaN, ±Inf, ±0,
// subnormals, overflow, underflow), and for every length and offset of the groups of four, in
// place too; the assembly alone takes the groups inside its range and stops at the first
// that is not.
func TestMathTo(t *testing.T) {
	for _, c := range mathCases {
		r := rand.New(rand.NewPCG(3, 4))
		var xs []float64
		for range 50000 {
			xs = append(xs, c.random(r)...)
		}
		xs = append(xs, c.special...)
		check := func(what string, got []float64, in []float64) {
			t.Helper()
			for i, v := range in {
				w := c.f(v)
				if math.Float64bits(got[i]) != math.Float64bits(w) && !(got[i] != got[i] && w != w) {
					t.Fatalf("%s %s: f(%v) = %v (%#x), math %v (%#x)", c.name, what, v, got[i], math.Float64bits(got[i]), w, math.Float64bits(w))
				}
			}
		}
		dst := make([]float64, len(xs))
		c.to(dst, xs)
		check("all", dst, xs)
		for n := 0; n <= 13; n++ {
			for off := 0; off+n <= len(c.special); off++ {
				in := append([]float64{}, c.special[off:off+n]...)
				d := make([]float64, n)
				c.to(d, in)
				check("short", d, in)
				c.to(in, in)
				check("in place", in, c.special[off:off+n])
			}
		}
		if useMathAVX2 {
			d := make([]float64, len(c.asmIn))
			if done := c.asm(&d[0], &c.asmIn[0], len(c.asmIn)); done != c.asmTakes {
				t.Fatalf("%s: the assembly did %d, want %d", c.name, done, c.asmTakes)
			}
			check("assembly", d[:c.asmTakes], c.asmIn[:c.asmTakes])
		}
	}
}

func BenchmarkMathExpTo(b *testing.B) {
	x := make([]float64, 500)
	for i := range x {
		x[i] = math.Sin(float64(i)) * 3
	}
	dst := make([]float64, len(x))
	b.Run("loop", func(b *testing.B) {
		for range b.N {
			for i, v := range x {
				dst[i] = math.Exp(v)
			}
		}
	})
	b.Run("MathExpTo", func(b *testing.B) {
		for range b.N {
			MathExpTo(dst, x)
		}
	})
}

func BenchmarkMathLogTo(b *testing.B) {
	x := make([]float64, 500)
	for i := range x {
		x[i] = math.Exp(math.Sin(float64(i)) * 3)
	}
	dst := make([]float64, len(x))
	b.Run("loop", func(b *testing.B) {
		for range b.N {
			for i, v := range x {
				dst[i] = math.Log(v)
			}
		}
	})
	b.Run("MathLogTo", func(b *testing.B) {
		for range b.N {
			MathLogTo(dst, x)
		}
	})
	b.Run("LogTo", func(b *testing.B) {
		for range b.N {
			LogTo(dst, x)
		}
	})
}
