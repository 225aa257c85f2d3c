package fastmath

import (
	"fmt"
	"math"
)

// Fused likelihood kernels: one pass computes the log-likelihood sum and the
// gradient with respect to the linear predictor. The per-element code is the
// scalar code of exp.go, log.go and sigmoid.go written out by hand (Go does
// not inline functions of this size); on amd64 with AVX2, bernoulli_amd64.s
// performs the same operations in the same order on four elements at once,
// and with AVX-512, bernoulli512_amd64.s on eight (two groups of eight per
// iteration, so that two independent chains of dependent operations overlap).
// The tests require bitwise agreement with the scalar composition each
// kernel documents, and between the assembly and the Go loop.

// checkFused panics unless the three slices have one length; na and nb name
// the first two in the message.
func checkFused(name, na, nb string, a, b, resid []float64) {
	if len(b) != len(a) || len(resid) != len(a) {
		panic(fmt.Sprintf("fastmath: %s: len(%s) = %d, len(%s) = %d, len(resid) = %d", name, na, len(a), nb, len(b), len(resid)))
	}
}

// BernoulliLogit returns sum_i y_i*log(sigmoid(eta_i)) + (1-y_i)*log(1-sigmoid(eta_i))
// for labels y_i in {0, 1} and writes resid_i = y_i - sigmoid(eta_i), the
// derivative of the sum with respect to eta_i, in the same pass.
//
// With s_i = 2*y_i - 1 (exactly ±1) the result is, bit for bit,
//
//	Sum(t) with t_i = LogSigmoid(s_i*eta_i)
//	resid_i = s_i * Sigmoid(-s_i*eta_i)
//
// which equals y_i - sigmoid(eta_i) without the cancellation of 1 - sigmoid
// for large eta_i. A label other than 0 or 1 makes the result NaN (its resid
// is NaN too). It panics if the lengths differ.
func BernoulliLogit(eta, y, resid []float64) float64 {
	checkFused("BernoulliLogit", "eta", "y", eta, y, resid)
	var acc [4]float64
	bernoulliLogitAcc(eta, y, resid, &acc)
	return (acc[0] + acc[1]) + (acc[2] + acc[3])
}

// bernoulliLogitAcc adds the terms of BernoulliLogit to the lanes acc[i%4].
func bernoulliLogitAcc(eta, y, resid []float64, acc *[4]float64) {
	i := 0
	if useAVX512 {
		i = bernoulliLogitAsm(8, eta, y, resid, acc, i)
	}
	if useAVX2 {
		i = bernoulliLogitAsm(4, eta, y, resid, acc, i)
	}
	bernoulliLogitGo(eta, y, resid, acc, i, len(eta))
}

// bernoulliLogitAsm runs the assembly kernel for groups of w elements
// (w = 8: AVX-512, w = 4: AVX2) from element i on and returns where it
// stopped (after the last whole group). A func value would make acc escape.
// The assembly stops before a group holding an |eta| >= 708 or a NaN; the
// Go code takes that group, then the assembly resumes.
func bernoulliLogitAsm(w int, eta, y, resid []float64, acc *[4]float64, i int) int {
	n := len(eta) / w * w
	for i < n {
		if w == 8 {
			i += bernoulliLogitAVX512(&eta[i], &y[i], &resid[i], n-i, acc)
		} else {
			i += bernoulliLogitAVX2(&eta[i], &y[i], &resid[i], n-i, acc)
		}
		if i < n {
			bernoulliLogitGo(eta, y, resid, acc, i, i+w)
			i += w
		}
	}
	return i
}

// glmBlock is the number of rows glmPass (glm.go) handles at a time: a
// multiple of eight (the kernels' groups of rows and the summation lanes line
// up from block to block) whose block of X (1024 rows of up to 32 columns,
// 256 KiB) stays in the L2 cache between the two matrix passes (with the
// FMA kernels, 512 rows measured the same, 128 and 256 slower).
const glmBlock = 1024

// BernoulliLogitGLM evaluates a logistic regression in one pass over X:
// with eta = alpha + X beta (X row-major rows x cols, len(y) = rows) it
// returns logLik = BernoulliLogit(eta, y, resid) and gradAlpha = Sum(resid),
// writes eta and resid = y - sigmoid(eta) into the caller's buffers (len
// rows) and sets gradBeta = X^T resid (len cols). The result is, to
// rounding (its own order and kernels, see glm.go),
//
//	eta[i] = alpha; MatVecAdd(eta, x, rows, cols, beta, eta)
//	logLik = BernoulliLogit(eta, y, resid)
//	MatTVec(gradBeta, x, rows, cols, resid); gradAlpha = Sum(resid)
//
// but X is streamed from memory once instead of twice: each block of rows
// is multiplied by beta and by its residuals while it is still in cache
// (the fused form of Stan's bernoulli_logit_glm). With AVX-512 the products
// run as fused multiply-adds on eight columns, the likelihood without table
// lookups, and block b+1's X beta in one loop with block b's likelihood; for
// logistic_big (10,000 rows of 25 columns, 2 MB) a gradient took 57 µs
// against 96 µs before these kernels, and with N = 1,000,000 rows 14 ms
// against 18 ms (CPU time, medians, loaded machine). A nil gradBeta leaves
// X^T resid uncomputed, for a log-density without its gradient; the other
// results are the same bits. It panics on mismatched lengths.
func BernoulliLogitGLM(x []float64, rows, cols int, alpha float64, beta, y, eta, resid, gradBeta []float64) (logLik, gradAlpha float64) {
	checkGLM("BernoulliLogitGLM", x, rows, cols, beta, y, eta, resid, gradBeta)
	return glmPass(glmBernoulliLogit, x, rows, cols, alpha, beta, y, 0, eta, resid, gradBeta)
}

// bernoulliLogitGo runs elements [from, to), adding term i to acc[i%4].
func bernoulliLogitGo(eta, y, resid []float64, acc *[4]float64, from, to int) {
	bernoulliLoop(eta, y, resid, acc, nil, from, to, false)
}

// bernoulliLoop is the loop of bernoulliLogitGo (glm false: logistic) and
// bernoulliGLMGo (glm true: logisticGLM, and racc[i%4] += resid[i]).
func bernoulliLoop(eta, y, resid []float64, acc, racc *[4]float64, from, to int, glm bool) {
	eta = eta[:to]
	y = y[:len(eta)]
	resid = resid[:len(eta)]
	for i := from; i < len(eta); i++ {
		yi := y[i]
		s := 2*yi - 1
		if yi != 0 && yi != 1 {
			s = math.NaN()
		}
		zz := float64(s * eta[i]) // |zz| = |eta[i]|, or NaN for a bad label
		a := math.Abs(zz)
		var l, sp, sn float64
		if glm {
			l, sp, sn = logisticGLM(a)
		} else {
			l, sp, sn = logistic(a)
		}
		mz := signMask(zz)
		acc[i%4] += math.Float64frombits(math.Float64bits(zz)&mz) - l
		resid[i] = float64(s * pick(^mz, sp, sn)) // Sigmoid(-zz): mask of -zz is ^mz
		if glm {
			racc[i%4] += resid[i]
		}
	}
}

// PoissonLog returns sum_i y_i*eta_i - exp(eta_i), the Poisson log-likelihood
// with log rate eta_i up to the data constant -sum_i log(y_i!) (compute that
// once per data set with LogFactorialSum), and writes resid_i = y_i - exp(eta_i),
// the derivative with respect to eta_i. Bit for bit it is Sum(t) with
// t_i = y_i*eta_i - Exp(eta_i) (product rounded first). It panics if the
// lengths differ.
func PoissonLog(eta, y, resid []float64) float64 {
	checkFused("PoissonLog", "eta", "y", eta, y, resid)
	var acc [4]float64
	poissonLogAcc(eta, y, resid, &acc)
	return (acc[0] + acc[1]) + (acc[2] + acc[3])
}

// poissonLogAcc adds the terms of PoissonLog to the lanes acc[i%4].
func poissonLogAcc(eta, y, resid []float64, acc *[4]float64) {
	y = y[:len(eta)]
	resid = resid[:len(eta)]
	for i, x := range eta {
		var e float64
		if math.Abs(x) < expFastMax {
			kd := float64(x*invLn2N) + expShift
			ki := math.Float64bits(kd)
			kd -= expShift
			r := (x - float64(kd*ln2hiN)) - float64(kd*ln2loN)
			et := &expTab[ki%expN]
			scale := math.Float64frombits(et[1] + ki<<(52-expBits))
			r2 := float64(r * r)
			tmp := math.Float64frombits(et[0]) + r + float64(r2*(expC2+float64(r*expC3))) + float64(float64(r2*r2)*(expC4+float64(r*expC5)))
			e = scale + float64(scale*tmp)
		} else {
			e = Exp(x)
		}
		yi := y[i]
		acc[i%4] += float64(yi*x) - e
		resid[i] = yi - e
	}
}

// LogFactorialSum returns sum_i log(y_i!) = sum_i lgamma(y_i + 1) (math.Lgamma,
// summed in the order of Sum): the constant that PoissonLog leaves out. Data
// are fixed during sampling, so callers compute it once.
func LogFactorialSum(y []float64) float64 {
	var acc [4]float64
	for i, v := range y {
		lg, _ := math.Lgamma(v + 1)
		acc[i%4] += lg
	}
	return (acc[0] + acc[1]) + (acc[2] + acc[3])
}

// NormalSumSq returns S = sum_i z_i^2 with z_i = (y_i - mu_i)*invSigma and
// writes resid_i = z_i*invSigma, the derivative of -S/2 with respect to mu_i.
// The normal log-likelihood is -S/2 - n*log(sigma) - n*log(2*pi)/2 and its
// derivative with respect to sigma is (S - n)/sigma. Bit for bit S is Sum(t)
// with t_i = z_i*z_i. It panics if the lengths differ.
func NormalSumSq(y, mu []float64, invSigma float64, resid []float64) float64 {
	checkFused("NormalSumSq", "mu", "y", mu, y, resid)
	var acc [4]float64
	normalSumSqAcc(y, mu, invSigma, resid, &acc)
	return (acc[0] + acc[1]) + (acc[2] + acc[3])
}

// normalSumSqAcc adds the terms of NormalSumSq to the lanes acc[i%4].
func normalSumSqAcc(y, mu []float64, invSigma float64, resid []float64, acc *[4]float64) {
	y = y[:len(mu)]
	resid = resid[:len(mu)]
	for i, m := range mu {
		z := float64((y[i] - m) * invSigma)
		acc[i%4] += float64(z * z)
		resid[i] = float64(z * invSigma)
	}
}
