package fastmath

import "fmt"

// One pass over the design matrix for a generalized linear model: the
// linear predictor eta = alpha + X beta, a fused likelihood kernel on it
// (log-likelihood terms and residuals r = d loglik / d eta) and the
// coefficients' gradient X^T r, block of rows by block of rows, so that each
// block of X is multiplied by beta and by its residuals while it is still in
// cache. Every likelihood gives, bit for bit, its composed form: the
// predictor by MatVecAdd, the likelihood's slice kernel (BernoulliLogit,
// PoissonLog, NormalSumSq) and MatTVec, with the residuals summed in Sum's
// four-lane order.

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
	for i0 := 0; i0 < rows; i0 += glmBlock {
		i1 := min(i0+glmBlock, rows)
		e, r, yb := eta[i0:i1], resid[i0:i1], y[i0:i1]
		xb := x[i0*cols : i1*cols]
		for k := range e {
			e[k] = alpha
		}
		matVec(e, xb, i1-i0, cols, beta, e)
		switch kind {
		case glmBernoulliLogit:
			bernoulliLogitAcc(e, yb, r, &acc)
		case glmPoissonLog:
			poissonLogAcc(e, yb, r, &acc)
		case glmNormal:
			normalSumSqAcc(yb, e, invSigma, r, &acc)
		}
		matTVecAcc(gradBeta, xb, i1-i0, cols, r)
		for k, v := range r {
			sacc[k%4] += v
		}
	}
	return (acc[0] + acc[1]) + (acc[2] + acc[3]), (sacc[0] + sacc[1]) + (sacc[2] + sacc[3])
}

// PoissonLogGLM evaluates a Poisson regression with log link in one pass
// over X, as BernoulliLogitGLM does a logistic one: with eta = alpha + X beta
// it returns logLik = PoissonLog(eta, y, resid) (without the data constant
// -sum_i log(y_i!), see LogFactorialSum) and gradAlpha = Sum(resid), writes
// eta and resid = y - exp(eta) and sets gradBeta = X^T resid, bit for bit as
// the composed kernels. It panics on mismatched lengths.
func PoissonLogGLM(x []float64, rows, cols int, alpha float64, beta, y, eta, resid, gradBeta []float64) (logLik, gradAlpha float64) {
	checkGLM("PoissonLogGLM", x, rows, cols, beta, y, eta, resid, gradBeta)
	return glmPass(glmPoissonLog, x, rows, cols, alpha, beta, y, 0, eta, resid, gradBeta)
}

// NormalGLM evaluates a normal linear regression in one pass over X: with
// mu = eta = alpha + X beta it returns sumSq = NormalSumSq(y, eta, invSigma,
// resid), the sum of squared standardized residuals, and gradAlpha =
// Sum(resid) (resid = (y - eta)/sigma^2, the derivative of -sumSq/2 with
// respect to eta), writes eta and resid and sets gradBeta = X^T resid, bit
// for bit as the composed kernels. The log-likelihood is -sumSq/2 - n log
// sigma - n log(2 pi)/2. It panics on mismatched lengths.
func NormalGLM(x []float64, rows, cols int, alpha float64, beta, y []float64, invSigma float64, eta, resid, gradBeta []float64) (sumSq, gradAlpha float64) {
	checkGLM("NormalGLM", x, rows, cols, beta, y, eta, resid, gradBeta)
	return glmPass(glmNormal, x, rows, cols, alpha, beta, y, invSigma, eta, resid, gradBeta)
}
