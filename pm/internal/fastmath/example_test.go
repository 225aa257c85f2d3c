package fastmath_test

import (
	"fmt"

	"github.com/gopm-dev/gopm/pm/internal/fastmath"
)

// Example evaluates a tiny logistic regression log-likelihood and its
// gradient: eta = alpha + X beta, then the fused Bernoulli-logit kernel,
// then X^T resid.
func Example() {
	const rows, cols = 4, 2
	x := []float64{ // row-major 4x2
		1.0, 0.5,
		-0.3, 2.0,
		0.8, -1.2,
		0.0, 0.4,
	}
	y := []float64{1, 0, 1, 1}
	alpha, beta := 0.25, []float64{0.7, -0.4}

	eta := []float64{alpha, alpha, alpha, alpha}
	fastmath.MatVecAdd(eta, x, rows, cols, beta, eta) // eta = alpha + X beta
	resid := make([]float64, rows)
	logLik := fastmath.BernoulliLogit(eta, y, resid) // resid = y - sigmoid(eta)
	gradBeta := make([]float64, cols)
	fastmath.MatTVec(gradBeta, x, rows, cols, resid) // d logLik / d beta
	gradAlpha := fastmath.Sum(resid)

	fmt.Printf("log-likelihood %.6f\n", logLik)
	fmt.Printf("gradient alpha %.6f, beta [%.6f %.6f]\n", gradAlpha, gradBeta[0], gradBeta[1])
	fmt.Printf("log(1+e^-800) = %g, log1p(1e-20) = %g\n", fastmath.Softplus(-800), fastmath.Log1p(1e-20))
	// Output:
	// log-likelihood -1.662863
	// gradient alpha 0.695543, beta [0.589097 -0.544899]
	// log(1+e^-800) = 0, log1p(1e-20) = 1e-20
}
