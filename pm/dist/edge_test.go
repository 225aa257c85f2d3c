package dist

import (
	"math"
	"testing"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// gradAt evaluates logp and its gradient with respect to a parameter held in a shared
// variable (not a constant, so that every guard and Switch is in the graph).
func gradAt(t *testing.T, build func(p *tensor.Tensor) *tensor.Tensor, p float64) (float64, float64) {
	t.Helper()
	v := tensor.Shared("p", p)
	lp := tensor.Sum(build(v))
	r, err := tensor.Eval(lp, tensor.Grad(lp, v)[0])
	if err != nil {
		t.Fatal(err)
	}
	return r[0].Data[0], r[1].Data[0]
}

// TestDistEdgeGradients checks log-densities and gradients at the edges of the parameter space
// where a careless Switch gives NaN gradients (0 times an infinite derivative in the discarded
// branch): probabilities of exactly 0 or 1, a Poisson rate of 0, and the far tails of the
// normal CDF.
func TestDistEdgeGradients(t *testing.T) {
	cases := []struct {
		name          string
		build         func(p *tensor.Tensor) *tensor.Tensor
		p, val, deriv float64
	}{
		{"Bernoulli p=1 x=1", func(p *tensor.Tensor) *tensor.Tensor { return Bernoulli(p).Logp(tensor.Const(1.0)) }, 1, 0, 1},
		{"Bernoulli p=0 x=0", func(p *tensor.Tensor) *tensor.Tensor { return Bernoulli(p).Logp(tensor.Const(0.0)) }, 0, 0, -1},
		{"Binomial p=1 x=n", func(p *tensor.Tensor) *tensor.Tensor { return Binomial(5, p).Logp(tensor.Const(5.0)) }, 1, 0, 5},
		{"Poisson mu=0 x=0", func(p *tensor.Tensor) *tensor.Tensor { return Poisson(p).Logp(tensor.Const(0.0)) }, 0, 0, -1},
		{"Geometric p=1 x=1", func(p *tensor.Tensor) *tensor.Tensor { return Geometric(p).Logp(tensor.Const(1.0)) }, 1, 0, 1},
	}
	for _, c := range cases {
		v, g := gradAt(t, c.build, c.p)
		if v != c.val || g != c.deriv {
			t.Errorf("%s: logp %v and derivative %v, want %v and %v", c.name, v, g, c.val, c.deriv)
		}
	}
	// The normal log-CDF in the far lower tail against log ∫_{-∞}^{z} φ = log φ(z) + log ∫₀^∞
	// exp(zs - s²/2) ds (substituting t = z - s), the integral by the trapezoid rule.
	for _, z := range []float64{-29.99, -30.01, -35, -50, -200} {
		const m = 200000
		h := 40.0 / math.Abs(z) / m
		s := 0.0
		for i := 0; i <= m; i++ {
			w := 1.0
			if i == 0 || i == m {
				w = 0.5
			}
			u := h * float64(i)
			s += w * math.Exp(z*u-u*u/2)
		}
		want := -z*z/2 - 0.5*math.Log(2*math.Pi) + math.Log(s*h)
		got := evalT(t, normLogCDF(tensor.Const(z))).Data[0]
		if math.Abs(got-want) > 1e-9*math.Abs(want) {
			t.Errorf("log Φ(%v) = %v, want %v", z, got, want)
		}
	}
	// A normal truncated far in its tail has finite, correct gradients in μ and σ.
	if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor {
		return TruncatedNormal(in[0], in[1], 10.0, 12.0).Logp(tensor.Const([]float64{10.2, 11.5}))
	}, []any{0.3, 1.1}, &tensor.VerifyOptions{RelTol: 1e-4}); err != nil {
		t.Errorf("TruncatedNormal in the upper tail: %v", err)
	}
	if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor {
		return TruncatedNormal(in[0], 1.0, -80.0, -60.0).Logp(tensor.Const(-70.0))
	}, []any{0.3}, &tensor.VerifyOptions{RelTol: 1e-4}); err != nil {
		t.Errorf("TruncatedNormal in the far lower tail: %v", err)
	}
	if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor {
		return SkewNormal(0.0, 1.0, in[0]).Logp(tensor.Const([]float64{-5, -1, 2}))
	}, []any{12.0}, &tensor.VerifyOptions{RelTol: 1e-4}); err != nil {
		t.Errorf("SkewNormal in the tail of Φ: %v", err)
	}
}

// TestRefusedParams: parameters that are infinite, and Categorical probabilities that do not
// sum to 1, are refused when the distribution is built, naming the parameter and the value.
func TestRefusedParams(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		d    Dist
		want string
	}{
		{Normal(0, inf), "Normal: sigma is +Inf, but must be finite"},
		{Normal(-inf, 1), "Normal: mu is -Inf, but must be finite"},
		{Gamma(2, inf), "Gamma: beta is +Inf, but must be finite"},
		{Exponential([]float64{1, inf}), "Exponential: lam[1] is +Inf, but must be finite"},
		{Categorical([]float64{0.3, 0.3}), "Categorical: p sums to 0.6, but must sum to 1 (within 1e-08)"},
		{Categorical([][]float64{{0.5, 0.5}, {0.5, 0.6}}), "Categorical: p[1] sums to 1.1, but must sum to 1 (within 1e-08)"},
		{Categorical([]float64{0.5, 0.5 + 1e-7}), "Categorical: p sums to 1.0000001, but must sum to 1 (within 1e-08)"},
	} {
		if err := c.d.Err(); err == nil || err.Error() != c.want {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
	if err := Categorical([]float64{0.5, 0.5 + 1e-10}).Err(); err != nil {
		t.Errorf("p summing to 1 within 1e-8: %v", err)
	}
}
