package fastmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// MathExpTo gives math.Exp's bits at every element: across the whole range of the assembly
// (uniform and near the edges ±708, 709, where 2^k is at the ends of the normal range), at
// the special arguments (NaN, ±Inf, ±0, subnormals, overflow, underflow), and for every
// length and offset of the groups of four, in place too.
func TestMathExpTo(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var xs []float64
	for range 200000 {
		xs = append(xs, (r.Float64()*2-1)*720)
	}
	for range 20000 {
		xs = append(xs, (r.Float64()*2-1)*1e-3, r.NormFloat64(), 708+r.Float64()*2, -708-r.Float64()*2, -708+r.Float64()*1e-3, 709-r.Float64()*1e-3)
	}
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 5e-324, -5e-324,
		709, 709.7, 709.79, 710, -708, -708.4, -709, -745.2, -745.14, -746, -1e300, 1e300, 0.5, -0.5,
		math.Ln2 * 1023, math.Ln2 * -1021, 1, -1}
	xs = append(xs, special...)
	check := func(name string, got []float64, in []float64) {
		t.Helper()
		for i, v := range in {
			w := math.Exp(v)
			if math.Float64bits(got[i]) != math.Float64bits(w) && !(got[i] != got[i] && w != w) {
				t.Fatalf("%s: MathExpTo(%v) = %v (%#x), math.Exp %v (%#x)", name, v, got[i], math.Float64bits(got[i]), w, math.Float64bits(w))
			}
		}
	}
	dst := make([]float64, len(xs))
	MathExpTo(dst, xs)
	check("all", dst, xs)
	// Every length up to 13 at every offset into the specials, and in place.
	for n := 0; n <= 13; n++ {
		for off := 0; off+n <= len(special); off++ {
			in := append([]float64{}, special[off:off+n]...)
			d := make([]float64, n)
			MathExpTo(d, in)
			check("short", d, in)
			MathExpTo(in, in)
			check("in place", in, special[off:off+n])
		}
	}
	if useMathAVX2 {
		// The assembly alone takes groups inside its range and stops at the first that is not.
		in := []float64{1, 2, 3, 4, -700, 700, 0.1, -0.1, 1, math.NaN(), 2, 3}
		d := make([]float64, len(in))
		if done := mathExpAVX2(&d[0], &in[0], len(in)); done != 8 {
			t.Fatalf("mathExpAVX2 did %d, want 8", done)
		}
		check("assembly", d[:8], in[:8])
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

// MathLogTo gives math.Log's bits at every element: across the exponent range, near 1 and
// near the √2/2 boundary of the mantissa, at the special arguments, for every length and
// offset of the groups of four, in place too.
func TestMathLogTo(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var xs []float64
	for range 200000 {
		xs = append(xs, math.Ldexp(0.5+r.Float64()/2, r.IntN(2100)-1050))
	}
	for range 20000 {
		xs = append(xs, 1+(r.Float64()*2-1)*1e-6, r.Float64()*10, math.Ldexp(math.Sqrt2/2*(1+(r.Float64()*2-1)*1e-15), r.IntN(40)-20))
	}
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 5e-324, 2.2250738585072014e-308,
		math.Nextafter(2.2250738585072014e-308, 0), math.MaxFloat64, -1, -5e-324, 1, 2, 0.5, math.Sqrt2 / 2,
		math.Nextafter(math.Sqrt2/2, 1), math.Nextafter(math.Sqrt2/2, 0), math.E, 1e-300, 1e300}
	xs = append(xs, special...)
	check := func(name string, got []float64, in []float64) {
		t.Helper()
		for i, v := range in {
			w := math.Log(v)
			if math.Float64bits(got[i]) != math.Float64bits(w) && !(got[i] != got[i] && w != w) {
				t.Fatalf("%s: MathLogTo(%v) = %v (%#x), math.Log %v (%#x)", name, v, got[i], math.Float64bits(got[i]), w, math.Float64bits(w))
			}
		}
	}
	dst := make([]float64, len(xs))
	MathLogTo(dst, xs)
	check("all", dst, xs)
	for n := 0; n <= 13; n++ {
		for off := 0; off+n <= len(special); off++ {
			in := append([]float64{}, special[off:off+n]...)
			d := make([]float64, n)
			MathLogTo(d, in)
			check("short", d, in)
			MathLogTo(in, in)
			check("in place", in, special[off:off+n])
		}
	}
	if useMathAVX2 {
		in := []float64{1, 2, 3, 4, 1e-300, 7e300, 0.7, 0.75, 1, 0, 2, 3}
		d := make([]float64, len(in))
		if done := mathLogAVX2(&d[0], &in[0], len(in)); done != 8 {
			t.Fatalf("mathLogAVX2 did %d, want 8", done)
		}
		check("assembly", d[:8], in[:8])
	}
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
