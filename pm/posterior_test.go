package pm_test

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/diag"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// checkMoments asserts that a scalar variable's posterior mean and sd match the truth within
// Monte Carlo error: |mean − μ| < 4·MCSE and |sd − σ| < 4·MCSE_sd + 2% (the sd's MCSE is itself
// estimated).
func checkMoments(t *testing.T, tr *pm.Trace, name string, mu, sd float64) {
	t.Helper()
	v := tr.Var(name)
	if v == nil {
		t.Fatalf("no variable %s", name)
	}
	ch := v.Component(0)
	all := tr.Values(name)
	mean, s := 0.0, 0.0
	for _, x := range all {
		mean += x
	}
	mean /= float64(len(all))
	for _, x := range all {
		s += (x - mean) * (x - mean)
	}
	s = math.Sqrt(s / float64(len(all)-1))
	mcse, mcseSD := diag.MCSEMean(ch), diag.MCSESD(ch)
	if math.Abs(mean-mu) > 4*mcse {
		t.Errorf("%s: mean %.5f, truth %.5f (4 MCSE = %.5f)", name, mean, mu, 4*mcse)
	}
	if math.Abs(s-sd) > 4*mcseSD+0.02*sd {
		t.Errorf("%s: sd %.5f, truth %.5f (4 MCSE = %.5f)", name, s, sd, 4*mcseSD)
	}
	if r := diag.RHat(ch); r > 1.01 {
		t.Errorf("%s: r_hat %.4f", name, r)
	}
}

func TestPosteriorConjugate(t *testing.T) {
	opts := []pm.SampleOption{pm.Draws(1000), pm.Tune(500), pm.Chains(4), pm.Seed(11)}
	t.Run("normal-normal", func(t *testing.T) {
		// mu ~ N(1, 2), y_i ~ N(mu, 1.5): posterior N(m, s) in closed form.
		y := []float64{2.1, 0.4, 3.3, 1.9, 2.8, 1.2}
		m := pm.NewModel()
		mu := m.Var("mu", pm.Normal(1, 2))
		m.Observe("y", pm.Normal(mu, 1.5), y)
		tr, err := m.Sample(opts...)
		if err != nil {
			t.Fatal(err)
		}
		prec := 1/4.0 + float64(len(y))/2.25
		sum := 0.0
		for _, v := range y {
			sum += v
		}
		checkMoments(t, tr, "mu", (1/4.0+sum/2.25)/prec, math.Sqrt(1/prec))
	})
	t.Run("beta-binomial", func(t *testing.T) {
		// p ~ Beta(2, 3), k ~ Binomial(20, p) with k = 7: Beta(9, 16). Sampled on the
		// log-odds scale, so this checks the transform and its Jacobian too.
		m := pm.NewModel()
		p := m.Var("p", pm.Beta(2, 3))
		m.Observe("k", pm.Binomial(20, p), []float64{7})
		tr, err := m.Sample(opts...)
		if err != nil {
			t.Fatal(err)
		}
		a, b := 9.0, 16.0
		checkMoments(t, tr, "p", a/(a+b), math.Sqrt(a*b/((a+b)*(a+b)*(a+b+1))))
	})
	t.Run("gamma-poisson", func(t *testing.T) {
		// lam ~ Gamma(3, 2), y_i ~ Poisson(lam): Gamma(3 + Σy, 2 + n).
		y := []float64{2, 4, 1, 3, 0, 5, 2}
		m := pm.NewModel()
		lam := m.Var("lam", pm.Gamma(3, 2))
		m.Observe("y", pm.Poisson(lam), y)
		tr, err := m.Sample(opts...)
		if err != nil {
			t.Fatal(err)
		}
		a, b := 3.0+17, 2.0+7
		checkMoments(t, tr, "lam", a/b, math.Sqrt(a)/b)
	})
}

// Neal's funnel in its centered form: the sampler reports divergences and the trace warns.
func TestPosteriorFunnelDivergences(t *testing.T) {
	m := pm.NewModel()
	v := m.Var("v", pm.Normal(0, 3))
	m.Var("x", pm.Normal(0, tensor.Exp(tensor.Div(v, 2.0))), pm.Shape(9))
	tr, err := m.Sample(pm.Draws(1000), pm.Tune(1000), pm.Chains(2), pm.Seed(3))
	if err != nil {
		t.Fatal(err)
	}
	if tr.Divergences() == 0 {
		t.Fatal("no divergences in the centered funnel")
	}
	w := strings.Join(tr.Warnings, "\n")
	if !strings.Contains(w, "diverg") || !strings.Contains(strings.ToLower(w), "non-centered") {
		t.Errorf("warnings do not report divergences with advice: %q", w)
	}
}

// The coal-mining disasters switchpoint, PyMC's classic mixed model: a DiscreteUniform
// switchpoint (sampled by a Metropolis member of a compound step) and two Exponential rates
// (NUTS). The exact posterior follows by enumerating the switchpoint with the rates integrated
// out (Gamma-Poisson conjugacy): p(s | D) ∝ Γ(a_e) b_e^−a_e Γ(a_l) b_l^−a_l with
// a_e = 1 + Σ_{t<s} D_t, b_e = 1 + s, a_l = 1 + Σ_{t≥s} D_t, b_l = 1 + T − s.
func TestPosteriorCoalSwitchpoint(t *testing.T) {
	b, err := os.ReadFile("../bench/data/coal_marginal.json")
	if err != nil {
		t.Skip(err)
	}
	var d struct {
		T int
		D []float64
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	years := make([]float64, d.T)
	for i := range years {
		years[i] = float64(i)
	}
	m := pm.NewModel()
	s := m.Var("s", pm.DiscreteUniform(0, d.T-1))
	e := m.Var("e", pm.Exponential(1))
	l := m.Var("l", pm.Exponential(1))
	rate := tensor.Switch(tensor.Lt(years, s), e, l)
	m.Observe("D", pm.Poisson(rate), d.D)
	tr, err := m.Sample(pm.Draws(2000), pm.Tune(1000), pm.Chains(4), pm.Seed(5))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tr.Sampler, "CompoundStep\n>NUTS: [e, l]\n>Metropolis: [s]") {
		t.Errorf("sampler %q", tr.Sampler)
	}
	// Exact posterior by enumeration.
	logw := make([]float64, d.T)
	total := 0.0
	for _, x := range d.D {
		total += x
	}
	cum := 0.0
	mx := math.Inf(-1)
	for k := 0; k < d.T; k++ {
		ae, be := 1+cum, 1+float64(k)
		al, bl := 1+total-cum, 1+float64(d.T-k)
		le, _ := math.Lgamma(ae)
		ll, _ := math.Lgamma(al)
		logw[k] = le - ae*math.Log(be) + ll - al*math.Log(bl)
		mx = math.Max(mx, logw[k])
		cum += d.D[k]
	}
	var z, es, es2, ee, el float64
	cum = 0
	for k := range logw {
		w := math.Exp(logw[k] - mx)
		z += w
		es += w * float64(k)
		es2 += w * float64(k*k)
		ee += w * (1 + cum) / (1 + float64(k))
		el += w * (1 + total - cum) / (1 + float64(d.T-k))
		cum += d.D[k]
	}
	es, es2, ee, el = es/z, es2/z, ee/z, el/z
	for _, c := range []struct {
		name string
		want float64
	}{{"s", es}, {"e", ee}, {"l", el}} {
		ch := tr.Var(c.name).Component(0)
		mean := tr.Mean(c.name)[0]
		if mcse := diag.MCSEMean(ch); math.Abs(mean-c.want) > 4*mcse {
			t.Errorf("%s: mean %.4f, exact %.4f (4 MCSE %.4f)", c.name, mean, c.want, 4*mcse)
		}
	}
	if sd := math.Sqrt(es2 - es*es); sd <= 0 {
		t.Fatal("bad exact sd")
	}
}
