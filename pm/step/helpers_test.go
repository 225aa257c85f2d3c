package step

import (
	"context"
	"math"
	"testing"

	"github.com/gopm-dev/gopm/pm/diag"
)

// stdNormal is an n-dimensional standard normal with scales sd.
type stdNormal struct {
	sd []float64
}

func newStdNormal(n int) *stdNormal {
	s := &stdNormal{sd: make([]float64, n)}
	for i := range s.sd {
		s.sd[i] = 1
	}
	return s
}

func (d *stdNormal) Dim() int { return len(d.sd) }
func (d *stdNormal) Logp(x []float64) float64 {
	lp := 0.0
	for i, v := range x {
		z := v / d.sd[i]
		lp -= 0.5 * z * z
	}
	return lp
}
func (d *stdNormal) LogpGrad(x, g []float64) float64 {
	lp := 0.0
	for i, v := range x {
		z := v / d.sd[i]
		lp -= 0.5 * z * z
		g[i] = -z / d.sd[i]
	}
	return lp
}

// runOK runs cfg and fails the test on error.
func runOK(t testing.TB, cfg Config) *Result {
	t.Helper()
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

// transformCol applies f to coordinate i of every draw: [chain][draw].
func transformCol(r *Result, i int, f func(float64) float64) [][]float64 {
	col := r.Column(i)
	for _, c := range col {
		for j := range c {
			c[j] = f(c[j])
		}
	}
	return col
}

func meanSD(chains [][]float64) (mean, sd float64) {
	n := 0.0
	for _, c := range chains {
		for _, v := range c {
			mean += v
			n++
		}
	}
	mean /= n
	for _, c := range chains {
		for _, v := range c {
			sd += (v - mean) * (v - mean)
		}
	}
	return mean, math.Sqrt(sd / (n - 1))
}

// checkMoments asserts mean and sd within 4 MCSE of the truth.
func checkMoments(t *testing.T, name string, chains [][]float64, wantMean, wantSD float64) {
	t.Helper()
	m, sd := meanSD(chains)
	mcse := diag.MCSEMean(chains)
	mcseSD := diag.MCSESD(chains)
	ess := diag.ESSBulk(chains)
	if !(math.Abs(m-wantMean) < 4*mcse) {
		t.Errorf("%s: mean %.5g, want %.5g ± 4·%.3g (ess %.0f)", name, m, wantMean, mcse, ess)
	}
	if !(math.Abs(sd-wantSD) < 4*mcseSD) {
		t.Errorf("%s: sd %.5g, want %.5g ± 4·%.3g (ess %.0f)", name, sd, wantSD, mcseSD, ess)
	}
	if ess < 100 {
		t.Errorf("%s: ess_bulk %.0f < 100", name, ess)
	}
	if r := diag.RHat(chains); !(r < 1.02) {
		t.Errorf("%s: rhat %.4f", name, r)
	}
	t.Logf("%s: mean %.4f (truth %.4f, mcse %.4f) sd %.4f (truth %.4f) ess %.0f", name, m, wantMean, mcse, sd, wantSD, ess)
}
