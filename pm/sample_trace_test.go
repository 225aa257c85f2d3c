package pm_test

import (
	"math"
	"testing"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/diag"
)

// A model whose flat point is mostly an untransformed vector (its draws are views of the
// sampler's rows in the trace), with a transformed scalar and a deterministic (copied).
func viewedModel(n int) *pm.Model {
	m := pm.NewModel()
	x := m.Var("x", pm.Normal(0, 1), pm.Shape(n))
	s := m.Var("s", pm.HalfNormal(1))
	m.Deterministic("d", x.Mul(s))
	m.Observe("y", pm.Normal(x.Sum(), 1), []float64{0.5})
	return m
}

// The trace's values are right whether stored as views or copies: the deterministic equals
// x·s at every draw; no draw can reach another's values by an append (capacity = length);
// and the draws are those of a run that copies everything (KeepWarmup copies the warm-up
// draws, which the same seed makes identical across runs). With n = 1500 a deterministic's
// row is 12 kB, and the copies fill several blocks of a chain's values.
func TestSampleTraceViewsAreExact(t *testing.T) {
	for _, n := range []int{6, 1500} {
		testTraceViews(t, n)
	}
}

func testTraceViews(t *testing.T, n int) {
	tr, err := viewedModel(n).Sample(pm.Draws(60), pm.Tune(60), pm.Chains(2), pm.Seed(3))
	if err != nil {
		t.Fatal(err)
	}
	x, s, d := tr.Var("x"), tr.Var("s"), tr.Var("d")
	for c := 0; c < tr.NChains(); c++ {
		for i := 0; i < tr.NDraws(); i++ {
			for _, v := range tr.Vars {
				if row := v.Draws[c][i]; cap(row) != len(row) || len(row) != v.Size() {
					t.Fatalf("%s chain %d draw %d: len %d cap %d, size %d", v.Name, c, i, len(row), cap(row), v.Size())
				}
			}
			for k := 0; k < n; k++ {
				if want := x.Draws[c][i][k] * s.Draws[c][i][0]; math.Abs(d.Draws[c][i][k]-want) > 1e-12*math.Abs(want) {
					t.Fatalf("chain %d draw %d: d[%d] = %v, x·s = %v", c, i, k, d.Draws[c][i][k], want)
				}
			}
		}
	}
	again, err := viewedModel(n).Sample(pm.Draws(60), pm.Tune(60), pm.Chains(2), pm.Seed(3), pm.KeepWarmup())
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range tr.Vars {
		for c := range v.Draws {
			for i := range v.Draws[c] {
				for j, val := range v.Draws[c][i] {
					if w := again.Vars[k].Draws[c][i][j]; w != val {
						t.Fatalf("%s chain %d draw %d [%d]: %v, with KeepWarmup %v", v.Name, c, i, j, val, w)
					}
				}
			}
		}
	}
}

// Sample's R-hat and ESS warnings (computed by diag.Checker) are, word for word, the warnings
// of a Summary of the free variables: a short run of a funnel raises them.
func TestSampleWarningsMatchSummary(t *testing.T) {
	m := pm.NewModel()
	v := m.Var("v", pm.Normal(0, 3))
	m.Var("z", pm.Normal(0, pm.Exp(v.Div(2.0))), pm.Shape(11)) // more than one group of 8 elements
	m.Deterministic("w", v.Mul(2.0))
	tr, err := m.Sample(pm.Draws(40), pm.Tune(30), pm.Chains(3), pm.Seed(11))
	if err != nil && tr == nil {
		t.Fatal(err)
	}
	sum, err := pm.Summary(tr, "v", "z")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, w := range diag.Warnings(sum, diag.SamplerStats{}) {
		if w.Kind == diag.WarnRHat || w.Kind == diag.WarnESS {
			want = append(want, w.Message)
		}
	}
	if len(want) == 0 {
		t.Fatal("the run raised no R-hat or ESS warning: the test checks nothing")
	}
	got := map[string]bool{}
	for _, w := range tr.Warnings {
		got[w] = true
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("Summary's warning missing from the trace:\n %s\ntrace warnings:\n %q", w, tr.Warnings)
		}
	}
}

// LeapfrogSteps is Stan's count, n_leapfrog__ over warm-up and draws: the sum of the kept
// statistics' NSteps (warm-up kept too), and fewer than GradEvals, which also counts the
// starting point's gradient and the step-size searches.
func TestSampleLeapfrogSteps(t *testing.T) {
	tr, err := viewedModel(6).Sample(pm.Draws(50), pm.Tune(70), pm.Chains(3), pm.Seed(5), pm.KeepWarmup())
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.LeapfrogSteps) != 3 {
		t.Fatalf("LeapfrogSteps %v for 3 chains", tr.LeapfrogSteps)
	}
	for c := range tr.LeapfrogSteps {
		var want int64
		for _, n := range tr.Warmup.Stats.NSteps[c] {
			want += int64(n)
		}
		for _, n := range tr.Stats.NSteps[c] {
			want += int64(n)
		}
		if tr.LeapfrogSteps[c] != want || want == 0 {
			t.Errorf("chain %d: LeapfrogSteps %d, NSteps of warm-up and draws sum to %d", c, tr.LeapfrogSteps[c], want)
		}
		if tr.LeapfrogSteps[c] >= tr.GradEvals[c] {
			t.Errorf("chain %d: %d leapfrog steps, not fewer than %d gradients", c, tr.LeapfrogSteps[c], tr.GradEvals[c])
		}
	}
}
