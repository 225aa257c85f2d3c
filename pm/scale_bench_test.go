package pm_test

import (
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/internal/benchutil"
)

// Models written one element at a time, as many users write them: the cost of building,
// compiling, the first draw and one gradient as the model grows. Run with
//
//	go test ./pm -run '^$' -bench 'Scale' -benchtime 1x
//
// (the gradient sub-benchmarks loop by themselves). PM_SCALE_MAX raises the largest k (default
// 10000; 100000 runs in a few seconds per step once the costs are linear).

// scaleSizes are the model sizes benchmarked.
func scaleSizes() []int {
	ks := []int{10, 100, 1000, 10000}
	if os.Getenv("PM_SCALE_MAX") == "100000" {
		ks = append(ks, 100000)
	}
	return ks
}

// scalarsModel has k scalar free variables x0..x{k-1} ~ Normal(0, 1).
func scalarsModel(k int) *pm.Model {
	m := pm.NewModel()
	for i := 0; i < k; i++ {
		m.Var(fmt.Sprint("x", i), pm.Normal(0, 1))
	}
	return m
}

// atModel has one vector v of length k ~ Normal(0, 1) and k observations, each of one element:
// y_i ~ Normal(v[i], 1).
func atModel(k int) *pm.Model {
	m := pm.NewModel()
	v := m.Var("v", pm.Normal(0, 1), pm.Shape(k))
	for i := 0; i < k; i++ {
		m.Observe(fmt.Sprint("y", i), pm.Normal(v.At(i), 1), math.Sin(float64(i)))
	}
	return m
}

func BenchmarkScaleScalars(b *testing.B) { benchScale(b, scalarsModel) }

func BenchmarkScaleAt(b *testing.B) { benchScale(b, atModel) }

func benchScale(b *testing.B, build func(int) *pm.Model) {
	for _, k := range scaleSizes() {
		b.Run(fmt.Sprintf("k=%d/build", k), func(b *testing.B) {
			benchutil.Loop(b, func() { build(k) })
		})
		m := build(k)
		b.Run(fmt.Sprintf("k=%d/compile", k), func(b *testing.B) {
			benchutil.Loop(b, func() {
				if _, err := m.Compile(); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run(fmt.Sprintf("k=%d/firstdraw", k), func(b *testing.B) {
			// From a built model to its first posterior draw: Sample compiles, finds the start
			// and the first step size, and makes one draw.
			benchutil.Loop(b, func() {
				if _, err := m.Sample(pm.Draws(1), pm.Tune(0), pm.Chains(1), pm.Seed(1)); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run(fmt.Sprintf("k=%d/grad", k), func(b *testing.B) {
			ld, err := m.Compile()
			if err != nil {
				b.Fatal(err)
			}
			x := make([]float64, ld.Dim())
			for i := range x {
				x[i] = 0.1 * float64(i%7)
			}
			g := make([]float64, ld.Dim())
			ld.LogpGrad(x, g)
			benchutil.Loop(b, func() { ld.LogpGrad(x, g) })
		})
	}
}

// mixedModel has many variables of several kinds: scalars with and without a transform, a
// vector, observations of its elements and of the scalars.
func mixedModel() *pm.Model {
	m := pm.NewModel()
	v := m.Var("v", pm.Normal(0, 2), pm.Shape(20))
	for i := 0; i < 20; i++ {
		x := m.Var(fmt.Sprint("x", i), pm.Normal(0, 1))
		s := m.Var(fmt.Sprint("s", i), pm.HalfNormal(1.5))
		m.Observe(fmt.Sprint("y", i), pm.Normal(x.Add(v.At(i)), s), math.Sin(float64(i)))
	}
	return m
}

// TestScaleManyVariables checks the compiled log-density of a model of many variables (compiled
// over one flat input and vectorized) against the model's log-density evaluated term by term,
// and its gradient against central differences; a gradient allocates nothing.
func TestScaleManyVariables(t *testing.T) {
	m := mixedModel()
	ld, err := m.Compile()
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.InitialPoint()
	if err != nil {
		t.Fatal(err)
	}
	x, err := ld.Flatten(p)
	if err != nil {
		t.Fatal(err)
	}
	for i := range x {
		x[i] += 0.3 * math.Sin(float64(3*i+1))
	}
	g := make([]float64, ld.Dim())
	lp := ld.LogpGrad(x, g)
	want, err := m.Logp(ld.Unflatten(x))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(lp-want) > 1e-12*math.Abs(want) {
		t.Errorf("logp %v, term by term %v", lp, want)
	}
	if l := ld.Logp(x); l != lp {
		t.Errorf("Logp %v, LogpGrad %v", l, lp)
	}
	for i := range x {
		const h = 1e-5
		xp := append([]float64(nil), x...)
		xm := append([]float64(nil), x...)
		xp[i] += h
		xm[i] -= h
		fd := (ld.Logp(xp) - ld.Logp(xm)) / (2 * h)
		if math.Abs(fd-g[i]) > 1e-6*math.Max(1, math.Abs(g[i])) {
			t.Errorf("gradient %d: %v, central difference %v", i, g[i], fd)
		}
	}
	if n := testing.AllocsPerRun(50, func() { ld.LogpGrad(x, g) }); n != 0 {
		t.Errorf("%v allocations per gradient", n)
	}
}

// BenchmarkScaleAtByHand is the At model's log-density and gradient written as one Go loop:
// the floor a compiled gradient of BenchmarkScaleAt can approach.
func BenchmarkScaleAtByHand(b *testing.B) {
	const k = 10000
	y := make([]float64, k)
	x := make([]float64, k)
	g := make([]float64, k)
	for i := range y {
		y[i] = math.Sin(float64(i))
		x[i] = 0.1 * float64(i%7)
	}
	halfLog2Pi := 0.5 * math.Log(2*math.Pi)
	benchutil.Loop(b, func() {
		lp := 0.0
		for i, v := range x {
			d := y[i] - v
			lp += -0.5*v*v - halfLog2Pi - 0.5*d*d - halfLog2Pi
			g[i] = -v + d
		}
		x[0] += lp * 1e-300 // keep the result live
	})
}
