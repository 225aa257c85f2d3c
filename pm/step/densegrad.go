package step

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// denseFromDrawsAndGrads returns the dense inverse metric estimated from the covariance of a
// window's draws, cx, and of their log-density gradients, cg (both n×n, row-major, both
// triangles): the affine-invariant geometric mean of cx and cg⁻¹,
//
//	Σ̂ = cx # cg⁻¹ = cx^½ (cx^½ cg cx^½)^−½ cx^½,
//
// the unique symmetric positive-definite X with X cx⁻¹ X = cg⁻¹. For a Gaussian posterior with
// covariance Σ the gradient at x is −Σ⁻¹(x − μ), so cg = Σ⁻¹ cx Σ⁻¹ and Σ̂ = Σ exactly, from
// any n+1 draws in general position however badly they mix: the draws of the first window,
// made under a metric that does not fit, already give the right one. This is the dense form of
// nutpie's diagonal √(var x / var g) (Seyboldt et al., "nutpie", 2024), which is the same mean
// taken coordinate by coordinate. Before the mean, each covariance is shrunk towards its own
// diagonal with weight 5/(count+5), so that a window with fewer draws than dimensions still
// gives a positive-definite estimate; shrinking towards the diagonal keeps every coordinate's
// scale (Stan's shrinkage towards 10⁻³·I does not, and dominates the variance of a coordinate
// whose posterior sd is below about 0.003). It reports false when either covariance is not
// positive definite after shrinkage (a coordinate that never moved).
func denseFromDrawsAndGrads(cx, cg []float64, n int, count float64) ([]float64, bool) {
	if count > float64(n+1) {
		if out, ok := geoMeanInv(cx, cg, n, 0); ok {
			return out, true
		}
	}
	return geoMeanInv(cx, cg, n, math.Max(5/(count+5), float64(n)/(count+float64(n))))
}

// geoMeanInv is cx # cg⁻¹ after shrinking both covariances' off-diagonal elements by the
// factor 1 − w.
func geoMeanInv(cx, cg []float64, n int, w float64) ([]float64, bool) {
	shrink := func(c []float64) *mat.SymDense {
		s := mat.NewSymDense(n, nil)
		for i := 0; i < n; i++ {
			for j := 0; j <= i; j++ {
				v := c[i*n+j]
				if i != j {
					v *= 1 - w
				}
				s.SetSym(i, j, v)
			}
		}
		return s
	}
	a, g := shrink(cx), shrink(cg)
	ah, ok := symPow(a, 0.5)
	if !ok {
		return nil, false
	}
	// M = a^½ g a^½, then Σ̂ = a^½ M^−½ a^½. The products run on dense copies: gonum's Mul
	// of symmetric operands takes an element-by-element path.
	ahD, gD := mat.DenseCopyOf(ah), mat.DenseCopyOf(g)
	var t, mm mat.Dense
	t.Mul(ahD, gD)
	mm.Mul(&t, ahD)
	ms := symmetrize(&mm, n)
	mh, ok := symPow(ms, -0.5)
	if !ok {
		return nil, false
	}
	var x mat.Dense
	t.Mul(ahD, mat.DenseCopyOf(mh))
	x.Mul(&t, ahD)
	return symmetricRows(&x, n)
}

// symPow returns s^p for a symmetric positive-definite s through its eigendecomposition; it
// reports false if an eigenvalue is not positive (relative to the largest) or not finite.
func symPow(s *mat.SymDense, p float64) (*mat.SymDense, bool) {
	n := s.SymmetricDim()
	var e mat.EigenSym
	if !e.Factorize(s, true) {
		return nil, false
	}
	vals := e.Values(nil)
	if !wellConditioned(vals) {
		return nil, false
	}
	var u, uv, full mat.Dense
	e.VectorsTo(&u)
	powFromEigen(&full, &uv, &u, vals, p, n)
	return symmetrize(&full, n), true
}

// powFromEigen sets full = U diag(vals^p) Uᵀ for the eigenvectors U (n×n, one a column) and
// eigenvalues vals of a symmetric matrix, with uv as scratch; full and uv are reshaped on
// their storage when it is large enough.
func powFromEigen(full, uv *mat.Dense, u mat.Matrix, vals []float64, p float64, n int) {
	uv.Reset()
	uv.ReuseAs(n, n)
	uv.Copy(u)
	for k, v := range vals {
		col := math.Pow(v, p)
		for i := 0; i < n; i++ {
			uv.Set(i, k, uv.At(i, k)*col)
		}
	}
	full.Reset()
	full.Mul(uv, u.T())
}

// wellConditioned reports whether the eigenvalues vals are finite and all above 10⁻¹⁴ of the
// largest, as symPow needs them.
func wellConditioned(vals []float64) bool {
	top := 0.0
	for _, v := range vals {
		top = math.Max(top, v)
	}
	for _, v := range vals {
		if !(v > 1e-14*top) || !finite(v) {
			return false
		}
	}
	return true
}

// symmetrize returns (m + mᵀ)/2.
func symmetrize(m *mat.Dense, n int) *mat.SymDense {
	s := new(mat.SymDense)
	symmetrizeInto(s, m, n)
	return s
}

// symmetrizeInto sets s to (m + mᵀ)/2, on s's storage when it is large enough.
func symmetrizeInto(s *mat.SymDense, m *mat.Dense, n int) {
	s.Reset()
	s.ReuseAsSym(n)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			s.SetSym(i, j, 0.5*(m.At(i, j)+m.At(j, i)))
		}
	}
}

// symmetricRows returns (x + xᵀ)/2 row-major, or false if an element is not finite.
func symmetricRows(x *mat.Dense, n int) ([]float64, bool) {
	return symmetricRowsTo(make([]float64, n*n), x, n)
}

// symmetricRowsTo is symmetricRows writing into out (len n·n).
func symmetricRowsTo(out []float64, x *mat.Dense, n int) ([]float64, bool) {
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			v := 0.5 * (x.At(i, j) + x.At(j, i))
			if !finite(v) {
				return nil, false
			}
			out[i*n+j], out[j*n+i] = v, v
		}
	}
	return out, true
}
