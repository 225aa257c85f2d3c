package vm_test

import (
	"math"
	"testing"

	"github.com/gopm-dev/gopm/pm/backend"
	_ "github.com/gopm-dev/gopm/pm/backend/vm"
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
	normal := func(x, m, s any) *tensor.Tensor {
		z := tensor.Div(tensor.Sub(x, m), s)
		return tensor.Sum(tensor.Sub(tensor.Mul(-0.5, tensor.Square(z)), tensor.Add(tensor.Log(s), 0.5*math.Log(2*math.Pi))))
	}
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
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.Run(args...); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(len(f.Graph().Nodes)), "nodes")
}
