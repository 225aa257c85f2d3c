package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// stanParams are the variables of each Stan program's parameters block (bench/stan): the
// minimum bulk ESS of both samplers is taken over every element of these.
var stanParams = map[string][]string{
	"linreg":                    {"alpha", "beta", "sigma"},
	"eight_schools_noncentered": {"mu", "tau", "theta_tilde"},
	"logistic_big":              {"alpha", "beta"},
	"logistic_big_glm":          {"alpha", "beta"},
	"hier_radon_like":           {"mu_a", "sigma_a", "a_raw", "b", "sigma_y"},
	"coal_marginal":             {"e", "l"},
	"stochvol":                  {"mu", "phi", "sigma", "h_std"},
	"arma11":                    {"mu", "phi", "theta", "sigma"},
	"hmm2":                      {"p11", "p22", "mu", "sigma"},
	"collinear_reg":             {"a", "b", "s"},
	"garch11":                   {"mu", "alpha0", "alpha1", "beta1"},
}

// stanProgram is the Stan program a suite model is compared with: for logistic_big, Stan's
// fastest form of the same posterior, the fused bernoulli_logit_glm likelihood.
func stanProgram(model string) string {
	if model == "logistic_big" {
		return "logistic_big_glm"
	}
	return model
}

// stanMode says where Stan's figures come from.
type stanMode string

const (
	stanLive   stanMode = "live"   // rstan samples each model in this run (bench/stan_live.R)
	stanStored stanMode = "stored" // bench/data/stan.json, from another session
	stanOff    stanMode = "off"    // gopm alone
)

// stanRunner runs Stan live through Rscript.
type stanRunner struct {
	script, cache               string
	chains, warmup, draws, seed int
}

// rstanMissing says why rstan cannot run here, or "" when it can.
func rstanMissing() string {
	if _, err := exec.LookPath("Rscript"); err != nil {
		return "Rscript is not installed"
	}
	out, err := exec.Command("Rscript", "-e", `quit(status = if (requireNamespace("rstan", quietly = TRUE)) 0 else 1)`).CombinedOutput()
	if err != nil {
		return "R's rstan package is not installed (" + strings.TrimSpace(string(out)) + ")"
	}
	return ""
}

// run samples one Stan program with rstan and returns its figures. Stan's output goes to
// stderr as it comes.
func (r stanRunner) run(program string) (stanResult, error) {
	out, err := os.CreateTemp("", "gopm-bench-stan-*.json")
	if err != nil {
		return stanResult{}, err
	}
	out.Close()
	defer os.Remove(out.Name())
	cmd := exec.Command("Rscript", r.script, "--out", out.Name(), "--models", program,
		"--chains", strconv.Itoa(r.chains), "--warmup", strconv.Itoa(r.warmup), "--draws", strconv.Itoa(r.draws),
		"--seed", strconv.Itoa(r.seed), "--cache", r.cache)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return stanResult{}, fmt.Errorf("bench: rstan on %s: %v", program, err)
	}
	b, err := os.ReadFile(out.Name())
	if err != nil {
		return stanResult{}, err
	}
	return parseStanLive(b, program)
}

// parseStanLive reads one model's figures from stan_live.R's output.
func parseStanLive(b []byte, program string) (stanResult, error) {
	var f struct {
		Models map[string]stanResult `json:"models"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return stanResult{}, fmt.Errorf("bench: reading stan_live.R's output: %v", err)
	}
	s, ok := f.Models[program]
	switch {
	case !ok:
		return s, fmt.Errorf("bench: stan_live.R's output has no model %q", program)
	case s.Error != "":
		return s, fmt.Errorf("bench: rstan on %s: %s", program, s.Error)
	case s.CPUS <= 0 || s.GradEvalsTotal <= 0 || s.MinESSBulk <= 0:
		return s, fmt.Errorf("bench: stan_live.R's figures for %s are incomplete (CPU %v s, %v leapfrog steps, min ESS %v)",
			program, s.CPUS, s.GradEvalsTotal, s.MinESSBulk)
	case s.GradEvalsWarmup+s.GradEvalsSampling != s.GradEvalsTotal:
		return s, fmt.Errorf("bench: stan_live.R's leapfrog steps for %s do not add up: %v + %v != %v",
			program, s.GradEvalsWarmup, s.GradEvalsSampling, s.GradEvalsTotal)
	}
	return s, nil
}

// benchDir is the bench directory: the data directory's parent.
func benchDir(dataDir string) string { return filepath.Dir(filepath.Clean(dataDir)) }

// stanCacheDir is where stan_live.R keeps compiled models: $GOPM_STAN_CACHE, else
// gopm-bench-stan in the temporary directory (the script's own default).
func stanCacheDir() string {
	if d := os.Getenv("GOPM_STAN_CACHE"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "gopm-bench-stan")
}
