//go:build ignore

// Regenerates the README's figures from sampled models: go run docs/genimg.go
package main

import (
	"log"

	"github.com/gopm-dev/gopm/plots"
	"github.com/gopm-dev/gopm/pm"
)

func main() {
	y := []float64{28, 8, -3, 7, -1, 1, 18, 12}
	sigma := []float64{15, 10, 16, 11, 9, 11, 10, 18}
	m := pm.NewModel()
	mu := m.Var("mu", pm.Normal(0, 5))
	tau := m.Var("tau", pm.HalfCauchy(5))
	tt := m.Var("theta_tilde", pm.Normal(0, 1), pm.Shape(8))
	theta := m.Deterministic("theta", mu.Add(tau.Mul(tt)))
	m.Observe("y", pm.Normal(theta, sigma), y)
	tr, err := m.Sample(pm.Draws(1000), pm.Tune(1000), pm.Chains(4), pm.Seed(42))
	if err != nil {
		log.Fatal(err)
	}
	save := func(path string, f *plots.Figure, err error) {
		if err != nil {
			log.Fatal(err)
		}
		if err := f.Save(path); err != nil {
			log.Fatal(err)
		}
	}
	f, err := plots.Trace(tr, plots.Vars("mu", "tau", "theta"))
	save("docs/img/eight_schools_trace.png", f, err)
	f, err = plots.Forest(tr, plots.Vars("theta"), plots.RHat(true), plots.ESS(true))
	save("docs/img/eight_schools_forest.png", f, err)
	f, err = plots.Posterior(tr, plots.Vars("mu", "tau"))
	save("docs/img/eight_schools_posterior.png", f, err)
	f, err = plots.Corner(tr, plots.Vars("mu", "tau", "theta_tilde[0]"))
	save("docs/img/eight_schools_corner.png", f, err)
}
