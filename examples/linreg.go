//go:build ignore

// Linear regression, PyMC's getting-started model: simulate data, sample the posterior, print
// the summary and write a trace plot.
//
//	go run ./cmd/pmrepl examples/linreg.go
package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/gopm-dev/gopm/plots"
	"github.com/gopm-dev/gopm/pm"
)

func main() {
	// Data: y = 1 + 1·x1 + 2.5·x2 + noise (sd 1), 100 points.
	rng := rand.New(rand.NewPCG(8927, 1))
	n := 100
	x1, x2, y := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		x1[i] = rng.NormFloat64()
		x2[i] = 0.2 * rng.NormFloat64()
		y[i] = 1 + x1[i] + 2.5*x2[i] + rng.NormFloat64()
	}

	m := pm.NewModel()
	alpha := m.Var("alpha", pm.Normal(0, 10))
	beta := m.Var("beta", pm.Normal(0, 10), pm.Shape(2))
	sigma := m.Var("sigma", pm.HalfNormal(1))
	mu := alpha.Add(beta.At(0).Mul(x1)).Add(beta.At(1).Mul(x2))
	m.Observe("y", pm.Normal(mu, sigma), y)

	trace, err := m.Sample(pm.Draws(1000), pm.Tune(1000), pm.Chains(4), pm.Seed(1))
	if err != nil {
		panic(err)
	}
	fmt.Println(trace.Sampler)
	summary, err := pm.Summary(trace)
	if err != nil {
		panic(err)
	}
	fmt.Println(summary)
	for _, w := range trace.Warnings {
		fmt.Println("warning:", w)
	}
	fig, err := plots.Trace(trace)
	if err != nil {
		panic(err)
	}
	if err := fig.Save("linreg_trace.png"); err != nil {
		panic(err)
	}
	fmt.Println("trace plot written to linreg_trace.png")
}
