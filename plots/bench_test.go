package plots

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchSamples is 10 scalar AR(1) variables, 4 chains x 1000 draws.
func benchSamples() *Samples {
	r := rand.New(rand.NewPCG(1, 2))
	s := &Samples{}
	for v := range 10 {
		vr := Var{Name: fmt.Sprintf("v%d", v), Draws: make([][][]float64, 4)}
		for c := range vr.Draws {
			vr.Draws[c] = make([][]float64, 1000)
			z := 0.0
			for d := range vr.Draws[c] {
				z = 0.5*z + r.NormFloat64()
				vr.Draws[c][d] = []float64{float64(v) + z}
			}
		}
		s.Vars = append(s.Vars, vr)
	}
	return s
}

// BenchmarkTracePNG measures a full trace plot, statistics to PNG bytes:
// 4 chains x 1000 draws x 10 variables (goal: under 1 s).
func BenchmarkTracePNG(b *testing.B) {
	s := benchSamples()
	b.ResetTimer()
	for b.Loop() {
		f, err := Trace(s)
		if err != nil {
			b.Fatal(err)
		}
		if len(f.PNG()) == 0 {
			b.Fatal("empty PNG")
		}
	}
}

// BenchmarkKDE measures one density of 4000 draws (ISJ bandwidth included).
func BenchmarkKDE(b *testing.B) {
	x := normalDraws(4000, 0, 1, 1)
	for b.Loop() {
		if _, err := KDE(x, -5, 5); err != nil {
			b.Fatal(err)
		}
	}
}
