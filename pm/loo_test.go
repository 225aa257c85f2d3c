package pm_test

import (
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/diag"
)

func normLogpdf(x, mu, sigma float64) float64 {
	z := (x - mu) / sigma
	return -0.5*z*z - math.Log(sigma) - 0.5*math.Log(2*math.Pi)
}

func TestComputeLogLikelihoodClosedForm(t *testing.T) {
	y := []float64{0.3, -1.2, 2.5, 0.9}
	m := pm.NewModel()
	mu := m.Var("mu", pm.Normal(0, 3))
	sigma := m.Var("sigma", pm.HalfNormal(2))
	m.Observe("y", pm.Normal(mu, sigma), y)
	// A second observed variable, multivariate: one term per row.
	z := [][]float64{{1, 2}, {0.5, -1}, {0, 0}}
	cov := [][]float64{{1, 0.3}, {0.3, 2}}
	m.Observe("z", pm.MvNormal(pm.Stack(0, mu, mu), cov), z)
	tr, err := m.Sample(pm.Draws(50), pm.Tune(50), pm.Chains(2), pm.Seed(3), pm.StoreLogLikelihood())
	if err != nil {
		t.Fatal(err)
	}
	ly, lz := tr.LogLikelihoodVar("y"), tr.LogLikelihoodVar("z")
	if ly == nil || lz == nil {
		t.Fatalf("log-likelihood vars %v", tr.LogLikelihood)
	}
	if len(ly.Shape) != 1 || ly.Shape[0] != 4 || len(lz.Shape) != 1 || lz.Shape[0] != 3 {
		t.Fatalf("shapes y %v z %v (want [4] and [3]: one term per MvNormal row)", ly.Shape, lz.Shape)
	}
	det := 1*2 - 0.3*0.3
	inv := [2][2]float64{{2 / det, -0.3 / det}, {-0.3 / det, 1 / det}}
	for c := range 2 {
		for d := range 50 {
			muv, sv := tr.Var("mu").Draws[c][d][0], tr.Var("sigma").Draws[c][d][0]
			for i, yi := range y {
				if got, want := ly.Draws[c][d][i], normLogpdf(yi, muv, sv); math.Abs(got-want) > 1e-12*math.Abs(want) {
					t.Fatalf("y[%d] at chain %d draw %d: %v, want %v", i, c, d, got, want)
				}
			}
			for i, zi := range z {
				a, b := zi[0]-muv, zi[1]-muv
				q := a*a*inv[0][0] + 2*a*b*inv[0][1] + b*b*inv[1][1]
				want := -0.5*q - 0.5*math.Log(det) - math.Log(2*math.Pi)
				if got := lz.Draws[c][d][i]; math.Abs(got-want) > 1e-10*math.Abs(want) {
					t.Fatalf("z row %d: %v, want %v", i, got, want)
				}
			}
		}
	}
	if got := tr.ObservedData["y"]; len(got) != 4 || got[2] != 2.5 {
		t.Errorf("observed data %v", got)
	}
	// Several observed variables: LOO must be told which.
	if _, err := pm.LOO(tr); err == nil || !strings.Contains(err.Error(), "pm.LogLikVar") {
		t.Errorf("LOO with two observed variables: %v", err)
	}
	if r, err := pm.LOO(tr, pm.LogLikVar("z")); err != nil || r.NObs != 3 {
		t.Errorf("LOO of z: %v %v", r, err)
	}
	if _, err := pm.LOO(tr, pm.LogLikVar("w")); err == nil || !strings.Contains(err.Error(), `"w"`) {
		t.Errorf("unknown variable: %v", err)
	}
}

// The pass over the draws allocates nothing: the allocations of ComputeLogLikelihood do not
// grow with the number of draws.
func TestComputeLogLikelihoodNoPerDrawAllocation(t *testing.T) {
	m := pm.NewModel()
	mu := m.Var("mu", pm.Normal(0, 3))
	x := make([]float64, 200)
	for i := range x {
		x[i] = float64(i % 7)
	}
	m.Observe("y", pm.Normal(mu, 1), x)
	allocs := func(draws int) float64 {
		tr := &pm.Trace{Vars: []*pm.TraceVar{{Name: "mu", Draws: [][][]float64{make([][]float64, draws)}}}}
		for d := range draws {
			tr.Vars[0].Draws[0][d] = []float64{float64(d) / 100}
		}
		return testing.AllocsPerRun(3, func() {
			if err := pm.ComputeLogLikelihood(tr, m); err != nil {
				t.Fatal(err)
			}
		})
	}
	a100, a2000 := allocs(100), allocs(2000)
	if a2000 != a100 {
		t.Errorf("allocations grow with draws: %v for 100 draws, %v for 2000", a100, a2000)
	}
}

func TestLOOErrors(t *testing.T) {
	if _, err := pm.LOO(&pm.Trace{}); err == nil || !strings.Contains(err.Error(), "ComputeLogLikelihood") {
		t.Errorf("no log-likelihood: %v", err)
	}
	if _, err := pm.LOO(nil); err == nil {
		t.Error("nil trace accepted")
	}
	m := pm.NewModel()
	m.Var("mu", pm.Normal(0, 1))
	if err := pm.ComputeLogLikelihood(&pm.Trace{Vars: []*pm.TraceVar{{Name: "mu", Draws: [][][]float64{{{0}}}}}}, m); err == nil || !strings.Contains(err.Error(), "no observed") {
		t.Errorf("model without observed variables: %v", err)
	}
	m.Observe("y", pm.Normal(m.Get("mu"), 1), []float64{1, 2})
	if err := pm.ComputeLogLikelihood(&pm.Trace{Vars: []*pm.TraceVar{{Name: "nu", Draws: [][][]float64{{{0}}}}}}, m); err == nil || !strings.Contains(err.Error(), `"mu"`) {
		t.Errorf("trace without the free variable: %v", err)
	}
	// Different observations.
	a := &pm.Trace{LogLikelihood: []*pm.TraceVar{{Name: "y", Shape: []int{3}, Draws: [][][]float64{{{0, 0, 0}, {1, 1, 1}}}}}}
	b := &pm.Trace{LogLikelihood: []*pm.TraceVar{{Name: "y", Shape: []int{2}, Draws: [][][]float64{{{0, 0}, {1, 1}}}}}}
	if _, err := pm.Compare(map[string]*pm.Trace{"a": a, "b": b}); err == nil || !strings.Contains(err.Error(), "same data") {
		t.Errorf("different observations: %v", err)
	}
	// An impossible observation at some draws.
	inf := &pm.Trace{LogLikelihood: []*pm.TraceVar{{Name: "y", Shape: []int{3}, Draws: [][][]float64{make([][]float64, 40)}}}}
	for d := range 40 {
		inf.LogLikelihood[0].Draws[0][d] = []float64{-1 - 0.01*float64(d), -2, -1}
	}
	inf.LogLikelihood[0].Draws[0][5][1] = math.Inf(-1)
	for name, f := range map[string]func(*pm.Trace, ...pm.ELPDOption) (*pm.ELPD, error){"LOO": pm.LOO, "WAIC": pm.WAIC} {
		if _, err := f(inf); err == nil || !strings.Contains(err.Error(), "observation 1 ") {
			t.Errorf("%s with -Inf: %v", name, err)
		}
	}
	if _, err := pm.Compare(map[string]*pm.Trace{"a": a}); err == nil {
		t.Error("one model accepted")
	}
	if _, err := pm.Compare(map[string]*pm.Trace{"a": a, "b": a}, pm.CompareMethod("bma")); err == nil || !strings.Contains(err.Error(), "bma") {
		t.Errorf("unknown method: %v", err)
	}
}

// A regression with one gross outlier: its Pareto k exceeds 0.7 and the warning names it.
func TestLOOInfluentialObservation(t *testing.T) {
	x, y := outlierData()
	tr, err := outlierModel(x, y).Sample(pm.Draws(1000), pm.Tune(1000), pm.Chains(4), pm.Seed(12), pm.StoreLogLikelihood())
	if err != nil {
		t.Fatal(err)
	}
	loo, err := pm.LOO(tr)
	if err != nil {
		t.Fatal(err)
	}
	if k := loo.ParetoK[outlierIndex]; !(k > 0.7) {
		t.Errorf("k of the outlier %.3f, want > 0.7", k)
	}
	for i, k := range loo.ParetoK {
		if i != outlierIndex && k > 0.7 {
			t.Errorf("k of ordinary observation %d is %.3f", i, k)
		}
	}
	if !loo.Warning || len(loo.Warnings) == 0 || !strings.Contains(loo.Warnings[0], "observations 17 ") {
		t.Errorf("warnings %q", loo.Warnings)
	}
	if s := loo.String(); !strings.Contains(s, "(0.70, 1]") && !strings.Contains(s, "(1, Inf)") {
		t.Errorf("printed table has no bad-k rows:\n%s", s)
	}
	if h := loo.HTML(); !strings.Contains(h, "<table") || !strings.Contains(h, "Warning") {
		t.Errorf("HTML %s", h)
	}
}

// A correct model against a clearly wrong one (the linear regression without its predictors):
// the ranking is right and stacking puts almost all the weight on the correct model.
func TestCompareRightVsWrong(t *testing.T) {
	var right, wrong looModel
	for _, lm := range looModels(t) {
		switch lm.name {
		case "linreg":
			right = lm
		case "linreg_x0":
			wrong = lm
		}
	}
	traces := map[string]*pm.Trace{}
	for _, lm := range []looModel{right, wrong} {
		tr, err := lm.build().Sample(pm.Draws(1000), pm.Tune(1000), pm.Chains(4), pm.Seed(21), pm.StoreLogLikelihood())
		if err != nil {
			t.Fatal(err)
		}
		traces[lm.name] = tr
	}
	for _, method := range []string{"stacking", "BB-pseudo-BMA", "pseudo-BMA"} {
		cmp, err := pm.Compare(traces, pm.CompareMethod(method))
		if err != nil {
			t.Fatal(err)
		}
		if cmp.Rows[0].Name != "linreg" || cmp.Rows[1].Name != "linreg_x0" {
			t.Fatalf("%s: ranking %s, %s", method, cmp.Rows[0].Name, cmp.Rows[1].Name)
		}
		if w := cmp.Rows[0].Weight; w < 0.99 {
			t.Errorf("%s: weight of the right model %.4f", method, w)
		}
		if d := cmp.Rows[1]; !(d.ELPDDiff > 4*d.DSE) {
			t.Errorf("elpd difference %.1f ± %.1f not clear", d.ELPDDiff, d.DSE)
		}
		if s := cmp.String(); !strings.Contains(s, "elpd_diff") || !strings.Contains(s, "linreg_x0") {
			t.Errorf("table:\n%s", s)
		}
		if h := cmp.HTML(); !strings.Contains(h, "<th>linreg</th>") {
			t.Errorf("HTML %s", h)
		}
	}
	cmp, err := pm.Compare(traces, pm.IC("waic"))
	if err != nil || cmp.Rows[0].Name != "linreg" || cmp.Columns()[1] != "elpd_waic" {
		t.Errorf("WAIC compare: %v %v", cmp, err)
	}
}

// Stacking weights on synthetic pointwise values: two complementary models (each good on half
// the data) share the weight; the optimum's gradient condition holds.
func TestStackingWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	n := 200
	p := [][]float64{make([]float64, n), make([]float64, n), make([]float64, n)}
	for i := range n {
		good, bad := -1+0.1*rng.NormFloat64(), -3+0.1*rng.NormFloat64()
		if i < n*3/4 {
			p[0][i], p[1][i] = good, bad
		} else {
			p[0][i], p[1][i] = bad, good
		}
		p[2][i] = -5 // dominated everywhere
	}
	w := pm.StackingWeights(p)
	if math.Abs(w[0]+w[1]+w[2]-1) > 1e-12 || w[2] > 1e-6 {
		t.Fatalf("weights %v", w)
	}
	// KKT: ∂/∂w_k Σ log Σ w_j e^{p_ji} = n for models with positive weight, ≤ n otherwise.
	for k := range 3 {
		g := 0.0
		for i := range n {
			s := 0.0
			for j := range 3 {
				s += w[j] * math.Exp(p[j][i])
			}
			g += math.Exp(p[k][i]) / s
		}
		if w[k] > 1e-6 && math.Abs(g-float64(n)) > 1e-6*float64(n) {
			t.Errorf("model %d: gradient %.9f, want %d", k, g, n)
		}
		if w[k] <= 1e-6 && g > float64(n)*(1+1e-9) {
			t.Errorf("model %d at zero weight has gradient %.6f > n", k, g)
		}
	}
	if !(w[0] > 0.6 && w[0] < 0.9) {
		t.Errorf("weight of the model good on 3/4 of the data %.3f", w[0])
	}
	pb := pm.PseudoBMAWeights(p)
	if !(pb[0] > 0.999) {
		t.Errorf("pseudo-BMA %v", pb)
	}
}

// LOO-PIT of a correct model is uniform: a Kolmogorov-Smirnov test at the 0.1% level.
func TestLOOPITUniformForCorrectModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	n := 150
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
		y[i] = 0.5 + 1.5*x[i] + 0.8*rng.NormFloat64()
	}
	m := pm.NewModel()
	a := m.Var("a", pm.Normal(0, 5))
	b := m.Var("b", pm.Normal(0, 5))
	s := m.Var("s", pm.HalfNormal(2))
	m.Observe("y", pm.Normal(a.Add(b.Mul(x)), s), y)
	tr, err := m.Sample(pm.Draws(500), pm.Tune(500), pm.Chains(4), pm.Seed(2), pm.StoreLogLikelihood())
	if err != nil {
		t.Fatal(err)
	}
	pred, err := pm.SamplePosteriorPredictive(m, tr, 5)
	if err != nil {
		t.Fatal(err)
	}
	pit, err := pm.LOOPIT(tr, pred)
	if err != nil {
		t.Fatal(err)
	}
	sorted := append([]float64(nil), pit...)
	sort.Float64s(sorted)
	d := 0.0
	for i, v := range sorted {
		d = max(d, math.Abs(float64(i+1)/float64(n)-v), math.Abs(v-float64(i)/float64(n)))
	}
	if crit := 1.95 / math.Sqrt(float64(n)); d > crit {
		t.Errorf("KS distance of LOO-PIT from uniform %.3f > %.3f", d, crit)
	}
	// A predictive trace of another shape is refused.
	if _, err := pm.LOOPIT(tr, &pm.Trace{Vars: []*pm.TraceVar{{Name: "y", Shape: []int{n}, Draws: [][][]float64{{make([]float64, n)}}}}}); err == nil {
		t.Error("mismatched predictive trace accepted")
	}
}

// r_eff of independent draws is about 1; of strongly autocorrelated ones, much less.
func TestRelativeEff(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	iid := make([][]float64, 4)
	ar := make([][]float64, 4)
	for c := range 4 {
		z := 0.0
		for range 1000 {
			iid[c] = append(iid[c], rng.NormFloat64())
			z = 0.9*z + rng.NormFloat64()
			ar[c] = append(ar[c], z)
		}
	}
	if r := diag.RelativeEff(iid); math.Abs(r-1) > 0.1 {
		t.Errorf("r_eff of iid draws %.3f", r)
	}
	// AR(1) with φ = 0.9: ESS/S ≈ (1−φ)/(1+φ) = 0.053.
	if r := diag.RelativeEff(ar); r < 0.03 || r > 0.09 {
		t.Errorf("r_eff of AR(1) draws %.3f", r)
	}
}

// The log-likelihood survives SaveJSON and LoadJSON, and LOO gives the same numbers after.
func TestLogLikelihoodSavedWithTrace(t *testing.T) {
	x, y := outlierData()
	tr, err := outlierModel(x, y).Sample(pm.Draws(200), pm.Tune(200), pm.Chains(2), pm.Seed(4), pm.StoreLogLikelihood())
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/trace.json"
	if err := tr.SaveJSON(path); err != nil {
		t.Fatal(err)
	}
	back, err := pm.LoadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	a, err1 := pm.LOO(tr)
	b, err2 := pm.LOO(back)
	if err1 != nil || err2 != nil || a.ELPD != b.ELPD || a.ParetoK[3] != b.ParetoK[3] {
		t.Errorf("LOO before %v (%v), after %v (%v)", a, err1, b, err2)
	}
	if back.ObservedData["y"][outlierIndex] != y[outlierIndex] {
		t.Errorf("observed data not restored: %v", back.ObservedData)
	}
}
