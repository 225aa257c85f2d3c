package fastmath

import "fmt"

// Matrix-vector kernels for tall, narrow row-major matrices.
//
// Evaluation order (fixed; the same bits from the AVX2 kernels and the
// portable Go code, on every GOARCH):
//   - MatVec: with p_l = 0 + sum over j = l mod 4, in increasing j, of a[i,j]*x[j]
//     (l = 0..3; lanes with no such j in the last group of four add +0),
//     dst[i] = (p_0 + p_1) + (p_2 + p_3); that is Dot(row i, x) except that
//     a zero result is always +0.
//   - MatVecAdd: b[i] + (the MatVec value).
//   - MatTVec: dst[j] = (((0 + a[0,j]*r[0]) + a[1,j]*r[1]) + ...) + a[rows-1,j]*r[rows-1].
//   - Dot, Sum: four lanes s_k over the indices i = k mod 4 in increasing i,
//     combined as (s_0 + s_1) + (s_2 + s_3).
//
// Every product is rounded on its own (explicit float64 conversion in Go,
// separate multiply and add instructions in assembly), so no FMA contraction
// happens anywhere. The AVX2 kernels vectorize across the four lanes of a
// row (MatVec) or across columns (MatTVec), which keeps each scalar sum's
// order; they serve cols <= 32 and the Go code everything else.

// checkMat panics when the slices do not fit a rows x cols matrix. The
// backends check shapes when they compile a graph, so a mismatch here is a
// programming error in the caller, not a user input error.
func checkMat(name string, dst, a []float64, rows, cols int, v []float64, vlen, dlen int) {
	if rows < 0 || cols < 0 || len(a) != rows*cols || len(v) != vlen || len(dst) != dlen {
		panic(fmt.Sprintf("fastmath: %s: len(a) = %d, rows*cols = %d*%d, len(vector) = %d (want %d), len(dst) = %d (want %d)",
			name, len(a), rows, cols, len(v), vlen, len(dst), dlen))
	}
}

// maxVecCols is the widest matrix the AVX2 kernels serve (eight registers
// of four columns).
const maxVecCols = 32

// MatVec sets dst = A x for the row-major rows x cols matrix a. It needs
// len(a) = rows*cols, len(x) = cols and len(dst) = rows, and panics otherwise.
func MatVec(dst, a []float64, rows, cols int, x []float64) {
	checkMat("MatVec", dst, a, rows, cols, x, cols, rows)
	matVec(dst, a, rows, cols, x, nil)
}

// MatVecAdd sets dst = b + A x (see the evaluation order above). It needs
// len(b) = rows and panics otherwise; dst may alias b.
func MatVecAdd(dst, a []float64, rows, cols int, x, b []float64) {
	checkMat("MatVecAdd", dst, a, rows, cols, x, cols, rows)
	if len(b) != rows {
		panic(fmt.Sprintf("fastmath: MatVecAdd: len(b) = %d, want rows = %d", len(b), rows))
	}
	matVec(dst, a, rows, cols, x, b)
}

// matVec picks the AVX2 or the Go kernel (b == nil for MatVec).
func matVec(dst, a []float64, rows, cols int, x, b []float64) {
	if useAVX2 && rows > 0 && cols > 0 && cols <= maxVecCols {
		matVecAVX(dst, a, rows, cols, x, b)
		return
	}
	matVecGo(dst, a, rows, cols, x, b)
}

// matVecGo is the portable MatVec/MatVecAdd (b == nil for MatVec).
func matVecGo(dst, a []float64, rows, cols int, x, b []float64) {
	x = x[:cols]
	c4 := cols &^ 3
	for i := 0; i < rows; i++ {
		row := a[i*cols : i*cols+cols][:len(x)]
		var s0, s1, s2, s3 float64
		j := 0
		for ; j < c4; j += 4 {
			rr, xx := row[j:j+4], x[j:j+4]
			s0 += float64(rr[0] * xx[0])
			s1 += float64(rr[1] * xx[1])
			s2 += float64(rr[2] * xx[2])
			s3 += float64(rr[3] * xx[3])
		}
		if j < cols {
			// The vector kernel's masked lanes contribute +0.
			var p [4]float64
			for l := 0; j+l < cols; l++ {
				p[l] = float64(row[j+l] * x[j+l])
			}
			s0 += p[0]
			s1 += p[1]
			s2 += p[2]
			s3 += p[3]
		}
		t := (s0 + s1) + (s2 + s3)
		if b != nil {
			t = b[i] + t
		}
		dst[i] = t
	}
}

// MatTVec sets dst = A^T r for the row-major rows x cols matrix a. It needs
// len(a) = rows*cols, len(r) = rows and len(dst) = cols, and panics otherwise.
func MatTVec(dst, a []float64, rows, cols int, r []float64) {
	checkMat("MatTVec", dst, a, rows, cols, r, rows, cols)
	clear(dst)
	matTVecAcc(dst, a, rows, cols, r)
}

// matTVecAcc continues the MatTVec sums already in dst with rows more rows.
func matTVecAcc(dst, a []float64, rows, cols int, r []float64) {
	if useAVX2 && rows > 0 && cols > 0 && cols <= maxVecCols {
		matTVecAVX(dst, a, rows, cols, r)
		return
	}
	matTVecGo(dst, a, rows, cols, r)
}

// matTVecGo accumulates A^T r into dst (which the caller cleared).
func matTVecGo(dst, a []float64, rows, cols int, r []float64) {
	i := 0
	// Four rows at a time: each dst[j] is loaded and stored once per block
	// and receives four products in row order; the cols independent chains
	// of a block overlap in the out-of-order core.
	for ; i+4 <= rows; i += 4 {
		blk := a[i*cols : (i+4)*cols]
		a0 := blk[0*cols : 1*cols][:len(dst)]
		a1 := blk[1*cols : 2*cols][:len(dst)]
		a2 := blk[2*cols : 3*cols][:len(dst)]
		a3 := blk[3*cols : 4*cols][:len(dst)]
		rr := r[i : i+4]
		r0, r1, r2, r3 := rr[0], rr[1], rr[2], rr[3]
		for j, s := range dst {
			s += float64(a0[j] * r0)
			s += float64(a1[j] * r1)
			s += float64(a2[j] * r2)
			s += float64(a3[j] * r3)
			dst[j] = s
		}
	}
	for ; i < rows; i++ {
		row := a[i*cols : (i+1)*cols][:len(dst)]
		ri := r[i]
		for j, s := range dst {
			dst[j] = s + float64(row[j]*ri)
		}
	}
}

// Dot returns sum_i x[i]*y[i] in the four-lane order documented above. It
// panics if the lengths differ.
func Dot(x, y []float64) float64 {
	if len(x) != len(y) {
		panic(fmt.Sprintf("fastmath: Dot: len(x) = %d, len(y) = %d", len(x), len(y)))
	}
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		xx, yy := x[i:i+4], y[i:i+4]
		s0 += float64(xx[0] * yy[0])
		s1 += float64(xx[1] * yy[1])
		s2 += float64(xx[2] * yy[2])
		s3 += float64(xx[3] * yy[3])
	}
	for k := 0; i < len(x); i, k = i+1, k+1 {
		p := float64(x[i] * y[i])
		switch k {
		case 0:
			s0 += p
		case 1:
			s1 += p
		default:
			s2 += p
		}
	}
	return (s0 + s1) + (s2 + s3)
}

// Sum returns sum_i x[i] in the four-lane order documented above; the fused
// likelihood kernels reduce their terms in exactly this order.
func Sum(x []float64) float64 {
	var s [4]float64
	sumLanes(x, &s)
	return (s[0] + s[1]) + (s[2] + s[3])
}

// Axpy sets y[i] = y[i] + alpha*x[i] (the product rounded first). It panics
// if the lengths differ.
func Axpy(alpha float64, x, y []float64) {
	if len(x) != len(y) {
		panic(fmt.Sprintf("fastmath: Axpy: len(x) = %d, len(y) = %d", len(x), len(y)))
	}
	y = y[:len(x)]
	for i, v := range x {
		y[i] += float64(alpha * v)
	}
}
