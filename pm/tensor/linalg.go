package tensor

import (
	"fmt"
	"math"

	"github.com/gopm-dev/gopm/pm/internal/fastmath"
)

// This file holds the linear algebra ops: products (Dot, MatMul, Outer), factorizations and
// solves (Cholesky, SolveTriangular, Solve, LogDet, MatrixInverse) and the small structural ops
// their gradients are built from (matrix transpose, triangle masks, diagonals).
//
// Every kernel evaluates in a fixed order with no goroutines, so both backends agree bit for bit,
// and keeps its scratch space in the closure prepared by Kernel, so a call allocates nothing.
// The gradients are graphs of these same ops, so gradients of gradients work.

// ---------------------------------------------------------------------------------------------
// Dense kernels shared by the ops.

// matVec sets dst = A x for a row-major rows×cols matrix A: the hot path of regression models
// (X·beta). fastmath's kernel is tuned for tall, narrow matrices and documents its fixed
// evaluation order.
func matVec(dst, a []float64, rows, cols int, x []float64) { fastmath.MatVec(dst, a, rows, cols, x) }

// matTVec sets dst = Aᵀ r for a row-major rows×cols matrix A (the gradient of X·beta with respect
// to beta), accumulating the rows in order.
func matTVec(dst, a []float64, rows, cols int, r []float64) { fastmath.MatTVec(dst, a, rows, cols, r) }

// dotVec is the inner product of two vectors of the same length, in fastmath's fixed order.
func dotVec(a, b []float64) float64 { return fastmath.Dot(a, b) }

// axpyVec sets y += alpha x, each product rounded before the addition.
func axpyVec(alpha float64, x, y []float64) { fastmath.Axpy(alpha, x, y) }

// gemm sets C (m×n, row-major) = op(A) op(B) where op(A) is m×k and op(B) is k×n. A is stored
// m×k, or k×m when ta (then op(A) = Aᵀ); B is stored k×n, or n×k when tb. Each element's sum runs
// over p = 0..k-1 in order whatever the layout, a fixed evaluation order.
func gemm(c, a, b []float64, m, n, k int, ta, tb bool) {
	c = c[:m*n]
	switch {
	case !ta && !tb:
		for i := 0; i < m; i++ {
			row := c[i*n : (i+1)*n]
			for j := range row {
				row[j] = 0
			}
			for p := 0; p < k; p++ {
				axpyVec(a[i*k+p], b[p*n:(p+1)*n], row)
			}
		}
	case !ta && tb:
		for i := 0; i < m; i++ {
			ar := a[i*k : (i+1)*k]
			for j := 0; j < n; j++ {
				c[i*n+j] = dotVec(ar, b[j*k:(j+1)*k])
			}
		}
	case ta && !tb:
		for i := 0; i < m; i++ {
			row := c[i*n : (i+1)*n]
			for j := range row {
				row[j] = 0
			}
			for p := 0; p < k; p++ {
				axpyVec(a[p*m+i], b[p*n:(p+1)*n], row)
			}
		}
	default:
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				s := 0.0
				br := b[j*k : (j+1)*k]
				for p := 0; p < k; p++ {
					s += float64(a[p*m+i] * br[p]) // no FMA contraction, as in fastmath
				}
				c[i*n+j] = s
			}
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Dot

// DotOp is NumPy's dot for 1-d and 2-d operands: vector·vector gives a scalar, matrix·vector a
// vector, vector·matrix a vector and matrix·matrix a matrix. TransA and TransB (for 2-d operands
// only) use the transpose of the stored matrix, so that the gradients are dots themselves.
type DotOp struct{ TransA, TransB bool }

// String implements Op.
func (o DotOp) String() string {
	switch {
	case o.TransA && o.TransB:
		return "dot{Aᵀ,Bᵀ}"
	case o.TransA:
		return "dot{Aᵀ}"
	case o.TransB:
		return "dot{Bᵀ}"
	}
	return "dot"
}

// opDims returns the (rows, cols) of op(X) for a 2-d shape.
func opDims(s []int, trans bool) (int, int) {
	if trans {
		return s[1], s[0]
	}
	return s[0], s[1]
}

// shapeDesc prints a shape for a dot error, marking a transposed operand.
func shapeDesc(s []int, trans bool) string {
	if trans {
		return ShapeString(s) + "ᵀ"
	}
	return ShapeString(s)
}

// dimsMismatch reports whether two dimensions are both known and differ.
func dimsMismatch(a, b int) bool { return a >= 0 && b >= 0 && a != b }

// Infer implements Op.
func (o DotOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 2 {
		return nil, errorf("dot", "takes 2 inputs, got %d", len(in))
	}
	a, b := in[0].Shape, in[1].Shape
	if len(a) < 1 || len(a) > 2 || len(b) < 1 || len(b) > 2 {
		return nil, errorf("dot", "takes 1-d or 2-d operands, got shapes %s and %s (use MatMul for stacks of matrices)",
			ShapeString(a), ShapeString(b))
	}
	if (o.TransA && len(a) != 2) || (o.TransB && len(b) != 2) {
		return nil, errorf("dot", "a transposed operand must be a matrix, got shapes %s and %s", ShapeString(a), ShapeString(b))
	}
	dt := upcast(in[0].DType, in[1].DType)
	ka := a[len(a)-1]
	var out []int
	if len(a) == 2 {
		m, k := opDims(a, o.TransA)
		ka = k
		out = append(out, m)
	}
	kb := b[0]
	if len(b) == 2 {
		k, n := opDims(b, o.TransB)
		kb = k
		out = append(out, n)
	}
	if dimsMismatch(ka, kb) {
		return nil, errorf("dot", "shapes %s and %s are not aligned (%d vs %d)",
			shapeDesc(a, o.TransA), shapeDesc(b, o.TransB), ka, kb)
	}
	if out == nil {
		out = []int{}
	}
	return []Type{{DType: dt, Shape: out}}, nil
}

// Kernel implements Op.
func (o DotOp) Kernel(spec KernelSpec) (Kernel, error) {
	a, b := spec.In[0].Shape, spec.In[1].Shape
	// Unknown dimensions were only checked here, at run time.
	if _, err := o.Infer(spec.In); err != nil {
		return nil, err
	}
	switch {
	case len(a) == 1 && len(b) == 1:
		return func(out, in []*Array) error {
			out[0].Data[0] = dotVec(in[0].Data, in[1].Data)
			return nil
		}, nil
	case len(a) == 2 && len(b) == 1:
		r, c := a[0], a[1]
		if o.TransA {
			return func(out, in []*Array) error { matTVec(out[0].Data, in[0].Data, r, c, in[1].Data); return nil }, nil
		}
		return func(out, in []*Array) error { matVec(out[0].Data, in[0].Data, r, c, in[1].Data); return nil }, nil
	case len(a) == 1 && len(b) == 2:
		// v·op(B) = op(B)ᵀ v.
		r, c := b[0], b[1]
		if o.TransB {
			return func(out, in []*Array) error { matVec(out[0].Data, in[1].Data, r, c, in[0].Data); return nil }, nil
		}
		return func(out, in []*Array) error { matTVec(out[0].Data, in[1].Data, r, c, in[0].Data); return nil }, nil
	}
	m, k := opDims(a, o.TransA)
	_, n := opDims(b, o.TransB)
	ta, tb := o.TransA, o.TransB
	return func(out, in []*Array) error {
		gemm(out[0].Data, in[0].Data, in[1].Data, m, n, k, ta, tb)
		return nil
	}, nil
}

// Grad implements Op.
func (o DotOp) Grad(in, out, gout []*Tensor) []*Tensor {
	a, b, g := in[0], in[1], gout[0]
	var ga, gb *Tensor
	switch {
	case a.NDim() == 1 && b.NDim() == 1:
		ga, gb = Mul(g, b), Mul(g, a)
	case a.NDim() == 2 && b.NDim() == 1:
		if o.TransA { // c = Aᵀ v
			ga = Apply1(OuterOp{}, b, g)
			gb = Apply1(DotOp{}, a, g)
		} else { // c = A v
			ga = Apply1(OuterOp{}, g, b)
			gb = Apply1(DotOp{TransA: true}, a, g)
		}
	case a.NDim() == 1 && b.NDim() == 2:
		if o.TransB { // c = B v
			ga = Apply1(DotOp{TransA: true}, b, g)
			gb = Apply1(OuterOp{}, g, a)
		} else { // c = Bᵀ v
			ga = Apply1(DotOp{}, b, g)
			gb = Apply1(OuterOp{}, a, g)
		}
	default:
		ga, gb = matmulGrads(a, b, g, o.TransA, o.TransB, func(ta, tb bool) Op { return DotOp{TransA: ta, TransB: tb} })
	}
	return []*Tensor{floatGrad(a, ga), floatGrad(b, gb)}
}

// matmulGrads returns the gradients of C = op(A) op(B) with respect to A and B, as products made
// by mk: dop(A) = G op(B)ᵀ and dop(B) = op(A)ᵀ G, transposed back when A or B was transposed.
func matmulGrads(a, b, g *Tensor, ta, tb bool, mk func(ta, tb bool) Op) (*Tensor, *Tensor) {
	var ga, gb *Tensor
	switch {
	case !ta && !tb:
		ga = Apply1(mk(false, true), g, b)
		gb = Apply1(mk(true, false), a, g)
	case !ta && tb:
		ga = Apply1(mk(false, false), g, b)
		gb = Apply1(mk(true, false), g, a)
	case ta && !tb:
		ga = Apply1(mk(false, true), b, g)
		gb = Apply1(mk(false, false), a, g)
	default:
		ga = Apply1(mk(true, true), b, g)
		gb = Apply1(mk(true, true), g, a)
	}
	return ga, gb
}

// floatGrad drops the gradient of an integer or boolean input.
func floatGrad(x, g *Tensor) *Tensor {
	if !x.DType().IsFloat() {
		return nil
	}
	return g
}

// Dot is NumPy's dot for operands of up to two dimensions: the inner product of two vectors (a
// scalar), a matrix times a vector, a vector times a matrix, or a matrix product. A 0-d operand
// multiplies elementwise. Misaligned shapes panic with *Error naming both shapes, e.g.
// "tensor: dot: shapes [3 4] and [5] are not aligned (4 vs 5)".
func Dot(a, b any) *Tensor {
	x, y := As(a), As(b)
	if x.NDim() == 0 || y.NDim() == 0 {
		return Mul(x, y)
	}
	return Apply1(DotOp{}, x, y)
}

// Dot is the method form of Dot: t·b.
func (t *Tensor) Dot(b any) *Tensor { return Dot(t, b) }

// ---------------------------------------------------------------------------------------------
// MatMul

// BatchMatMulOp multiplies stacks of matrices: a of shape [..., m, k] by b of shape [..., k, n],
// with the same leading (batch) dimensions, giving [..., m, n]. TransA and TransB transpose the
// last two dimensions of each operand.
type BatchMatMulOp struct{ TransA, TransB bool }

// String implements Op.
func (o BatchMatMulOp) String() string {
	s := DotOp(o).String()
	return "batch_matmul" + s[len("dot"):]
}

// Infer implements Op.
func (o BatchMatMulOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 2 {
		return nil, errorf("matmul", "takes 2 inputs, got %d", len(in))
	}
	a, b := in[0].Shape, in[1].Shape
	if len(a) < 3 || len(a) != len(b) {
		return nil, errorf("matmul", "batched operands must have the same number (>= 3) of dimensions, got shapes %s and %s",
			ShapeString(a), ShapeString(b))
	}
	nb := len(a) - 2
	out := make([]int, 0, len(a))
	for i := 0; i < nb; i++ {
		if dimsMismatch(a[i], b[i]) {
			return nil, errorf("matmul", "batch dimensions of shapes %s and %s differ (dimension %d: %d vs %d)",
				ShapeString(a), ShapeString(b), i, a[i], b[i])
		}
		d := a[i]
		if d < 0 {
			d = b[i]
		}
		out = append(out, d)
	}
	m, ka := opDims(a[nb:], o.TransA)
	kb, n := opDims(b[nb:], o.TransB)
	if dimsMismatch(ka, kb) {
		return nil, errorf("matmul", "shapes %s and %s are not aligned (%d vs %d)",
			shapeDesc(a, o.TransA), shapeDesc(b, o.TransB), ka, kb)
	}
	out = append(out, m, n)
	return []Type{{DType: upcast(in[0].DType, in[1].DType), Shape: out}}, nil
}

// Kernel implements Op.
func (o BatchMatMulOp) Kernel(spec KernelSpec) (Kernel, error) {
	if _, err := o.Infer(spec.In); err != nil {
		return nil, err
	}
	a, b := spec.In[0].Shape, spec.In[1].Shape
	nb := len(a) - 2
	batch := shapeSize(a[:nb])
	m, k := opDims(a[nb:], o.TransA)
	_, n := opDims(b[nb:], o.TransB)
	ta, tb := o.TransA, o.TransB
	sa, sb, sc := m*k, k*n, m*n
	return func(out, in []*Array) error {
		c, x, y := out[0].Data, in[0].Data, in[1].Data
		for i := 0; i < batch; i++ {
			gemm(c[i*sc:(i+1)*sc], x[i*sa:(i+1)*sa], y[i*sb:(i+1)*sb], m, n, k, ta, tb)
		}
		return nil
	}, nil
}

// Grad implements Op.
func (o BatchMatMulOp) Grad(in, out, gout []*Tensor) []*Tensor {
	ga, gb := matmulGrads(in[0], in[1], gout[0], o.TransA, o.TransB, func(ta, tb bool) Op { return BatchMatMulOp{TransA: ta, TransB: tb} })
	return []*Tensor{floatGrad(in[0], ga), floatGrad(in[1], gb)}
}

// MatMul is NumPy's matmul: for operands of one or two dimensions it is Dot; for operands of three
// or more dimensions (the same number, with equal leading dimensions) it multiplies the stacks of
// matrices in their last two dimensions. 0-d operands are an error, as in NumPy.
func MatMul(a, b any) *Tensor {
	x, y := As(a), As(b)
	if x.NDim() == 0 || y.NDim() == 0 {
		panic(errorf("matmul", "operands must have at least one dimension, got shapes %s and %s (use Mul for scalars)",
			ShapeString(x.Shape()), ShapeString(y.Shape())))
	}
	if x.NDim() <= 2 && y.NDim() <= 2 {
		return Apply1(DotOp{}, x, y)
	}
	return Apply1(BatchMatMulOp{}, x, y)
}

// MatMul is the method form of MatMul.
func (t *Tensor) MatMul(b any) *Tensor { return MatMul(t, b) }

// ---------------------------------------------------------------------------------------------
// Outer

// OuterOp is the outer product of two vectors: out[i][j] = a[i] b[j].
type OuterOp struct{}

// String implements Op.
func (OuterOp) String() string { return "outer" }

// Infer implements Op.
func (OuterOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 2 {
		return nil, errorf("outer", "takes 2 inputs, got %d", len(in))
	}
	if len(in[0].Shape) != 1 || len(in[1].Shape) != 1 {
		return nil, errorf("outer", "takes two vectors, got shapes %s and %s", ShapeString(in[0].Shape), ShapeString(in[1].Shape))
	}
	return []Type{{DType: upcast(in[0].DType, in[1].DType), Shape: []int{in[0].Shape[0], in[1].Shape[0]}}}, nil
}

// Kernel implements Op.
func (OuterOp) Kernel(spec KernelSpec) (Kernel, error) {
	n := spec.In[1].Shape[0]
	return func(out, in []*Array) error {
		c, b := out[0].Data, in[1].Data
		for i, av := range in[0].Data {
			row := c[i*n : (i+1)*n]
			for j, bv := range b {
				row[j] = av * bv
			}
		}
		return nil
	}, nil
}

// Grad implements Op.
func (OuterOp) Grad(in, out, gout []*Tensor) []*Tensor {
	g := gout[0]
	return []*Tensor{
		floatGrad(in[0], Apply1(DotOp{}, g, in[1])),
		floatGrad(in[1], Apply1(DotOp{TransA: true}, g, in[0])),
	}
}

// Outer is the outer product of two vectors, a matrix with a[i]·b[j] at (i, j).
func Outer(a, b any) *Tensor { return Apply1(OuterOp{}, As(a), As(b)) }

// ---------------------------------------------------------------------------------------------
// Structural ops: matrix transpose, triangles, diagonals.

// matTransposeOp transposes a matrix. The gradients of the factorizations need it; it is kept
// private to this file so that it does not collide with the general transpose.
type matTransposeOp struct{}

func (matTransposeOp) String() string { return "matrix_transpose" }

func (matTransposeOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 1 || len(in[0].Shape) != 2 {
		return nil, errorf("matrix_transpose", "takes one matrix")
	}
	s := in[0].Shape
	return []Type{{DType: in[0].DType, Shape: []int{s[1], s[0]}}}, nil
}

func (matTransposeOp) Kernel(spec KernelSpec) (Kernel, error) {
	r, c := spec.In[0].Shape[0], spec.In[0].Shape[1]
	return func(out, in []*Array) error {
		d, x := out[0].Data, in[0].Data
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				d[j*r+i] = x[i*c+j]
			}
		}
		return nil
	}, nil
}

func (matTransposeOp) Grad(in, out, gout []*Tensor) []*Tensor {
	return []*Tensor{floatGrad(in[0], mT(gout[0]))}
}

func mT(x *Tensor) *Tensor { return Apply1(matTransposeOp{}, x) }

// TriOp keeps the lower (or, with Upper, the upper) triangle of a matrix, diagonal included, and
// zeroes the rest.
type TriOp struct{ Upper bool }

// String implements Op.
func (o TriOp) String() string {
	if o.Upper {
		return "triu"
	}
	return "tril"
}

// Infer implements Op.
func (o TriOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 1 || len(in[0].Shape) != 2 {
		return nil, errorf(o.String(), "takes one matrix, got %d inputs", len(in))
	}
	return []Type{{DType: in[0].DType, Shape: cloneInts(in[0].Shape)}}, nil
}

// Kernel implements Op.
func (o TriOp) Kernel(spec KernelSpec) (Kernel, error) {
	r, c := spec.In[0].Shape[0], spec.In[0].Shape[1]
	upper := o.Upper
	return func(out, in []*Array) error {
		d, x := out[0].Data, in[0].Data
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				if (j <= i) != upper || i == j {
					d[i*c+j] = x[i*c+j]
				} else {
					d[i*c+j] = 0
				}
			}
		}
		return nil
	}, nil
}

// Grad implements Op.
func (o TriOp) Grad(in, out, gout []*Tensor) []*Tensor {
	return []*Tensor{floatGrad(in[0], Apply1(o, gout[0]))}
}

// Tril is the lower triangle of a matrix (diagonal included), zeros above.
func Tril(a any) *Tensor { return Apply1(TriOp{}, As(a)) }

// Triu is the upper triangle of a matrix (diagonal included), zeros below.
func Triu(a any) *Tensor { return Apply1(TriOp{Upper: true}, As(a)) }

// DiagOp builds a square matrix with a vector on its diagonal.
type DiagOp struct{}

// String implements Op.
func (DiagOp) String() string { return "diag" }

// Infer implements Op.
func (DiagOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 1 || len(in[0].Shape) != 1 {
		return nil, errorf("diag", "takes one vector, got %d inputs", len(in))
	}
	n := in[0].Shape[0]
	return []Type{{DType: in[0].DType, Shape: []int{n, n}}}, nil
}

// Kernel implements Op.
func (DiagOp) Kernel(spec KernelSpec) (Kernel, error) {
	n := spec.In[0].Shape[0]
	return func(out, in []*Array) error {
		d := out[0].Data
		for i := range d {
			d[i] = 0
		}
		for i, v := range in[0].Data {
			d[i*n+i] = v
		}
		return nil
	}, nil
}

// Grad implements Op.
func (DiagOp) Grad(in, out, gout []*Tensor) []*Tensor {
	return []*Tensor{floatGrad(in[0], Apply1(ExtractDiagOp{}, gout[0]))}
}

// ExtractDiagOp is the diagonal of a square matrix, as a vector.
type ExtractDiagOp struct{}

// String implements Op.
func (ExtractDiagOp) String() string { return "extract_diag" }

// Infer implements Op.
func (ExtractDiagOp) Infer(in []Type) ([]Type, error) {
	if len(in) != 1 || len(in[0].Shape) != 2 {
		return nil, errorf("extract_diag", "takes one matrix, got %d inputs", len(in))
	}
	s := in[0].Shape
	if dimsMismatch(s[0], s[1]) {
		return nil, errorf("extract_diag", "matrix must be square, got shape %s", ShapeString(s))
	}
	n := s[0]
	if n < 0 {
		n = s[1]
	}
	return []Type{{DType: in[0].DType, Shape: []int{n}}}, nil
}

// Kernel implements Op.
func (o ExtractDiagOp) Kernel(spec KernelSpec) (Kernel, error) {
	if _, err := o.Infer(spec.In); err != nil {
		return nil, err
	}
	n := spec.In[0].Shape[0]
	return func(out, in []*Array) error {
		d, x := out[0].Data, in[0].Data
		for i := range d {
			d[i] = x[i*n+i]
		}
		return nil
	}, nil
}

// Grad implements Op.
func (ExtractDiagOp) Grad(in, out, gout []*Tensor) []*Tensor {
	return []*Tensor{floatGrad(in[0], Apply1(DiagOp{}, gout[0]))}
}

// Diag builds a square matrix with the vector v on its diagonal and zeros elsewhere.
func Diag(v any) *Tensor { return Apply1(DiagOp{}, As(v)) }

// ExtractDiag is the diagonal of a square matrix, as a vector.
func ExtractDiag(m any) *Tensor { return Apply1(ExtractDiagOp{}, As(m)) }

// Trace is the sum of the diagonal of a square matrix.
func Trace(m any) *Tensor { return Sum(ExtractDiag(m)) }

// ---------------------------------------------------------------------------------------------
// Factorizations and solves.

// squareDim checks that t is a square matrix (as far as known) and returns its order.
func squareDim(op string, t Type) (int, error) {
	s := t.Shape
	if len(s) != 2 {
		return 0, errorf(op, "needs a square matrix, got shape %s", ShapeString(s))
	}
	if dimsMismatch(s[0], s[1]) {
		return 0, errorf(op, "needs a square matrix, got shape %s", ShapeString(s))
	}
	if s[0] < 0 {
		return s[1], nil
	}
	return s[0], nil
}

// floatType checks that a factorization's input is not boolean; integers are promoted.
// squareInput checks that an op has one input, a numeric square matrix, and returns its order.
func squareInput(op string, in []Type) (int, error) {
	if len(in) != 1 {
		return 0, errorf(op, "takes 1 input, got %d", len(in))
	}
	if err := floatType(op, in[0]); err != nil {
		return 0, err
	}
	return squareDim(op, in[0])
}

func floatType(op string, t Type) error {
	if t.DType == Bool {
		return errorf(op, "needs a numeric matrix, got dtype %s", t.DType)
	}
	return nil
}

// CholeskyOp is the lower Cholesky factor L of a symmetric positive definite matrix A = L Lᵀ.
// Like LAPACK's potrf with uplo L it reads only the lower triangle of A, and its gradient (Murray
// 2016, "Differentiation of the Cholesky decomposition", in the form Theano/PyTensor use) is
// likewise lower triangular.
type CholeskyOp struct{}

// String implements Op.
func (CholeskyOp) String() string { return "cholesky" }

// Infer implements Op.
func (CholeskyOp) Infer(in []Type) ([]Type, error) {
	n, err := squareInput("cholesky", in)
	if err != nil {
		return nil, err
	}
	return []Type{{DType: Float64, Shape: []int{n, n}}}, nil
}

// Kernel implements Op.
func (o CholeskyOp) Kernel(spec KernelSpec) (Kernel, error) {
	n, err := squareDim("cholesky", spec.In[0])
	if err != nil {
		return nil, err
	}
	return func(out, in []*Array) error { return choleskyLower(out[0].Data, in[0].Data, n) }, nil
}

// choleskyLower writes the lower Cholesky factor of the n×n matrix a (lower triangle read) to l.
func choleskyLower(l, a []float64, n int) error {
	for j := 0; j < n; j++ {
		lj := l[j*n : j*n+j]
		s := a[j*n+j] - dotVec(lj, lj)
		if !(s > 0) {
			return errorf("cholesky", "matrix is not positive definite (the leading minor of order %d is not positive)", j+1)
		}
		d := math.Sqrt(s)
		l[j*n+j] = d
		for k := j + 1; k < n; k++ {
			l[j*n+k] = 0
		}
		for i := j + 1; i < n; i++ {
			l[i*n+j] = (a[i*n+j] - dotVec(l[i*n:i*n+j], lj)) / d
		}
	}
	return nil
}

// Grad implements Op: with P = Φ(Lᵀ L̄) (lower triangle, diagonal halved) and S = L⁻ᵀ P L⁻¹, the
// gradient with respect to the lower triangle of A is tril(S + Sᵀ) - diag(S).
func (CholeskyOp) Grad(in, out, gout []*Tensor) []*Tensor {
	if !in[0].DType().IsFloat() {
		return []*Tensor{nil}
	}
	l, lb := out[0], gout[0]
	p := Apply1(DotOp{TransA: true}, l, lb)
	phi := Sub(Tril(p), Mul(0.5, Diag(ExtractDiag(p))))
	y := Apply1(SolveTriOp{Lower: true, Trans: true}, l, phi)
	s := mT(Apply1(SolveTriOp{Lower: true, Trans: true}, l, mT(y)))
	return []*Tensor{Sub(Tril(Add(s, mT(s))), Diag(ExtractDiag(s)))}
}

// Cholesky is the lower Cholesky factor L of a symmetric positive definite matrix a = L Lᵀ (only
// a's lower triangle is read). A matrix that is not positive definite is a run-time error
// "tensor: cholesky: matrix is not positive definite ...".
func Cholesky(a any) *Tensor { return Apply1(CholeskyOp{}, As(a)) }

// SolveTriOp solves op(A) X = B for X, where A is lower (or upper) triangular and op(A) is A or,
// with Trans, Aᵀ; B is a vector or a matrix. Only A's triangle is read.
type SolveTriOp struct{ Lower, Trans bool }

// String implements Op.
func (o SolveTriOp) String() string {
	s := "solve_triangular{upper"
	if o.Lower {
		s = "solve_triangular{lower"
	}
	if o.Trans {
		s += ",trans"
	}
	return s + "}"
}

// solveShapes checks a square A and a right-hand side B of one or two dimensions with as many rows.
func solveShapes(op string, in []Type) ([]Type, error) {
	if len(in) != 2 {
		return nil, errorf(op, "takes 2 inputs, got %d", len(in))
	}
	if err := floatType(op, in[0]); err != nil {
		return nil, err
	}
	n, err := squareDim(op, in[0])
	if err != nil {
		return nil, err
	}
	b := in[1].Shape
	if len(b) < 1 || len(b) > 2 {
		return nil, errorf(op, "the right-hand side must be a vector or a matrix, got shape %s", ShapeString(b))
	}
	if dimsMismatch(n, b[0]) {
		return nil, errorf(op, "shapes %s and %s are not aligned (%d vs %d)", ShapeString(in[0].Shape), ShapeString(b), n, b[0])
	}
	out := cloneInts(b)
	if out[0] < 0 {
		out[0] = n
	}
	return []Type{{DType: Float64, Shape: out}}, nil
}

// Infer implements Op.
func (o SolveTriOp) Infer(in []Type) ([]Type, error) { return solveShapes("solve_triangular", in) }

// Kernel implements Op.
func (o SolveTriOp) Kernel(spec KernelSpec) (Kernel, error) {
	if _, err := o.Infer(spec.In); err != nil {
		return nil, err
	}
	n := spec.In[0].Shape[0]
	k := 1
	if len(spec.In[1].Shape) == 2 {
		k = spec.In[1].Shape[1]
	}
	// Forward substitution when op(A) is lower triangular, back substitution otherwise.
	forward := o.Lower != o.Trans
	trans := o.Trans
	return func(out, in []*Array) error {
		x, a := out[0].Data, in[0].Data
		copy(x, in[1].Data)
		for s := 0; s < n; s++ {
			i := s
			if !forward {
				i = n - 1 - s
			}
			xi := x[i*k : (i+1)*k]
			lo, hi := 0, i
			if !forward {
				lo, hi = i+1, n
			}
			for p := lo; p < hi; p++ {
				aip := a[i*n+p]
				if trans {
					aip = a[p*n+i]
				}
				axpyVec(-aip, x[p*k:(p+1)*k], xi)
			}
			d := a[i*n+i]
			if d == 0 {
				return errorf("solve_triangular", "matrix is singular (diagonal element %d is zero)", i)
			}
			for j := range xi {
				xi[j] /= d
			}
		}
		return nil
	}, nil
}

// Grad implements Op: X = op(A)⁻¹ B gives B̄ = op(A)⁻ᵀ X̄ and op(A)̄ = -B̄ Xᵀ, restricted to A's
// triangle.
func (o SolveTriOp) Grad(in, out, gout []*Tensor) []*Tensor {
	a, x, g := in[0], out[0], gout[0]
	gb := Apply1(SolveTriOp{Lower: o.Lower, Trans: !o.Trans}, a, g)
	ga := solveGradA(gb, x, o.Trans)
	ga = Apply1(TriOp{Upper: !o.Lower}, Neg(ga))
	return []*Tensor{floatGrad(a, ga), floatGrad(in[1], gb)}
}

// solveGradA is B̄ Xᵀ (or X B̄ᵀ when the solve used Aᵀ), for vector or matrix right-hand sides.
func solveGradA(gb, x *Tensor, trans bool) *Tensor {
	if x.NDim() == 1 {
		if trans {
			return Outer(x, gb)
		}
		return Outer(gb, x)
	}
	if trans {
		return Apply1(DotOp{TransB: true}, x, gb)
	}
	return Apply1(DotOp{TransB: true}, gb, x)
}

// SolveTriangular solves a x = b for x, where a is lower triangular (lower) or upper triangular
// and b a vector or a matrix. Only a's triangle is read; a zero on the diagonal is a run-time
// error.
func SolveTriangular(a, b any, lower bool) *Tensor {
	return Apply1(SolveTriOp{Lower: lower}, As(a), As(b))
}

// luFactor factors the n×n matrix in lu (overwritten) with partial pivoting: P A = L U with unit
// lower L. piv[i] is the row swapped with row i at step i. It returns the sign of the
// permutation, and the first column with a zero pivot (-1 if none).
func luFactor(lu []float64, piv []int, n int) (sign float64, zero int) {
	sign, zero = 1, -1
	for j := 0; j < n; j++ {
		p := j
		best := math.Abs(lu[j*n+j])
		for i := j + 1; i < n; i++ {
			if v := math.Abs(lu[i*n+j]); v > best {
				p, best = i, v
			}
		}
		piv[j] = p
		if p != j {
			sign = -sign
			for c := 0; c < n; c++ {
				lu[j*n+c], lu[p*n+c] = lu[p*n+c], lu[j*n+c]
			}
		}
		d := lu[j*n+j]
		if d == 0 {
			if zero < 0 {
				zero = j
			}
			continue
		}
		for i := j + 1; i < n; i++ {
			f := lu[i*n+j] / d
			lu[i*n+j] = f
			if f != 0 {
				axpyVec(-f, lu[j*n+j+1:(j+1)*n], lu[i*n+j+1:(i+1)*n])
			}
		}
	}
	return sign, zero
}

// luSolve solves A X = B in place in x (n×k) from luFactor's output.
func luSolve(lu []float64, piv []int, n, k int, x []float64) {
	for j := 0; j < n; j++ {
		if p := piv[j]; p != j {
			for c := 0; c < k; c++ {
				x[j*k+c], x[p*k+c] = x[p*k+c], x[j*k+c]
			}
		}
	}
	for i := 0; i < n; i++ {
		xi := x[i*k : (i+1)*k]
		for p := 0; p < i; p++ {
			axpyVec(-lu[i*n+p], x[p*k:(p+1)*k], xi)
		}
	}
	for i := n - 1; i >= 0; i-- {
		xi := x[i*k : (i+1)*k]
		for p := i + 1; p < n; p++ {
			axpyVec(-lu[i*n+p], x[p*k:(p+1)*k], xi)
		}
		d := lu[i*n+i]
		for c := range xi {
			xi[c] /= d
		}
	}
}

// loadLU copies a (or its transpose) into the scratch lu.
func loadLU(lu, a []float64, n int, trans bool) {
	if !trans {
		copy(lu, a[:n*n])
		return
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			lu[j*n+i] = a[i*n+j]
		}
	}
}

// SolveOp solves op(A) X = B for a general square A by LU decomposition with partial pivoting;
// op(A) is Aᵀ with Trans. B is a vector or a matrix.
type SolveOp struct{ Trans bool }

// String implements Op.
func (o SolveOp) String() string {
	if o.Trans {
		return "solve{trans}"
	}
	return "solve"
}

// Infer implements Op.
func (o SolveOp) Infer(in []Type) ([]Type, error) { return solveShapes("solve", in) }

// Kernel implements Op.
func (o SolveOp) Kernel(spec KernelSpec) (Kernel, error) {
	if _, err := o.Infer(spec.In); err != nil {
		return nil, err
	}
	n := spec.In[0].Shape[0]
	k := 1
	if len(spec.In[1].Shape) == 2 {
		k = spec.In[1].Shape[1]
	}
	lu := make([]float64, n*n)
	piv := make([]int, n)
	trans := o.Trans
	return func(out, in []*Array) error {
		loadLU(lu, in[0].Data, n, trans)
		if _, z := luFactor(lu, piv, n); z >= 0 {
			return errorf("solve", "matrix is singular (zero pivot in column %d)", z)
		}
		copy(out[0].Data, in[1].Data)
		luSolve(lu, piv, n, k, out[0].Data)
		return nil
	}, nil
}

// Grad implements Op: B̄ = op(A)⁻ᵀ X̄ and op(A)̄ = -B̄ Xᵀ.
func (o SolveOp) Grad(in, out, gout []*Tensor) []*Tensor {
	a, x, g := in[0], out[0], gout[0]
	gb := Apply1(SolveOp{Trans: !o.Trans}, a, g)
	ga := Neg(solveGradA(gb, x, o.Trans))
	return []*Tensor{floatGrad(a, ga), floatGrad(in[1], gb)}
}

// Solve solves a x = b for x, for a general square matrix a (LU decomposition with partial
// pivoting) and b a vector or a matrix. A singular a is a run-time error.
func Solve(a, b any) *Tensor { return Apply1(SolveOp{}, As(a), As(b)) }

// LogDetOp is log|det A| of a square matrix, by LU decomposition (Theano's logabsdet). A singular
// matrix gives -Inf.
type LogDetOp struct{}

// String implements Op.
func (LogDetOp) String() string { return "logdet" }

// Infer implements Op.
func (LogDetOp) Infer(in []Type) ([]Type, error) {
	if _, err := squareInput("logdet", in); err != nil {
		return nil, err
	}
	return []Type{{DType: Float64, Shape: []int{}}}, nil
}

// Kernel implements Op.
func (o LogDetOp) Kernel(spec KernelSpec) (Kernel, error) {
	n, err := squareDim("logdet", spec.In[0])
	if err != nil {
		return nil, err
	}
	lu := make([]float64, n*n)
	piv := make([]int, n)
	return func(out, in []*Array) error {
		loadLU(lu, in[0].Data, n, false)
		luFactor(lu, piv, n)
		s := 0.0
		for i := 0; i < n; i++ {
			s += math.Log(math.Abs(lu[i*n+i]))
		}
		out[0].Data[0] = s
		return nil
	}, nil
}

// Grad implements Op: d log|det A| / dA = A⁻ᵀ.
func (LogDetOp) Grad(in, out, gout []*Tensor) []*Tensor {
	if !in[0].DType().IsFloat() {
		return []*Tensor{nil}
	}
	return []*Tensor{Mul(gout[0], mT(MatrixInverse(in[0])))}
}

// LogDet is log|det a| of a square matrix, by LU decomposition. A singular matrix gives -Inf.
func LogDet(a any) *Tensor { return Apply1(LogDetOp{}, As(a)) }

// LogDetPD is log det a of a symmetric positive definite matrix through its Cholesky factor L:
// 2 Σ log L_ii. It is cheaper and more accurate than LogDet for covariance matrices, and fails
// like Cholesky when a is not positive definite.
func LogDetPD(a any) *Tensor {
	return Mul(2.0, Sum(Log(ExtractDiag(Cholesky(a)))))
}

// MatrixInverseOp is the inverse of a square matrix, by LU decomposition with partial pivoting.
type MatrixInverseOp struct{}

// String implements Op.
func (MatrixInverseOp) String() string { return "matrix_inverse" }

// Infer implements Op.
func (MatrixInverseOp) Infer(in []Type) ([]Type, error) {
	n, err := squareInput("matrix_inverse", in)
	if err != nil {
		return nil, err
	}
	return []Type{{DType: Float64, Shape: []int{n, n}}}, nil
}

// Kernel implements Op.
func (o MatrixInverseOp) Kernel(spec KernelSpec) (Kernel, error) {
	n, err := squareDim("matrix_inverse", spec.In[0])
	if err != nil {
		return nil, err
	}
	lu := make([]float64, n*n)
	piv := make([]int, n)
	return func(out, in []*Array) error {
		loadLU(lu, in[0].Data, n, false)
		if _, z := luFactor(lu, piv, n); z >= 0 {
			return errorf("matrix_inverse", "matrix is singular (zero pivot in column %d)", z)
		}
		x := out[0].Data
		for i := range x {
			x[i] = 0
		}
		for i := 0; i < n; i++ {
			x[i*n+i] = 1
		}
		luSolve(lu, piv, n, n, x)
		return nil
	}, nil
}

// Grad implements Op: Ā = -A⁻ᵀ Ȳ A⁻ᵀ.
func (MatrixInverseOp) Grad(in, out, gout []*Tensor) []*Tensor {
	if !in[0].DType().IsFloat() {
		return []*Tensor{nil}
	}
	y := out[0]
	p := Apply1(DotOp{TransA: true}, y, gout[0])
	return []*Tensor{Neg(Apply1(DotOp{TransB: true}, p, y))}
}

// MatrixInverse is the inverse of a square matrix. A singular matrix is a run-time error.
func MatrixInverse(a any) *Tensor { return Apply1(MatrixInverseOp{}, As(a)) }

// PP implements Printer: "dot(x, beta)", with ᵀ marking a transposed operand.
func (o DotOp) PP(in []string) string {
	a, b := in[0], in[1]
	if o.TransA {
		a += "ᵀ"
	}
	if o.TransB {
		b += "ᵀ"
	}
	return fmt.Sprintf("dot(%s, %s)", a, b)
}
