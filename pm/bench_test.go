package pm_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/internal/benchutil"
	"github.com/gopm-dev/gopm/pm/tensor"
)

func benchData(b *testing.B, name string, v any) {
	buf, err := os.ReadFile("../bench/data/" + name + ".json")
	if err != nil {
		b.Skip("no bench data:", err)
	}
	if err := json.Unmarshal(buf, v); err != nil {
		b.Fatal(err)
	}
}

func benchLogpGrad(b *testing.B, m *pm.Model) {
	ld, err := m.Compile()
	if err != nil {
		b.Fatal(err)
	}
	p, err := m.InitialPoint()
	if err != nil {
		b.Fatal(err)
	}
	x, _ := ld.Flatten(p)
	for i := range x {
		x[i] += 0.1 * float64(i%7)
	}
	g := make([]float64, ld.Dim())
	ld.LogpGrad(x, g)
	benchutil.Loop(b, func() { ld.LogpGrad(x, g) })
}

func BenchmarkHierRadonLogpGrad(b *testing.B) {
	var d struct {
		J     int
		Group []int     `json:"group"`
		X     []float64 `json:"x"`
		Y     []float64 `json:"y"`
	}
	benchData(b, "hier_radon_like", &d)
	g := make([]int, len(d.Group))
	for i, v := range d.Group {
		g[i] = v - 1
	}
	m := pm.NewModel()
	muA := m.Var("mu_a", pm.Normal(0, 10))
	sigmaA := m.Var("sigma_a", pm.HalfNormal(5))
	aRaw := m.Var("a_raw", pm.Normal(0, 1), pm.Shape(d.J))
	bb := m.Var("b", pm.Normal(0, 10))
	sigmaY := m.Var("sigma_y", pm.HalfNormal(5))
	a := m.Deterministic("a", muA.Add(sigmaA.Mul(aRaw)))
	m.Observe("y", pm.Normal(a.Index(g).Add(bb.Mul(d.X)), sigmaY), d.Y)
	benchLogpGrad(b, m)
}

func BenchmarkEightSchoolsModelLogpGrad(b *testing.B) {
	var d struct {
		J     int
		Y     []float64 `json:"y"`
		Sigma []float64 `json:"sigma"`
	}
	benchData(b, "eight_schools_noncentered", &d)
	m := pm.NewModel()
	mu := m.Var("mu", pm.Normal(0, 5))
	tau := m.Var("tau", pm.HalfCauchy(5))
	tt := m.Var("theta_tilde", pm.Normal(0, 1), pm.Shape(d.J))
	m.Observe("y", pm.Normal(mu.Add(tau.Mul(tt)), d.Sigma), d.Y)
	benchLogpGrad(b, m)
}

func BenchmarkLogisticBigModelLogpGrad(b *testing.B) {
	var d struct {
		D int
		X [][]float64
		Y []float64 `json:"y"`
	}
	benchData(b, "logistic_big", &d)
	m := pm.NewModel()
	alpha := m.Var("alpha", pm.Normal(0, 2))
	beta := m.Var("beta", pm.Normal(0, 1), pm.Shape(d.D))
	m.Observe("y", pm.BernoulliLogit(tensor.Add(alpha, tensor.Dot(d.X, beta))), d.Y)
	benchLogpGrad(b, m)
}
