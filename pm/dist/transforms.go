package dist

import (
	"math"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// The transforms map a distribution's support to unconstrained space. Names follow PyMC, so
// that a variable sigma with the log transform has the value variable sigma_log__.

// ---------------------------------------------------------------------------------------------

type identity struct{}

// Identity is the transform that leaves values unchanged (log-Jacobian 0). A model uses it to
// disable a distribution's default transform.
func Identity() Transform { return identity{} }

func (identity) Name() string                     { return "identity" }
func (identity) Forward(x *tt) *tt                { return x }
func (identity) Backward(y *tt) *tt               { return y }
func (identity) LogJacDet(y *tt) *tt              { return tensor.ZerosLike(tensor.Cast(y, tensor.Float64)) }
func (identity) UnconstrainedShape(s []int) []int { return append([]int{}, s...) }

// ---------------------------------------------------------------------------------------------

type logT struct{}

// Log is the transform of positive values: y = log x, x = exp(y), log|dx/dy| = y.
func Log() Transform { return logT{} }

func (logT) Name() string                     { return "log" }
func (logT) Forward(x *tt) *tt                { return tensor.Log(x) }
func (logT) Backward(y *tt) *tt               { return tensor.Exp(y) }
func (logT) LogJacDet(y *tt) *tt              { return tensor.Cast(y, tensor.Float64) }
func (logT) UnconstrainedShape(s []int) []int { return append([]int{}, s...) }

// ---------------------------------------------------------------------------------------------

type logOdds struct{}

// LogOdds is the transform of values in (0, 1): y = log(x/(1-x)), x = sigmoid(y),
// log|dx/dy| = log σ(y) + log σ(-y).
func LogOdds() Transform { return logOdds{} }

func (logOdds) Name() string       { return "logodds" }
func (logOdds) Forward(x *tt) *tt  { return tensor.Logit(x) }
func (logOdds) Backward(y *tt) *tt { return tensor.Sigmoid(y) }
func (logOdds) LogJacDet(y *tt) *tt {
	return tensor.Neg(tensor.Add(tensor.Softplus(y), tensor.Softplus(tensor.Neg(y))))
}
func (logOdds) UnconstrainedShape(s []int) []int { return append([]int{}, s...) }

// ---------------------------------------------------------------------------------------------

type interval struct{ lo, hi *tt }

// IntervalTransform is the transform of values in (lower, upper), bounds being float64 values,
// slices or tensors that broadcast with the value:
//
//	x = lower + (upper - lower) σ(y),  y = log(x - lower) - log(upper - x),
//	log|dx/dy| = log(upper - lower) + log σ(y) + log σ(-y).
//
// A nil bound means none: with only a lower bound it is LowerBound, with only an upper bound
// UpperBound, with neither Identity.
func IntervalTransform(lower, upper any) Transform {
	var lo, hi *tt
	if lower != nil {
		lo = tensor.As(lower)
	}
	if upper != nil {
		hi = tensor.As(upper)
	}
	if lo != nil && allConst(lo, func(v float64) bool { return math.IsInf(v, -1) }) {
		lo = nil
	}
	if hi != nil && allConst(hi, func(v float64) bool { return math.IsInf(v, 1) }) {
		hi = nil
	}
	if lo == nil && hi == nil {
		return Identity()
	}
	return interval{lo: lo, hi: hi}
}

// LowerBound is the transform of values above lower: x = lower + exp(y), y = log(x - lower),
// log|dx/dy| = y.
func LowerBound(lower any) Transform { return IntervalTransform(lower, nil) }

// UpperBound is the transform of values below upper: x = upper - exp(y), y = log(upper - x),
// log|dx/dy| = y.
func UpperBound(upper any) Transform { return IntervalTransform(nil, upper) }

func (t interval) Name() string { return "interval" }

func (t interval) Forward(x *tt) *tt {
	switch {
	case t.hi == nil:
		return tensor.Log(tensor.Sub(x, t.lo))
	case t.lo == nil:
		return tensor.Log(tensor.Sub(t.hi, x))
	}
	return tensor.Sub(tensor.Log(tensor.Sub(x, t.lo)), tensor.Log(tensor.Sub(t.hi, x)))
}

func (t interval) Backward(y *tt) *tt {
	switch {
	case t.hi == nil:
		return tensor.Add(t.lo, tensor.Exp(y))
	case t.lo == nil:
		return tensor.Sub(t.hi, tensor.Exp(y))
	}
	return tensor.Add(t.lo, tensor.Mul(tensor.Sub(t.hi, t.lo), tensor.Sigmoid(y)))
}

func (t interval) LogJacDet(y *tt) *tt {
	if t.lo == nil || t.hi == nil {
		return like(tensor.Cast(y, tensor.Float64), y)
	}
	j := tensor.Sub(tensor.Log(tensor.Sub(t.hi, t.lo)), tensor.Add(tensor.Softplus(y), tensor.Softplus(tensor.Neg(y))))
	return j
}

func (t interval) UnconstrainedShape(s []int) []int { return append([]int{}, s...) }

// ---------------------------------------------------------------------------------------------

type simplexT struct{}

// SimplexTransform is Stan's stick-breaking transform of vectors on the simplex (the last
// axis): K values summing to 1 map to K-1 unconstrained ones. With z_k = σ(y_k - log(K-1-k)),
// x_k = z_k (1 - Σ_{j<k} x_j) for k < K-1 and x_{K-1} the remaining stick; the log-Jacobian is
// Σ_k log(z_k (1-z_k) (1 - Σ_{j<k} x_j)). The offsets make y = 0 the uniform vector.
func SimplexTransform() Transform { return simplexT{} }

func (simplexT) Name() string { return "simplex" }

// offsets are log(K-1-k) for k = 0..K-2.
func simplexOffsets(k1 int) *tt {
	off := make([]float64, k1)
	for k := range off {
		off[k] = math.Log(float64(k1 - k))
	}
	return tensor.Const(off)
}

func lastDim(t *tt, what string) (int, int) {
	ax := t.NDim() - 1
	if ax < 0 || t.Shape()[ax] < 0 {
		panic(&tensor.Error{Op: what, Msg: "the last dimension must have a known length, got shape " + tensor.ShapeString(t.Shape())})
	}
	return ax, t.Shape()[ax]
}

func (simplexT) Forward(x *tt) *tt {
	ax, k := lastDim(x, "simplex transform")
	head := tensor.Slice(x, ax, 0, k-1, 1)
	cs := tensor.Cumsum(head, ax)
	// z = head/stick with stick = 1 - (cs - head); logit(z) = log(head) - log(1 - cs).
	return tensor.Add(tensor.Sub(tensor.Log(head), tensor.Log1p(tensor.Neg(cs))), simplexOffsets(k-1))
}

func (simplexT) parts(y *tt) (ax int, logz, log1mz, cs *tt) {
	ax, k1 := lastDim(y, "simplex transform")
	a := tensor.Sub(y, simplexOffsets(k1))
	logz, log1mz = tensor.LogSigmoid(a), tensor.LogSigmoid(tensor.Neg(a))
	cs = tensor.Cumsum(log1mz, ax)
	return
}

func (s simplexT) Backward(y *tt) *tt {
	ax, logz, log1mz, cs := s.parts(y)
	k1 := y.Shape()[ax]
	head := tensor.Exp(tensor.Add(logz, tensor.Sub(cs, log1mz)))
	last := tensor.Exp(tensor.Slice(cs, ax, k1-1, k1, 1))
	return tensor.Concatenate(ax, head, last)
}

func (s simplexT) LogJacDet(y *tt) *tt {
	ax, logz, _, cs := s.parts(y)
	return tensor.Sum(tensor.Add(logz, cs), ax)
}

func (simplexT) UnconstrainedShape(s []int) []int {
	r := append([]int{}, s...)
	if len(r) > 0 && r[len(r)-1] > 0 {
		r[len(r)-1]--
	}
	return r
}

// ---------------------------------------------------------------------------------------------

type ordered struct{}

// Ordered is the transform of increasing vectors (the last axis): x_0 = y_0 and
// x_k = x_{k-1} + exp(y_k); the log-Jacobian is Σ_{k>0} y_k.
func Ordered() Transform { return ordered{} }

func (ordered) Name() string { return "ordered" }

func (ordered) Forward(x *tt) *tt {
	ax, k := lastDim(x, "ordered transform")
	if k < 2 {
		return x
	}
	d := tensor.Sub(tensor.Slice(x, ax, 1, k, 1), tensor.Slice(x, ax, 0, k-1, 1))
	return tensor.Concatenate(ax, tensor.Slice(x, ax, 0, 1, 1), tensor.Log(d))
}

func (ordered) Backward(y *tt) *tt {
	ax, k := lastDim(y, "ordered transform")
	if k < 2 {
		return y
	}
	return tensor.Cumsum(tensor.Concatenate(ax, tensor.Slice(y, ax, 0, 1, 1), tensor.Exp(tensor.Slice(y, ax, 1, k, 1))), ax)
}

func (ordered) LogJacDet(y *tt) *tt {
	ax, k := lastDim(y, "ordered transform")
	return tensor.Sum(tensor.Slice(tensor.Cast(y, tensor.Float64), ax, 1, k, 1), ax)
}

func (ordered) UnconstrainedShape(s []int) []int { return append([]int{}, s...) }

// ---------------------------------------------------------------------------------------------

// triIndex lists the flat positions (row-major in an n×n matrix) of the lower triangle, row by
// row; strict leaves out the diagonal.
func triIndex(n int, strict bool) []int {
	var idx []int
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			if j == i && strict {
				continue
			}
			idx = append(idx, i*n+j)
		}
	}
	return idx
}

// scatterTri places the vector v at the flat positions idx of an n×n matrix of zeros.
func scatterTri(v *tt, n int, idx []int) *tt {
	z := tensor.Const(make([]float64, n*n))
	return tensor.Reshape(tensor.IncTake(z, tensor.Const(idx), v, 0), n, n)
}

// gatherTri reads the entries at idx of an n×n matrix into a vector.
func gatherTri(m *tt, n int, idx []int) *tt {
	return tensor.Take(tensor.Reshape(m, n*n), tensor.Const(idx), 0)
}

func eye(n int) *tt {
	e := make([][]float64, n)
	for i := range e {
		e[i] = make([]float64, n)
		e[i][i] = 1
	}
	return tensor.Const(e)
}

func triSize(n int, strict bool) int {
	if strict {
		return n * (n - 1) / 2
	}
	return n * (n + 1) / 2
}

// triN recovers n from the length m of a packed triangle.
func triN(m int, strict bool) int {
	for n := 1; ; n++ {
		if triSize(n, strict) >= m {
			return n
		}
	}
}

type cholCorr struct {
	n      int
	matrix bool // Backward gives L Lᵀ (the correlation matrix) rather than L
}

// CholeskyCorr is the transform of Cholesky factors of n×n correlation matrices (lower
// triangular, unit-length rows, positive diagonal) from n(n-1)/2 unconstrained values, as in
// Stan: canonical partial correlations z = tanh(y) fill the strict lower triangle row by row,
// and L_ij = z_ij √(1 - Σ_{k<j} L_ik²), L_ii = √(1 - Σ_{k<i} L_ik²). The log-Jacobian is
// Σ log(1 - z²) + ½ Σ_{i>j} log(1 - Σ_{k<j} L_ik²). It maps one matrix (no batch dimensions).
func CholeskyCorr(n int) Transform { return cholCorr{n: n} }

// CorrMatrix is CholeskyCorr followed by R = L Lᵀ, the transform of n×n correlation matrices
// (LKJCorr's default). The log-Jacobian adds Σ_{i≥1} (n-1-i) log L_ii, the Jacobian of L ↦ R
// restricted to the strict lower triangles.
func CorrMatrix(n int) Transform { return cholCorr{n: n, matrix: true} }

func (t cholCorr) Name() string {
	if t.matrix {
		return "corr"
	}
	return "cholesky_corr"
}

// lsech2 is log(1 - tanh(y)²) = 2(log 2 - |y| - log(1 + e^(-2|y|))), finite for large |y|.
func lsech2(y *tt) *tt {
	a := tensor.Abs(y)
	return tensor.Mul(2.0, tensor.Sub(tensor.Sub(math.Ln2, a), tensor.Softplus(tensor.Mul(-2.0, a))))
}

// parts builds the strict-lower matrices Z (partial correlations) and C (row-wise cumulative
// sums of log(1 - z²)), from which L = Z exp(C_excl/2) + I exp(C/2).
func (t cholCorr) parts(y *tt) (z, c, cex, w *tt) {
	idx := triIndex(t.n, true)
	z = scatterTri(tensor.Tanh(y), t.n, idx)
	w = scatterTri(lsech2(y), t.n, idx)
	c = tensor.Cumsum(w, 1)
	cex = tensor.Sub(c, w)
	return
}

func (t cholCorr) chol(y *tt) *tt {
	z, c, cex, _ := t.parts(y)
	return tensor.Add(tensor.Mul(z, tensor.Exp(tensor.Mul(0.5, cex))), tensor.Mul(eye(t.n), tensor.Exp(tensor.Mul(0.5, c))))
}

func (t cholCorr) Backward(y *tt) *tt {
	l := t.chol(y)
	if t.matrix {
		return tensor.Dot(l, tensor.Transpose(l))
	}
	return l
}

func (t cholCorr) Forward(x *tt) *tt {
	l := x
	if t.matrix {
		l = tensor.Cholesky(x)
	}
	sq := tensor.Square(l)
	sex := tensor.Sub(tensor.Cumsum(sq, 1), sq)
	idx := triIndex(t.n, true)
	z := gatherTri(tensor.Div(l, tensor.Sqrt(tensor.Sub(1.0, sex))), t.n, idx)
	return tensor.Mul(0.5, tensor.Sub(tensor.Log1p(z), tensor.Log1p(tensor.Neg(z))))
}

func (t cholCorr) LogJacDet(y *tt) *tt {
	_, c, cex, _ := t.parts(y)
	idx := triIndex(t.n, true)
	j := tensor.Add(tensor.Sum(lsech2(y)), tensor.Mul(0.5, tensor.Sum(gatherTri(cex, t.n, idx))))
	if t.matrix && t.n > 2 {
		// log L_ii = C_ii / 2 (the whole row's cumulative sum ends on the diagonal).
		coef := make([]float64, t.n)
		for i := 1; i < t.n; i++ {
			coef[i] = 0.5 * float64(t.n-1-i)
		}
		j = tensor.Add(j, tensor.Sum(tensor.Mul(tensor.ExtractDiag(c), tensor.Const(coef))))
	}
	return j
}

func (t cholCorr) UnconstrainedShape(s []int) []int {
	return []int{triSize(t.n, true)}
}

// ---------------------------------------------------------------------------------------------

type cholCov struct{ n int }

// CholeskyCov is the transform of Cholesky factors of n×n covariance matrices (lower
// triangular with positive diagonal) from n(n+1)/2 unconstrained values packed row by row, the
// diagonal entries through exp (PyMC's packed Cholesky transform). The log-Jacobian is the sum
// of the diagonal entries of y. It maps one matrix (no batch dimensions).
func CholeskyCov(n int) Transform { return cholCov{n: n} }

func (t cholCov) Name() string { return "cholesky_cov" }

func (t cholCov) diagMask() *tt {
	m := make([]bool, 0, triSize(t.n, false))
	for i := 0; i < t.n; i++ {
		for j := 0; j <= i; j++ {
			m = append(m, i == j)
		}
	}
	return tensor.Const(m)
}

func (t cholCov) Backward(y *tt) *tt {
	v := tensor.Switch(t.diagMask(), tensor.Exp(y), y)
	return scatterTri(v, t.n, triIndex(t.n, false))
}

func (t cholCov) Forward(x *tt) *tt {
	v := gatherTri(x, t.n, triIndex(t.n, false))
	return tensor.Switch(t.diagMask(), tensor.Log(v), v)
}

func (t cholCov) LogJacDet(y *tt) *tt {
	return tensor.Sum(tensor.Switch(t.diagMask(), y, 0.0))
}

func (t cholCov) UnconstrainedShape(s []int) []int { return []int{triSize(t.n, false)} }
