package tensor_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm/backend"
	_ "github.com/gopm-dev/gopm/pm/backend/debug"
	_ "github.com/gopm-dev/gopm/pm/backend/vm"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// lbeCase is a graph of linalg.go or scan.go ops over input variables of unknown shape, with the
// values to call it on; the compiled outputs include the gradients.
type lbeCase struct {
	name  string
	nvars int
	ndims []int // dimensions of each variable
	f     func(in []*tensor.Tensor) *tensor.Tensor
	vals  []any
}

func lbeMat(seed uint64, r, c int) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 31))
	m := make([][]float64, r)
	for i := range m {
		m[i] = make([]float64, c)
		for j := range m[i] {
			m[i][j] = rng.NormFloat64()
		}
	}
	return m
}

func lbeVec(seed uint64, n int) []float64 { return lbeMat(seed, 1, n)[0] }

// lbeSPD makes a positive definite matrix out of any square matrix: X Xᵀ + n I.
func lbeSPD(x *tensor.Tensor, n int) *tensor.Tensor {
	eye := make([][]float64, n)
	for i := range eye {
		eye[i] = make([]float64, n)
		eye[i][i] = float64(n)
	}
	return tensor.Add(tensor.Dot(x, x.T()), eye)
}

func lbeCases() []lbeCase {
	a := lbeMat(1, 4, 3)
	b := lbeMat(2, 3, 5)
	sq := lbeMat(3, 4, 4)
	for i := range sq {
		sq[i][i] += 3
	}
	v3, v4 := lbeVec(4, 3), lbeVec(5, 4)
	return []lbeCase{
		{"dot mm", 2, []int{2, 2}, func(in []*tensor.Tensor) *tensor.Tensor { return tensor.Dot(in[0], in[1]) }, []any{a, b}},
		{"dot mv", 2, []int{2, 1}, func(in []*tensor.Tensor) *tensor.Tensor { return in[0].Dot(in[1]) }, []any{a, v3}},
		{"dot vm", 2, []int{1, 2}, func(in []*tensor.Tensor) *tensor.Tensor { return tensor.Dot(in[0], in[1]) }, []any{v4, a}},
		{"dot vv", 2, []int{1, 1}, func(in []*tensor.Tensor) *tensor.Tensor { return tensor.Dot(in[0], in[1]) }, []any{v3, v3}},
		{"matmul", 2, []int{2, 2}, func(in []*tensor.Tensor) *tensor.Tensor { return tensor.Tanh(tensor.MatMul(in[0], in[1])) }, []any{a, b}},
		{"outer", 2, []int{1, 1}, func(in []*tensor.Tensor) *tensor.Tensor { return tensor.Outer(in[0], in[1]) }, []any{v4, v3}},
		{"cholesky", 1, []int{2}, func(in []*tensor.Tensor) *tensor.Tensor { return tensor.Cholesky(lbeSPD(in[0], 4)) }, []any{sq}},
		{"solve_triangular", 2, []int{2, 2}, func(in []*tensor.Tensor) *tensor.Tensor {
			return tensor.SolveTriangular(tensor.Cholesky(lbeSPD(in[0], 4)), in[1], true)
		}, []any{sq, lbeMat(6, 4, 2)}},
		{"solve_triangular upper", 2, []int{2, 1}, func(in []*tensor.Tensor) *tensor.Tensor {
			return tensor.SolveTriangular(tensor.Triu(in[0]), in[1], false)
		}, []any{sq, v4}},
		{"solve", 2, []int{2, 2}, func(in []*tensor.Tensor) *tensor.Tensor { return tensor.Solve(in[0], in[1]) }, []any{sq, lbeMat(7, 4, 3)}},
		{"logdet", 1, []int{2}, func(in []*tensor.Tensor) *tensor.Tensor { return tensor.LogDet(in[0]) }, []any{sq}},
		{"logdet pd", 1, []int{2}, func(in []*tensor.Tensor) *tensor.Tensor { return tensor.LogDetPD(lbeSPD(in[0], 4)) }, []any{sq}},
		{"inverse", 1, []int{2}, func(in []*tensor.Tensor) *tensor.Tensor { return tensor.MatrixInverse(in[0]) }, []any{sq}},
		{"diag trace tril", 1, []int{2}, func(in []*tensor.Tensor) *tensor.Tensor {
			return tensor.Add(tensor.Mul(tensor.Tril(in[0]), tensor.Trace(in[0])), tensor.Diag(tensor.ExtractDiag(in[0]).Exp()))
		}, []any{sq}},
		{"scan power", 1, []int{1}, func(in []*tensor.Tensor) *tensor.Tensor {
			return tensor.Scan(func(s []*tensor.Tensor) []*tensor.Tensor { return []*tensor.Tensor{s[0].Mul(s[1])} },
				tensor.ScanArgs{OutputsInfo: []*tensor.Tensor{tensor.OnesLike(in[0])}, NonSequences: []*tensor.Tensor{in[0]}, NSteps: 5})[0]
		}, []any{v4}},
		{"scan cumsum", 1, []int{2}, func(in []*tensor.Tensor) *tensor.Tensor {
			return tensor.Scan(func(s []*tensor.Tensor) []*tensor.Tensor { return []*tensor.Tensor{s[1].Add(s[0])} },
				tensor.ScanArgs{Sequences: []*tensor.Tensor{in[0]}, OutputsInfo: []*tensor.Tensor{tensor.ZerosLike(tensor.At(in[0], 0))}})[0]
		}, []any{a}},
		{"scan rnn", 3, []int{2, 2, 1}, func(in []*tensor.Tensor) *tensor.Tensor {
			w := in[0]
			return tensor.Scan(func(s []*tensor.Tensor) []*tensor.Tensor {
				return []*tensor.Tensor{tensor.Tanh(tensor.Dot(w, s[1]).Add(s[0]))}
			}, tensor.ScanArgs{Sequences: []*tensor.Tensor{in[1]}, OutputsInfo: []*tensor.Tensor{in[2]}, Reverse: true})[0]
		}, []any{lbeMat(8, 3, 3), a, v3}},
	}
}

// TestLinalgBackendsAgree runs every op of linalg.go and scan.go with its gradient on the vm and
// debug backends and requires bitwise-identical results, and results within rounding of package
// tensor's reference evaluator on the same graph over constants.
func TestLinalgBackendsAgree(t *testing.T) {
	for _, c := range lbeCases() {
		vars := make([]*tensor.Tensor, c.nvars)
		ins := make([]any, c.nvars)
		for i := range vars {
			shape := make([]int, c.ndims[i])
			for k := range shape {
				shape[k] = tensor.Unknown
			}
			vars[i] = tensor.NewVar(string(rune('a'+i)), tensor.Float64, shape...)
			ins[i] = vars[i]
		}
		y := c.f(vars)
		cost := tensor.Sum(tensor.Mul(y, y))
		outs := append([]*tensor.Tensor{y}, tensor.Grad(cost, vars...)...)
		var res [2][]*tensor.Array
		for b, name := range []string{"vm", "debug"} {
			f, err := backend.Compile(ins, outs, backend.Use(name))
			if err != nil {
				t.Fatalf("%s on %s: compile: %v", c.name, name, err)
			}
			for k := 0; k < 2; k++ { // the second call reuses the prepared buffers
				res[b], err = f.Call(c.vals...)
				if err != nil {
					t.Fatalf("%s on %s: %v", c.name, name, err)
				}
			}
		}
		for k := range outs {
			if !lbeBitwise(res[0][k], res[1][k]) {
				t.Errorf("%s output %d: vm %v and debug %v differ", c.name, k, res[0][k], res[1][k])
			}
		}
		consts := make([]*tensor.Tensor, len(c.vals))
		for i, v := range c.vals {
			consts[i] = tensor.Const(v)
		}
		ref, err := tensor.Eval(c.f(consts))
		if err != nil {
			t.Fatalf("%s: eval: %v", c.name, err)
		}
		for i, w := range ref[0].Data {
			if g := res[0][0].Data[i]; math.Abs(g-w) > 1e-12*math.Max(1, math.Abs(w)) {
				t.Errorf("%s element %d: vm %v, reference %v", c.name, i, g, w)
				break
			}
		}
	}
}

func lbeBitwise(a, b *tensor.Array) bool {
	if len(a.Data) != len(b.Data) || len(a.Shape) != len(b.Shape) {
		return false
	}
	for i := range a.Shape {
		if a.Shape[i] != b.Shape[i] {
			return false
		}
	}
	for i := range a.Data {
		if math.Float64bits(a.Data[i]) != math.Float64bits(b.Data[i]) {
			return false
		}
	}
	return true
}

// TestLinalgBackendRandomSequences: the same seed gives the same sequence of draws on both
// backends, including draws inside a scan body, and successive calls differ.
func TestLinalgBackendRandomSequences(t *testing.T) {
	var seqs [2][][]*tensor.Array
	for b, name := range []string{"vm", "debug"} {
		rs := tensor.NewRandomStream(2718)
		mu := tensor.Vector("mu")
		walk := tensor.Scan(func(s []*tensor.Tensor) []*tensor.Tensor {
			return []*tensor.Tensor{s[0].Add(rs.Normal(0.0, 1.0))}
		}, tensor.ScanArgs{OutputsInfo: []*tensor.Tensor{tensor.Const(0.0)}, NSteps: 6})[0]
		outs := []*tensor.Tensor{
			rs.Normal(mu, 2.0, 3, 3), rs.Uniform(-1.0, 1.0, 4), rs.Gamma(2.0, mu), rs.Beta(2.0, 3.0, 2),
			rs.Poisson(mu.Exp()), rs.Binomial(10, 0.4, 3), rs.Bernoulli(0.3, 5), rs.StudentT(4.0, mu, 1.0),
			rs.Cauchy(0.0, 1.0, 2), rs.Laplace(mu, 1.0), rs.Logistic(0.0, 1.0, 2), rs.LogNormal(mu, 0.5),
			rs.HalfNormal(1.0, 3), rs.Exponential(2.0, 3), rs.Categorical([]float64{1, 2, 3}, 4),
			rs.Dirichlet([]float64{1, 2, 3}), rs.MvNormal([]float64{0, 1}, [][]float64{{2, 0.5}, {0.5, 1}}, 2), walk,
		}
		f, err := backend.Compile([]any{mu}, outs, backend.Use(name))
		if err != nil {
			t.Fatal(err)
		}
		for call := 0; call < 3; call++ {
			r, err := f.Call([]float64{0.5, 1, 1.5})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			seqs[b] = append(seqs[b], r)
		}
	}
	for call := range seqs[0] {
		for k := range seqs[0][call] {
			if !lbeBitwise(seqs[0][call][k], seqs[1][call][k]) {
				t.Errorf("call %d draw %d: vm %v, debug %v", call, k, seqs[0][call][k], seqs[1][call][k])
			}
		}
	}
	if lbeBitwise(seqs[0][0][0], seqs[0][1][0]) || lbeBitwise(seqs[0][0][17], seqs[0][1][17]) {
		t.Error("successive calls gave the same draws")
	}
}

// TestLinalgBackendErrors: run-time failures of the factorizations are errors from the call on
// both backends, naming the op.
func TestLinalgBackendErrors(t *testing.T) {
	for _, name := range []string{"vm", "debug"} {
		a := tensor.Matrix("a")
		f, err := backend.Compile([]any{a}, tensor.Cholesky(a), backend.Use(name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Call([][]float64{{1, 2}, {2, 1}}); err == nil || !strings.Contains(err.Error(), "cholesky: matrix is not positive definite") {
			t.Errorf("%s: %v", name, err)
		}
		out, err := f.Call([][]float64{{4, 0}, {2, 5}})
		if err != nil || out[0].At(1, 0) != 1 || out[0].At(1, 1) != 2 {
			t.Errorf("%s: after an error: %v %v", name, out, err)
		}
		v := tensor.Vector("v")
		g, err := backend.Compile([]any{a, v}, tensor.Dot(a, v), backend.Use(name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := g.Call([][]float64{{1, 2}}, []float64{1, 2, 3}); err == nil || !strings.Contains(err.Error(), "dot: shapes [1 2] and [3] are not aligned (2 vs 3)") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestLinalgBackendNoAllocs: the regression hot path (X·beta and Xᵀ·g) and a scan with its
// gradient allocate nothing per call on vm.
func TestLinalgBackendNoAllocs(t *testing.T) {
	x := lbeMat(9, 200, 5)
	beta := tensor.Vector("beta")
	eta := tensor.Dot(x, beta)
	lp := tensor.Sum(tensor.LogSigmoid(eta))
	s := tensor.Scan(func(a []*tensor.Tensor) []*tensor.Tensor { return []*tensor.Tensor{a[1].Mul(0.9).Add(a[0])} },
		tensor.ScanArgs{Sequences: []*tensor.Tensor{beta}, OutputsInfo: []*tensor.Tensor{tensor.Const(0.0)}})[0]
	cost := lp.Add(tensor.Sum(s))
	outs := append([]*tensor.Tensor{cost}, tensor.Grad(cost, beta)...)
	f, err := backend.Compile([]any{beta}, outs, backend.Use("vm"))
	if err != nil {
		t.Fatal(err)
	}
	in := &tensor.Array{DType: tensor.Float64, Shape: []int{5}, Data: lbeVec(10, 5)}
	args := []*tensor.Array{in} // built once: a variadic call would allocate the slice
	if _, err := f.Run(args...); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(20, func() { f.Run(args...) }); n != 0 {
		t.Fatalf("a call allocates %v times", n)
	}
}

// BenchmarkLinalgVMRegression is X·beta and its gradient Xᵀ·g for X of 10000×25 (the logistic
// benchmark's shapes), on vm.
func BenchmarkLinalgVMRegression(b *testing.B) {
	x := lbeMat(11, 10000, 25)
	beta := tensor.Vector("beta")
	cost := tensor.Sum(tensor.LogSigmoid(tensor.Dot(x, beta)))
	outs := append([]*tensor.Tensor{cost}, tensor.Grad(cost, beta)...)
	f, err := backend.Compile([]any{beta}, outs, backend.Use("vm"))
	if err != nil {
		b.Fatal(err)
	}
	in := &tensor.Array{DType: tensor.Float64, Shape: []int{25}, Data: lbeVec(12, 25)}
	args := []*tensor.Array{in}
	f.Run(args...)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.Run(args...)
	}
}

// TestLinalgBackendClonesShareStreams: clones of a compiled function running on two goroutines
// draw from the same generators under the stream's lock (run with -race), so the two clones'
// draws together are the stream's sequence, each value drawn once.
func TestLinalgBackendClonesShareStreams(t *testing.T) {
	rs := tensor.NewRandomStream(31)
	f, err := backend.Compile(nil, rs.Uniform(0.0, 1.0, 4), backend.Use("vm"))
	if err != nil {
		t.Fatal(err)
	}
	g := f.Clone()
	const calls = 50
	got := make(chan []float64, 2*calls)
	done := make(chan error, 2)
	for _, h := range []*backend.Function{f, g} {
		go func(h *backend.Function) {
			for i := 0; i < calls; i++ {
				r, err := h.Call()
				if err != nil {
					done <- err
					return
				}
				got <- r[0].Floats()
			}
			done <- nil
		}(h)
	}
	for i := 0; i < 2; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	close(got)
	seen := map[float64]bool{}
	for d := range got {
		for _, v := range d {
			if seen[v] {
				t.Fatalf("value %v drawn twice", v)
			}
			seen[v] = true
		}
	}
	// The same stream, single-threaded, gives the same set of values.
	rs2 := tensor.NewRandomStream(31)
	h, err := backend.Compile(nil, rs2.Uniform(0.0, 1.0, 4), backend.Use("debug"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2*calls; i++ {
		r, _ := h.Call()
		for _, v := range r[0].Data {
			if !seen[v] {
				t.Fatalf("call %d: value %v not among the clones' draws", i, v)
			}
		}
	}
}

// BenchmarkScanVMSteps measures the per-step cost of a loop on vm: a 1000-step scalar recurrence
// h_t = 0.9 h_{t-1} + x_t and its gradient (a reverse scan).
func BenchmarkScanVMSteps(b *testing.B) {
	x := tensor.Vector("x")
	h := tensor.Scan(func(a []*tensor.Tensor) []*tensor.Tensor { return []*tensor.Tensor{a[1].Mul(0.9).Add(a[0])} },
		tensor.ScanArgs{Sequences: []*tensor.Tensor{x}, OutputsInfo: []*tensor.Tensor{tensor.Const(0.0)}})[0]
	cost := tensor.Sum(h)
	f, err := backend.Compile([]any{x}, append([]*tensor.Tensor{cost}, tensor.Grad(cost, x)...), backend.Use("vm"))
	if err != nil {
		b.Fatal(err)
	}
	args := []*tensor.Array{{DType: tensor.Float64, Shape: []int{1000}, Data: lbeVec(13, 1000)}}
	f.Run(args...)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.Run(args...)
	}
}
