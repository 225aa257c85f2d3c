//go:build amd64 && !purego

#include "textflag.h"

// Elementwise arithmetic on float64 slices, four lanes at a time: one IEEE
// operation per element, so the bits of the scalar loop. Each kernel does
// the multiple of four below n and returns how many it did; the Go caller
// does the rest. VV: dst = a op b; VS: dst = a op c; SV: dst = c op b.

// LOOP runs the loop over BX = 0, 4, ... below CX (n rounded down to a
// multiple of four), BODY computing Y0 for the elements at BX, and returns CX.
#define LOOP(top, end, BODY) \
	ANDQ $-4, CX \
	XORQ BX, BX \
top: \
	CMPQ BX, CX \
	JGE  end \
	BODY \
	VMOVUPD Y0, (DX)(BX*8) \
	ADDQ $4, BX \
	JMP  top \
end: \
	VZEROUPPER \
	MOVQ CX, done+32(FP) \
	RET

#define VV(INSTR) VMOVUPD (SI)(BX*8), Y0; VMOVUPD (DI)(BX*8), Y1; INSTR Y1, Y0, Y0
#define VS(INSTR) VMOVUPD (SI)(BX*8), Y0; INSTR Y1, Y0, Y0
#define SV(INSTR) VMOVUPD (DI)(BX*8), Y0; INSTR Y0, Y1, Y0

// func addVVAVX2(dst, a, b *float64, n int) (done int)
TEXT ·addVVAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ n+24(FP), CX
	LOOP(addvv, addvvdone, VV(VADDPD))

// func addVSAVX2(dst, a *float64, c float64, n int) (done int)
TEXT ·addVSAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DX
	MOVQ a+8(FP), SI
	VBROADCASTSD c+16(FP), Y1
	MOVQ n+24(FP), CX
	LOOP(addvs, addvsdone, VS(VADDPD))

// func subVVAVX2(dst, a, b *float64, n int) (done int)
TEXT ·subVVAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ n+24(FP), CX
	LOOP(subvv, subvvdone, VV(VSUBPD))

// func subVSAVX2(dst, a *float64, c float64, n int) (done int)
TEXT ·subVSAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DX
	MOVQ a+8(FP), SI
	VBROADCASTSD c+16(FP), Y1
	MOVQ n+24(FP), CX
	LOOP(subvs, subvsdone, VS(VSUBPD))

// func mulVVAVX2(dst, a, b *float64, n int) (done int)
TEXT ·mulVVAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ n+24(FP), CX
	LOOP(mulvv, mulvvdone, VV(VMULPD))

// func mulVSAVX2(dst, a *float64, c float64, n int) (done int)
TEXT ·mulVSAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DX
	MOVQ a+8(FP), SI
	VBROADCASTSD c+16(FP), Y1
	MOVQ n+24(FP), CX
	LOOP(mulvs, mulvsdone, VS(VMULPD))

// func divVVAVX2(dst, a, b *float64, n int) (done int)
TEXT ·divVVAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ n+24(FP), CX
	LOOP(divvv, divvvdone, VV(VDIVPD))

// func divVSAVX2(dst, a *float64, c float64, n int) (done int)
TEXT ·divVSAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DX
	MOVQ a+8(FP), SI
	VBROADCASTSD c+16(FP), Y1
	MOVQ n+24(FP), CX
	LOOP(divvs, divvsdone, VS(VDIVPD))

// func subSVAVX2(dst *float64, c float64, b *float64, n int) (done int)
TEXT ·subSVAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DX
	VBROADCASTSD c+8(FP), Y1
	MOVQ b+16(FP), DI
	MOVQ n+24(FP), CX
	LOOP(subsv, subsvdone, SV(VSUBPD))

// func divSVAVX2(dst *float64, c float64, b *float64, n int) (done int)
TEXT ·divSVAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DX
	VBROADCASTSD c+8(FP), Y1
	MOVQ b+16(FP), DI
	MOVQ n+24(FP), CX
	LOOP(divsv, divsvdone, SV(VDIVPD))
