package fastmath

import "math"

// Exp method (Tang's table-driven scheme, ACM TOMS 15(2), 1989):
//
//	x = k*ln2/N + r,  |r| <= ln2/(2N),  N = 128
//	exp(x) = 2^(k/N) * exp(r) = 2^m * T[i] * (1 + p(r)),  k = m*N + i
//
// T[i] = 2^(i/N) is stored as a float64 head plus its relative tail (tables.go,
// generated from a math/big reference), so the only rounding that matters is
// the final addition scale + scale*tmp: the error stays below 0.51 ulp. p is
// the degree-5 Taylor polynomial of expm1; on |r| <= 0.0028 its truncation error
// r^6/720 < 6e-19 is negligible.
//
// Evaluation order is fixed by explicit float64() conversions around products
// that could otherwise be fused into FMA instructions on arm64, ppc64le, s390x
// and riscv64 (the Go spec allows fusion unless a conversion intervenes), so
// results are bitwise identical on every GOARCH.

const (
	expBits  = 7
	expN     = 1 << expBits
	expShift = 0x1.8p52 // adding it rounds a float64 below 2^51 to an integer held in the low mantissa bits

	expC2 = 1.0 / 2
	expC3 = 1.0 / 6
	expC4 = 1.0 / 24
	expC5 = 1.0 / 120

	// expFastMax bounds the arguments for which 2^m is a normal float64 and
	// the result neither overflows nor becomes subnormal.
	expFastMax = 708.0
)

// expParts reduces x and returns the bit pattern of the scale 2^m*T[i] (with
// the exponent field possibly wrapped when |x| > expFastMax) and tmp with
// exp(x) ~ scale*(1+tmp). Valid for |x| < 746.
func expParts(x float64) (sbits uint64, tmp float64) {
	z := float64(x * invLn2N)
	kd := z + expShift
	ki := math.Float64bits(kd)
	kd -= expShift
	// kd*ln2hiN is exact (ln2hiN has 35 bits, |k| < 2^18) and x - kd*ln2hiN is
	// exact by Sterbenz's lemma, so r carries only the tiny error of kd*ln2loN.
	r := (x - float64(kd*ln2hiN)) - float64(kd*ln2loN)
	t := &expTab[ki%expN]
	tail := math.Float64frombits(t[0])
	sbits = t[1] + ki<<(52-expBits)
	r2 := float64(r * r)
	tmp = tail + r + float64(r2*(expC2+float64(r*expC3))) + float64(float64(r2*r2)*(expC4+float64(r*expC5)))
	return sbits, tmp
}

// expKernel is exp(x) for |x| < expFastMax.
func expKernel(x float64) float64 {
	sbits, tmp := expParts(x)
	scale := math.Float64frombits(sbits)
	return scale + float64(scale*tmp)
}

// Exp returns e**x. It agrees with math.Exp to within 1 ulp (it is within 0.51
// ulp of the exact value) and follows math.Exp on special values:
// Exp(+Inf) = +Inf, Exp(-Inf) = 0, Exp(NaN) = NaN, overflow gives +Inf and
// results below the smallest subnormal give 0.
func Exp(x float64) float64 {
	if math.Abs(x) < expFastMax {
		return expKernel(x)
	}
	return expSpecial(x)
}

// expSpecial handles |x| >= expFastMax and NaN.
func expSpecial(x float64) float64 {
	switch {
	case x != x:
		return x
	case x >= 710:
		return math.Inf(1)
	case x <= -746:
		return 0
	}
	sbits, tmp := expParts(x)
	if x > 0 {
		// Move the scale down by 2^1009 so it is a normal number, then let the
		// final multiplication overflow (or not) with a single rounding.
		scale := math.Float64frombits(sbits - 1009<<52)
		return 0x1p1009 * (scale + float64(scale*tmp))
	}
	// The result may be subnormal: compute y = exp(x)*2^1022 and round it
	// once to the precision it keeps after the scaling (multiples of 2^-52
	// when y < 1), avoiding the double rounding of a plain product.
	scale := math.Float64frombits(sbits + 1022<<52)
	y := scale + float64(scale*tmp)
	if y < 1 {
		lo := scale - y + float64(scale*tmp) // rounding error of y
		hi := 1 + y
		lo = 1 - hi + y + lo // exact error of hi plus lo
		y = (hi + lo) - 1
	}
	return y * 0x1p-1022
}

// Expm1 returns e**x - 1, accurate also for small x. It agrees with math.Expm1
// to within 1 ulp (and is within 0.6 ulp of the exact value); Expm1(+Inf) = +Inf,
// Expm1(-Inf) = -1, Expm1(NaN) = NaN and Expm1(±0) = ±0.
func Expm1(x float64) float64 {
	a := math.Abs(x)
	switch {
	case a < 0x1p-54:
		// x^2/2 is below half an ulp of x; this also keeps the sign of zero.
		return x
	case a <= expm1SmallMax:
		return expm1Small(x)
	case x != x:
		return x
	case x > 40:
		// e^40 > 2^57: subtracting 1 is far below half an ulp.
		return Exp(x)
	case x < -40:
		return -1
	}
	sbits, tmp := expParts(x)
	s := math.Float64frombits(sbits)
	// hi + lo = s - 1 exactly (Fast2Sum on the operands ordered by magnitude),
	// then the small part s*tmp joins lo before the last rounding.
	var hi, lo float64
	if s >= 1 {
		hi = s - 1
		lo = -1 - (hi - s)
	} else {
		hi = s - 1
		lo = s - (hi + 1)
	}
	return hi + (lo + float64(s*tmp))
}

// expm1SmallMax bounds the direct polynomial branch of Expm1. Above it the
// table path is accurate: s - 1 is exact and the rounding of s*tmp (below
// 0.003*s) counts less than 0.05 ulp once |x| >= 1/16.
const expm1SmallMax = 0x1p-4

// expm1Small evaluates the degree-14 Taylor polynomial of expm1 at |x| <= 1/16:
// the truncation error x^15/15! is far below 2^-60 relative, and x is added
// last, so the rounding of the x^2 terms counts at most 1/32 ulp.
func expm1Small(x float64) float64 {
	x2 := float64(x * x)
	x4 := float64(x2 * x2)
	x8 := float64(x4 * x4)
	// Coefficients 1/n!, n = 2..14, grouped for Estrin's scheme.
	const (
		c2  = 1.0 / 2
		c3  = 1.0 / 6
		c4  = 1.0 / 24
		c5  = 1.0 / 120
		c6  = 1.0 / 720
		c7  = 1.0 / 5040
		c8  = 1.0 / 40320
		c9  = 1.0 / 362880
		c10 = 1.0 / 3628800
		c11 = 1.0 / 39916800
		c12 = 1.0 / 479001600
		c13 = 1.0 / 6227020800
		c14 = 1.0 / 87178291200
	)
	p01 := c2 + float64(x*c3)
	p23 := c4 + float64(x*c5)
	p45 := c6 + float64(x*c7)
	p67 := c8 + float64(x*c9)
	p89 := c10 + float64(x*c11)
	pab := c12 + float64(x*c13)
	q0 := p01 + float64(x2*p23)
	q1 := p45 + float64(x2*p67)
	q2 := p89 + float64(x2*pab) + float64(x4*c14)
	p := q0 + float64(x4*q1) + float64(x8*q2)
	return x + float64(x2*p)
}
