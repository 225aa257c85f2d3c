package fastmath

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// glmOut is what a GLM pass returns and writes.
type glmOut struct {
	terms, ga        float64
	eta, resid, grad []float64
}

// glmCase is one likelihood: its one-pass kernel, its composed form, and labels to feed it.
type glmCase struct {
	name     string
	pass     func(x []float64, rows, cols int, alpha float64, beta, y, eta, resid, grad []float64) (float64, float64)
	terms    func(eta, y, resid []float64) float64
	label    func(rng *rand.Rand, eta float64) float64
	invSigma float64
}

func glmCases() []glmCase {
	const invS = 1 / 1.7
	return []glmCase{
		{"bernoulli", BernoulliLogitGLM, BernoulliLogit,
			func(rng *rand.Rand, eta float64) float64 { return float64(rng.IntN(2)) }, 0},
		{"poisson", PoissonLogGLM, PoissonLog,
			func(rng *rand.Rand, eta float64) float64 { return float64(rng.IntN(5)) }, 0},
		{"normal", func(x []float64, rows, cols int, alpha float64, beta, y, eta, resid, grad []float64) (float64, float64) {
			return NormalGLM(x, rows, cols, alpha, beta, y, invS, eta, resid, grad)
		}, func(eta, y, resid []float64) float64 { return NormalSumSq(y, eta, invS, resid) },
			func(rng *rand.Rand, eta float64) float64 { return eta + 1.7*rng.NormFloat64() }, invS},
	}
}

// runGLM runs c's one-pass kernel on random data of rows x cols.
func runGLM(c glmCase, rng *rand.Rand, rows, cols int) (got, want glmOut) {
	x := randSlice(rng, rows*cols)
	if rows > 10 && c.name == "bernoulli" {
		for k := 0; k < cols; k++ {
			x[3*cols+k] = 400 // eta beyond the assembly's range in row 3
		}
	}
	beta := randSlice(rng, cols)
	for j := range beta {
		beta[j] *= 0.2 // keep Poisson rates finite
	}
	alpha := 0.5 * rng.NormFloat64()
	y := make([]float64, rows)
	for i := range y {
		y[i] = c.label(rng, alpha)
	}
	got = glmOut{eta: make([]float64, rows), resid: make([]float64, rows), grad: make([]float64, cols)}
	got.terms, got.ga = c.pass(x, rows, cols, alpha, beta, y, got.eta, got.resid, got.grad)

	want = glmOut{eta: make([]float64, rows), resid: make([]float64, rows), grad: make([]float64, cols)}
	for i := range want.eta {
		want.eta[i] = alpha
	}
	MatVecAdd(want.eta, x, rows, cols, beta, want.eta)
	want.terms = c.terms(want.eta, y, want.resid)
	MatTVec(want.grad, x, rows, cols, want.resid)
	want.ga = Sum(want.resid)
	return got, want
}

func compareGLM(t *testing.T, what string, got, want glmOut) {
	t.Helper()
	if math.Float64bits(got.terms) != math.Float64bits(want.terms) || math.Float64bits(got.ga) != math.Float64bits(want.ga) {
		t.Errorf("%s: terms, gradAlpha = %v, %v; want %v, %v", what, got.terms, got.ga, want.terms, want.ga)
	}
	for _, s := range []struct {
		name   string
		gw, ww []float64
	}{{"eta", got.eta, want.eta}, {"resid", got.resid, want.resid}, {"gradBeta", got.grad, want.grad}} {
		if i := sameBits(s.gw, s.ww); i >= 0 {
			t.Errorf("%s: %s[%d] = %v, want %v", what, s.name, i, s.gw[i], s.ww[i])
		}
	}
}

// Each one-pass GLM kernel gives its composed form bit for bit (predictor by MatVecAdd, the
// likelihood's slice kernel, MatTVec and Sum), for shapes across the block boundary.
func TestGLMPassComposed(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	for _, c := range glmCases() {
		for _, rows := range []int{0, 1, 5, 1023, 1024, 1025, 2600} {
			for _, cols := range []int{1, 3, 4, 5, 8, 13, 25, 32, 33} {
				got, want := runGLM(c, rng, rows, cols)
				compareGLM(t, fmt.Sprintf("%s %dx%d", c.name, rows, cols), got, want)
			}
		}
	}
}

// The GLM kernels panic on mismatched lengths.
func TestGLMPassPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"rows": func() {
			PoissonLogGLM(make([]float64, 6), 3, 2, 0, make([]float64, 2), make([]float64, 2), make([]float64, 3), make([]float64, 3), make([]float64, 2))
		},
		"gradBeta": func() {
			NormalGLM(make([]float64, 6), 3, 2, 0, make([]float64, 2), make([]float64, 3), 1, make([]float64, 3), make([]float64, 3), make([]float64, 3))
		},
		"beta": func() {
			BernoulliLogitGLM(make([]float64, 6), 3, 2, 0, make([]float64, 3), make([]float64, 3), make([]float64, 3), make([]float64, 3), make([]float64, 2))
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
