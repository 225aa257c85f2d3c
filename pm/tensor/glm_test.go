package tensor_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm/backend"
	"github.com/gopm-dev/gopm/pm/internal/benchutil"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// glmData is a logistic regression data set: X (n × d, standard normal), labels drawn from the
// model at alpha = 0.5, beta_j ~ N(0, 0.25), and a point (a, b) to evaluate at.
type glmData struct {
	X    [][]float64
	y    []float64
	a    float64
	b    []float64
	n, d int
}

func newGLMData(n, d int, seed uint64) *glmData {
	r := rand.New(rand.NewPCG(seed, 7))
	g := &glmData{X: make([][]float64, n), y: make([]float64, n), n: n, d: d, a: 0.3, b: make([]float64, d)}
	tb := make([]float64, d)
	for j := range tb {
		tb[j] = 0.5 * r.NormFloat64()
		g.b[j] = tb[j] + 0.1*r.NormFloat64()
	}
	for i := range g.X {
		g.X[i] = make([]float64, d)
		eta := 0.5
		for j := range g.X[i] {
			g.X[i][j] = r.NormFloat64()
			eta += g.X[i][j] * tb[j]
		}
		if r.Float64() < 1/(1+math.Exp(-eta)) {
			g.y[i] = 1
		}
	}
	return g
}

// closedForm is the log-likelihood sum_i y_i·η_i − log(1 + e^η_i) and its gradient with
// respect to (α, β), computed with the math package in the plainest way.
func (g *glmData) closedForm(a float64, b []float64, intercept bool) (lp float64, grad []float64) {
	grad = make([]float64, 1+g.d)
	for i, row := range g.X {
		eta := 0.0
		if intercept {
			eta = a
		}
		for j, v := range row {
			eta += v * b[j]
		}
		var sp float64 // log(1 + e^η), stable
		if eta > 0 {
			sp = eta + math.Log1p(math.Exp(-eta))
		} else {
			sp = math.Log1p(math.Exp(eta))
		}
		lp += g.y[i]*eta - sp
		r := g.y[i] - 1/(1+math.Exp(-eta))
		grad[0] += r
		for j, v := range row {
			grad[1+j] += r * v
		}
	}
	if !intercept {
		grad[0] = 0
	}
	return lp, grad
}

// glmGraph builds the log-likelihood of g in one of the spellings the rewrite recognizes, plus
// a prior, and its gradient, as pm compiles a model: [logp, concat(dα, dβ)].
func glmGraph(g *glmData, spelling string) (alpha, beta *tensor.Tensor, outs []*tensor.Tensor) {
	alpha = tensor.Scalar("alpha")
	beta = tensor.NewVar("beta", tensor.Float64, g.d)
	var eta *tensor.Tensor
	switch spelling {
	case "alpha+Xb":
		eta = tensor.Add(alpha, tensor.Dot(g.X, beta))
	case "Xb+alpha":
		eta = tensor.Add(tensor.Dot(g.X, beta), alpha)
	case "Xb":
		eta = tensor.Dot(g.X, beta)
	}
	lp := tensor.Sum(tensor.BernoulliLogitLogp(g.y, eta))
	lp = tensor.Sub(lp, tensor.Add(tensor.Mul(0.125, tensor.Square(alpha)), tensor.Mul(0.5, tensor.Sum(tensor.Square(beta)))))
	gr := tensor.Grad(lp, alpha, beta)
	return alpha, beta, []*tensor.Tensor{lp, tensor.Concatenate(0, tensor.Flatten(gr[0]), gr[1])}
}

// unfusedLikelihood reports whether ops (opNames) name a likelihood other than a glm node.
func unfusedLikelihood(ops string) bool {
	for _, op := range strings.Fields(ops) {
		if (strings.HasSuffix(op, "_lpmf") || strings.HasSuffix(op, "_lpdf")) && !strings.HasPrefix(op, "glm_") {
			return true
		}
	}
	return false
}

func opNames(f *backend.Function) string {
	var s []string
	for _, nd := range f.Graph().Nodes {
		s = append(s, nd.Op.String())
	}
	return strings.Join(s, " ")
}

// The rewrite turns a logistic regression's log-likelihood and gradient into one glm node (no
// likelihood, no matrix product left), whose value and gradient match the closed form, the
// unfused graph (the reference evaluator does not rewrite) and each other across backends bit
// for bit; each spelling of the predictor is recognized.
func TestGLMBernoulliRewrite(t *testing.T) {
	for _, sp := range []string{"alpha+Xb", "Xb+alpha", "Xb"} {
		for _, n := range []int{1, 7, 1030, 2600} {
			g := newGLMData(n, 5, uint64(n))
			alpha, beta, outs := glmGraph(g, sp)
			ref, err := tensor.Eval(tensor.Replace(outs, map[*tensor.Tensor]*tensor.Tensor{
				alpha: tensor.Const(g.a), beta: tensor.Const(g.b)})...)
			if err != nil {
				t.Fatal(err)
			}
			wantLP, wantG := g.closedForm(g.a, g.b, sp != "Xb")
			prior := 0.125*g.a*g.a + 0.5*dot(g.b, g.b)
			wantLP -= prior
			wantG[0] -= 0.25 * g.a
			for j, v := range g.b {
				wantG[1+j] -= v
			}
			var res [2][]*tensor.Array
			for i, be := range []string{"vm", "debug"} {
				f, err := backend.Compile([]any{alpha, beta}, outs, backend.Use(be))
				if err != nil {
					t.Fatal(err)
				}
				ops := opNames(f)
				if strings.Count(ops, "glm_bernoulli_logit_lpmf") != 1 || strings.Contains(ops, "dot") || unfusedLikelihood(ops) {
					t.Fatalf("%s n=%d %s: not fused: %s", sp, n, be, ops)
				}
				if res[i], err = f.Call(g.a, g.b); err != nil {
					t.Fatal(err)
				}
			}
			compareFused(t, fmt.Sprintf("%s n=%d", sp, n), ref, res)
			if v := res[0][0].Data[0]; math.Abs(v-wantLP) > 1e-11*math.Max(1, math.Abs(wantLP)) {
				t.Errorf("%s n=%d: logp %v, closed form %v", sp, n, v, wantLP)
			}
			for j, w := range wantG {
				if v := res[0][1].Data[j]; math.Abs(v-w) > 1e-11*math.Max(1, math.Abs(w)) {
					t.Errorf("%s n=%d: grad[%d] %v, closed form %v", sp, n, j, v, w)
				}
			}
		}
	}
}

// compareFused checks every element of the outputs res of the vm and debug backends against
// the other backend's, bit for bit, and vm's against the unfused graph's ref, to 1e-12.
func compareFused(t *testing.T, label string, ref []*tensor.Array, res [2][]*tensor.Array) {
	t.Helper()
	for k := range ref {
		for j, w := range ref[k].Data {
			a, b := res[0][k].Data[j], res[1][k].Data[j]
			if math.Float64bits(a) != math.Float64bits(b) {
				t.Errorf("%s output %d[%d]: vm %v debug %v", label, k, j, a, b)
			}
			if math.Abs(a-w) > 1e-12*math.Max(1, math.Abs(w)) {
				t.Errorf("%s output %d[%d]: fused %v, unfused %v", label, k, j, a, w)
			}
		}
	}
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// The fused gradient agrees with central finite differences of the fused log-density, at a
// point where the predictor reaches |η| > 40 (the far tails of the sigmoid).
func TestGLMBernoulliFiniteDifferences(t *testing.T) {
	g := newGLMData(300, 4, 11)
	alpha, beta, outs := glmGraph(g, "alpha+Xb")
	f, err := backend.Compile([]any{alpha, beta}, outs)
	if err != nil {
		t.Fatal(err)
	}
	lpf, err := f.Prefix(1)
	if err != nil {
		t.Fatal(err)
	}
	for _, scale := range []float64{1, 15} {
		a := 0.3 * scale
		b := make([]float64, g.d)
		for j := range b {
			b[j] = g.b[j] * scale
		}
		res, err := f.Call(a, b)
		if err != nil {
			t.Fatal(err)
		}
		grad := append([]float64(nil), res[1].Data...)
		lp := func(a float64, b []float64) float64 {
			r, err := lpf.Call(a, b)
			if err != nil {
				t.Fatal(err)
			}
			return r[0].Data[0]
		}
		const h = 1e-5
		check := func(name string, got, fd float64) {
			if math.Abs(got-fd) > 1e-5*math.Max(1, math.Abs(got)) {
				t.Errorf("scale %v: d/d%s = %v, finite difference %v", scale, name, got, fd)
			}
		}
		check("alpha", grad[0], (lp(a+h, b)-lp(a-h, b))/(2*h))
		for j := range b {
			bp := append([]float64(nil), b...)
			bm := append([]float64(nil), b...)
			bp[j] += h
			bm[j] -= h
			check("beta", grad[1+j], (lp(a, bp)-lp(a, bm))/(2*h))
		}
	}
}

// Labels other than 0 and 1 take the general formula y·η − log(1 + e^η) (the value
// bernoulli_logit_lpmf gives them) with residuals y − σ(η); labels held in a variable are
// checked at each call.
func TestGLMBernoulliGeneralLabels(t *testing.T) {
	g := newGLMData(50, 3, 5)
	for i := range g.y {
		g.y[i] = float64(i%5) / 4
	}
	yv := tensor.NewVar("y", tensor.Float64, g.n)
	alpha := tensor.Scalar("alpha")
	beta := tensor.NewVar("beta", tensor.Float64, g.d)
	lp := tensor.Sum(tensor.BernoulliLogitLogp(yv, tensor.Add(alpha, tensor.Dot(g.X, beta))))
	gr := tensor.Grad(lp, alpha, beta)
	outs := []*tensor.Tensor{lp, gr[0], gr[1]}
	f, err := backend.Compile([]any{yv, alpha, beta}, outs)
	if err != nil {
		t.Fatal(err)
	}
	if ops := opNames(f); !strings.Contains(ops, "glm_bernoulli_logit_lpmf") {
		t.Fatalf("not fused: %s", ops)
	}
	for _, labels := range [][]float64{g.y, newGLMData(50, 3, 5).y} {
		g.y = labels
		res, err := f.Call(labels, g.a, g.b)
		if err != nil {
			t.Fatal(err)
		}
		wantLP, wantG := g.closedForm(g.a, g.b, true)
		if v := res[0].Data[0]; math.Abs(v-wantLP) > 1e-12*math.Max(1, math.Abs(wantLP)) {
			t.Errorf("logp %v, closed form %v", v, wantLP)
		}
		got := append(append([]float64(nil), res[1].Data...), res[2].Data...)
		for j, w := range wantG {
			if math.Abs(got[j]-w) > 1e-12*math.Max(1, math.Abs(w)) {
				t.Errorf("grad[%d] %v, closed form %v", j, got[j], w)
			}
		}
	}
}

// The rewrite leaves alone what it does not cover: a vector intercept, and a likelihood whose
// residuals are read elsewhere stays computed (the results still agree with the unfused graph).
func TestGLMBernoulliNotFused(t *testing.T) {
	g := newGLMData(40, 3, 9)
	av := tensor.NewVar("a", tensor.Float64, 1)
	beta := tensor.NewVar("beta", tensor.Float64, g.d)
	lp := tensor.Sum(tensor.BernoulliLogitLogp(g.y, tensor.Add(av, tensor.Dot(g.X, beta))))
	gr := tensor.Grad(lp, av, beta)
	f, err := backend.Compile([]any{av, beta}, []*tensor.Tensor{lp, gr[0], gr[1]})
	if err != nil {
		t.Fatal(err)
	}
	if ops := opNames(f); strings.Contains(ops, "glm") {
		t.Errorf("a vector intercept was fused: %s", ops)
	}
	res, err := f.Call([]float64{g.a}, g.b)
	if err != nil {
		t.Fatal(err)
	}
	wantLP, wantG := g.closedForm(g.a, g.b, true)
	if v := res[0].Data[0]; math.Abs(v-wantLP) > 1e-12*math.Max(1, math.Abs(wantLP)) {
		t.Errorf("logp %v, closed form %v", v, wantLP)
	}
	if v := res[1].Data[0]; math.Abs(v-wantG[0]) > 1e-12*math.Max(1, math.Abs(wantG[0])) {
		t.Errorf("d/da %v, closed form %v", v, wantG[0])
	}
}

// Differentiating a graph that holds a glm node (a gradient of the rewritten gradient) gives
// the derivatives of the composed form: here the Hessian-vector product of the log-likelihood
// in β against the closed form Xᵀ diag(−p(1−p)) X v.
func TestGLMOpGrad(t *testing.T) {
	g := newGLMData(30, 3, 13)
	alpha := tensor.Scalar("alpha")
	beta := tensor.NewVar("beta", tensor.Float64, g.d)
	lp := tensor.Sum(tensor.BernoulliLogitLogp(g.y, tensor.Add(alpha, tensor.Dot(g.X, beta))))
	gb := tensor.Grad(lp, beta)[0]
	fg, err := tensor.NewFunctionGraph([]*tensor.Tensor{alpha, beta}, []*tensor.Tensor{gb}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rw, err := tensor.Rewrite(fg)
	if err != nil {
		t.Fatal(err)
	}
	fused := rw.Outputs[0]
	if _, ok := fused.Owner().Op.(tensor.GLMOp); !ok {
		t.Fatalf("gradient not fused: %s", fused.Owner().Op)
	}
	v := []float64{0.7, -0.2, 1.1}
	hv := tensor.Grad(tensor.Sum(tensor.Mul(fused, v)), alpha, beta)
	res, err := backend.Compile([]any{alpha, beta}, hv)
	if err != nil {
		t.Fatal(err)
	}
	out, err := res.Call(g.a, g.b)
	if err != nil {
		t.Fatal(err)
	}
	wantA := 0.0
	wantB := make([]float64, g.d)
	for _, row := range g.X {
		eta := g.a + dot(row, g.b)
		p := 1 / (1 + math.Exp(-eta))
		w := -p * (1 - p) * dot(row, v)
		wantA += w
		for j, x := range row {
			wantB[j] += w * x
		}
	}
	if math.Abs(out[0].Data[0]-wantA) > 1e-12*math.Max(1, math.Abs(wantA)) {
		t.Errorf("d/dalpha of v·grad: %v, closed form %v", out[0].Data[0], wantA)
	}
	for j, w := range wantB {
		if got := out[1].Data[j]; math.Abs(got-w) > 1e-12*math.Max(1, math.Abs(w)) {
			t.Errorf("Hv[%d] = %v, closed form %v", j, got, w)
		}
	}
}

// A call of the fused log-density and gradient allocates nothing.
func TestGLMBernoulliAllocs(t *testing.T) {
	g := newGLMData(5000, 25, 3)
	alpha, beta, outs := glmGraph(g, "alpha+Xb")
	f, err := backend.Compile([]any{alpha, beta}, outs, backend.Use("vm"))
	if err != nil {
		t.Fatal(err)
	}
	args := []*tensor.Array{tensor.NewArray(tensor.Float64), tensor.NewArray(tensor.Float64, g.d)}
	args[0].Data[0] = g.a
	copy(args[1].Data, g.b)
	if _, err := f.Run(args...); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(20, func() { f.Run(args...) }); n != 0 {
		t.Errorf("%v allocations per call, want 0", n)
	}
}

// benchGLM times one log-density and gradient call of a logistic regression of n rows and 25
// columns on vm: fused (the rewrite fires) or, for comparison, unfused (the same graph with a
// one-element intercept vector, which the rewrite does not cover; its broadcast add costs what
// the scalar's does).
func benchGLM(b *testing.B, n int, fused bool) {
	g := newGLMData(n, 25, 1)
	var a *tensor.Tensor
	var aval *tensor.Array
	if fused {
		a, aval = tensor.Scalar("alpha"), tensor.NewArray(tensor.Float64)
	} else {
		a, aval = tensor.NewVar("alpha", tensor.Float64, 1), tensor.NewArray(tensor.Float64, 1)
	}
	aval.Data[0] = g.a
	beta := tensor.NewVar("beta", tensor.Float64, g.d)
	lp := tensor.Sum(tensor.BernoulliLogitLogp(g.y, tensor.Add(a, tensor.Dot(g.X, beta))))
	gr := tensor.Grad(lp, a, beta)
	g.X = nil // the graph holds its own copy
	f, err := backend.Compile([]any{a, beta}, []*tensor.Tensor{lp, gr[0], gr[1]}, backend.Use("vm"))
	if err != nil {
		b.Fatal(err)
	}
	if got := strings.Contains(opNames(f), "glm_"); got != fused {
		b.Fatalf("fused = %v, want %v: %s", got, fused, opNames(f))
	}
	bv := tensor.NewArray(tensor.Float64, g.d)
	copy(bv.Data, g.b)
	args := []*tensor.Array{aval, bv}
	benchutil.Loop(b, func() {
		if _, err := f.Run(args...); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkGLMBernoulliN10kUnfused(b *testing.B) { benchGLM(b, 10000, false) }
func BenchmarkGLMBernoulliN10kFused(b *testing.B)   { benchGLM(b, 10000, true) }
func BenchmarkGLMBernoulliN1MUnfused(b *testing.B)  { benchGLM(b, 1000000, false) }
func BenchmarkGLMBernoulliN1MFused(b *testing.B)    { benchGLM(b, 1000000, true) }

// regData is a regression data set for the Poisson (counts) and normal likelihoods, with a
// point (a, b, s) to evaluate at.
type regData struct {
	X    [][]float64
	y    []float64
	a, s float64
	b    []float64
}

func newRegData(kind string, n, d int, seed uint64) *regData {
	r := rand.New(rand.NewPCG(seed, 9))
	g := &regData{X: make([][]float64, n), y: make([]float64, n), a: 0.2, s: 1.3, b: make([]float64, d)}
	for j := range g.b {
		g.b[j] = 0.3 * r.NormFloat64()
	}
	for i := range g.X {
		g.X[i] = make([]float64, d)
		eta := g.a
		for j := range g.X[i] {
			g.X[i][j] = r.NormFloat64()
			eta += g.X[i][j] * g.b[j]
		}
		if kind == "poisson" {
			// A Poisson draw by inversion.
			u, k, p := r.Float64(), 0, math.Exp(-math.Exp(eta))
			for c := p; u > c && k < 1000; c += p {
				k++
				p *= math.Exp(eta) / float64(k)
			}
			g.y[i] = float64(k)
		} else {
			g.y[i] = eta + g.s*r.NormFloat64()
		}
	}
	return g
}

// closedForm is the log-likelihood and its gradient in (α, β, σ) with the math package.
func (g *regData) closedForm(kind string, a float64, b []float64, s float64) (lp float64, grad []float64) {
	grad = make([]float64, 2+len(b))
	for i, row := range g.X {
		eta := a
		for j, v := range row {
			eta += v * b[j]
		}
		var r float64
		if kind == "poisson" {
			lg, _ := math.Lgamma(g.y[i] + 1)
			lp += g.y[i]*eta - math.Exp(eta) - lg
			r = g.y[i] - math.Exp(eta)
		} else {
			z := (g.y[i] - eta) / s
			lp += -z*z/2 - math.Log(s) - 0.5*math.Log(2*math.Pi)
			r = z / s
			grad[1+len(b)] += (z*z - 1) / s
		}
		grad[0] += r
		for j, v := range row {
			grad[1+j] += r * v
		}
	}
	return lp, grad
}

// The Poisson (log link) and normal (identity link) regressions are fused as the logistic one:
// one glm node, value and gradient (in σ too) equal to the closed form, to the unfused graph,
// to central finite differences, and bit-identical across backends; a non-positive σ gives
// −Inf as normal_lpdf does.
func TestGLMPoissonNormal(t *testing.T) {
	for _, kind := range []string{"poisson", "normal"} {
		for _, n := range []int{3, 1500} {
			g := newRegData(kind, n, 4, uint64(n))
			alpha, beta, sigma := tensor.Scalar("alpha"), tensor.NewVar("beta", tensor.Float64, 4), tensor.Scalar("sigma")
			eta := tensor.Add(tensor.Dot(g.X, beta), alpha)
			var lp *tensor.Tensor
			wrt, vars, args := []*tensor.Tensor{alpha, beta}, []any{alpha, beta}, []any{g.a, g.b}
			if kind == "poisson" {
				lp = tensor.Sum(tensor.PoissonLogLogp(g.y, eta))
			} else {
				lp = tensor.Sum(tensor.NormalLogp(g.y, eta, sigma))
				wrt, vars, args = append(wrt, sigma), append(vars, sigma), append(args, g.s)
			}
			gr := tensor.Grad(lp, wrt...)
			outs := append([]*tensor.Tensor{lp}, gr...)
			repl := map[*tensor.Tensor]*tensor.Tensor{alpha: tensor.Const(g.a), beta: tensor.Const(g.b), sigma: tensor.Const(g.s)}
			ref, err := tensor.Eval(tensor.Replace(outs, repl)...)
			if err != nil {
				t.Fatal(err)
			}
			var res [2][]*tensor.Array
			var fvm *backend.Function
			for i, be := range []string{"vm", "debug"} {
				f, err := backend.Compile(vars, outs, backend.Use(be))
				if err != nil {
					t.Fatal(err)
				}
				if ops := opNames(f); strings.Count(ops, "glm_") != 1 || strings.Contains(ops, "dot") || unfusedLikelihood(ops) {
					t.Fatalf("%s n=%d %s: not fused: %s", kind, n, be, ops)
				}
				if res[i], err = f.Call(args...); err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					fvm = f
				}
			}
			compareFused(t, fmt.Sprintf("%s n=%d", kind, n), ref, res)
			var flat []float64 // the gradient (vm)
			for _, r := range res[0][1:] {
				flat = append(flat, r.Data...)
			}
			wantLP, wantG := g.closedForm(kind, g.a, g.b, g.s)
			if kind == "poisson" {
				wantG = wantG[:len(wantG)-1]
			}
			if v := res[0][0].Data[0]; math.Abs(v-wantLP) > 1e-11*math.Max(1, math.Abs(wantLP)) {
				t.Errorf("%s n=%d: logp %v, closed form %v", kind, n, v, wantLP)
			}
			for j, w := range wantG {
				if math.Abs(flat[j]-w) > 1e-11*math.Max(1, math.Abs(w)) {
					t.Errorf("%s n=%d: grad[%d] %v, closed form %v", kind, n, j, flat[j], w)
				}
			}
			// Finite differences in every coordinate.
			const h = 1e-6
			x0 := append([]float64{g.a}, g.b...)
			if kind == "normal" {
				x0 = append(x0, g.s)
			}
			lpAt := func(x []float64) float64 {
				a := []any{x[0], x[1:5]}
				if kind == "normal" {
					a = append(a, x[5])
				}
				r, err := fvm.Call(a...)
				if err != nil {
					t.Fatal(err)
				}
				return r[0].Data[0]
			}
			for j := range x0 {
				xp, xm := append([]float64(nil), x0...), append([]float64(nil), x0...)
				xp[j] += h
				xm[j] -= h
				fd := (lpAt(xp) - lpAt(xm)) / (2 * h)
				if math.Abs(fd-flat[j]) > 1e-5*math.Max(1, math.Abs(fd)) {
					t.Errorf("%s n=%d: grad[%d] %v, finite difference %v", kind, n, j, flat[j], fd)
				}
			}
			if kind == "normal" {
				r, err := fvm.Call(g.a, g.b, -1.0)
				if err != nil {
					t.Fatal(err)
				}
				if v := r[0].Data[0]; !math.IsInf(v, -1) {
					t.Errorf("n=%d: logp at sigma = -1 is %v, want -Inf", n, v)
				}
			}
		}
	}
}

// A log-density compiled without its gradient (Function.Prefix(1), as samplers that need no
// gradient compile it) keeps the glm node but skips Xᵀr: its value is the full function's, bit
// for bit, on both backends that run the kernel, and costs less.
func TestGLMValueOnlySkipsXtr(t *testing.T) {
	for _, n := range []int{7, 1030, 2600} {
		g := newGLMData(n, 5, 11)
		alpha, beta, outs := glmGraph(g, "alpha+Xb")
		for _, be := range []string{"vm", "debug"} {
			f, err := backend.Compile([]any{alpha, beta}, outs, backend.Use(be))
			if err != nil {
				t.Fatal(err)
			}
			lp, err := f.Prefix(1)
			if err != nil {
				t.Fatal(err)
			}
			skipped := false
			for _, nd := range lp.Graph().Nodes {
				if strings.HasPrefix(nd.Op.String(), "glm_") {
					skipped = strings.HasSuffix(nd.Op.String(), "{no Xᵀr}")
				}
			}
			if !skipped {
				t.Errorf("n=%d %s: the value-only function's glm node computes Xᵀr (%s)", n, be, opNames(lp))
			}
			full, err := f.Call(g.a, g.b)
			if err != nil {
				t.Fatal(err)
			}
			v, err := lp.Call(g.a, g.b)
			if err != nil {
				t.Fatal(err)
			}
			if math.Float64bits(v[0].Data[0]) != math.Float64bits(full[0].Data[0]) {
				t.Errorf("n=%d %s: value-only log-density %v, with the gradient %v", n, be, v[0].Data[0], full[0].Data[0])
			}
		}
	}
}
