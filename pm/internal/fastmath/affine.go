package fastmath

// Affine2 sets dst[i] = k + wa·a[i] + wb·b[i], evaluated as (k + wa·a[i]) + wb·b[i] with
// separate multiplications and additions (no fused multiply-add: the products are rounded
// explicitly, which also keeps a compiler that fuses, as on arm64, from doing so), so every
// path gives the bits of that expression.
func Affine2(dst []float64, k, wa float64, a []float64, wb float64, b []float64) {
	a, b = a[:len(dst)], b[:len(dst)]
	i := 0
	if useAVX2 && len(dst) >= 4 {
		i = affine2AVX2(&dst[0], k, wa, &a[0], wb, &b[0], len(dst))
	}
	for ; i < len(dst); i++ {
		dst[i] = k + float64(wa*a[i]) + float64(wb*b[i])
	}
}
