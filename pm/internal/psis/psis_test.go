package psis

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The estimator recovers the shape of generalized Pareto draws (inverse-CDF sampling).
func TestFitGPD(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, k := range []float64{-0.2, 0.3, 0.7} {
		x := make([]float64, 4000)
		for i := range x {
			x[i] = GPDQuantile(r.Float64(), k, 2)
		}
		gotK, sigma := FitGPD(x)
		if math.Abs(gotK-k) > 0.07 || math.Abs(sigma/2-1) > 0.1 {
			t.Errorf("k = %v: estimated k %.3f, sigma %.3f (true 2)", k, gotK, sigma)
		}
	}
	if k, _ := FitGPD([]float64{1}); !math.IsNaN(k) {
		t.Errorf("one value: k %v, want NaN", k)
	}
}

// Importance sampling N(0, 1) with draws from N(0, s²), s < 1: the ratios have a Pareto tail
// of shape k = 1 − s² (P(w > t) ∝ t^(−1/(1−s²))). Wider proposals give bounded ratios, k < 0.
func TestSmoothNormalProposals(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, s := range []float64{0.6, 0.8, 1.5} {
		n := 20000
		lr := make([]float64, n)
		for i := range lr {
			x := s * r.NormFloat64()
			lr[i] = -0.5*x*x + 0.5*x*x/(s*s) + math.Log(s)
		}
		res := Smooth(lr)
		want := 1 - s*s
		if s > 1 {
			if !(res.K < 0.2) {
				t.Errorf("s = %v: k %.3f, want < 0.2 (bounded ratios)", s, res.K)
			}
		} else if math.Abs(res.K-want) > 0.1 {
			t.Errorf("s = %v: k %.3f, want %.3f", s, res.K, want)
		}
		sum := 0.0
		maxW := math.Inf(-1)
		for _, w := range res.LogWeights {
			sum += math.Exp(w)
			maxW = math.Max(maxW, w)
		}
		if math.Abs(sum-1) > 1e-9 {
			t.Errorf("s = %v: weights sum to %v", s, sum)
		}
		if res.TailLen != int(math.Ceil(math.Min(0.2*float64(n), 3*math.Sqrt(float64(n))))) {
			t.Errorf("tail length %d", res.TailLen)
		}
	}
}

// Equal ratios give equal weights; -Inf ratios get zero weight.
func TestSmoothEdgeCases(t *testing.T) {
	res := Smooth([]float64{0, 0, 0, math.Inf(-1)})
	for i, w := range res.LogWeights[:3] {
		if math.Abs(math.Exp(w)-1.0/3) > 1e-12 {
			t.Errorf("weight %d = %v", i, math.Exp(w))
		}
	}
	if !math.IsInf(res.LogWeights[3], -1) {
		t.Errorf("-Inf ratio got weight %v", math.Exp(res.LogWeights[3]))
	}
	if r := Smooth(nil); len(r.LogWeights) != 0 || !math.IsNaN(r.K) {
		t.Errorf("empty: %+v", r)
	}
}
