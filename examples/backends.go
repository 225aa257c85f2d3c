//go:build ignore

// One model, three backends: vm (gopm's compiled default), debug (the same kernels, every
// intermediate checked) and gorgonia (the graph translated for gorgonia's tape machine, whose
// arithmetic and differentiation gopm did not write), with gopm's gradient graph and with
// gorgonia's own differentiation. With one seed, vm and debug give the same draws bit for bit;
// gorgonia's gradients agree with vm's to about 1e-14 relative, so its chains follow vm's for
// a while and then part ways, and its posterior agrees within Monte Carlo error.
//
//	go run ./cmd/pmrepl examples/backends.go
package main

import (
	"fmt"
	"math"

	"github.com/gopm-dev/gopm/pm"
)

func main() {
	y := []float64{28, 8, -3, 7, -1, 1, 18, 12}
	sigma := []float64{15, 10, 16, 11, 9, 11, 10, 18}

	m := pm.NewModel()
	mu := m.Var("mu", pm.Normal(0, 5))
	tau := m.Var("tau", pm.HalfCauchy(5))
	tt := m.Var("theta_tilde", pm.Normal(0, 1), pm.Shape(8))
	m.Deterministic("theta", mu.Add(tau.Mul(tt)))
	m.Observe("y", pm.Normal(m.Get("theta"), sigma), y)

	var means, mcses [][]float64
	backends := []string{"vm", "debug", "gorgonia", "gorgonia-ad"}
	for _, be := range backends {
		trace, err := m.Sample(pm.SampleBackend(be), pm.Draws(500), pm.Tune(500), pm.Chains(2), pm.Seed(7))
		if err != nil {
			panic(err)
		}
		s, err := pm.Summary(trace, "mu", "tau")
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s (%s):\n%v\n", be, trace.Backend, s)
		var row, se []float64
		for _, v := range []string{"mu", "tau"} {
			x, _ := s.Get(v, "mean")
			e, _ := s.Get(v, "mcse_mean")
			row, se = append(row, x), append(se, e)
		}
		means, mcses = append(means, row), append(mcses, se)
	}
	for i, be := range backends[1:] {
		d := 0.0
		for j := range means[0] {
			d = math.Max(d, math.Abs(means[i+1][j]-means[0][j])/math.Hypot(mcses[i+1][j], mcses[0][j]))
		}
		fmt.Printf("posterior means, %s vs vm: largest difference %.2f Monte Carlo standard errors\n", be, d)
	}
}
