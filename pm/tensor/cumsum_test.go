package tensor

import (
	"testing"

	"gonum.org/v1/gonum/floats"
)

// TestCumsumAgainstGonum compares cumulative sums and products along each axis of a matrix with
// gonum's floats.CumSum and floats.CumProd applied line by line.
func TestCumsumAgainstGonum(t *testing.T) {
	m := rsiRand(9, 3, 4)
	x := Const(m)
	for _, axis := range []int{0, 1, -1} {
		a := axis
		if a < 0 {
			a += 2
		}
		r := rsiEval(t, Cumsum(x, axis), x.Cumprod(axis))
		for which, f := range []func(dst, s []float64) []float64{floats.CumSum, floats.CumProd} {
			lines := rsiLines(m, a)
			want := make([][]float64, len(lines))
			for i, l := range lines {
				want[i] = f(make([]float64, len(l)), l)
			}
			if a == 0 {
				want = rsiLines(want, 0) // columns back into rows
			}
			rsiCheck(t, []string{"cumsum", "cumprod"}[which], r[which], []int{3, 4}, rsiFlat(want), 1e-14)
		}
	}
	r := rsiEval(t, Cumsum([]int{1, 2, 3}, 0), Cumsum([]bool{true, false, true}, 0),
		Apply1(CumOp{Axis: 0, Reverse: true}, Const([]float64{1, 2, 3})),
		Apply1(CumOp{Axis: 1, Prod: true, Reverse: true}, Const([][]float64{{1, 2, 3}, {4, 5, 6}})))
	rsiCheck(t, "cumsum ints", r[0], []int{3}, []float64{1, 3, 6}, 0)
	if r[0].DType != Int64 || r[1].DType != Int64 {
		t.Errorf("cumsum of ints/bools: dtypes %s %s, want int64", r[0].DType, r[1].DType)
	}
	rsiCheck(t, "cumsum bools", r[1], []int{3}, []float64{1, 1, 2}, 0)
	rsiCheck(t, "reverse cumsum", r[2], []int{3}, []float64{6, 5, 3}, 0)
	rsiCheck(t, "reverse cumprod", r[3], []int{2, 3}, []float64{6, 6, 3, 120, 30, 6}, 0)
	rsiPanics(t, "axis", func() { Cumsum(x, 2) }, "cumsum", "axis 2")
	rsiPanics(t, "scalar", func() { Cumprod(1.0, 0) }, "cumprod", "axis 0")
}

func TestCumsumGrad(t *testing.T) {
	pt := []any{rsiRand(10, 3, 4)}
	for _, f := range []func(in []*Tensor) *Tensor{
		func(in []*Tensor) *Tensor { return Cumsum(in[0], 0) },
		func(in []*Tensor) *Tensor { return in[0].Cumsum(1).Square() },
		func(in []*Tensor) *Tensor { return Cumprod(in[0], 1) },
		func(in []*Tensor) *Tensor { return Cumprod(in[0], 0).Mul(in[0]) },
		func(in []*Tensor) *Tensor { return Grad(Sum(Square(Cumsum(in[0], 1))), in[0])[0] },
		func(in []*Tensor) *Tensor { return Grad(Sum(Cumprod(in[0], 0)), in[0])[0] },
	} {
		if err := VerifyGrad(f, pt, nil); err != nil {
			t.Error(err)
		}
	}
	// Unknown length: the reverse sum runs over the run-time length.
	x := Vector("x")
	g := Grad(Sum(Mul(Cumsum(x, 0), Cumsum(x, 0))), x)[0]
	out, err := rsiRun(t, []*Tensor{x}, []*Tensor{g}, []float64{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	// y = [1 3 6]; dL/dx_j = 2 * sum_{i>=j} y_i.
	rsiCheck(t, "cumsum grad", out[0], []int{3}, []float64{20, 18, 12}, 0)
}
