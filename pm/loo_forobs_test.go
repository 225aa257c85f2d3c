package pm

import (
	"math/rand/v2"
	"testing"

	"github.com/gopm-dev/gopm/pm/internal/benchutil"
)

// BenchmarkForObsGather times forObs's gathering of a 10,000 × 4,000 draws-major matrix into
// per-observation rows, with a callback that reads each row once.
func BenchmarkForObsGather(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	v := &TraceVar{Name: "y", Shape: []int{10000}, Draws: make([][][]float64, 4)}
	for c := range 4 {
		for range 1000 {
			row := make([]float64, 10000)
			for i := range row {
				row[i] = rng.Float64()
			}
			v.Draws[c] = append(v.Draws[c], row)
		}
	}
	benchutil.Loop(b, func() {
		forObs(v, func() *float64 { return new(float64) }, func(w *float64, i int, ll []float64) {
			s := 0.0
			for _, x := range ll {
				s += x
			}
			*w += s
		})
	})
}

// TestForObsGather checks that every observation gets its own values at every draw, chain
// after chain, for draw counts that are and are not multiples of the 8 gathered at once, and
// observation counts across block edges.
func TestForObsGather(t *testing.T) {
	for _, dims := range [][3]int{{1, 5, 3}, {2, 13, 130}, {3, 16, 257}, {4, 21, 128}} {
		nc, nd, nobs := dims[0], dims[1], dims[2]
		v := &TraceVar{Name: "y", Shape: []int{nobs}, Draws: make([][][]float64, nc)}
		val := func(c, d, i int) float64 { return float64(c*1e6 + d*1e3 + i) }
		for c := range nc {
			for d := range nd {
				row := make([]float64, nobs)
				for i := range row {
					row[i] = val(c, d, i)
				}
				v.Draws[c] = append(v.Draws[c], row)
			}
		}
		seen := make([]int, nobs)
		forObs(v, func() struct{} { return struct{}{} }, func(_ struct{}, i int, ll []float64) {
			if len(ll) != nc*nd {
				t.Errorf("%v: observation %d has %d values, want %d", dims, i, len(ll), nc*nd)
				return
			}
			for c := range nc {
				for d := range nd {
					if ll[c*nd+d] != val(c, d, i) {
						t.Errorf("%v: observation %d, chain %d, draw %d: %g, want %g", dims, i, c, d, ll[c*nd+d], val(c, d, i))
						return
					}
				}
			}
			seen[i]++
		})
		for i, n := range seen {
			if n != 1 {
				t.Errorf("%v: observation %d visited %d times", dims, i, n)
			}
		}
	}
}
