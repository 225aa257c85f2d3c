package pm_test

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/diag"
)

func sameDraws(t *testing.T, a, b *pm.Trace) {
	t.Helper()
	if len(a.Vars) != len(b.Vars) {
		t.Fatalf("%d vs %d variables", len(a.Vars), len(b.Vars))
	}
	for i, v := range a.Vars {
		w := b.Vars[i]
		if v.Name != w.Name || len(v.Shape) != len(w.Shape) {
			t.Fatalf("variable %d: %s%v vs %s%v", i, v.Name, v.Shape, w.Name, w.Shape)
		}
		for c := range v.Draws {
			for d := range v.Draws[c] {
				for k, x := range v.Draws[c][d] {
					if y := w.Draws[c][d][k]; x != y && !(math.IsNaN(x) && math.IsNaN(y)) {
						t.Fatalf("%s chain %d draw %d [%d]: %v vs %v", v.Name, c, d, k, x, y)
					}
				}
			}
		}
	}
}

func TestTraceStanCSVAndJSONRoundTrip(t *testing.T) {
	d := loadLinreg(t)
	m := linregModel(d)
	m.Deterministic("b2", m.Get("beta").Mul(2.0))
	tr, err := m.Sample(pm.Draws(50), pm.Tune(30), pm.Chains(2), pm.Seed(5), pm.KeepWarmup())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, err := tr.WriteStanCSV(filepath.Join(dir, "linreg"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("files %v", files)
	}
	b, _ := os.ReadFile(files[0])
	if !strings.Contains(string(b), "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,alpha,beta.1,beta.2,sigma,b2.1,b2.2\n") {
		t.Errorf("header not in CmdStan form:\n%.600s", b)
	}
	back, err := pm.ReadStanCSV(files...)
	if err != nil {
		t.Fatal(err)
	}
	sameDraws(t, tr, back)
	sameDraws(t, tr.Warmup, back.Warmup)
	if back.Stats.Energy[1][7] != tr.Stats.Energy[1][7] || back.Stats.TreeDepth[0][3] != tr.Stats.TreeDepth[0][3] {
		t.Errorf("stats differ")
	}
	path := filepath.Join(dir, "trace.json")
	if err := tr.SaveJSON(path); err != nil {
		t.Fatal(err)
	}
	j, err := pm.LoadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	sameDraws(t, tr, j)
	if j.Settings != tr.Settings || j.StepSize[1] != tr.StepSize[1] || j.InvMetric[0][0] != tr.InvMetric[0][0] {
		t.Errorf("settings %+v, step sizes %v, inverse metric %v after JSON; want %+v, %v, %v", j.Settings, j.StepSize, j.InvMetric[0], tr.Settings, tr.StepSize, tr.InvMetric[0])
	}
	if j.Sampler != tr.Sampler || j.Warmup == nil {
		t.Errorf("sampler %q, warmup %v", j.Sampler, j.Warmup != nil)
	}
}

func TestStreamTo(t *testing.T) {
	d := loadLinreg(t)
	path := filepath.Join(t.TempDir(), "draws.csv")
	tr, err := linregModel(d).Sample(pm.Draws(40), pm.Tune(20), pm.Chains(2), pm.Seed(2), pm.StreamTo(path))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if lines[0] != `chain,draw,"alpha","beta[0]","beta[1]","sigma"` || len(lines) != 81 {
		t.Fatalf("header %q, %d lines", lines[0], len(lines))
	}
	// Every streamed row is a draw of the trace.
	want := map[string]bool{}
	for c := 0; c < 2; c++ {
		for k, x := range tr.Var("alpha").Draws[c] {
			want[strings.Join([]string{itoa(c), itoa(k), ftoa(x[0])}, ",")] = true
		}
	}
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		if !want[strings.Join(f[:3], ",")] {
			t.Fatalf("streamed row %q is not in the trace", l)
		}
	}
}

func itoa(i int) string     { return strconv.Itoa(i) }
func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// rstan reads the CSV files and computes the same bulk ESS (runs only where R and rstan are
// installed: apt-get install r-cran-rstan).
func TestStanCSVReadByRstan(t *testing.T) {
	if _, err := exec.LookPath("Rscript"); err != nil {
		t.Skip("Rscript not installed")
	}
	if err := exec.Command("Rscript", "-e", "suppressMessages(library(rstan))").Run(); err != nil {
		t.Skip("rstan not installed")
	}
	d := loadLinreg(t)
	tr, err := linregModel(d).Sample(pm.Draws(200), pm.Tune(200), pm.Chains(2), pm.Seed(1))
	if err != nil {
		t.Fatal(err)
	}
	files, err := tr.WriteStanCSV(filepath.Join(t.TempDir(), "fit"))
	if err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf(`suppressMessages(library(rstan)); f <- read_stan_csv(c(%q, %q)); a <- as.array(f); cat(sprintf("%%.10g", rstan::ess_bulk(a[,,"alpha"])))`, files[0], files[1])
	out, err := exec.Command("Rscript", "-e", script).CombinedOutput()
	if err != nil {
		t.Fatalf("rstan failed: %v\n%s", err, out)
	}
	got, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		t.Fatalf("rstan printed %q", out)
	}
	// rstan 2.21 ranks with (r − 1/2)/S; diag.ESSBulkOffset reproduces it (see pm/diag).
	want := diag.ESSBulkOffset(tr.Var("alpha").Component(0), diag.RStanOffset)
	if math.Abs(got-want) > 1e-6*want {
		t.Errorf("rstan ess_bulk %v, gopm %v", got, want)
	}
}

func TestFromStanName(t *testing.T) {
	for in, want := range map[string]string{"alpha": "alpha", "beta[1]": "beta[0]", "L[2,3]": "L[1,2]", "beta.2": "beta[1]", "L.2.1": "L[1,0]"} {
		if got := pm.FromStanName(in); got != want {
			t.Errorf("FromStanName(%q) = %q, want %q", in, got, want)
		}
	}
}

// stanConfig reads the "key = value" comments of a CmdStan CSV file (without "(Default)") and
// the adaptation block's step size and inverse-metric rows.
func stanConfig(t *testing.T, path string) (cfg map[string]string, step float64, inv [][]float64) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg = map[string]string{}
	inAdapt := false
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(l, "#") {
			continue
		}
		c := strings.TrimSpace(strings.TrimPrefix(l, "#"))
		switch {
		case c == "Adaptation terminated":
			inAdapt = true
		case inAdapt && strings.HasPrefix(c, "Step size = "):
			step, _ = strconv.ParseFloat(strings.TrimPrefix(c, "Step size = "), 64)
		case inAdapt && strings.Contains(c, "inverse mass matrix"):
		case inAdapt && c != "" && !strings.HasPrefix(c, "Elapsed"):
			var row []float64
			for _, f := range strings.Split(c, ",") {
				v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
				if err != nil {
					inAdapt = false
					break
				}
				row = append(row, v)
			}
			if inAdapt {
				inv = append(inv, row)
			}
		case strings.Contains(c, " = "):
			kv := strings.SplitN(c, " = ", 2)
			cfg[kv[0]] = strings.TrimSuffix(kv[1], " (Default)")
		}
	}
	return cfg, step, inv
}

// TestStanCSVHeaderTellsTheRun: the CmdStan header holds the settings that were run and each
// chain's adapted step size and inverse metric (checked with rstan where it is installed).
func TestStanCSVHeaderTellsTheRun(t *testing.T) {
	m := pm.NewModel()
	mu := m.Var("mu", pm.Normal(0, 1), pm.Shape(2))
	m.Observe("y", pm.Normal(mu, 0.5), [][]float64{{1, 2}, {1.5, 2.5}, {0.5, 1.5}})
	tr, err := m.Sample(pm.Draws(100), pm.Tune(150), pm.Chains(2), pm.Seed(11), pm.TargetAccept(0.9), pm.MaxTreeDepth(8), pm.Metric("dense"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := tr.WriteStanCSV(filepath.Join(t.TempDir(), "fit"))
	if err != nil {
		t.Fatal(err)
	}
	for c, f := range files {
		cfg, step, inv := stanConfig(t, f)
		for k, want := range map[string]string{"num_samples": "100", "num_warmup": "150", "seed": "11", "delta": "0.9",
			"max_depth": "8", "algorithm": "hmc", "engine": "nuts", "metric": "dense_e"} {
			if cfg[k] != want {
				t.Errorf("chain %d: %s = %q, want %q", c, k, cfg[k], want)
			}
		}
		if step != tr.StepSize[c] || step <= 0 {
			t.Errorf("chain %d: step size %v, trace %v", c, step, tr.StepSize[c])
		}
		if len(inv) != 2 || len(inv[0]) != 2 || inv[0][0] != tr.InvMetric[c][0] || inv[0][1] != tr.InvMetric[c][1] || inv[1][1] != tr.InvMetric[c][3] {
			t.Errorf("chain %d: inverse metric %v, trace %v", c, inv, tr.InvMetric[c])
		}
	}
	// A diagonal metric is one line; a Metropolis run says what ran.
	tr2, err := m.Sample(pm.Draws(50), pm.Tune(50), pm.Chains(1), pm.Seed(3))
	if err != nil {
		t.Fatal(err)
	}
	f2, _ := tr2.WriteStanCSV(filepath.Join(t.TempDir(), "diag"))
	cfg, _, inv := stanConfig(t, f2[0])
	if cfg["metric"] != "diag_e" || len(inv) != 1 || len(inv[0]) != 2 || inv[0][1] != tr2.InvMetric[0][1] {
		t.Errorf("diag metric: %q, %v vs %v", cfg["metric"], inv, tr2.InvMetric)
	}
	tr3, err := m.Sample(pm.Draws(50), pm.Tune(50), pm.Chains(1), pm.Method("metropolis"))
	if err != nil {
		t.Fatal(err)
	}
	f3, _ := tr3.WriteStanCSV(filepath.Join(t.TempDir(), "metropolis"))
	if !strings.Contains(readFile(t, f3[0]), "# note: not a CmdStan sampler; gopm ran Metropolis") {
		t.Errorf("Metropolis run: no note in the header")
	}

	if _, err := exec.LookPath("Rscript"); err != nil {
		t.Skip("Rscript not installed")
	}
	if err := exec.Command("Rscript", "-e", "suppressMessages(library(rstan))").Run(); err != nil {
		t.Skip("rstan not installed (apt-get install r-cran-rstan)")
	}
	script := fmt.Sprintf(`suppressMessages(library(rstan)); f <- read_stan_csv(c(%q, %q)); a <- f@stan_args[[1]];
cat(a$warmup, a$iter, a$seed, a$delta, a$max_depth, a$engine, a$metric, a$sampler_t, "\n");
cat(get_adaptation_info(f)[[2]])`, files[0], files[1])
	out, err := exec.Command("Rscript", "-e", script).CombinedOutput()
	if err != nil {
		t.Fatalf("rstan failed: %v\n%s", err, out)
	}
	lines := strings.SplitN(string(out), "\n", 2)
	if got, want := strings.TrimSpace(lines[0]), "150 250 11 0.9 8 nuts dense_e NUTS(dense_e)"; got != want {
		t.Errorf("rstan reads the settings as %q, want %q", got, want)
	}
	want := fmt.Sprintf("# Step size = %s\n# Elements of inverse mass matrix:\n# %s, %s\n# %s, %s\n", ftoa(tr.StepSize[1]),
		ftoa(tr.InvMetric[1][0]), ftoa(tr.InvMetric[1][1]), ftoa(tr.InvMetric[1][2]), ftoa(tr.InvMetric[1][3]))
	if len(lines) < 2 || !strings.Contains(lines[1], want) {
		t.Errorf("rstan's get_adaptation_info for chain 2:\n%s\nwant it to hold\n%s", lines[1], want)
	}
}

func readFile(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
