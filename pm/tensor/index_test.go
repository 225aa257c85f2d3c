package tensor

import (
	"strings"
	"testing"
)

func TestIndexAt(t *testing.T) {
	v := Const([]float64{10, 20, 30})
	m := Const([][]float64{{1, 2, 3}, {4, 5, 6}})
	r := rsiEval(t, v.At(0), v.At(-1), m.At(1), m.At(1, 2), m.At(-2, -3), At(m))
	rsiCheck(t, "v[0]", r[0], []int{}, []float64{10}, 0)
	rsiCheck(t, "v[-1]", r[1], []int{}, []float64{30}, 0)
	rsiCheck(t, "m[1]", r[2], []int{3}, []float64{4, 5, 6}, 0)
	rsiCheck(t, "m[1,2]", r[3], []int{}, []float64{6}, 0)
	rsiCheck(t, "m[-2,-3]", r[4], []int{}, []float64{1}, 0)
	rsiCheck(t, "m[]", r[5], []int{2, 3}, []float64{1, 2, 3, 4, 5, 6}, 0)

	rsiPanics(t, "static range", func() { v.At(3) }, "at", "index 3", "axis 0 of length 3")
	rsiPanics(t, "static negative range", func() { m.At(0, -4) }, "at", "index -4", "axis 1 of length 3")
	rsiPanics(t, "too many indices", func() { v.At(0, 0) }, "at", "2 indices", "[3]")

	// Unknown length: resolved and checked when the function runs.
	x := Vector("x")
	out, err := rsiRun(t, []*Tensor{x}, []*Tensor{x.At(-1), x.At(1)}, []float64{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	rsiCheck(t, "x[-1]", out[0], []int{}, []float64{4}, 0)
	rsiCheck(t, "x[1]", out[1], []int{}, []float64{2}, 0)
	if _, err := rsiRun(t, []*Tensor{x}, []*Tensor{x.At(5)}, []float64{1, 2}); err == nil || !strings.Contains(err.Error(), "index 5 is out of range for axis 0 of length 2") {
		t.Errorf("run-time range check: %v", err)
	}

	// Gradients: beta.At(0)*a + beta.At(1)*b style.
	for _, f := range []func(in []*Tensor) *Tensor{
		func(in []*Tensor) *Tensor { return in[0].At(0).Mul(in[0].At(2)).Add(in[0].At(-1).Square()) },
		func(in []*Tensor) *Tensor { return Reshape(in[0], 2, 2).At(1).Mul(Reshape(in[0], 2, 2).At(0)) },
		func(in []*Tensor) *Tensor { return Grad(Square(in[0].At(1)).Mul(in[0].At(3)), in[0])[0] },
	} {
		if err := VerifyGrad(f, []any{[]float64{0.5, -1.5, 2, 3}}, nil); err != nil {
			t.Error(err)
		}
	}
}

// TestIndexSlicePython compares with the results CPython 3 gives for list(range(5))[start:stop:step].
func TestIndexSlicePython(t *testing.T) {
	cases := []struct {
		start, stop, step int
		want              []float64
	}{
		{1, 4, 1, []float64{1, 2, 3}},
		{None, None, -1, []float64{4, 3, 2, 1, 0}},
		{-2, None, 1, []float64{3, 4}},
		{4, 0, -2, []float64{4, 2}},
		{None, None, 2, []float64{0, 2, 4}},
		{10, 20, 1, []float64{}},
		{-10, 2, 1, []float64{0, 1}},
		{3, None, -1, []float64{3, 2, 1, 0}},
		{-1, -6, -1, []float64{4, 3, 2, 1, 0}},
		{1, -1, 2, []float64{1, 3}},
		{None, -3, -1, []float64{4, 3}},
		{7, None, -2, []float64{4, 2, 0}},
		{-7, None, -1, []float64{}},
	}
	v := Const([]float64{0, 1, 2, 3, 4})
	x := Vector("x")
	for _, c := range cases {
		got := rsiEval(t, v.Slice(0, c.start, c.stop, c.step))[0]
		rsiCheck(t, "slice", got, []int{len(c.want)}, c.want, 0)
		// The same with the length known only at run time.
		out, err := rsiRun(t, []*Tensor{x}, []*Tensor{x.Slice(0, c.start, c.stop, c.step)}, []float64{0, 1, 2, 3, 4})
		if err != nil {
			t.Fatal(err)
		}
		rsiCheck(t, "slice unknown", out[0], []int{len(c.want)}, c.want, 0)
	}
}

func TestIndexSliceMatrix(t *testing.T) {
	m := Const([][]float64{{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}})
	r := rsiEval(t, m.Slice(1, 0, None, 2), m.Slice(0, 1, None, 1), m.Slice(-1, None, None, -1), m.Slice(0, None, None, -2))
	rsiCheck(t, "m[:, ::2]", r[0], []int{3, 2}, []float64{1, 3, 5, 7, 9, 11}, 0)
	rsiCheck(t, "m[1:]", r[1], []int{2, 4}, []float64{5, 6, 7, 8, 9, 10, 11, 12}, 0)
	rsiCheck(t, "m[:, ::-1]", r[2], []int{3, 4}, []float64{4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9}, 0)
	rsiCheck(t, "m[::-2]", r[3], []int{2, 4}, []float64{9, 10, 11, 12, 1, 2, 3, 4}, 0)
	rsiPanics(t, "zero step", func() { m.Slice(0, 0, 1, 0) }, "slice", "step is zero")
	rsiPanics(t, "bad axis", func() { m.Slice(2, 0, 1, 1) }, "slice", "axis 2")
	pt := []any{rsiRand(6, 3, 4)}
	for _, f := range []func(in []*Tensor) *Tensor{
		func(in []*Tensor) *Tensor { return in[0].Slice(1, 1, None, 2).Square() },
		func(in []*Tensor) *Tensor { return in[0].Slice(0, None, None, -1).Mul(in[0]) },
		func(in []*Tensor) *Tensor { return in[0].Slice(0, 1, 3, 1).Slice(1, -1, 0, -1).Square() },
		func(in []*Tensor) *Tensor {
			return Grad(Sum(Square(in[0].Slice(1, 0, 2, 1))).Mul(Sum(in[0])), in[0])[0]
		},
	} {
		if err := VerifyGrad(f, pt, nil); err != nil {
			t.Error(err)
		}
	}
}

func TestIndexIncSet(t *testing.T) {
	m := Const([][]float64{{1, 2, 3}, {4, 5, 6}})
	r := rsiEval(t, IncAt(m, 10.0, 1), SetAt(m, []float64{7, 8, 9}, 0), IncAt(m, 100.0, 0, 2),
		IncSlice(m, []float64{1, 1}, 1, None, None, 2), SetSlice(m, Const([][]float64{{0}, {-1}}), 1, 1, 3, 1),
		SetAt([]int{1, 2, 3}, 7, -1))
	rsiCheck(t, "inc_at row", r[0], []int{2, 3}, []float64{1, 2, 3, 14, 15, 16}, 0)
	rsiCheck(t, "set_at row", r[1], []int{2, 3}, []float64{7, 8, 9, 4, 5, 6}, 0)
	rsiCheck(t, "inc_at element", r[2], []int{2, 3}, []float64{1, 2, 103, 4, 5, 6}, 0)
	rsiCheck(t, "inc_slice", r[3], []int{2, 3}, []float64{2, 2, 4, 5, 5, 7}, 0)
	rsiCheck(t, "set_slice", r[4], []int{2, 3}, []float64{1, 0, 0, 4, -1, -1}, 0)
	rsiCheck(t, "set_at ints", r[5], []int{3}, []float64{1, 2, 7}, 0)
	if r[5].DType != Int64 {
		t.Errorf("set_at on ints has dtype %s", r[5].DType)
	}
	rsiPanics(t, "value shape", func() { SetAt(m, []float64{1, 2}, 0) }, "set_subtensor", "[2]", "[3]")
	pt := []any{[][]float64{{1, 2, 3}, {4, 5, 6}}, []float64{0.5, -1, 2}}
	for _, f := range []func(in []*Tensor) *Tensor{
		func(in []*Tensor) *Tensor { return IncAt(in[0], in[1], 1).Square() },
		func(in []*Tensor) *Tensor { return SetAt(in[0], in[1], 0).Square() },
		func(in []*Tensor) *Tensor { return IncAt(in[0], in[1].At(2), 1, 1).Square() },
		func(in []*Tensor) *Tensor { return SetSlice(in[0], in[1].Slice(0, 0, 2, 1), 1, 0, None, 2).Square() },
		func(in []*Tensor) *Tensor { return IncSlice(in[0], in[1], 0, 1, 2, 1).Square() },
		func(in []*Tensor) *Tensor { return Grad(Sum(Square(SetAt(in[0], in[1], 1))), in[1])[0].Mul(in[1]) },
	} {
		if err := VerifyGrad(f, pt, nil); err != nil {
			t.Error(err)
		}
	}
}

func TestIndexTake(t *testing.T) {
	a := Const([]float64{10, 20, 30, 40})
	m := Const([][]float64{{1, 2, 3}, {4, 5, 6}})
	r := rsiEval(t, a.Index([]int{3, 0, 0, -1}), Take(m, []int{1, 1, 0}, 0), Take(m, []int{2, 0}, 1),
		Take(m, Const([][]int{{0, 2}, {1, 1}}), -1), Take(a, 2, 0))
	rsiCheck(t, "a[group]", r[0], []int{4}, []float64{40, 10, 10, 40}, 0)
	rsiCheck(t, "take rows", r[1], []int{3, 3}, []float64{4, 5, 6, 4, 5, 6, 1, 2, 3}, 0)
	rsiCheck(t, "take columns", r[2], []int{2, 2}, []float64{3, 1, 6, 4}, 0)
	rsiCheck(t, "take with index matrix", r[3], []int{2, 2, 2}, []float64{1, 3, 2, 2, 4, 6, 5, 5}, 0)
	rsiCheck(t, "take scalar index", r[4], []int{}, []float64{30}, 0)

	// The gradient scatter-adds: repeated positions accumulate.
	x := Vector("x")
	g := IVector("g")
	y := x.Index(g)
	gr := Grad(Sum(Mul(y, Const([]float64{1, 2, 4, 8}))), x)[0]
	out, err := rsiRun(t, []*Tensor{x, g}, []*Tensor{y, gr}, []float64{1, 2, 3}, []int{0, 2, 0, -3})
	if err != nil {
		t.Fatal(err)
	}
	rsiCheck(t, "gather", out[0], []int{4}, []float64{1, 3, 1, 1}, 0)
	rsiCheck(t, "scatter-add grad", out[1], []int{3}, []float64{1 + 4 + 8, 0, 2}, 0)
	for _, bad := range [][]int{{0, 3}, {-4}} {
		_, err := rsiRun(t, []*Tensor{x, g}, []*Tensor{y}, []float64{1, 2, 3}, bad)
		if err == nil || !strings.Contains(err.Error(), "out of range for axis 0 of length 3") || !strings.Contains(err.Error(), "index "+itoa(bad[len(bad)-1])) {
			t.Errorf("positions %v: %v", bad, err)
		}
	}
	rsiPanics(t, "float positions", func() { Take(a, []float64{1}, 0) }, "take", "float64", "int64")
	rsiPanics(t, "bad axis", func() { Take(a, []int{0}, 1) }, "take", "axis 1")

	idx := []int{2, 0, 2, 1}
	for _, f := range []func(in []*Tensor) *Tensor{
		func(in []*Tensor) *Tensor { return Take(in[0], idx, 0).Square() },
		func(in []*Tensor) *Tensor { return Take(in[0], idx, 1).Square() },
		func(in []*Tensor) *Tensor { return Take(in[0], Const([][]int{{0, 1}, {1, 1}}), 0).Square() },
		func(in []*Tensor) *Tensor { return Grad(Sum(Square(Take(in[0], idx, 0))).Mul(Sum(in[0])), in[0])[0] },
	} {
		if err := VerifyGrad(f, []any{rsiRand(7, 3, 3)}, nil); err != nil {
			t.Error(err)
		}
	}
}

func itoa(i int) string {
	return strings.TrimSpace(formatElem(Int64, float64(i)))
}

func TestIndexIncTake(t *testing.T) {
	a := Const([]float64{1, 2, 3})
	m := Const([][]float64{{1, 2}, {3, 4}})
	r := rsiEval(t, IncTake(a, []int{0, 0, 2}, []float64{10, 20, 30}, 0), SetTake(a, []int{1, 1}, []float64{7, 8}, 0),
		IncTake(m, []int{1}, Const([][]float64{{5}, {6}}), 1), IncTake(a, []int{2, 2}, 1.0, 0))
	rsiCheck(t, "inc_take", r[0], []int{3}, []float64{31, 2, 33}, 0)
	rsiCheck(t, "set_take last wins", r[1], []int{3}, []float64{1, 8, 3}, 0)
	rsiCheck(t, "inc_take columns", r[2], []int{2, 2}, []float64{1, 7, 3, 10}, 0)
	rsiCheck(t, "inc_take broadcast", r[3], []int{3}, []float64{1, 2, 5}, 0)
	rsiPanics(t, "values shape", func() { IncTake(a, []int{0, 1}, []float64{1, 2, 3}, 0) }, "add", "[3]", "[2]")
	pt := []any{[]float64{1, -2, 3, 0.5}, []float64{0.5, 2, -1}}
	for _, f := range []func(in []*Tensor) *Tensor{
		func(in []*Tensor) *Tensor { return IncTake(in[0], []int{3, 0, 3}, in[1], 0).Square() },
		func(in []*Tensor) *Tensor { return SetTake(in[0], []int{3, 0, 1}, in[1], 0).Square() },
	} {
		if err := VerifyGrad(f, pt, nil); err != nil {
			t.Error(err)
		}
	}
}

func TestIndexMask(t *testing.T) {
	a := Const([]float64{1, 2, 3, 4})
	m := Const([][]float64{{1, 2}, {3, 4}, {5, 6}})
	r := rsiEval(t, a.Mask([]bool{true, false, false, true}), m.Index([]bool{false, true, true}),
		m.Mask([][]bool{{true, false}, {false, false}, {true, true}}), a.Mask([]bool{false, false, false, false}))
	rsiCheck(t, "vector mask", r[0], []int{2}, []float64{1, 4}, 0)
	rsiCheck(t, "row mask", r[1], []int{2, 2}, []float64{3, 4, 5, 6}, 0)
	rsiCheck(t, "matrix mask", r[2], []int{3}, []float64{1, 5, 6}, 0)
	rsiCheck(t, "empty mask", r[3], []int{0}, []float64{}, 0)
	rsiPanics(t, "mask shape", func() { a.Mask([]bool{true, false}) }, "mask", "[2]", "[4]")
	rsiPanics(t, "symbolic mask", func() { a.Mask(Gt(Vector("v"), 0.0)) }, "mask", "not a constant", "Where")
	rsiPanics(t, "int mask", func() { Mask(a, []int{1, 0, 1, 1}) }, "mask", "int64", "bool")
	rsiPanics(t, "shared mask", func() { a.Mask(Gt(Shared("s", []float64{1, 0, 1, 1}), 0.0)) }, "mask", "not a constant")
	// A mask computed from constants is evaluated when the graph is built.
	pos := rsiEval(t, a.Mask(Gt(a, 2.5)), m.Index(Lt(Const([]float64{1, 5, 0}), 2.0)))
	rsiCheck(t, "constant expression mask", pos[0], []int{2}, []float64{3, 4}, 0)
	rsiCheck(t, "constant expression row mask", pos[1], []int{2, 2}, []float64{1, 2, 5, 6}, 0)

	// A mask on a tensor of unknown length is checked when the function runs.
	x := Vector("x")
	y := x.Mask([]bool{true, false, true})
	g := Grad(Sum(Square(y)), x)[0]
	out, err := rsiRun(t, []*Tensor{x}, []*Tensor{y, g}, []float64{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	rsiCheck(t, "mask unknown", out[0], []int{2}, []float64{1, 3}, 0)
	rsiCheck(t, "mask grad", out[1], []int{3}, []float64{2, 0, 6}, 0)
	if _, err := rsiRun(t, []*Tensor{x}, []*Tensor{y}, []float64{1, 2}); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("mask length mismatch at run time: %v", err)
	}
	if err := VerifyGrad(func(in []*Tensor) *Tensor {
		return in[0].Mask([][]bool{{true, false, true}, {false, true, true}}).Square()
	}, []any{rsiRand(8, 2, 3)}, nil); err != nil {
		t.Error(err)
	}
}

func TestIndexPP(t *testing.T) {
	x := Vector("x")
	m := Matrix("m")
	g := IVector("g")
	cases := []struct {
		e    *Tensor
		want string
	}{
		{x.At(0), "x[0]"},
		{m.At(1, -1), "m[1,-1]"},
		{m.Slice(1, 1, 3, 1), "m[:, 1:3]"},
		{x.Slice(0, None, None, -1), "x[::-1]"},
		{x.Index(g), "x[g]"},
	}
	for _, c := range cases {
		if got := PP(c.e); got != c.want {
			t.Errorf("PP = %q, want %q", got, c.want)
		}
	}
}
