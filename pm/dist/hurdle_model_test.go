package dist_test

import (
	"math"
	"testing"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/dist"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// The zero-inflated and hurdle distributions end to end, through package pm: observed in a
// model whose ψ is a free Beta(2, 2) variable, the compiled log-density is the prior plus the
// log-Jacobian plus the distribution's own log-probabilities (which rref_test.go checks against
// R); prior predictive draws have the right fraction of zeros; and for the hurdles, whose
// likelihood in ψ is ψ^(#nonzero) (1-ψ)^(#zero), NUTS recovers the conjugate posterior mean
// (2 + #nonzero)/(4 + n).
func TestDistZeroInflatedHurdleModels(t *testing.T) {
	cases := []struct {
		name   string
		build  func(psi any) dist.Dist
		p0     float64 // P(X = 0) of the base distribution (0 for the hurdles)
		hurdle bool
	}{
		{"ZeroInflatedBinomial", func(psi any) dist.Dist { return dist.ZeroInflatedBinomial(psi, 8.0, 0.3) }, math.Pow(0.7, 8), false},
		{"ZeroInflatedNegativeBinomial", func(psi any) dist.Dist { return dist.ZeroInflatedNegativeBinomial(psi, 2.0, 1.5) }, math.Pow(1.5/3.5, 1.5), false},
		{"HurdlePoisson", func(psi any) dist.Dist { return dist.HurdlePoisson(psi, 2.5) }, 0, true},
		{"HurdleNegativeBinomial", func(psi any) dist.Dist { return dist.HurdleNegativeBinomial(psi, 2.0, 1.5) }, 0, true},
		{"HurdleGamma", func(psi any) dist.Dist { return dist.HurdleGamma(psi, 2.0, 1.5) }, 0, true},
		{"HurdleLogNormal", func(psi any) dist.Dist { return dist.HurdleLogNormal(psi, 0.3, 0.8) }, 0, true},
	}
	rs := tensor.NewRandomStream(5)
	for _, c := range cases {
		// Data: 60 draws at ψ = 0.65.
		yt, err := tensor.Eval(c.build(0.65).Random(rs, []int{60}))
		if err != nil {
			t.Fatalf("%s draws: %v", c.name, err)
		}
		y := yt[0].Data
		nz := 0
		for _, v := range y {
			if v != 0 {
				nz++
			}
		}
		m := pm.NewModel()
		psi := m.Var("psi", dist.Beta(2.0, 2.0))
		m.Observe("y", c.build(psi), y)

		// The compiled log-density at ψ = 0.3 (value variable logit(0.3)).
		ld, err := m.Compile()
		if err != nil {
			t.Fatalf("%s: compile: %v", c.name, err)
		}
		x, err := ld.Flatten(pm.Point{"psi_logodds__": {math.Log(0.3 / 0.7)}})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		lps, err := tensor.Eval(c.build(0.3).Logp(tensor.Const(y)))
		if err != nil {
			t.Fatal(err)
		}
		want := math.Log(6*0.3*0.7) + math.Log(0.3*0.7)
		for _, v := range lps[0].Data {
			want += v
		}
		grad := make([]float64, 1)
		if got := ld.LogpGrad(x, grad); math.Abs(got-want) > 1e-9*math.Abs(want) || math.IsNaN(grad[0]) {
			t.Errorf("%s: compiled logp %v (grad %v), want %v", c.name, got, grad[0], want)
		}

		// Prior predictive: P(y = 0) = E[1 - ψ + ψ p0] = (1 + p0)/2.
		const n = 3000
		pp, err := pm.SamplePriorPredictive(m, n, 9)
		if err != nil {
			t.Fatalf("%s: prior predictive: %v", c.name, err)
		}
		zeros := 0.0
		for _, v := range pp.ValuesAt("y", 0) {
			if v == 0 {
				zeros++
			}
		}
		pz := (1 + c.p0) / 2
		if f := zeros / n; math.Abs(f-pz) > 5*math.Sqrt(pz*(1-pz)/n) {
			t.Errorf("%s: prior predictive zeros %v, want %v", c.name, f, pz)
		}

		if !c.hurdle {
			continue
		}
		tr, err := m.Sample(pm.Draws(1000), pm.Tune(500), pm.Chains(2), pm.Seed(3))
		if err != nil {
			t.Fatalf("%s: sample: %v", c.name, err)
		}
		a, b := 2+float64(nz), 2+float64(len(y)-nz)
		mean, sd := a/(a+b), math.Sqrt(a*b/((a+b)*(a+b)*(a+b+1)))
		if got := tr.Mean("psi")[0]; math.Abs(got-mean) > 5*sd/math.Sqrt(600) {
			t.Errorf("%s: posterior mean of psi %v, want %v (sd %v)", c.name, got, mean, sd)
		}
	}
}
