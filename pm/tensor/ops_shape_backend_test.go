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

// opsCase is a graph over input variables (Unknown dimensions, so shapes are bound at run time)
// with the values to call it on. The outputs include gradients, so the gradient ops run too.
type opsCase struct {
	name string
	vars func() []*tensor.Tensor
	f    func(in []*tensor.Tensor) *tensor.Tensor
	vals []any
}

func opsRand(seed uint64, n int) []float64 {
	rng := rand.New(rand.NewPCG(seed, 11))
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

func opsMatrix(seed uint64, r, c int) [][]float64 {
	v := opsRand(seed, r*c)
	m := make([][]float64, r)
	for i := range m {
		m[i] = v[i*c : (i+1)*c]
	}
	return m
}

func opsVec() []*tensor.Tensor { return []*tensor.Tensor{tensor.Vector("x")} }
func opsMat() []*tensor.Tensor { return []*tensor.Tensor{tensor.Matrix("x")} }

func opsCases() []opsCase {
	m := opsMatrix(1, 4, 5)
	v := opsRand(2, 7)
	group := []int{0, 3, 3, 1, 6, 2, 0, 5, 4, 4, 6}
	return []opsCase{
		{"max", opsMat, func(in []*tensor.Tensor) *tensor.Tensor { return in[0].Max(1) }, []any{m}},
		{"min-keepdims", opsMat, func(in []*tensor.Tensor) *tensor.Tensor { return tensor.MinKeepDims(in[0], 0) }, []any{m}},
		{"prod", opsMat, func(in []*tensor.Tensor) *tensor.Tensor { return in[0].Prod(0) }, []any{m}},
		{"logsumexp", opsMat, func(in []*tensor.Tensor) *tensor.Tensor { return in[0].LogSumExp(1) }, []any{m}},
		{"logsumexp-all", opsMat, func(in []*tensor.Tensor) *tensor.Tensor { return in[0].LogSumExp() }, []any{m}},
		{"mean", opsMat, func(in []*tensor.Tensor) *tensor.Tensor { return in[0].Mean(0) }, []any{m}},
		{"var", opsMat, func(in []*tensor.Tensor) *tensor.Tensor { return in[0].Var(1) }, []any{m}},
		{"std-ddof", opsMat, func(in []*tensor.Tensor) *tensor.Tensor { return tensor.StdDdof(in[0], 1) }, []any{m}},
		{"argmax", opsMat, func(in []*tensor.Tensor) *tensor.Tensor {
			return tensor.Cast(in[0].Argmax(1), tensor.Float64).Mul(in[0].Sum(1))
		}, []any{m}},
		{"reshape", opsMat, func(in []*tensor.Tensor) *tensor.Tensor { return in[0].Reshape(-1, 2).Square() }, []any{m}},
		{"flatten", opsMat, func(in []*tensor.Tensor) *tensor.Tensor { return in[0].Flatten().Exp() }, []any{m}},
		{"transpose", opsMat, func(in []*tensor.Tensor) *tensor.Tensor { return in[0].T().Mul(tensor.Const(opsMatrix(3, 5, 4))) }, []any{m}},
		{"concatenate", opsMat, func(in []*tensor.Tensor) *tensor.Tensor {
			return tensor.Concatenate(1, in[0], in[0].Square(), in[0].Slice(1, 0, 2, 1)).Exp()
		}, []any{m}},
		{"stack", opsVec, func(in []*tensor.Tensor) *tensor.Tensor { return tensor.Stack(1, in[0], in[0].Exp()).Square() }, []any{v}},
		{"repeat", opsMat, func(in []*tensor.Tensor) *tensor.Tensor { return in[0].Repeat(3, 1).Square() }, []any{m}},
		{"broadcast_to", opsVec, func(in []*tensor.Tensor) *tensor.Tensor {
			return tensor.BroadcastTo(in[0].Reshape(1, 7), 3, 7).Mul(tensor.Const(opsMatrix(4, 3, 7)))
		}, []any{v}},
		{"squeeze", opsVec, func(in []*tensor.Tensor) *tensor.Tensor { return in[0].Reshape(1, -1, 1).Squeeze().Square() }, []any{v}},
		{"at", opsVec, func(in []*tensor.Tensor) *tensor.Tensor { return in[0].At(0).Mul(in[0].At(-1)).Add(in[0].At(2)) }, []any{v}},
		{"at-row", opsMat, func(in []*tensor.Tensor) *tensor.Tensor { return in[0].At(1).Mul(in[0].At(-1)) }, []any{m}},
		{"slice", opsMat, func(in []*tensor.Tensor) *tensor.Tensor { return in[0].Slice(1, tensor.None, tensor.None, -2).Square() }, []any{m}},
		{"set_subtensor", opsMat, func(in []*tensor.Tensor) *tensor.Tensor {
			return tensor.SetSlice(tensor.IncAt(in[0], in[0].At(0), 2), 0.5, 1, 1, 3, 1).Square()
		}, []any{m}},
		{"gather", opsVec, func(in []*tensor.Tensor) *tensor.Tensor {
			return in[0].Index(group).Mul(tensor.Const(opsRand(5, len(group))))
		}, []any{v}},
		{"take-axis1", opsMat, func(in []*tensor.Tensor) *tensor.Tensor { return tensor.Take(in[0], []int{4, 0, 4}, 1).Square() }, []any{m}},
		{"inc_take", opsVec, func(in []*tensor.Tensor) *tensor.Tensor {
			return tensor.IncTake(in[0], []int{1, 1, 2}, in[0].Slice(0, 0, 3, 1).Exp(), 0).Square()
		}, []any{v}},
		{"mask", opsVec, func(in []*tensor.Tensor) *tensor.Tensor {
			return in[0].Mask([]bool{true, false, true, true, false, false, true}).Square()
		}, []any{v}},
		{"cumsum", opsMat, func(in []*tensor.Tensor) *tensor.Tensor { return tensor.Cumsum(in[0], 1).Square() }, []any{m}},
		{"cumprod", opsMat, func(in []*tensor.Tensor) *tensor.Tensor { return tensor.Cumprod(in[0], 0) }, []any{m}},
	}
}

// TestOpsShapeBackendsAgree runs every op of reduce.go, shape.go, index.go and cumsum.go with its
// gradient on the vm and debug backends and requires bitwise-identical results, and results
// within rounding of package tensor's reference evaluator on the same graph with constants.
func TestOpsShapeBackendsAgree(t *testing.T) {
	for _, c := range opsCases() {
		vars := c.vars()
		y := c.f(vars)
		cost := tensor.Sum(tensor.Mul(y, y))
		outs := append([]*tensor.Tensor{y}, tensor.Grad(cost, vars...)...)
		ins := make([]any, len(vars))
		for i, x := range vars {
			ins[i] = x
		}
		var res [2][]*tensor.Array
		for b, name := range []string{"vm", "debug"} {
			f, err := backend.Compile(ins, outs, backend.Use(name))
			if err != nil {
				t.Fatalf("%s on %s: compile: %v", c.name, name, err)
			}
			// Twice: the second call reuses the prepared buffers.
			for k := 0; k < 2; k++ {
				res[b], err = f.Call(c.vals...)
				if err != nil {
					t.Fatalf("%s on %s: %v", c.name, name, err)
				}
			}
		}
		for k := range outs {
			a, d := res[0][k], res[1][k]
			if len(a.Data) != len(d.Data) || !sameInts(a.Shape, d.Shape) {
				t.Errorf("%s output %d: shapes %v (vm) and %v (debug)", c.name, k, a.Shape, d.Shape)
				continue
			}
			for i := range a.Data {
				if math.Float64bits(a.Data[i]) != math.Float64bits(d.Data[i]) {
					t.Errorf("%s output %d element %d: vm %v, debug %v", c.name, k, i, a.Data[i], d.Data[i])
					break
				}
			}
		}
		// The same graph over constants, evaluated without rewrites.
		consts := make([]*tensor.Tensor, len(c.vals))
		for i, v := range c.vals {
			consts[i] = tensor.Const(v)
		}
		ry := c.f(consts)
		ref, err := tensor.Eval(ry)
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

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestOpsShapeRunTimeErrors: positions out of range and shapes that do not fit are errors from
// the call, on both backends, naming the index and the length.
func TestOpsShapeRunTimeErrors(t *testing.T) {
	for _, name := range []string{"vm", "debug"} {
		a := tensor.Vector("a")
		g := tensor.IVector("g")
		f, err := backend.Compile([]any{a, g}, tensor.Sum(a.Index(g)), backend.Use(name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Call([]float64{1, 2, 3}, []int{0, 7}); err == nil || !strings.Contains(err.Error(), "index 7 is out of range for axis 0 of length 3") {
			t.Errorf("%s: gather out of range: %v", name, err)
		}
		out, err := f.Call([]float64{1, 2, 3}, []int{2, 2, -1})
		if err != nil || out[0].Float() != 9 {
			t.Errorf("%s: gather after an error: %v %v", name, out, err)
		}
		h, err := backend.Compile([]any{a}, a.At(3), backend.Use(name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Call([]float64{1, 2}); err == nil || !strings.Contains(err.Error(), "index 3 is out of range for axis 0 of length 2") {
			t.Errorf("%s: at out of range: %v", name, err)
		}
		r, err := backend.Compile([]any{a}, a.Reshape(2, -1), backend.Use(name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Call([]float64{1, 2, 3}); err == nil || !strings.Contains(err.Error(), "reshape") {
			t.Errorf("%s: reshape of odd length into 2 rows: %v", name, err)
		}
	}
}

// BenchmarkOpsGather is the hierarchical models' pattern: a group-level vector of 85 gathered
// by 919 group indices, with its gradient (radon's county intercepts).
func BenchmarkOpsGather(b *testing.B) {
	const groups, n = 85, 919
	rng := rand.New(rand.NewPCG(1, 2))
	idx := make([]int, n)
	for i := range idx {
		idx[i] = rng.IntN(groups)
	}
	a := tensor.Vector("a")
	y := tensor.Const(opsRand(3, n))
	lp := tensor.Sum(tensor.Square(tensor.Sub(y, a.Index(idx))))
	f, err := backend.Compile([]any{a}, append([]*tensor.Tensor{lp}, tensor.Grad(lp, a)...), backend.Use("vm"))
	if err != nil {
		b.Fatal(err)
	}
	in, _ := tensor.AsArray(opsRand(4, groups))
	args := []*tensor.Array{in} // one slice for all calls: Run's variadic would allocate one each
	if _, err := f.Run(args...); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.Run(args...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpsAt is the small-model pattern: scalars picked out of a short parameter vector,
// with the gradient.
func BenchmarkOpsAt(b *testing.B) {
	x := tensor.Vector("x")
	lp := x.At(0).Mul(x.At(1)).Add(x.At(2).Square()).Sub(x.At(-1))
	f, err := backend.Compile([]any{x}, append([]*tensor.Tensor{lp}, tensor.Grad(lp, x)...), backend.Use("vm"))
	if err != nil {
		b.Fatal(err)
	}
	in, _ := tensor.AsArray([]float64{0.5, 1.5, -2, 3, 0.25})
	args := []*tensor.Array{in}
	if _, err := f.Run(args...); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.Run(args...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpsGatherOnly is the gather kernel alone: 919 positions into a vector of 85.
func BenchmarkOpsGatherOnly(b *testing.B) {
	const groups, n = 85, 919
	rng := rand.New(rand.NewPCG(1, 2))
	idx := make([]int, n)
	for i := range idx {
		idx[i] = rng.IntN(groups)
	}
	a := tensor.Vector("a")
	f, err := backend.Compile([]any{a}, a.Index(idx), backend.Use("vm"))
	if err != nil {
		b.Fatal(err)
	}
	in, _ := tensor.AsArray(opsRand(4, groups))
	args := []*tensor.Array{in}
	if _, err := f.Run(args...); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.Run(args...); err != nil {
			b.Fatal(err)
		}
	}
}
