//go:build amd64 && !purego

package fastmath

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The GLM kernels give the same bits with the assembly (AVX-512 where the
// CPU has it, and the AVX2 kernels alone) as with the portable Go code alone.
func TestGLMPassPureGo(t *testing.T) {
	for _, c := range glmCases() {
		for _, rows := range []int{1, 3, 4, 5, 7, 8, 9, 12, 13, 1025, 2600} {
			for _, cols := range []int{1, 3, 4, 5, 7, 8, 9, 12, 13, 16, 24, 25, 28, 29, 31, 32, 33, 70} {
				seed := func() *rand.Rand { return rand.New(rand.NewPCG(uint64(rows), uint64(cols))) }
				a2, a512, fma := useAVX2, useAVX512, useFMA
				useAVX2, useAVX512, useFMA = false, false, false
				goOut, _, _ := runGLM(c, seed(), rows, cols)
				useAVX2, useAVX512, useFMA = a2, a512, fma
				got, _, _ := runGLM(c, seed(), rows, cols)
				compareGLM(t, fmt.Sprintf("%s asm against Go %dx%d", c.name, rows, cols), got, goOut)
				withKernels(false, func() { got, _, _ = runGLM(c, seed(), rows, cols) })
				compareGLM(t, fmt.Sprintf("%s AVX2 against Go %dx%d", c.name, rows, cols), got, goOut)
			}
		}
	}
}

// The AVX-512 and AVX2 GLM Bernoulli kernels give bernoulliGLMGo's bits on random
// inputs of every length up to 70 and longer ones, with and without the
// values it leaves to the Go code (|eta| at 708, NaN and infinite eta,
// invalid labels).
func TestBernoulliGLM512(t *testing.T) {
	if !cpuHasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(75, 76))
	specials := []float64{708, -708, 707.99, -707.99, 709, -745, math.Inf(1), math.Inf(-1), math.NaN(), 0, math.Copysign(0, -1), 1e-300, 37, -37}
	lengths := []int{1000, 10000}
	for n := 1; n <= 70; n++ {
		lengths = append(lengths, n)
	}
	for _, n := range lengths {
		for trial := 0; trial < 4; trial++ {
			eta, y := bernoulliInputs(rng, n, false)
			if trial == 3 {
				for i := range eta {
					eta[i] *= 300 // the whole fast range
				}
			}
			if trial == 1 || trial == 2 {
				for k := 0; k < 1+n/50; k++ {
					eta[rng.IntN(n)] = specials[rng.IntN(len(specials))]
				}
			}
			if trial == 2 {
				bad := []float64{math.NaN(), 0.5, 2, -1, math.Inf(1), math.Inf(-1), 1e-300, 5e-324, 1 + 0x1p-52, 1 - 0x1p-53, 1e200}
				y[rng.IntN(n)] = bad[rng.IntN(len(bad))]
			}
			rgo := make([]float64, n)
			var ago, rago [4]float64
			bernoulliGLMGo(eta, y, rgo, &ago, &rago, 0, n)
			for _, avx512 := range []bool{true, false} {
				ra := make([]float64, n)
				var aa, raa [4]float64
				withKernels(avx512, func() { bernoulliGLMAcc(eta, y, ra, &aa, &raa) })
				if i := sameBits(aa[:], ago[:]); i >= 0 {
					t.Errorf("n=%d trial %d AVX-512 %v: lane sums %v, Go %v", n, trial, avx512, aa, ago)
				}
				if i := sameBits(raa[:], rago[:]); i >= 0 {
					t.Errorf("n=%d trial %d AVX-512 %v: residual lane sums %v, Go %v", n, trial, avx512, raa, rago)
				}
				if i := sameBits(ra, rgo); i >= 0 {
					t.Errorf("n=%d trial %d AVX-512 %v: resid[%d] = %v (eta %v, y %v), Go %v", n, trial, avx512, i, ra[i], eta[i], y[i], rgo[i])
				}
			}
		}
	}
	// The assembly covers whole groups of ordinary input and stops before
	// a group with an |eta| at the bound or an invalid label.
	eta, y := bernoulliInputs(rng, 48, false)
	resid := make([]float64, 48)
	var acc, racc [4]float64
	if done := bernoulliGLM512(&eta[0], &y[0], &resid[0], 48, &acc, &racc); done != 48 {
		t.Errorf("done = %d of 48", done)
	}
	eta[35] = -expFastMax
	if done := bernoulliGLM512(&eta[0], &y[0], &resid[0], 48, &acc, &racc); done != 32 {
		t.Errorf("with |eta[35]| = expFastMax: done = %d, want 32", done)
	}
	eta[35] = 1
	for _, bad := range []float64{0.5, math.NaN(), math.Inf(1), math.Inf(-1), 1e-300, 1 + 0x1p-52, 1 - 0x1p-53} {
		y[3] = bad
		if done := bernoulliGLM512(&eta[0], &y[0], &resid[0], 48, &acc, &racc); done != 0 {
			t.Errorf("with label %v at 3: done = %d, want 0", bad, done)
		}
	}
	y[3] = math.Copysign(0, -1) // a valid label
	if done := bernoulliGLM512(&eta[0], &y[0], &resid[0], 48, &acc, &racc); done != 48 {
		t.Errorf("with label -0 at 3: done = %d, want 48", done)
	}
	// The AVX2 kernel likewise, in groups of four.
	if done := bernoulliGLM256(&eta[0], &y[0], &resid[0], 48, &acc, &racc); done != 48 {
		t.Errorf("AVX2: done = %d of 48", done)
	}
	eta[37] = expFastMax
	if done := bernoulliGLM256(&eta[0], &y[0], &resid[0], 48, &acc, &racc); done != 36 {
		t.Errorf("AVX2 with |eta[37]| = expFastMax: done = %d, want 36", done)
	}
	y[5] = 2
	if done := bernoulliGLM256(&eta[0], &y[0], &resid[0], 48, &acc, &racc); done != 4 {
		t.Errorf("AVX2 with label 2 at 5: done = %d, want 4", done)
	}
}
