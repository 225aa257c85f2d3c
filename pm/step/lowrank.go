package step

import (
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
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

// addLowRank writes w += U diag(f) Uᵀ w for the metric's k directions: two matrix-vector
// products with the k×n matrix of directions (gonum's assembly kernels read each direction
// once per product; k dot products and k axpys took 1.8 times as long at stochvol's size).
func (m *metric) addLowRank(w, f []float64) {
	n, k := m.n, m.k
	if k == 0 {
		return
	}
	u := blas64.General{Rows: k, Cols: n, Stride: n, Data: m.vecs[:k*n]}
	c := m.coef[:k]
	blas64.Gemv(blas.NoTrans, 1, u, blas64.Vector{N: n, Inc: 1, Data: w}, 0, blas64.Vector{N: k, Inc: 1, Data: c})
	for j := range c {
		c[j] *= f[j]
	}
	blas64.Gemv(blas.Trans, 1, u, blas64.Vector{N: k, Inc: 1, Data: c}, 1, blas64.Vector{N: n, Inc: 1, Data: w})
}

// start computes z.v = M⁻¹p after a fresh momentum and returns the kinetic
// energy; with a low-rank metric it also computes z.ig = M⁻¹g, which the
// leapfrog steps from z then keep up to date.
func (m *metric) start(z *point) float64 {
	kin := m.velocity(z.p, z.v)
	if !m.dense && m.k > 0 {
		m.applyLowRank(z.g, z.ig)
	}
	return kin
}

// velocityLowRank writes v = M⁻¹p and returns p·v/2 for k > 0.
func (m *metric) velocityLowRank(p, v []float64) float64 {
	m.applyLowRank(p, v)
	v = v[:len(p)]
	k := 0.0
	for i, pi := range p {
		k += pi * v[i]
	}
	return 0.5 * k
}

// applyLowRank writes v = M⁻¹p for k > 0, without the kinetic energy velocityLowRank adds
// (a leapfrog step's M⁻¹g needs none).
func (m *metric) applyLowRank(p, v []float64) {
	sd, w := m.sd[:len(p)], m.work[:len(p)]
	for i, pi := range p {
		w[i] = sd[i] * pi
	}
	m.addLowRank(w, m.lamM1)
	v = v[:len(w)]
	for i, wi := range w {
		v[i] = sd[i] * wi
	}
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
func leadingDirections(b *mat.Dense, m int, dst *mat.Dense, col int, ws *lowRankWork) int {
	n, N := b.Dims()
	small := n <= N
	gram := &ws.gram
	gram.Reset()
	if small {
		gram.SymOuterK(1, b)
	} else {
		gram.SymOuterK(1, b.T())
	}
	mu, v, ok := ws.eigSym(gram)
	if !ok {
		return 0
	}
	top := mu[len(mu)-1]
	if !(top > 0) {
		return 0
	}
	cnt := 0
	ws.u = grow(ws.u, n)
	ws.vj = grow(ws.vj, len(mu))
	u, vj := ws.u, ws.vj
	for j := len(mu) - 1; j >= 0 && cnt < m; j-- {
		if !(mu[j] > 1e-10*top) {
			break
		}
		if small {
			mat.Col(u, j, v)
		} else {
			mat.Col(vj, j, v)
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
//
// ws holds the matrices between calls (nil: new ones); the results do not depend on it, and
// vals and vecs are ws's until the next call.
func lowRankEstimate(xs, gs [][]float64, set lowRankSettings, ws *lowRankWork) (sd, vals, vecs []float64, ok bool) {
	N := len(xs)
	if N < 3 || len(gs) != N {
		return nil, nil, nil, false
	}
	if ws == nil {
		ws = &lowRankWork{}
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
	a := ws.dense(&ws.a, n, 2*N)
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
	q := &ws.q
	q.Reset()
	r := n
	if n <= 2*span {
		// With no more coordinates than the basis would have vectors, the span is the whole
		// space: Q = I, and the eigenproblems are n×n (linreg: 4×4 instead of 160×160).
		ws.dense(q, n, n)
		for i := 0; i < n; i++ {
			q.Set(i, i, 1)
		}
	} else {
		var ok bool
		if r, ok = spanBasis(xt, gt, span, q, ws); !ok {
			return sd, nil, nil, true
		}
	}
	// Covariances of the projections, regularised.
	cov := func(b mat.Matrix, buf *[]float64) []float64 {
		p, c := &ws.p, &ws.c
		p.Reset()
		p.Mul(q.T(), b)
		c.Reset()
		c.Mul(p, p.T())
		*buf = grow(*buf, r*r)
		out := *buf
		reg := set.gamma * float64(N)
		for i := 0; i < r; i++ {
			for j := 0; j < r; j++ {
				out[i*r+j] = c.At(i, j) / float64(N)
			}
			out[i*r+i] += reg
		}
		return out
	}
	cx, cg := cov(xt, &ws.cx), cov(gt, &ws.cg)
	sig, gok := ws.geoMeanChol(cx, cg, r)
	if !gok {
		return sd, nil, nil, true
	}
	ev, w, eok := ws.eigSym(mat.NewSymDense(r, sig))
	if !eok {
		return sd, nil, nil, true
	}
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
	ws.vals, ws.vecs = grow(ws.vals, k), grow(ws.vecs, k*n)
	vals, vecs = ws.vals, ws.vecs
	if k == 0 {
		return sd, vals, vecs, true
	}
	// U = Q W_kept, written transposed (one direction a row).
	wk := ws.dense(&ws.vk, r, k)
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

// spanBasis writes into q (n×r) an orthonormal basis of the span of the leading span
// directions of the draws xt and of the gradients gt, and returns r; ok is false when the span
// is empty or a decomposition fails.
func spanBasis(xt, gt *mat.Dense, span int, q *mat.Dense, ws *lowRankWork) (r int, ok bool) {
	n, _ := xt.Dims()
	basisIn := ws.dense(&ws.basis, n, 2*span)
	cx0 := leadingDirections(xt, span, basisIn, 0, ws)
	cg0 := leadingDirections(gt, span, basisIn, cx0, ws)
	basisIn = basisIn.Slice(0, n, 0, cx0+cg0).(*mat.Dense)
	if cx0+cg0 == 0 {
		return 0, false
	}
	// An orthonormal basis of the span from the Gram matrix's eigenvectors: q = B V μ^−½ for
	// the eigenvalues μ above 10⁻¹⁰ of the largest (singular values above 10⁻⁵ of it, where
	// the basis stays orthonormal to about 10⁻⁶); 2N×2N is cheaper than B's SVD.
	gram := &ws.gram
	gram.Reset()
	gram.SymOuterK(1, basisIn.T())
	mu, gv, ok := ws.eigSym(gram)
	if !ok {
		return 0, false
	}
	top := mu[len(mu)-1]
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
	vk := ws.dense(&ws.vk, cx0+cg0, r)
	for c, j := range cols {
		f := 1 / math.Sqrt(mu[j])
		for l := 0; l < cx0+cg0; l++ {
			vk.Set(l, c, gv.At(l, j)*f)
		}
	}
	q.Mul(basisIn, vk)
	return r, true
}

// lowRankWork keeps the low-rank estimate's larger matrices from one estimate to the next (an
// estimate every 10 or 80 warm-up draws), so that warm-up makes little garbage: an estimate at
// stochvol's size (503 coordinates, 160 draws) allocated 4.9 MB. Reusing them changes no
// result.
type lowRankWork struct {
	a, basis, vk, q, p, c mat.Dense
	gram                  mat.SymDense
	w, work, u, vj        []float64
	vals, vecs            []float64
	// geoMeanChol's
	ch                 mat.Cholesky
	l                  mat.TriDense
	ld, t, m, uv, full mat.Dense
	y, x               mat.Dense
	sym                mat.SymDense
	sig, cx, cg        []float64
}

// geoMeanChol is the geometric mean of cx and cg⁻¹ (the X with X cg X = cx, as geoMeanInv)
// through the Cholesky factor cg = LLᵀ: X = L⁻ᵀ(Lᵀ cx L)^½ L⁻¹, one symmetric eigenproblem
// instead of geoMeanInv's two.
// The result is ws's storage until the next call.
func (ws *lowRankWork) geoMeanChol(cx, cg []float64, n int) ([]float64, bool) {
	if !ws.ch.Factorize(mat.NewSymDense(n, cg)) {
		return nil, false
	}
	l := &ws.l
	l.Reset()
	ws.ch.LTo(l)
	ld := ws.dense(&ws.ld, n, n)
	ld.Copy(l)
	t, m := &ws.t, &ws.m
	t.Reset()
	t.Mul(mat.NewDense(n, n, cx), ld)
	m.Reset()
	m.Mul(ld.T(), t)
	mh, ok := ws.symPowHalf(m, n)
	if !ok {
		return nil, false
	}
	y, x := &ws.y, &ws.x
	y.Reset()
	if err := y.Solve(l.T(), mh); err != nil {
		return nil, false
	}
	x.Reset()
	if err := x.Solve(l.T(), y.T()); err != nil {
		return nil, false
	}
	ws.sig = grow(ws.sig, n*n)
	return symmetricRowsTo(ws.sig, x, n)
}

// symPowHalf is symPow(symmetrize(m), 0.5) on ws's storage, with the same arithmetic.
func (ws *lowRankWork) symPowHalf(m *mat.Dense, n int) (*mat.SymDense, bool) {
	s := &ws.sym
	symmetrizeInto(s, m, n)
	vals, u, ok := ws.eigSym(s)
	if !ok {
		return nil, false
	}
	if !wellConditioned(vals) {
		return nil, false
	}
	powFromEigen(&ws.full, &ws.uv, u, vals, 0.5, n)
	symmetrizeInto(s, &ws.full, n) // u, a view of s, is not read again
	return s, true
}

// reserve sizes the largest matrices for windows of up to maxN draws of n coordinates and a
// span of up to 2·span directions, so that they are allocated once rather than each time a
// window outgrows them.
func (ws *lowRankWork) reserve(n, maxN, span int) {
	r := min(n, 2*span)
	ws.a.ReuseAs(n, 2*maxN)
	ws.a.Reset()
	if n > 2*span {
		ws.basis.ReuseAs(n, 2*span)
		ws.basis.Reset()
		ws.gram.ReuseAsSym(max(maxN, 2*span))
		ws.gram.Reset()
	}
	ws.q.ReuseAs(n, r)
	ws.q.Reset()
	ws.vecs = make([]float64, 0, r*n)
}

// dense returns d emptied and reshaped to r×c with zeros, on its storage when that is large
// enough.
func (ws *lowRankWork) dense(d *mat.Dense, r, c int) *mat.Dense {
	d.Reset()
	d.ReuseAs(r, c)
	return d
}

// eigSym is mat.EigenSym's factorisation with vectors, done in place: s is overwritten with
// the eigenvectors (one a column of the returned n×n view of its storage) and the eigenvalues,
// ascending, are returned in ws's storage. It makes EigenSym's LAPACK call with EigenSym's
// workspace size, so the results are EigenSym's bit for bit.
func (ws *lowRankWork) eigSym(s *mat.SymDense) (vals []float64, vecs *mat.Dense, ok bool) {
	raw := s.RawSymmetric()
	n := raw.N
	ws.w = grow(ws.w, n)
	var query [1]float64
	lapack64.Syev(lapack.EVCompute, raw, ws.w, query[:], -1)
	ws.work = grow(ws.work, int(query[0]))
	if !lapack64.Syev(lapack.EVCompute, raw, ws.w, ws.work, len(ws.work)) {
		return nil, nil, false
	}
	return ws.w, mat.NewDense(n, n, raw.Data[:n*n]), true
}

// grow returns s with length n, reallocated only when its capacity is short.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}
