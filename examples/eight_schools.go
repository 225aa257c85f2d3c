//go:build ignore

// Eight schools, the non-centered hierarchical model: no divergences where the centered form
// has many.
//
//	go run ./cmd/pmrepl examples/eight_schools.go
package main

import (
	"fmt"

	"github.com/gopm-dev/gopm/pm"
)

func main() {
	y := []float64{28, 8, -3, 7, -1, 1, 18, 12}
	sigma := []float64{15, 10, 16, 11, 9, 11, 10, 18}

	m := pm.NewModel()
	mu := m.Var("mu", pm.Normal(0, 5))
	tau := m.Var("tau", pm.HalfCauchy(5))
	thetaTilde := m.Var("theta_tilde", pm.Normal(0, 1), pm.Shape(8))
	theta := m.Deterministic("theta", mu.Add(tau.Mul(thetaTilde)))
	m.Observe("y", pm.Normal(theta, sigma), y)

	trace, err := m.Sample(pm.Draws(1000), pm.Tune(1000), pm.Chains(4), pm.Seed(42))
	if err != nil {
		panic(err)
	}
	summary, err := pm.Summary(trace, "mu", "tau", "theta")
	if err != nil {
		panic(err)
	}
	fmt.Println(summary)
	fmt.Printf("divergences: %d\n", trace.Divergences())
}
