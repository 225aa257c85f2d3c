package tensor_test

import (
	"math"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm/backend"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// normalSumCases are normal likelihoods summed (so Rewrite fuses them with their sums), in each
// layout the kernel distinguishes, with the variables they depend on.
func normalSumCases(n int) []struct {
	name string
	lp   *tensor.Tensor
	vars []*tensor.Tensor
	vals []any
} {
	v := tensor.NewVar("v", tensor.Float64, n)
	s := tensor.Scalar("s")
	y := make([]float64, n)
	vs := make([]float64, n)
	sig := make([]float64, n)
	for i := range y {
		y[i] = math.Sin(float64(i))
		vs[i] = 0.1*float64(i%7) - 0.2
		sig[i] = 0.5 + float64(i%3)
	}
	// The model written one element at a time: a vector prior, then one observation per
	// element added in order (Rewrite turns the additions into a sum_from).
	atModel := tensor.Sum(tensor.NormalLogp(v, 0.0, 1.0))
	for i := 0; i < n; i++ {
		atModel = tensor.Add(atModel, tensor.NormalLogp(y[i], tensor.At(v, i), 1.0))
	}
	type c = struct {
		name string
		lp   *tensor.Tensor
		vars []*tensor.Tensor
		vals []any
	}
	vsOnly := []any{vs}
	withS := []any{vs, 0.3}
	return []c{
		{"at-model", atModel, []*tensor.Tensor{v}, vsOnly},
		{"const-sigma", tensor.Sum(tensor.NormalLogp(y, v, 2.5)), []*tensor.Tensor{v}, vsOnly},
		{"const-sigma-vector", tensor.Sum(tensor.NormalLogp(v, y, sig)), []*tensor.Tensor{v}, vsOnly},
		{"scalar-sigma", tensor.Sum(tensor.NormalLogp(y, v, tensor.Exp(s))), []*tensor.Tensor{v, s}, withS},
		{"scalar-x", tensor.Sum(tensor.NormalLogp(0.7, v, 2.0)), []*tensor.Tensor{v}, vsOnly},
		{"scalar-mu", tensor.Sum(tensor.NormalLogp(v, s, 1.5)), []*tensor.Tensor{v, s}, withS},
		{"vector-sigma", tensor.Sum(tensor.NormalLogp(y, s, tensor.Add(tensor.Square(v), 0.5))), []*tensor.Tensor{v, s}, withS},
		{"broadcast", tensor.Sum(tensor.NormalLogp(tensor.Reshape(v, n/15, 15), y[:15], tensor.Exp(s))), []*tensor.Tensor{v, s}, withS},
		{"bad-sigma", tensor.Sum(tensor.NormalLogp(y, v, tensor.Sub(s, 1.0))), []*tensor.Tensor{v, s}, withS},
		{"sum-from", tensor.Apply1(tensor.SumFromOp{}, tensor.Square(s), tensor.NormalLogp(y, v, tensor.Exp(s))), []*tensor.Tensor{v, s}, withS},
	}
}

// The sum of a normal likelihood fused into its kernel adds the same values in the same order
// as the graph as written: the log-density is bit-identical to the unrewritten graph's (the
// reference evaluator), the gradient agrees, and both backends agree bit for bit.
func TestNormalSumFusion(t *testing.T) {
	const n = 300
	for _, c := range normalSumCases(n) {
		outs := append([]*tensor.Tensor{c.lp}, tensor.Grad(c.lp, c.vars...)...)
		ins := make([]any, len(c.vars))
		repl := map[*tensor.Tensor]*tensor.Tensor{}
		for i, x := range c.vars {
			ins[i] = x
			repl[x] = tensor.Const(c.vals[i])
		}
		ref, err := tensor.Eval(tensor.Replace(outs, repl)...)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var res [2][]*tensor.Array
		for i, be := range []string{"vm", "debug"} {
			f, err := backend.Compile(ins, outs, backend.Use(be))
			if err != nil {
				t.Fatalf("%s on %s: %v", c.name, be, err)
			}
			ops := " "
			for _, nd := range f.Graph().Nodes {
				ops += nd.Op.String() + " "
			}
			if !strings.Contains(ops, " sum_normal_lpdf ") || strings.Contains(ops, " normal_lpdf ") || strings.Contains(ops, " sum_from ") {
				t.Errorf("%s on %s: the sum is not fused: %s", c.name, be, ops)
			}
			if res[i], err = f.Call(c.vals...); err != nil {
				t.Fatalf("%s on %s: %v", c.name, be, err)
			}
		}
		if a, w := res[0][0].Data[0], ref[0].Data[0]; math.Float64bits(a) != math.Float64bits(w) {
			t.Errorf("%s: log-density %v, unfused %v", c.name, a, w)
		}
		for k := range ref {
			for j, w := range ref[k].Data {
				a, b := res[0][k].Data[j], res[1][k].Data[j]
				if math.Float64bits(a) != math.Float64bits(b) {
					t.Errorf("%s output %d[%d]: vm %v, debug %v", c.name, k, j, a, b)
				}
				if !(a == w || math.Abs(a-w) <= 1e-14*math.Max(1, math.Abs(w))) {
					t.Errorf("%s output %d[%d]: %v, unfused %v", c.name, k, j, a, w)
				}
			}
		}
	}
}

// Gorgonia translates the fused normal sums, with and without a start.
func TestNormalSumFusionOnGorgonia(t *testing.T) {
	for _, c := range normalSumCases(300) {
		if c.name == "bad-sigma" {
			continue // −Inf: no relative comparison
		}
		outs := append([]*tensor.Tensor{c.lp}, tensor.Grad(c.lp, c.vars...)...)
		if k := gorgoniaRun(t, c.name, c.vars, outs, c.lp, c.vals, gorgoniaTol); k != "" {
			t.Errorf("%s: not covered (%s)", c.name, k)
		}
	}
}
