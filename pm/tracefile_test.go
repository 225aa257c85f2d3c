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
