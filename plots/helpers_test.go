package plots

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// synth builds posterior-like samples: AR(1) chains (autocorrelated like
// MCMC output), a positive gamma-like scale, a Poisson count, a correlated
// pair and a vector.
type synth struct {
	chains, draws, vecLen int
	seed                  uint64
}

func (sy synth) samples() *Samples {
	r := rand.New(rand.NewPCG(sy.seed, 99))
	ar1 := func(mu, sd, phi float64) []float64 {
		x := make([]float64, sy.draws)
		z := r.NormFloat64()
		for i := range x {
			z = phi*z + math.Sqrt(1-phi*phi)*r.NormFloat64()
			x[i] = mu + sd*z
		}
		return x
	}
	gam := distuv.Gamma{Alpha: 3, Beta: 2, Src: r}
	pois := distuv.Poisson{Lambda: 4, Src: r}
	mk := func(name string, shape []int, gen func(c int) [][]float64) Var {
		v := Var{Name: name, Shape: shape, Draws: make([][][]float64, sy.chains)}
		for c := range v.Draws {
			v.Draws[c] = gen(c)
		}
		return v
	}
	scalar := func(x []float64) [][]float64 {
		out := make([][]float64, len(x))
		for i, v := range x {
			out[i] = []float64{v}
		}
		return out
	}
	mu := mk("mu", nil, func(c int) [][]float64 { return scalar(ar1(1.5, 0.5, 0.6)) })
	sigma := mk("sigma", nil, func(c int) [][]float64 {
		x := make([]float64, sy.draws)
		for i := range x {
			x[i] = gam.Rand()
		}
		return scalar(x)
	})
	count := mk("count", nil, func(c int) [][]float64 {
		x := make([]float64, sy.draws)
		for i := range x {
			x[i] = pois.Rand()
		}
		return scalar(x)
	})
	count.Discrete = true
	// alpha and beta are correlated (rho = 0.8), like an intercept and slope
	// with uncentred predictors.
	ab := make([][][]float64, sy.chains)
	for c := range ab {
		a := ar1(0, 1, 0.3)
		e := ar1(0, 1, 0.3)
		ab[c] = make([][]float64, sy.draws)
		for i := range a {
			ab[c][i] = []float64{a[i], 2 + 0.5*(0.8*a[i]+0.6*e[i])}
		}
	}
	vars := []Var{mu, sigma, count, {Name: "ab", Shape: []int{2}, Draws: ab}}
	if sy.vecLen > 0 {
		vec := mk("theta", []int{sy.vecLen}, func(c int) [][]float64 {
			out := make([][]float64, sy.draws)
			for i := range out {
				out[i] = make([]float64, sy.vecLen)
				for k := range out[i] {
					out[i][k] = float64(k)/float64(sy.vecLen)*3 + 0.3*r.NormFloat64()
				}
			}
			return out
		})
		vars = append(vars, vec)
	}
	div := make([][]bool, sy.chains)
	for c := range div {
		div[c] = make([]bool, sy.draws)
	}
	return &Samples{Vars: vars, Diverging: div}
}

// decode checks that b is a PNG of the expected pixel size and returns it.
func decode(t *testing.T, f *Figure) image.Image {
	t.Helper()
	b := f.PNG()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	w, h := f.Size()
	if got := img.Bounds().Size(); got.X != w || got.Y != h {
		t.Fatalf("PNG is %dx%d, want %dx%d", got.X, got.Y, w, h)
	}
	save(t, f, b)
	return img
}

// save writes the PNG to $PLOTS_OUT (if set) for looking at it.
func save(t *testing.T, f *Figure, b []byte) {
	dir := os.Getenv("PLOTS_OUT")
	if dir == "" {
		return
	}
	name := filepath.Join(dir, sanitize(t.Name())+".png")
	for i := 2; ; i++ {
		if _, err := os.Stat(name); err != nil {
			break
		}
		name = filepath.Join(dir, fmt.Sprintf("%s_%d.png", sanitize(t.Name()), i))
	}
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Log(err)
	}
}

func sanitize(s string) string {
	out := []rune(s)
	for i, r := range out {
		if r == '/' || r == ' ' {
			out[i] = '_'
		}
	}
	return string(out)
}

// near reports whether a pixel is within tol of colour c in every channel.
func near(px color.Color, c color.Color, tol int) bool {
	r1, g1, b1, _ := px.RGBA()
	r2, g2, b2, _ := c.RGBA()
	d := func(a, b uint32) int { return int(a>>8) - int(b>>8) }
	ad := func(x int) int {
		if x < 0 {
			return -x
		}
		return x
	}
	return ad(d(r1, r2)) <= tol && ad(d(g1, g2)) <= tol && ad(d(b1, b2)) <= tol
}

// countColor counts pixels near colour c inside the rectangle [x0,x1)x[y0,y1).
func countColor(img image.Image, c color.Color, tol, x0, y0, x1, y1 int) int {
	n := 0
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			if near(img.At(x, y), c, tol) {
				n++
			}
		}
	}
	return n
}

func isDark(px color.Color) bool {
	r, g, b, _ := px.RGBA()
	return r>>8 < 80 && g>>8 < 80 && b>>8 < 80
}

// withEnergyAndPP adds autocorrelated energies and a posterior predictive
// variable "y" (50 observations, 200 draws per chain) with observed data.
func withEnergyAndPP(s *Samples, seed uint64) *Samples {
	r := rand.New(rand.NewPCG(seed, 5))
	nch := len(s.Vars[0].Draws)
	s.Energy = make([][]float64, nch)
	for c := range s.Energy {
		e := make([]float64, len(s.Vars[0].Draws[c]))
		z := 0.0
		for i := range e {
			z = 0.5*z + r.NormFloat64()
			e[i] = 10 + 2*z
		}
		s.Energy[c] = e
	}
	const nobs = 50
	obs := make([]float64, nobs)
	for i := range obs {
		obs[i] = 1 + 2*r.NormFloat64()
	}
	pp := Var{Name: "y", Shape: []int{nobs}, Draws: make([][][]float64, nch)}
	for c := range pp.Draws {
		pp.Draws[c] = make([][]float64, 200)
		for d := range pp.Draws[c] {
			pp.Draws[c][d] = make([]float64, nobs)
			for k := range pp.Draws[c][d] {
				pp.Draws[c][d][k] = 1 + 2*r.NormFloat64()
			}
		}
	}
	s.Observed = map[string][]float64{"y": obs}
	s.Vars = append(s.Vars, pp)
	return s
}
