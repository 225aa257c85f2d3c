package step

import (
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// The low-rank modified metric (Seyboldt et al., "nutpie", 2024): the inverse metric is
//
//	M⁻¹ = S (I + U(Λ − I)Uᵀ) S,
//
// with S = diag(sd) a diagonal scale, U an n×k matrix of orthonormal directions of the scaled
// space and Λ = diag(λ) the posterior variances along them (relative to S). Its inverse is
// M = S⁻¹(I + U(Λ⁻¹ − I)Uᵀ)S⁻¹ and a square root of M is S⁻¹(I + U(Λ^−½ − I)Uᵀ), so a
// leapfrog step and a momentum draw cost O(n·k) instead of a dense metric's O(n²).

// setLowRank sets M⁻¹ = S(I + U(Λ − I)Uᵀ)S from sd (len n), vals (len k) and vecs (k×n,
// row-major: one orthonormal direction a row). k = 0 is the diagonal metric diag(sd²).
func (m *metric) setLowRank(sd, vals, vecs []float64) {
	n := m.n
	for i, s := range sd {
		m.inv[i] = s * s
		m.isd[i] = 1 / s
		m.sd[i] = s
	}
	k := len(vals)
	m.k = k
	if cap(m.vecs) < k*n {
		// Warm-up only: the number of directions is at most 2N − 2 for N kept draws.
		m.vecs = make([]float64, k*n)
		m.lamM1, m.lamS1 = make([]float64, k), make([]float64, k)
		m.coef = make([]float64, k)
	}
	m.lamM1 = m.lamM1[:k]
	m.lamS1 = m.lamS1[:k]
	m.vecs = m.vecs[:k*n]
	for j, l := range vals {
		m.lamM1[j] = l - 1
		m.lamS1[j] = 1/math.Sqrt(l) - 1
	}
	copy(m.vecs, vecs)
}

// lowRankInit makes m a low-rank modified metric, for now the unit one (k = 0).
func (m *metric) lowRankInit() {
	n := m.n
	m.sd = make([]float64, n)
	for i := range m.sd {
		m.sd[i] = 1
	}
	m.work = make([]float64, n)
}

// addLowRank writes w += U diag(f) Uᵀ w for the metric's k directions.
func (m *metric) addLowRank(w, f []float64) {
	n := m.n
	c := m.coef[:m.k]
	for j := range c {
		c[j] = f[j] * floats.Dot(m.vecs[j*n:j*n+n], w)
	}
	for j, cj := range c {
		floats.AddScaled(w, cj, m.vecs[j*n:j*n+n])
	}
}

// start computes z.v = M⁻¹p after a fresh momentum and returns the kinetic
// energy; with a low-rank metric it also computes z.ig = M⁻¹g, which the
// leapfrog steps from z then keep up to date.
func (m *metric) start(z *point) float64 {
	kin := m.velocity(z.p, z.v)
	if !m.dense && m.k > 0 {
		m.velocity(z.g, z.ig)
	}
	return kin
}

// velocityLowRank writes v = M⁻¹p and returns p·v/2 for k > 0.
func (m *metric) velocityLowRank(p, v []float64) float64 {
	w := m.work
	for i, pi := range p {
		w[i] = m.sd[i] * pi
	}
	m.addLowRank(w, m.lamM1)
	k := 0.0
	for i, pi := range p {
		vi := m.sd[i] * w[i]
		v[i] = vi
		k += pi * vi
	}
	return 0.5 * k
}

// samplePLowRank draws p ~ N(0, M) for k > 0: p = S⁻¹(I + U(Λ^−½ − I)Uᵀ)u with u standard
// normal.
func (m *metric) samplePLowRank(rng *rand.Rand, p []float64) {
	for i := range p {
		p[i] = rng.NormFloat64()
	}
	m.addLowRank(p, m.lamS1)
	for i := range p {
		p[i] *= m.isd[i]
	}
}

// fullDiag returns the diagonal of the low-rank modified M⁻¹: sd_i² (1 + Σ_j (λ_j − 1) U_ji²).
func (m *metric) fullDiag() []float64 {
	n := m.n
	out := make([]float64, n)
	for i := range out {
		s := 1.0
		for j := 0; j < m.k; j++ {
			u := m.vecs[j*n+i]
			s += m.lamM1[j] * u * u
		}
		out[i] = m.inv[i] * s
	}
	return out
}

// lowRankSettings tune the low-rank estimate.
type lowRankSettings struct {
	// cutoff keeps the directions whose variance ratio λ lies outside [1/cutoff, cutoff]
	// (nutpie's eigval_cutoff, 2).
	cutoff float64
	// gamma regularises both covariances in the scaled space by gamma·count·I (nutpie's
	// mass_matrix_gamma, 10⁻⁵).
	gamma float64
	// maxK caps the number of directions kept (those with the largest |log λ|); 0: no cap.
	maxK int
	// maxSpan caps the leading directions taken from the draws and from the gradients each
	// (0: all).
	maxSpan int
}

// leadingDirections writes up to m unit vectors spanning the leading part of b's columns (the
// eigenvectors of b bᵀ with the largest eigenvalues, above 10⁻¹⁰ of the largest) into dst's
// columns from col on, and returns how many. It solves the smaller of the two eigenproblems:
// b bᵀ (n×n) directly, or bᵀb (N×N), whose eigenvectors v give b v / √μ.
func leadingDirections(b *mat.Dense, m int, dst *mat.Dense, col int) int {
	n, N := b.Dims()
	small := n <= N
	var gram mat.SymDense
	if small {
		gram.SymOuterK(1, b)
	} else {
		gram.SymOuterK(1, b.T())
	}
	var e mat.EigenSym
	if !e.Factorize(&gram, true) {
		return 0
	}
	mu := e.Values(nil)
	top := mu[len(mu)-1]
	if !(top > 0) {
		return 0
	}
	var v mat.Dense
	e.VectorsTo(&v)
	cnt := 0
	u := make([]float64, n)
	vj := make([]float64, len(mu))
	for j := len(mu) - 1; j >= 0 && cnt < m; j-- {
		if !(mu[j] > 1e-10*top) {
			break
		}
		if small {
			mat.Col(u, j, &v)
		} else {
			mat.Col(vj, j, &v)
			uv := mat.NewVecDense(n, u)
			uv.MulVec(b, mat.NewVecDense(N, vj))
			uv.ScaleVec(1/math.Sqrt(mu[j]), uv)
		}
		dst.SetCol(col+cnt, u)
		cnt++
	}
	return cnt
}

// lowRankEstimate estimates the low-rank modified metric from N draws xs and their gradients
// gs (each N vectors of length n). The diagonal is nutpie's sd_i = (var x_i / var g_i)^¼. In
// the space scaled by it, the draws x̃ = (x − x̄)/sd and gradients g̃ = (g − ḡ)·sd span at most
// 2N − 2 directions; on an orthonormal basis Q of that span, the covariances of Qᵀx̃ and Qᵀg̃
// (each plus gamma·N·I) are combined into their affine-invariant geometric mean Σ̃ (the
// matrix with Σ̃ C_g Σ̃ = C_x, exact for a Gaussian posterior restricted to the span), and
// the eigenvectors of Σ̃ whose eigenvalues fall outside [1/cutoff, cutoff] become U. It
// returns sd, the kept eigenvalues and the directions (k×n, row-major); ok is false when the
// window has too few draws or the decompositions fail, and then nothing should change.
func lowRankEstimate(xs, gs [][]float64, set lowRankSettings) (sd, vals, vecs []float64, ok bool) {
	N := len(xs)
	if N < 3 || len(gs) != N {
		return nil, nil, nil, false
	}
	n := len(xs[0])
	mx, mg := make([]float64, n), make([]float64, n)
	for t := range xs {
		floats.Add(mx, xs[t])
		floats.Add(mg, gs[t])
	}
	floats.Scale(1/float64(N), mx)
	floats.Scale(1/float64(N), mg)
	sd = make([]float64, n)
	for i := range sd {
		vx, vg := 0.0, 0.0
		for t := range xs {
			dx, dg := xs[t][i]-mx[i], gs[t][i]-mg[i]
			vx += dx * dx
			vg += dg * dg
		}
		s := math.Sqrt(math.Sqrt(vx / vg))
		if !finite(s) || s <= 0 {
			// A coordinate that did not move, or whose gradient is constant: its draws'
			// spread alone, or the unit scale.
			s = math.Sqrt(vx / float64(N-1))
			if !finite(s) || s <= 0 {
				s = 1
			}
		}
		sd[i] = math.Min(math.Max(s, 1e-10), 1e10)
	}
	// Scaled, centred draws and gradients as the columns of an n×2N matrix, each half
	// normalised so that neither dominates the basis.
	a := mat.NewDense(n, 2*N, nil)
	for t := range xs {
		for i := 0; i < n; i++ {
			a.Set(i, t, (xs[t][i]-mx[i])/sd[i])
			a.Set(i, N+t, (gs[t][i]-mg[i])*sd[i])
		}
	}
	xt := a.Slice(0, n, 0, N).(*mat.Dense)
	gt := a.Slice(0, n, N, 2*N).(*mat.Dense)
	// The span is cut to the leading directions of each: the draws' largest variances and the
	// gradients' (the smallest posterior variances) are where λ departs from 1. Beyond
	// set.maxSpan directions each, the eigenproblems below, O(r³), would cost more than the
	// sampling (stochvol: 503 coordinates, 160 draws).
	span := set.maxSpan
	if span <= 0 || span > N {
		span = N
	}
	var q mat.Dense
	r := n
	if n <= 2*span {
		// With no more coordinates than the basis would have vectors, the span is the whole
		// space: Q = I, and the eigenproblems are n×n (linreg: 4×4 instead of 160×160).
		q.CloneFrom(eye(n))
	} else {
		var ok bool
		if r, ok = spanBasis(xt, gt, span, &q); !ok {
			return sd, nil, nil, true
		}
	}
	// Covariances of the projections, regularised.
	cov := func(b mat.Matrix) []float64 {
		var p mat.Dense
		p.Mul(q.T(), b)
		var c mat.Dense
		c.Mul(&p, p.T())
		out := make([]float64, r*r)
		reg := set.gamma * float64(N)
		for i := 0; i < r; i++ {
			for j := 0; j < r; j++ {
				out[i*r+j] = c.At(i, j) / float64(N)
			}
			out[i*r+i] += reg
		}
		return out
	}
	cx, cg := cov(xt), cov(gt)
	sig, gok := geoMeanChol(cx, cg, r)
	if !gok {
		return sd, nil, nil, true
	}
	var eig mat.EigenSym
	if !eig.Factorize(mat.NewSymDense(r, sig), true) {
		return sd, nil, nil, true
	}
	ev := eig.Values(nil)
	var w mat.Dense
	eig.VectorsTo(&w)
	keep := make([]int, 0, r)
	for j, l := range ev {
		if finite(l) && l > 0 && (l > set.cutoff || l < 1/set.cutoff) {
			keep = append(keep, j)
		}
	}
	sort.Slice(keep, func(x, y int) bool {
		return math.Abs(math.Log(ev[keep[x]])) > math.Abs(math.Log(ev[keep[y]]))
	})
	if set.maxK > 0 && len(keep) > set.maxK {
		keep = keep[:set.maxK]
	}
	k := len(keep)
	vals = make([]float64, k)
	vecs = make([]float64, k*n)
	if k == 0 {
		return sd, vals, vecs, true
	}
	// U = Q W_kept, written transposed (one direction a row).
	wk := mat.NewDense(r, k, nil)
	for c, j := range keep {
		vals[c] = ev[j]
		for l := 0; l < r; l++ {
			wk.Set(l, c, w.At(l, j))
		}
	}
	ut := mat.NewDense(k, n, vecs)
	ut.Mul(wk.T(), q.T())
	return sd, vals, vecs, true
}

// geoMeanChol is the geometric mean of cx and cg⁻¹ (the X with X cg X = cx, as geoMeanInv)
// through the Cholesky factor cg = LLᵀ: X = L⁻ᵀ(Lᵀ cx L)^½ L⁻¹, one symmetric eigenproblem
// instead of geoMeanInv's two.
func geoMeanChol(cx, cg []float64, n int) ([]float64, bool) {
	var ch mat.Cholesky
	if !ch.Factorize(mat.NewSymDense(n, cg)) {
		return nil, false
	}
	var l mat.TriDense
	ch.LTo(&l)
	ld := mat.DenseCopyOf(&l)
	var t, m mat.Dense
	t.Mul(mat.NewDense(n, n, cx), ld)
	m.Mul(ld.T(), &t)
	mh, ok := symPow(symmetrize(&m, n), 0.5)
	if !ok {
		return nil, false
	}
	// X = L⁻ᵀ mh L⁻¹: solve Lᵀ Y = mh, then Lᵀ Xᵀ = Yᵀ (X is symmetric).
	var y, x mat.Dense
	if err := y.Solve(l.T(), mh); err != nil {
		return nil, false
	}
	if err := x.Solve(l.T(), y.T()); err != nil {
		return nil, false
	}
	return symmetricRows(&x, n)
}

// spanBasis writes into q (n×r) an orthonormal basis of the span of the leading span
// directions of the draws xt and of the gradients gt, and returns r; ok is false when the span
// is empty or a decomposition fails.
func spanBasis(xt, gt *mat.Dense, span int, q *mat.Dense) (r int, ok bool) {
	n, _ := xt.Dims()
	basisIn := mat.NewDense(n, 2*span, nil)
	cx0 := leadingDirections(xt, span, basisIn, 0)
	cg0 := leadingDirections(gt, span, basisIn, cx0)
	basisIn = basisIn.Slice(0, n, 0, cx0+cg0).(*mat.Dense)
	if cx0+cg0 == 0 {
		return 0, false
	}
	// An orthonormal basis of the span from the Gram matrix's eigenvectors: q = B V μ^−½ for
	// the eigenvalues μ above 10⁻¹⁰ of the largest (singular values above 10⁻⁵ of it, where
	// the basis stays orthonormal to about 10⁻⁶); 2N×2N is cheaper than B's SVD.
	var gram mat.SymDense
	gram.SymOuterK(1, basisIn.T())
	var ge mat.EigenSym
	if !ge.Factorize(&gram, true) {
		return 0, false
	}
	mu := ge.Values(nil)
	top := mu[len(mu)-1]
	var gv mat.Dense
	ge.VectorsTo(&gv)
	var cols []int
	for j := len(mu) - 1; j >= 0; j-- {
		if mu[j] > 1e-10*top {
			cols = append(cols, j)
		}
	}
	r = len(cols)
	if r == 0 || !(top > 0) {
		return 0, false
	}
	vk := mat.NewDense(cx0+cg0, r, nil)
	for c, j := range cols {
		f := 1 / math.Sqrt(mu[j])
		for l := 0; l < cx0+cg0; l++ {
			vk.Set(l, c, gv.At(l, j)*f)
		}
	}
	q.Mul(basisIn, vk)
	return r, true
}

// eye is the n×n identity.
func eye(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		m.Set(i, i, 1)
	}
	return m
}
