package pm_test

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"sync"
	"testing"

	"github.com/gopm-dev/gopm/pm"
	"github.com/gopm-dev/gopm/pm/internal/benchutil"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// The log-likelihood and PSIS-LOO benchmarks on logistic_big (10,000 observations, 25
// predictors) with 4 chains of 1,000 draws near the generating values. Compare, in one run:
//
//	go test ./pm -run '^$' -bench 'LogisticBig(LogLik|Grad4000|LOO)' -benchtime 3x -cpu 1
//
// BenchmarkLogisticBigLogLik fills the 10,000 × 4,000 log-likelihood matrix;
// BenchmarkLogisticBigGrad4000 runs 4,000 gradient evaluations of the same model;
// BenchmarkLogisticBigLOO runs PSIS-LOO (with r_eff) on the matrix.

type logisticBig struct {
	m  *pm.Model
	tr *pm.Trace
}

var logisticBigOnce = sync.OnceValues(func() (*logisticBig, error) {
	var d struct {
		D int
		X [][]float64
		Y []float64 `json:"y"`
	}
	if err := readJSON("../bench/data/logistic_big.json", &d); err != nil {
		return nil, err
	}
	var truth map[string]map[string]any
	if err := readJSON("../bench/data/truth.json", &truth); err != nil {
		return nil, err
	}
	alpha0 := truth["logistic_big"]["alpha"].(float64)
	var beta0 []float64
	for _, v := range truth["logistic_big"]["beta"].([]any) {
		beta0 = append(beta0, v.(float64))
	}
	m := pm.NewModel()
	alpha := m.Var("alpha", pm.Normal(0, 2))
	beta := m.Var("beta", pm.Normal(0, 1), pm.Shape(d.D))
	m.Observe("y", pm.BernoulliLogit(tensor.Add(alpha, tensor.Dot(d.X, beta))), d.Y)
	// Draws as a posterior would give them: AR(1) chains around the generating values with
	// the posterior's scale (about 0.03 for 10,000 observations).
	rng := rand.New(rand.NewPCG(1, 2))
	tr := &pm.Trace{Vars: []*pm.TraceVar{{Name: "alpha", Draws: make([][][]float64, 4)}, {Name: "beta", Shape: []int{d.D}, Draws: make([][][]float64, 4)}}}
	for c := range 4 {
		z := make([]float64, d.D+1)
		for range 1000 {
			for i := range z {
				z[i] = 0.3*z[i] + 0.95*rng.NormFloat64()
			}
			tr.Vars[0].Draws[c] = append(tr.Vars[0].Draws[c], []float64{alpha0 + 0.03*z[0]})
			b := make([]float64, d.D)
			for i := range b {
				b[i] = beta0[i] + 0.03*z[i+1]
			}
			tr.Vars[1].Draws[c] = append(tr.Vars[1].Draws[c], b)
		}
	}
	return &logisticBig{m: m, tr: tr}, nil
})

func getLogisticBig(b *testing.B) *logisticBig {
	lb, err := logisticBigOnce()
	if err != nil {
		b.Skip("no bench data:", err)
	}
	return lb
}

func BenchmarkLogisticBigLogLik(b *testing.B) {
	lb := getLogisticBig(b)
	benchutil.Loop(b, func() {
		if err := pm.ComputeLogLikelihood(lb.tr, lb.m); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkLogisticBigGrad4000(b *testing.B) {
	lb := getLogisticBig(b)
	ld, err := lb.m.Compile()
	if err != nil {
		b.Fatal(err)
	}
	x := make([]float64, ld.Dim())
	g := make([]float64, ld.Dim())
	benchutil.Loop(b, func() {
		for c := range 4 {
			for d := range 1000 {
				x[0] = lb.tr.Vars[0].Draws[c][d][0]
				copy(x[1:], lb.tr.Vars[1].Draws[c][d])
				ld.LogpGrad(x, g)
			}
		}
	})
}

func BenchmarkLogisticBigLOO(b *testing.B) {
	lb := getLogisticBig(b)
	if lb.tr.LogLikelihood == nil {
		if err := pm.ComputeLogLikelihood(lb.tr, lb.m); err != nil {
			b.Fatal(err)
		}
	}
	benchutil.Loop(b, func() {
		if _, err := pm.LOO(lb.tr); err != nil {
			b.Fatal(err)
		}
	})
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
