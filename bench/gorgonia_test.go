package main

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gopm-dev/gopm/pm"
	_ "github.com/gopm-dev/gopm/pm/backend/gorgonia"
)

// relErr is |a−b| / max(|a|, |b|, 1e-300) (0 when both are equal, infinities included).
func relErr(a, b float64) float64 {
	if a == b {
		return 0
	}
	return math.Abs(a-b) / math.Max(math.Max(math.Abs(a), math.Abs(b)), 1e-300)
}

// Both of gorgonia's gradient modes, the translated gradient graph ("gorgonia") and gorgonia's
// own differentiation ("gorgonia-ad"), agree with vm's log-density and gradient on every suite
// model at 20 random points to 1e-10 relative.
func TestSuiteModelsOnGorgonia(t *testing.T) {
	for _, name := range suite {
		m, err := build("data", name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		compareBackends(t, name, m, 1e-10)
	}
}

// compareBackends checks gorgonia and gorgonia-ad against vm at 20 points: the initial point
// plus uniform jitter in (−2, 2) on every unconstrained coordinate.
func compareBackends(t *testing.T, name string, m *pm.Model, tol float64) {
	t.Helper()
	ref, err := m.Compile(pm.Backend("vm"))
	if err != nil {
		t.Fatalf("%s on vm: %v", name, err)
	}
	p0, err := m.InitialPoint()
	if err != nil {
		t.Fatal(err)
	}
	x0, err := ref.Flatten(p0)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(17, uint64(len(name))))
	xs := make([][]float64, 20)
	for i := range xs {
		xs[i] = make([]float64, len(x0))
		for j := range x0 {
			xs[i][j] = x0[j] + 4*r.Float64() - 2
		}
	}
	for _, be := range []string{"gorgonia", "gorgonia-ad"} {
		ld, err := m.Compile(pm.Backend(be))
		if err != nil {
			t.Errorf("%s on %s: %v", name, be, err)
			continue
		}
		worst := 0.0
		for _, x := range xs {
			gv, gg := make([]float64, len(x)), make([]float64, len(x))
			lv := ref.LogpGrad(x, gv)
			lg := ld.LogpGrad(x, gg)
			if e := relErr(lv, lg); e > tol || math.IsNaN(lg) {
				t.Errorf("%s on %s: logp %v, vm %v (relative error %.2g)", name, be, lg, lv, e)
			}
			worst = math.Max(worst, relErr(lv, lg))
			if l := ld.Logp(x); relErr(l, lv) > tol {
				t.Errorf("%s on %s: Logp %v, vm %v", name, be, l, lv)
			}
			for j := range gv {
				// Relative to the gradient's scale: a coordinate near 0 is compared absolutely.
				scale := 0.0
				for _, v := range gv {
					scale = math.Max(scale, math.Abs(v))
				}
				e := math.Abs(gv[j]-gg[j]) / math.Max(math.Max(math.Abs(gv[j]), 1e-300), 1e-3*scale)
				if e > tol || math.IsNaN(gg[j]) {
					t.Errorf("%s on %s: gradient[%d] %v, vm %v (relative error %.2g)", name, be, j, gg[j], gv[j], e)
					break
				}
				worst = math.Max(worst, e)
			}
		}
		t.Logf("%s on %s: largest relative difference from vm %.2g over 20 points", name, be, worst)
	}
}
