package fastmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Affine2 gives the bits of the Go expression (k + wa·a) + wb·b on every length (the vector
// loop and the tail), including infinities, NaNs, signed zeros and subnormals.
func TestAffine2Bits(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 5e-324, -1e308, 1e308}
	draw := func() float64 {
		if r.IntN(8) == 0 {
			return special[r.IntN(len(special))]
		}
		return r.NormFloat64() * math.Pow(10, float64(r.IntN(20)-10))
	}
	for n := 0; n <= 41; n++ {
		for rep := 0; rep < 20; rep++ {
			a, b, dst := make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range a {
				a[i], b[i] = draw(), draw()
			}
			k, wa, wb := draw(), draw(), draw()
			Affine2(dst, k, wa, a, wb, b)
			for i := range dst {
				want := k + float64(wa*a[i]) + float64(wb*b[i])
				if math.Float64bits(dst[i]) != math.Float64bits(want) && !(math.IsNaN(want) && math.IsNaN(dst[i])) {
					t.Fatalf("n=%d: Affine2[%d] = %v, want %v (k=%v wa=%v a=%v wb=%v b=%v)", n, i, dst[i], want, k, wa, a[i], wb, b[i])
				}
			}
		}
	}
}
