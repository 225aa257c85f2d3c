package fastmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// With a nil gradBeta the GLM passes skip Xᵀr and give the log-likelihood, the residual sum,
// eta and the residuals of the full pass bit for bit, on every kernel path (the overlapped
// AVX-512 Bernoulli pass included: 25 and 40 columns, several blocks and a ragged last one).
func TestGLMWithoutGradBeta(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	for _, sh := range [][2]int{{7, 3}, {2600, 25}, {1500, 40}} {
		rows, cols := sh[0], sh[1]
		x, beta, y, yc := make([]float64, rows*cols), make([]float64, cols), make([]float64, rows), make([]float64, rows)
		for i := range x {
			x[i] = r.NormFloat64()
		}
		for j := range beta {
			beta[j] = 0.3 * r.NormFloat64()
		}
		for i := range y {
			y[i] = float64(r.IntN(2))
			yc[i] = float64(r.IntN(4))
		}
		type pass func(eta, resid, gb []float64) (float64, float64)
		for name, f := range map[string]pass{
			"bernoulli": func(e, rs, gb []float64) (float64, float64) {
				return BernoulliLogitGLM(x, rows, cols, 0.2, beta, y, e, rs, gb)
			},
			"poisson": func(e, rs, gb []float64) (float64, float64) {
				return PoissonLogGLM(x, rows, cols, 0.2, beta, yc, e, rs, gb)
			},
			"normal": func(e, rs, gb []float64) (float64, float64) {
				return NormalGLM(x, rows, cols, 0.2, beta, yc, 0.7, e, rs, gb)
			},
		} {
			e1, r1, gb := make([]float64, rows), make([]float64, rows), make([]float64, cols)
			e2, r2 := make([]float64, rows), make([]float64, rows)
			a1, b1 := f(e1, r1, gb)
			a2, b2 := f(e2, r2, nil)
			same := func(u, v float64) bool { return math.Float64bits(u) == math.Float64bits(v) }
			if !same(a1, a2) || !same(b1, b2) {
				t.Errorf("%s %dx%d: without gradBeta (%v, %v), with (%v, %v)", name, rows, cols, a2, b2, a1, b1)
			}
			for i := range e1 {
				if !same(e1[i], e2[i]) || !same(r1[i], r2[i]) {
					t.Fatalf("%s %dx%d: row %d differs without gradBeta", name, rows, cols, i)
				}
			}
			nz := false
			for _, v := range gb {
				nz = nz || v != 0
			}
			if !nz {
				t.Errorf("%s %dx%d: the full pass wrote no Xᵀr", name, rows, cols)
			}
		}
	}
}
