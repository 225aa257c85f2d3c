package plots_test

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gopm-dev/gopm/plots"
	"github.com/gopm-dev/gopm/pm"
)

func elboModel() *pm.Model {
	m := pm.NewModel()
	mu := m.Var("mu", pm.Normal(0, 10))
	sigma := m.Var("sigma", pm.HalfNormal(5))
	m.Observe("y", pm.Normal(mu, sigma), []float64{1.2, 0.4, 2.5, 1.9, 0.7, 1.1, 3.0, 1.6})
	return m
}

// The ELBO figure of ADVI and of multi-path Pathfinder renders to a PNG of the figure's size
// with ink in it; with GOPM_PLOTS_DIR set it is saved for a look.
func TestELBOFigure(t *testing.T) {
	m := elboModel()
	for _, c := range []struct {
		name   string
		method pm.FitMethod
	}{{"advi", pm.ADVI()}, {"pathfinder", pm.Pathfinder()}} {
		a, err := m.Fit(c.method, pm.FitSeed(2), pm.FitNoWarmStart())
		if err != nil {
			t.Fatal(err)
		}
		f, err := plots.ELBO(a)
		if err != nil {
			t.Fatal(err)
		}
		b := f.PNG()
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		w, h := f.Size()
		if img.Bounds().Dx() != w || img.Bounds().Dy() != h {
			t.Errorf("%s: PNG %v, figure %dx%d", c.name, img.Bounds(), w, h)
		}
		dark := 0
		for y := 0; y < h; y += 2 {
			for x := 0; x < w; x += 2 {
				r, g, bl, _ := img.At(x, y).RGBA()
				if r+g+bl < 3*0xffff*9/10 {
					dark++
				}
			}
		}
		if dark < 200 {
			t.Errorf("%s: only %d non-white sampled pixels", c.name, dark)
		}
		if dir := os.Getenv("GOPM_PLOTS_DIR"); dir != "" {
			if err := f.Save(filepath.Join(dir, "elbo_"+c.name+".png")); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := plots.ELBO(nil); err == nil {
		t.Error("nil approximation: no error")
	}
	if _, err := plots.ELBO(&pm.Approximation{ELBO: []float64{math.Inf(-1)}, ELBOIter: []int{1}}); err == nil {
		t.Error("no finite ELBO: no error")
	}
}
