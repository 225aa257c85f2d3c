package pm_test

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm"
)

// A temperature trend over calendar years with the years uncentred: the intercept and the
// slope are correlated at about −0.99998. The dense and the low-rank metric must learn that in
// warm-up: a mean tree depth of at most 4 afterwards, with fewer warm-up gradients than the
// diagonal metric (which cannot represent the correlation and stays at deep trees), and the
// same posterior.
func TestDenseMetricOnCollinearRegression(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var years, temp []float64
	for yr := 1960; yr <= 2020; yr++ {
		years = append(years, float64(yr))
		temp = append(temp, -20+0.01*float64(yr)+0.1*rng.NormFloat64())
	}
	// Least squares: with priors this wide the posterior mean of the slope is its estimate.
	var my, mt float64
	for i := range years {
		my += years[i]
		mt += temp[i]
	}
	my /= float64(len(years))
	mt /= float64(len(years))
	var sxy, sxx float64
	for i := range years {
		sxy += (years[i] - my) * (temp[i] - mt)
		sxx += (years[i] - my) * (years[i] - my)
	}
	slope := sxy / sxx
	run := func(metric string) (*pm.Trace, float64) {
		m := pm.NewModel()
		a := m.Var("a", pm.Normal(0, 100))
		b := m.Var("b", pm.Normal(0, 1))
		s := m.Var("s", pm.HalfNormal(1))
		m.Observe("y", pm.Normal(a.Add(b.Mul(years)), s), temp)
		tr, err := m.Sample(pm.Draws(500), pm.Tune(1000), pm.Chains(2), pm.Seed(7), pm.Metric(metric))
		if err != nil {
			t.Fatal(err)
		}
		var depth, n float64
		for _, ch := range tr.Stats.TreeDepth {
			for _, d := range ch {
				depth += float64(d)
				n++
			}
		}
		return tr, depth / n
	}
	warm := func(tr *pm.Trace) (s int64) {
		for _, g := range tr.WarmupGradEvals {
			s += g
		}
		return s
	}
	diag, gDepth := run("diag")
	// The low-rank modified metric represents the correlation too: with 3 coordinates every
	// direction that matters is among its k ≤ 3.
	for _, metric := range []string{"dense", "lowrank"} {
		tr, depth := run(metric)
		t.Logf("%s: mean depth %.2f, warm-up gradients %d; diag: %.2f, %d", metric, depth, warm(tr), gDepth, warm(diag))
		if depth > 4 {
			t.Errorf("%s metric: mean tree depth %.2f after warm-up, want at most 4", metric, depth)
		}
		if warm(tr) >= warm(diag) {
			t.Errorf("%s warm-up used %d gradients, diag %d", metric, warm(tr), warm(diag))
		}
		if tr.Settings.Metric != metric {
			t.Errorf("Settings.Metric = %q, want %q", tr.Settings.Metric, metric)
		}
		// The slope's posterior sd is 0.1/√sxx ≈ 1.7e-4; 1000 draws at depth ≤ 4 have an ESS
		// in the hundreds, so 5 Monte Carlo errors are within 0.2 posterior sd.
		sd := 0.1 / math.Sqrt(sxx)
		if got := tr.Mean("b")[0]; math.Abs(got-slope) > 0.25*sd {
			t.Errorf("%s: slope mean %.6g, least squares %.6g (sd %.2g)", metric, got, slope, sd)
		}
		if metric != "lowrank" {
			continue
		}
		// The trace keeps the diagonal of the low-rank modified inverse metric: the posterior
		// variances, here of a, b and log s.
		vb := tr.InvMetric[0][1]
		if math.Abs(math.Sqrt(vb)-sd)/sd > 0.3 {
			t.Errorf("lowrank: inverse metric's sd of b %.3g, posterior sd %.3g", math.Sqrt(vb), sd)
		}
		files, err := tr.WriteStanCSV(filepath.Join(t.TempDir(), "fit"))
		if err != nil {
			t.Fatal(err)
		}
		head, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(head), "metric adaptation: lowrank") {
			t.Errorf("Stan CSV header does not say the metric was lowrank")
		}
	}
}
