package fastmath

// Elementwise arithmetic on slices: dst[i] = a[i] op b[i] (VV), a[i] op c (VS) or c op b[i]
// (SV), one IEEE operation per element, so each element has the bits of the scalar
// expression; with AVX2 four elements at a time (arith_amd64.s), the rest in a plain loop.
// dst may be a or b itself (not another overlapping slice). a and b must be at least as long
// as dst.

// AddVV sets dst[i] = a[i] + b[i].
func AddVV(dst, a, b []float64) {
	a, b = a[:len(dst)], b[:len(dst)]
	i := 0
	if useAVX2 && len(dst) >= 4 {
		i = addVVAVX2(&dst[0], &a[0], &b[0], len(dst))
	}
	for ; i < len(dst); i++ {
		dst[i] = a[i] + b[i]
	}
}

// AddVS sets dst[i] = a[i] + c.
func AddVS(dst, a []float64, c float64) {
	a = a[:len(dst)]
	i := 0
	if useAVX2 && len(dst) >= 4 {
		i = addVSAVX2(&dst[0], &a[0], c, len(dst))
	}
	for ; i < len(dst); i++ {
		dst[i] = a[i] + c
	}
}

// SubVV sets dst[i] = a[i] - b[i].
func SubVV(dst, a, b []float64) {
	a, b = a[:len(dst)], b[:len(dst)]
	i := 0
	if useAVX2 && len(dst) >= 4 {
		i = subVVAVX2(&dst[0], &a[0], &b[0], len(dst))
	}
	for ; i < len(dst); i++ {
		dst[i] = a[i] - b[i]
	}
}

// SubVS sets dst[i] = a[i] - c.
func SubVS(dst, a []float64, c float64) {
	a = a[:len(dst)]
	i := 0
	if useAVX2 && len(dst) >= 4 {
		i = subVSAVX2(&dst[0], &a[0], c, len(dst))
	}
	for ; i < len(dst); i++ {
		dst[i] = a[i] - c
	}
}

// MulVV sets dst[i] = a[i] * b[i].
func MulVV(dst, a, b []float64) {
	a, b = a[:len(dst)], b[:len(dst)]
	i := 0
	if useAVX2 && len(dst) >= 4 {
		i = mulVVAVX2(&dst[0], &a[0], &b[0], len(dst))
	}
	for ; i < len(dst); i++ {
		dst[i] = a[i] * b[i]
	}
}

// MulVS sets dst[i] = a[i] * c.
func MulVS(dst, a []float64, c float64) {
	a = a[:len(dst)]
	i := 0
	if useAVX2 && len(dst) >= 4 {
		i = mulVSAVX2(&dst[0], &a[0], c, len(dst))
	}
	for ; i < len(dst); i++ {
		dst[i] = a[i] * c
	}
}

// DivVV sets dst[i] = a[i] / b[i].
func DivVV(dst, a, b []float64) {
	a, b = a[:len(dst)], b[:len(dst)]
	i := 0
	if useAVX2 && len(dst) >= 4 {
		i = divVVAVX2(&dst[0], &a[0], &b[0], len(dst))
	}
	for ; i < len(dst); i++ {
		dst[i] = a[i] / b[i]
	}
}

// DivVS sets dst[i] = a[i] / c.
func DivVS(dst, a []float64, c float64) {
	a = a[:len(dst)]
	i := 0
	if useAVX2 && len(dst) >= 4 {
		i = divVSAVX2(&dst[0], &a[0], c, len(dst))
	}
	for ; i < len(dst); i++ {
		dst[i] = a[i] / c
	}
}

// SubSV sets dst[i] = c - b[i].
func SubSV(dst []float64, c float64, b []float64) {
	b = b[:len(dst)]
	i := 0
	if useAVX2 && len(dst) >= 4 {
		i = subSVAVX2(&dst[0], c, &b[0], len(dst))
	}
	for ; i < len(dst); i++ {
		dst[i] = c - b[i]
	}
}

// DivSV sets dst[i] = c / b[i].
func DivSV(dst []float64, c float64, b []float64) {
	b = b[:len(dst)]
	i := 0
	if useAVX2 && len(dst) >= 4 {
		i = divSVAVX2(&dst[0], c, &b[0], len(dst))
	}
	for ; i < len(dst); i++ {
		dst[i] = c / b[i]
	}
}
