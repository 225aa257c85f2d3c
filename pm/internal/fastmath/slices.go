package fastmath

import (
	"fmt"
	"math"
)

// Slice kernels: dst[i] = f(x[i]) with the scalar function f, so each
// element has exactly the scalar's bits. dst may be x itself. They panic if
// len(dst) != len(x). With AVX2, all of them
// run four elements at a time in assembly (the same operations in the same
// order); groups of four holding an argument the assembly leaves to Go
// (|x| >= 708, NaN) and the last len%4 elements run in Go.

// vec4 runs the assembly kernel k over dst, x in groups of four and calls
// the Go loop g for the groups k declines and for the tail.
func vec4(dst, x []float64, k func(dst, x *float64, n int) int, g func(dst, x []float64)) {
	i := 0
	n4 := len(x) &^ 3
	for i < n4 {
		i += k(&dst[i], &x[i], n4-i)
		if i < n4 {
			g(dst[i:i+4], x[i:i+4])
			i += 4
		}
	}
	g(dst[i:], x[i:])
}

func checkTo(name string, dst, x []float64) {
	if len(dst) != len(x) {
		panic(fmt.Sprintf("fastmath: %s: len(dst) = %d, len(x) = %d", name, len(dst), len(x)))
	}
}

// ExpTo sets dst[i] = Exp(x[i]).
func ExpTo(dst, x []float64) {
	checkTo("ExpTo", dst, x)
	if useAVX2 {
		vec4(dst, x, expAVX2, expToGo)
		return
	}
	expToGo(dst, x)
}

func expToGo(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		if !(math.Abs(v) < expFastMax) {
			dst[i] = expSpecial(v)
			continue
		}
		// expKernel, written out.
		kd := float64(v*invLn2N) + expShift
		ki := math.Float64bits(kd)
		kd -= expShift
		r := (v - float64(kd*ln2hiN)) - float64(kd*ln2loN)
		et := &expTab[ki%expN]
		scale := math.Float64frombits(et[1] + ki<<(52-expBits))
		r2 := float64(r * r)
		tmp := math.Float64frombits(et[0]) + r + float64(r2*(expC2+float64(r*expC3))) + float64(float64(r2*r2)*(expC4+float64(r*expC5)))
		dst[i] = scale + float64(scale*tmp)
	}
}

// LogTo sets dst[i] = Log(x[i]).
func LogTo(dst, x []float64) {
	checkTo("LogTo", dst, x)
	if useAVX2 {
		vec4(dst, x, logAVX2, logToGo)
		return
	}
	logToGo(dst, x)
}

func logToGo(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = Log(v)
	}
}

// Log1pTo sets dst[i] = Log1p(x[i]).
func Log1pTo(dst, x []float64) {
	checkTo("Log1pTo", dst, x)
	if useAVX2 {
		vec4(dst, x, log1pAVX2, log1pToGo)
		return
	}
	log1pToGo(dst, x)
}

func log1pToGo(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = Log1p(v)
	}
}

// SigmoidTo sets dst[i] = Sigmoid(x[i]).
func SigmoidTo(dst, x []float64) {
	checkTo("SigmoidTo", dst, x)
	if useAVX2 {
		vec4(dst, x, sigmoidAVX2, sigmoidToGo)
		return
	}
	sigmoidToGo(dst, x)
}

func sigmoidToGo(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		a := math.Abs(v)
		if !(a < expFastMax) {
			dst[i] = Sigmoid(v)
			continue
		}
		// Sigmoid with expKernel written out.
		xn := -a
		kd := float64(xn*invLn2N) + expShift
		ki := math.Float64bits(kd)
		kd -= expShift
		r := (xn - float64(kd*ln2hiN)) - float64(kd*ln2loN)
		et := &expTab[ki%expN]
		scale := math.Float64frombits(et[1] + ki<<(52-expBits))
		r2 := float64(r * r)
		tmp := math.Float64frombits(et[0]) + r + float64(r2*(expC2+float64(r*expC3))) + float64(float64(r2*r2)*(expC4+float64(r*expC5)))
		e := scale + float64(scale*tmp)
		u := 1 + e
		d := 1 / u
		c := float64((e - (u - 1)) * d)
		sp := d - float64(c*d)
		dst[i] = pick(signMask(v), sp, float64(e*sp))
	}
}

// LogSigmoidTo sets dst[i] = LogSigmoid(x[i]).
func LogSigmoidTo(dst, x []float64) {
	checkTo("LogSigmoidTo", dst, x)
	if useAVX2 {
		vec4(dst, x, func(d, v *float64, n int) int { return logSigmoidAVX2(d, v, n, 1) }, logSigmoidToGo)
		return
	}
	logSigmoidToGo(dst, x)
}

func logSigmoidToGo(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = LogSigmoid(v)
	}
}

// SoftplusTo sets dst[i] = Softplus(x[i]).
func SoftplusTo(dst, x []float64) {
	checkTo("SoftplusTo", dst, x)
	if useAVX2 {
		// Softplus(x) = -LogSigmoid(-x) bit for bit.
		vec4(dst, x, func(d, v *float64, n int) int { return logSigmoidAVX2(d, v, n, -1) }, softplusToGo)
		return
	}
	softplusToGo(dst, x)
}

func softplusToGo(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = Softplus(v)
	}
}
