package pm_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gopm-dev/gopm/pm"
)

// A temperature trend over calendar years with the years uncentred: the intercept and the
// slope are correlated at about −0.99998. The dense metric must learn that in warm-up: a mean
// tree depth of at most 4 afterwards, with fewer warm-up gradients than the diagonal metric
// (which cannot represent the correlation and stays at deep trees), and the same posterior.
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
	dense, dDepth := run("dense")
	diag, gDepth := run("diag")
	warm := func(tr *pm.Trace) (s int64) {
		for _, g := range tr.WarmupGradEvals {
			s += g
		}
		return s
	}
	t.Logf("dense: mean depth %.2f, warm-up gradients %d; diag: %.2f, %d", dDepth, warm(dense), gDepth, warm(diag))
	if dDepth > 4 {
		t.Errorf("dense metric: mean tree depth %.2f after warm-up, want at most 4", dDepth)
	}
	if warm(dense) >= warm(diag) {
		t.Errorf("dense warm-up used %d gradients, diag %d", warm(dense), warm(diag))
	}
	// The slope's posterior sd is 0.1/√sxx ≈ 1.7e-4; 1000 draws at depth ≤ 4 have an ESS in
	// the hundreds, so 5 Monte Carlo errors are within 0.2 posterior sd.
	sd := 0.1 / math.Sqrt(sxx)
	if got := dense.Mean("b")[0]; math.Abs(got-slope) > 0.25*sd {
		t.Errorf("dense: slope mean %.6g, least squares %.6g (sd %.2g)", got, slope, sd)
	}
}
