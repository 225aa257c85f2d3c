package diag_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gopm-dev/gopm/pm/diag"
)

// ar1 returns chains of a stationary Gaussian AR(1) process with
// coefficient phi and unit marginal variance, shifted by mu.
func ar1(rng *rand.Rand, chains, draws int, phi, mu float64) [][]float64 {
	out := make([][]float64, chains)
	for c := range out {
		out[c] = make([]float64, draws)
		x := rng.NormFloat64()
		for d := range out[c] {
			out[c][d] = mu + x
			x = phi*x + math.Sqrt(1-phi*phi)*rng.NormFloat64()
		}
	}
	return out
}

// A summary of two variables: "mu" mixes well, "tau" has one chain stuck
// elsewhere, which R-hat and the warnings catch.
func Example() {
	rng := rand.New(rand.NewPCG(1, 2))
	mu := ar1(rng, 4, 1000, 0.5, 1)
	tau := ar1(rng, 4, 1000, 0.5, 2)
	for d := range tau[3] {
		tau[3][d] += 2
	}
	s, err := diag.Summarize([]string{"mu", "tau"}, [][][]float64{mu, tau})
	if err != nil {
		fmt.Println(err)
		return
	}
	rh, _ := s.Get("tau", "r_hat")
	fmt.Printf("tau r_hat above 1.01: %v\n", rh > 1.01)
	fmt.Print(s)
	for _, w := range diag.Warnings(s, diag.SamplerStats{}) {
		fmt.Println(w.Kind)
	}
	lo, hi := diag.HDI([]float64{0, 1, 2, 3, 10}, 0.6)
	fmt.Println("HDI:", lo, hi)
	fmt.Println("median:", diag.Quantile([]float64{4, 1, 3, 2}, 0.5))
	// Output:
	// tau r_hat above 1.01: true
	//       mean     sd  hdi_3%  hdi_97%  mcse_mean  mcse_sd  ess_bulk  ess_tail  r_hat
	// mu   1.040  0.983  -0.720    2.968      0.027    0.014      1373      2381   1.00
	// tau  2.467  1.322   0.125    5.030      0.440    0.150        10        31   1.33
	// rhat
	// ess
	// HDI: 0 3
	// median: 2.5
}

// The summary table prints with ArviZ's column names.
func ExampleSummary_String() {
	x := [][]float64{{1, 2, 3, 4, 5, 6, 7, 8}, {2, 3, 4, 5, 6, 7, 8, 9}}
	s, _ := diag.Summarize([]string{"x"}, [][][]float64{x}, diag.HDIProb(0.89), diag.Decimals(2))
	fmt.Println(s.Columns())
	m, _ := s.Get("x", "mean")
	fmt.Println(m)
	// Output:
	// [mean sd hdi_5.5% hdi_94.5% mcse_mean mcse_sd ess_bulk ess_tail r_hat]
	// 5
}
