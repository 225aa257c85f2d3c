//go:build ignore

// Command gen_loops_data simulates the data of the loop and correlation models of the
// benchmark suite (bench/models_loops.go) with fixed seeds, and writes bench/data/arma11.json,
// bench/data/hmm2.json, bench/data/collinear_reg.json, bench/data/garch11.json and the
// generating values in
// bench/data/truth_loops.json. Run it from the project root:
//
//	go run bench/gen_loops_data.go
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
)

func main() {
	dir := filepath.Join("bench", "data")
	truth := map[string]any{}

	// ARMA(1,1) as the Stan User's Guide writes it: nu[t] = mu + phi y[t-1] + theta err[t-1],
	// y[t] = nu[t] + err[t], err[t] ~ Normal(0, sigma), with nu[1] = mu + phi mu.
	{
		r := rand.New(rand.NewPCG(4711, 1))
		const T = 200
		mu, phi, theta, sigma := 0.5, 0.6, 0.3, 1.0
		y := make([]float64, T)
		nu := mu + phi*mu
		err := sigma * r.NormFloat64()
		y[0] = nu + err
		for t := 1; t < T; t++ {
			nu = mu + phi*y[t-1] + theta*err
			err = sigma * r.NormFloat64()
			y[t] = nu + err
		}
		write(dir, "arma11", map[string]any{"T": T, "y": round(y)})
		truth["arma11"] = map[string]float64{"mu": mu, "phi": phi, "theta": theta, "sigma": sigma}
	}

	// A two-state Gaussian hidden Markov model: z[1] uniform, P(z[t] = z[t-1]) = p11 or p22,
	// y[t] ~ Normal(mu[z[t]], sigma).
	{
		r := rand.New(rand.NewPCG(4711, 2))
		const T = 200
		p11, p22 := 0.9, 0.85
		mu := []float64{0, 3}
		sigma := 1.0
		y := make([]float64, T)
		z := r.IntN(2)
		for t := 0; t < T; t++ {
			if t > 0 {
				stay := p11
				if z == 1 {
					stay = p22
				}
				if r.Float64() >= stay {
					z = 1 - z
				}
			}
			y[t] = mu[z] + sigma*r.NormFloat64()
		}
		write(dir, "hmm2", map[string]any{"T": T, "y": round(y)})
		truth["hmm2"] = map[string]any{"p11": p11, "p22": p22, "mu": mu, "sigma": sigma}
	}

	// A linear trend over calendar years, uncentred: y = a + b year + Normal(0, s), years
	// 1960..2020 (a temperature anomaly of 0 in 1980 rising 0.015 a year), so that a and b are
	// correlated at about -0.99998 a posteriori.
	{
		r := rand.New(rand.NewPCG(4711, 3))
		const N = 61
		b, s := 0.015, 0.1
		a := -b * 1980
		year := make([]float64, N)
		y := make([]float64, N)
		for i := range year {
			year[i] = float64(1960 + i)
			y[i] = a + b*year[i] + s*r.NormFloat64()
		}
		write(dir, "collinear_reg", map[string]any{"N": N, "year": year, "y": round(y)})
		truth["collinear_reg"] = map[string]float64{"a": a, "b": b, "s": s}
	}

	// GARCH(1,1) as the Stan User's Guide writes it: r[t] ~ Normal(mu, sigma[t]),
	// sigma[t]² = alpha0 + alpha1 (r[t-1] - mu)² + beta1 sigma[t-1]², sigma[1] = sigma1 given.
	{
		r := rand.New(rand.NewPCG(4711, 4))
		const T = 200
		mu, alpha0, alpha1, beta1, sigma1 := 0.1, 0.2, 0.3, 0.5, 0.7
		y := make([]float64, T)
		s2 := sigma1 * sigma1
		for t := range y {
			if t > 0 {
				s2 = alpha0 + alpha1*(y[t-1]-mu)*(y[t-1]-mu) + beta1*s2
			}
			y[t] = mu + math.Sqrt(s2)*r.NormFloat64()
		}
		write(dir, "garch11", map[string]any{"T": T, "y": round(y), "sigma1": sigma1})
		truth["garch11"] = map[string]float64{"mu": mu, "alpha0": alpha0, "alpha1": alpha1, "beta1": beta1}
	}
	write(dir, "truth_loops", truth)
}

// round keeps six decimals, as the suite's other data files do.
func round(x []float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = math.Round(v*1e6) / 1e6
	}
	return out
}

func write(dir, name string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".json"), append(b, '\n'), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
