package main

import (
	"math"
	"testing"
)

// Every suite model builds from its data, compiles, and has a finite log-density and gradient
// at its initial point.
func TestSuiteModelsCompile(t *testing.T) {
	for _, name := range suite {
		m, err := build("data", name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ld, err := m.Compile()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p, err := m.InitialPoint()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		x, err := ld.Flatten(p)
		if err != nil {
			t.Fatal(err)
		}
		g := make([]float64, ld.Dim())
		lp := ld.LogpGrad(x, g)
		if math.IsNaN(lp) || math.IsInf(lp, 0) {
			t.Errorf("%s: logp %v at the initial point", name, lp)
		}
		for i, v := range g {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("%s: gradient[%d] = %v", name, i, v)
			}
		}
	}
}
