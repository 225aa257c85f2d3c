package tensor

import (
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestShapeReshape(t *testing.T) {
	x := Const([][]float64{{1, 2, 3}, {4, 5, 6}})
	r := rsiEval(t, Reshape(x, 3, 2), Reshape(x, -1, 3), x.Reshape(6), Flatten(x), Reshape(x, 1, -1, 1))
	all := []float64{1, 2, 3, 4, 5, 6}
	rsiCheck(t, "reshape 3x2", r[0], []int{3, 2}, all, 0)
	rsiCheck(t, "reshape -1x3", r[1], []int{2, 3}, all, 0)
	rsiCheck(t, "reshape 6", r[2], []int{6}, all, 0)
	rsiCheck(t, "flatten", r[3], []int{6}, all, 0)
	rsiCheck(t, "reshape 1x-1x1", r[4], []int{1, 6, 1}, all, 0)
	if s := Reshape(x, 3, -1).Shape(); !sameShape(s, []int{3, 2}) {
		t.Errorf("static inferred shape %v", s)
	}

	// Unknown input dimensions: -1 is resolved at run time.
	v := Vector("v")
	rv := Reshape(v, -1, 2)
	if !sameShape(rv.Shape(), []int{Unknown, 2}) {
		t.Errorf("static shape of reshape(vector, -1, 2) is %v", rv.Shape())
	}
	out, err := rsiRun(t, []*Tensor{v}, []*Tensor{rv}, []float64{1, 2, 3, 4, 5, 6})
	if err != nil {
		t.Fatal(err)
	}
	rsiCheck(t, "reshape unknown", out[0], []int{3, 2}, all, 0)
	if _, err := rsiRun(t, []*Tensor{v}, []*Tensor{rv}, []float64{1, 2, 3}); err == nil || !strings.Contains(err.Error(), "cannot reshape") {
		t.Errorf("odd length into (-1, 2) at run time: %v", err)
	}

	rsiPanics(t, "size mismatch", func() { Reshape(x, 4, 2) }, "reshape", "[2 3]", "6 elements", "[4 2]")
	rsiPanics(t, "two free lengths", func() { Reshape(x, -1, -1) }, "reshape", "only one length may be -1")
	rsiPanics(t, "not divisible", func() { Reshape(x, -1, 4) }, "reshape", "cannot reshape")

	for _, f := range []func(in []*Tensor) *Tensor{
		func(in []*Tensor) *Tensor {
			return Reshape(in[0], 3, 2).Mul(Const([][]float64{{1, 2}, {3, 4}, {5, 6}}))
		},
		func(in []*Tensor) *Tensor { return Flatten(in[0]).Square() },
	} {
		if err := VerifyGrad(f, []any{[][]float64{{1, 2, 3}, {4, 5, 6}}}, nil); err != nil {
			t.Error(err)
		}
	}
	// The gradient of a reshape of an input of unknown shape takes the run-time shape back.
	m := Matrix("m")
	g := Grad(Sum(Square(Reshape(m, -1))), m)[0]
	out, err = rsiRun(t, []*Tensor{m}, []*Tensor{g}, [][]float64{{1, 2}, {3, 4}, {5, 6}})
	if err != nil {
		t.Fatal(err)
	}
	rsiCheck(t, "reshape grad", out[0], []int{3, 2}, []float64{2, 4, 6, 8, 10, 12}, 0)
}

func TestShapeTranspose(t *testing.T) {
	a := [][]float64{{1, 2, 3}, {4, 5, 6}}
	x := Const(a)
	want := mat.DenseCopyOf(mat.NewDense(2, 3, rsiFlat(a)).T())
	r := rsiEval(t, x.T(), Transpose(x, 1, 0), Transpose(x, -1, 0))
	for i := range r {
		rsiCheck(t, "transpose", r[i], []int{3, 2}, want.RawMatrix().Data, 0)
	}
	// A 3-d permutation against direct indexing.
	data := make([]float64, 24)
	for i := range data {
		data[i] = float64(i)
	}
	x3 := constArray(&Array{DType: Float64, Shape: []int{2, 3, 4}, Data: data})
	p := rsiEval(t, Transpose(x3, 2, 0, 1))[0]
	if !sameShape(p.Shape, []int{4, 2, 3}) {
		t.Fatalf("shape %v", p.Shape)
	}
	for i := 0; i < 4; i++ {
		for j := 0; j < 2; j++ {
			for k := 0; k < 3; k++ {
				if got, w := p.At(i, j, k), data[(j*3+k)*4+i]; got != w {
					t.Fatalf("transpose[%d %d %d] = %v, want %v", i, j, k, got, w)
				}
			}
		}
	}
	if v := Vector("v"); v.T() != v {
		t.Error("transpose of a vector should be the vector itself")
	}
	if err := VerifyGrad(func(in []*Tensor) *Tensor { return Transpose(in[0], 1, 2, 0).Mul(Transpose(in[0], 1, 2, 0)) },
		[]any{constArray(&Array{DType: Float64, Shape: []int{2, 3, 4}, Data: data}).Value()}, nil); err != nil {
		t.Error(err)
	}
	rsiPanics(t, "bad perm", func() { Transpose(x3, 0, 0, 1) }, "transpose", "not a permutation")
	rsiPanics(t, "short perm", func() { Transpose(x3, 0, 1) }, "transpose", "3 dimensions")
}

func TestShapeConcatenateStack(t *testing.T) {
	a := Const([][]float64{{1, 2}, {3, 4}})
	b := Const([][]float64{{5, 6}})
	c := Const([][]float64{{7}, {8}})
	r := rsiEval(t, Concatenate(0, a, b), Concatenate(-1, a, c), Stack(0, a, a), Stack(-1, []float64{1, 2}, []float64{3, 4}),
		Concatenate(0, []int{1, 2}, []float64{0.5}))
	rsiCheck(t, "concat axis 0", r[0], []int{3, 2}, []float64{1, 2, 3, 4, 5, 6}, 0)
	rsiCheck(t, "concat axis 1", r[1], []int{2, 3}, []float64{1, 2, 7, 3, 4, 8}, 0)
	rsiCheck(t, "stack axis 0", r[2], []int{2, 2, 2}, []float64{1, 2, 3, 4, 1, 2, 3, 4}, 0)
	rsiCheck(t, "stack axis -1", r[3], []int{2, 2}, []float64{1, 3, 2, 4}, 0)
	rsiCheck(t, "concat int and float", r[4], []int{3}, []float64{1, 2, 0.5}, 0)
	if r[4].DType != Float64 {
		t.Errorf("concat of int and float has dtype %s", r[4].DType)
	}

	// Unknown lengths along the axis.
	u, w := Vector("u"), Vector("w")
	cu := Concatenate(0, u, w, []float64{9})
	if !sameShape(cu.Shape(), []int{Unknown}) {
		t.Errorf("static shape %v", cu.Shape())
	}
	gs := Grad(Sum(Mul(cu, Const([]float64{1, 2, 3, 4, 5, 6}))), u, w)
	out, err := rsiRun(t, []*Tensor{u, w}, []*Tensor{cu, gs[0], gs[1]}, []float64{1, 2}, []float64{3, 4, 5})
	if err != nil {
		t.Fatal(err)
	}
	rsiCheck(t, "concat unknown", out[0], []int{6}, []float64{1, 2, 3, 4, 5, 9}, 0)
	rsiCheck(t, "concat grad u", out[1], []int{2}, []float64{1, 2}, 0)
	rsiCheck(t, "concat grad w", out[2], []int{3}, []float64{3, 4, 5}, 0)

	rsiPanics(t, "concat mismatch", func() { Concatenate(0, a, c) }, "concatenate", "[2 2]", "[2 1]", "dimension 1")
	rsiPanics(t, "concat ndim", func() { Concatenate(0, a, []float64{1, 2}) }, "concatenate", "2 dimensions vs 1")
	rsiPanics(t, "concat axis", func() { Concatenate(2, a, b) }, "concatenate", "axis 2")
	rsiPanics(t, "stack shapes", func() { Stack(0, a, []float64{1}) }, "stack", "[2 2]", "[1]")

	m := [][]float64{{1, 2}, {3, 4}}
	for _, f := range []func(in []*Tensor) *Tensor{
		func(in []*Tensor) *Tensor { return Concatenate(1, in[0], in[1], in[0]).Square() },
		func(in []*Tensor) *Tensor { return Stack(1, in[0], in[1]).Square() },
		// The gradient of the gradient goes through SplitLikeOp's gradient.
		func(in []*Tensor) *Tensor {
			return Grad(Sum(Square(Concatenate(0, in[0], Mul(in[1], in[1])))), in[1])[0]
		},
	} {
		if err := VerifyGrad(f, []any{m, [][]float64{{0.5, -1}, {2, 0.25}}}, nil); err != nil {
			t.Error(err)
		}
	}
}

func TestShapeRepeat(t *testing.T) {
	m := Const([][]float64{{1, 2}, {3, 4}})
	r := rsiEval(t, Repeat([]float64{1, 2}, 2, 0), Repeat(m, 3, 1), m.Repeat(2, -2), Repeat(m, 0, 0))
	rsiCheck(t, "repeat vector", r[0], []int{4}, []float64{1, 1, 2, 2}, 0)
	rsiCheck(t, "repeat axis 1", r[1], []int{2, 6}, []float64{1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4}, 0)
	rsiCheck(t, "repeat axis 0", r[2], []int{4, 2}, []float64{1, 2, 1, 2, 3, 4, 3, 4}, 0)
	rsiCheck(t, "repeat 0 times", r[3], []int{0, 2}, []float64{}, 0)
	pt := []any{[][]float64{{1, 2, -1}, {3, 4, 0.5}}}
	for _, f := range []func(in []*Tensor) *Tensor{
		func(in []*Tensor) *Tensor { return Repeat(in[0], 3, 1).Mul(Repeat(in[0], 3, 1)) },
		func(in []*Tensor) *Tensor { return Repeat(in[0], 2, 0).Square() },
		func(in []*Tensor) *Tensor { return Grad(Sum(Square(Repeat(in[0], 2, 1))), in[0])[0].Square() },
	} {
		if err := VerifyGrad(f, pt, nil); err != nil {
			t.Error(err)
		}
	}
	rsiPanics(t, "repeat axis", func() { Repeat(m, 2, 2) }, "repeat", "axis 2")
	rsiPanics(t, "repeat negative", func() { Repeat(m, -1, 0) }, "repeat", "negative")
}

func TestShapeBroadcastSqueeze(t *testing.T) {
	r := rsiEval(t, BroadcastTo([]float64{1, 2, 3}, 2, 3), BroadcastTo(Const([][]float64{{1}, {2}}), 2, 2), BroadcastTo(5.0, 2),
		Squeeze(Const([][]float64{{1, 2, 3}})), Squeeze(rsiZeros(1, 3, 1), -1))
	rsiCheck(t, "broadcast row", r[0], []int{2, 3}, []float64{1, 2, 3, 1, 2, 3}, 0)
	rsiCheck(t, "broadcast column", r[1], []int{2, 2}, []float64{1, 1, 2, 2}, 0)
	rsiCheck(t, "broadcast scalar", r[2], []int{2}, []float64{5, 5}, 0)
	rsiCheck(t, "squeeze all", r[3], []int{3}, []float64{1, 2, 3}, 0)
	rsiCheck(t, "squeeze last", r[4], []int{1, 3}, []float64{0, 0, 0}, 0)
	rsiPanics(t, "broadcast mismatch", func() { BroadcastTo([]float64{1, 2, 3}, 2, 2) }, "broadcast_to", "[3]", "[2 2]")
	rsiPanics(t, "broadcast smaller", func() { BroadcastTo(Const([][]float64{{1}}), 1) }, "broadcast_to", "smaller")
	rsiPanics(t, "squeeze non-1", func() { Squeeze(Const([][]float64{{1, 2}}), 1) }, "squeeze", "axis 1 of length 2")

	// Run-time checks for dimensions unknown when the graph was built.
	v := Vector("v")
	b := BroadcastTo(v, 2, 3)
	if _, err := rsiRun(t, []*Tensor{v}, []*Tensor{b}, []float64{1}); err == nil || !strings.Contains(err.Error(), "static length 1") {
		t.Errorf("an unknown dimension must not broadcast at run time: %v", err)
	}
	s := Squeeze(v, 0)
	out, err := rsiRun(t, []*Tensor{v}, []*Tensor{s, Grad(Square(s), v)[0]}, []float64{3})
	if err != nil {
		t.Fatal(err)
	}
	rsiCheck(t, "squeeze unknown", out[0], []int{}, []float64{3}, 0)
	rsiCheck(t, "squeeze unknown grad", out[1], []int{1}, []float64{6}, 0)
	if _, err := rsiRun(t, []*Tensor{v}, []*Tensor{s}, []float64{3, 4}); err == nil || !strings.Contains(err.Error(), "squeeze") {
		t.Errorf("squeezing a length-2 axis at run time: %v", err)
	}
	sh, err := rsiRun(t, []*Tensor{v}, []*Tensor{ShapeOf(v), ShapeOf(BroadcastTo(3.0, 2, 4))}, []float64{3, 4, 5})
	if err != nil {
		t.Fatal(err)
	}
	rsiCheck(t, "shape of", sh[0], []int{1}, []float64{3}, 0)
	rsiCheck(t, "shape of constant", sh[1], []int{2}, []float64{2, 4}, 0)

	for _, f := range []func(in []*Tensor) *Tensor{
		func(in []*Tensor) *Tensor {
			return BroadcastTo(in[0], 2, 4, 3).Mul(Const(rsiFlat(rsiRand(5, 8, 3))).Reshape(2, 4, 3))
		},
		func(in []*Tensor) *Tensor { return Squeeze(Reshape(in[0], 1, 3, 1)).Square() },
	} {
		if err := VerifyGrad(f, []any{[]float64{1, -2, 0.5}}, nil); err != nil {
			t.Error(err)
		}
	}
}

// rsiZeros is a zero float64 constant of the given shape.
func rsiZeros(shape ...int) *Tensor { return constArray(NewArray(Float64, shape...)) }

func TestShapeRepeatZeroGrad(t *testing.T) {
	x := Vector("x")
	g := Grad(Sum(Repeat(x, 0, 0)).Add(Sum(x)), x)[0]
	out, err := rsiRun(t, []*Tensor{x}, []*Tensor{g}, []float64{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	rsiCheck(t, "repeat 0 grad", out[0], []int{2}, []float64{1, 1}, 0)
}
