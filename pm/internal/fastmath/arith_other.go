//go:build !amd64 || purego

package fastmath

func addVVAVX2(dst, a, b *float64, n int) int { panic("fastmath: AVX2 kernel without AVX2") }

func addVSAVX2(dst, a *float64, c float64, n int) int { panic("fastmath: AVX2 kernel without AVX2") }

func subVVAVX2(dst, a, b *float64, n int) int { panic("fastmath: AVX2 kernel without AVX2") }

func subVSAVX2(dst, a *float64, c float64, n int) int { panic("fastmath: AVX2 kernel without AVX2") }

func mulVVAVX2(dst, a, b *float64, n int) int { panic("fastmath: AVX2 kernel without AVX2") }

func mulVSAVX2(dst, a *float64, c float64, n int) int { panic("fastmath: AVX2 kernel without AVX2") }

func divVVAVX2(dst, a, b *float64, n int) int { panic("fastmath: AVX2 kernel without AVX2") }

func divVSAVX2(dst, a *float64, c float64, n int) int { panic("fastmath: AVX2 kernel without AVX2") }

func subSVAVX2(dst *float64, c float64, b *float64, n int) int {
	panic("fastmath: AVX2 kernel without AVX2")
}

func divSVAVX2(dst *float64, c float64, b *float64, n int) int {
	panic("fastmath: AVX2 kernel without AVX2")
}
