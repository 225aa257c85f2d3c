package dist_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gopm-dev/gopm/pm/backend"
	_ "github.com/gopm-dev/gopm/pm/backend/debug"
	_ "github.com/gopm-dev/gopm/pm/backend/vm"
	"github.com/gopm-dev/gopm/pm/dist"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// logpAndGrad compiles Σ logp and its gradient in the inputs on a backend.
func logpAndGrad(t testing.TB, be string, build func(in []*tensor.Tensor) dist.Dist, value func(in []*tensor.Tensor) *tensor.Tensor, in []*tensor.Tensor) *backend.Function {
	lp := tensor.Sum(build(in).Logp(value(in)))
	outs := append([]*tensor.Tensor{lp}, tensor.Grad(lp, in...)...)
	ins := make([]any, len(in))
	for i, x := range in {
		ins[i] = x
	}
	f, err := backend.Compile(ins, outs, backend.Use(be))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestDistBackends compiles log-densities and gradients on the vm and debug backends (with
// their rewrites: constant folding, fusion) and compares them with the reference evaluator on
// the same graphs built with constants, for distributions whose graphs use the less common ops
// (Switch guards, lgamma, erfc, log-sum-exp, triangular solves, this package's special ops).
func TestDistBackends(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	xs := make([]float64, 20)
	for i := range xs {
		xs[i] = math.Abs(r.NormFloat64()) + 0.1
	}
	cases := []struct {
		name  string
		build func(p []*tensor.Tensor) dist.Dist
		pt    []float64
	}{
		{"Normal", func(p []*tensor.Tensor) dist.Dist { return dist.Normal(p[0], p[1]) }, []float64{0.3, 1.2}},
		{"StudentT", func(p []*tensor.Tensor) dist.Dist { return dist.StudentT(p[0], p[1], p[2]) }, []float64{3, 0.3, 1.2}},
		{"Gamma", func(p []*tensor.Tensor) dist.Dist { return dist.Gamma(p[0], p[1]) }, []float64{2, 1.5}},
		{"VonMises", func(p []*tensor.Tensor) dist.Dist { return dist.VonMises(p[0], p[1]) }, []float64{0.3, 4}},
		{"SkewNormal", func(p []*tensor.Tensor) dist.Dist { return dist.SkewNormal(p[0], p[1], p[2]) }, []float64{0.3, 1.2, -2}},
		{"TruncatedNormal", func(p []*tensor.Tensor) dist.Dist { return dist.TruncatedNormal(p[0], p[1], 0.0, 3.0) }, []float64{0.3, 1.2}},
		{"NormalMixture", func(p []*tensor.Tensor) dist.Dist {
			return dist.NormalMixture([]float64{0.3, 0.7}, tensor.Stack(0, p[0], p[1]), 1.0)
		}, []float64{0.3, 2}},
		{"Weibull", func(p []*tensor.Tensor) dist.Dist { return dist.Weibull(p[0], p[1]) }, []float64{1.5, 2}},
	}
	for _, c := range cases {
		vars := make([]*tensor.Tensor, len(c.pt))
		consts := make([]*tensor.Tensor, len(c.pt))
		for i, v := range c.pt {
			vars[i] = tensor.Scalar("p")
			consts[i] = tensor.Const(v)
		}
		// Reference: the same graph on constants, with the gradient, by Eval.
		lpRef := tensor.Sum(c.build(consts).Logp(tensor.Const(xs)))
		ref, err := tensor.Eval(append([]*tensor.Tensor{lpRef}, tensor.Grad(lpRef, consts...)...)...)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, be := range []string{"vm", "debug"} {
			f := logpAndGrad(t, be, c.build, func([]*tensor.Tensor) *tensor.Tensor { return tensor.Const(xs) }, vars)
			args := make([]any, len(c.pt))
			for i, v := range c.pt {
				args[i] = v
			}
			out, err := f.Call(args...)
			if err != nil {
				t.Fatalf("%s on %s: %v", c.name, be, err)
			}
			for i := range out {
				a, b := out[i].Data[0], ref[i].Data[0]
				if math.Abs(a-b) > 1e-10*math.Max(1, math.Abs(b)) {
					t.Errorf("%s on %s: output %d is %v, reference %v", c.name, be, i, a, b)
				}
			}
		}
	}
}

// linregData is a fixed synthetic regression data set.
func linregData(n int) (x, y []float64) {
	r := rand.New(rand.NewPCG(1, 1))
	x, y = make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = r.NormFloat64()
		y[i] = 1 + 2*x[i] + 0.5*r.NormFloat64()
	}
	return
}

// BenchmarkDistNormalRegression is the log-density and gradient of a linear regression
// likelihood with 1000 observations, Normal(a + b x, exp(log σ)), as the model layer builds it,
// on the vm backend.
func BenchmarkDistNormalRegression(b *testing.B) {
	xs, ys := linregData(1000)
	in := []*tensor.Tensor{tensor.Scalar("a"), tensor.Scalar("b"), tensor.Scalar("ls")}
	f := logpAndGrad(b, "vm", func(p []*tensor.Tensor) dist.Dist {
		return dist.Normal(tensor.Add(p[0], tensor.Mul(p[1], tensor.Const(xs))), tensor.Exp(p[2]))
	}, func([]*tensor.Tensor) *tensor.Tensor { return tensor.Const(ys) }, in)
	args := []*tensor.Array{tensor.Const(1.0).Value(), tensor.Const(2.0).Value(), tensor.Const(-0.5).Value()}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.Run(args...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDistBernoulliLogit is a logistic regression likelihood with 1000 observations.
func BenchmarkDistBernoulliLogit(b *testing.B) {
	xs, ys := linregData(1000)
	for i := range ys {
		ys[i] = math.Round(1 / (1 + math.Exp(-ys[i]+1)))
	}
	in := []*tensor.Tensor{tensor.Scalar("a"), tensor.Scalar("b")}
	f := logpAndGrad(b, "vm", func(p []*tensor.Tensor) dist.Dist {
		return dist.BernoulliLogit(tensor.Add(p[0], tensor.Mul(p[1], tensor.Const(xs))))
	}, func([]*tensor.Tensor) *tensor.Tensor { return tensor.Const(ys) }, in)
	args := []*tensor.Array{tensor.Const(0.1).Value(), tensor.Const(1.0).Value()}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.Run(args...); err != nil {
			b.Fatal(err)
		}
	}
}
