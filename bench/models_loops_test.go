package main

import (
	"math"
	"testing"

	"github.com/gopm-dev/gopm/pm"
)

// The loop and correlation models, written by hand in their unconstrained coordinates (the
// order of ld.Blocks(): the order the variables are declared), each with the log-Jacobians of
// its transforms, and every constant of the densities.
var loopDensities = map[string]func(d loopData, x []float64) float64{
	// x = mu, logit((phi+1)/2), logit((theta+1)/2), log sigma.
	"arma11": func(d loopData, x []float64) float64 {
		mu := x[0]
		phi, jPhi := interval(x[1], -1, 1)
		theta, jTheta := interval(x[2], -1, 1)
		sigma := math.Exp(x[3])
		lp := normalLpdf(mu, 0, 10) + 2*math.Log(0.5) + jPhi + jTheta +
			math.Log(2/(math.Pi*5*(1+sigma*sigma/25))) + x[3]
		err := d.Y[0] - (mu + phi*mu)
		lp += normalLpdf(err, 0, sigma)
		for t := 1; t < len(d.Y); t++ {
			err = d.Y[t] - (mu + phi*d.Y[t-1] + theta*err)
			lp += normalLpdf(err, 0, sigma)
		}
		return lp
	},
	// x = logit p11, logit p22, mu[0], log(mu[1] - mu[0]), log sigma.
	"hmm2": func(d loopData, x []float64) float64 {
		p11, j11 := interval(x[0], 0, 1)
		p22, j22 := interval(x[1], 0, 1)
		mu := []float64{x[2], x[2] + math.Exp(x[3])}
		sigma := math.Exp(x[4])
		lp := j11 + j22 + normalLpdf(mu[0], 0, 5) + normalLpdf(mu[1], 0, 5) + x[3] +
			math.Log(2) + normalLpdf(sigma, 0, 2) + x[4]
		logA := [2][2]float64{{math.Log(p11), math.Log(1 - p11)}, {math.Log(1 - p22), math.Log(p22)}}
		var alpha [2]float64
		for k := range alpha {
			alpha[k] = math.Log(0.5) + normalLpdf(d.Y[0], mu[k], sigma)
		}
		for t := 1; t < len(d.Y); t++ {
			var next [2]float64
			for k := range next {
				next[k] = logSumExp2(alpha[0]+logA[0][k], alpha[1]+logA[1][k]) + normalLpdf(d.Y[t], mu[k], sigma)
			}
			alpha = next
		}
		return lp + logSumExp2(alpha[0], alpha[1])
	},
	// x = mu, log alpha0, logit alpha1, logit(beta1 / (1 - alpha1)).
	"garch11": func(d loopData, x []float64) float64 {
		mu := x[0]
		alpha0 := math.Exp(x[1])
		alpha1, j1 := interval(x[2], 0, 1)
		beta1, jb := interval(x[3], 0, 1-alpha1)
		lp := normalLpdf(mu, 0, 10) + math.Log(2) + normalLpdf(alpha0, 0, 1) + x[1] + j1 +
			jb - math.Log(1-alpha1)
		s2 := d.Sigma1 * d.Sigma1
		lp += normalLpdf(d.Y[0], mu, d.Sigma1)
		for t := 1; t < len(d.Y); t++ {
			s2 = alpha0 + alpha1*(d.Y[t-1]-mu)*(d.Y[t-1]-mu) + beta1*s2
			lp += normalLpdf(d.Y[t], mu, math.Sqrt(s2))
		}
		return lp
	},
	// x = a, b, log s.
	"collinear_reg": func(d loopData, x []float64) float64 {
		a, b, s := x[0], x[1], math.Exp(x[2])
		lp := normalLpdf(a, 0, 100) + normalLpdf(b, 0, 1) + math.Log(2) + normalLpdf(s, 0, 1) + x[2]
		for i, y := range d.Y {
			lp += normalLpdf(y, a+b*d.Year[i], s)
		}
		return lp
	},
}

type loopData struct {
	Year   []float64 `json:"year"`
	Y      []float64 `json:"y"`
	Sigma1 float64   `json:"sigma1"`
}

func normalLpdf(x, mu, sigma float64) float64 {
	z := (x - mu) / sigma
	return -0.5*z*z - math.Log(sigma) - 0.5*math.Log(2*math.Pi)
}

func logSumExp2(a, b float64) float64 {
	m := math.Max(a, b)
	return m + math.Log(math.Exp(a-m)+math.Exp(b-m))
}

// interval maps u to lo + (hi-lo) sigmoid(u) and returns it with the log-Jacobian.
func interval(u, lo, hi float64) (float64, float64) {
	s := 1 / (1 + math.Exp(-u))
	return lo + (hi-lo)*s, math.Log(hi-lo) + math.Log(s) + math.Log1p(-s)
}

// Each loop model builds, its compiled log-density differs between points exactly as the
// hand-written one does (the constants may differ), its gradient agrees with central finite
// differences of its log-density, and on the vm backend a gradient allocates nothing.
func TestLoopModelsAgainstHandWritten(t *testing.T) {
	for _, name := range loopSuite {
		m, err := build("data", name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ld, err := m.Compile()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var d loopData
		if err := load("data", name, &d); err != nil {
			t.Fatal(err)
		}
		p, err := m.InitialPoint()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		x0, err := ld.Flatten(p)
		if err != nil {
			t.Fatal(err)
		}
		if ld.Backend() == "vm" { // the compiled loop allocates nothing per gradient
			g := make([]float64, len(x0))
			if a := testing.AllocsPerRun(20, func() { ld.LogpGrad(x0, g) }); a != 0 {
				t.Errorf("%s: %v allocations per gradient", name, a)
			}
		}
		hand := loopDensities[name]
		if hand == nil {
			t.Fatalf("%s: no hand-written density", name)
		}
		// Points around the initial point, each coordinate moved differently.
		var ref float64
		for k := 0; k < 4; k++ {
			x := make([]float64, len(x0))
			for i := range x {
				x[i] = x0[i] + 0.3*math.Sin(float64(7*k+3*i+1))
			}
			if name == "collinear_reg" { // near the posterior: b small, a = -b·1980
				x[0], x[1] = -29.7+0.1*float64(k), 0.015+1e-4*float64(k)
			}
			g := make([]float64, len(x))
			lp := ld.LogpGrad(x, g)
			want := hand(d, x)
			if k == 0 {
				ref = lp - want
			} else if diff := lp - want - ref; math.Abs(diff) > 1e-8*math.Max(1, math.Abs(want)) {
				t.Errorf("%s at %v: log-density %v, by hand %v (up to the constant %v): off by %g", name, x, lp, want, ref, diff)
			}
			if lpOnly := ld.Logp(x); math.Abs(lpOnly-lp) > 1e-9*math.Max(1, math.Abs(lp)) {
				t.Errorf("%s: Logp %v but LogpGrad %v", name, lpOnly, lp)
			}
			for i := range x {
				h := 1e-6 * math.Max(1, math.Abs(x[i]))
				xp := append([]float64(nil), x...)
				xm := append([]float64(nil), x...)
				xp[i] += h
				xm[i] -= h
				fd := (ld.Logp(xp) - ld.Logp(xm)) / (2 * h)
				if math.Abs(fd-g[i]) > 1e-5*math.Max(1, math.Abs(g[i])) {
					t.Errorf("%s at %v: gradient[%d] %v, finite differences %v", name, x, i, g[i], fd)
				}
			}
		}
	}
}

// Stan's figures for the loop models (bench/data/stan_loops.json) are read beside the main
// suite's, and every parameter Stan reports is a variable of the gopm model, so that go run
// ./bench can compare them.
func TestLoopModelsHaveStanFigures(t *testing.T) {
	var stan struct {
		Models map[string]stanResult `json:"models"`
	}
	if err := load("data", "stan", &stan); err != nil {
		t.Fatal(err)
	}
	if err := load("data", "stan_loops", &stan); err != nil {
		t.Fatal(err)
	}
	for _, name := range suite {
		if _, ok := stan.Models[name]; !ok {
			t.Errorf("%s: Stan's figures lost when stan_loops.json was merged", name)
		}
	}
	for _, name := range loopSuite {
		ref, ok := stan.Models[name]
		if !ok {
			t.Fatalf("%s: no Stan figures", name)
		}
		if ref.GradEvalsTotal <= 0 || ref.MinESSBulk <= 0 || ref.ChainTotalS <= 0 || len(ref.Params) == 0 {
			t.Errorf("%s: incomplete Stan figures %+v", name, ref)
		}
		m, err := build("data", name)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := m.Sample(pm.Chains(1), pm.Tune(20), pm.Draws(5), pm.Seed(1))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sum, err := pm.Summary(tr)
		if err != nil {
			t.Fatal(err)
		}
		for p := range ref.Params {
			if p == "lp__" {
				continue
			}
			if _, err := sum.Get(pm.FromStanName(p), "mean"); err != nil {
				t.Errorf("%s: Stan's %s is not in gopm's trace: %v", name, p, err)
			}
		}
	}
}
