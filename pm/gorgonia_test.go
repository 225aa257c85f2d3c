package pm_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/backend/gorgonia"
)

// tutorialModels are the models of gopm's examples and of the usual first tutorials (PyMC's
// getting-started and GLM pages): linear, robust, logistic and Poisson regression, a coin,
// eight schools in both parameterizations, varying intercepts, with mutable data.
func tutorialModels() map[string]func() *pm.Model {
	r := rand.New(rand.NewPCG(3, 5))
	n := 60
	x1, x2, yl, yb, yc := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]int, n)
	group := make([]int, n)
	X := make([][]float64, n)
	for i := range x1 {
		x1[i], x2[i] = r.NormFloat64(), 0.2*r.NormFloat64()
		yl[i] = 1 + x1[i] + 2.5*x2[i] + r.NormFloat64()
		if r.Float64() < 1/(1+math.Exp(-x1[i])) {
			yb[i] = 1
		}
		yc[i] = int(math.Exp(0.5+0.3*x1[i]) + r.Float64()*3)
		group[i] = i % 7
		X[i] = []float64{1, x1[i], x2[i]}
	}
	ys := []float64{28, 8, -3, 7, -1, 1, 18, 12}
	sig := []float64{15, 10, 16, 11, 9, 11, 10, 18}
	return map[string]func() *pm.Model{
		"linreg (examples/linreg.go)": func() *pm.Model {
			m := pm.NewModel()
			alpha := m.Var("alpha", pm.Normal(0, 10))
			beta := m.Var("beta", pm.Normal(0, 10), pm.Shape(2))
			sigma := m.Var("sigma", pm.HalfNormal(1))
			m.Observe("y", pm.Normal(alpha.Add(beta.At(0).Mul(x1)).Add(beta.At(1).Mul(x2)), sigma), yl)
			return m
		},
		"eight schools centered": func() *pm.Model {
			m := pm.NewModel()
			mu := m.Var("mu", pm.Normal(0, 5))
			tau := m.Var("tau", pm.HalfCauchy(5))
			theta := m.Var("theta", pm.Normal(mu, tau), pm.Shape(8))
			m.Observe("y", pm.Normal(theta, sig), ys)
			return m
		},
		"eight schools non-centered (examples/eight_schools.go)": func() *pm.Model {
			m := pm.NewModel()
			mu := m.Var("mu", pm.Normal(0, 5))
			tau := m.Var("tau", pm.HalfCauchy(5))
			tt := m.Var("theta_tilde", pm.Normal(0, 1), pm.Shape(8))
			m.Observe("y", pm.Normal(m.Deterministic("theta", mu.Add(tau.Mul(tt))), sig), ys)
			return m
		},
		"coin": func() *pm.Model {
			m := pm.NewModel()
			p := m.Var("p", pm.Beta(2, 2))
			m.Observe("y", pm.Bernoulli(p), yb)
			return m
		},
		"logistic regression": func() *pm.Model {
			m := pm.NewModel()
			beta := m.Var("beta", pm.Normal(0, 2), pm.Shape(3))
			m.Observe("y", pm.BernoulliLogit(pm.Dot(X, beta)), yb)
			return m
		},
		"poisson regression with pm.Data": func() *pm.Model {
			m := pm.NewModel()
			x := m.Data("x", x1)
			a := m.Var("a", pm.Normal(0, 1))
			b := m.Var("b", pm.Normal(0, 1))
			m.Observe("y", pm.PoissonLog(a.Add(b.Mul(x))), yc)
			return m
		},
		"robust regression": func() *pm.Model {
			m := pm.NewModel()
			a := m.Var("a", pm.Normal(0, 10))
			b := m.Var("b", pm.Normal(0, 10))
			s := m.Var("sigma", pm.Exponential(1))
			m.Observe("y", pm.StudentT(4, a.Add(b.Mul(x1)), s), yl)
			return m
		},
		"varying intercepts": func() *pm.Model {
			m := pm.NewModel()
			muA := m.Var("mu_a", pm.Normal(0, 10))
			sA := m.Var("sigma_a", pm.HalfNormal(5))
			a := m.Var("a", pm.Normal(muA, sA), pm.Shape(7))
			b := m.Var("b", pm.Normal(0, 10))
			s := m.Var("sigma", pm.LogNormal(0, 1))
			m.Observe("y", pm.Normal(a.Index(group).Add(b.Mul(x1)), s), yl)
			return m
		},
	}
}

// Both gradient modes of gorgonia agree with vm's log-density and gradient on the tutorial
// models at 20 random points to 1e-10 relative (absolute for gradient coordinates below 1e-3
// of the largest).
func TestTutorialModelsOnGorgonia(t *testing.T) {
	for name, build := range tutorialModels() {
		m := build()
		ref, err := m.Compile(pm.Backend("vm"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p0, err := m.InitialPoint()
		if err != nil {
			t.Fatal(err)
		}
		x0, err := ref.Flatten(p0)
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(11, uint64(len(name))))
		for _, be := range []string{"gorgonia", "gorgonia-ad"} {
			ld, err := m.Compile(pm.Backend(be))
			if err != nil {
				t.Errorf("%s on %s: %v", name, be, err)
				continue
			}
			if ld.Backend() != be {
				t.Errorf("%s: compiled on %s, want %s", name, ld.Backend(), be)
			}
			for k := 0; k < 20; k++ {
				x := make([]float64, len(x0))
				for j := range x {
					x[j] = x0[j] + 4*r.Float64() - 2
				}
				gv, gg := make([]float64, len(x)), make([]float64, len(x))
				lv, lg := ref.LogpGrad(x, gv), ld.LogpGrad(x, gg)
				if !(math.Abs(lv-lg) <= 1e-10*math.Abs(lv)) {
					t.Errorf("%s on %s: logp %v, vm %v", name, be, lg, lv)
				}
				scale := 0.0
				for _, v := range gv {
					scale = math.Max(scale, math.Abs(v))
				}
				for j := range gv {
					if !(math.Abs(gv[j]-gg[j]) <= 1e-10*math.Max(math.Abs(gv[j]), 1e-3*scale)) {
						t.Errorf("%s on %s: gradient[%d] %v, vm %v", name, be, j, gg[j], gv[j])
						break
					}
				}
			}
		}
	}
}

// A model with an op gorgonia lacks fails to compile there, naming the op and the backends
// that can run it, and samples on vm.
func TestUncoveredModelOnGorgonia(t *testing.T) {
	m := pm.NewModel()
	a := m.Var("a", pm.Exponential(1))
	m.Observe("y", pm.Gamma(a, 1), []float64{0.5, 1.2, 2})
	_, err := m.Compile(pm.Backend("gorgonia"))
	var unc *gorgonia.UncoveredError
	if !errors.As(err, &unc) {
		t.Fatalf("got %v, want an UncoveredError", err)
	}
	if unc.Op != "gammaln" || !strings.Contains(err.Error(), "vm") {
		t.Errorf("error: %v", err)
	}
	if _, err := m.Compile(pm.Backend("vm")); err != nil {
		t.Errorf("on vm: %v", err)
	}
}

// PM_BACKEND selects gorgonia for a model compiled without a backend.
func TestGorgoniaByEnvironment(t *testing.T) {
	t.Setenv("PM_BACKEND", "gorgonia-ad")
	m := pm.NewModel()
	m.Var("x", pm.Normal(0, 1))
	ld, err := m.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if ld.Backend() != "gorgonia-ad" {
		t.Errorf("backend %s", ld.Backend())
	}
	g := make([]float64, 1)
	if lp := ld.LogpGrad([]float64{0.5}, g); math.Abs(lp-(-0.125-0.5*math.Log(2*math.Pi))) > 1e-14 || g[0] != -0.5 {
		t.Errorf("logp %v, gradient %v", lp, g)
	}
}
