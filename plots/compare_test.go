package plots

import (
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/gopm-dev/gopm/pm"
)

// looFixture samples a straight-line regression on data with one gross outlier (index 7) and a
// model without the slope, once for all tests of this file.
var looFixture = sync.OnceValues(func() (*fixture, error) {
	rng := rand.New(rand.NewPCG(3, 4))
	var x, y []float64
	for i := range 25 {
		xi := float64(i)/8 - 1.5
		x = append(x, xi)
		y = append(y, 1+2*xi+0.4*rng.NormFloat64())
	}
	y[7] += 6
	fx := &fixture{traces: map[string]*pm.Trace{}}
	for _, name := range []string{"line", "flat"} {
		m := pm.NewModel()
		a := m.Var("a", pm.Normal(0, 10))
		sigma := m.Var("sigma", pm.HalfNormal(5))
		mu := a
		if name == "line" {
			b := m.Var("b", pm.Normal(0, 10))
			mu = a.Add(b.Mul(x))
		}
		m.Observe("y", pm.Normal(mu, sigma), y)
		tr, err := m.Sample(pm.Draws(500), pm.Tune(500), pm.Chains(2), pm.Seed(9), pm.StoreLogLikelihood())
		if err != nil {
			return nil, err
		}
		fx.traces[name] = tr
		if name == "line" {
			fx.pred, err = pm.SamplePosteriorPredictive(m, tr, 1)
			if err != nil {
				return nil, err
			}
		}
	}
	var err error
	if fx.loo, err = pm.LOO(fx.traces["line"]); err != nil {
		return nil, err
	}
	if fx.cmp, err = pm.Compare(fx.traces); err != nil {
		return nil, err
	}
	fx.pit, err = pm.LOOPIT(fx.traces["line"], fx.pred)
	return fx, err
})

type fixture struct {
	traces map[string]*pm.Trace
	pred   *pm.Trace
	loo    *pm.ELPD
	cmp    *pm.Comparison
	pit    []float64
}

func getFixture(t *testing.T) *fixture {
	t.Helper()
	fx, err := looFixture()
	if err != nil {
		t.Fatal(err)
	}
	return fx
}

func TestKhatMarksTheOutlier(t *testing.T) {
	fx := getFixture(t)
	if k := fx.loo.ParetoK[7]; !(k > fx.loo.KThreshold) {
		t.Fatalf("k of the outlier is %.3f, threshold %.3f", k, fx.loo.KThreshold)
	}
	f, err := Khat(fx.loo, DPI(120))
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, f)
	px, py := f.pixel(0, 0, 0, 7, fx.loo.ParetoK[7])
	if n := countColor(img, warnColor, 40, int(px)-4, int(py)-4, int(px)+5, int(py)+5); n < 4 {
		t.Errorf("no red dot at the outlier's k (pixel %.0f,%.0f): %d red pixels", px, py, n)
	}
	// A well-fitting observation is a blue dot, not red.
	good := 0
	for i, k := range fx.loo.ParetoK {
		if k < fx.loo.KThreshold-0.1 {
			good = i
			break
		}
	}
	px, py = f.pixel(0, 0, 0, float64(good), fx.loo.ParetoK[good])
	if n := countColor(img, warnColor, 40, int(px)-2, int(py)-2, int(px)+3, int(py)+3); n > 0 {
		t.Errorf("observation %d (k %.2f) drawn red", good, fx.loo.ParetoK[good])
	}
	if _, err := Khat(nil); err == nil {
		t.Error("nil estimate accepted")
	}
}

func TestCompareDrawsELPDs(t *testing.T) {
	fx := getFixture(t)
	f, err := Compare(fx.cmp, DPI(120))
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, f)
	n := len(fx.cmp.Rows)
	for i, r := range fx.cmp.Rows {
		px, py := f.pixel(0, 0, 0, r.ELPD, float64(n-1-i))
		if c := countColor(img, defaultColors()[0], 40, int(px)-2, int(py)-2, int(px)+3, int(py)+3); c < 5 {
			t.Errorf("no point at %s's elpd %.1f", r.Name, r.ELPD)
		}
	}
	if fx.cmp.Rows[0].Name != "line" {
		t.Errorf("best model %s", fx.cmp.Rows[0].Name)
	}
	if _, err := Compare(nil); err == nil {
		t.Error("nil comparison accepted")
	}
}

func TestLOOPITFigure(t *testing.T) {
	fx := getFixture(t)
	f, err := LOOPIT(fx.pit, DPI(120))
	if err != nil {
		t.Fatal(err)
	}
	decode(t, f)
	// The outlier lies far above every prediction: its PIT is near 1.
	if fx.pit[7] < 0.99 {
		t.Errorf("LOO-PIT of the outlier %.3f", fx.pit[7])
	}
	if _, err := LOOPIT([]float64{0.2, 1.5}); err == nil || !strings.Contains(err.Error(), "1.5") {
		t.Errorf("bad value: %v", err)
	}
	if math.IsNaN(fx.pit[0]) {
		t.Error("NaN PIT")
	}
}
