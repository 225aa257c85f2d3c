package tensor_test

import (
	"math"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm/backend"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// The fused sum of a Bernoulli-logit likelihood equals the unfused graph (evaluated by the
// reference evaluator, which does not rewrite) and is bit-identical on both backends.
func TestLikelihoodSumFusion(t *testing.T) {
	const n, d = 257, 3
	X := make([][]float64, n)
	y := make([]float64, n)
	for i := range X {
		X[i] = []float64{math.Sin(float64(i)), math.Cos(float64(3 * i)), float64(i%5) - 2}
		if math.Sin(float64(7*i)) > 0 {
			y[i] = 1
		}
	}
	alpha := tensor.Scalar("alpha")
	beta := tensor.NewVar("beta", tensor.Float64, d)
	lp := tensor.Sum(tensor.BernoulliLogitLogp(y, tensor.Add(alpha, tensor.Dot(X, beta))))
	g := tensor.Grad(lp, alpha, beta)
	outs := append([]*tensor.Tensor{lp}, g...)
	args := []any{0.3, []float64{0.5, -1.2, 0.8}}

	ref, err := tensor.Eval(tensor.Replace(outs, map[*tensor.Tensor]*tensor.Tensor{
		alpha: tensor.Const(0.3), beta: tensor.Const([]float64{0.5, -1.2, 0.8})})...)
	if err != nil {
		t.Fatal(err)
	}
	var res [2][]*tensor.Array
	for i, be := range []string{"vm", "debug"} {
		f, err := backend.Compile([]any{alpha, beta}, outs, backend.Use(be))
		if err != nil {
			t.Fatal(err)
		}
		ops := ""
		for _, nd := range f.Graph().Nodes {
			ops += nd.Op.String() + " "
		}
		// The regression's fused pass (glm.go) covers this graph; it contains the fused sum.
		if !strings.Contains(ops, "sum_bernoulli_logit_lpmf") && !strings.Contains(ops, "glm_bernoulli_logit_lpmf") {
			t.Fatalf("%s: fusion did not fire: %s", be, ops)
		}
		if res[i], err = f.Call(args...); err != nil {
			t.Fatal(err)
		}
	}
	for k := range ref {
		for j, w := range ref[k].Data {
			a, b := res[0][k].Data[j], res[1][k].Data[j]
			if math.Float64bits(a) != math.Float64bits(b) {
				t.Errorf("output %d[%d]: vm %v debug %v", k, j, a, b)
			}
			if math.Abs(a-w) > 1e-10*math.Max(1, math.Abs(w)) {
				t.Errorf("output %d[%d]: fused %v, unfused %v", k, j, a, w)
			}
		}
	}
}
