package tensor

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

func TestLikelihoodValuesAgainstGonum(t *testing.T) {
	x := []float64{-1.5, 0.2, 3.7, 0.9}
	mu := []float64{0.3, -0.4, 2.0, 1.0}
	sigma := []float64{0.5, 1.5, 2.5, 0.1}
	out, err := Eval(NormalLogp(x, mu, sigma), NormalLogp(x, 0.7, 1.3), BernoulliLogitLogp([]float64{0, 1, 1, 0}, x),
		PoissonLogLogp([]float64{0, 3, 7, 1}, x))
	if err != nil {
		t.Fatal(err)
	}
	for i := range x {
		want := []float64{
			distuv.Normal{Mu: mu[i], Sigma: sigma[i]}.LogProb(x[i]),
			distuv.Normal{Mu: 0.7, Sigma: 1.3}.LogProb(x[i]),
			distuv.Bernoulli{P: 1 / (1 + math.Exp(-x[i]))}.LogProb([]float64{0, 1, 1, 0}[i]),
			distuv.Poisson{Lambda: math.Exp(x[i])}.LogProb([]float64{0, 3, 7, 1}[i]),
		}
		for k, w := range want {
			if got := out[k].Data[i]; math.Abs(got-w) > 1e-12*math.Max(1, math.Abs(w)) {
				t.Errorf("likelihood %d element %d: %v, gonum %v", k, i, got, w)
			}
		}
	}
	// sigma <= 0 gives -Inf, not NaN.
	bad, _ := Eval(NormalLogp(1.0, 0.0, -1.0))
	if !math.IsInf(bad[0].Data[0], -1) {
		t.Errorf("sigma < 0: %v", bad[0].Data[0])
	}
}

func TestLikelihoodGradients(t *testing.T) {
	cases := []struct {
		name string
		f    func(in []*Tensor) *Tensor
		pt   []any
	}{
		{"normal", func(in []*Tensor) *Tensor { return NormalLogp(in[0], in[1], in[2]) },
			[]any{[]float64{-1.5, 0.2, 3.7}, []float64{0.3, -0.4, 2.0}, []float64{0.5, 1.5, 2.5}}},
		{"normal-scalar-params", func(in []*Tensor) *Tensor { return NormalLogp(in[0], in[1], in[2]) },
			[]any{[]float64{-1.5, 0.2, 3.7}, 0.4, 1.7}},
		{"normal-broadcast-matrix", func(in []*Tensor) *Tensor { return NormalLogp(in[0], in[1], in[2]) },
			[]any{[][]float64{{1, 2}, {3, 4}}, []float64{0.5, 1.5}, [][]float64{{2}, {3}}}},
		{"bernoulli-logit", func(in []*Tensor) *Tensor { return BernoulliLogitLogp([]float64{0, 1, 1}, in[0]) },
			[]any{[]float64{-3, 0.5, 40}}},
		{"poisson-log", func(in []*Tensor) *Tensor { return PoissonLogLogp([]float64{0, 4, 2}, in[0]) },
			[]any{[]float64{-1, 1.2, 0.4}}},
		{"second-order", func(in []*Tensor) *Tensor {
			return Grad(Sum(NormalLogp(in[0], in[1], 2.0)), in[1])[0]
		}, []any{[]float64{0.1, 0.9}, []float64{0.3, 0.2}}},
	}
	for _, c := range cases {
		if err := VerifyGrad(c.f, c.pt, nil); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestLikelihoodSecondOrder(t *testing.T) {
	cases := []struct {
		name string
		f    func(in []*Tensor) *Tensor
		pt   []any
	}{
		{"normal-dmu-wrt-all", func(in []*Tensor) *Tensor {
			return Grad(Sum(NormalLogp(in[0], in[1], in[2])), in[1])[0]
		}, []any{[]float64{0.1, 0.9}, []float64{0.3, 0.2}, []float64{1.5, 0.7}}},
		{"normal-dsigma-wrt-all", func(in []*Tensor) *Tensor {
			return Grad(Sum(NormalLogp(in[0], in[1], in[2])), in[2])[0]
		}, []any{[]float64{0.1, 0.9}, []float64{0.3, 0.2}, []float64{1.5, 0.7}}},
		{"bernoulli", func(in []*Tensor) *Tensor {
			return Grad(Sum(BernoulliLogitLogp([]float64{1, 0}, in[0])), in[0])[0]
		}, []any{[]float64{0.4, -1.3}}},
		{"poisson", func(in []*Tensor) *Tensor {
			return Grad(Sum(PoissonLogLogp([]float64{3, 0}, in[0])), in[0])[0]
		}, []any{[]float64{0.4, -1.3}}},
	}
	for _, c := range cases {
		if err := VerifyGrad(c.f, c.pt, nil); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestRuleSwitchConst(t *testing.T) {
	x := NewVar("x", Float64, 3)
	y := Switch(Const([]bool{true, true, true}), Mul(x, 2.0), Const(math.Inf(-1)))
	fg, err := NewFunctionGraph([]*Tensor{x}, []*Tensor{y}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Rewrite(fg)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range r.Nodes {
		if n.Op.String() == "switch" {
			t.Fatalf("switch on a constant true condition was not removed: %s", PP(r.Outputs[0]))
		}
	}
	// A mixed condition stays.
	z := Switch(Const([]bool{true, false, true}), Mul(x, 2.0), 0.0)
	fg2, _ := NewFunctionGraph([]*Tensor{x}, []*Tensor{z}, nil)
	r2, _ := Rewrite(fg2)
	found := false
	for _, n := range r2.Nodes {
		found = found || n.Op.String() == "switch"
	}
	if !found {
		t.Fatal("a mixed condition was removed")
	}
}
