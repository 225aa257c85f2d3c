package step

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkLowRankEstimate times one estimate from a full window (N = 160 draws) at linreg's,
// hier_radon_like's and stochvol's sizes, with the workspace reused as warm-up reuses it.
func BenchmarkLowRankEstimate(b *testing.B) {
	for _, n := range []int{4, 90, 503} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			const N = 160
			xs, gs := make([][]float64, N), make([][]float64, N)
			for t := range xs {
				xs[t], gs[t] = make([]float64, n), make([]float64, n)
				for i := range xs[t] {
					xs[t][i] = rng.NormFloat64()
					gs[t][i] = -xs[t][i] + 0.3*rng.NormFloat64()
				}
			}
			var ws lowRankWork // as the adaptation keeps it between estimates
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				lowRankEstimate(xs, gs, lowRankSettings{cutoff: 2, gamma: 1e-5, maxSpan: lowRankSpan}, &ws)
			}
		})
	}
}
