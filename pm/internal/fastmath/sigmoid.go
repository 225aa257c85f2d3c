package fastmath

import "math"

// The logistic family shares one evaluation, written out here once for the
// scalar functions and inlined by hand into the slice and fused kernels
// (tests require the bits to agree):
//
//	a = |x|, e = Exp(-a) in [0, 1], u = 1 + e, d = 1/u
//	c = (e - (u - 1)) * d            // rounding error of u, relative to u
//	L = log1p(e) = logKernel(u, c)   // log(u) + c
//	sigmoid(|x|) = d - c*d,  sigmoid(-|x|) = e*(d - c*d)
//	min(x, 0), max(x, 0) by the sign bit of x (branch free)
//
// so LogSigmoid(x) = min(x,0) - L, Softplus(x) = max(x,0) + L = -LogSigmoid(-x)
// bit for bit, and Sigmoid picks one of the two sigmoid values by the sign bit.

// signMask is all ones when the sign bit of x is set (x < 0, -0, or a NaN
// with the sign bit), else zero.
func signMask(x float64) uint64 { return uint64(int64(math.Float64bits(x)) >> 63) }

// pick returns a when m is zero and b when m is all ones.
func pick(m uint64, a, b float64) float64 {
	return math.Float64frombits(math.Float64bits(a)&^m | math.Float64bits(b)&m)
}

// logistic returns, for a = |x|, the pieces above: L = log1p(e^-a),
// sp = sigmoid(a) and sn = sigmoid(-a). The bodies of expKernel and
// logKernel are written out (Go would not inline them); u is in [1, 2], so
// the log reduction's k is 0 or 1.
func logistic(a float64) (l, sp, sn float64) {
	var e float64
	if a < expFastMax {
		xn := -a
		kd := float64(xn*invLn2N) + expShift
		ki := math.Float64bits(kd)
		kd -= expShift
		r := (xn - float64(kd*ln2hiN)) - float64(kd*ln2loN)
		et := &expTab[ki%expN]
		scale := math.Float64frombits(et[1] + ki<<(52-expBits))
		r2 := float64(r * r)
		tmp := math.Float64frombits(et[0]) + r + float64(r2*(expC2+float64(r*expC3))) + float64(float64(r2*r2)*(expC4+float64(r*expC5)))
		e = scale + float64(scale*tmp)
	} else {
		e = Exp(-a)
	}
	u := 1 + e
	d := 1 / u
	c := float64((e - (u - 1)) * d)
	iu := math.Float64bits(u)
	tmp := iu - logOff
	iz := iu - tmp&(0xfff<<52)
	lt := &logTab[(tmp>>(52-logBits))%logN]
	z := math.Float64frombits(iz)
	zh := math.Float64frombits(iz &^ (1<<9 - 1))
	r := (float64(zh*lt.invc) - 1) + float64((z-zh)*lt.invc)
	kd := float64(int64(tmp) >> 52)
	hi := float64(kd*ln2hi) + lt.logcHi
	lo := float64(kd*ln2lo) + lt.logcLo
	w := hi + r
	bv := w - hi
	er := (hi - (w - bv)) + (r - bv)
	r2 := float64(r * r)
	p := float64(r2 * (logP2 + float64(r*logP3) + float64(r2*(logP4+float64(r*logP5))) + float64(float64(r2*r2)*(logP6+float64(r*logP7)))))
	l = w + (er + lo + p + c)
	sp = d - float64(c*d)
	sn = float64(e * sp)
	return l, sp, sn
}

// Sigmoid returns 1/(1+e^-x), within 2.5 ulp for all x (no cancellation for
// large |x|; see the top of this file). Sigmoid(+Inf) = 1, Sigmoid(-Inf) = 0,
// Sigmoid(NaN) = NaN.
func Sigmoid(x float64) float64 {
	a := math.Abs(x)
	var e float64
	if a < expFastMax {
		e = expKernel(-a)
	} else {
		e = Exp(-a)
	}
	u := 1 + e
	d := 1 / u
	c := float64((e - (u - 1)) * d)
	sp := d - float64(c*d)
	return pick(signMask(x), sp, float64(e*sp))
}

// LogSigmoid returns log(1/(1+e^-x)) = -log1p(e^-x), stable for all x: it is
// min(x,0) - log1p(e^-|x|) (see the top of this file). LogSigmoid(+Inf) = 0,
// LogSigmoid(-Inf) = -Inf, LogSigmoid(NaN) = NaN.
func LogSigmoid(x float64) float64 {
	l, _, _ := logistic(math.Abs(x))
	return math.Float64frombits(math.Float64bits(x)&signMask(x)) - l
}

// Softplus returns log(1+e^x) = max(x,0) + log1p(e^-|x|), stable for all x;
// Softplus(x) == -LogSigmoid(-x) bit for bit. Softplus(+Inf) = +Inf,
// Softplus(-Inf) = 0, Softplus(NaN) = NaN.
func Softplus(x float64) float64 {
	l, _, _ := logistic(math.Abs(x))
	return math.Float64frombits(math.Float64bits(x)&^signMask(x)) + l
}

// Log1mExp returns log(1 - e^x) for x <= 0 by Mächler's rule ("Accurately
// computing log(1 - exp(-|a|))", Rmpfr vignette, 2012): log(-expm1(x)) for
// x > -ln2 and log1p(-exp(x)) otherwise. Log1mExp(0) = -Inf,
// Log1mExp(-Inf) = -0, Log1mExp(x > 0) = NaN, Log1mExp(NaN) = NaN.
func Log1mExp(x float64) float64 {
	switch {
	case x != x:
		return x
	case x > 0:
		return math.NaN()
	case x > -math.Ln2:
		return Log(-Expm1(x))
	}
	return Log1p(-Exp(x))
}

// LogAddExp returns log(e^a + e^b) = max(a,b) + log1p(e^-|a-b|) without
// overflow. LogAddExp(±Inf, ±Inf) with equal signs returns that infinity,
// LogAddExp(+Inf, x) = +Inf, LogAddExp(-Inf, x) = x, and a NaN argument
// gives NaN.
func LogAddExp(a, b float64) float64 {
	if a != a || b != b {
		return a + b
	}
	if a == b && math.IsInf(a, 0) {
		return a
	}
	mx := math.Max(a, b)
	l, _, _ := logistic(math.Abs(a - b))
	return mx + l
}
