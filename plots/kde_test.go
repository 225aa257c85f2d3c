package plots

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

func normalDraws(n int, mu, sd float64, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 7))
	x := make([]float64, n)
	for i := range x {
		x[i] = mu + sd*r.NormFloat64()
	}
	return x
}

func gammaDraws(n int, shape, rate float64, seed uint64) []float64 {
	src := rand.New(rand.NewPCG(seed, 11))
	g := distuv.Gamma{Alpha: shape, Beta: rate, Src: src}
	x := make([]float64, n)
	for i := range x {
		x[i] = g.Rand()
	}
	return x
}

// trapz integrates a density given on a grid.
func trapz(x, y []float64) float64 {
	s := 0.0
	for i := 1; i < len(x); i++ {
		s += 0.5 * (y[i] + y[i-1]) * (x[i] - x[i-1])
	}
	return s
}

func TestKDEIntegratesToOne(t *testing.T) {
	cases := []struct {
		name         string
		x            []float64
		lower, upper float64
	}{
		{"normal unbounded", normalDraws(5000, 2, 3, 1), math.Inf(-1), math.Inf(1)},
		{"gamma lower 0", gammaDraws(5000, 2, 1, 2), 0, math.Inf(1)},
		{"exponential lower 0", gammaDraws(5000, 1, 1, 3), 0, math.Inf(1)},
		{"small sample", normalDraws(30, 0, 1, 4), math.Inf(-1), math.Inf(1)},
	}
	for _, c := range cases {
		d, err := KDE(c.x, c.lower, c.upper)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := trapz(d.X, d.Y); math.Abs(got-1) > 0.01 {
			t.Errorf("%s: integral %v, want 1", c.name, got)
		}
		// Data-range bounds (what the figures use) must keep the mass too.
		lo, hi := minMax(c.x)
		d, err = KDE(c.x, lo, hi)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := trapz(d.X, d.Y); math.Abs(got-1) > 0.02 {
			t.Errorf("%s data bounds: integral %v, want 1", c.name, got)
		}
	}
}

func TestKDEMatchesNormalDensity(t *testing.T) {
	x := normalDraws(100000, 1, 2, 5)
	d, err := KDE(x, math.Inf(-1), math.Inf(1))
	if err != nil {
		t.Fatal(err)
	}
	nd := distuv.Normal{Mu: 1, Sigma: 2}
	worst := 0.0
	for i, xi := range d.X {
		if math.Abs(xi-1) > 3*2 {
			continue
		}
		worst = math.Max(worst, math.Abs(d.Y[i]-nd.Prob(xi)))
	}
	// Peak density is 0.2; sampling noise plus smoothing bias at n=1e5 is
	// well under 3% of it.
	if worst > 0.006 {
		t.Errorf("max |kde - pdf| = %v on mu +- 3 sd, want < 0.006", worst)
	}
}

func TestKDENoMassBelowZero(t *testing.T) {
	x := gammaDraws(20000, 1, 1, 6) // exponential: density 1 at 0, the hard case
	for _, bounds := range [][2]float64{{0, math.Inf(1)}, {minOf(x), maxOf(x)}} {
		d, err := KDE(x, bounds[0], bounds[1])
		if err != nil {
			t.Fatal(err)
		}
		if d.X[0] < 0 {
			t.Fatalf("grid starts at %v < 0", d.X[0])
		}
		if got := trapz(d.X, d.Y); math.Abs(got-1) > 0.02 {
			t.Errorf("bounds %v: mass on [0, inf) is %v, want 1", bounds, got)
		}
		// Reflection keeps the boundary density near f(0) = 1; a plain KDE
		// cut at 0 would show about 0.5 there.
		if d.Y[0] < 0.8 || d.Y[0] > 1.1 {
			t.Errorf("bounds %v: density at the boundary %v, want about 1", bounds, d.Y[0])
		}
	}
}

func maxOf(x []float64) float64 { _, hi := minMax(x); return hi }

func TestISJBandwidthNormal(t *testing.T) {
	// For normal data the AMISE-optimal Gaussian-kernel bandwidth is
	// (4/(3n))^(1/5) sigma (Silverman 1986, eq. 3.28); ISJ estimates it.
	for _, n := range []int{2000, 20000} {
		for seed := uint64(1); seed <= 3; seed++ {
			sigma := 3.0
			x := normalDraws(n, -4, sigma, seed)
			h, method := BandwidthISJ(x)
			if method != "isj" {
				t.Fatalf("n=%d seed %d: method %q, want isj", n, seed, method)
			}
			opt := math.Pow(4/(3*float64(n)), 0.2) * sigma
			if rel := math.Abs(h-opt) / opt; rel > 0.15 {
				t.Errorf("n=%d seed %d: ISJ bandwidth %v, optimum %v (rel err %.3f)", n, seed, h, opt, rel)
			}
		}
	}
}

func TestISJBimodalNarrowerThanSilverman(t *testing.T) {
	// Silverman's rule oversmooths well-separated modes; ISJ adapts. This is
	// the reason to prefer it (Botev et al. 2010, section 6).
	x := append(normalDraws(5000, -5, 1, 8), normalDraws(5000, 5, 1, 9)...)
	h, method := BandwidthISJ(x)
	s := BandwidthSilverman(x)
	if method != "isj" || !(h < 0.6*s) {
		t.Errorf("bimodal: ISJ %v (%s), Silverman %v; want ISJ well below Silverman", h, method, s)
	}
	opt := math.Pow(4/(3*5000.0), 0.2) // per-mode optimum is the right scale
	if h > 1.5*opt || h < 0.5*opt {
		t.Errorf("bimodal ISJ bandwidth %v, per-mode optimum about %v", h, opt)
	}
}

func TestKDEFallbackAndErrors(t *testing.T) {
	// Three distinct values: ISJ has no root; the fallback must still give
	// a proper density.
	x := []float64{0, 0, 0, 1, 1, 1, 2, 2, 2}
	d, err := KDE(x, math.Inf(-1), math.Inf(1))
	if err != nil {
		t.Fatal(err)
	}
	if !(d.Bandwidth > 0) {
		t.Fatalf("bandwidth %v", d.Bandwidth)
	}
	if got := trapz(d.X, d.Y); math.Abs(got-1) > 0.01 {
		t.Errorf("integral %v", got)
	}
	if _, err := KDE([]float64{1, 1, 1}, math.Inf(-1), math.Inf(1)); err == nil {
		t.Error("constant data: want an error")
	}
	if _, err := KDE([]float64{math.NaN(), 1}, math.Inf(-1), math.Inf(1)); err == nil {
		t.Error("one finite value: want an error")
	}
	if _, err := KDE([]float64{-1, 1}, 0, math.Inf(1)); err == nil {
		t.Error("data below the lower bound: want an error")
	}
}

func TestDCT2AgainstDirectSum(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	x := make([]float64, 64)
	for i := range x {
		x[i] = r.Float64()
	}
	c := dct2(x)
	for k := range x {
		want := 0.0
		for j, v := range x {
			want += v * math.Cos(math.Pi*float64(k)*(float64(j)+0.5)/float64(len(x)))
		}
		if math.Abs(c[k]-want) > 1e-10 {
			t.Fatalf("c[%d] = %v, want %v", k, c[k], want)
		}
	}
}
