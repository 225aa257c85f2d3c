package step_test

import (
	"context"
	"fmt"
	"math"

	"github.com/gopm-dev/gopm/pm/step"
)

// Sample the posterior of a normal mean (prior N(0, 10²), five observations
// with sd 1) with NUTS, from a plain Go closure.
func Example() {
	ys := []float64{1.9, 2.4, 2.1, 1.6, 2.5}
	d := step.Func{N: 1, G: func(x, grad []float64) float64 {
		mu := x[0]
		lp := -mu * mu / 200
		grad[0] = -mu / 100
		for _, y := range ys {
			lp -= (y - mu) * (y - mu) / 2
			grad[0] += y - mu
		}
		return lp
	}}
	res, err := step.Run(context.Background(), step.Config{
		NewMethod: func(chain int) (step.Method, error) { return step.NewNUTS(d, step.NUTSOptions{}) },
		Init:      [][]float64{{0}},
		Tune:      500, Draws: 1000, Chains: 4, Seed: 1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	sum, n := 0.0, 0
	for _, ch := range res.Chains {
		for _, x := range ch.Draws {
			sum += x[0]
			n++
		}
	}
	// The exact posterior mean is 10.5/(5 + 0.01) = 2.0958...
	fmt.Printf("%s, %d draws, posterior mean %.1f\n", res.Method, n, math.Round(sum/float64(n)*10)/10)
	// Output: NUTS, 4000 draws, posterior mean 2.1
}

// Give NUTS the continuous coordinates and Metropolis the discrete one.
func ExampleAssign() {
	d := step.Func{N: 3, G: func(x, grad []float64) float64 { clear(grad); return 0 }}
	m, err := step.Assign(d, []step.BlockInfo{
		{Name: "alpha", Indices: []int{0}},
		{Name: "beta", Indices: []int{1}},
		{Name: "switchpoint", Indices: []int{2}, Discrete: true},
	}, step.AssignOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m)
	// Output:
	// CompoundStep
	// >NUTS: [alpha, beta]
	// >Metropolis: [switchpoint]
}
