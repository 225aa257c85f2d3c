package main

import (
	"os"
	"testing"

	"github.com/gopm-dev/gopm/pm"
)

// The approximations on the six benchmark models against Stan's posterior means and sds
// (bench/data/stan.json): the largest |mean − Stan's mean| in Stan's sds over every parameter,
// and the range of sd / Stan's sd. The tolerances are what each method was measured to reach
// (seed 4711); near-normal posteriors (linreg, logistic_big, coal_marginal) are held to 0.1 sd
// for full-rank ADVI and Pathfinder. Hierarchical and latent-state posteriors are where these
// methods are known to fail (funnels, skewed scales): the tolerances say by how much.
func TestFitSuiteAccuracy(t *testing.T) {
	var stan struct {
		Models map[string]stanResult `json:"models"`
	}
	if err := load("data", "stan", &stan); err != nil {
		t.Fatal(err)
	}
	type tol struct{ mean, sdLo, sdHi float64 }
	want := map[string]map[string]tol{
		"linreg":        {"ADVI mean-field": {0.1, 0.85, 1.1}, "ADVI full-rank": {0.1, 0.9, 1.1}, "Pathfinder": {0.1, 0.9, 1.1}},
		"logistic_big":  {"ADVI mean-field": {0.15, 0.8, 1.15}, "ADVI full-rank": {0.1, 0.9, 1.15}, "Pathfinder": {0.1, 0.9, 1.1}},
		"coal_marginal": {"ADVI mean-field": {0.1, 0.9, 1.15}, "ADVI full-rank": {0.1, 0.9, 1.15}, "Pathfinder": {0.1, 0.9, 1.1}},
		// tau's skewed posterior; Pathfinder's weights are poor there (Pareto k 0.9).
		"eight_schools_noncentered": {"ADVI mean-field": {0.35, 0.5, 1.1}, "ADVI full-rank": {0.35, 0.6, 1.15}, "Pathfinder": {1.1, 0.45, 1.2}},
		// sigma_a 1–2 sd too large: the fits miss the funnel-shaped part of the posterior.
		"hier_radon_like": {"ADVI mean-field": {1.5, 0.4, 1.3}, "ADVI full-rank": {2.5, 0.7, 1.4}, "Pathfinder": {2.0, 0.3, 3.0}},
		// L-BFGS runs into the degenerate mode sigma → 0; Pathfinder's best approximations
		// (Pareto k 1.2) and the ADVI fits it starts are far from the posterior: phi 20+ sd
		// off. Full-rank ADVI (measured once, 160 s on the loaded machine): sigma 116 sd off.
		"stochvol": {"ADVI mean-field": {30, 0.2, 3}, "ADVI full-rank": {200, 0.05, 15}, "Pathfinder": {35, 0.1, 15}},
	}
	for _, name := range suite {
		m, err := build("data", name)
		if err != nil {
			t.Fatal(err)
		}
		ref := stanMoments(stan.Models[name].Params)
		for _, fm := range fitMethods {
			t.Run(name+"/"+fm.name, func(t *testing.T) {
				if name == "stochvol" && fm.name == "ADVI full-rank" && os.Getenv("GOPM_VI_LONG") == "" {
					t.Skip("full-rank ADVI on 503 dimensions takes minutes; GOPM_VI_LONG=1 runs it")
				}
				a, err := m.Fit(fm.m(), pm.FitSeed(4711), pm.FitDraws(4000))
				if err != nil {
					t.Fatal(err)
				}
				acc := compare(a.Trace, ref)
				tl := want[name][fm.name]
				t.Logf("%s; %d gradients; Pareto k %.2f", acc, a.GradEvals, a.ParetoK)
				if acc.Compared == 0 || acc.MaxMeanErr > tl.mean || acc.MinSDRatio < tl.sdLo || acc.MaxSDR > tl.sdHi {
					t.Errorf("%s, tolerance: mean %.2g sd, sd ratio %.2g–%.2g", acc, tl.mean, tl.sdLo, tl.sdHi)
				}
			})
		}
	}
}
