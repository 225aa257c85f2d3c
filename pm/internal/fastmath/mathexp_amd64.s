//go:build amd64 && !purego

#include "textflag.h"

// mathExpAVX2 is the standard library's math.Exp on amd64 (its FMA path, the
// one math takes on a CPU with AVX and FMA), four lanes at a time: the same
// operations in the same order, so each lane has math.Exp's bits. math.Exp
// reduces x to r = (x - k ln2)/16 with k = round(x log2e), evaluates a
// Taylor polynomial, squares four times (e <- e(e + 2), the last one fused
// with the +1) and scales by 2^k. The assembly takes the lanes whose k keeps
// 2^k a normal number (-708 <= x <= 709); it stops before a group of four
// holding another argument (NaN, infinities, overflow, results near or below
// the subnormal range), which the Go caller hands to math.Exp itself.

DATA gxLo<>+0(SB)/8, $-708.0
DATA gxLo<>+8(SB)/8, $-708.0
DATA gxLo<>+16(SB)/8, $-708.0
DATA gxLo<>+24(SB)/8, $-708.0
GLOBL gxLo<>(SB), RODATA|NOPTR, $32

DATA gxHi<>+0(SB)/8, $709.0
DATA gxHi<>+8(SB)/8, $709.0
DATA gxHi<>+16(SB)/8, $709.0
DATA gxHi<>+24(SB)/8, $709.0
GLOBL gxHi<>(SB), RODATA|NOPTR, $32

DATA gxLog2e<>+0(SB)/8, $1.4426950408889634073599246810018920
DATA gxLog2e<>+8(SB)/8, $1.4426950408889634073599246810018920
DATA gxLog2e<>+16(SB)/8, $1.4426950408889634073599246810018920
DATA gxLog2e<>+24(SB)/8, $1.4426950408889634073599246810018920
GLOBL gxLog2e<>(SB), RODATA|NOPTR, $32

DATA gxLn2u<>+0(SB)/8, $0.69314718055966295651160180568695068359375
DATA gxLn2u<>+8(SB)/8, $0.69314718055966295651160180568695068359375
DATA gxLn2u<>+16(SB)/8, $0.69314718055966295651160180568695068359375
DATA gxLn2u<>+24(SB)/8, $0.69314718055966295651160180568695068359375
GLOBL gxLn2u<>(SB), RODATA|NOPTR, $32

DATA gxLn2l<>+0(SB)/8, $0.28235290563031577122588448175013436025525412068e-12
DATA gxLn2l<>+8(SB)/8, $0.28235290563031577122588448175013436025525412068e-12
DATA gxLn2l<>+16(SB)/8, $0.28235290563031577122588448175013436025525412068e-12
DATA gxLn2l<>+24(SB)/8, $0.28235290563031577122588448175013436025525412068e-12
GLOBL gxLn2l<>(SB), RODATA|NOPTR, $32

DATA gxSixteenth<>+0(SB)/8, $0.0625
DATA gxSixteenth<>+8(SB)/8, $0.0625
DATA gxSixteenth<>+16(SB)/8, $0.0625
DATA gxSixteenth<>+24(SB)/8, $0.0625
GLOBL gxSixteenth<>(SB), RODATA|NOPTR, $32

DATA gxC8<>+0(SB)/8, $2.4801587301587301587e-5
DATA gxC8<>+8(SB)/8, $2.4801587301587301587e-5
DATA gxC8<>+16(SB)/8, $2.4801587301587301587e-5
DATA gxC8<>+24(SB)/8, $2.4801587301587301587e-5
GLOBL gxC8<>(SB), RODATA|NOPTR, $32

DATA gxC7<>+0(SB)/8, $1.9841269841269841270e-4
DATA gxC7<>+8(SB)/8, $1.9841269841269841270e-4
DATA gxC7<>+16(SB)/8, $1.9841269841269841270e-4
DATA gxC7<>+24(SB)/8, $1.9841269841269841270e-4
GLOBL gxC7<>(SB), RODATA|NOPTR, $32

DATA gxC6<>+0(SB)/8, $1.3888888888888888889e-3
DATA gxC6<>+8(SB)/8, $1.3888888888888888889e-3
DATA gxC6<>+16(SB)/8, $1.3888888888888888889e-3
DATA gxC6<>+24(SB)/8, $1.3888888888888888889e-3
GLOBL gxC6<>(SB), RODATA|NOPTR, $32

DATA gxC5<>+0(SB)/8, $8.3333333333333333333e-3
DATA gxC5<>+8(SB)/8, $8.3333333333333333333e-3
DATA gxC5<>+16(SB)/8, $8.3333333333333333333e-3
DATA gxC5<>+24(SB)/8, $8.3333333333333333333e-3
GLOBL gxC5<>(SB), RODATA|NOPTR, $32

DATA gxC4<>+0(SB)/8, $4.1666666666666666667e-2
DATA gxC4<>+8(SB)/8, $4.1666666666666666667e-2
DATA gxC4<>+16(SB)/8, $4.1666666666666666667e-2
DATA gxC4<>+24(SB)/8, $4.1666666666666666667e-2
GLOBL gxC4<>(SB), RODATA|NOPTR, $32

DATA gxC3<>+0(SB)/8, $1.6666666666666666667e-1
DATA gxC3<>+8(SB)/8, $1.6666666666666666667e-1
DATA gxC3<>+16(SB)/8, $1.6666666666666666667e-1
DATA gxC3<>+24(SB)/8, $1.6666666666666666667e-1
GLOBL gxC3<>(SB), RODATA|NOPTR, $32

DATA gxHalf<>+0(SB)/8, $0.5
DATA gxHalf<>+8(SB)/8, $0.5
DATA gxHalf<>+16(SB)/8, $0.5
DATA gxHalf<>+24(SB)/8, $0.5
GLOBL gxHalf<>(SB), RODATA|NOPTR, $32

DATA gxOne<>+0(SB)/8, $1.0
DATA gxOne<>+8(SB)/8, $1.0
DATA gxOne<>+16(SB)/8, $1.0
DATA gxOne<>+24(SB)/8, $1.0
GLOBL gxOne<>(SB), RODATA|NOPTR, $32

DATA gxTwo<>+0(SB)/8, $2.0
DATA gxTwo<>+8(SB)/8, $2.0
DATA gxTwo<>+16(SB)/8, $2.0
DATA gxTwo<>+24(SB)/8, $2.0
GLOBL gxTwo<>(SB), RODATA|NOPTR, $32

DATA gxBias<>+0(SB)/8, $1023
DATA gxBias<>+8(SB)/8, $1023
DATA gxBias<>+16(SB)/8, $1023
DATA gxBias<>+24(SB)/8, $1023
GLOBL gxBias<>(SB), RODATA|NOPTR, $32

// func mathExpAVX2(dst, x *float64, n int) (done int)
TEXT ·mathExpAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DX
	MOVQ x+8(FP), DI
	MOVQ n+16(FP), CX
	XORQ BX, BX

loop:
	CMPQ CX, $4
	JLT  done
	VMOVUPD (DI), Y0
	VCMPPD  $9, gxLo<>(SB), Y0, Y5    // !(x >= -708), NaN included
	VCMPPD  $6, gxHi<>(SB), Y0, Y6    // !(x <= 709)
	VORPD   Y6, Y5, Y5
	VMOVMSKPD Y5, AX
	TESTQ   AX, AX
	JNZ     done

	VMULPD     gxLog2e<>(SB), Y0, Y1  // x log2e
	VCVTPD2DQY Y1, X2                 // k, rounded to nearest as CVTSD2SL
	VCVTDQ2PD  X2, Y1                 // float64(k)
	VFNMADD231PD gxLn2u<>(SB), Y1, Y0 // x - k ln2 (upper), fused
	VFNMADD231PD gxLn2l<>(SB), Y1, Y0 // - k ln2 (lower), fused
	VMULPD     gxSixteenth<>(SB), Y0, Y0

	// Taylor series: p = ((((((c8 r + c7) r + c6) r + c5) r + c4) r + c3) r + 1/2) r + 1
	VMOVUPD     gxC8<>(SB), Y3
	VFMADD213PD gxC7<>(SB), Y0, Y3
	VFMADD213PD gxC6<>(SB), Y0, Y3
	VFMADD213PD gxC5<>(SB), Y0, Y3
	VFMADD213PD gxC4<>(SB), Y0, Y3
	VFMADD213PD gxC3<>(SB), Y0, Y3
	VFMADD213PD gxHalf<>(SB), Y0, Y3
	VFMADD213PD gxOne<>(SB), Y0, Y3
	VMULPD      Y3, Y0, Y0            // e = r p

	// e <- e (e + 2) three times, then e (e + 2) + 1 fused.
	VADDPD      gxTwo<>(SB), Y0, Y3
	VMULPD      Y3, Y0, Y0
	VADDPD      gxTwo<>(SB), Y0, Y3
	VMULPD      Y3, Y0, Y0
	VADDPD      gxTwo<>(SB), Y0, Y3
	VMULPD      Y3, Y0, Y0
	VADDPD      gxTwo<>(SB), Y0, Y3
	VFMADD213PD gxOne<>(SB), Y3, Y0

	// times 2^k, built from k's bits
	VPMOVSXDQ X2, Y4
	VPADDQ    gxBias<>(SB), Y4, Y4
	VPSLLQ    $52, Y4, Y4
	VMULPD    Y4, Y0, Y0

	VMOVUPD Y0, (DX)
	ADDQ    $32, DI
	ADDQ    $32, DX
	ADDQ    $4, BX
	SUBQ    $4, CX
	JMP     loop

done:
	VZEROUPPER
	MOVQ BX, done+24(FP)
	RET
