package fastmath

import "math"

// Log method (table-driven, after Tang's log, ACM TOMS 16(4), 1990, with an
// exact reduction that needs no FMA):
//
//	x = 2^k * z,  z in [logOffValue, 2*logOffValue) ~ [0.7071, 1.4142)
//	log(x) = k*ln2 - log(invc) + log1p(r),  r = z*invc - 1
//
// invc ~ 1/z has 9 significant bits and |r| < 2^-8, so r is a multiple of
// 2^-61 below 2^-8 and hence exactly representable. It is computed exactly
// without FMA by splitting z = zh + zl with zh keeping 44 bits: zh*invc and
// zl*invc are exact products, zh*invc - 1 is exact by Sterbenz's lemma, and
// their sum is exact because the true r is representable.
// The interval around 1.0 uses invc = 1, so close to 1 the result is r + p(r)
// with no cancellation. k*ln2hi + logcHi is exact (both multiples of 2^-43
// below 2^10), its sum with r is made exact by TwoSum, and only the final
// addition rounds noticeably: the error stays below 0.52 ulp.
// log1p(r) uses the degree-7 Taylor polynomial, truncation |r|^8/8 < 2^-67.

const (
	logBits = 8
	logN    = 1 << logBits
	// logOff is the bit pattern of the lower end of the z range; it puts 1.0
	// in the middle of interval logUnitIndex.
	logOff = 0x3fe6a08000000000

	logP2 = -1.0 / 2
	logP3 = 1.0 / 3
	logP4 = -1.0 / 4
	logP5 = 1.0 / 5
	logP6 = -1.0 / 6
	logP7 = 1.0 / 7

	minNormalBits = 0x0010000000000000
	infBits       = 0x7ff0000000000000
)

// logEntry is one row of the log table (tables.go).
type logEntry struct {
	invc, logcHi, logcLo float64
}

// logKernel returns log(x) + corr for the bit pattern ix of a positive
// normal finite x; corr is a correction far below ulp(log x) from the caller
// (Log1p's rounding error of 1+x), added before the final rounding.
func logKernel(ix uint64, corr float64) float64 {
	tmp := ix - logOff
	i := (tmp >> (52 - logBits)) % logN
	k := int64(tmp) >> 52
	iz := ix - tmp&(0xfff<<52)
	e := &logTab[i]
	z := math.Float64frombits(iz)
	zh := math.Float64frombits(iz &^ (1<<9 - 1))
	zl := z - zh
	r := (float64(zh*e.invc) - 1) + float64(zl*e.invc)
	kd := float64(k)
	hi := float64(kd*ln2hi) + e.logcHi
	lo := float64(kd*ln2lo) + e.logcLo
	// TwoSum: w + err = hi + r exactly.
	w := hi + r
	bv := w - hi
	err := (hi - (w - bv)) + (r - bv)
	r2 := float64(r * r)
	p := float64(r2 * (logP2 + float64(r*logP3) + float64(r2*(logP4+float64(r*logP5))) + float64(float64(r2*r2)*(logP6+float64(r*logP7)))))
	return w + (err + lo + p + corr)
}

// Log returns the natural logarithm of x. It agrees with math.Log to within
// 1 ulp (it is within 0.52 ulp of the exact value) and follows math.Log on
// special values: Log(+Inf) = +Inf, Log(0) = -Inf, Log(x < 0) = NaN,
// Log(NaN) = NaN.
func Log(x float64) float64 {
	ix := math.Float64bits(x)
	// One unsigned comparison catches zero, subnormals, negatives, Inf and NaN.
	if ix-minNormalBits >= infBits-minNormalBits {
		return logSpecial(x)
	}
	return logKernel(ix, 0)
}

func logSpecial(x float64) float64 {
	switch {
	case x != x || x > math.MaxFloat64:
		return x
	case x == 0:
		return math.Inf(-1)
	case x < 0:
		return math.NaN()
	}
	// Subnormal: scale into the normal range and take the 52 back from k.
	return logKernel(math.Float64bits(x*0x1p52)-52<<52, 0)
}

// Log1p returns log(1+x), accurate also for small x. It agrees with
// math.Log1p to within 1 ulp (and is within 0.52 ulp of the exact value) and
// follows it on special values:
// Log1p(+Inf) = +Inf, Log1p(±0) = ±0, Log1p(-1) = -Inf, Log1p(x < -1) = NaN,
// Log1p(NaN) = NaN.
func Log1p(x float64) float64 {
	if !(x > -1 && x <= math.MaxFloat64) || x == 0 {
		return log1pSpecial(x)
	}
	if math.Abs(x) < 0x1p-8 {
		// log1p(x) = x + x^2*Q(x) with the polynomial of logKernel (valid for
		// |r| < 2^-8): x is exact here, while 1 + x would round.
		r2 := float64(x * x)
		return x + float64(r2*(logP2+float64(x*logP3)+float64(r2*(logP4+float64(x*logP5)))+float64(float64(r2*r2)*(logP6+float64(x*logP7)))))
	}
	u := 1 + x
	// e = (1+x) - u exactly (Fast2Sum with the larger operand first); log(1+x)
	// = log(u) + log1p(e/u) ~ log(u) + e/u since |e/u| <= 2^-53.
	var e float64
	if x <= 1 {
		e = x - (u - 1)
	} else {
		e = 1 - (u - x)
	}
	return logKernel(math.Float64bits(u), e/u)
}

func log1pSpecial(x float64) float64 {
	switch {
	case x != x || x == 0 || x > math.MaxFloat64:
		return x
	case x == -1:
		return math.Inf(-1)
	}
	return math.NaN()
}
