//go:build ignore

// A straight-line fit whose likelihood is a plain Go function with its gradient (a "black box",
// as PyMC users wrap external code), sampled with NUTS like any other model.
//
//	go run ./cmd/pmrepl examples/blackbox_line.go
package main

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/tensor"
)

func main() {
	rng := rand.New(rand.NewPCG(716, 2))
	x := make([]float64, 50)
	y := make([]float64, 50)
	for i := range x {
		x[i] = 10 * float64(i) / 49
		y[i] = 0.4*x[i] + 3 + 0.5*rng.NormFloat64()
	}
	// log-likelihood of y ~ Normal(m·x + b, exp(logs)) in terms of theta = (m, b, logs).
	loglike := func(theta []float64) float64 {
		m, b, s := theta[0], theta[1], math.Exp(theta[2])
		lp := 0.0
		for i := range x {
			r := (y[i] - m*x[i] - b) / s
			lp -= 0.5*r*r + math.Log(s) + 0.5*math.Log(2*math.Pi)
		}
		return lp
	}
	grad := func(theta, g []float64) {
		m, b, s := theta[0], theta[1], math.Exp(theta[2])
		g[0], g[1], g[2] = 0, 0, 0
		for i := range x {
			r := y[i] - m*x[i] - b
			g[0] += r * x[i] / (s * s)
			g[1] += r / (s * s)
			g[2] += r*r/(s*s) - 1
		}
	}

	model := pm.NewModel()
	m := model.Var("m", pm.Uniform(-5, 5))
	b := model.Var("b", pm.Uniform(-10, 10))
	logs := model.Var("logs", pm.Uniform(-5, 5))
	model.BlackBox("likelihood", []*tensor.Tensor{m, b, logs}, loglike, grad)

	mapEst, err := pm.FindMAP(model)
	if err != nil {
		panic(err)
	}
	fmt.Println(mapEst)
	trace, err := model.Sample(pm.Draws(1000), pm.Tune(1000), pm.Chains(2), pm.Seed(3))
	if err != nil {
		panic(err)
	}
	summary, err := pm.Summary(trace)
	if err != nil {
		panic(err)
	}
	fmt.Println(summary)
}
