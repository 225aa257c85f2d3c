package step

import (
	"testing"
	"time"
)

// benchNUTS measures NUTS transitions after warm-up on an n-d standard
// normal, whose gradient costs ~n flops: the time per gradient is mostly the
// sampler's own overhead (leapfrog, tree bookkeeping, U-turn checks).
func benchNUTS(b *testing.B, n int, adapt Adapt) {
	d := newStdNormal(n)
	u, err := NewNUTS(d, NUTSOptions{Adapt: adapt})
	if err != nil {
		b.Fatal(err)
	}
	const tune = 500
	if err := u.Init(tune, b.N); err != nil {
		b.Fatal(err)
	}
	s := NewState(make([]float64, n), ChainRand(1, 0))
	for i := range s.X {
		s.X[i] = 0.3
	}
	var st Stats
	for i := 0; i < tune; i++ {
		s.Iter, s.Tuning = i, true
		u.Step(s, &st)
	}
	s.Tuning = false
	g0 := s.NGrad
	b.ReportAllocs()
	b.ResetTimer()
	t0 := time.Now()
	for i := 0; i < b.N; i++ {
		u.Step(s, &st)
	}
	el := time.Since(t0)
	grads := s.NGrad - g0
	b.ReportMetric(float64(el.Nanoseconds())/float64(grads), "ns/grad")
	b.ReportMetric(float64(grads)/float64(b.N), "grads/draw")
}

func BenchmarkNUTS10(b *testing.B)       { benchNUTS(b, 10, AdaptGradDiag) }
func BenchmarkNUTS100(b *testing.B)      { benchNUTS(b, 100, AdaptGradDiag) }
func BenchmarkNUTS100Dense(b *testing.B) { benchNUTS(b, 100, AdaptDense) }

// gradOnly is the cost of the density alone, to subtract from ns/grad.
func benchGrad(b *testing.B, n int) {
	d := newStdNormal(n)
	x := make([]float64, n)
	g := make([]float64, n)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		d.LogpGrad(x, g)
	}
}

func BenchmarkGradOnly10(b *testing.B)  { benchGrad(b, 10) }
func BenchmarkGradOnly100(b *testing.B) { benchGrad(b, 100) }
