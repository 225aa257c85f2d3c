package tensor_test

import (
	"math"
	"testing"

	"github.com/gopm-dev/gopm/pm/backend"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// The fused likelihoods and the recurrence, with their gradients, are bit-identical on both
// backends and match the reference evaluator.
func TestLikelihoodAndRecurrenceBackends(t *testing.T) {
	x := tensor.NewVar("x", tensor.Float64, 6)
	s := tensor.Scalar("s")
	xs := []float64{-1.2, 0.3, 2.2, 0.0, -0.7, 1.9}
	graphs := map[string]*tensor.Tensor{
		"normal":      tensor.Sum(tensor.NormalLogp([]float64{0.5, 1, -2, 0.1, 3, 0}, x, tensor.Exp(s))),
		"normal-vec":  tensor.Sum(tensor.NormalLogp(x, 0.3, tensor.Add(tensor.Square(x), 0.5))),
		"bernoulli":   tensor.Sum(tensor.Mul(tensor.BernoulliLogitLogp([]float64{1, 0, 1, 1, 0, 0}, x), 1.5)),
		"poisson":     tensor.Sum(tensor.PoissonLogLogp([]float64{0, 2, 5, 1, 0, 3}, tensor.Mul(x, s))),
		"recurrence":  tensor.Sum(tensor.Square(tensor.Recurrence(x, tensor.Tanh(s)))),
		"bern-summed": tensor.Sum(tensor.BernoulliLogitLogp([]float64{1, 0, 1, 1, 0, 0}, x)),
	}
	for name, lp := range graphs {
		g := tensor.Grad(lp, x, s)
		outs := append([]*tensor.Tensor{lp}, g...)
		var res [2][]*tensor.Array
		for i, be := range []string{"vm", "debug"} {
			f, err := backend.Compile([]any{x, s}, outs, backend.Use(be))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if res[i], err = f.Call(xs, 0.4); err != nil {
				t.Fatalf("%s %s: %v", name, be, err)
			}
		}
		ref, err := tensor.Eval(tensor.Replace(outs, map[*tensor.Tensor]*tensor.Tensor{x: tensor.Const(xs), s: tensor.Const(0.4)})...)
		if err != nil {
			t.Fatal(err)
		}
		for k := range res[0] {
			for j := range res[0][k].Data {
				a, b, w := res[0][k].Data[j], res[1][k].Data[j], ref[k].Data[j]
				if math.Float64bits(a) != math.Float64bits(b) {
					t.Errorf("%s output %d[%d]: vm %v, debug %v", name, k, j, a, b)
				}
				if math.Abs(a-w) > 1e-10*math.Max(1, math.Abs(w)) {
					t.Errorf("%s output %d[%d]: %v, reference %v", name, k, j, a, w)
				}
			}
		}
	}
}
