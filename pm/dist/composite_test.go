package dist

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// TestDistMixture checks Mixture (a list of components, and one component with a last axis of
// components), NormalMixture and a discrete mixture against log Σ w_k p_k(x) computed with
// distuv, and the gradient in the weights, the component parameters and the value.
func TestDistMixture(t *testing.T) {
	w := []float64{0.2, 0.5, 0.3}
	mu := []float64{-2, 0, 3}
	sg := []float64{0.5, 1, 2}
	xs := []float64{-2.5, -1, 0, 0.7, 4, 10}
	want := func(x float64) float64 {
		s := 0.0
		for k := range w {
			s += w[k] * distuv.Normal{Mu: mu[k], Sigma: sg[k]}.Prob(x)
		}
		return math.Log(s)
	}
	forms := map[string]Dist{
		"list":          Mixture(w, Normal(mu[0], sg[0]), Normal(mu[1], sg[1]), Normal(mu[2], sg[2])),
		"single":        Mixture(w, Normal(mu, sg)),
		"NormalMixture": NormalMixture(w, mu, sg),
	}
	for name, d := range forms {
		got := logpAt(t, d, xs)
		for i, x := range xs {
			if !closeTo(got[i], want(x), 1e-12) {
				t.Errorf("%s: x = %v: logp %v, want %v", name, x, got[i], want(x))
			}
		}
		if len(d.Shape()) != 0 {
			t.Errorf("%s: shape %v, want []", name, d.Shape())
		}
		iv := evalT(t, d.InitialValue(nil)).Data[0]
		if m := 0.2*-2 + 0.5*0 + 0.3*3; !closeTo(iv, m, 1e-12) {
			t.Errorf("%s: initial value %v, want the mean %v", name, iv, m)
		}
	}
	if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor {
		return NormalMixture(tensor.Div(in[1], tensor.Sum(in[1])), in[2], in[3]).Logp(in[0])
	}, []any{xs, w, mu, sg}, &tensor.VerifyOptions{RelTol: 1e-4}); err != nil {
		t.Error(err)
	}
	// Discrete components.
	pm := Mixture([]float64{0.4, 0.6}, Poisson(1.0), Poisson(6.0))
	if pm.DType() != tensor.Int64 {
		t.Errorf("Poisson mixture dtype %v, want int64", pm.DType())
	}
	for _, x := range []float64{0, 1, 5, 12} {
		want := math.Log(0.4*distuv.Poisson{Lambda: 1}.Prob(x) + 0.6*distuv.Poisson{Lambda: 6}.Prob(x))
		if got := logpAt(t, pm, x)[0]; !closeTo(got, want, 1e-12) {
			t.Errorf("Poisson mixture x = %v: %v, want %v", x, got, want)
		}
	}
	if err := Mixture([]float64{0.4, 0.5}, Normal(0, 1), Normal(1, 1)).Err(); err == nil || err.Error() != "Mixture: w sums to 0.9, but must sum to 1 (within 1e-06)" {
		t.Errorf("weights not summing to 1: error %v", err)
	}
	if err := Mixture([]float64{0.5, 0.5}, Normal(0, 1)).Err(); err == nil || err.Error() != "Mixture: the component Normal has shape [], whose last axis must match the 2 weights" {
		t.Errorf("single component without a component axis: error %v", err)
	}
}

// TestDistRandomWalkAR checks GaussianRandomWalk and AR (with and without a constant) against
// sums of distuv.Normal log-densities, and their gradients.
func TestDistRandomWalkAR(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	x := make([]float64, 8)
	for i := range x {
		x[i] = r.NormFloat64() * 2
	}
	grw := GaussianRandomWalk(0.3, 1.5, Normal(1.0, 2.0), 7)
	want := distuv.Normal{Mu: 1, Sigma: 2}.LogProb(x[0])
	for i := 1; i < len(x); i++ {
		want += distuv.Normal{Mu: 0.3, Sigma: 1.5}.LogProb(x[i] - x[i-1])
	}
	if got := logpAt(t, grw, x)[0]; !closeTo(got, want, 1e-12) {
		t.Errorf("GaussianRandomWalk: %v, want %v", got, want)
	}
	if !sameInts(grw.Shape(), []int{8}) || grw.EventNDim() != 1 {
		t.Errorf("GaussianRandomWalk: shape %v, event rank %d", grw.Shape(), grw.EventNDim())
	}
	// A batch of two walks with their own drifts.
	xb := [][]float64{x, x}
	gb := GaussianRandomWalk([]float64{0.3, -1}, 1.5, Normal(1.0, 2.0), 7)
	got := logpAt(t, gb, xb)
	w2 := distuv.Normal{Mu: 1, Sigma: 2}.LogProb(x[0])
	for i := 1; i < len(x); i++ {
		w2 += distuv.Normal{Mu: -1, Sigma: 1.5}.LogProb(x[i] - x[i-1])
	}
	if !closeTo(got[0], want, 1e-12) || !closeTo(got[1], w2, 1e-12) {
		t.Errorf("batched GaussianRandomWalk: %v, want [%v %v]", got, want, w2)
	}
	if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor {
		return GaussianRandomWalk(in[1], in[2], Normal(1.0, 2.0), 7).Logp(in[0])
	}, []any{x, 0.3, 1.5}, nil); err != nil {
		t.Error(err)
	}

	rho := []float64{0.5, -0.2}
	for _, constant := range []bool{false, true} {
		pr := rho
		c := 0.0
		if constant {
			pr = []float64{0.7, 0.5, -0.2}
			c = 0.7
		}
		d := AR(pr, 0.8, Normal(0.0, 3.0), 6, constant)
		want := distuv.Normal{Mu: 0, Sigma: 3}.LogProb(x[0]) + distuv.Normal{Mu: 0, Sigma: 3}.LogProb(x[1])
		for i := 2; i < 8; i++ {
			want += distuv.Normal{Mu: c + rho[0]*x[i-1] + rho[1]*x[i-2], Sigma: 0.8}.LogProb(x[i])
		}
		if got := logpAt(t, d, x)[0]; !closeTo(got, want, 1e-12) {
			t.Errorf("AR constant=%v: %v, want %v", constant, got, want)
		}
		if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor {
			return AR(in[1], in[2], Normal(0.0, 3.0), 6, constant).Logp(in[0])
		}, []any{x, pr, 0.8}, nil); err != nil {
			t.Errorf("AR constant=%v: %v", constant, err)
		}
	}
}

// TestDistTruncatedCensored checks Truncated, TruncatedNormal and Censored against closed forms
// with distuv CDFs, including an extreme tail where naive differences of CDFs lose all digits,
// a discrete truncation, and the gradient.
func TestDistTruncatedCensored(t *testing.T) {
	nrm := distuv.Normal{Mu: 0.5, Sigma: 2}
	cases := []struct {
		name   string
		d      Dist
		lo, hi float64
	}{
		{"both", TruncatedNormal(0.5, 2.0, -1.0, 3.0), -1, 3},
		{"lower", TruncatedNormal(0.5, 2.0, 1.0, nil), 1, math.Inf(1)},
		{"upper", Truncated(Normal(0.5, 2.0), nil, 0.0), math.Inf(-1), 0},
	}
	for _, c := range cases {
		z := nrm.CDF(c.hi) - nrm.CDF(c.lo)
		for _, x := range []float64{-0.5, 0, 0.5, 1.5, 2.9, 5} {
			want := math.Inf(-1)
			if x >= c.lo && x <= c.hi {
				want = nrm.LogProb(x) - math.Log(z)
			}
			if got := logpAt(t, c.d, x)[0]; !closeTo(got, want, 1e-10) {
				t.Errorf("%s: x = %v: %v, want %v", c.name, x, got, want)
			}
		}
	}
	// Far in the upper tail: log(Φ(12) - Φ(10)) through erfc.
	tail := TruncatedNormal(0.0, 1.0, 10.0, 12.0)
	want := distuv.UnitNormal.LogProb(10.5) - math.Log(0.5*(math.Erfc(10/math.Sqrt2)-math.Erfc(12/math.Sqrt2)))
	if got := logpAt(t, tail, 10.5)[0]; !closeTo(got, want, 1e-9) {
		t.Errorf("upper tail: %v, want %v", got, want)
	}
	if tr := tail.DefaultTransform(); tr == nil || tr.Name() != "interval" {
		t.Errorf("TruncatedNormal transform %v, want interval", tr)
	}
	if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor {
		return TruncatedNormal(in[1], in[2], -1.0, 3.0).Logp(in[0])
	}, []any{[]float64{-0.5, 1, 2.5}, 0.5, 2.0}, &tensor.VerifyOptions{RelTol: 1e-4}); err != nil {
		t.Error(err)
	}
	// A positive base keeps its bound: Truncated(Exponential, nil, 2) lives on (0, 2).
	te := Truncated(Exponential(1.5), nil, 2.0)
	if s := te.Support(); s.String() != "0 < x < 2" {
		t.Errorf("truncated exponential support %q, want \"0 < x < 2\"", s)
	}
	ex := distuv.Exponential{Rate: 1.5}
	if got, want := logpAt(t, te, 0.7)[0], ex.LogProb(0.7)-math.Log(ex.CDF(2)); !closeTo(got, want, 1e-12) {
		t.Errorf("truncated exponential: %v, want %v", got, want)
	}
	// Discrete: Geometric truncated to 2..5 keeps the mass at 2.
	tg := Truncated(Geometric(0.3), 2.0, 5.0)
	pmf := func(k float64) float64 { return 0.3 * math.Pow(0.7, k-1) }
	norm := pmf(2) + pmf(3) + pmf(4) + pmf(5)
	for _, k := range []float64{2, 4, 5} {
		if got, want := logpAt(t, tg, k)[0], math.Log(pmf(k)/norm); !closeTo(got, want, 1e-12) {
			t.Errorf("truncated geometric k = %v: %v, want %v", k, got, want)
		}
	}
	if v := logpAt(t, tg, 1)[0]; !math.IsInf(v, -1) {
		t.Errorf("truncated geometric below the bound: %v, want -Inf", v)
	}
	if err := Truncated(VonMises(0.0, 2.0), 0.0, 1.0).Err(); err == nil || err.Error() != "Truncated: VonMises has no closed-form CDF, so it cannot be truncated" {
		t.Errorf("Truncated(VonMises): error %v", err)
	}
	// Poisson through the incomplete gamma function: truncated to 1..5, censored above 6.
	po := distuv.Poisson{Lambda: 3}
	tp := Truncated(Poisson(3.0), 1.0, 5.0)
	for _, k := range []float64{1, 3, 5} {
		if got, want := logpAt(t, tp, k)[0], po.LogProb(k)-math.Log(po.CDF(5)-po.CDF(0)); !closeTo(got, want, 1e-10) {
			t.Errorf("truncated Poisson k = %v: %v, want %v", k, got, want)
		}
	}
	cp := Censored(Poisson(3.0), nil, 6.0)
	for _, c := range []struct{ k, want float64 }{{6, math.Log(1 - po.CDF(5))}, {2, po.LogProb(2)}, {7, math.Inf(-1)}} {
		if got := logpAt(t, cp, c.k)[0]; !closeTo(got, c.want, 1e-10) {
			t.Errorf("censored Poisson k = %v: %v, want %v", c.k, got, c.want)
		}
	}
	if err := tensor.VerifyGrad(func(in []*tensor.Tensor) *tensor.Tensor {
		return tensor.Add(Truncated(Poisson(in[0]), 1.0, 5.0).Logp(tensor.Const([]float64{1, 4})),
			Censored(Poisson(in[0]), nil, 6.0).Logp(tensor.Const([]float64{6, 2})))
	}, []any{3.0}, &tensor.VerifyOptions{RelTol: 1e-4}); err != nil {
		t.Errorf("Poisson CDF gradient: %v", err)
	}
	// Truncated discrete draws keep the mass at the lower bound.
	gd := evalT(t, tg.Random(tensor.NewRandomStream(5), []int{4000})).Data
	counts := map[float64]int{}
	for _, v := range gd {
		counts[v]++
	}
	for k := 2.0; k <= 5; k++ {
		f := float64(counts[k]) / 4000
		if p := pmf(k) / norm; math.Abs(f-p) > 5*math.Sqrt(p*(1-p)/4000) {
			t.Errorf("truncated geometric draws: frequency of %v is %v, want %v", k, f, p)
		}
	}
	if len(counts) != 4 {
		t.Errorf("truncated geometric draws take the values %v, want 2..5", counts)
	}

	// Censored normal.
	cn := Censored(Normal(0.5, 2.0), -1.0, 2.0)
	for _, c := range []struct{ x, want float64 }{
		{-1, math.Log(nrm.CDF(-1))},
		{2, math.Log(nrm.Survival(2))},
		{0.3, nrm.LogProb(0.3)},
		{-3, math.Inf(-1)},
		{2.5, math.Inf(-1)},
	} {
		if got := logpAt(t, cn, c.x)[0]; !closeTo(got, c.want, 1e-10) {
			t.Errorf("censored x = %v: %v, want %v", c.x, got, c.want)
		}
	}
}

// TestDistCustom checks CustomDist: a normal log-density written as a Go function agrees with
// Normal (value and gradient), options set support, transform, shape and random draws, and a
// panicking function becomes a *tensor.Error naming the distribution.
func TestDistCustom(t *testing.T) {
	lp := func(v *tensor.Tensor, p []*tensor.Tensor) *tensor.Tensor {
		z := tensor.Div(tensor.Sub(v, p[0]), p[1])
		return tensor.Sub(tensor.Mul(-0.5, tensor.Square(z)), tensor.Add(tensor.Log(p[1]), 0.5*math.Log(2*math.Pi)))
	}
	d := CustomDist("MyNormal", lp, []any{[]float64{0, 1, 2}, 1.5},
		WithRandom(func(rs *tensor.RandomStream, p []*tensor.Tensor, shape []int) *tensor.Tensor {
			return rs.Normal(p[0], p[1], shape...)
		}))
	xs := []float64{0.3, -1, 4}
	got := logpAt(t, d, xs)
	ref := logpAt(t, Normal([]float64{0, 1, 2}, 1.5), xs)
	for i := range xs {
		if !closeTo(got[i], ref[i], 1e-14) {
			t.Errorf("x = %v: %v, want %v", xs[i], got[i], ref[i])
		}
	}
	if d.Name() != "MyNormal" || !sameInts(d.Shape(), []int{3}) || d.DefaultTransform() != nil {
		t.Errorf("name %q shape %v transform %v", d.Name(), d.Shape(), d.DefaultTransform())
	}
	r := evalT(t, d.Random(tensor.NewRandomStream(1), nil))
	if !sameInts(r.Shape, []int{3}) {
		t.Errorf("random draw shape %v, want [3]", r.Shape)
	}
	pos := CustomDist("Pos", lp, []any{0.0, 1.0}, WithSupport(Support{Kind: Positive}))
	if tr := pos.DefaultTransform(); tr == nil || tr.Name() != "log" {
		t.Errorf("positive support transform %v, want log", tr)
	}
	if v := evalT(t, pos.InitialValue([]int{2})).Data; len(v) != 2 || v[0] != 1 {
		t.Errorf("positive support initial value %v, want [1 1]", v)
	}
	bad := CustomDist("Bad", func(v *tensor.Tensor, p []*tensor.Tensor) *tensor.Tensor { panic("oops") }, nil)
	err := tensor.Catch(func() { bad.Logp(tensor.Const(1.0)) })
	if err == nil || !strings.Contains(err.Error(), "Bad: the log-density function panicked: oops") {
		t.Errorf("panicking log-density: error %v", err)
	}
	err = tensor.Catch(func() { bad.Random(tensor.NewRandomStream(1), nil) })
	if err == nil || !strings.Contains(err.Error(), "no random function") {
		t.Errorf("missing random: error %v", err)
	}
}
