//go:build ignore

// Model comparison: three models of one data set (counts of a rising trend with one odd
// year) compared by PSIS-LOO, with the Pareto k diagnostic, stacking weights and LOO-PIT.
//
//	go run ./cmd/pmrepl examples/model_comparison.go
//
// It writes model_comparison_compare.png, model_comparison_khat.png and
// model_comparison_loopit.png.
package main

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gopm-dev/gopm/plots"
	"github.com/gopm-dev/gopm/pm"
)

func main() {
	// Counts whose log-rate grows linearly in time, with overdispersion; year 23 is a
	// reporting error ten times too high.
	rng := rand.New(rand.NewPCG(2024, 7))
	n := 40
	t := make([]float64, n)
	y := make([]float64, n)
	for i := range t {
		t[i] = float64(i)/float64(n-1)*2 - 1
		rate := 8 * math.Exp(0.9*t[i]+0.3*rng.NormFloat64())
		y[i] = float64(poisson(rng, rate))
	}
	y[23] *= 5

	// Three candidate models.
	build := map[string]func() *pm.Model{
		// constant rate: wrong, it ignores the trend
		"constant": func() *pm.Model {
			m := pm.NewModel()
			a := m.Var("a", pm.Normal(2, 2))
			m.Observe("y", pm.Poisson(pm.Exp(a)), y)
			return m
		},
		// log-linear trend, Poisson: right trend, too little variance
		"poisson": func() *pm.Model {
			m := pm.NewModel()
			a := m.Var("a", pm.Normal(2, 2))
			b := m.Var("b", pm.Normal(0, 2))
			m.Observe("y", pm.Poisson(pm.Exp(a.Add(b.Mul(t)))), y)
			return m
		},
		// log-linear trend, negative binomial: the overdispersion absorbs the odd year
		"negbinomial": func() *pm.Model {
			m := pm.NewModel()
			a := m.Var("a", pm.Normal(2, 2))
			b := m.Var("b", pm.Normal(0, 2))
			alpha := m.Var("alpha", pm.HalfNormal(10))
			m.Observe("y", pm.NegativeBinomial(pm.Exp(a.Add(b.Mul(t))), alpha), y)
			return m
		},
	}

	traces := map[string]*pm.Trace{}
	var nb *pm.Model
	for _, name := range []string{"constant", "poisson", "negbinomial"} {
		m := build[name]()
		tr, err := m.Sample(pm.Draws(1000), pm.Tune(1000), pm.Chains(4), pm.Seed(1), pm.StoreLogLikelihood())
		if err != nil {
			panic(err)
		}
		traces[name] = tr
		if name == "negbinomial" {
			nb = m
		}
	}

	// PSIS-LOO of the Poisson model: the odd year has a high Pareto k.
	loo, err := pm.LOO(traces["poisson"])
	if err != nil {
		panic(err)
	}
	fmt.Println("Poisson model:")
	fmt.Println(loo)
	khat, err := plots.Khat(loo)
	if err != nil {
		panic(err)
	}
	if err := khat.Save("model_comparison_khat.png"); err != nil {
		panic(err)
	}

	// The comparison table, with stacking weights.
	cmp, err := pm.Compare(traces)
	if err != nil {
		panic(err)
	}
	fmt.Println(cmp)
	fig, err := plots.Compare(cmp)
	if err != nil {
		panic(err)
	}
	if err := fig.Save("model_comparison_compare.png"); err != nil {
		panic(err)
	}

	// WAIC agrees with LOO where LOO is reliable.
	waic, err := pm.WAIC(traces["negbinomial"])
	if err != nil {
		panic(err)
	}
	fmt.Println("Negative binomial model:")
	fmt.Println(waic)
	// Check the chosen model's fit before reading its predictions: its posterior summary.
	sum, err := pm.Summary(traces["negbinomial"])
	if err != nil {
		panic(err)
	}
	fmt.Println(sum)

	// LOO-PIT of the chosen model: near uniform when its predictions are calibrated.
	pred, err := pm.SamplePosteriorPredictive(nb, traces["negbinomial"], 3)
	if err != nil {
		panic(err)
	}
	pit, err := pm.LOOPIT(traces["negbinomial"], pred)
	if err != nil {
		panic(err)
	}
	pitFig, err := plots.LOOPIT(pit)
	if err != nil {
		panic(err)
	}
	if err := pitFig.Save("model_comparison_loopit.png"); err != nil {
		panic(err)
	}
	fmt.Println("wrote model_comparison_compare.png, model_comparison_khat.png, model_comparison_loopit.png")
}

// poisson draws a Poisson variate by inversion (fine for the small rates here).
func poisson(rng *rand.Rand, rate float64) int {
	k, p := 0, math.Exp(-rate)
	s, u := p, rng.Float64()
	for u > s {
		k++
		p *= rate / float64(k)
		s += p
	}
	return k
}
