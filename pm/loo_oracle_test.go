package pm_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// The oracle of this file is R's loo 2.5.1 (Debian's r-cran-loo): testdata/loo/oracle.R reads
// the draws that gopm sampled (testdata/loo/*_draws.csv, written by this file with
// GOPM_WRITE_LOO_DRAWS=1), computes the log-likelihood itself with R's dnorm and dpois, and
// writes loo's and waic's results (testdata/loo/*_oracle.csv) and loo_compare's and
// loo_model_weights's (testdata/loo/compare_*.csv). To regenerate:
//
//	GOPM_WRITE_LOO_DRAWS=1 go test ./pm -run TestLOOWriteDraws
//	Rscript pm/testdata/loo/oracle.R

const looDir = "testdata/loo"

// looModel is a model of the oracle tests with its data as columns for R.
type looModel struct {
	name  string
	seed  uint64
	build func() *pm.Model
	data  map[string][]float64
}

func readBench(t testing.TB, name string, v any) {
	b, err := os.ReadFile("../bench/data/" + name + ".json")
	if err != nil {
		t.Skip("no bench data:", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func looModels(t testing.TB) []looModel {
	var es struct {
		J     int
		Y     []float64 `json:"y"`
		Sigma []float64 `json:"sigma"`
	}
	readBench(t, "eight_schools_noncentered", &es)
	var lr struct {
		X1, X2 []float64
		Y      []float64 `json:"y"`
	}
	readBench(t, "linreg", &lr)
	var coal struct {
		T int
		D []float64
	}
	readBench(t, "coal_marginal", &coal)
	years := make([]float64, coal.T)
	for i := range years {
		years[i] = float64(i)
	}
	ox, oy := outlierData()
	return []looModel{
		{name: "eight_schools", seed: 1, data: map[string][]float64{"y": es.Y, "sigma": es.Sigma}, build: func() *pm.Model {
			m := pm.NewModel()
			mu := m.Var("mu", pm.Normal(0, 5))
			tau := m.Var("tau", pm.HalfCauchy(5))
			tt := m.Var("theta_tilde", pm.Normal(0, 1), pm.Shape(es.J))
			m.Observe("y", pm.Normal(mu.Add(tau.Mul(tt)), es.Sigma), es.Y)
			return m
		}},
		{name: "eight_schools_pooled", seed: 2, data: map[string][]float64{"y": es.Y, "sigma": es.Sigma}, build: func() *pm.Model {
			m := pm.NewModel()
			mu := m.Var("mu", pm.Normal(0, 5))
			m.Observe("y", pm.Normal(mu, es.Sigma), es.Y)
			return m
		}},
		{name: "linreg", seed: 3, data: map[string][]float64{"y": lr.Y, "x1": lr.X1, "x2": lr.X2}, build: func() *pm.Model {
			m := pm.NewModel()
			alpha := m.Var("alpha", pm.Normal(0, 10))
			beta := m.Var("beta", pm.Normal(0, 10), pm.Shape(2))
			sigma := m.Var("sigma", pm.HalfNormal(1))
			mu := alpha.Add(beta.At(0).Mul(lr.X1)).Add(beta.At(1).Mul(lr.X2))
			m.Observe("y", pm.Normal(mu, sigma), lr.Y)
			return m
		}},
		{name: "linreg_x1", seed: 4, data: map[string][]float64{"y": lr.Y, "x1": lr.X1}, build: func() *pm.Model {
			m := pm.NewModel()
			alpha := m.Var("alpha", pm.Normal(0, 10))
			beta := m.Var("beta", pm.Normal(0, 10))
			sigma := m.Var("sigma", pm.HalfNormal(1))
			m.Observe("y", pm.Normal(alpha.Add(beta.Mul(lr.X1)), sigma), lr.Y)
			return m
		}},
		{name: "linreg_x0", seed: 5, data: map[string][]float64{"y": lr.Y}, build: func() *pm.Model {
			m := pm.NewModel()
			alpha := m.Var("alpha", pm.Normal(0, 10))
			sigma := m.Var("sigma", pm.HalfNormal(1))
			m.Observe("y", pm.Normal(alpha, sigma), lr.Y)
			return m
		}},
		{name: "coal", seed: 6, data: map[string][]float64{"D": coal.D, "year": years}, build: func() *pm.Model {
			m := pm.NewModel()
			s := m.Var("s", pm.DiscreteUniform(0, coal.T-1))
			e := m.Var("e", pm.Exponential(1))
			l := m.Var("l", pm.Exponential(1))
			m.Observe("D", pm.Poisson(tensor.Switch(tensor.Lt(years, s), e, l)), coal.D)
			return m
		}},
		{name: "outlier", seed: 7, data: map[string][]float64{"y": oy, "x": ox}, build: func() *pm.Model {
			return outlierModel(ox, oy)
		}},
	}
}

// outlierData is a straight line with normal noise, and one gross outlier at index
// outlierIndex.
func outlierData() (x, y []float64) {
	rng := rand.New(rand.NewPCG(42, 7))
	for i := range 30 {
		xi := float64(i)/10 - 1.5
		x = append(x, xi)
		y = append(y, 1+2*xi+0.5*rng.NormFloat64())
	}
	y[outlierIndex] += 12
	return x, y
}

const outlierIndex = 17

func outlierModel(x, y []float64) *pm.Model {
	m := pm.NewModel()
	a := m.Var("a", pm.Normal(0, 10))
	b := m.Var("b", pm.Normal(0, 10))
	sigma := m.Var("sigma", pm.HalfNormal(5))
	m.Observe("y", pm.Normal(a.Add(b.Mul(x)), sigma), y)
	return m
}

// TestLOOWriteDraws samples the oracle models and writes their draws and data for oracle.R.
func TestLOOWriteDraws(t *testing.T) {
	if os.Getenv("GOPM_WRITE_LOO_DRAWS") == "" {
		t.Skip("set GOPM_WRITE_LOO_DRAWS=1 to resample the oracle models")
	}
	for _, lm := range looModels(t) {
		tr, err := lm.build().Sample(pm.Draws(1000), pm.Tune(1000), pm.Chains(4), pm.Seed(lm.seed))
		if err != nil {
			t.Fatal(lm.name, err)
		}
		for _, w := range tr.Warnings {
			t.Logf("%s: %s", lm.name, w)
		}
		if err := writeDrawsCSV(filepath.Join(looDir, lm.name+"_draws.csv"), tr); err != nil {
			t.Fatal(err)
		}
		var cols []string
		for k := range lm.data {
			cols = append(cols, k)
		}
		if err := writeColumns(filepath.Join(looDir, lm.name+"_data.csv"), lm.data); err != nil {
			t.Fatal(err)
		}
	}
}

func writeDrawsCSV(path string, tr *pm.Trace) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	head := []string{"chain", "draw"}
	for _, v := range tr.Vars {
		head = append(head, v.ComponentNames()...)
	}
	w.Write(head)
	for c := range tr.NChains() {
		for d := range tr.NDraws() {
			row := []string{strconv.Itoa(c), strconv.Itoa(d)}
			for _, v := range tr.Vars {
				for _, x := range v.Draws[c][d] {
					row = append(row, strconv.FormatFloat(x, 'g', -1, 64))
				}
			}
			w.Write(row)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeColumns(path string, cols map[string][]float64) error {
	var names []string
	for k := range cols {
		names = append(names, k)
	}
	// sorted for a stable file
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			if names[j] < names[i] {
				names[i], names[j] = names[j], names[i]
			}
		}
	}
	var b strings.Builder
	b.WriteString(strings.Join(names, ",") + "\n")
	for i := range cols[names[0]] {
		for j, n := range names {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatFloat(cols[n][i], 'g', -1, 64))
		}
		b.WriteByte('\n')
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// readDrawsCSV rebuilds a trace from a draws file (vectors and scalars only).
func readDrawsCSV(t testing.TB, path string) *pm.Trace {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skip("no oracle draws:", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := recs[0]
	tr := &pm.Trace{}
	col := map[string][]int{}
	var order []string
	for j, h := range head[2:] {
		base := h
		if k := strings.IndexByte(h, '['); k >= 0 {
			base = h[:k]
		}
		if _, ok := col[base]; !ok {
			order = append(order, base)
		}
		col[base] = append(col[base], j+2)
	}
	nc := 0
	for _, r := range recs[1:] {
		c, _ := strconv.Atoi(r[0])
		nc = max(nc, c+1)
	}
	for _, n := range order {
		v := &pm.TraceVar{Name: n, Draws: make([][][]float64, nc)}
		if strings.Contains(head[col[n][0]], "[") {
			v.Shape = []int{len(col[n])}
		}
		tr.Vars = append(tr.Vars, v)
	}
	for _, r := range recs[1:] {
		c, _ := strconv.Atoi(r[0])
		for k, n := range order {
			x := make([]float64, len(col[n]))
			for i, j := range col[n] {
				x[i], err = strconv.ParseFloat(r[j], 64)
				if err != nil {
					t.Fatal(err)
				}
			}
			tr.Vars[k].Draws[c] = append(tr.Vars[k].Draws[c], x)
		}
	}
	return tr
}

// readTable reads a CSV with a header into columns by name.
func readTable(t testing.TB, path string) map[string][]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skip("no oracle output:", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]float64{}
	for _, r := range recs[1:] {
		for j, h := range recs[0] {
			x, err := strconv.ParseFloat(r[j], 64)
			if err != nil {
				x = math.NaN()
			}
			out[h] = append(out[h], x)
		}
	}
	return out
}

func relClose(got, want, tol float64) bool {
	if math.IsInf(want, 0) || math.IsNaN(want) {
		return got == want || (math.IsNaN(got) && math.IsNaN(want))
	}
	return math.Abs(got-want) <= tol*math.Max(math.Abs(want), 1e-300) || math.Abs(got-want) < 1e-12
}

// looFromOracleDraws rebuilds the trace of an oracle model and computes its log-likelihood.
func looFromOracleDraws(t *testing.T, lm looModel) *pm.Trace {
	t.Helper()
	tr := readDrawsCSV(t, filepath.Join(looDir, lm.name+"_draws.csv"))
	if err := pm.ComputeLogLikelihood(tr, lm.build()); err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestLOOAgainstR(t *testing.T) {
	const tol = 1e-6
	for _, lm := range looModels(t) {
		t.Run(lm.name, func(t *testing.T) {
			tr := looFromOracleDraws(t, lm)
			want := readTable(t, filepath.Join(looDir, lm.name+"_oracle.csv"))
			est := readTable(t, filepath.Join(looDir, lm.name+"_oracle_estimates.csv"))
			ll := tr.LogLikelihood[0]
			// The log-likelihood itself against R's dnorm/dpois (column means over draws).
			for i, w := range want["ll_mean"] {
				s, n := 0.0, 0
				for _, ch := range ll.Draws {
					for _, x := range ch {
						s += x[i]
						n++
					}
				}
				if got := s / float64(n); !relClose(got, w, 1e-10) {
					t.Errorf("mean log-likelihood of observation %d: %.15g, R %.15g", i, got, w)
				}
			}
			loo, err := pm.LOO(tr)
			if err != nil {
				t.Fatal(err)
			}
			waic, err := pm.WAIC(tr)
			if err != nil {
				t.Fatal(err)
			}
			check := func(name string, got, want float64) {
				t.Helper()
				if !relClose(got, want, tol) {
					t.Errorf("%s: gopm %.12g, R loo %.12g (rel. diff %.2g)", name, got, want, math.Abs(got-want)/math.Abs(want))
				}
			}
			// Estimates rows: elpd_loo, p_loo, looic, elpd_waic, p_waic, waic.
			check("elpd_loo", loo.ELPD, est["estimate"][0])
			check("se(elpd_loo)", loo.SE, est["se"][0])
			check("p_loo", loo.P, est["estimate"][1])
			check("se(p_loo)", loo.PSE, est["se"][1])
			check("looic", loo.IC, est["estimate"][2])
			check("elpd_waic", waic.ELPD, est["estimate"][3])
			check("se(elpd_waic)", waic.SE, est["se"][3])
			check("p_waic", waic.P, est["estimate"][4])
			check("se(p_waic)", waic.PSE, est["se"][4])
			check("waic", waic.IC, est["estimate"][5])
			for i := range loo.NObs {
				check(fmt.Sprintf("pareto_k[%d]", i), loo.ParetoK[i], want["pareto_k"][i])
				check(fmt.Sprintf("r_eff[%d]", i), loo.RelEff[i], want["r_eff"][i])
				check(fmt.Sprintf("elpd_loo[%d]", i), loo.Pointwise[i], want["elpd_loo"][i])
				check(fmt.Sprintf("p_loo[%d]", i), loo.PointwiseP[i], want["p_loo"][i])
				check(fmt.Sprintf("n_eff[%d]", i), loo.NEff[i], want["n_eff"][i])
				check(fmt.Sprintf("elpd_waic[%d]", i), waic.Pointwise[i], want["elpd_waic"][i])
				check(fmt.Sprintf("p_waic[%d]", i), waic.PointwiseP[i], want["p_waic"][i])
			}
		})
	}
}

func TestCompareAgainstR(t *testing.T) {
	models := map[string]looModel{}
	for _, lm := range looModels(t) {
		models[lm.name] = lm
	}
	for _, set := range [][]string{{"linreg", "linreg_x1", "linreg_x0"}, {"eight_schools", "eight_schools_pooled"}} {
		t.Run(set[0], func(t *testing.T) {
			traces := map[string]*pm.Trace{}
			for _, n := range set {
				traces[n] = looFromOracleDraws(t, models[n])
			}
			want := readTable(t, filepath.Join(looDir, "compare_"+set[0]+".csv"))
			// R's rows follow the order of set.
			for _, method := range []string{"stacking", "pseudo-BMA", "BB-pseudo-BMA"} {
				cmp, err := pm.Compare(traces, pm.CompareMethod(method))
				if err != nil {
					t.Fatal(err)
				}
				best := cmp.Rows[0]
				for k, n := range set {
					row, ok := cmp.Get(n)
					if !ok {
						t.Fatalf("no row %s", n)
					}
					// loo_compare: elpd_diff = model − best (≤ 0), se_diff.
					if !relClose(-row.ELPDDiff, want["elpd_diff"][k], 1e-6) {
						t.Errorf("%s elpd_diff %.10g, R %.10g", n, -row.ELPDDiff, want["elpd_diff"][k])
					}
					if !relClose(row.DSE, want["se_diff"][k], 1e-6) {
						t.Errorf("%s dse %.10g, R %.10g", n, row.DSE, want["se_diff"][k])
					}
					var col string
					var tolAbs float64
					switch method {
					case "stacking":
						// R maximizes with constrOptim, whose log barrier keeps the weights
						// off the simplex's boundary by a few 1e-4; the objective check
						// below shows gopm's optimum is at least as high.
						col, tolAbs = "stacking", 1e-3
					case "pseudo-BMA":
						col, tolAbs = "pseudobma", 1e-9
					default:
						// Different random bootstrap replicates: Monte Carlo error of 1000
						// replicates.
						col, tolAbs = "pseudobma_bb", 0.03
					}
					if math.Abs(row.Weight-want[col][k]) > tolAbs {
						t.Errorf("%s %s weight %.8f, R %.8f", method, n, row.Weight, want[col][k])
					}
				}
				if method == "stacking" {
					points := make([][]float64, len(set))
					wg, wr := make([]float64, len(set)), make([]float64, len(set))
					for k, n := range set {
						row, _ := cmp.Get(n)
						points[k], wg[k], wr[k] = row.Result.Pointwise, row.Weight, want["stacking"][k]
					}
					if og, or := stackingObjective(points, wg), stackingObjective(points, wr); og < or-1e-12*math.Abs(or) {
						t.Errorf("stacking objective %.15g at gopm's weights, %.15g at R's", og, or)
					}
				}
				if best.Rank != 0 || best.ELPDDiff != 0 {
					t.Errorf("best row %+v", best)
				}
			}
		})
	}
}

// stackingObjective is Σ_i log Σ_k w_k exp(points[k][i]).
func stackingObjective(points [][]float64, w []float64) float64 {
	s := 0.0
	for i := range points[0] {
		t := 0.0
		for k, p := range points {
			t += w[k] * math.Exp(p[i])
		}
		s += math.Log(t)
	}
	return s
}
