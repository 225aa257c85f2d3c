package fastmath

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"sync"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

const (
	benchDataPath  = "../../../bench/data/logistic_big.json"
	benchTruthPath = "../../../bench/data/truth.json"
)

// logisticData is the logistic_big benchmark problem: X row-major N x D, y in {0,1}.
type logisticData struct {
	n, d  int
	x     []float64
	y     []float64
	alpha float64
	beta  []float64
}

// loadLogistic reads the benchmark data (and the true parameters, where the
// log density is evaluated); it skips the benchmark or test if the file is missing.
func loadLogistic(tb testing.TB) *logisticData {
	tb.Helper()
	raw, err := os.ReadFile(benchDataPath)
	if err != nil {
		tb.Skipf("fastmath: benchmark data not available: %v", err)
	}
	var f struct {
		N, D int
		X    [][]float64
		Y    []float64 `json:"y"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		tb.Fatalf("fastmath: decoding %s: %v", benchDataPath, err)
	}
	if len(f.X) != f.N || len(f.Y) != f.N {
		tb.Fatalf("fastmath: %s: N = %d but %d rows and %d labels", benchDataPath, f.N, len(f.X), len(f.Y))
	}
	ld := &logisticData{n: f.N, d: f.D, y: f.Y, x: make([]float64, 0, f.N*f.D)}
	for i, row := range f.X {
		if len(row) != f.D {
			tb.Fatalf("fastmath: %s: row %d has %d columns, want D = %d", benchDataPath, i, len(row), f.D)
		}
		ld.x = append(ld.x, row...)
	}
	ld.alpha, ld.beta = 0.5, make([]float64, f.D)
	var truth struct {
		Logistic struct {
			Alpha float64
			Beta  []float64
		} `json:"logistic_big"`
	}
	if raw, err := os.ReadFile(benchTruthPath); err == nil && json.Unmarshal(raw, &truth) == nil && len(truth.Logistic.Beta) == f.D {
		ld.alpha = truth.Logistic.Alpha
		copy(ld.beta, truth.Logistic.Beta)
	} else {
		rng := rand.New(rand.NewPCG(1, 2))
		for j := range ld.beta {
			ld.beta[j] = 0.5 * rng.NormFloat64()
		}
	}
	return ld
}

// logisticWork holds the buffers of one log-density evaluation.
type logisticWork struct {
	eta, resid, grad []float64
}

func newLogisticWork(ld *logisticData) *logisticWork {
	return &logisticWork{eta: make([]float64, ld.n), resid: make([]float64, ld.n), grad: make([]float64, 1+ld.d)}
}

// logpGrad evaluates the logistic_big log density (up to a constant) and its
// gradient with respect to (alpha, beta) with the fastmath kernels:
// alpha ~ N(0,2), beta ~ N(0,1), y ~ bernoulli_logit(alpha + X beta).
func (ld *logisticData) logpGrad(w *logisticWork, alpha float64, beta []float64) float64 {
	for i := range w.eta {
		w.eta[i] = alpha
	}
	MatVecAdd(w.eta, ld.x, ld.n, ld.d, beta, w.eta)
	lp := BernoulliLogit(w.eta, ld.y, w.resid)
	MatTVec(w.grad[1:], ld.x, ld.n, ld.d, w.resid)
	w.grad[0] = Sum(w.resid) - alpha/4
	lp -= alpha * alpha / 8
	for j, b := range beta {
		lp -= b * b / 2
		w.grad[1+j] -= b
	}
	return lp
}

// logpGradReference is the same density with gonum BLAS and the math package.
func (ld *logisticData) logpGradReference(w *logisticWork, alpha float64, beta []float64) float64 {
	a := blas64.General{Rows: ld.n, Cols: ld.d, Stride: ld.d, Data: ld.x}
	for i := range w.eta {
		w.eta[i] = alpha
	}
	blas64.Gemv(blas.NoTrans, 1, a, blas64.Vector{N: ld.d, Inc: 1, Data: beta}, 1, blas64.Vector{N: ld.n, Inc: 1, Data: w.eta})
	lp := -alpha * alpha / 8
	g0 := -alpha / 4
	for i, eta := range w.eta {
		// log sigmoid(±eta) = -log1p(exp(-(±eta))) written stably.
		var ls, sig float64
		if ld.y[i] == 1 {
			ls = -softplusMath(-eta)
		} else {
			ls = -softplusMath(eta)
		}
		sig = 1 / (1 + math.Exp(-eta))
		lp += ls
		w.resid[i] = ld.y[i] - sig
		g0 += w.resid[i]
	}
	blas64.Gemv(blas.Trans, 1, a, blas64.Vector{N: ld.n, Inc: 1, Data: w.resid}, 0, blas64.Vector{N: ld.d, Inc: 1, Data: w.grad[1:]})
	w.grad[0] = g0
	for j, b := range beta {
		lp -= b * b / 2
		w.grad[1+j] -= b
	}
	return lp
}

// softplusMath is log(1+e^x) with the math package, in the stable form.
func softplusMath(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// benchLoop runs f under b.Loop and also reports the process CPU time per
// operation (cpu-ns/op), which is steadier than wall time when other work
// shares the machine.
func benchLoop(b *testing.B, f func()) {
	b.ReportAllocs()
	c0 := cpuTime()
	n := 0
	for b.Loop() {
		f()
		n++
	}
	if c := cpuTime() - c0; c > 0 && n > 0 {
		b.ReportMetric(float64(c)/float64(n), "cpu-ns/op")
	}
}

// BenchmarkLogisticBig is one log density + gradient evaluation of the
// logistic_big model: MatVecAdd + BernoulliLogit + MatTVec + priors.
func BenchmarkLogisticBig(b *testing.B) {
	ld := loadLogistic(b)
	w := newLogisticWork(ld)
	var sink float64
	benchLoop(b, func() { sink += ld.logpGrad(w, ld.alpha, ld.beta) })
	_ = sink
}

// BenchmarkLogisticBigGonumMath is the same evaluation with gonum's Gemv
// and the math package, the baseline to beat.
func BenchmarkLogisticBigGonumMath(b *testing.B) {
	ld := loadLogistic(b)
	w := newLogisticWork(ld)
	var sink float64
	benchLoop(b, func() { sink += ld.logpGradReference(w, ld.alpha, ld.beta) })
	_ = sink
}

func benchMatrix() (a, x, r, dst, dstT []float64) {
	const rows, cols = 10000, 25
	rng := rand.New(rand.NewPCG(3, 4))
	a = make([]float64, rows*cols)
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	x, r = make([]float64, cols), make([]float64, rows)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	for i := range r {
		r[i] = rng.NormFloat64()
	}
	return a, x, r, make([]float64, rows), make([]float64, cols)
}

func BenchmarkMatVec10000x25(b *testing.B) {
	a, x, _, dst, _ := benchMatrix()
	benchLoop(b, func() { MatVec(dst, a, 10000, 25, x) })
}

func BenchmarkMatVec10000x25Gonum(b *testing.B) {
	a, x, _, dst, _ := benchMatrix()
	g := blas64.General{Rows: 10000, Cols: 25, Stride: 25, Data: a}
	benchLoop(b, func() {
		blas64.Gemv(blas.NoTrans, 1, g, blas64.Vector{N: 25, Inc: 1, Data: x}, 0, blas64.Vector{N: 10000, Inc: 1, Data: dst})
	})
}

func BenchmarkMatTVec10000x25(b *testing.B) {
	a, _, r, _, dst := benchMatrix()
	benchLoop(b, func() { MatTVec(dst, a, 10000, 25, r) })
}

func BenchmarkMatTVec10000x25Gonum(b *testing.B) {
	a, _, r, _, dst := benchMatrix()
	g := blas64.General{Rows: 10000, Cols: 25, Stride: 25, Data: a}
	benchLoop(b, func() {
		blas64.Gemv(blas.Trans, 1, g, blas64.Vector{N: 10000, Inc: 1, Data: r}, 0, blas64.Vector{N: 25, Inc: 1, Data: dst})
	})
}

func BenchmarkBernoulliLogit10000(b *testing.B) {
	ld := loadLogistic(b)
	w := newLogisticWork(ld)
	for i := range w.eta {
		w.eta[i] = ld.alpha
	}
	MatVecAdd(w.eta, ld.x, ld.n, ld.d, ld.beta, w.eta)
	benchLoop(b, func() { BernoulliLogit(w.eta, ld.y, w.resid) })
}

// Slice kernels on 10000 elements against the math-package loops.

func benchInput(lo, hi float64) []float64 {
	rng := rand.New(rand.NewPCG(5, 6))
	x := make([]float64, 10000)
	for i := range x {
		x[i] = lo + (hi-lo)*rng.Float64()
	}
	return x
}

func BenchmarkExpTo(b *testing.B) {
	x, dst := benchInput(-20, 20), make([]float64, 10000)
	benchLoop(b, func() { ExpTo(dst, x) })
}

func BenchmarkExpMathLoop(b *testing.B) {
	x, dst := benchInput(-20, 20), make([]float64, 10000)
	benchLoop(b, func() {
		for i, v := range x {
			dst[i] = math.Exp(v)
		}
	})
}

func BenchmarkLogTo(b *testing.B) {
	x, dst := benchInput(1e-3, 1e3), make([]float64, 10000)
	benchLoop(b, func() { LogTo(dst, x) })
}

func BenchmarkLogMathLoop(b *testing.B) {
	x, dst := benchInput(1e-3, 1e3), make([]float64, 10000)
	benchLoop(b, func() {
		for i, v := range x {
			dst[i] = math.Log(v)
		}
	})
}

func BenchmarkLog1pTo(b *testing.B) {
	x, dst := benchInput(-0.5, 10), make([]float64, 10000)
	benchLoop(b, func() { Log1pTo(dst, x) })
}

func BenchmarkLog1pMathLoop(b *testing.B) {
	x, dst := benchInput(-0.5, 10), make([]float64, 10000)
	benchLoop(b, func() {
		for i, v := range x {
			dst[i] = math.Log1p(v)
		}
	})
}

func BenchmarkSigmoidTo(b *testing.B) {
	x, dst := benchInput(-10, 10), make([]float64, 10000)
	benchLoop(b, func() { SigmoidTo(dst, x) })
}

func BenchmarkSigmoidMathLoop(b *testing.B) {
	x, dst := benchInput(-10, 10), make([]float64, 10000)
	benchLoop(b, func() {
		for i, v := range x {
			dst[i] = 1 / (1 + math.Exp(-v))
		}
	})
}

func BenchmarkLogSigmoidTo(b *testing.B) {
	x, dst := benchInput(-10, 10), make([]float64, 10000)
	benchLoop(b, func() { LogSigmoidTo(dst, x) })
}

func BenchmarkLogSigmoidMathLoop(b *testing.B) {
	x, dst := benchInput(-10, 10), make([]float64, 10000)
	benchLoop(b, func() {
		for i, v := range x {
			dst[i] = -softplusMath(-v)
		}
	})
}

func BenchmarkSoftplusTo(b *testing.B) {
	x, dst := benchInput(-10, 10), make([]float64, 10000)
	benchLoop(b, func() { SoftplusTo(dst, x) })
}

func BenchmarkSoftplusMathLoop(b *testing.B) {
	x, dst := benchInput(-10, 10), make([]float64, 10000)
	benchLoop(b, func() {
		for i, v := range x {
			dst[i] = softplusMath(v)
		}
	})
}

// BenchmarkBernoulliLogitMathLoop is the unfused math-package form of
// BenchmarkBernoulliLogit10000 on the same data.
func BenchmarkBernoulliLogitMathLoop(b *testing.B) {
	ld := loadLogistic(b)
	w := newLogisticWork(ld)
	for i := range w.eta {
		w.eta[i] = ld.alpha
	}
	MatVecAdd(w.eta, ld.x, ld.n, ld.d, ld.beta, w.eta)
	var sink float64
	benchLoop(b, func() {
		var s float64
		for i, e := range w.eta {
			if ld.y[i] == 1 {
				s -= softplusMath(-e)
			} else {
				s -= softplusMath(e)
			}
			w.resid[i] = ld.y[i] - 1/(1+math.Exp(-e))
		}
		sink += s
	})
	_ = sink
}

func BenchmarkPoissonLog10000(b *testing.B) {
	eta, y := benchInput(-3, 3), benchInput(0, 10)
	for i := range y {
		y[i] = math.Floor(y[i])
	}
	resid := make([]float64, len(eta))
	benchLoop(b, func() { PoissonLog(eta, y, resid) })
}

// BenchmarkLogisticBigGLM is BenchmarkLogisticBig with the one-pass
// BernoulliLogitGLM kernel (the same results to rounding).
func BenchmarkLogisticBigGLM(b *testing.B) {
	ld := loadLogistic(b)
	w := newLogisticWork(ld)
	benchLoop(b, func() { ld.logpGradGLM(w, ld.alpha, ld.beta) })
}

// logpGradGLM is logpGrad with BernoulliLogitGLM in place of the three
// kernels (the same results to rounding).
func (ld *logisticData) logpGradGLM(w *logisticWork, alpha float64, beta []float64) float64 {
	lp, ga := BernoulliLogitGLM(ld.x, ld.n, ld.d, alpha, beta, ld.y, w.eta, w.resid, w.grad[1:])
	w.grad[0] = ga - alpha/4
	lp -= alpha * alpha / 8
	for j, v := range beta {
		lp -= v * v / 2
		w.grad[1+j] -= v
	}
	return lp
}

// syntheticLogistic returns a logistic regression data set of n rows and d
// columns (standard normal X, labels drawn from the model with alpha = 0.5
// and beta_j ~ N(0, 0.25)) for the benchmarks beyond logistic_big's size.
func syntheticLogistic(n, d int) *logisticData {
	rng := rand.New(rand.NewPCG(5, 6))
	ld := &logisticData{n: n, d: d, x: make([]float64, n*d), y: make([]float64, n), alpha: 0.5, beta: make([]float64, d)}
	for j := range ld.beta {
		ld.beta[j] = 0.5 * rng.NormFloat64()
	}
	for i := range ld.y {
		eta := ld.alpha
		for j := range d {
			v := rng.NormFloat64()
			ld.x[i*d+j] = v
			eta += v * ld.beta[j]
		}
		if rng.Float64() < 1/(1+math.Exp(-eta)) {
			ld.y[i] = 1
		}
	}
	return ld
}

// big1M is the N = 1,000,000 x 25 problem, built once per test binary.
var big1M = sync.OnceValue(func() *logisticData { return syntheticLogistic(1000000, 25) })

// BenchmarkLogisticBig1M is BenchmarkLogisticBig's composed evaluation with
// N = 1,000,000 (X is 200 MB, so it streams from memory twice).
func BenchmarkLogisticBig1M(b *testing.B) {
	ld := big1M()
	w := newLogisticWork(ld)
	benchLoop(b, func() { ld.logpGrad(w, ld.alpha, ld.beta) })
}

// BenchmarkLogisticBig1MGLM is the same with BernoulliLogitGLM, which
// streams X once.
func BenchmarkLogisticBig1MGLM(b *testing.B) {
	ld := big1M()
	w := newLogisticWork(ld)
	benchLoop(b, func() { ld.logpGradGLM(w, ld.alpha, ld.beta) })
}

// The GLM pass's matrix kernels on logistic_big's shape (X from the last
// level cache: 2 MB) and on one block of rows (from L2).
func BenchmarkGLMMatVec10000x25(b *testing.B) {
	a, x, _, dst, _ := benchMatrix()
	benchLoop(b, func() { glmMatVec(dst, a, 10000, 25, 0.5, x) })
}

func BenchmarkGLMMatTVec10000x25(b *testing.B) {
	a, _, r, _, _ := benchMatrix()
	var macc [4][32]float64
	benchLoop(b, func() { glmMatTVecSets(&macc, a, 10000, 25, 25, r) })
}

func BenchmarkGLMMatVec1024x25(b *testing.B) {
	a, x, _, dst, _ := benchMatrix()
	benchLoop(b, func() { glmMatVec(dst[:1024], a[:1024*25], 1024, 25, 0.5, x) })
}

func BenchmarkGLMMatTVec1024x25(b *testing.B) {
	a, _, r, _, _ := benchMatrix()
	var macc [4][32]float64
	benchLoop(b, func() { glmMatTVecSets(&macc, a[:1024*25], 1024, 25, 25, r[:1024]) })
}

func BenchmarkMatVec1024x25(b *testing.B) {
	a, x, _, dst, _ := benchMatrix()
	benchLoop(b, func() { MatVec(dst[:1024], a[:1024*25], 1024, 25, x) })
}

func BenchmarkMatTVec1024x25(b *testing.B) {
	a, _, r, _, dst := benchMatrix()
	benchLoop(b, func() { MatTVec(dst, a[:1024*25], 1024, 25, r[:1024]) })
}

// BenchmarkBernoulliGLM10000 is BenchmarkBernoulliLogit10000 with the GLM
// pass's table-free kernel.
func BenchmarkBernoulliGLM10000(b *testing.B) {
	ld := loadLogistic(b)
	w := newLogisticWork(ld)
	for i := range w.eta {
		w.eta[i] = ld.alpha
	}
	MatVecAdd(w.eta, ld.x, ld.n, ld.d, ld.beta, w.eta)
	var acc, racc [4]float64
	benchLoop(b, func() { bernoulliGLMAcc(w.eta, ld.y, w.resid, &acc, &racc) })
}
