//go:build amd64 && !purego

package fastmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// withKernels runs f with the AVX-512 kernels switched on or off (the AVX2
// and Go code then run), restoring the CPU's choice afterwards.
func withKernels(avx512 bool, f func()) {
	old := useAVX512
	useAVX512 = avx512 && cpuHasAVX512
	defer func() { useAVX512 = old }()
	f()
}

// TestBernoulliLogitAVX512 requires the AVX-512 kernel, the AVX2 kernel and
// the portable Go loop to give the same bits on random inputs of every
// length up to 70 (none a multiple of 16 for most), with and without the
// values the kernels leave to the Go code (|eta| near 708, NaN and infinite
// eta, NaN and invalid labels).
func TestBernoulliLogitAVX512(t *testing.T) {
	if !cpuHasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(41, 42))
	specials := []float64{708, -708, 707.99, -707.99, 709, -745, math.Inf(1), math.Inf(-1), math.NaN(), 0, math.Copysign(0, -1), 1e-300, 37, -37}
	lengths := []int{1000, 10000}
	for n := 1; n <= 70; n++ {
		lengths = append(lengths, n)
	}
	for _, n := range lengths {
		for trial := 0; trial < 3; trial++ {
			eta, y := bernoulliInputs(rng, n, false)
			if trial > 0 {
				for k := 0; k < 1+n/50; k++ {
					eta[rng.IntN(n)] = specials[rng.IntN(len(specials))]
				}
			}
			if trial == 2 {
				y[rng.IntN(n)] = []float64{math.NaN(), 0.5, 2, -1}[rng.IntN(4)]
			}
			r512, r2, rgo := make([]float64, n), make([]float64, n), make([]float64, n)
			var a512, a2, ago [4]float64
			withKernels(true, func() { bernoulliLogitAcc(eta, y, r512, &a512) })
			withKernels(false, func() { bernoulliLogitAcc(eta, y, r2, &a2) })
			bernoulliLogitGo(eta, y, rgo, &ago, 0, n)
			if i := sameBits(a512[:], ago[:]); i >= 0 {
				t.Errorf("n=%d trial %d: AVX-512 lane sums %v, Go %v", n, trial, a512, ago)
			}
			if i := sameBits(a2[:], ago[:]); i >= 0 {
				t.Errorf("n=%d trial %d: AVX2 lane sums %v, Go %v", n, trial, a2, ago)
			}
			if i := sameBits(r512, rgo); i >= 0 {
				t.Errorf("n=%d trial %d: AVX-512 resid[%d] = %v (eta %v, y %v), Go %v", n, trial, i, r512[i], eta[i], y[i], rgo[i])
			}
			if i := sameBits(r2, rgo); i >= 0 {
				t.Errorf("n=%d trial %d: AVX2 resid[%d] = %v, Go %v", n, trial, i, r2[i], rgo[i])
			}
		}
	}
}

// TestBernoulliLogitAVX512Runs checks that the assembly covers all whole
// groups of eight of ordinary input (so the comparison above tests it) and
// stops before a group with an |eta| at the fast-path bound.
func TestBernoulliLogitAVX512Runs(t *testing.T) {
	if !cpuHasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(43, 44))
	eta, y := bernoulliInputs(rng, 48, false)
	resid := make([]float64, 48)
	var acc [4]float64
	if done := bernoulliLogitAVX512(&eta[0], &y[0], &resid[0], 48, &acc); done != 48 {
		t.Errorf("done = %d of 48", done)
	}
	eta[35] = -expFastMax
	if done := bernoulliLogitAVX512(&eta[0], &y[0], &resid[0], 48, &acc); done != 32 {
		t.Errorf("with |eta[35]| = expFastMax: done = %d, want 32", done)
	}
	eta[35] = 1
	y[3] = math.NaN()
	if done := bernoulliLogitAVX512(&eta[0], &y[0], &resid[0], 48, &acc); done != 0 {
		t.Errorf("with a NaN label at 3: done = %d, want 0", done)
	}
}
