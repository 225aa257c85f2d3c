package fastmath

import "math"

// MathExpTo sets dst[i] = math.Exp(x[i]), with the bits of the standard library's math.Exp
// (not those of this package's Exp): for code whose results must not change when a loop of
// math.Exp becomes a slice kernel. With AVX2 and FMA it runs four elements at a time in
// assembly, the same operations as math.Exp's own assembly; arguments outside [-708, 709],
// NaNs and the last len%4 elements go to math.Exp. dst may be x itself. It panics if
// len(dst) != len(x).
func MathExpTo(dst, x []float64) {
	checkTo("MathExpTo", dst, x)
	if useMathAVX2 {
		vec4(dst, x, mathExpAVX2, mathExpToGo)
		return
	}
	mathExpToGo(dst, x)
}

func mathExpToGo(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = math.Exp(v)
	}
}

// MathLogTo sets dst[i] = math.Log(x[i]), with the bits of the standard library's math.Log
// (not those of this package's Log). With AVX2 it runs four elements at a time in assembly,
// the same operations as math.Log's own assembly; zeros, subnormals, negative, infinite and
// NaN arguments and the last len%4 elements go to math.Log. dst may be x itself. It panics if
// len(dst) != len(x).
func MathLogTo(dst, x []float64) {
	checkTo("MathLogTo", dst, x)
	if useMathAVX2 {
		vec4(dst, x, mathLogAVX2, mathLogToGo)
		return
	}
	mathLogToGo(dst, x)
}

func mathLogToGo(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = math.Log(v)
	}
}
