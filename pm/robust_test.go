package pm_test

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/step"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// TestSampleFailuresAreErrors: a chain that fails makes Sample return an error naming the
// chain and the cause; an unknown Method is refused before any chain starts; when some chains
// fail, the trace keeps the good ones and the error says so.
func TestSampleFailuresAreErrors(t *testing.T) {
	normal := func() *pm.Model {
		m := pm.NewModel()
		m.Var("x", pm.Normal(0, 1))
		return m
	}
	// Unknown method: refused before any chain runs.
	var draws atomic.Int64
	tr, err := normal().Sample(pm.Method("nutz"), pm.Draws(10), pm.Tune(10),
		pm.OnDraw(func(int, int, []float64) { draws.Add(1) }))
	want := `pm: Sample: unknown step method "nutz" in Method (valid: nuts, hmc, metropolis, slice, demetropolisz)`
	if err == nil || err.Error() != want || tr != nil || draws.Load() != 0 {
		t.Errorf("unknown method: tr %v, %d draws, err %v; want %q", tr, draws.Load(), err, want)
	}

	// A black box that panics in every chain.
	m := pm.NewModel()
	x := m.Var("x", pm.Normal(0, 1))
	var calls atomic.Int64
	m.BlackBox("bb", []*tensor.Tensor{x}, func(v []float64) float64 {
		if calls.Add(1) > 50 {
			panic("boom")
		}
		return -v[0] * v[0] / 2
	}, nil)
	tr, err = m.Sample(pm.Method("slice"), pm.Draws(20), pm.Tune(20), pm.Chains(2))
	want = "pm: Sample: all 2 chains failed: chains 0, 1: panic during sampling: boom"
	if err == nil || err.Error() != want || tr != nil {
		t.Errorf("panicking black box: tr %v, err %v; want %q", tr, err, want)
	}

	// A log-density that turns NaN everywhere after the start: the chain never moves.
	m = pm.NewModel()
	x = m.Var("x", pm.Normal(0, 1))
	calls.Store(0)
	m.BlackBox("bb", []*tensor.Tensor{x}, func(v []float64) float64 {
		if calls.Add(1) > 60 {
			return math.NaN()
		}
		return -v[0] * v[0] / 2
	}, func(v, g []float64) { g[0] = -v[0] })
	calls.Store(0)
	tr, err = m.Sample(pm.Draws(30), pm.Tune(30), pm.Chains(1), pm.Seed(1))
	if err == nil || !strings.HasPrefix(err.Error(), "pm: Sample: chain 0: it never moved in its 30 draws: the log-density is not finite (NaN or infinite) anywhere around") ||
		!strings.HasSuffix(err.Error(), "(the only chain failed)") {
		t.Errorf("NaN log-density: err %v", err)
	}

	// One chain of three fails (its step method cannot be built): the other two are kept.
	var built atomic.Int64
	tr, err = normal().Sample(pm.Draws(50), pm.Tune(50), pm.Chains(3), pm.Cores(1), pm.Seed(3),
		pm.StepFunc(func(d step.LogDensity, blocks []step.BlockInfo) (step.Method, error) {
			if built.Add(1) == 3 {
				return nil, errors.New("no step method for you")
			}
			return step.NewSlice(d, step.SliceOptions{})
		}))
	want = "pm: Sample: 1 of 3 chains failed: chain 2: no step method for you; the trace keeps the 2 other chains (0, 1)"
	if err == nil || err.Error() != want {
		t.Fatalf("partial failure: err %v; want %q", err, want)
	}
	if tr == nil || tr.NChains() != 2 || tr.NDraws() != 50 || !strings.Contains(strings.Join(tr.Warnings, "\n"), "chain 2: no step method for you") {
		t.Fatalf("partial failure: trace %v, warnings %v", tr, tr.Warnings)
	}
}

// TestInterruptKeepsChains: cancelling a run with more chains than cores keeps the draws of the
// chains that ran, drops and names the chains that made no draw, cuts to the shortest, and the
// StreamTo file holds the same draws as the trace.
func TestInterruptKeepsChains(t *testing.T) {
	m := pm.NewModel()
	m.Var("mu", pm.Normal(0, 1), pm.Shape(2))
	path := filepath.Join(t.TempDir(), "draws.csv")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	seen := map[int]int{}
	tr, err := m.Sample(pm.Draws(1000000), pm.Tune(100), pm.Chains(4), pm.Cores(2), pm.Seed(5), pm.Context(ctx), pm.StreamTo(path),
		pm.OnDraw(func(chain, iter int, x []float64) {
			mu.Lock()
			defer mu.Unlock()
			if iter >= 100 {
				seen[chain]++
			}
			if seen[0] > 200 && seen[1] > 200 {
				cancel()
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	if tr.NChains() != 2 || tr.NDraws() < 200 || !tr.Cancelled {
		t.Fatalf("%d chains x %d draws, cancelled %v", tr.NChains(), tr.NDraws(), tr.Cancelled)
	}
	w := strings.Join(tr.Warnings, "\n")
	want := "sampling was interrupted: the trace holds " + strconv.Itoa(tr.NDraws()) + " draws per chain from chains 0, 1 (cut to the shortest); chains 2, 3 made no draw and were dropped"
	if !strings.Contains(w, want) {
		t.Errorf("warnings %q, want %q", w, want)
	}
	for _, c := range tr.Vars[0].Draws {
		if len(c) != tr.NDraws() {
			t.Errorf("chain lengths %d, want %d", len(c), tr.NDraws())
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines)-1 != tr.NChains()*tr.NDraws() {
		t.Fatalf("stream has %d rows, trace %d x %d draws", len(lines)-1, tr.NChains(), tr.NDraws())
	}
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		c, _ := strconv.Atoi(f[0])
		d, _ := strconv.Atoi(f[1])
		v, _ := strconv.ParseFloat(f[2], 64)
		if c >= tr.NChains() || d >= tr.NDraws() || tr.Vars[0].Draws[c][d][0] != v {
			t.Fatalf("stream row %q does not match the trace", l)
		}
	}
}

// TestBadInputRefused: mistakes in model building are refused at the call that makes them,
// naming the variable and the value.
func TestBadInputRefused(t *testing.T) {
	other := pm.NewModel()
	a := other.Var("a", pm.Normal(0, 1))
	for _, c := range []struct {
		name  string
		build func(m *pm.Model)
		want  string
	}{
		{"Inf in data", func(m *pm.Model) { m.Observe("y", pm.Normal(0, 1), []float64{1, math.Inf(1)}) },
			`pm: Observe "y": the data contain +Inf at index 1 (data must be finite)`},
		{"empty data", func(m *pm.Model) { m.Observe("y", pm.Normal(0, 1), []float64{}) },
			`pm: Observe "y": the observed data are empty (shape [0])`},
		{"Normal(0, Inf)", func(m *pm.Model) { m.Var("x", pm.Normal(0, math.Inf(1))) },
			`pm: Var "x": Normal: sigma is +Inf, but must be finite`},
		{"Shape(0)", func(m *pm.Model) { m.Var("x", pm.Normal(0, 1), pm.Shape(0)) },
			`pm: Var "x": dimension 0 of the shape [0] is 0, but must be at least 1`},
		{"Shape(-2)", func(m *pm.Model) { m.Var("x", pm.Normal(0, 1), pm.Shape(-2)) },
			`pm: Var "x": dimension 0 of the shape [-2] is -2, but must be at least 1`},
		{"Categorical p", func(m *pm.Model) { m.Var("k", pm.Categorical([]float64{0.3, 0.3})) },
			`pm: Var "k": Categorical: p sums to 0.6, but must sum to 1 (within 1e-08)`},
		{"another model's variable", func(m *pm.Model) { m.Var("b", pm.Normal(a, 1)) },
			`pm: Var "b": its distribution depends on "a", which is not a variable of this model (a variable of another model, or a symbolic input); build it in this model`},
		{"another model's variable in Deterministic", func(m *pm.Model) { m.Deterministic("d", pm.Mul(a, 2.0)) },
			`pm: Deterministic "d": the expression depends on "a", which is not a variable of this model (a variable of another model, or a symbolic input); build it in this model`},
		{"another model's variable in Observe", func(m *pm.Model) { m.Observe("y", pm.Normal(a, 1), []float64{1}) },
			`pm: Observe "y": its distribution depends on "a", which is not a variable of this model (a variable of another model, or a symbolic input); build it in this model`},
		{"name with [", func(m *pm.Model) { m.Var("beta[1]", pm.Normal(0, 1)) },
			`pm: Var "beta[1]": the name contains '[', which breaks trace components and Stan CSV columns (names may not contain [ ] . , quotes or spaces; use _)`},
		{"name with .", func(m *pm.Model) { m.Observe("y.obs", pm.Normal(0, 1), 1.0) },
			`pm: Observe "y.obs": the name contains '.', which breaks trace components and Stan CSV columns (names may not contain [ ] . , quotes or spaces; use _)`},
		{"name with quote", func(m *pm.Model) { m.Deterministic(`d"`, 1.0) },
			`pm: Deterministic "d\"": the name contains '"', which breaks trace components and Stan CSV columns (names may not contain [ ] . , quotes or spaces; use _)`},
	} {
		m := pm.NewModel()
		err := pm.Catch(func() { c.build(m) })
		if err == nil || err.Error() != c.want {
			t.Errorf("%s:\n got %v\nwant %s", c.name, err, c.want)
		}
		if len(m.Vars()) != 0 {
			t.Errorf("%s: the refused variable stayed in the model", c.name)
		}
	}

	// Memory: refused before allocating, with the bytes needed and available.
	err := pm.Catch(func() { pm.NewModel().Var("x", pm.Normal(0, 1), pm.Shape(1<<40)) })
	if err == nil || !strings.HasPrefix(err.Error(), `pm: Var "x": the shape [1099511627776] (1099511627776 elements) needs 8.8 TB (8796093022208 bytes) but only `) ||
		!strings.HasSuffix(err.Error(), "bytes) of memory is available") {
		t.Errorf("Shape(1<<40): %v", err)
	}
	m := pm.NewModel()
	m.Var("x", pm.Normal(0, 1))
	_, err = m.Sample(pm.Draws(1e9), pm.Chains(4))
	if err == nil || !strings.HasPrefix(err.Error(), "pm: Sample: keeping 4 chains × 1000000000 draws of 2 values each needs 768.0 GB (768000000000 bytes) but only ") {
		t.Errorf("Draws(1e9): %v", err)
	}

	// SetData with a shape the model cannot take: refused at SetData, old values kept.
	m = pm.NewModel()
	xd := m.Data("x", []float64{1, 2, 3})
	beta := m.Var("beta", pm.Normal(0, 1), pm.Shape(3))
	m.Observe("y", pm.Normal(pm.Mul(beta, xd), 1), []float64{1, 2, 3})
	err = m.SetData("x", []float64{1, 2})
	if err == nil || !strings.HasPrefix(err.Error(), `pm: SetData "x": the model cannot take values of shape [2] (it had [3]): `) {
		t.Errorf("SetData: %v", err)
	}
	if _, err := m.Sample(pm.Draws(10), pm.Tune(10), pm.Chains(1)); err != nil {
		t.Errorf("after a refused SetData the model should still sample: %v", err)
	}
	if err := m.SetData("x", []float64{4, 5, 6}); err != nil {
		t.Errorf("SetData with the same shape: %v", err)
	}
}

// TestDependentBounds: a variable whose bounds depend on another variable works in
// InitialPoint, FindMAP and Sample.
func TestDependentBounds(t *testing.T) {
	m := pm.NewModel()
	a1 := m.Var("alpha1", pm.Uniform(0, 1))
	m.Var("alpha2", pm.Uniform(0, pm.Sub(1.0, a1)))
	p, err := m.InitialPoint()
	if err != nil {
		t.Fatal(err)
	}
	// alpha1 starts at 0.5, alpha2 at 0.25, the middle of (0, 0.5): both at 0 on the logit scale.
	if math.Abs(p["alpha1_interval__"][0]) > 1e-12 || math.Abs(p["alpha2_interval__"][0]) > 1e-12 {
		t.Errorf("initial point %v", p)
	}
	if _, err := pm.FindMAP(m); err != nil {
		t.Fatal(err)
	}
	tr, err := m.Sample(pm.Draws(200), pm.Tune(200), pm.Chains(2), pm.Seed(1))
	if err != nil {
		t.Fatal(err)
	}
	v1, v2 := tr.Values("alpha1"), tr.Values("alpha2")
	for i := range v1 {
		if v2[i] <= 0 || v2[i] >= 1-v1[i] {
			t.Fatalf("draw %d: alpha2 = %v outside (0, 1 - alpha1 = %v)", i, v2[i], 1-v1[i])
		}
	}
}

// TestBlackBoxGradientCheckedAround: a gradient right only at the initial point is caught.
func TestBlackBoxGradientCheckedAround(t *testing.T) {
	m := pm.NewModel()
	x := m.Var("x", pm.Normal(0, 1))
	err := pm.Catch(func() {
		m.BlackBox("bb", []*tensor.Tensor{x}, func(v []float64) float64 { return -v[0] * v[0] / 2 },
			func(v, g []float64) { g[0] = -v[0] * v[0] * v[0] }) // right at 0 only
	})
	if err == nil || !strings.HasPrefix(err.Error(), `pm: BlackBox "bb": the gradient function is wrong: component 0 of the gradient is `) {
		t.Errorf("got %v", err)
	}
}

// TestReadStanCSVRefusesOtherCSV: a StreamTo file is not read as Stan CSV.
func TestReadStanCSVRefusesOtherCSV(t *testing.T) {
	m := pm.NewModel()
	m.Var("x", pm.Normal(0, 1))
	path := filepath.Join(t.TempDir(), "s.csv")
	if _, err := m.Sample(pm.Draws(10), pm.Tune(10), pm.Chains(1), pm.StreamTo(path)); err != nil {
		t.Fatal(err)
	}
	_, err := pm.ReadStanCSV(path)
	want := "pm: ReadStanCSV: " + path + ` is not a Stan CSV file: it has no column lp__, accept_stat__ (its columns: chain, draw, "x"); it looks like a StreamTo file, which is a plain CSV table (one row per draw)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestNamesTheDocsMention: pm.None (used in Slice's docs) exists and works, and the backends
// can be listed.
func TestNamesTheDocsMention(t *testing.T) {
	got, err := tensor.Eval(pm.Slice([]float64{1, 2, 3, 4}, 0, pm.None, pm.None, -1))
	if err != nil || len(got[0].Data) != 4 || got[0].Data[0] != 4 || got[0].Data[3] != 1 {
		t.Errorf("reversed with pm.None: %v, %v", got, err)
	}
	got, err = tensor.Eval(pm.Slice([]float64{1, 2, 3, 4}, 0, 2, pm.None, 1))
	if err != nil || len(got[0].Data) != 2 || got[0].Data[0] != 3 {
		t.Errorf("x[2:] with pm.None: %v, %v", got, err)
	}
	if b := strings.Join(pm.Backends(), ","); !strings.Contains(b, "debug") || !strings.Contains(b, "vm") {
		t.Errorf("pm.Backends() = %v", pm.Backends())
	}
}
