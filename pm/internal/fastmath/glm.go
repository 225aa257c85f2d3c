package fastmath

import (
	"fmt"
	"math"
)

// One pass over the design matrix for a generalized linear model: the
// linear predictor eta = alpha + X beta, a fused likelihood kernel on it
// (log-likelihood terms and residuals r = d loglik / d eta) and the
// coefficients' gradient X^T r, block of rows by block of rows, so that each
// block of X is multiplied by beta and by its residuals while it is still in
// cache. Each likelihood matches its composed form (the predictor by
// MatVecAdd, the likelihood's slice kernel (BernoulliLogit, PoissonLog,
// NormalSumSq) and MatTVec, the residuals summed in Sum's four-lane order)
// to rounding, not bit for bit: the matrix products use fused multiply-adds
// in the order documented below, and the logistic likelihood uses its own
// table-free kernel (glmbern.go). The AVX-512 kernels and the portable Go
// code give the same bits.

// glmKind selects the likelihood of a glmPass.
type glmKind uint8

const (
	glmBernoulliLogit glmKind = iota // BernoulliLogit's terms
	glmPoissonLog                    // PoissonLog's terms
	glmNormal                        // NormalSumSq's terms (y and eta swap roles: mu = eta)
)

// checkGLM panics unless the slices fit a rows x cols matrix x.
func checkGLM(name string, x []float64, rows, cols int, beta, y, eta, resid, gradBeta []float64) {
	checkMat(name, eta, x, rows, cols, beta, cols, rows)
	checkFused(name, "eta", "y", eta, y, resid)
	if len(gradBeta) != cols {
		panic(fmt.Sprintf("fastmath: %s: len(gradBeta) = %d, want cols = %d", name, len(gradBeta), cols))
	}
}

// glmPass runs the pass for likelihood kind (invSigma: the normal's 1/sigma)
// and returns the sum of the likelihood's terms and of the residuals.
func glmPass(kind glmKind, x []float64, rows, cols int, alpha float64, beta, y []float64, invSigma float64, eta, resid, gradBeta []float64) (terms, residSum float64) {
	clear(gradBeta)
	var acc, sacc [4]float64
	var macc [4][32]float64
	if kind == glmBernoulliLogit && glmOverlap(cols) {
		glmBernoulliOverlap(x, rows, cols, alpha, beta, y, eta, resid, gradBeta, &acc, &sacc, &macc)
		return (acc[0] + acc[1]) + (acc[2] + acc[3]), (sacc[0] + sacc[1]) + (sacc[2] + sacc[3])
	}
	for i0 := 0; i0 < rows; i0 += glmBlock {
		i1 := min(i0+glmBlock, rows)
		e, r, yb := eta[i0:i1], resid[i0:i1], y[i0:i1]
		xb := x[i0*cols : i1*cols]
		glmMatVec(e, xb, i1-i0, cols, alpha, beta)
		switch kind {
		case glmBernoulliLogit:
			bernoulliGLMAcc(e, yb, r, &acc, &sacc)
		case glmPoissonLog:
			poissonLogAcc(e, yb, r, &acc)
			sumLanes(r, &sacc)
		case glmNormal:
			normalSumSqAcc(yb, e, invSigma, r, &acc)
			sumLanes(r, &sacc)
		}
		glmMatTVecAcc(gradBeta, &macc, xb, i1-i0, cols, r)
	}
	return (acc[0] + acc[1]) + (acc[2] + acc[3]), (sacc[0] + sacc[1]) + (sacc[2] + sacc[3])
}

// glmBernoulliOverlap is glmPass's Bernoulli case with the AVX-512 kernels
// for at most 32 columns: the same steps and bits, but the predictor of
// block b+1 runs in one loop with the likelihood of block b (glmMVBAsm), so
// that the predictor's loads (from the last-level cache) overlap the
// likelihood's arithmetic.
func glmBernoulliOverlap(x []float64, rows, cols int, alpha float64, beta, y, eta, resid, gradBeta []float64, acc, sacc *[4]float64, macc *[4][32]float64) {
	var bp [32]float64
	copy(bp[:], beta)
	if rows > 0 {
		n := min(glmBlock, rows)
		glmMatVec(eta[:n], x[:n*cols], n, cols, alpha, beta)
	}
	for i0 := 0; i0 < rows; i0 += glmBlock {
		i1 := min(i0+glmBlock, rows)
		e, r, yb := eta[i0:i1], resid[i0:i1], y[i0:i1]
		xb := x[i0*cols : i1*cols]
		// The next block's predictor alongside this block's likelihood.
		j1 := min(i1+glmBlock, rows)
		en, xn := eta[i1:j1], x[i1*cols:j1*cols]
		n := min(i1-i0, j1-i1) &^ 7
		for i := 0; i < n; {
			i = glmMVBAsm(xn, cols, &bp, alpha, en, e, yb, r, acc, sacc, i, n)
			if i < n {
				bernoulliGLMGo(e, yb, r, acc, sacc, i, i+8)
				glmMatVec(en[i:i+8], xn[i*cols:(i+8)*cols], 8, cols, alpha, beta)
				i += 8
			}
		}
		glmMatVec(en[n:], xn[n*cols:], j1-i1-n, cols, alpha, beta)
		bernoulliGLMAcc(e[n:], yb[n:], r[n:], acc, sacc)
		glmMatTVecAcc(gradBeta, macc, xb, i1-i0, cols, r)
	}
}

// sumLanes adds r[k] to the lanes sacc[k%4], in order.
func sumLanes(r []float64, sacc *[4]float64) {
	s0, s1, s2, s3 := sacc[0], sacc[1], sacc[2], sacc[3]
	k := 0
	for ; k+4 <= len(r); k += 4 {
		rr := r[k : k+4]
		s0 += rr[0]
		s1 += rr[1]
		s2 += rr[2]
		s3 += rr[3]
	}
	*sacc = [4]float64{s0, s1, s2, s3}
	for ; k < len(r); k++ {
		sacc[k%4] += r[k]
	}
}

// The GLM pass's matrix products use fused multiply-adds in an order of
// their own (not MatVecAdd's and MatTVec's), the same bits from the AVX-512
// kernels and the portable Go code:
//   - predictor: eight lanes p_l = fma chain over the columns j = l mod 8 in
//     increasing j, from +0; eta[i] = alpha + (((p_0 + p_1) + (p_2 + p_3)) +
//     ((p_4 + p_5) + (p_6 + p_7))).
//   - gradient: per block of rows (glmBlock) and per column j, four sums
//     S_m = fma chain over the block's rows i = m mod 4 (counted from the
//     block's first row) in increasing i, from +0; gradBeta[j] += (S_0 + S_1)
//     + (S_2 + S_3).

// glmMatVec sets eta[i] = alpha + (row i of a) . beta in the GLM order.
func glmMatVec(eta, a []float64, rows, cols int, alpha float64, beta []float64) {
	i := glmMatVecAsm(eta, a, rows, cols, alpha, beta)
	glmMatVecGo(eta[i:], a[i*cols:], rows-i, cols, alpha, beta)
}

// glmMatVecGo is glmMatVec's portable code.
func glmMatVecGo(eta, a []float64, rows, cols int, alpha float64, beta []float64) {
	beta = beta[:cols]
	c8 := cols &^ 7
	for i := range rows {
		row := a[i*cols : (i+1)*cols][:len(beta)]
		var p0, p1, p2, p3, p4, p5, p6, p7 float64
		for j := 0; j < c8; j += 8 {
			rr, bb := row[j:j+8], beta[j:j+8]
			p0 = math.FMA(rr[0], bb[0], p0)
			p1 = math.FMA(rr[1], bb[1], p1)
			p2 = math.FMA(rr[2], bb[2], p2)
			p3 = math.FMA(rr[3], bb[3], p3)
			p4 = math.FMA(rr[4], bb[4], p4)
			p5 = math.FMA(rr[5], bb[5], p5)
			p6 = math.FMA(rr[6], bb[6], p6)
			p7 = math.FMA(rr[7], bb[7], p7)
		}
		if c8 < cols {
			p := [8]float64{p0, p1, p2, p3, p4, p5, p6, p7}
			for j := c8; j < cols; j++ {
				p[j-c8] = math.FMA(row[j], beta[j], p[j-c8])
			}
			p0, p1, p2, p3, p4, p5, p6, p7 = p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]
		}
		eta[i] = alpha + (((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 + p7)))
	}
}

// glmMatTVecSets continues the four sums in macc with the rows of a block
// (w <= 32 columns at the start of each row of stride columns).
func glmMatTVecSets(macc *[4][32]float64, a []float64, rows, w, stride int, r []float64) {
	i := glmMatTVecAsm(macc, a, rows, w, stride, r)
	glmMatTVecGo(macc, a, i, rows, w, stride, r)
}

// glmReduceSets adds (S_0 + S_1) + (S_2 + S_3) from macc to grad (len(grad) <= 32).
func glmReduceSets(grad []float64, macc *[4][32]float64) {
	for j := range grad {
		grad[j] += (macc[0][j] + macc[1][j]) + (macc[2][j] + macc[3][j])
	}
}

// glmMatTVecAcc adds a block's A^T r to grad in the GLM order, glmChunk()
// columns at a time through the four sums in macc (the chunks do not change
// the bits).
func glmMatTVecAcc(grad []float64, macc *[4][32]float64, a []float64, rows, cols int, r []float64) {
	step := glmChunk()
	for c0 := 0; c0 < cols; c0 += step {
		w := min(step, cols-c0)
		*macc = [4][32]float64{}
		glmMatTVecSets(macc, a[c0:], rows, w, cols, r)
		glmReduceSets(grad[c0:c0+w], macc)
	}
}

// glmMatTVecGo continues macc's four sums with rows i0..rows-1 of the w
// columns at the start of a (stride columns per row), four rows (one per
// sum) at a time where it can.
func glmMatTVecGo(macc *[4][32]float64, a []float64, i0, rows, w, stride int, r []float64) {
	s0, s1, s2, s3 := macc[0][:w], macc[1][:w], macc[2][:w], macc[3][:w]
	i := i0
	for ; i < rows && (i&3 != 0 || i+4 > rows); i++ {
		glmMatTVecRow(macc[i&3][:w], a[i*stride:i*stride+w], r[i])
	}
	for ; i+4 <= rows; i += 4 {
		a0 := a[i*stride : i*stride+w]
		a1 := a[(i+1)*stride : (i+1)*stride+w]
		a2 := a[(i+2)*stride : (i+2)*stride+w]
		a3 := a[(i+3)*stride : (i+3)*stride+w]
		r0, r1, r2, r3 := r[i], r[i+1], r[i+2], r[i+3]
		for j := range s0 {
			s0[j] = math.FMA(a0[j], r0, s0[j])
			s1[j] = math.FMA(a1[j], r1, s1[j])
			s2[j] = math.FMA(a2[j], r2, s2[j])
			s3[j] = math.FMA(a3[j], r3, s3[j])
		}
	}
	for ; i < rows; i++ {
		glmMatTVecRow(macc[i&3][:w], a[i*stride:i*stride+w], r[i])
	}
}

// glmMatTVecRow adds row*ri to s, one fused multiply-add per entry.
func glmMatTVecRow(s, row []float64, ri float64) {
	row = row[:len(s)]
	for j, v := range row {
		s[j] = math.FMA(v, ri, s[j])
	}
}

// PoissonLogGLM evaluates a Poisson regression with log link in one pass
// over X, as BernoulliLogitGLM does a logistic one: with eta = alpha + X beta
// it returns logLik = PoissonLog(eta, y, resid) (without the data constant
// -sum_i log(y_i!), see LogFactorialSum) and gradAlpha = Sum(resid), writes
// eta and resid = y - exp(eta) and sets gradBeta = X^T resid (the composed
// kernels' results to rounding, see above). It panics on mismatched lengths.
func PoissonLogGLM(x []float64, rows, cols int, alpha float64, beta, y, eta, resid, gradBeta []float64) (logLik, gradAlpha float64) {
	checkGLM("PoissonLogGLM", x, rows, cols, beta, y, eta, resid, gradBeta)
	return glmPass(glmPoissonLog, x, rows, cols, alpha, beta, y, 0, eta, resid, gradBeta)
}

// NormalGLM evaluates a normal linear regression in one pass over X: with
// mu = eta = alpha + X beta it returns sumSq = NormalSumSq(y, eta, invSigma,
// resid), the sum of squared standardized residuals, and gradAlpha =
// Sum(resid) (resid = (y - eta)/sigma^2, the derivative of -sumSq/2 with
// respect to eta), writes eta and resid and sets gradBeta = X^T resid (the
// composed kernels' results to rounding). The log-likelihood is -sumSq/2 -
// n log sigma - n log(2 pi)/2. It panics on mismatched lengths.
func NormalGLM(x []float64, rows, cols int, alpha float64, beta, y []float64, invSigma float64, eta, resid, gradBeta []float64) (sumSq, gradAlpha float64) {
	checkGLM("NormalGLM", x, rows, cols, beta, y, eta, resid, gradBeta)
	return glmPass(glmNormal, x, rows, cols, alpha, beta, y, invSigma, eta, resid, gradBeta)
}
