package fastmath

import "math"

// The GLM pass's Bernoulli-logit kernel: the terms and residuals of
// BernoulliLogit from one exponential and one logarithm per element, both
// without tables (a polynomial after the reduction by powers of two), so the
// AVX-512 kernel needs no gathers. Its bits differ from BernoulliLogit's in
// the last place; the AVX-512 and AVX2 kernels (glm512_amd64.s,
// genGLMBern512, genGLMBern256) give those of bernoulliGLMGo.

// Coefficients of the kernel: exp(r) = 1 + r P(r) with P(r) =
// sum_{k<=12} r^k/(k+1)! for |r| <= ln2/2 (truncation below 2^-58
// relative), and log(1+f) = 2 atanh(s) with s = f/(2+f), |s| <= 0.172:
// R = z Q(z), z = s^2, Q(z) = sum_{k<=9} 2 z^k/(2k+3) (truncation below 2^-60
// relative). Both polynomials are evaluated by Estrin's scheme (pairs, then
// pairs of pairs with the squared argument, ...), which keeps the chain of
// dependent operations short for the vector kernel.
const (
	glmInvLn2 = 1 / math.Ln2
	glmTwo    = 2.0
	glmHalf   = 0.5
)

// glmExpC holds 1/(k+1)! for k = 0..12; glmLogC holds 2/(2k+3) for k = 0..9.
var (
	glmExpC = [13]float64{1, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320,
		1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800}
	glmLogC = [10]float64{2.0 / 3, 2.0 / 5, 2.0 / 7, 2.0 / 9, 2.0 / 11, 2.0 / 13, 2.0 / 15, 2.0 / 17, 2.0 / 19, 2.0 / 21}
)

// logisticGLM returns, for a = |x| (or NaN), L = log1p(e^-a), sp = sigmoid(a)
// and sn = sigmoid(-a), like logistic but through glmExpC and glmLogC.
func logisticGLM(a float64) (l, sp, sn float64) {
	var e float64
	if a < expFastMax {
		xn := -a
		kd := math.FMA(xn, glmInvLn2, expShift)
		ki := math.Float64bits(kd)
		kd -= expShift
		r := math.FMA(-kd, ln2hi, xn)
		r = math.FMA(-kd, ln2lo, r)
		c := &glmExpC
		r2 := float64(r * r)
		r4 := float64(r2 * r2)
		r8 := float64(r4 * r4)
		b0 := math.FMA(math.FMA(c[3], r, c[2]), r2, math.FMA(c[1], r, c[0]))
		b1 := math.FMA(math.FMA(c[7], r, c[6]), r2, math.FMA(c[5], r, c[4]))
		b2 := math.FMA(math.FMA(c[11], r, c[10]), r2, math.FMA(c[9], r, c[8]))
		p := math.FMA(math.FMA(c[12], r4, b2), r8, math.FMA(b1, r4, b0))
		q := math.FMA(p, r, 1)
		// 2^n for n = round(-a/ln2) in [-1021, 0], from the low bits of ki.
		e = q * math.Float64frombits((ki+1023)<<52)
	} else {
		e = Exp(-a)
	}
	u := 1 + e
	d := 1 / u
	c := float64((e - (u - 1)) * d) // log1p(e) = log(u) + c to first order
	iu := math.Float64bits(u)
	tmp := iu - logOff
	kd := float64(int64(tmp) >> 52)                   // 0 or 1: u = 2^k m
	f := math.Float64frombits(iu-tmp&(0xfff<<52)) - 1 // m - 1, exact, |f| < 0.415
	s := f / (glmTwo + f)
	z := float64(s * s)
	z2 := float64(z * z)
	z4 := float64(z2 * z2)
	z8 := float64(z4 * z4)
	lc := &glmLogC
	b0 := math.FMA(math.FMA(lc[3], z, lc[2]), z2, math.FMA(lc[1], z, lc[0]))
	b1 := math.FMA(math.FMA(lc[7], z, lc[6]), z2, math.FMA(lc[5], z, lc[4]))
	q := math.FMA(math.FMA(lc[9], z, lc[8]), z8, math.FMA(b1, z4, b0))
	rr := float64(z * q)
	hfsq := float64(float64(f*f) * glmHalf)
	t := math.FMA(s, hfsq+rr, math.FMA(kd, ln2lo, c))
	l = float64(kd*ln2hi) - ((hfsq - t) - f)
	sp = math.FMA(-c, d, d)
	sn = float64(e * sp)
	return l, sp, sn
}

// bernoulliGLMAcc adds the terms of the GLM Bernoulli kernel to the lanes
// acc[i%4], writes the residuals and adds them to the lanes racc[i%4], with
// the AVX-512 kernel where the CPU has it (the same bits as bernoulliGLMGo).
func bernoulliGLMAcc(eta, y, resid []float64, acc, racc *[4]float64) {
	i := 0
	if useAVX512 {
		i = bernoulliGLMAsm(8, eta, y, resid, acc, racc, i)
	}
	if useFMA {
		i = bernoulliGLMAsm(4, eta, y, resid, acc, racc, i)
	}
	bernoulliGLMGo(eta, y, resid, acc, racc, i, len(eta))
}

// bernoulliGLMAsm runs the assembly kernel for groups of w elements (8:
// AVX-512, 4: AVX2) from element i on and returns where it stopped; a group
// with a label other than 0 and 1, a NaN or an |eta| >= expFastMax goes to
// the Go code.
func bernoulliGLMAsm(w int, eta, y, resid []float64, acc, racc *[4]float64, i int) int {
	n := len(eta) / w * w
	for i < n {
		if w == 8 {
			i += bernoulliGLM512(&eta[i], &y[i], &resid[i], n-i, acc, racc)
		} else {
			i += bernoulliGLM256(&eta[i], &y[i], &resid[i], n-i, acc, racc)
		}
		if i < n {
			bernoulliGLMGo(eta, y, resid, acc, racc, i, i+w)
			i += w
		}
	}
	return i
}

// bernoulliGLMGo runs elements [from, to) like bernoulliLogitGo with
// logisticGLM in place of logistic, adding resid[i] to racc[i%4].
func bernoulliGLMGo(eta, y, resid []float64, acc, racc *[4]float64, from, to int) {
	bernoulliLoop(eta, y, resid, acc, racc, from, to, true)
}
