package fastmath

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// bernoulliInputs returns eta of mixed magnitudes (with the special values
// the kernels treat apart) and labels in {0, 1}.
func bernoulliInputs(rng *rand.Rand, n int, specials bool) (eta, y []float64) {
	eta, y = make([]float64, n), make([]float64, n)
	for i := range eta {
		switch rng.IntN(4) {
		case 0:
			eta[i] = rng.NormFloat64() * 3
		case 1:
			eta[i] = logUniform(rng, -40, 9.6, true)
		default:
			eta[i] = rng.NormFloat64()
		}
		y[i] = float64(rng.IntN(2))
	}
	if specials {
		for _, v := range []float64{0, math.Copysign(0, -1), 708, -708, 707.9, 745, -745, 800, -800, math.Inf(1), math.Inf(-1), math.NaN(), 1e-310, -1e-310, 36, -36, 40, -40} {
			eta[rng.IntN(n)] = v
		}
	}
	return eta, y
}

// TestBernoulliLogitComposition requires the fused kernel (AVX2 or Go) to
// equal, bit for bit, the documented composition of the scalar functions,
// and the portable Go loop alone to give the same bits.
func TestBernoulliLogitComposition(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, n := range []int{0, 1, 3, 4, 5, 7, 8, 13, 64, 1001, 4096} {
		for _, specials := range []bool{false, true} {
			if specials && n < 20 {
				continue
			}
			eta, y := bernoulliInputs(rng, n, specials)
			resid := make([]float64, n)
			got := BernoulliLogit(eta, y, resid)

			terms := make([]float64, n)
			wantResid := make([]float64, n)
			for i := range eta {
				s := 2*y[i] - 1
				terms[i] = LogSigmoid(s * eta[i])
				wantResid[i] = s * Sigmoid(-s*eta[i])
			}
			want := Sum(terms)
			if math.Float64bits(got) != math.Float64bits(want) && !(got != got && want != want) {
				t.Errorf("n=%d specials=%v: BernoulliLogit = %v, composition %v", n, specials, got, want)
			}
			if i := sameBits(resid, wantResid); i >= 0 {
				t.Errorf("n=%d specials=%v: resid[%d] = %v for eta %v y %v, composition %v", n, specials, i, resid[i], eta[i], y[i], wantResid[i])
			}

			var acc [4]float64
			portResid := make([]float64, n)
			bernoulliLogitGo(eta, y, portResid, &acc, 0, n)
			port := (acc[0] + acc[1]) + (acc[2] + acc[3])
			if math.Float64bits(got) != math.Float64bits(port) && !(got != got && port != port) {
				t.Errorf("n=%d specials=%v: BernoulliLogit = %v, portable loop %v", n, specials, got, port)
			}
			if i := sameBits(resid, portResid); i >= 0 {
				t.Errorf("n=%d specials=%v: resid[%d] = %v, portable loop %v", n, specials, i, resid[i], portResid[i])
			}
		}
	}
}

// TestBernoulliLogitNaive compares with the textbook formulas evaluated with
// the math package where they are accurate (|eta| <= 30).
func TestBernoulliLogitNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	n := 20000
	eta, y := make([]float64, n), make([]float64, n)
	for i := range eta {
		eta[i] = rng.NormFloat64() * 6
		eta[i] = math.Max(-30, math.Min(30, eta[i]))
		y[i] = float64(rng.IntN(2))
	}
	resid := make([]float64, n)
	got := BernoulliLogit(eta, y, resid)
	var want, scale float64
	for i, e := range eta {
		p := 1 / (1 + math.Exp(-e))
		var term float64
		if y[i] == 1 {
			term = -math.Log1p(math.Exp(-e))
		} else {
			term = -math.Log1p(math.Exp(e))
		}
		want += term
		scale += math.Abs(term)
		if r := y[i] - p; math.Abs(resid[i]-r) > 1e-15*(math.Abs(r)+1e-300) && math.Abs(resid[i]-r) > 2e-16 {
			t.Fatalf("resid[%d] = %v for eta %v, y %v; naive %v", i, resid[i], e, y[i], r)
		}
	}
	if math.Abs(got-want) > 1e-13*scale {
		t.Errorf("BernoulliLogit = %v, naive sum %v", got, want)
	}
}

func TestBernoulliLogitBadLabel(t *testing.T) {
	eta := []float64{0.5, -1, 2, 0.1, 3}
	for _, bad := range []float64{0.5, 2, -1, math.NaN()} {
		for pos := range eta {
			y := []float64{1, 0, 1, 0, 1}
			y[pos] = bad
			resid := make([]float64, len(eta))
			if got := BernoulliLogit(eta, y, resid); !math.IsNaN(got) || !math.IsNaN(resid[pos]) {
				t.Errorf("label %v at %d: sum %v, resid %v; want NaN", bad, pos, got, resid[pos])
			}
		}
	}
}

// TestBernoulliLogitGLM requires the blocked one-pass kernel to match the
// composition of MatVecAdd, BernoulliLogit, MatTVec and Sum to rounding
// (1e-12 relative; the GLM pass has its own summation order and kernel, see
// glm.go), over shapes around the block size and both matrix code paths.
func TestBernoulliLogitGLM(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	for _, rows := range []int{0, 1, 5, 63, 64, 65, 130, 1001} {
		for _, cols := range []int{1, 3, 25, 32, 33, 40} {
			x := randSlice(rng, rows*cols)
			if rows > 10 {
				for k := 0; k < cols; k++ {
					x[3*cols+k] = 400 // eta beyond the assembly's range in row 3
				}
			}
			beta := randSlice(rng, cols)
			y := make([]float64, rows)
			for i := range y {
				y[i] = float64(rng.IntN(2))
			}
			alpha := rng.NormFloat64()

			eta, resid, grad := make([]float64, rows), make([]float64, rows), make([]float64, cols)
			ll, ga := BernoulliLogitGLM(x, rows, cols, alpha, beta, y, eta, resid, grad)

			wantEta, wantResid, wantGrad := make([]float64, rows), make([]float64, rows), make([]float64, cols)
			for i := range wantEta {
				wantEta[i] = alpha
			}
			MatVecAdd(wantEta, x, rows, cols, beta, wantEta)
			wantLL := BernoulliLogit(wantEta, y, wantResid)
			MatTVec(wantGrad, x, rows, cols, wantResid)
			wantGA := Sum(wantResid)

			closeGLM(t, fmt.Sprintf("%dx%d", rows, cols), glmOut{ll, ga, eta, resid, grad},
				glmOut{wantLL, wantGA, wantEta, wantResid, wantGrad}, 1e-12)
		}
	}
}

// TestLogisticBigGradient checks the benchmark model's gradient against
// central finite differences of its log density on the real data.
func TestLogisticBigGradient(t *testing.T) {
	ld := loadLogistic(t)
	w := newLogisticWork(ld)
	lp := ld.logpGrad(w, ld.alpha, ld.beta)
	grad := append([]float64(nil), w.grad...)
	ref := ld.logpGradReference(newLogisticWork(ld), ld.alpha, ld.beta)
	if math.Abs(lp-ref) > 1e-12*math.Abs(ref) {
		t.Fatalf("log density %v, gonum/math reference %v", lp, ref)
	}
	theta := append([]float64{ld.alpha}, ld.beta...)
	f := func(th []float64) float64 { return ld.logpGrad(newLogisticWork(ld), th[0], th[1:]) }
	const h = 1e-5
	for k := range theta {
		p := append([]float64(nil), theta...)
		m := append([]float64(nil), theta...)
		p[k] += h
		m[k] -= h
		fd := (f(p) - f(m)) / (2 * h)
		if math.Abs(fd-grad[k]) > 1e-5*(1+math.Abs(grad[k])) {
			t.Errorf("d logp / d theta[%d] = %v, finite difference %v", k, grad[k], fd)
		}
	}
	// The one-pass GLM kernel gives the same density and gradient to
	// rounding (its own summation order), and neither evaluation allocates.
	wg := newLogisticWork(ld)
	if ll := ld.logpGradGLM(wg, ld.alpha, ld.beta); !relClose(ll, lp, 0, 1e-13) {
		t.Errorf("GLM kernel: logp %v, composed kernels %v", ll, lp)
	}
	for k := range grad {
		if !relClose(wg.grad[k], grad[k], 1, 1e-12) {
			t.Errorf("GLM kernel: grad[%d] = %v, composed kernels %v", k, wg.grad[k], grad[k])
		}
	}
	if a := testing.AllocsPerRun(5, func() { ld.logpGrad(w, ld.alpha, ld.beta) }); a != 0 {
		t.Errorf("composed kernels: %v allocations per gradient", a)
	}
	if a := testing.AllocsPerRun(5, func() { ld.logpGradGLM(wg, ld.alpha, ld.beta) }); a != 0 {
		t.Errorf("GLM kernel: %v allocations per gradient", a)
	}
}
