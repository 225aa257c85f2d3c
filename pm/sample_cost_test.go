package pm

import (
	"math/rand/v2"
	"testing"

	"github.com/gopm-dev/gopm/pm/diag"
)

// svLikeTrace is a model and trace shaped like stochastic volatility's: 503 free elements,
// 4 chains of 1000 well-mixing draws (AR(1), coefficient 0.5).
func svLikeTrace() (*Model, *Trace) {
	m := NewModel()
	m.Var("mu", Normal(0, 1))
	m.Var("phi", Normal(0, 1))
	m.Var("sigma", HalfNormal(1))
	m.Var("h_std", Normal(0, 1), Shape(500))
	const chains, draws = 4, 1000
	rng := rand.New(rand.NewPCG(1, 2))
	tr := &Trace{Sampler: "NUTS"}
	for _, rv := range m.FreeVars() {
		v := &TraceVar{Name: rv.Name, Shape: rv.Shape, Draws: make([][][]float64, chains)}
		for c := range v.Draws {
			v.Draws[c] = make([][]float64, draws)
			x := make([]float64, v.Size())
			for d := range v.Draws[c] {
				for i := range x {
					x[i] = 0.5*x[i] + rng.NormFloat64()
				}
				v.Draws[c][d] = append([]float64(nil), x...)
			}
		}
		tr.Vars = append(tr.Vars, v)
	}
	return m, tr
}

// BenchmarkSampleWarnings is the work Sample does after sampling to check convergence.
func BenchmarkSampleWarnings(b *testing.B) {
	m, tr := svLikeTrace()
	cfg := sampleConfig{targetAccept: 0.8, maxTreeDepth: 10}
	b.ReportAllocs()
	for b.Loop() {
		tr.Warnings = nil
		m.addWarnings(tr, cfg)
	}
	if len(tr.Warnings) != 0 {
		b.Fatalf("warnings on well-mixing draws: %v", tr.Warnings)
	}
}

// BenchmarkSampleWarningsBySummary is how Sample checked convergence before diag.Checker: a
// whole Summary of the trace, then the warnings from it.
func BenchmarkSampleWarningsBySummary(b *testing.B) {
	_, tr := svLikeTrace()
	b.ReportAllocs()
	for b.Loop() {
		s, err := Summary(tr)
		if err != nil {
			b.Fatal(err)
		}
		if ws := diag.Warnings(s, diag.SamplerStats{}); len(ws) != 0 {
			b.Fatalf("warnings on well-mixing draws: %v", ws)
		}
	}
}
