package pm

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// TestPSISLargestTies checks the tail selection against a sort of (value, position) pairs,
// on values with many ties (including ties across the tail's lower edge) and near ties.
func TestPSISLargestTies(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	w := newPSISWork(1, 4000)
	for trial := range 200 {
		s := 10 + rng.IntN(4000)
		levels := 1 + rng.IntN(60)
		x := make([]float64, s)
		for i := range x {
			x[i] = -float64(rng.IntN(levels))
			switch trial % 3 {
			case 0:
				x[i] = rng.NormFloat64()
			case 1: // near ties: a few ulps apart, equal in all but the lowest bits
				x[i] = -1 - float64(rng.IntN(levels))*2.2e-16
			}
		}
		n := 1 + rng.IntN(s)
		top := w.largest(x, n)
		ix := make([]int, s)
		for i := range ix {
			ix[i] = i
		}
		sort.Slice(ix, func(a, b int) bool {
			return x[ix[a]] < x[ix[b]] || (x[ix[a]] == x[ix[b]] && ix[a] < ix[b])
		})
		want := ix[s-n:]
		if len(top) != n {
			t.Fatalf("trial %d: %d values, want %d", trial, len(top), n)
		}
		for j, i := range want {
			if int(w.pos[j]) != i || top[j] != x[i] {
				t.Fatalf("trial %d (s=%d, n=%d): rank %d at %d (%g), want %d (%g)", trial, s, n, j, w.pos[j], top[j], i, x[i])
			}
		}
	}
}

// TestPSISMinMaxSumSq checks the four-lane reductions against plain loops, with NaN skipped.
func TestPSISMinMaxSumSq(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 100 {
		x := make([]float64, 1+rng.IntN(50))
		lo, hi, sum, sq := math.Inf(1), math.Inf(-1), 0.0, 0.0
		for i := range x {
			x[i] = rng.NormFloat64()
			sum += x[i]
			sq += x[i] * x[i]
		}
		gs, gq := sumSq(x)
		if math.Abs(gs-sum) > 1e-12 || math.Abs(gq-sq) > 1e-12 {
			t.Fatalf("trial %d: sumSq = %g, %g; want %g, %g", trial, gs, gq, sum, sq)
		}
		if trial%2 == 0 {
			x[rng.IntN(len(x))] = math.NaN()
		}
		for _, v := range x {
			if !math.IsNaN(v) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		glo, ghi := minMax(x)
		if math.IsInf(lo, 1) { // all NaN
			if !math.IsNaN(glo) || !math.IsNaN(ghi) {
				t.Fatalf("trial %d: minMax of NaN = %g, %g", trial, glo, ghi)
			}
			continue
		}
		if glo != lo || ghi != hi {
			t.Fatalf("trial %d: minMax = %g, %g; want %g, %g", trial, glo, ghi, lo, hi)
		}
	}
}
