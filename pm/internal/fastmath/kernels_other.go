//go:build !amd64 || purego

package fastmath

// useAVX2 is false where the assembly kernels do not exist; the Go code runs.
const useAVX2 = false

// useAVX512 is false where the assembly kernels do not exist.
const useAVX512 = false

func matVecAVX(dst, a []float64, rows, cols int, x, b []float64) {
	panic("fastmath: matVecAVX called without AVX2 kernels")
}

func matTVecAVX(dst, a []float64, rows, cols int, r []float64) {
	panic("fastmath: matTVecAVX called without AVX2 kernels")
}

func bernoulliLogitAVX2(eta, y, resid *float64, n int, acc *[4]float64) int {
	panic("fastmath: bernoulliLogitAVX2 called without AVX2 kernels")
}

func bernoulliLogitAVX512(eta, y, resid *float64, n int, acc *[4]float64) int {
	panic("fastmath: bernoulliLogitAVX512 called without AVX-512 kernels")
}

func logSigmoidAVX2(dst, x *float64, n int, s float64) int {
	panic("fastmath: logSigmoidAVX2 called without AVX2 kernels")
}

func sigmoidAVX2(dst, x *float64, n int) int {
	panic("fastmath: sigmoidAVX2 called without AVX2 kernels")
}

func expAVX2(dst, x *float64, n int) int {
	panic("fastmath: expAVX2 called without AVX2 kernels")
}

func logAVX2(dst, x *float64, n int) int {
	panic("fastmath: logAVX2 called without AVX2 kernels")
}

func log1pAVX2(dst, x *float64, n int) int {
	panic("fastmath: log1pAVX2 called without AVX2 kernels")
}

func glmMatVecAsm(eta, a []float64, rows, cols int, alpha float64, beta []float64) int { return 0 }

func glmMatTVecAsm(acc *[4][32]float64, a []float64, rows, w, stride int, r []float64) int {
	return 0
}

func bernoulliGLM512(eta, y, resid *float64, n int, acc, racc *[4]float64) int {
	panic("fastmath: bernoulliGLM512 called without AVX-512 kernels")
}

func glmOverlap(cols int) bool { return false }

func glmMVBAsm(xNext []float64, cols int, bp *[32]float64, alpha float64, etaNext, eta, y, resid []float64, acc, racc *[4]float64, i, n int) int {
	panic("fastmath: glmMVBAsm called without AVX-512 kernels")
}

// useFMA is false where the assembly kernels do not exist.
const useFMA = false

func bernoulliGLM256(eta, y, resid *float64, n int, acc, racc *[4]float64) int {
	panic("fastmath: bernoulliGLM256 called without AVX2 kernels")
}

func glmChunk() int { return 32 }
