package step

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkLowRankEstimate(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, N = 503, 160
	xs, gs := make([][]float64, N), make([][]float64, N)
	for t := range xs {
		xs[t], gs[t] = make([]float64, n), make([]float64, n)
		for i := range xs[t] {
			xs[t][i] = rng.NormFloat64()
			gs[t][i] = -xs[t][i] + 0.3*rng.NormFloat64()
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lowRankEstimate(xs, gs, lowRankSettings{cutoff: 2, gamma: 1e-5, maxSpan: lowRankSpan})
	}
}
