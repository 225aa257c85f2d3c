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

// matSpecial returns a rows x cols matrix of random values with some
// special ones (signed zeros, whole rows of -0, infinities, NaN).
func matSpecial(rng *rand.Rand, rows, cols int, specials bool) []float64 {
	a := randSlice(rng, rows*cols)
	if !specials || len(a) == 0 {
		return a
	}
	vals := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1e308, -1e-320}
	for k := 0; k < 1+len(a)/40; k++ {
		a[rng.IntN(len(a))] = vals[rng.IntN(len(vals))]
	}
	if rows > 3 {
		row := rng.IntN(rows)
		for j := 0; j < cols; j++ {
			a[row*cols+j] = math.Copysign(0, -1)
		}
	}
	return a
}

// TestMat512 requires the AVX-512 MatVec, MatVecAdd and MatTVec kernels to
// give the AVX2 kernels' and the Go code's bits for every column count they
// serve and row counts around their blocks of eight, special values
// included, and to write nothing outside dst.
func TestMat512(t *testing.T) {
	if !cpuHasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(45, 46))
	for _, rows := range []int{1, 7, 8, 9, 15, 16, 17, 31, 40, 203} {
		for cols := 1; cols <= maxVecCols+1; cols++ {
			for _, specials := range []bool{false, true} {
				a := matSpecial(rng, rows, cols, specials)
				x, b, r := randSlice(rng, cols), randSlice(rng, rows), randSlice(rng, rows)
				if specials {
					x[0] = math.Copysign(0, -1)
				}
				const pad = 9
				for _, withB := range []bool{false, true} {
					bb := b
					if !withB {
						bb = nil
					}
					var out [2][]float64
					for v, on := range []bool{true, false} {
						buf := make([]float64, rows+pad)
						for i := range buf {
							buf[i] = -12345
						}
						withKernels(on, func() { matVec(buf[:rows], a, rows, cols, x, bb) })
						for i := rows; i < len(buf); i++ {
							if buf[i] != -12345 {
								t.Fatalf("%dx%d avx512=%v: MatVec wrote past dst at %d", rows, cols, on, i)
							}
						}
						out[v] = buf[:rows]
					}
					port := make([]float64, rows)
					matVecGo(port, a, rows, cols, x, bb)
					if i := sameBits(out[0], port); i >= 0 {
						t.Fatalf("%dx%d b=%v specials=%v: AVX-512 MatVec row %d = %v, Go %v", rows, cols, withB, specials, i, out[0][i], port[i])
					}
					if i := sameBits(out[1], port); i >= 0 {
						t.Fatalf("%dx%d b=%v specials=%v: AVX2 MatVec row %d = %v, Go %v", rows, cols, withB, specials, i, out[1][i], port[i])
					}
				}
				// MatTVec continuing sums already in dst.
				start := randSlice(rng, cols)
				var outT [2][]float64
				for v, on := range []bool{true, false} {
					buf := make([]float64, cols+pad)
					copy(buf, start)
					for j := cols; j < len(buf); j++ {
						buf[j] = -12345
					}
					withKernels(on, func() { matTVecAcc(buf[:cols], a, rows, cols, r) })
					for j := cols; j < len(buf); j++ {
						if buf[j] != -12345 {
							t.Fatalf("%dx%d avx512=%v: MatTVec wrote past dst at %d", rows, cols, on, j)
						}
					}
					outT[v] = buf[:cols]
				}
				portT := append([]float64(nil), start...)
				matTVecGo(portT, a, rows, cols, r)
				for v, name := range []string{"AVX-512", "AVX2"} {
					if j := sameBits(outT[v], portT); j >= 0 {
						t.Fatalf("%dx%d specials=%v: %s MatTVec col %d = %v, Go %v", rows, cols, specials, name, j, outT[v][j], portT[j])
					}
				}
			}
		}
	}
}
