package pm_test

import (
	"context"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/diag"
)

// Stan's posterior for bench/linreg (bench/results/stan.json, 4 x 1000 draws).
var stanLinreg = map[string]struct{ mean, sd float64 }{
	"alpha":   {0.949162210324168, 0.0982860021522125},
	"beta[0]": {0.962480352644445, 0.117139952946998},
	"beta[1]": {1.9918077763748, 0.482912218474759},
}

func TestSampleLinregMatchesStan(t *testing.T) {
	d := loadLinreg(t)
	m := linregModel(d)
	tr, err := m.Sample(pm.Draws(1000), pm.Tune(1000), pm.Chains(4), pm.Seed(7))
	if err != nil {
		t.Fatal(err)
	}
	s, err := pm.Summary(tr)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range stanLinreg {
		mean, _ := s.Get(name, "mean")
		sd, _ := s.Get(name, "sd")
		mcse, _ := s.Get(name, "mcse_mean")
		rhat, _ := s.Get(name, "r_hat")
		// Both are Monte Carlo estimates: allow 4 combined standard errors (Stan's MCSE is
		// about sd/sqrt(ESS) with ESS near 4000).
		tol := 4 * math.Hypot(mcse, want.sd/math.Sqrt(4000))
		if math.Abs(mean-want.mean) > tol {
			t.Errorf("%s mean %.4f, Stan %.4f (tol %.4f)", name, mean, want.mean, tol)
		}
		if math.Abs(sd-want.sd) > 0.1*want.sd {
			t.Errorf("%s sd %.4f, Stan %.4f", name, sd, want.sd)
		}
		if rhat > 1.01 {
			t.Errorf("%s r_hat %.4f", name, rhat)
		}
	}
	if tr.Divergences() != 0 {
		t.Errorf("%d divergences", tr.Divergences())
	}
	if !strings.Contains(tr.Sampler, "NUTS") {
		t.Errorf("sampler %q", tr.Sampler)
	}
	if len(tr.Warnings) != 0 {
		t.Errorf("warnings: %v", tr.Warnings)
	}
	t.Logf("\n%s", s)
}

// Same seed: identical traces with 1 and 2 cores, and on both backends.
func TestSampleReproducible(t *testing.T) {
	d := loadLinreg(t)
	run := func(opts ...pm.SampleOption) *pm.Trace {
		tr, err := linregModel(d).Sample(append([]pm.SampleOption{pm.Draws(100), pm.Tune(100), pm.Chains(2), pm.Seed(3)}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	ref := run(pm.Cores(1))
	for name, tr := range map[string]*pm.Trace{"cores=2": run(pm.Cores(2)), "debug": run(pm.SampleBackend("debug"))} {
		for i, v := range ref.Vars {
			for c := range v.Draws {
				for k := range v.Draws[c] {
					for j, x := range v.Draws[c][k] {
						if y := tr.Vars[i].Draws[c][k][j]; math.Float64bits(x) != math.Float64bits(y) {
							t.Fatalf("%s: %s chain %d draw %d differs: %v vs %v", name, v.Name, c, k, x, y)
						}
					}
				}
			}
		}
	}
}

// Cancelling returns the partial trace, with a warning. (How fast it returns is measured by
// BenchmarkSampleCancelLatency; the bound here only catches a sampler that ignores the context.)
func TestSampleCancel(t *testing.T) {
	d := loadLinreg(t)
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	var once sync.Once
	var mu sync.Mutex
	kept := map[int]bool{}
	var cancelledAt time.Time
	go func() {
		<-started
		time.Sleep(50 * time.Millisecond)
		cancelledAt = time.Now()
		cancel()
	}()
	tr, err := linregModel(d).Sample(pm.Draws(1000000), pm.Tune(20), pm.Chains(2), pm.Context(ctx),
		pm.OnDraw(func(chain, iter int, x []float64) {
			if iter < 20 {
				return
			}
			mu.Lock()
			kept[chain] = true
			if len(kept) == 2 {
				once.Do(func() { close(started) })
			}
			mu.Unlock()
		}))
	if err != nil {
		t.Fatal(err)
	}
	// A sampler that ignored the context would run its million draws for half a minute or
	// more; under a heavy load an honest one has been seen to take 1.8 s.
	if el := time.Since(cancelledAt); el > 5*time.Second {
		t.Errorf("returned %v after cancel", el)
	}
	if !tr.Cancelled || tr.NDraws() == 0 || !strings.Contains(strings.Join(tr.Warnings, "\n"), "interrupted") {
		t.Errorf("cancelled %v, %d draws, warnings %v", tr.Cancelled, tr.NDraws(), tr.Warnings)
	}
	// The partial trace has chains of equal length, so the summary works.
	if _, err := pm.Summary(tr); err != nil {
		t.Errorf("summary of the partial trace: %v", err)
	}
}

// BenchmarkSampleCancelLatency measures the time from cancelling a running sampler to Sample
// returning with its partial trace (ms/cancel; the goal is under 100 ms).
func BenchmarkSampleCancelLatency(b *testing.B) {
	d := loadLinreg(b)
	total := time.Duration(0)
	for i := 0; i < b.N; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		var at time.Time
		go func() {
			time.Sleep(30 * time.Millisecond)
			at = time.Now()
			cancel()
		}()
		if _, err := linregModel(d).Sample(pm.Draws(1000000), pm.Tune(10), pm.Chains(2), pm.Context(ctx)); err != nil {
			b.Fatal(err)
		}
		total += time.Since(at)
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/cancel")
}

// A mixed discrete-continuous model gets a compound step, printed as PyMC prints it.
func TestSampleCompoundAssignment(t *testing.T) {
	m := pm.NewModel()
	p := m.Var("p", pm.Beta(2, 2))
	m.Var("k", pm.Bernoulli(p))
	m.Var("n", pm.Categorical([]float64{0.2, 0.3, 0.5}))
	tr, err := m.Sample(pm.Draws(300), pm.Tune(200), pm.Chains(1), pm.Seed(1))
	if err != nil {
		t.Fatal(err)
	}
	want := "CompoundStep\n>NUTS: [p]\n>BinaryGibbsMetropolis: [k]\n>CategoricalGibbsMetropolis: [n]"
	if tr.Sampler != want {
		t.Errorf("sampler:\n%s\nwant\n%s", tr.Sampler, want)
	}
	// n's marginal is its prior: mean 0.3 + 2*0.5 = 1.3, sd 0.78; with about 300 effective
	// draws the mean's standard error is about 0.05.
	n := tr.Values("n")
	if mean := tr.Mean("n")[0]; math.Abs(mean-1.3) > 0.2 {
		t.Errorf("mean of n = %v, want 1.3", mean)
	}
	if ess := diag.ESSBulk([][]float64{n}); ess < 100 {
		t.Errorf("ess of n = %v", ess)
	}
}

// One method chosen for every variable is printed with the variables, as PyMC prints it.
func TestSampleMethodNamesVariables(t *testing.T) {
	m := pm.NewModel()
	m.Var("a", pm.Normal(0, 1))
	m.Var("b", pm.Normal(0, 1), pm.Shape(2))
	for method, want := range map[string]string{"metropolis": "Metropolis: [a, b]", "slice": "Slice: [a, b]", "nuts": "NUTS: [a, b]"} {
		tr, err := m.Sample(pm.Method(method), pm.Draws(20), pm.Tune(20), pm.Chains(1), pm.Seed(1))
		if err != nil {
			t.Fatal(err)
		}
		if tr.Sampler != want {
			t.Errorf("Method(%q): sampler %q, want %q", method, tr.Sampler, want)
		}
	}
}

// An integer-valued deterministic is recorded as discrete (figures draw it as a histogram); a
// real-valued one is not.
func TestSampleIntegerDeterministicIsDiscrete(t *testing.T) {
	m := pm.NewModel()
	k := m.Var("k", pm.DiscreteUniform(0, 9))
	x := m.Var("x", pm.Normal(0, 1))
	m.Deterministic("year", k.Add(1851))
	m.Deterministic("x2", x.Mul(2.0))
	tr, err := m.Sample(pm.Draws(50), pm.Tune(50), pm.Chains(1), pm.Seed(1))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"k": true, "year": true, "x": false, "x2": false} {
		if got := tr.Var(name).Discrete; got != want {
			t.Errorf("%s: Discrete %v, want %v", name, got, want)
		}
	}
	if y, k := tr.Values("year"), tr.Values("k"); y[0] != k[0]+1851 {
		t.Errorf("year %v, k %v", y[0], k[0])
	}
}
