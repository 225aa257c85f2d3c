//go:build amd64 && !purego

package fastmath

// affine2AVX2 is Affine2's loop over the multiple of four below n (affine_amd64.s); it
// returns how many elements it did.
//
//go:noescape
func affine2AVX2(dst *float64, k, wa float64, a *float64, wb float64, b *float64, n int) (done int)
