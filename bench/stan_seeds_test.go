package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm/diag"
)

// stanSeeds is bench/data/stan_seeds.json, stan_seeds.R's output.
type stanSeeds struct {
	Settings struct{ Chains, Warmup, Draws int }
	Models   map[string]struct {
		Program string
		Runs    []struct {
			Seed                int
			Error               string
			CPUS                float64 `json:"cpu_s"`
			GradEvalsWarmup     float64 `json:"grad_evals_warmup"`
			GradEvalsSampling   float64 `json:"grad_evals_sampling"`
			GradEvalsTotal      float64 `json:"grad_evals_total"`
			MinESSBulk          float64 `json:"min_ess_bulk"`
			MinESSBulkUnrounded float64 `json:"min_ess_bulk_unrounded"`
			MinESSBulkBlom      float64 `json:"min_ess_bulk_blom"`
			ESSPer1000          float64 `json:"ess_bulk_per_1000_grads"`
			MaxRHat             float64 `json:"max_rhat"`
			Divergences         int
		}
	}
}

// The stored Stan runs over seeds: every suite model and loop model, seeds 1–5, with the suite's
// settings and program, and figures that hang together: leapfrog steps add up, the ratio is
// min ESS over steps, monitor()'s rounded minimum is the rounded unrounded minimum, and gopm's
// normal scores (Blom's) change the minimum ESS by under 1%.
func TestStanSeedsFile(t *testing.T) {
	var s stanSeeds
	if err := load("data", "stan_seeds", &s); err != nil {
		t.Fatal(err)
	}
	if s.Settings.Chains != 4 || s.Settings.Warmup != 1000 || s.Settings.Draws != 1000 {
		t.Errorf("settings %+v, want 4 chains x 1000 warm-up x 1000 draws", s.Settings)
	}
	models := []string{"linreg", "eight_schools_noncentered", "logistic_big", "hier_radon_like",
		"coal_marginal", "stochvol", "arma11", "hmm2"}
	for _, m := range models {
		e, ok := s.Models[m]
		if !ok {
			t.Errorf("%s: missing", m)
			continue
		}
		if e.Program != stanProgram(m) {
			t.Errorf("%s: program %q, the suite compares with %q", m, e.Program, stanProgram(m))
		}
		var seeds []int
		for _, r := range e.Runs {
			seeds = append(seeds, r.Seed)
			at := fmt.Sprintf("%s seed %d", m, r.Seed)
			if r.Error != "" {
				t.Errorf("%s: %s", at, r.Error)
				continue
			}
			if r.GradEvalsWarmup+r.GradEvalsSampling != r.GradEvalsTotal || r.GradEvalsSampling < 4000 {
				t.Errorf("%s: leapfrog steps %v + %v != %v", at, r.GradEvalsWarmup, r.GradEvalsSampling, r.GradEvalsTotal)
			}
			if want := 1000 * r.MinESSBulk / r.GradEvalsTotal; math.Abs(r.ESSPer1000-want) > 1e-9*want {
				t.Errorf("%s: ESS per 1000 gradients %v, want %v", at, r.ESSPer1000, want)
			}
			if r.MinESSBulk != math.Round(r.MinESSBulkUnrounded) {
				t.Errorf("%s: monitor's min ESS %v, rstan::ess_bulk's %v", at, r.MinESSBulk, r.MinESSBulkUnrounded)
			}
			if d := math.Abs(r.MinESSBulkBlom/r.MinESSBulkUnrounded - 1); !(d < 0.01) {
				t.Errorf("%s: min ESS %v with Blom's scores, %v with rstan's", at, r.MinESSBulkBlom, r.MinESSBulkUnrounded)
			}
			if !(r.CPUS > 0) || !(r.MaxRHat > 0.99 && r.MaxRHat < 1.05) || r.Divergences < 0 {
				t.Errorf("%s: CPU %v s, max R-hat %v, %d divergences", at, r.CPUS, r.MaxRHat, r.Divergences)
			}
		}
		if fmt.Sprint(seeds) != "[1 2 3 4 5]" {
			t.Errorf("%s: seeds %v, want 1-5", m, seeds)
		}
	}
}

// stan_common.R's ess_bulk_blom is gopm's bulk ESS (pm/diag, Blom's normal scores), and
// rstan's own ess_bulk is gopm's with rstan's scores: both checked on autocorrelated chains.
func TestStanCommonESSIsGopms(t *testing.T) {
	if why := rstanMissing(); why != "" {
		t.Skip(why)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	chains := make([][]float64, 4)
	var rows []string
	for c := range chains {
		chains[c] = make([]float64, 1000)
		x := float64(c) * 0.1
		for i := range chains[c] {
			x = 0.8*x + rng.NormFloat64()
			chains[c][i] = math.Exp(x) // skewed, so that rank normalisation matters
			rows = append(rows, strconv.FormatFloat(chains[c][i], 'g', -1, 64))
		}
	}
	script := `BENCH <- "."; source("stan_common.R")
x <- as.numeric(strsplit(readLines(file("stdin")), ",")[[1]])
dim(x) <- c(1000, 4)
cat(sprintf("%.12g %.12g", ess_bulk_blom(x), rstan::ess_bulk(x)))`
	cmd := exec.Command("Rscript", "-e", script)
	cmd.Stdin = strings.NewReader(strings.Join(rows, ",") + "\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("Rscript: %v", err)
	}
	f := strings.Fields(string(out))
	if len(f) != 2 {
		t.Fatalf("Rscript printed %q", out)
	}
	blom, rs := diag.ESSBulk(chains), diag.ESSBulkOffset(chains, diag.RStanOffset)
	if !(math.Abs(blom/rs-1) > 1e-5) {
		t.Fatalf("the two scores give the same ESS here (%v, %v): the check could not tell them apart", blom, rs)
	}
	for i, want := range []float64{blom, rs} {
		got, err := strconv.ParseFloat(f[i], 64)
		if err != nil || math.Abs(got-want) > 1e-6*want {
			t.Errorf("estimator %d: R %v (%v), gopm %v", i, got, err, want)
		}
	}
}
