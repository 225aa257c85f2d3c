package tensor

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat"
)

// rsiRun compiles outs over the input variables with the reference evaluator and runs it once.
func rsiRun(t *testing.T, ins, outs []*Tensor, vals ...any) ([]*Array, error) {
	t.Helper()
	fg, err := NewFunctionGraph(ins, outs, nil)
	if err != nil {
		t.Fatalf("function graph: %v", err)
	}
	p, _ := newRefProgram(fg)
	arrs := make([]*Array, len(vals))
	for i, v := range vals {
		a, err := AsArray(v)
		if err != nil {
			t.Fatal(err)
		}
		a = a.Clone()
		a.DType = ins[i].DType()
		arrs[i] = a
	}
	res, err := p.Run(arrs)
	if err != nil {
		return nil, err
	}
	cp := make([]*Array, len(res))
	for i, r := range res {
		cp[i] = r.Clone()
	}
	return cp, nil
}

// rsiEval evaluates constant expressions, failing the test on error.
func rsiEval(t *testing.T, xs ...*Tensor) []*Array {
	t.Helper()
	r, err := Eval(xs...)
	if err != nil {
		t.Fatalf("eval: %v", err)
	}
	return r
}

// rsiCheck compares an array with the wanted shape and values (within tol; tol 0 is exact and
// treats NaNs as equal).
func rsiCheck(t *testing.T, what string, got *Array, shape []int, want []float64, tol float64) {
	t.Helper()
	if !sameShape(got.Shape, shape) {
		t.Errorf("%s: shape %v, want %v", what, got.Shape, shape)
		return
	}
	if len(got.Data) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got.Data), len(want))
		return
	}
	for i, w := range want {
		g := got.Data[i]
		if math.IsNaN(w) && math.IsNaN(g) || g == w {
			continue
		}
		if tol == 0 || math.Abs(g-w) > tol*math.Max(1, math.Abs(w)) {
			t.Errorf("%s: element %d is %v, want %v (all: %v)", what, i, g, w, got.Data)
			return
		}
	}
}

// rsiPanics asserts that f panics with an *Error whose message contains every fragment.
func rsiPanics(t *testing.T, what string, f func(), fragments ...string) {
	t.Helper()
	err := Catch(f)
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	for _, s := range fragments {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%s: error %q does not mention %q", what, err, s)
		}
	}
}

// rsiRand is a seeded random matrix as rows.
func rsiRand(seed uint64, r, c int) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	m := make([][]float64, r)
	for i := range m {
		m[i] = make([]float64, c)
		for j := range m[i] {
			m[i][j] = rng.NormFloat64()
		}
	}
	return m
}

// rsiLines returns the lines of a matrix along axis: its columns for axis 0, its rows for 1.
func rsiLines(m [][]float64, axis int) [][]float64 {
	if axis == 1 {
		return m
	}
	cols := make([][]float64, len(m[0]))
	for j := range cols {
		for i := range m {
			cols[j] = append(cols[j], m[i][j])
		}
	}
	return cols
}

func rsiFlat(m [][]float64) []float64 {
	var f []float64
	for _, r := range m {
		f = append(f, r...)
	}
	return f
}

// TestReduceValuesAgainstGonum checks every reduction of a matrix, over each axis and over all,
// against gonum's floats and stat applied line by line.
func TestReduceValuesAgainstGonum(t *testing.T) {
	m := rsiRand(1, 3, 4)
	x := Const(m)
	type ref func(v []float64) float64
	cases := []struct {
		name string
		f    func(x any, axes ...int) *Tensor
		ref  ref
		tol  float64
	}{
		{"max", Max, floats.Max, 0},
		{"min", Min, floats.Min, 0},
		{"prod", Prod, floats.Prod, 1e-14},
		{"logsumexp", LogSumExp, floats.LogSumExp, 1e-14},
		{"mean", Mean, func(v []float64) float64 { return stat.Mean(v, nil) }, 1e-14},
		{"var", Var, func(v []float64) float64 { return stat.PopVariance(v, nil) }, 1e-13},
		{"std", Std, func(v []float64) float64 { return stat.PopStdDev(v, nil) }, 1e-13},
		{"var-ddof1", func(x any, axes ...int) *Tensor { return VarDdof(x, 1, axes...) },
			func(v []float64) float64 { return stat.Variance(v, nil) }, 1e-13},
		{"std-ddof1", func(x any, axes ...int) *Tensor { return StdDdof(x, 1, axes...) },
			func(v []float64) float64 { return stat.StdDev(v, nil) }, 1e-13},
		{"argmax", Argmax, func(v []float64) float64 { return float64(floats.MaxIdx(v)) }, 0},
		{"argmin", Argmin, func(v []float64) float64 { return float64(floats.MinIdx(v)) }, 0},
	}
	for _, c := range cases {
		for _, axis := range []int{0, 1, -1} {
			a := axis
			if a < 0 {
				a += 2
			}
			lines := rsiLines(m, a)
			want := make([]float64, len(lines))
			for i, l := range lines {
				want[i] = c.ref(l)
			}
			got := rsiEval(t, c.f(x, axis))[0]
			rsiCheck(t, c.name+" axis "+string(rune('0'+a)), got, []int{len(lines)}, want, c.tol)
		}
		got := rsiEval(t, c.f(x))[0]
		rsiCheck(t, c.name+" all", got, []int{}, []float64{c.ref(rsiFlat(m))}, c.tol)
	}
}

// TestReduceMultiAxisKeepDims reduces a 3-d tensor over its outer axes and compares with direct
// loops.
func TestReduceMultiAxisKeepDims(t *testing.T) {
	const a, b, c = 2, 3, 4
	data := make([]float64, a*b*c)
	rng := rand.New(rand.NewPCG(2, 3))
	for i := range data {
		data[i] = rng.Float64()*4 - 2
	}
	x := constArray(&Array{DType: Float64, Shape: []int{a, b, c}, Data: data})
	wantMax := make([]float64, b)
	wantProd := make([]float64, b)
	wantLSE := make([]float64, b)
	for j := 0; j < b; j++ {
		wantMax[j] = math.Inf(-1)
		wantProd[j] = 1
		var s []float64
		for i := 0; i < a; i++ {
			for k := 0; k < c; k++ {
				v := data[(i*b+j)*c+k]
				wantMax[j] = math.Max(wantMax[j], v)
				wantProd[j] *= v
				s = append(s, v)
			}
		}
		wantLSE[j] = floats.LogSumExp(s)
	}
	r := rsiEval(t, MaxKeepDims(x, 0, 2), ProdKeepDims(x, 0, -1), LogSumExpKeepDims(x, 2, 0), Max(x, 0, 2))
	rsiCheck(t, "max keepdims", r[0], []int{1, b, 1}, wantMax, 0)
	rsiCheck(t, "prod keepdims", r[1], []int{1, b, 1}, wantProd, 1e-13)
	rsiCheck(t, "logsumexp keepdims", r[2], []int{1, b, 1}, wantLSE, 1e-13)
	rsiCheck(t, "max", r[3], []int{b}, wantMax, 0)
	// Argmax over two axes is the row-major offset within them.
	am := rsiEval(t, Argmax(x, 0, 2))[0]
	for j := 0; j < b; j++ {
		off := int(am.Data[j])
		i, k := off/c, off%c
		if data[(i*b+j)*c+k] != wantMax[j] {
			t.Errorf("argmax over axes 0,2 for column %d: offset %d holds %v, max is %v", j, off, data[(i*b+j)*c+k], wantMax[j])
		}
	}
}

// TestReduceLogSumExpStable checks values that overflow or underflow a naive evaluation.
func TestReduceLogSumExpStable(t *testing.T) {
	inf := math.Inf(1)
	cases := []struct {
		x    []float64
		want float64
	}{
		{[]float64{1000, 1000}, 1000 + math.Ln2},
		{[]float64{-1000, -1000 - math.Log(3)}, -1000 + math.Log(4.0/3)},
		{[]float64{-inf, -inf}, -inf},
		{[]float64{inf, 1}, inf},
		{[]float64{-inf, 0}, 0},
		{[]float64{math.NaN(), 1}, math.NaN()},
	}
	for _, c := range cases {
		got := rsiEval(t, LogSumExp(c.x))[0]
		rsiCheck(t, "logsumexp", got, []int{}, []float64{c.want}, 1e-15)
	}
	// An empty axis sums nothing: log(0).
	e := rsiEval(t, LogSumExp(constArray(NewArray(Float64, 2, 0)), 1))[0]
	rsiCheck(t, "logsumexp of empty rows", e, []int{2}, []float64{math.Inf(-1), math.Inf(-1)}, 0)
}

func TestReduceNaNAndTies(t *testing.T) {
	nan := math.NaN()
	r := rsiEval(t, Max([]float64{1, nan, 3}), Min([]float64{nan, 1}), Argmax([]float64{1, 3, 3}), Argmin([]float64{2, 1, 1}),
		Argmax([]float64{1, nan, 5, nan}), Argmin([]float64{1, nan, -5}))
	rsiCheck(t, "max nan", r[0], []int{}, []float64{nan}, 0)
	rsiCheck(t, "min nan", r[1], []int{}, []float64{nan}, 0)
	rsiCheck(t, "argmax tie", r[2], []int{}, []float64{1}, 0)
	rsiCheck(t, "argmin tie", r[3], []int{}, []float64{1}, 0)
	rsiCheck(t, "argmax nan", r[4], []int{}, []float64{1}, 0)
	rsiCheck(t, "argmin nan", r[5], []int{}, []float64{1}, 0)
	if r[2].DType != Int64 {
		t.Errorf("argmax dtype %s, want int64", r[2].DType)
	}
}

// TestReduceMaxGradTies: tied maxima share the gradient evenly.
func TestReduceMaxGradTies(t *testing.T) {
	x := Vector("x")
	g := Grad(Max(x), x)[0]
	gm := Grad(Min(x).Mul(2.0), x)[0]
	r, err := rsiRun(t, []*Tensor{x}, []*Tensor{g, gm}, []float64{1, 3, 3, -1, -1, 0})
	if err != nil {
		t.Fatal(err)
	}
	rsiCheck(t, "max grad", r[0], []int{6}, []float64{0, 0.5, 0.5, 0, 0, 0}, 0)
	rsiCheck(t, "min grad", r[1], []int{6}, []float64{0, 0, 0, 1, 1, 0}, 0)
}

// TestReduceProdGradZeros: the product of the other elements, also when some are zero.
func TestReduceProdGradZeros(t *testing.T) {
	cases := []struct{ x, want []float64 }{
		{[]float64{2, 3, 4}, []float64{12, 8, 6}},
		{[]float64{2, 0, 3}, []float64{0, 6, 0}},
		{[]float64{0, 2, 0}, []float64{0, 0, 0}},
		{[]float64{-1.5, 0.5, 2}, []float64{1, -3, -0.75}},
	}
	x := Vector("x")
	g := Grad(Prod(x), x)[0]
	for _, c := range cases {
		r, err := rsiRun(t, []*Tensor{x}, []*Tensor{g}, c.x)
		if err != nil {
			t.Fatal(err)
		}
		rsiCheck(t, "prod grad", r[0], []int{3}, c.want, 1e-15)
	}
	// Over rows of a matrix with one zero in a row.
	m := [][]float64{{1, 0, 2}, {3, 4, 5}}
	err := VerifyGrad(func(in []*Tensor) *Tensor { return Prod(in[0], 1) }, []any{m}, nil)
	if err != nil {
		t.Error(err)
	}
}

func TestReduceVerifyGrad(t *testing.T) {
	m := rsiRand(3, 3, 4)
	v := []float64{0.3, -1.2, 2.2, 0.7}
	cases := []struct {
		name string
		f    func(in []*Tensor) *Tensor
		pt   any
	}{
		{"max-all", func(in []*Tensor) *Tensor { return Max(in[0]) }, m},
		{"max-axis0", func(in []*Tensor) *Tensor { return Max(in[0], 0) }, m},
		{"max-keepdims", func(in []*Tensor) *Tensor { return MaxKeepDims(in[0], 1) }, m},
		{"min-axis1", func(in []*Tensor) *Tensor { return in[0].Min(1) }, m},
		{"prod-axis0", func(in []*Tensor) *Tensor { return Prod(in[0], 0) }, m},
		{"prod-all", func(in []*Tensor) *Tensor { return in[0].Prod() }, v},
		{"logsumexp-axis1", func(in []*Tensor) *Tensor { return LogSumExp(in[0], 1) }, m},
		{"logsumexp-all", func(in []*Tensor) *Tensor { return in[0].LogSumExp() }, m},
		{"logsumexp-keepdims", func(in []*Tensor) *Tensor { return LogSumExpKeepDims(in[0], 0) }, m},
		{"mean", func(in []*Tensor) *Tensor { return in[0].Mean(0) }, m},
		{"mean-keepdims", func(in []*Tensor) *Tensor { return MeanKeepDims(in[0], 1) }, m},
		{"var", func(in []*Tensor) *Tensor { return in[0].Var(1) }, m},
		{"var-keepdims", func(in []*Tensor) *Tensor { return VarKeepDims(in[0], 0) }, m},
		{"var-ddof", func(in []*Tensor) *Tensor { return VarDdof(in[0], 1) }, m},
		{"std", func(in []*Tensor) *Tensor { return in[0].Std() }, v},
		{"std-keepdims", func(in []*Tensor) *Tensor { return StdKeepDims(in[0], 1) }, m},
		{"std-ddof", func(in []*Tensor) *Tensor { return StdDdof(in[0], 1, 0) }, m},
		// Second derivatives through the gradients built from other ops.
		{"logsumexp-grad", func(in []*Tensor) *Tensor { return Grad(LogSumExp(in[0]), in[0])[0] }, v},
		{"prod-grad", func(in []*Tensor) *Tensor { return Grad(Prod(in[0]), in[0])[0] }, v},
		{"max-grad-of-expr", func(in []*Tensor) *Tensor { return Grad(Max(Mul(in[0], in[0])), in[0])[0] }, v},
	}
	for _, c := range cases {
		if err := VerifyGrad(c.f, []any{c.pt}, nil); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// TestReduceUnknownDims: the count Mean and Var divide by comes from the run-time shape.
func TestReduceUnknownDims(t *testing.T) {
	x := Matrix("x")
	outs := []*Tensor{Mean(x), Var(x, 0), Std(x, 1), SizeOf(x, 1), Max(x, 0), Argmax(x, 1)}
	if outs[0].Shape() == nil || len(outs[1].Shape()) != 1 || outs[1].Shape()[0] != Unknown {
		t.Fatalf("static shapes: %v %v", outs[0].Shape(), outs[1].Shape())
	}
	m := rsiRand(4, 5, 2)
	r, err := rsiRun(t, []*Tensor{x}, outs, m)
	if err != nil {
		t.Fatal(err)
	}
	rsiCheck(t, "mean", r[0], []int{}, []float64{stat.Mean(rsiFlat(m), nil)}, 1e-14)
	cols := rsiLines(m, 0)
	rsiCheck(t, "var axis 0", r[1], []int{2}, []float64{stat.PopVariance(cols[0], nil), stat.PopVariance(cols[1], nil)}, 1e-13)
	var stds, amax []float64
	for _, row := range m {
		stds = append(stds, stat.PopStdDev(row, nil))
		amax = append(amax, float64(floats.MaxIdx(row)))
	}
	rsiCheck(t, "std axis 1", r[2], []int{5}, stds, 1e-13)
	rsiCheck(t, "size", r[3], []int{}, []float64{2}, 0)
	rsiCheck(t, "max axis 0", r[4], []int{2}, []float64{floats.Max(cols[0]), floats.Max(cols[1])}, 0)
	rsiCheck(t, "argmax axis 1", r[5], []int{5}, amax, 0)
	// An empty axis is caught when the function runs.
	if _, err := rsiRun(t, []*Tensor{x}, []*Tensor{Max(x, 1)}, NewArray(Float64, 3, 0)); err == nil || !strings.Contains(err.Error(), "length 0") {
		t.Errorf("max over an empty axis at run time: %v", err)
	}
}

func TestReduceErrors(t *testing.T) {
	m := Matrix("m")
	rsiPanics(t, "axis out of range", func() { Max(m, 2) }, "max", "axis 2", "2 dimensions")
	rsiPanics(t, "negative axis out of range", func() { Mean(m, -3) }, "mean", "axis -3")
	rsiPanics(t, "repeated axis", func() { LogSumExp(m, 0, -2) }, "logsumexp", "repeated")
	rsiPanics(t, "empty axis", func() { Min(NewVar("e", Float64, 3, 0), 1) }, "min", "length 0")
	rsiPanics(t, "argmax empty", func() { Argmax(NewVar("e", Float64, 0)) }, "argmax", "length 0")
	rsiPanics(t, "negative ddof", func() { VarDdof(m, -1) }, "var", "ddof")
	// Integer inputs: no gradient through argmax, and int products stay int.
	if d := Prod([]int{2, 3}).DType(); d != Int64 {
		t.Errorf("prod of ints has dtype %s", d)
	}
	if d := Mean([]int{2, 3}).DType(); d != Float64 {
		t.Errorf("mean of ints has dtype %s", d)
	}
	x := Vector("x")
	g := Grad(Sum(Mul(Cast(Argmax(x), Float64), x)), x)[0]
	r, err := rsiRun(t, []*Tensor{x}, []*Tensor{g}, []float64{1, 5, 2})
	if err != nil {
		t.Fatal(err)
	}
	// d/dx (argmax(x) * sum(x)) with argmax piecewise constant: argmax everywhere.
	rsiCheck(t, "argmax has no gradient", r[0], []int{3}, []float64{1, 1, 1}, 0)
}
