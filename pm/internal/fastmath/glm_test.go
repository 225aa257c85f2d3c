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

// glmCase is one likelihood: its one-pass kernel, its composed form, its
// portable lane kernel (the GLM pass's likelihood step), and labels to feed it.
type glmCase struct {
	name     string
	pass     func(x []float64, rows, cols int, alpha float64, beta, y, eta, resid, grad []float64) (float64, float64)
	terms    func(eta, y, resid []float64) float64
	lanes    func(eta, y, resid []float64, acc *[4]float64)
	label    func(rng *rand.Rand, eta float64) float64
	invSigma float64
}

func glmCases() []glmCase {
	const invS = 1 / 1.7
	return []glmCase{
		{"bernoulli", BernoulliLogitGLM, BernoulliLogit,
			func(eta, y, resid []float64, acc *[4]float64) {
				var racc [4]float64
				bernoulliGLMGo(eta, y, resid, acc, &racc, 0, len(eta))
			},
			func(rng *rand.Rand, eta float64) float64 { return float64(rng.IntN(2)) }, 0},
		{"poisson", PoissonLogGLM, PoissonLog, poissonLogAcc,
			func(rng *rand.Rand, eta float64) float64 { return float64(rng.IntN(5)) }, 0},
		{"normal", func(x []float64, rows, cols int, alpha float64, beta, y, eta, resid, grad []float64) (float64, float64) {
			return NormalGLM(x, rows, cols, alpha, beta, y, invS, eta, resid, grad)
		}, func(eta, y, resid []float64) float64 { return NormalSumSq(y, eta, invS, resid) },
			func(eta, y, resid []float64, acc *[4]float64) { normalSumSqAcc(y, eta, invS, resid, acc) },
			func(rng *rand.Rand, eta float64) float64 { return eta + 1.7*rng.NormFloat64() }, invS},
	}
}

// runGLM runs c's one-pass kernel on random data of rows x cols and returns
// its output, that of glmReference (the documented order, bit for bit) and
// that of the composed kernels (MatVecAdd, the slice kernel, MatTVec, Sum).
func runGLM(c glmCase, rng *rand.Rand, rows, cols int) (got, ref, comp glmOut) {
	x := randSlice(rng, rows*cols)
	if rows > 10 && c.name == "bernoulli" {
		for k := 0; k < cols; k++ {
			x[3*cols+k] = 400 // eta beyond the assembly's range in row 3
			if rows > 1100 {
				x[1100*cols+k] = -400 // and in the second block
			}
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
	got = newGLMOut(rows, cols)
	got.terms, got.ga = c.pass(x, rows, cols, alpha, beta, y, got.eta, got.resid, got.grad)
	ref = glmReference(c, x, rows, cols, alpha, beta, y)

	comp = newGLMOut(rows, cols)
	for i := range comp.eta {
		comp.eta[i] = alpha
	}
	MatVecAdd(comp.eta, x, rows, cols, beta, comp.eta)
	comp.terms = c.terms(comp.eta, y, comp.resid)
	MatTVec(comp.grad, x, rows, cols, comp.resid)
	comp.ga = Sum(comp.resid)
	return got, ref, comp
}

func newGLMOut(rows, cols int) glmOut {
	return glmOut{eta: make([]float64, rows), resid: make([]float64, rows), grad: make([]float64, cols)}
}

// glmReference computes the GLM pass's documented order with scalar loops:
// per block of glmBlock rows, eta from eight fused multiply-add lanes over
// j mod 8, the likelihood's portable lane kernel, and per column four fused
// multiply-add chains over the block's rows i mod 4.
func glmReference(c glmCase, x []float64, rows, cols int, alpha float64, beta, y []float64) glmOut {
	out := newGLMOut(rows, cols)
	var acc, sacc [4]float64
	for b0 := 0; b0 < rows; b0 += glmBlock {
		b1 := min(b0+glmBlock, rows)
		for i := b0; i < b1; i++ {
			var p [8]float64
			for j := 0; j < cols; j++ {
				p[j%8] = math.FMA(x[i*cols+j], beta[j], p[j%8])
			}
			out.eta[i] = alpha + (((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7])))
		}
		c.lanes(out.eta[b0:b1], y[b0:b1], out.resid[b0:b1], &acc)
		for j := 0; j < cols; j++ {
			var s [4]float64
			for i := b0; i < b1; i++ {
				s[(i-b0)%4] = math.FMA(x[i*cols+j], out.resid[i], s[(i-b0)%4])
			}
			out.grad[j] += (s[0] + s[1]) + (s[2] + s[3])
		}
		for i := b0; i < b1; i++ {
			sacc[(i-b0)%4] += out.resid[i]
		}
	}
	out.terms = (acc[0] + acc[1]) + (acc[2] + acc[3])
	out.ga = (sacc[0] + sacc[1]) + (sacc[2] + sacc[3])
	return out
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

// closeGLM requires got to match the composed kernels' want to tol relative
// (vectors: to tol times their largest entry, guarding sums that cancel).
func closeGLM(t *testing.T, what string, got, want glmOut, tol float64) {
	t.Helper()
	absSum := func(v []float64) (s float64) {
		for _, x := range v {
			s += math.Abs(x)
		}
		return s
	}
	if !relClose(got.terms, want.terms, 1, tol) || !relClose(got.ga, want.ga, absSum(want.resid), tol) {
		t.Errorf("%s: terms, gradAlpha = %v, %v; composed %v, %v", what, got.terms, got.ga, want.terms, want.ga)
	}
	for _, s := range []struct {
		name   string
		gw, ww []float64
	}{{"eta", got.eta, want.eta}, {"resid", got.resid, want.resid}, {"gradBeta", got.grad, want.grad}} {
		var scale float64
		for _, v := range s.ww {
			scale = max(scale, math.Abs(v))
		}
		for i := range s.gw {
			if !relClose(s.gw[i], s.ww[i], scale, tol) {
				t.Errorf("%s: %s[%d] = %v, composed %v", what, s.name, i, s.gw[i], s.ww[i])
				break
			}
		}
	}
}

// Each one-pass GLM kernel gives its documented order bit for bit
// (glmReference) and its composed form (predictor by MatVecAdd, the
// likelihood's slice kernel, MatTVec and Sum) to rounding, for shapes across
// the block boundary.
func TestGLMPassComposed(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	for _, c := range glmCases() {
		for _, rows := range []int{0, 1, 5, 1023, 1024, 1025, 2600} {
			for _, cols := range []int{1, 3, 4, 5, 8, 9, 13, 16, 17, 24, 25, 32, 33, 40, 70} {
				got, ref, comp := runGLM(c, rng, rows, cols)
				what := fmt.Sprintf("%s %dx%d", c.name, rows, cols)
				compareGLM(t, what, got, ref)
				closeGLM(t, what, got, comp, 1e-12)
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
