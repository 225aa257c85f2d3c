//go:build !amd64 || purego

package fastmath

func affine2AVX2(dst *float64, k, wa float64, a *float64, wb float64, b *float64, n int) int {
	panic("fastmath: AVX2 kernel without AVX2")
}
