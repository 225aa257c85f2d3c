//go:build amd64 && !purego

package fastmath

import "golang.org/x/sys/cpu"

// useAVX2 selects the AVX2 kernels. It is set once at program start from
// CPUID (which also checks that the OS saves the YMM registers) and never
// changes. The AVX2 kernels give the same bits as the Go code (tests check
// this), so the choice affects speed only.
var useAVX2 = cpu.X86.HasAVX2

// useFMA selects the AVX2 kernels that also need FMA (the GLM Bernoulli
// kernel on machines without AVX-512); like useAVX2 it only changes speed.
var useFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// useAVX512 selects the AVX-512 kernels where they exist (F for the Z
// registers, DQ for the mask moves, VL for the four-lane accumulator in a
// Y register above Y15); like useAVX2 it only changes speed, not bits.
var useAVX512 = cpuHasAVX512

// cpuHasAVX512 records what the CPU offers (tests switch useAVX512 off to
// compare the AVX2 kernels).
var cpuHasAVX512 = cpu.X86.HasAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512VL

// laneMask returns the VMASKMOVPD mask with the first n of four lanes on.
func laneMask(n int) (m [4]int64) {
	for l := range m {
		if l < n {
			m[l] = -1
		}
	}
	return m
}

// The AVX2 matrix kernels read the last group of four columns with masked
// loads (VMASKMOVPD). Whether a masked-off lane may still fault is
// implementation dependent on AMD processors, so no load may reach past
// valid memory: x and the column sums live in zero-padded stack buffers,
// and when cols is not a multiple of four the last row (whose masked lanes
// would reach past the end of a) is left to the Go code, which computes it
// with the same operations.

// matVecAVX runs the variant for cols <= 32 (1 <= rows).
func matVecAVX(dst, a []float64, rows, cols int, x, b []float64) {
	k := (cols + 3) / 4
	m := laneMask(cols - 4*(k-1))
	var xb [maxVecCols]float64
	copy(xb[:], x)
	n := rows
	if cols%4 != 0 {
		n--
	}
	if n > 0 {
		var bp *float64
		if b != nil {
			bp = &b[0]
		}
		d, ap, xp, stride := &dst[0], &a[0], &xb[0], 8*cols
		switch k {
		case 1:
			mv1(d, ap, n, xp, bp, &m, stride)
		case 2:
			mv2(d, ap, n, xp, bp, &m, stride)
		case 3:
			mv3(d, ap, n, xp, bp, &m, stride)
		case 4:
			mv4(d, ap, n, xp, bp, &m, stride)
		case 5:
			mv5(d, ap, n, xp, bp, &m, stride)
		case 6:
			mv6(d, ap, n, xp, bp, &m, stride)
		case 7:
			mv7(d, ap, n, xp, bp, &m, stride)
		default:
			mv8(d, ap, n, xp, bp, &m, stride)
		}
	}
	if n < rows {
		var bt []float64
		if b != nil {
			bt = b[n:]
		}
		matVecGo(dst[n:], a[n*cols:], rows-n, cols, x, bt)
	}
}

// matTVecAVX adds A^T r to dst for cols <= 32 (1 <= rows).
func matTVecAVX(dst, a []float64, rows, cols int, r []float64) {
	k := (cols + 3) / 4
	m := laneMask(cols - 4*(k-1))
	var acc [maxVecCols]float64
	copy(acc[:], dst)
	n := rows
	if cols%4 != 0 {
		n--
	}
	if n > 0 {
		d, ap, rp, stride := &acc[0], &a[0], &r[0], 8*cols
		switch k {
		case 1:
			mt1(d, ap, n, rp, &m, stride)
		case 2:
			mt2(d, ap, n, rp, &m, stride)
		case 3:
			mt3(d, ap, n, rp, &m, stride)
		case 4:
			mt4(d, ap, n, rp, &m, stride)
		case 5:
			mt5(d, ap, n, rp, &m, stride)
		case 6:
			mt6(d, ap, n, rp, &m, stride)
		case 7:
			mt7(d, ap, n, rp, &m, stride)
		default:
			mt8(d, ap, n, rp, &m, stride)
		}
	}
	copy(dst, acc[:cols])
	if n < rows {
		matTVecGo(dst, a[n*cols:], rows-n, cols, r[n:])
	}
}

// bernoulliLogitAVX2 is the BernoulliLogit loop for n (a multiple of four)
// elements; it returns how many it processed (see bernoulli_amd64.s).
//
//go:noescape
func bernoulliLogitAVX2(eta, y, resid *float64, n int, acc *[4]float64) (done int)

// bernoulliLogitAVX512 is bernoulliLogitAVX2 with eight elements per group
// (n a multiple of eight; see bernoulli512_amd64.s).
//
//go:noescape
func bernoulliLogitAVX512(eta, y, resid *float64, n int, acc *[4]float64) (done int)

// logSigmoidAVX2 sets dst[i] = s*LogSigmoid(s*x[i]) (s = ±1) for up to n (a
// multiple of four) elements; it returns how many it processed.
//
//go:noescape
func logSigmoidAVX2(dst, x *float64, n int, s float64) (done int)

// sigmoidAVX2 sets dst[i] = Sigmoid(x[i]) like logSigmoidAVX2.
//
//go:noescape
func sigmoidAVX2(dst, x *float64, n int) (done int)

// expAVX2 sets dst[i] = Exp(x[i]) like logSigmoidAVX2.
//
//go:noescape
func expAVX2(dst, x *float64, n int) (done int)

// logAVX2 sets dst[i] = Log(x[i]) like logSigmoidAVX2.
//
//go:noescape
func logAVX2(dst, x *float64, n int) (done int)

// log1pAVX2 sets dst[i] = Log1p(x[i]) like logSigmoidAVX2.
//
//go:noescape
func log1pAVX2(dst, x *float64, n int) (done int)
