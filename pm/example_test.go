package pm_test

import (
	"fmt"
	"math"

	"github.com/gopm-dev/gopm/pm"
)

// A normal mean with a known sd: sample the posterior and read the summary.
func ExampleModel_Sample() {
	m := pm.NewModel()
	mu := m.Var("mu", pm.Normal(0, 10))
	m.Observe("y", pm.Normal(mu, 1), []float64{4.8, 5.3, 5.1, 4.6, 5.2})
	trace, err := m.Sample(pm.Draws(1000), pm.Tune(500), pm.Chains(2), pm.Seed(1))
	if err != nil {
		panic(err)
	}
	fmt.Println(trace.Sampler)
	fmt.Printf("posterior mean %.1f, divergences %d\n", trace.Mean("mu")[0], trace.Divergences())
	// Output:
	// NUTS: [mu]
	// posterior mean 5.0, divergences 0
}

// The mode of the posterior of a positive scale: FindMAP works in the unconstrained space but
// reports the variables in their own. Here the mode solves s⁴/25 + 5s² − 19 = 0 (five
// observations with sum of squares 19, HalfNormal(5) prior): s = 1.9212.
func ExampleFindMAP() {
	m := pm.NewModel()
	sigma := m.Var("sigma", pm.HalfNormal(5))
	m.Observe("y", pm.Normal(0, sigma), []float64{-2, 1, 3, -1, 2})
	res, err := pm.FindMAP(m)
	if err != nil {
		panic(err)
	}
	fmt.Printf("sigma = %.3f (converged %v); value variables: %v\n", res.Point["sigma"][0], res.Converged, len(res.Values["sigma_log__"]))
	// Output:
	// sigma = 1.921 (converged true); value variables: 1
}

// Mistakes name the variable; Catch turns them into error values in plain Go programs.
func ExampleCatch() {
	m := pm.NewModel()
	err := pm.Catch(func() { m.Var("tau", pm.HalfCauchy(-1)) })
	fmt.Println(err)
	// Output:
	// pm: Var "tau": HalfCauchy: beta is -1, but must be positive
}

// A quick approximation instead of sampling: Pathfinder (or pm.ADVI(), pm.FullRankADVI()) gives
// draws as a Trace, the Pareto k says whether to trust them, and the posterior here is
// N(4.98, 0.45²).
func ExampleModel_Fit() {
	m := pm.NewModel()
	mu := m.Var("mu", pm.Normal(0, 10))
	m.Observe("y", pm.Normal(mu, 1), []float64{4.8, 5.3, 5.1, 4.6, 5.2})
	approx, err := m.Fit(pm.Pathfinder(), pm.FitSeed(1))
	if err != nil {
		panic(err)
	}
	fmt.Println(approx.Method, approx.Trace.NDraws(), "draws")
	fmt.Printf("posterior mean %.1f, sd within 10%%: %v, Pareto k below 0.5: %v\n",
		approx.Trace.Mean("mu")[0], math.Abs(approx.SD[0]/0.447-1) < 0.1, approx.ParetoK < 0.5)
	// Output:
	// Pathfinder (4 paths) 1000 draws
	// posterior mean 5.0, sd within 10%: true, Pareto k below 0.5: true
}
