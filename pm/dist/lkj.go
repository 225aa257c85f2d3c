package dist

import (
	"fmt"
	"math"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// lkjLogNorm is log c_n(η), the log normalizing constant of the LKJ density det(R)^(η-1)/c_n(η)
// (Lewandowski, Kurowicka and Joe 2009, eq. 16).
//
//	log c_n(η) = Σ_{k=1}^{n-1} [(2η - 2 + n - k)(n - k) log 2 + (n - k) log B(b_k, b_k)],
//	b_k = η + (n - k - 1)/2.
func lkjLogNorm(n int, eta *tt) *tt {
	s := tensor.Const(0.0)
	for k := 1; k < n; k++ {
		nk := float64(n - k)
		bk := tensor.Add(eta, (nk-1)/2)
		t := tensor.Mul(tensor.Mul(tensor.Add(tensor.Mul(2.0, eta), nk-2), nk), math.Ln2)
		s = tensor.Add(s, tensor.Add(t, tensor.Mul(nk, lbeta(bk, bk))))
	}
	return s
}

// lkjCholRandom draws the Cholesky factor of an LKJ(η) correlation matrix: the canonical
// partial correlations of column c are independent 2·Beta(α_c, α_c) - 1 with
// α_c = η + (n - 2 - c)/2 (Lewandowski et al.'s C-vine method, as Stan's lkj_corr_cholesky_rng),
// assembled by the CholeskyCorr construction.
func lkjCholRandom(rs *tensor.RandomStream, n int, eta *tt) *tt {
	if n < 2 {
		return tensor.Const([][]float64{{1}})
	}
	var off []float64
	for r := 1; r < n; r++ {
		for c := 0; c < r; c++ {
			off = append(off, float64(n-2-c)/2)
		}
	}
	a := tensor.Add(eta, tensor.Const(off))
	z := tensor.Sub(tensor.Mul(2.0, rs.Beta(a, a)), 1.0)
	// y = atanh(z), so that tanh(y) = z in the construction.
	y := tensor.Mul(0.5, tensor.Sub(tensor.Log1p(z), tensor.Log1p(tensor.Neg(z))))
	return cholCorr{n: n}.chol(y)
}

func checkUnbatched(name string, shape []int, n int) {
	if shape != nil && !(len(shape) == 2 && shape[0] == n && shape[1] == n) {
		panic(errDist(name, fmt.Sprintf("random draws of shape %s are not supported, only one %d×%d matrix", tensor.ShapeString(shape), n, n)))
	}
}

// ---------------------------------------------------------------------------------------------

type lkjCorr struct {
	base
	n   int
	eta *tt
}

// LKJCorr is the LKJ distribution over n×n correlation matrices R with shape parameter eta. Its log-density is
//
//	log p(R) = (η - 1) log det R - log c_n(η)
//
// with c_n(η) the normalizing constant of Lewandowski, Kurowicka and Joe (2009). η = 1 is
// uniform over correlation matrices; larger η concentrates near the identity. Support:
// correlation matrices (event dimension 2; the CorrMatrix transform from n(n-1)/2 values).
// Constraints: η > 0, n >= 2. Each off-diagonal r_ij is marginally 2·Beta(η-1+n/2, η-1+n/2)-1.
// One matrix per variable: batches of LKJ matrices are not supported.
func LKJCorr(n int, eta any) Dist {
	b := newBuilder("LKJCorr")
	d := &lkjCorr{n: n, eta: b.param("eta", eta)}
	b.positive("eta", d.eta)
	if n < 2 {
		b.fail(fmt.Errorf("LKJCorr: n is %d, but must be at least 2", n))
		d.n = 2
	}
	d.base = b.base([]int{d.n, d.n}, 2, tensor.Float64)
	return d
}

func (d *lkjCorr) Logp(x *tt) *tt {
	lp := tensor.Neg(lkjLogNorm(d.n, d.eta))
	if !allConst(d.eta, func(v float64) bool { return v == 1 }) {
		lp = tensor.Add(lp, tensor.Mul(tensor.Sub(d.eta, 1.0), tensor.LogDetPD(x)))
	}
	if a := x.Value(); a != nil && !isCorr(a, d.n) {
		return tensor.Const(math.Inf(-1))
	}
	return bound(lp, condPos(d.eta))
}

// isCorr reports whether a is a symmetric n×n matrix with unit diagonal and entries in [-1, 1].
func isCorr(a *tensor.Array, n int) bool {
	if len(a.Shape) != 2 || a.Shape[0] != n || a.Shape[1] != n {
		return false
	}
	for i := 0; i < n; i++ {
		if math.Abs(a.Data[i*n+i]-1) > 1e-10 {
			return false
		}
		for j := 0; j < i; j++ {
			if v := a.Data[i*n+j]; math.Abs(v-a.Data[j*n+i]) > 1e-10 || !(math.Abs(v) <= 1) {
				return false
			}
		}
	}
	return true
}

func (d *lkjCorr) Random(rs *tensor.RandomStream, shape []int) *tt {
	checkUnbatched(d.name, shape, d.n)
	l := lkjCholRandom(rs, d.n, d.eta)
	return tensor.Dot(l, tensor.Transpose(l))
}
func (d *lkjCorr) Support() Support            { return Support{Kind: PositiveDefinite} }
func (d *lkjCorr) DefaultTransform() Transform { return CorrMatrix(d.n) }
func (d *lkjCorr) InitialValue(shape []int) *tt {
	return eye(d.n)
}

// ---------------------------------------------------------------------------------------------

type lkjCholCov struct {
	base
	n   int
	eta *tt
	sd  Dist
}

// LKJCholeskyCov is the distribution of the lower Cholesky factor L of a covariance matrix
// Σ = L Lᵀ = diag(σ) R diag(σ), whose standard deviations σ_i (the row norms of L) are
// independent draws from sdDist (a scalar distribution with positive support, of shape [] or
// [n]) and whose correlation matrix R is LKJ(η), as PyMC's LKJCholeskyCov. With the correlation
// Cholesky factor C = diag(1/σ) L. Its log-density is
//
//	log p(L) = Σ_i log p_σ(σ_i) + Σ_{i≥1} (n - 1 - i + 2η - 2) log C_ii - log c_n(η)
//	           - Σ_i ((i+1) log σ_i - log L_ii)
//
// where the first line is the LKJ density of C (Stan's lkj_corr_cholesky) and the second the
// Jacobian of (σ, C) ↦ L. Support: Cholesky factors (event dimension 2; the CholeskyCov
// transform from n(n+1)/2 values). Constraints: η > 0. Use MvNormalChol(mu, L) for the
// likelihood, and CovCholeskyParts for σ and R. One matrix per variable (no batch).
func LKJCholeskyCov(n int, eta any, sdDist Dist) Dist {
	b := newBuilder("LKJCholeskyCov")
	d := &lkjCholCov{n: n, eta: b.param("eta", eta), sd: sdDist}
	b.positive("eta", d.eta)
	switch {
	case n < 1:
		b.fail(fmt.Errorf("LKJCholeskyCov: n is %d, but must be at least 1", n))
		d.n = 1
	case sdDist == nil:
		b.fail(fmt.Errorf("LKJCholeskyCov: sdDist is nil"))
	case sdDist.Err() != nil:
		b.fail(fmt.Errorf("LKJCholeskyCov: sdDist: %w", sdDist.Err()))
	case sdDist.EventNDim() != 0 || !(len(sdDist.Shape()) == 0 || sameInts(sdDist.Shape(), []int{n})):
		b.fail(fmt.Errorf("LKJCholeskyCov: sdDist must be a scalar distribution of shape [] or [%d], got %s of shape %s",
			n, sdDist.Name(), tensor.ShapeString(sdDist.Shape())))
	}
	if b.err != nil {
		d.sd = HalfNormal(1.0)
	}
	d.base = b.base([]int{d.n, d.n}, 2, tensor.Float64)
	return d
}

func (d *lkjCholCov) Logp(x *tt) *tt {
	n := d.n
	sd := tensor.Sqrt(tensor.Sum(tensor.Square(x), 1))
	logsd := tensor.Log(sd)
	logDiag := tensor.Log(tensor.ExtractDiag(x))
	base := make([]float64, n)
	mask := make([]float64, n)
	jac := make([]float64, n)
	for i := 0; i < n; i++ {
		if i > 0 {
			base[i] = float64(n - 1 - i)
			mask[i] = 1
		}
		jac[i] = float64(i + 1)
	}
	coef := tensor.Add(tensor.Const(base), tensor.Mul(tensor.Sub(tensor.Mul(2.0, d.eta), 2.0), tensor.Const(mask)))
	lkj := tensor.Sub(tensor.Sum(tensor.Mul(coef, tensor.Sub(logDiag, logsd))), lkjLogNorm(n, d.eta))
	j := tensor.Sub(tensor.Sum(logDiag), tensor.Sum(tensor.Mul(tensor.Const(jac), logsd)))
	lp := tensor.Add(tensor.Add(tensor.Sum(d.sd.Logp(sd)), lkj), j)
	return bound(lp, condPos(d.eta))
}

func (d *lkjCholCov) Random(rs *tensor.RandomStream, shape []int) *tt {
	checkUnbatched(d.name, shape, d.n)
	l := lkjCholRandom(rs, d.n, d.eta)
	sd := tensor.Cast(d.sd.Random(rs, []int{d.n}), tensor.Float64)
	return tensor.Mul(l, tensor.ExpandDims(sd, 1))
}
func (d *lkjCholCov) Support() Support            { return Support{Kind: CovCholesky} }
func (d *lkjCholCov) DefaultTransform() Transform { return CholeskyCov(d.n) }
func (d *lkjCholCov) InitialValue(shape []int) *tt {
	return tensor.Diag(tensor.Cast(d.sd.InitialValue([]int{d.n}), tensor.Float64))
}

// CovCholeskyParts splits the Cholesky factor L of a covariance matrix into the correlation
// matrix R and the standard deviations σ (Σ = L Lᵀ = diag(σ) R diag(σ)), as PyMC's
// LKJCholeskyCov(compute_corr=True) returns them.
func CovCholeskyParts(chol any) (corr, stds *tensor.Tensor) {
	l := tensor.As(chol)
	stds = tensor.Sqrt(tensor.Sum(tensor.Square(l), 1))
	cov := tensor.Dot(l, tensor.Transpose(l))
	corr = tensor.Div(cov, tensor.Outer(stds, stds))
	return corr, stds
}
