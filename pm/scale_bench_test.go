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
