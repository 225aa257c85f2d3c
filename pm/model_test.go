package pm_test

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/dist"
	"github.com/gopm-dev/gopm/pm/internal/benchutil"
	"github.com/gopm-dev/gopm/pm/tensor"
)

type linregData struct {
	N      int
	X1, X2 []float64
	Y      []float64 `json:"y"`
}

func loadLinreg(t testing.TB) linregData {
	b, err := os.ReadFile("testdata/linreg.json")
	if err != nil {
		t.Fatal(err)
	}
	var d linregData
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// linregModel is the motivating example.
func linregModel(d linregData) *pm.Model {
	m := pm.NewModel()
	alpha := m.Var("alpha", pm.Normal(0, 10))
	beta := m.Var("beta", pm.Normal(0, 10), pm.Shape(2))
	sigma := m.Var("sigma", pm.HalfNormal(1))
	mu := alpha.Add(beta.At(0).Mul(d.X1)).Add(beta.At(1).Mul(d.X2))
	m.Observe("Y", pm.Normal(mu, sigma), d.Y)
	return m
}

// linregMode computes the exact posterior mode independently: given sigma, the coefficients
// are a ridge solution (prior N(0, 10²)); given the coefficients, sigma solves
// s⁴ + N s² − RSS = 0 (HalfNormal(1) prior, no Jacobian). Alternate to convergence.
func linregMode(d linregData) (alpha, b1, b2, sigma float64) {
	sigma = 1
	for it := 0; it < 500; it++ {
		lam := sigma * sigma / 100
		// Normal equations of [1 X1 X2] with ridge lam on every coefficient.
		var A [3][4]float64
		for i := 0; i < d.N; i++ {
			row := [3]float64{1, d.X1[i], d.X2[i]}
			for r := 0; r < 3; r++ {
				for c := 0; c < 3; c++ {
					A[r][c] += row[r] * row[c]
				}
				A[r][3] += row[r] * d.Y[i]
			}
		}
		for r := 0; r < 3; r++ {
			A[r][r] += lam
		}
		for p := 0; p < 3; p++ { // Gauss-Jordan
			for r := 0; r < 3; r++ {
				if r == p {
					continue
				}
				f := A[r][p] / A[p][p]
				for c := p; c < 4; c++ {
					A[r][c] -= f * A[p][c]
				}
			}
		}
		alpha, b1, b2 = A[0][3]/A[0][0], A[1][3]/A[1][1], A[2][3]/A[2][2]
		rss := 0.0
		for i := 0; i < d.N; i++ {
			r := d.Y[i] - alpha - b1*d.X1[i] - b2*d.X2[i]
			rss += r * r
		}
		n := float64(d.N)
		sigma = math.Sqrt((-n + math.Sqrt(n*n+4*rss)) / 2)
	}
	return
}

func TestLinregMAP(t *testing.T) {
	d := loadLinreg(t)
	m := linregModel(d)
	res, err := pm.FindMAP(m)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Converged {
		t.Errorf("not converged: %s", res.Status)
	}
	a, b1, b2, s := linregMode(d)
	want := map[string][]float64{"alpha": {a}, "beta": {b1, b2}, "sigma": {s}}
	for k, w := range want {
		got := res.Point[k]
		for i := range w {
			if math.Abs(got[i]-w[i]) > 1e-5 {
				t.Errorf("%s[%d] = %.8f, want %.8f", k, i, got[i], w[i])
			}
		}
	}
	// The posterior is nearly Gaussian, so the mode is near Stan's posterior means
	// (bench/results/stan.json: alpha 0.949, beta [0.962, 1.992], sd 0.098, 0.117, 0.483).
	if math.Abs(a-0.949) > 0.01 || math.Abs(b1-0.962) > 0.01 || math.Abs(b2-1.992) > 0.02 {
		t.Errorf("MAP far from Stan's posterior means: %v", res.Point)
	}
	if _, ok := res.Values["sigma_log__"]; !ok {
		t.Errorf("value variables missing: %v", res.Values)
	}
}

func TestInitialPointAndTerms(t *testing.T) {
	d := loadLinreg(t)
	m := linregModel(d)
	p, err := m.InitialPoint()
	if err != nil {
		t.Fatal(err)
	}
	if len(p["alpha"]) != 1 || len(p["beta"]) != 2 || len(p["sigma_log__"]) != 1 {
		t.Fatalf("initial point %v", p)
	}
	terms, err := m.LogpTerms(p)
	if err != nil {
		t.Fatal(err)
	}
	// alpha = 0 under N(0, 10): -log(10) - log(2π)/2.
	if w := -math.Log(10) - 0.5*math.Log(2*math.Pi); math.Abs(terms["alpha"]-w) > 1e-12 {
		t.Errorf("alpha term %v, want %v", terms["alpha"], w)
	}
	// The total equals the compiled density at the same point.
	ld, err := m.Compile()
	if err != nil {
		t.Fatal(err)
	}
	x, err := ld.Flatten(p)
	if err != nil {
		t.Fatal(err)
	}
	total, err := m.Logp(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := ld.Logp(x); math.Abs(got-total) > 1e-9*math.Abs(total) {
		t.Errorf("compiled logp %v, terms sum %v", got, total)
	}
	// The gradient matches central differences.
	g := make([]float64, ld.Dim())
	ld.LogpGrad(x, g)
	for i := range x {
		h := 1e-6
		xp := append([]float64(nil), x...)
		xm := append([]float64(nil), x...)
		xp[i] += h
		xm[i] -= h
		num := (ld.Logp(xp) - ld.Logp(xm)) / (2 * h)
		if math.Abs(num-g[i]) > 1e-4*math.Max(1, math.Abs(num)) {
			t.Errorf("grad[%d] = %v, finite differences %v", i, g[i], num)
		}
	}
}

// The black-box line fit: m, b and log s with uniform priors on [-5, 5]; the likelihood is a
// plain Go function with its gradient. Its MAP equals the same model written with pm.Normal.
func TestBlackBoxLineFit(t *testing.T) {
	x := make([]float64, 50)
	y := make([]float64, 50)
	for i := range x {
		x[i] = float64(i)/10 - 2
		y[i] = 0.8*x[i] - 0.4 + 0.5*math.Sin(float64(7*i))
	}
	loglike := func(th []float64) float64 {
		m, b, s := th[0], th[1], math.Exp(th[2])
		lp := 0.0
		for i := range x {
			r := (y[i] - m*x[i] - b) / s
			lp += -0.5*r*r - math.Log(s) - 0.5*math.Log(2*math.Pi)
		}
		return lp
	}
	grad := func(th, g []float64) {
		m, b, s := th[0], th[1], math.Exp(th[2])
		g[0], g[1], g[2] = 0, 0, 0
		for i := range x {
			r := y[i] - m*x[i] - b
			g[0] += r * x[i] / (s * s)
			g[1] += r / (s * s)
			g[2] += r*r/(s*s) - 1
		}
	}
	bb := pm.NewModel()
	m1 := bb.Var("m", pm.Uniform(-5, 5))
	b1 := bb.Var("b", pm.Uniform(-5, 5))
	s1 := bb.Var("logs", pm.Uniform(-5, 5))
	bb.BlackBox("likelihood", []*tensor.Tensor{m1, b1, s1}, loglike, grad)
	r1, err := pm.FindMAP(bb)
	if err != nil {
		t.Fatal(err)
	}
	pl := pm.NewModel()
	m2 := pl.Var("m", pm.Uniform(-5, 5))
	b2 := pl.Var("b", pm.Uniform(-5, 5))
	s2 := pl.Var("logs", pm.Uniform(-5, 5))
	pl.Observe("y", pm.Normal(m2.Mul(x).Add(b2), pm.Exp(s2)), y)
	r2, err := pm.FindMAP(pl)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"m", "b", "logs"} {
		if math.Abs(r1.Point[k][0]-r2.Point[k][0]) > 1e-5 {
			t.Errorf("%s: black box %v, pm.Normal %v", k, r1.Point[k][0], r2.Point[k][0])
		}
	}
	// A wrong gradient is caught at construction, naming the component.
	bad := pm.NewModel()
	mb := bad.Var("m", pm.Uniform(-5, 5))
	bbv := bad.Var("b", pm.Uniform(-5, 5))
	sb := bad.Var("logs", pm.Uniform(-5, 5))
	err = pm.Catch(func() {
		bad.BlackBox("likelihood", []*tensor.Tensor{mb, bbv, sb}, loglike, func(th, g []float64) {
			grad(th, g)
			g[1] *= 2
		})
	})
	if err == nil || !strings.Contains(err.Error(), "component 1 of the gradient") {
		t.Errorf("wrong gradient not reported: %v", err)
	}
	// Without a gradient the model compiles and says why it has none.
	ng := pm.NewModel()
	mn := ng.Var("m", pm.Uniform(-5, 5))
	ng.BlackBox("likelihood", []*tensor.Tensor{mn, tensor.Const(0.0), tensor.Const(0.0)}, loglike, nil)
	ld, err := ng.Compile()
	if err != nil {
		t.Fatal(err)
	}
	if ld.HasGrad() || !strings.Contains(ld.NoGradReason(), "no gradient function") {
		t.Errorf("HasGrad %v, reason %q", ld.HasGrad(), ld.NoGradReason())
	}
}

// TestModelErrors lists each model-building mistake with the exact message it gets.
func TestModelErrors(t *testing.T) {
	cases := []struct {
		name  string
		build func(m *pm.Model)
		want  string
	}{
		{"negative sd", func(m *pm.Model) { m.Var("x", pm.Normal(0, -1)) },
			`pm: Var "x": Normal: sigma is -1, but must be positive`},
		{"p above one", func(m *pm.Model) { m.Observe("y", pm.Bernoulli(1.5), []float64{0, 1}) },
			`pm: Observe "y": Bernoulli: p is 1.5, but must be in [0, 1]`},
		{"nan data", func(m *pm.Model) { m.Observe("y", pm.Normal(0, 1), []float64{1, math.NaN(), 3}) },
			`pm: Observe "y": the data contain NaN at index 1 (missing values are not supported; drop them)`},
		{"data outside support", func(m *pm.Model) { m.Observe("y", pm.Poisson(3), []float64{1, 2, -1}) },
			`pm: Observe "y": the data value -1 at index 2 is outside the support of Poisson (integers in [0, inf])`},
		{"shape mismatch", func(m *pm.Model) {
			mu := m.Var("mu", pm.Normal(0, 1), pm.Shape(3))
			m.Observe("y", pm.Normal(mu, 1), []float64{1, 2, 3, 4})
		}, `pm: Observe "y": the distribution's shape [3] does not fit the data's shape [4]: dimension 0 is 3 but must be 4 or 1`},
		{"duplicate name", func(m *pm.Model) {
			m.Var("x", pm.Normal(0, 1))
			m.Var("x", pm.Normal(0, 1))
		}, `pm: Var "x": a variable of that name already exists (names must be unique)`},
		{"shape option", func(m *pm.Model) { m.Var("x", pm.Normal([]float64{0, 0}, 1), pm.Shape(3)) },
			`pm: Var "x": the distribution's shape [2] does not fit the variable's shape [3]: dimension 0 is 2 but must be 3 or 1`},
	}
	for _, c := range cases {
		m := pm.NewModel()
		err := pm.Catch(func() { c.build(m) })
		if err == nil || err.Error() != c.want {
			t.Errorf("%s:\n got %v\nwant %s", c.name, err, c.want)
		}
	}
}

// TestInitialPointNotFinite: the error names every term that is not finite.
func TestInitialPointNotFinite(t *testing.T) {
	m := pm.NewModel()
	mu := m.Var("mu", pm.Normal(0, 1))
	m.Var("x", pm.Normal(0, 1))
	m.Observe("y", pm.Uniform(mu.Sub(0.5), mu.Add(0.5)), []float64{0.2, 3})
	_, err := pm.FindMAP(m)
	want := "pm: FindMAP: the log-density at the starting point is not finite: y: -Inf (starting values {mu: 0, x: 0})"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v", err)
	}
}

func BenchmarkLinregLogpGrad(b *testing.B) {
	d := loadLinreg(b)
	ld, err := linregModel(d).Compile()
	if err != nil {
		b.Fatal(err)
	}
	x := []float64{0.9, 1.1, 2.4, 0.05}
	g := make([]float64, 4)
	ld.LogpGrad(x, g)
	benchutil.Loop(b, func() { ld.LogpGrad(x, g) })
}

// A black box as an observed likelihood: CustomDist whose log-density is a BlackBoxOp over the
// observed values and the parameters. Same MAP as pm.Normal.
func TestBlackBoxObserved(t *testing.T) {
	y := []float64{1.2, 0.7, 2.1, 1.6, 0.9}
	normal := func(x []float64) float64 { // x = data..., mu, log s
		n := len(x) - 2
		mu, s := x[n], math.Exp(x[n+1])
		lp := 0.0
		for _, v := range x[:n] {
			r := (v - mu) / s
			lp += -0.5*r*r - math.Log(s) - 0.5*math.Log(2*math.Pi)
		}
		return lp
	}
	grad := func(x, g []float64) {
		n := len(x) - 2
		mu, s := x[n], math.Exp(x[n+1])
		for i := range g {
			g[i] = 0
		}
		for i, v := range x[:n] {
			r := (v - mu) / s
			g[i] = -r / s
			g[n] += r / s
			g[n+1] += r*r - 1
		}
	}
	bb := pm.NewModel()
	mu := bb.Var("mu", pm.Normal(0, 10))
	logs := bb.Var("logs", pm.Normal(0, 2))
	like := pm.CustomDist("BlackBoxNormal", func(v *tensor.Tensor, p []*tensor.Tensor) *tensor.Tensor {
		return pm.BlackBoxOp("normal", normal, grad, v, p[0], p[1])
	}, []any{mu, logs})
	bb.Observe("y", like, y)
	r1, err := pm.FindMAP(bb)
	if err != nil {
		t.Fatal(err)
	}
	pl := pm.NewModel()
	mu2 := pl.Var("mu", pm.Normal(0, 10))
	logs2 := pl.Var("logs", pm.Normal(0, 2))
	pl.Observe("y", pm.Normal(mu2, pm.Exp(logs2)), y)
	r2, err := pm.FindMAP(pl)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"mu", "logs"} {
		if math.Abs(r1.Point[k][0]-r2.Point[k][0]) > 1e-5 {
			t.Errorf("%s: black box %v, pm.Normal %v", k, r1.Point[k][0], r2.Point[k][0])
		}
	}
}

func TestInitval(t *testing.T) {
	m := pm.NewModel()
	m.Var("x", pm.Normal(0, 1), pm.Initval(2.0))
	m.Var("s", pm.HalfNormal(1), pm.Initval(3.0))
	m.Var("v", pm.Normal(0, 1), pm.Shape(3), pm.Initval(0.5))
	p, err := m.InitialPoint()
	if err != nil {
		t.Fatal(err)
	}
	if p["x"][0] != 2 || math.Abs(p["s_log__"][0]-math.Log(3)) > 1e-15 || len(p["v"]) != 3 || p["v"][2] != 0.5 {
		t.Errorf("initial point %v", p)
	}
	err = pm.Catch(func() { m.Var("bad", pm.HalfNormal(1), pm.Initval(-1.0)) })
	want := `pm: Var "bad": initial value -1 (index 0) is outside the support (x > 0)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if m.Lookup("bad") != nil {
		t.Error("a rejected variable stays in the model")
	}
}

// An ordered vector started at its distribution's mean would have equal elements, log(0) in
// unconstrained space: the initial point spreads it (and leaves a user's Initval alone).
func TestOrderedStartsInsideItsDomain(t *testing.T) {
	m := pm.NewModel()
	m.Var("mu", pm.Normal(0, 5), pm.Shape(3), pm.WithTransform(dist.Ordered()))
	m.Var("sd", pm.HalfNormal(1), pm.Shape(2), pm.WithTransform(dist.PositiveOrdered()))
	m.Var("given", pm.Normal(0, 5), pm.Shape(2), pm.WithTransform(dist.Ordered()), pm.Initval([]float64{-2, 3}))
	p, err := m.InitialPoint()
	if err != nil {
		t.Fatal(err)
	}
	lp, err := m.Logp(p)
	if err != nil || math.IsInf(lp, 0) || math.IsNaN(lp) {
		t.Fatalf("logp at the initial point %v: %v, %v", p, lp, err)
	}
	// mu starts at [-1, 0, 1]: unconstrained [-1, log 1, log 1].
	want := map[string][]float64{"mu_ordered__": {-1, 0, 0}, "given_ordered__": {-2, math.Log(5)}}
	for name, w := range want {
		for i, v := range p[name] {
			if math.Abs(v-w[i]) > 1e-12 {
				t.Errorf("%s = %v, want %v", name, p[name], w)
				break
			}
		}
	}
	tr, err := m.Sample(pm.Draws(200), pm.Tune(300), pm.Chains(1), pm.Seed(1))
	if err != nil {
		t.Fatal(err)
	}
	for i, draw := range tr.Var("sd").Draws[0] {
		if mu := tr.Var("mu").Draws[0][i]; !(mu[1] > mu[0] && mu[2] > mu[1]) {
			t.Fatalf("mu draw %v is not increasing", mu)
		}
		if !(draw[0] > 0 && draw[1] > draw[0]) {
			t.Fatalf("sd draw %v is not positive and increasing", draw)
		}
	}
}
