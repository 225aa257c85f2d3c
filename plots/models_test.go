package plots_test

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"testing"

	"github.com/gopm-dev/gopm/plots"
	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/tensor"
)

func loadJSON(t *testing.T, name string, v any) {
	b, err := os.ReadFile("../bench/data/" + name + ".json")
	if err != nil {
		t.Skip(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// The figures from traces of real models: linear regression, eight schools and the coal-mining
// switchpoint (with its discrete variable), each decoded as PNG and checked for its size.
func TestFiguresFromModelTraces(t *testing.T) {
	var lin struct {
		X1, X2 []float64
		Y      []float64 `json:"y"`
	}
	loadJSON(t, "linreg", &lin)
	var coal struct {
		T int
		D []float64
	}
	loadJSON(t, "coal_marginal", &coal)

	models := map[string]func() *pm.Model{
		"linreg": func() *pm.Model {
			m := pm.NewModel()
			a := m.Var("alpha", pm.Normal(0, 10))
			b := m.Var("beta", pm.Normal(0, 10), pm.Shape(2))
			s := m.Var("sigma", pm.HalfNormal(1))
			m.Observe("y", pm.Normal(a.Add(b.At(0).Mul(lin.X1)).Add(b.At(1).Mul(lin.X2)), s), lin.Y)
			return m
		},
		"eight_schools": func() *pm.Model {
			m := pm.NewModel()
			mu := m.Var("mu", pm.Normal(0, 5))
			tau := m.Var("tau", pm.HalfCauchy(5))
			tt := m.Var("theta_tilde", pm.Normal(0, 1), pm.Shape(8))
			th := m.Deterministic("theta", mu.Add(tau.Mul(tt)))
			m.Observe("y", pm.Normal(th, []float64{15, 10, 16, 11, 9, 11, 10, 18}), []float64{28, 8, -3, 7, -1, 1, 18, 12})
			return m
		},
		"coal": func() *pm.Model {
			years := make([]float64, coal.T)
			for i := range years {
				years[i] = float64(i)
			}
			m := pm.NewModel()
			s := m.Var("switchpoint", pm.DiscreteUniform(0, coal.T-1))
			e := m.Var("early", pm.Exponential(1))
			l := m.Var("late", pm.Exponential(1))
			m.Observe("disasters", pm.Poisson(tensor.Switch(tensor.Lt(years, s), e, l)), coal.D)
			return m
		},
	}
	figures := map[string]func(any, ...plots.Option) (*plots.Figure, error){
		"trace": plots.Trace, "posterior": plots.Posterior, "corner": plots.Corner, "pair": plots.Pair,
		"forest": plots.Forest, "autocorr": plots.Autocorr,
	}
	for name, build := range models {
		m := build()
		tr, err := m.Sample(pm.Draws(300), pm.Tune(300), pm.Chains(2), pm.Seed(1))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for fname, fig := range figures {
			f, err := fig(tr)
			if err != nil {
				t.Errorf("%s %s: %v", name, fname, err)
				continue
			}
			checkPNG(t, name+" "+fname, f)
		}
		if name != "coal" { // NUTS energies; the compound step's are NUTS's too, but check one of each
			f, err := plots.Energy(tr)
			if err != nil {
				t.Errorf("%s energy: %v", name, err)
			} else {
				checkPNG(t, name+" energy", f)
			}
		}
		pred, err := pm.SamplePosteriorPredictive(m, tr, 2)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s, err := plots.PPCSamples(pred, m)
		if err != nil {
			t.Fatal(err)
		}
		f, err := plots.PPC(s)
		if err != nil {
			t.Errorf("%s ppc: %v", name, err)
		} else {
			checkPNG(t, name+" ppc", f)
		}
	}
}

func checkPNG(t *testing.T, what string, f *plots.Figure) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(f.PNG()))
	if err != nil {
		t.Errorf("%s: PNG does not decode: %v", what, err)
		return
	}
	w, h := f.Size()
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h || w < 200 || h < 150 {
		t.Errorf("%s: image %v, figure size %dx%d", what, b, w, h)
	}
}
