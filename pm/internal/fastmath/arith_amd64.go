//go:build amd64 && !purego

package fastmath

// The AVX2 elementwise arithmetic kernels (arith_amd64.s): each does the multiple of four
// below n and returns it.

//go:noescape
func addVVAVX2(dst, a, b *float64, n int) (done int)

//go:noescape
func addVSAVX2(dst, a *float64, c float64, n int) (done int)

//go:noescape
func subVVAVX2(dst, a, b *float64, n int) (done int)

//go:noescape
func subVSAVX2(dst, a *float64, c float64, n int) (done int)

//go:noescape
func mulVVAVX2(dst, a, b *float64, n int) (done int)

//go:noescape
func mulVSAVX2(dst, a *float64, c float64, n int) (done int)

//go:noescape
func divVVAVX2(dst, a, b *float64, n int) (done int)

//go:noescape
func divVSAVX2(dst, a *float64, c float64, n int) (done int)

//go:noescape
func subSVAVX2(dst *float64, c float64, b *float64, n int) (done int)

//go:noescape
func divSVAVX2(dst *float64, c float64, b *float64, n int) (done int)
