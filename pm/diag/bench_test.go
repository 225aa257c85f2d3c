package diag

import "testing"

// sink keeps benchmark results alive.
var sink float64

func benchDiag(b *testing.B, f func([][]float64) float64, m, n int) {
	x := ar1Chains(1, m, n, 0.5)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		sink = f(x)
	}
}

func BenchmarkESSBulk4x1000(b *testing.B)  { benchDiag(b, ESSBulk, 4, 1000) }
func BenchmarkESSTail4x1000(b *testing.B)  { benchDiag(b, ESSTail, 4, 1000) }
func BenchmarkESSMean4x1000(b *testing.B)  { benchDiag(b, ESSMean, 4, 1000) }
func BenchmarkRHat4x1000(b *testing.B)     { benchDiag(b, RHat, 4, 1000) }
func BenchmarkMCSESD4x1000(b *testing.B)   { benchDiag(b, MCSESD, 4, 1000) }
func BenchmarkESSBulk4x10000(b *testing.B) { benchDiag(b, ESSBulk, 4, 10000) }

// BenchmarkSummarize10Vars4x1000 is the whole table for ten variables.
func BenchmarkSummarize10Vars4x1000(b *testing.B) {
	names := make([]string, 10)
	draws := make([][][]float64, 10)
	for i := range names {
		names[i] = string(rune('a' + i))
		draws[i] = ar1Chains(uint64(i), 4, 1000, 0.5)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s, err := Summarize(names, draws)
		if err != nil {
			b.Fatal(err)
		}
		sink = s.rows[0].ESSBulk
	}
}
