package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// laRandMat is a seeded r×c matrix with entries in [-1, 1).
func laRandMat(rng *rand.Rand, r, c int) [][]float64 {
	m := make([][]float64, r)
	for i := range m {
		m[i] = make([]float64, c)
		for j := range m[i] {
			m[i][j] = 2*rng.Float64() - 1
		}
	}
	return m
}

func laRandVec(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 2*rng.Float64() - 1
	}
	return v
}

// laSPD is a seeded symmetric positive definite n×n matrix: B Bᵀ + n I.
func laSPD(rng *rand.Rand, n int) [][]float64 {
	b := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			b.Set(i, j, 2*rng.Float64()-1)
		}
	}
	var a mat.Dense
	a.Mul(b, b.T())
	out := make([][]float64, n)
	for i := range out {
		out[i] = make([]float64, n)
		for j := range out[i] {
			out[i][j] = a.At(i, j)
		}
		out[i][i] += float64(n)
	}
	return out
}

func laDense(m [][]float64) *mat.Dense {
	d := mat.NewDense(len(m), len(m[0]), nil)
	for i, r := range m {
		d.SetRow(i, r)
	}
	return d
}

func laEval(t *testing.T, x *Tensor) *Array {
	t.Helper()
	r, err := Eval(x)
	if err != nil {
		t.Fatalf("eval %s: %v", PP(x), err)
	}
	return r[0]
}

func laClose(t *testing.T, what string, got []float64, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d elements, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol*math.Max(1, math.Abs(want[i])) {
			t.Fatalf("%s: element %d is %.15g, want %.15g", what, i, got[i], want[i])
		}
	}
}

func laFlat(m mat.Matrix) []float64 {
	r, c := m.Dims()
	out := make([]float64, 0, r*c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			out = append(out, m.At(i, j))
		}
	}
	return out
}

func TestLinalgDotValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	a := laRandMat(rng, 4, 3)
	b := laRandMat(rng, 3, 5)
	v3 := laRandVec(rng, 3)
	v4 := laRandVec(rng, 4)

	// matrix·matrix
	var want mat.Dense
	want.Mul(laDense(a), laDense(b))
	got := laEval(t, Dot(a, b))
	if !sameShape(got.Shape, []int{4, 5}) {
		t.Fatalf("dot shape %v", got.Shape)
	}
	laClose(t, "matrix·matrix", got.Data, laFlat(&want), 1e-14)

	// matrix·vector
	var mv mat.VecDense
	mv.MulVec(laDense(a), mat.NewVecDense(3, v3))
	laClose(t, "matrix·vector", laEval(t, As(a).Dot(v3)).Data, mv.RawVector().Data, 1e-14)

	// vector·matrix = Aᵀ v
	var vm mat.VecDense
	vm.MulVec(laDense(a).T(), mat.NewVecDense(4, v4))
	laClose(t, "vector·matrix", laEval(t, Dot(v4, a)).Data, vm.RawVector().Data, 1e-14)

	// vector·vector
	vv := laEval(t, Dot(v3, v3))
	if len(vv.Shape) != 0 {
		t.Fatalf("vector·vector shape %v, want scalar", vv.Shape)
	}
	laClose(t, "vector·vector", vv.Data, []float64{mat.Dot(mat.NewVecDense(3, v3), mat.NewVecDense(3, v3))}, 1e-14)

	// scalar operand multiplies
	laClose(t, "scalar·vector", laEval(t, Dot(2.0, v3)).Data, []float64{2 * v3[0], 2 * v3[1], 2 * v3[2]}, 0)

	// transposed variants against gonum
	at := laRandMat(rng, 3, 4) // stored 3×4, used as 4×3
	bt := laRandMat(rng, 5, 3) // stored 5×3, used as 3×5
	for _, c := range []struct {
		ta, tb bool
		x, y   [][]float64
		wx, wy mat.Matrix
	}{
		{false, true, a, bt, laDense(a), laDense(bt).T()},
		{true, false, at, b, laDense(at).T(), laDense(b)},
		{true, true, at, bt, laDense(at).T(), laDense(bt).T()},
	} {
		var w mat.Dense
		w.Mul(c.wx, c.wy)
		g := laEval(t, Apply1(DotOp{TransA: c.ta, TransB: c.tb}, Const(c.x), Const(c.y)))
		laClose(t, DotOp{TransA: c.ta, TransB: c.tb}.String(), g.Data, laFlat(&w), 1e-14)
	}

	// Outer
	var o mat.Dense
	o.Outer(1, mat.NewVecDense(4, v4), mat.NewVecDense(3, v3))
	laClose(t, "outer", laEval(t, Outer(v4, v3)).Data, laFlat(&o), 0)

	// Integer dot stays integer.
	id := laEval(t, Dot([]int{1, 2, 3}, []int{4, 5, 6}))
	if id.DType != Int64 || id.Data[0] != 32 {
		t.Fatalf("int dot = %v (%s), want 32 int64", id, id.DType)
	}
}

func TestLinalgMatMulBatched(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := NewArray(Float64, 2, 3, 4)
	y := NewArray(Float64, 2, 4, 2)
	for i := range x.Data {
		x.Data[i] = rng.NormFloat64()
	}
	for i := range y.Data {
		y.Data[i] = rng.NormFloat64()
	}
	got := laEval(t, MatMul(x, y))
	if !sameShape(got.Shape, []int{2, 3, 2}) {
		t.Fatalf("shape %v", got.Shape)
	}
	for bi := 0; bi < 2; bi++ {
		var w mat.Dense
		w.Mul(mat.NewDense(3, 4, x.Data[bi*12:(bi+1)*12]), mat.NewDense(4, 2, y.Data[bi*8:(bi+1)*8]))
		laClose(t, "batch", got.Data[bi*6:(bi+1)*6], laFlat(&w), 1e-14)
	}
	// 2-d MatMul is Dot.
	a := laRandMat(rng, 2, 3)
	b := laRandMat(rng, 3, 2)
	laClose(t, "matmul 2-d", laEval(t, As(a).MatMul(b)).Data, laEval(t, Dot(a, b)).Data, 0)
	if err := VerifyGrad(func(in []*Tensor) *Tensor { return MatMul(in[0], in[1]) }, []any{x, y}, nil); err != nil {
		t.Error(err)
	}
	tr := Apply1(BatchMatMulOp{TransA: true, TransB: true}, NewVar("p", Float64, 2, 4, 3), NewVar("q", Float64, 2, 2, 4))
	if !sameShape(tr.Shape(), []int{2, 3, 2}) {
		t.Fatalf("transposed batch shape %v", tr.Shape())
	}
	for _, fl := range [][2]bool{{true, false}, {false, true}, {true, true}} {
		ta, tb := fl[0], fl[1]
		p := NewArray(Float64, 2, 4, 3)
		q := NewArray(Float64, 2, 2, 4)
		for i := range p.Data {
			p.Data[i] = rng.NormFloat64()
		}
		for i := range q.Data {
			q.Data[i] = rng.NormFloat64()
		}
		if !ta {
			p.Shape = []int{2, 3, 4}
		}
		if !tb {
			q.Shape = []int{2, 4, 2}
		}
		err := VerifyGrad(func(in []*Tensor) *Tensor {
			return Apply1(BatchMatMulOp{TransA: ta, TransB: tb}, in[0], in[1])
		}, []any{p, q}, nil)
		if err != nil {
			t.Errorf("batch %v %v: %v", ta, tb, err)
		}
	}
}

func TestLinalgDotGrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	a := laRandMat(rng, 4, 3)
	b := laRandMat(rng, 3, 2)
	v3 := laRandVec(rng, 3)
	v4 := laRandVec(rng, 4)
	dot := func(in []*Tensor) *Tensor { return Dot(in[0], in[1]) }
	cases := []struct {
		name string
		f    func([]*Tensor) *Tensor
		pt   []any
	}{
		{"mm", dot, []any{a, b}},
		{"mv", dot, []any{a, v3}},
		{"vm", dot, []any{v4, a}},
		{"vv", dot, []any{v3, v3}},
		{"outer", func(in []*Tensor) *Tensor { return Outer(in[0], in[1]) }, []any{v4, v3}},
		{"mTv", func(in []*Tensor) *Tensor { return Apply1(DotOp{TransA: true}, in[0], in[1]) }, []any{a, v4}},
		{"vmT", func(in []*Tensor) *Tensor { return Apply1(DotOp{TransB: true}, in[0], in[1]) }, []any{v3, a}},
		{"mTm", func(in []*Tensor) *Tensor { return Apply1(DotOp{TransA: true}, in[0], in[1]) }, []any{a, laRandMat(rng, 4, 2)}},
		{"mmT", func(in []*Tensor) *Tensor { return Apply1(DotOp{TransB: true}, in[0], in[1]) }, []any{a, laRandMat(rng, 2, 3)}},
		{"mTmT", func(in []*Tensor) *Tensor { return Apply1(DotOp{TransA: true, TransB: true}, in[0], in[1]) }, []any{a, laRandMat(rng, 2, 4)}},
		// A second-order check: the gradient of a gradient is itself built from dots.
		{"grad-of-grad", func(in []*Tensor) *Tensor {
			c := Sum(Square(Dot(in[0], in[1])))
			return Grad(c, in[1])[0]
		}, []any{a, v3}},
	}
	for _, c := range cases {
		if err := VerifyGrad(c.f, c.pt, nil); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestLinalgShapeErrors(t *testing.T) {
	cases := []struct {
		f    func()
		want string
	}{
		{func() { Dot(NewVar("x", Float64, 3, 4), NewVar("y", Float64, 5)) }, "tensor: dot: shapes [3 4] and [5] are not aligned (4 vs 5)"},
		{func() { Dot(NewVar("x", Float64, 2, 2, 2), NewVar("y", Float64, 2)) }, "use MatMul"},
		{func() { MatMul(NewVar("x", Float64, 2, 3, 4), NewVar("y", Float64, 3, 4, 2)) }, "batch dimensions"},
		{func() { Outer(NewVar("x", Float64, 2, 2), NewVar("y", Float64, 2)) }, "outer: takes two vectors"},
		{func() { Cholesky(NewVar("x", Float64, 2, 3)) }, "cholesky: needs a square matrix, got shape [2 3]"},
		{func() { Solve(NewVar("a", Float64, 3, 3), NewVar("b", Float64, 4)) }, "solve: shapes [3 3] and [4] are not aligned"},
		{func() { SolveTriangular(NewVar("a", Float64, 3, 3), NewVar("b", Float64, 2, 2), true) }, "solve_triangular: shapes"},
		{func() { LogDet(NewVar("a", Float64, 3)) }, "logdet: needs a square matrix"},
		{func() { ExtractDiag(NewVar("a", Float64, 3, 2)) }, "extract_diag: matrix must be square"},
		{func() { MatrixInverse(NewVar("a", Bool, 2, 2)) }, "dtype bool"},
	}
	for _, c := range cases {
		err := Catch(c.f)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error containing %q", err, c.want)
		}
	}
	// Unknown dimensions are checked when the kernel is prepared, at run time.
	x := Matrix("x")
	y := Vector("y")
	fg, err := NewFunctionGraph([]*Tensor{x, y}, []*Tensor{Dot(x, y)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := newRefProgram(fg)
	_, err = p.Run([]*Array{{DType: Float64, Shape: []int{2, 3}, Data: make([]float64, 6)}, {DType: Float64, Shape: []int{4}, Data: make([]float64, 4)}})
	if err == nil || !strings.Contains(err.Error(), "not aligned (3 vs 4)") {
		t.Fatalf("run-time misalignment: got %v", err)
	}
}

func TestLinalgCholesky(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	a := laSPD(rng, 4)
	var ch mat.Cholesky
	if !ch.Factorize(mat.NewSymDense(4, laFlat(laDense(a)))) {
		t.Fatal("gonum: not PD")
	}
	var l mat.TriDense
	ch.LTo(&l)
	laClose(t, "cholesky", laEval(t, Cholesky(a)).Data, laFlat(&l), 1e-13)

	// Only the lower triangle is read.
	b := laSPD(rng, 4)
	for i := range b {
		for j := i + 1; j < 4; j++ {
			b[i][j] = 1e6
		}
	}
	bl := laEval(t, Cholesky(b))
	bb := laEval(t, Dot(bl, Apply1(matTransposeOp{}, constArray(bl))))
	for i := 0; i < 4; i++ {
		for j := 0; j <= i; j++ {
			if math.Abs(bb.Data[i*4+j]-b[i][j]) > 1e-12 {
				t.Fatalf("L Lᵀ [%d %d] = %v, want %v", i, j, bb.Data[i*4+j], b[i][j])
			}
		}
	}

	// Not positive definite: a run-time error naming the op.
	_, err := Eval(Cholesky([][]float64{{1, 2}, {2, 1}}))
	if err == nil || !strings.Contains(err.Error(), "cholesky") || !strings.Contains(err.Error(), "matrix is not positive definite") {
		t.Fatalf("got %v", err)
	}

	// Gradients: through L directly, and through a quadratic form and log-determinant as a
	// multivariate normal log-density uses them.
	if err := VerifyGrad(func(in []*Tensor) *Tensor { return Cholesky(in[0]) }, []any{a}, nil); err != nil {
		t.Error(err)
	}
	x := laRandVec(rng, 4)
	if err := VerifyGrad(func(in []*Tensor) *Tensor {
		l := Cholesky(in[0])
		z := SolveTriangular(l, in[1], true)
		return Add(Sum(Square(z)), Mul(2.0, Sum(Log(ExtractDiag(l)))))
	}, []any{a, x}, nil); err != nil {
		t.Error(err)
	}
	// A symmetric parametrisation: the gradient flows to both triangles through the input.
	if err := VerifyGrad(func(in []*Tensor) *Tensor {
		s := Add(Dot(in[0], Apply1(matTransposeOp{}, in[0])), Diag(Const([]float64{1, 1, 1})))
		return Cholesky(s)
	}, []any{laRandMat(rng, 3, 3)}, nil); err != nil {
		t.Error(err)
	}
}

func TestLinalgSolveTriangular(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	n := 4
	m := laRandMat(rng, n, n)
	for i := 0; i < n; i++ {
		m[i][i] = 2 + m[i][i]
	}
	b := laRandMat(rng, n, 2)
	v := laRandVec(rng, n)
	for _, lower := range []bool{true, false} {
		tri := mat.Upper
		if lower {
			tri = mat.Lower
		}
		td := mat.NewTriDense(n, tri, nil)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if (lower && j <= i) || (!lower && j >= i) {
					td.SetTri(i, j, m[i][j])
				}
			}
		}
		var want mat.Dense
		if err := want.Solve(td, laDense(b)); err != nil {
			t.Fatal(err)
		}
		laClose(t, "solve_triangular matrix", laEval(t, SolveTriangular(m, b, lower)).Data, laFlat(&want), 1e-12)
		var wv mat.VecDense
		if err := wv.SolveVec(td, mat.NewVecDense(n, v)); err != nil {
			t.Fatal(err)
		}
		laClose(t, "solve_triangular vector", laEval(t, SolveTriangular(m, v, lower)).Data, wv.RawVector().Data, 1e-12)
		// transposed solve against gonum with the transposed triangle
		var wt mat.Dense
		if err := wt.Solve(td.T(), laDense(b)); err != nil {
			t.Fatal(err)
		}
		laClose(t, "solve_triangular trans", laEval(t, Apply1(SolveTriOp{Lower: lower, Trans: true}, Const(m), Const(b))).Data, laFlat(&wt), 1e-12)

		for _, trans := range []bool{false, true} {
			op := SolveTriOp{Lower: lower, Trans: trans}
			for _, rhs := range []any{b, v} {
				if err := VerifyGrad(func(in []*Tensor) *Tensor { return Apply1(op, in[0], in[1]) }, []any{m, rhs}, nil); err != nil {
					t.Errorf("%s: %v", op, err)
				}
			}
		}
	}
	_, err := Eval(SolveTriangular([][]float64{{1, 0}, {1, 0}}, []float64{1, 1}, true))
	if err == nil || !strings.Contains(err.Error(), "singular") {
		t.Fatalf("zero diagonal: got %v", err)
	}
}

func TestLinalgSolveLogDetInverse(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	n := 4
	a := laRandMat(rng, n, n)
	a[0][0] = 0 // forces pivoting
	b := laRandMat(rng, n, 3)
	v := laRandVec(rng, n)
	var want mat.Dense
	if err := want.Solve(laDense(a), laDense(b)); err != nil {
		t.Fatal(err)
	}
	laClose(t, "solve", laEval(t, Solve(a, b)).Data, laFlat(&want), 1e-11)
	var wv mat.VecDense
	if err := wv.SolveVec(laDense(a), mat.NewVecDense(n, v)); err != nil {
		t.Fatal(err)
	}
	laClose(t, "solve vector", laEval(t, Solve(a, v)).Data, wv.RawVector().Data, 1e-11)
	var wt mat.Dense
	if err := wt.Solve(laDense(a).T(), laDense(b)); err != nil {
		t.Fatal(err)
	}
	laClose(t, "solve trans", laEval(t, Apply1(SolveOp{Trans: true}, Const(a), Const(b))).Data, laFlat(&wt), 1e-11)

	ld, sign := mat.LogDet(laDense(a))
	_ = sign
	laClose(t, "logdet", laEval(t, LogDet(a)).Data, []float64{ld}, 1e-12)

	var inv mat.Dense
	if err := inv.Inverse(laDense(a)); err != nil {
		t.Fatal(err)
	}
	laClose(t, "inverse", laEval(t, MatrixInverse(a)).Data, laFlat(&inv), 1e-11)

	spd := laSPD(rng, 3)
	ldpd, _ := mat.LogDet(laDense(spd))
	laClose(t, "logdet pd", laEval(t, LogDetPD(spd)).Data, []float64{ldpd}, 1e-12)
	laClose(t, "logdet of spd", laEval(t, LogDet(spd)).Data, []float64{ldpd}, 1e-12)

	// Singular matrices.
	sing := [][]float64{{1, 2}, {2, 4}}
	if _, err := Eval(Solve(sing, []float64{1, 1})); err == nil || !strings.Contains(err.Error(), "solve: matrix is singular") {
		t.Fatalf("singular solve: %v", err)
	}
	if _, err := Eval(MatrixInverse(sing)); err == nil || !strings.Contains(err.Error(), "singular") {
		t.Fatalf("singular inverse: %v", err)
	}
	if r := laEval(t, LogDet(sing)); !math.IsInf(r.Data[0], -1) {
		t.Fatalf("logdet of singular = %v, want -Inf", r.Data[0])
	}

	grads := []struct {
		name string
		f    func([]*Tensor) *Tensor
		pt   []any
	}{
		{"solve matrix", func(in []*Tensor) *Tensor { return Solve(in[0], in[1]) }, []any{a, b}},
		{"solve vector", func(in []*Tensor) *Tensor { return Solve(in[0], in[1]) }, []any{a, v}},
		{"solve trans", func(in []*Tensor) *Tensor { return Apply1(SolveOp{Trans: true}, in[0], in[1]) }, []any{a, b}},
		{"logdet", func(in []*Tensor) *Tensor { return LogDet(in[0]) }, []any{a}},
		{"logdet pd", func(in []*Tensor) *Tensor { return LogDetPD(in[0]) }, []any{spd}},
		{"inverse", func(in []*Tensor) *Tensor { return MatrixInverse(in[0]) }, []any{a}},
	}
	for _, c := range grads {
		if err := VerifyGrad(c.f, c.pt, nil); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestLinalgStructural(t *testing.T) {
	m := [][]float64{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}
	laClose(t, "tril", laEval(t, Tril(m)).Data, []float64{1, 0, 0, 4, 5, 0, 7, 8, 9}, 0)
	laClose(t, "triu", laEval(t, Triu(m)).Data, []float64{1, 2, 3, 0, 5, 6, 0, 0, 9}, 0)
	laClose(t, "diag", laEval(t, Diag([]float64{1, 2})).Data, []float64{1, 0, 0, 2}, 0)
	laClose(t, "extract_diag", laEval(t, ExtractDiag(m)).Data, []float64{1, 5, 9}, 0)
	laClose(t, "trace", laEval(t, Trace(m)).Data, []float64{15}, 0)
	laClose(t, "transpose", laEval(t, mT(Const([][]float64{{1, 2, 3}, {4, 5, 6}}))).Data, []float64{1, 4, 2, 5, 3, 6}, 0)
	for name, f := range map[string]func([]*Tensor) *Tensor{
		"tril":      func(in []*Tensor) *Tensor { return Tril(in[0]) },
		"triu":      func(in []*Tensor) *Tensor { return Triu(in[0]) },
		"diag":      func(in []*Tensor) *Tensor { return Diag(ExtractDiag(in[0])) },
		"trace":     func(in []*Tensor) *Tensor { return Trace(in[0]) },
		"transpose": func(in []*Tensor) *Tensor { return mT(in[0]) },
	} {
		if err := VerifyGrad(f, []any{m}, nil); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestLinalgKernelsAllocateNothing checks the contract that prepared kernels allocate nothing.
func TestLinalgKernelsAllocateNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	a := laSPD(rng, 5)
	v := laRandVec(rng, 5)
	x := NewVar("a", Float64, 5, 5)
	y := NewVar("v", Float64, 5)
	outs := []*Tensor{Dot(x, y), Dot(y, x), Dot(x, x), Cholesky(x), Solve(x, y), LogDet(x), MatrixInverse(x),
		SolveTriangular(x, y, true), Outer(y, y)}
	fg, err := NewFunctionGraph([]*Tensor{x, y}, outs, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := newRefProgram(fg)
	aa, _ := AsArray(a)
	va, _ := AsArray(v)
	in := []*Array{aa, va}
	if _, err := p.Run(in); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(20, func() { p.Run(in) }); n != 0 {
		t.Fatalf("a call allocates %v times", n)
	}
}

func BenchmarkLinalgMatVecTall(b *testing.B) {
	rng := rand.New(rand.NewPCG(15, 16))
	const n, d = 10000, 25
	x := NewArray(Float64, n, d)
	for i := range x.Data {
		x.Data[i] = rng.NormFloat64()
	}
	beta := Vector("beta")
	g := Dot(Const(x), beta)
	cost := Sum(g)
	gr := Grad(cost, beta)[0]
	fg, _ := NewFunctionGraph([]*Tensor{beta}, []*Tensor{g, gr}, nil)
	p, _ := newRefProgram(fg)
	bv := &Array{DType: Float64, Shape: []int{d}, Data: make([]float64, d)}
	p.Run([]*Array{bv})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.Run([]*Array{bv})
	}
}

func ExampleDot() {
	x := Const([][]float64{{1, 2}, {3, 4}, {5, 6}})
	beta := Const([]float64{0.5, -1})
	r, _ := Eval(Dot(x, beta), Dot(beta, beta), Outer(beta, beta))
	fmt.Println(r[0], r[1], r[2])
	// Output: [-1.5 -2.5 -3.5] 1.25 [[0.25 -0.5] [-0.5 1]]
}

func ExampleCholesky() {
	a := Const([][]float64{{4, 2}, {2, 5}})
	l := Cholesky(a)
	r, _ := Eval(l, LogDetPD(a), LogDet(a), SolveTriangular(l, []float64{2, 5}, true))
	fmt.Println(r[0], r[2], math.Abs(r[1].Float()-r[2].Float()) < 1e-15, r[3])
	// Output: [[2 0] [1 2]] 2.772588722239781 true [1 2]
}
