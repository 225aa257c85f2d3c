package tensor_test

import (
	"math"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm/backend"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// elementwiseCost is Σ_i w_i·sin(v[i]) written one element at a time, plus v[1]² so that one
// element is indexed twice, as a left fold of additions (how a user's loop builds it).
func elementwiseCost(v *tensor.Tensor, k int) *tensor.Tensor {
	cost := tensor.Square(v.At(1))
	for i := 0; i < k; i++ {
		cost = cost.Add(tensor.Sin(v.At(i)).Mul(float64(i%5) - 2))
	}
	return cost
}

// TestAtGradientIsOneScatter checks that the gradient of k At's of one vector is one scatter-add
// node (not k full-length arrays added up), that its values are the closed form, that vm and
// debug agree bit for bit, and that a call allocates nothing.
func TestAtGradientIsOneScatter(t *testing.T) {
	const k = 300
	v := tensor.Vector("v")
	g := tensor.Grad(elementwiseCost(v, k), v)[0]
	scatters, incs := 0, 0
	for _, n := range tensor.Toposort(g) {
		switch n.Op.(type) {
		case tensor.IncAtsOp:
			scatters++
			if len(n.Inputs) != k+2 {
				t.Errorf("the scatter-add has %d inputs, want %d (the shape and %d values)", len(n.Inputs), k+2, k+1)
			}
		case tensor.IncOp:
			incs++
		}
	}
	if scatters != 1 || incs != 0 {
		t.Errorf("the gradient has %d scatter-adds and %d inc_subtensors, want 1 and 0", scatters, incs)
	}
	x := make([]float64, k)
	for i := range x {
		x[i] = math.Cos(float64(3*i)) * 2
	}
	var res [2][]float64
	for b, name := range []string{"vm", "debug"} {
		f, err := backend.Compile([]any{v}, g, backend.Use(name))
		if err != nil {
			t.Fatal(err)
		}
		a := tensor.NewArray(tensor.Float64, k)
		copy(a.Data, x)
		args := []*tensor.Array{a} // a call with a slice passes it on, without allocating one
		out, err := f.Run(args...)
		if err != nil {
			t.Fatal(err)
		}
		res[b] = append([]float64(nil), out[0].Data...)
		if name == "vm" {
			if n := testing.AllocsPerRun(20, func() { f.Run(args...) }); n != 0 {
				t.Errorf("vm: %v allocations per call, want 0", n)
			}
		}
	}
	for i := range x {
		want := (float64(i%5) - 2) * math.Cos(x[i])
		if i == 1 {
			want += 2 * x[1]
		}
		if got := res[0][i]; math.Abs(got-want) > 1e-14*math.Max(1, math.Abs(want)) {
			t.Errorf("gradient element %d: %v, want %v", i, got, want)
		}
		if math.Float64bits(res[0][i]) != math.Float64bits(res[1][i]) {
			t.Errorf("gradient element %d: vm %v, debug %v", i, res[0][i], res[1][i])
		}
	}
}

// TestIncAtsGradient differentiates through the scatter-add (gradients of gradients) and
// through At of matrix rows, by finite differences.
func TestIncAtsGradient(t *testing.T) {
	for _, f := range []func(in []*tensor.Tensor) *tensor.Tensor{
		// The gradient of an element-wise cost, itself differentiated by VerifyGrad.
		func(in []*tensor.Tensor) *tensor.Tensor {
			return tensor.Grad(elementwiseCost(in[0], 6), in[0])[0].Mul(tensor.Const([]float64{1, -2, 3, 0.5, 2, -1}))
		},
		// Rows of a matrix, one indexed twice.
		func(in []*tensor.Tensor) *tensor.Tensor {
			m := in[0].Reshape(3, 2)
			cost := tensor.Sum(m.At(0).Mul(m.At(2))).Add(tensor.Sum(tensor.Exp(m.At(2)))).Add(tensor.Sum(m.At(-1).Square()))
			return tensor.Grad(cost, in[0])[0].Square()
		},
	} {
		if err := tensor.VerifyGrad(f, []any{[]float64{0.5, -1.5, 2, 0.3, -0.7, 1.1}}, nil); err != nil {
			t.Error(err)
		}
	}
}

// TestIncAtsLinearGraph checks that the gradient graph of k At's grows linearly: the number of
// nodes per element stays the same from k = 100 to k = 10,000, and the op's name stays short.
func TestIncAtsLinearGraph(t *testing.T) {
	per := func(k int) float64 {
		v := tensor.Vector("v")
		return float64(len(tensor.Toposort(tensor.Grad(elementwiseCost(v, k), v)[0]))) / float64(k)
	}
	if a, b := per(100), per(10000); math.Abs(a-b) > 0.1 {
		t.Errorf("gradient nodes per element: %.2f at k=100, %.2f at k=10000", a, b)
	}
	v := tensor.Vector("v")
	for _, n := range tensor.Toposort(tensor.Grad(elementwiseCost(v, 10000), v)[0]) {
		if s := n.Op.String(); strings.HasPrefix(s, "inc_ats") && s != "inc_ats{10001×1}" {
			t.Errorf("op name %q, want inc_ats{10001×1}", s)
		}
	}
}
