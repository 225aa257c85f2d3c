package pm_test

import (
	"math"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm"
)

func meanVar(x []float64) (float64, float64) {
	m := 0.0
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	s := 0.0
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return m, s / float64(len(x)-1)
}

// Prior predictive: mu ~ N(1, 2), y ~ N(mu, 1.5) gives y ~ N(1, sqrt(4 + 2.25)) and
// Deterministic d = 2 mu; draws are reproducible by seed.
func TestSamplePriorPredictive(t *testing.T) {
	m := pm.NewModel()
	mu := m.Var("mu", pm.Normal(1, 2))
	m.Deterministic("d", mu.Mul(2.0))
	m.Observe("y", pm.Normal(mu, 1.5), []float64{0, 0, 0})
	tr, err := pm.SamplePriorPredictive(m, 20000, 7)
	if err != nil {
		t.Fatal(err)
	}
	y := tr.ValuesAt("y", 2)
	mean, v := meanVar(y)
	if math.Abs(mean-1) > 4*math.Sqrt(6.25/20000) || math.Abs(v-6.25) > 4*6.25*math.Sqrt(2.0/20000) {
		t.Errorf("prior predictive y: mean %.4f var %.4f, want 1 and 6.25", mean, v)
	}
	mus, ds := tr.Values("mu"), tr.Values("d")
	for i := range mus {
		if ds[i] != 2*mus[i] {
			t.Fatalf("deterministic d[%d] = %v, mu = %v", i, ds[i], mus[i])
		}
	}
	again, _ := pm.SamplePriorPredictive(m, 20000, 7)
	if again.Values("y")[123] != tr.Values("y")[123] {
		t.Error("same seed, different prior predictive draws")
	}
}

// Posterior predictive with a data container: after SetData, predictions follow the new x.
func TestPosteriorPredictiveOutOfSample(t *testing.T) {
	x := []float64{0, 1, 2, 3, 4, 5, 6, 7}
	y := []float64{0.1, 2.1, 3.9, 6.2, 7.8, 10.1, 12.0, 13.9} // about 2x
	m := pm.NewModel()
	xd := m.Data("x", x)
	b := m.Var("b", pm.Normal(0, 10))
	s := m.Var("s", pm.HalfNormal(1))
	m.Observe("y", pm.Normal(b.Mul(xd), s), y)
	tr, err := m.Sample(pm.Draws(500), pm.Tune(500), pm.Chains(2), pm.Seed(4))
	if err != nil {
		t.Fatal(err)
	}
	pred, err := pm.SamplePosteriorPredictive(m, tr, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := pred.Var("y").Shape; len(got) != 1 || got[0] != 8 {
		t.Fatalf("in-sample prediction shape %v", got)
	}
	if err := m.SetData("x", []float64{10, 20}); err != nil {
		t.Fatal(err)
	}
	out, err := pm.SamplePosteriorPredictive(m, tr, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Var("y").Shape; len(got) != 1 || got[0] != 2 {
		t.Fatalf("out-of-sample prediction shape %v", got)
	}
	bm := tr.Mean("b")[0]
	for i, xv := range []float64{10, 20} {
		mean, _ := meanVar(out.ValuesAt("y", i))
		if math.Abs(mean-bm*xv) > 0.5 {
			t.Errorf("prediction at x=%v: mean %.3f, want about %.3f", xv, mean, bm*xv)
		}
	}
	if err := m.SetData("nope", []float64{1}); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("SetData of an unknown container: %v", err)
	}
}

// Graph draws free, observed and deterministic nodes with the dependencies between them.
func TestModelGraph(t *testing.T) {
	m := pm.NewModel()
	mu := m.Var("mu", pm.Normal(0, 5))
	tau := m.Var("tau", pm.HalfCauchy(5))
	tt := m.Var("theta_tilde", pm.Normal(0, 1), pm.Shape(8))
	th := m.Deterministic("theta", mu.Add(tau.Mul(tt)))
	m.Observe("y", pm.Normal(th, 1.0), make([]float64, 8))
	g := m.Graph()
	for _, want := range []string{
		`"mu" -> "theta"`, `"tau" -> "theta"`, `"theta_tilde" -> "theta"`, `"theta" -> "y"`,
		`fillcolor=lightgrey`, `label="8"`, `shape=box`,
	} {
		if !strings.Contains(g, want) {
			t.Errorf("graph lacks %s:\n%s", want, g)
		}
	}
	if strings.Contains(g, `"y" -> `) || strings.Contains(g, `"mu" -> "tau"`) {
		t.Errorf("spurious edge:\n%s", g)
	}
}
