//go:build amd64 && !purego

#include "textflag.h"

// func affine2AVX2(dst *float64, k, wa float64, a *float64, wb float64, b *float64, n int) (done int)
// dst[i] = (k + wa*a[i]) + wb*b[i], four lanes at a time, one IEEE operation each (no FMA).
TEXT ·affine2AVX2(SB), NOSPLIT, $0-64
	MOVQ dst+0(FP), DX
	VBROADCASTSD k+8(FP), Y1
	VBROADCASTSD wa+16(FP), Y2
	MOVQ a+24(FP), SI
	VBROADCASTSD wb+32(FP), Y3
	MOVQ b+40(FP), DI
	MOVQ n+48(FP), CX
	ANDQ $-4, CX
	XORQ BX, BX

loop:
	CMPQ BX, CX
	JGE  done
	VMOVUPD (SI)(BX*8), Y0
	VMULPD  Y2, Y0, Y0
	VADDPD  Y0, Y1, Y0
	VMOVUPD (DI)(BX*8), Y4
	VMULPD  Y3, Y4, Y4
	VADDPD  Y4, Y0, Y0
	VMOVUPD Y0, (DX)(BX*8)
	ADDQ    $4, BX
	JMP     loop

done:
	VZEROUPPER
	MOVQ CX, done+56(FP)
	RET
