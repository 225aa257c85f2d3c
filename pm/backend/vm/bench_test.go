package vm_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/gopm-dev/gopm/pm/backend"
	_ "github.com/gopm-dev/gopm/pm/backend/vm"
	"github.com/gopm-dev/gopm/pm/internal/benchutil"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// eightSchools builds the non-centered eight-schools log-density (Stan's
// bench/stan/eight_schools_noncentered.stan, with tau on the log scale plus its Jacobian) and
// its gradient, as the model layer will.
func eightSchools() (ins []*tensor.Tensor, outs []*tensor.Tensor) {
	y := []float64{28, 8, -3, 7, -1, 1, 18, 12}
	sigma := []float64{15, 10, 16, 11, 9, 11, 10, 18}
	mu := tensor.Scalar("mu")
	logTau := tensor.Scalar("tau_log__")
	tt := tensor.NewVar("theta_tilde", tensor.Float64, 8)
	tau := tensor.Exp(logTau)
	normal := func(x, m, s any) *tensor.Tensor { return tensor.Sum(tensor.NormalLogp(x, m, s)) }
	theta := tensor.Add(mu, tensor.Mul(tau, tt))
	lp := normal(mu, 0.0, 5.0)
	// HalfCauchy(5): log(2/(pi*5)) - log1p((tau/5)^2), plus log-Jacobian logTau.
	lp = tensor.Add(lp, tensor.Sub(math.Log(2/(math.Pi*5)), tensor.Log1p(tensor.Square(tensor.Div(tau, 5.0)))))
	lp = tensor.Add(lp, logTau)
	lp = tensor.Add(lp, normal(tt, 0.0, 1.0))
	lp = tensor.Add(lp, normal(y, theta, sigma))
	g := tensor.Grad(lp, mu, logTau, tt)
	return []*tensor.Tensor{mu, logTau, tt}, append([]*tensor.Tensor{lp}, g...)
}

func BenchmarkEightSchoolsLogpGrad(b *testing.B) {
	ins, outs := eightSchools()
	f, err := backend.Compile([]any{ins[0], ins[1], ins[2]}, outs, backend.Use("vm"))
	if err != nil {
		b.Fatal(err)
	}
	args := []*tensor.Array{
		{DType: tensor.Float64, Shape: []int{}, Data: []float64{1.5}},
		{DType: tensor.Float64, Shape: []int{}, Data: []float64{0.7}},
		{DType: tensor.Float64, Shape: []int{8}, Data: []float64{0.1, -0.3, 0.5, 1.2, -0.8, 0.0, 0.3, -1.1}},
	}
	if _, err := f.Run(args...); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(f.Graph().Nodes)), "nodes")
	benchutil.Loop(b, func() { f.Run(args...) })
}

// logisticBig is the Bernoulli-logit regression of bench/data/logistic_big.json (N=10000, D=25;
// alpha ~ N(0, 2), beta ~ N(0, 1)) as the model layer builds it.
func logisticBig(b *testing.B) (ins, outs []*tensor.Tensor) {
	buf, err := os.ReadFile("../../../bench/data/logistic_big.json")
	if err != nil {
		b.Skip("no bench data: ", err)
	}
	var d struct {
		X [][]float64
		Y []float64 `json:"y"`
	}
	if err := json.Unmarshal(buf, &d); err != nil {
		b.Fatal(err)
	}
	alpha := tensor.Scalar("alpha")
	beta := tensor.NewVar("beta", tensor.Float64, len(d.X[0]))
	eta := tensor.Add(alpha, tensor.Dot(d.X, beta))
	lp := tensor.Add(tensor.Sum(tensor.NormalLogp(alpha, 0.0, 2.0)), tensor.Sum(tensor.NormalLogp(beta, 0.0, 1.0)))
	lp = tensor.Add(lp, tensor.Sum(tensor.BernoulliLogitLogp(d.Y, eta)))
	g := tensor.Grad(lp, alpha, beta)
	return []*tensor.Tensor{alpha, beta}, append([]*tensor.Tensor{lp}, g...)
}

func BenchmarkLogisticBigLogpGrad(b *testing.B) {
	ins, outs := logisticBig(b)
	f, err := backend.Compile([]any{ins[0], ins[1]}, outs, backend.Use("vm"))
	if err != nil {
		b.Fatal(err)
	}
	beta := make([]float64, ins[1].Shape()[0])
	for i := range beta {
		beta[i] = 0.1 * math.Sin(float64(i))
	}
	args := []*tensor.Array{
		{DType: tensor.Float64, Shape: []int{}, Data: []float64{0.3}},
		{DType: tensor.Float64, Shape: []int{len(beta)}, Data: beta},
	}
	if _, err := f.Run(args...); err != nil {
		b.Fatal(err)
	}
	benchutil.Loop(b, func() { f.Run(args...) })
}
