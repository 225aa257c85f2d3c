//go:build !amd64 || purego

package fastmath

const useMathAVX2 = false

func mathExpAVX2(dst, x *float64, n int) int {
	panic("fastmath: mathExpAVX2 called without AVX2 kernels")
}

func mathLogAVX2(dst, x *float64, n int) int {
	panic("fastmath: mathLogAVX2 called without AVX2 kernels")
}
