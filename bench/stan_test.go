package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm"
)

// recorded reads testdata/stan_live.json, stan_live.R's output of a real run (rstan 2.21.7,
// linreg, seed 4711; and a model without data, which the script reports as an error instead of
// stopping), and its linreg figures.
func recorded(t *testing.T) ([]byte, stanResult) {
	b, err := os.ReadFile("testdata/stan_live.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := parseStanLive(b, "linreg")
	if err != nil {
		t.Fatal(err)
	}
	return b, s
}

func TestParseStanLive(t *testing.T) {
	b, s := recorded(t)
	// Stan's draws depend only on the seed: the leapfrog steps and ESS are those of the
	// stored run of the same program, seed and data (bench/data/stan.json).
	var stored struct {
		Models map[string]stanResult `json:"models"`
	}
	if err := load("data", "stan", &stored); err != nil {
		t.Fatal(err)
	}
	ref := stored.Models["linreg"]
	if s.GradEvalsTotal != ref.GradEvalsTotal || s.GradEvalsWarmup != ref.GradEvalsWarmup || s.MinESSBulk != ref.MinESSBulk {
		t.Errorf("live: %v leapfrog steps (%v in warm-up), min ESS %v; stored run: %v (%v), %v",
			s.GradEvalsTotal, s.GradEvalsWarmup, s.MinESSBulk, ref.GradEvalsTotal, ref.GradEvalsWarmup, ref.MinESSBulk)
	}
	if !(s.CPUS > 0) || !(s.ChainTotalS > 0) || len(s.Params) != 5 || s.Params["beta[2]"].MCSEMean <= 0 {
		t.Errorf("incomplete figures: %+v", s)
	}
	if _, err := parseStanLive(b, "no_such_model"); err == nil || !strings.Contains(err.Error(), "no data file") {
		t.Errorf("a model the script failed on: error %v", err)
	}
	if _, err := parseStanLive(b, "stochvol"); err == nil {
		t.Error("a model missing from the output: no error")
	}
	bad := bytes.Replace(b, []byte(`"grad_evals_warmup": 21738`), []byte(`"grad_evals_warmup": 21737`), 1)
	if bytes.Equal(bad, b) {
		t.Fatal("test data changed: no warm-up count to alter")
	}
	if _, err := parseStanLive(bad, "linreg"); err == nil {
		t.Error("leapfrog steps that do not add up: no error")
	}
	if _, err := parseStanLive([]byte("{"), "linreg"); err == nil {
		t.Error("truncated output: no error")
	}
}

// stanParams names exactly the variables of each Stan program's parameters block.
func TestStanParamsMatchPrograms(t *testing.T) {
	block := regexp.MustCompile(`(?s)\nparameters\s*\{(.*?)\}`)
	for prog, want := range stanParams {
		src, err := os.ReadFile(filepath.Join("stan", prog+".stan"))
		if err != nil {
			t.Fatal(err)
		}
		m := block.FindSubmatch(src)
		if m == nil {
			t.Fatalf("%s: no parameters block", prog)
		}
		var got []string
		for _, decl := range strings.Split(string(m[1]), ";") {
			decl = strings.TrimSpace(regexp.MustCompile(`//[^\n]*`).ReplaceAllString(decl, ""))
			if decl == "" {
				continue
			}
			f := strings.Fields(decl)
			got = append(got, f[len(f)-1])
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: parameters block declares %v, stanParams has %v", prog, got, want)
		}
	}
}

// A gopm run of linreg set beside the recorded Stan run: the means agree (a statistical check
// at 4 combined MCSE), gradients are counted alike (with Stan's adaptation, pm.Metric("diag"),
// gopm's leapfrog steps within 10% of Stan's on this easy posterior, and fewer than gopm's total
// gradients), and the tables of every mode print finite numbers and no Stan columns without
// Stan.
func TestCompareAndTables(t *testing.T) {
	_, ref := recorded(t)
	r, tr, err := run("data", "linreg", 4, 1000, 1000, 4711, false, []pm.SampleOption{pm.Metric("diag")})
	if err != nil {
		t.Fatal(err)
	}
	if r.Leapfrog <= 0 || r.Leapfrog >= r.GradEvals || r.LoopCPUS <= 0 || r.LoopCPUS > r.CPUS {
		t.Errorf("leapfrog steps %d, gradients %d, loop CPU %v s of %v s", r.Leapfrog, r.GradEvals, r.LoopCPUS, r.CPUS)
	}
	if d := float64(r.Leapfrog)/ref.GradEvalsTotal - 1; d > 0.1 || d < -0.1 {
		t.Errorf("gopm %d leapfrog steps, Stan %v", r.Leapfrog, ref.GradEvalsTotal)
	}
	if r.MinESSParam == "" || r.MinESSBulk < 1000 {
		t.Errorf("min ESS %v (%s)", r.MinESSBulk, r.MinESSParam)
	}
	off := r
	if err := compareStan(&r, tr, ref); err != nil {
		t.Fatal(err)
	}
	if r.MeansCompared != 4 || r.MeansAgree != 4 {
		t.Errorf("means agree %d/%d: %s", r.MeansAgree, r.MeansCompared, r.MeanMismatches)
	}
	for _, mode := range []stanMode{stanLive, stanStored, stanOff} {
		row := r
		if mode == stanOff {
			row = off
		}
		var out bytes.Buffer
		printTable(&out, []Result{row}, mode)
		text := out.String()
		if strings.Contains(text, "NaN") || strings.Contains(text, "Inf") || !strings.Contains(text, "| linreg |") {
			t.Errorf("-stan %s table:\n%s", mode, text)
		}
		if hasStan := strings.Contains(text, "Stan"); hasStan != (mode != stanOff) {
			t.Errorf("-stan %s: Stan columns %v:\n%s", mode, hasStan, text)
		}
	}
}

// TestStanFiguresFallBack: a live Stan failure on one model falls back to that model's stored
// figures and says why; a success uses the live figures; a failure with nothing stored is an
// error naming the program and the cause.
func TestStanFiguresFallBack(t *testing.T) {
	stored := map[string]stanResult{"linreg": {ChainTotalS: 0.5, MinESSBulk: 3900}}
	glm := stanResult{ChainTotalS: 20}
	boom := errors.New("rstan: compilation failed")
	failing := func(string) (stanResult, error) { return stanResult{}, boom }
	ref, src, err := stanFigures(failing, true, "linreg", stored, glm)
	if err != nil || !errors.Is(src.liveErr, boom) || ref.MinESSBulk != 3900 || ref.CPUS != 0.5 {
		t.Errorf("failed live run: got %+v, %v, %v; want the stored figures and the live error", ref, src.liveErr, err)
	}
	if ref, _, err = stanFigures(failing, true, "logistic_big_glm", stored, glm); err != nil || ref.CPUS != 20 {
		t.Errorf("failed live run of the GLM program: got %+v, %v", ref, err)
	}
	live := func(string) (stanResult, error) { return stanResult{CPUS: 7, MinESSBulk: 100}, nil }
	if ref, src, err = stanFigures(live, true, "linreg", stored, glm); err != nil || src.liveErr != nil || ref.CPUS != 7 {
		t.Errorf("live run: got %+v, %v, %v; want the live figures", ref, src.liveErr, err)
	}
	_, _, err = stanFigures(failing, true, "hmm9", stored, glm)
	if err == nil || !strings.Contains(err.Error(), `"hmm9"`) || !strings.Contains(err.Error(), "compilation failed") {
		t.Errorf("failure with nothing stored: got %v", err)
	}
	if _, _, err = stanFigures(nil, false, "hmm9", stored, glm); err == nil {
		t.Error("stored mode with nothing stored: no error")
	}
}
