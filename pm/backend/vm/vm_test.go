package vm_test

import (
	"math"
	"testing"

	"github.com/gopm-dev/gopm/pm/backend"
	_ "github.com/gopm-dev/gopm/pm/backend/debug"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// TestMatchesDebug: buffer recycling must not change a single bit (debug does not recycle).
func TestMatchesDebug(t *testing.T) {
	ins, outs := eightSchools()
	args := []any{1.5, 0.7, []float64{0.1, -0.3, 0.5, 1.2, -0.8, 0.0, 0.3, -1.1}}
	var res [2][]*tensor.Array
	for i, be := range []string{"vm", "debug"} {
		f, err := backend.Compile([]any{ins[0], ins[1], ins[2]}, outs, backend.Use(be))
		if err != nil {
			t.Fatal(err)
		}
		res[i], err = f.Call(args...)
		if err != nil {
			t.Fatal(err)
		}
	}
	for k := range res[0] {
		for j := range res[0][k].Data {
			a, b := res[0][k].Data[j], res[1][k].Data[j]
			if math.Float64bits(a) != math.Float64bits(b) {
				t.Errorf("output %d[%d]: vm %v, debug %v", k, j, a, b)
			}
		}
	}
	// The closed form of d logp / d mu: -mu/25 + sum((y - theta)/sigma^2).
	y := []float64{28, 8, -3, 7, -1, 1, 18, 12}
	sigma := []float64{15, 10, 16, 11, 9, 11, 10, 18}
	tt := args[2].([]float64)
	want := -1.5 / 25
	for i := range y {
		want += (y[i] - (1.5 + math.Exp(0.7)*tt[i])) / (sigma[i] * sigma[i])
	}
	if got := res[0][1].Data[0]; math.Abs(got-want) > 1e-12 {
		t.Errorf("dlogp/dmu = %v, want %v", got, want)
	}
}

// TestBigAndBroadcast compares the backends on a large vector with scalar operands.
func TestBigAndBroadcast(t *testing.T) {
	x := tensor.Vector("x")
	s := tensor.Scalar("s")
	e := tensor.Sum(tensor.Mul(tensor.Exp(tensor.Sub(x, s)), tensor.Log1p(tensor.Square(x))))
	g := tensor.Grad(e, x, s)
	xv := make([]float64, 1000)
	for i := range xv {
		xv[i] = math.Sin(float64(i)) * 3
	}
	var res [2][]*tensor.Array
	for i, be := range []string{"vm", "debug"} {
		f, err := backend.Compile([]any{x, s}, []*tensor.Tensor{e, g[0], g[1]}, backend.Use(be))
		if err != nil {
			t.Fatal(err)
		}
		if res[i], err = f.Call(xv, 0.25); err != nil {
			t.Fatal(err)
		}
	}
	for k := range res[0] {
		for j := range res[0][k].Data {
			if math.Float64bits(res[0][k].Data[j]) != math.Float64bits(res[1][k].Data[j]) {
				t.Fatalf("output %d[%d] differs: %v vs %v", k, j, res[0][k].Data[j], res[1][k].Data[j])
			}
		}
	}
}
