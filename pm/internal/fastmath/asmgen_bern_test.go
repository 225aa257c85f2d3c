package fastmath

import (
	"bytes"
	"fmt"
	"math"
)

// writeBernConsts emits each constant of consts as a read-only table of lanes copies,
// named prefix+name (b for the AVX2 kernel, z for the AVX-512 one).
func writeBernConsts(s *bytes.Buffer, consts []bernConst, prefix string, lanes int) {
	for _, c := range consts {
		for l := 0; l < lanes; l++ {
			fmt.Fprintf(s, "DATA %s%s<>+%d(SB)/8, $%#016x\n", prefix, c.name, 8*l, c.bits)
		}
		fmt.Fprintf(s, "GLOBL %s%s<>(SB), RODATA|NOPTR, $%d\n\n", prefix, c.name, 8*lanes)
	}
}

// genBernoulliAsm writes bernoulli_amd64.s: the AVX2 form of the
// BernoulliLogit loop body in fused.go, one instruction per Go operation and
// in the same order, four elements (one per accumulator lane) at a time. The
// constants are emitted from the Go constants so both use the same bits.
func genBernoulliAsm() []byte {
	var s bytes.Buffer
	s.WriteString(genHeader)
	s.WriteString("//go:build amd64 && !purego\n\n#include \"textflag.h\"\n\n")
	consts := bernConsts()
	writeBernConsts(&s, consts, "b", 4)
	// VPERMD index moving the odd (high) dwords of four qwords to the bottom.
	for l, v := range []uint64{3<<32 | 1, 7<<32 | 5, 3<<32 | 1, 7<<32 | 5} {
		fmt.Fprintf(&s, "DATA bPermOdd<>+%d(SB)/8, $%#016x\n", 8*l, v)
	}
	s.WriteString("GLOBL bPermOdd<>(SB), RODATA|NOPTR, $32\n\n")
	s.WriteString(bernoulliAsmBody)
	return s.Bytes()
}

// bernConsts lists the constants of the Bernoulli kernels (names without
// their b or z prefix), emitted from the Go constants so both use the same bits.
func bernConsts() []bernConst {
	return []bernConst{
		{"MinNormal", minNormalBits}, {"MinusOne", math.Float64bits(-1)}, {"Small", math.Float64bits(0x1p-8)}, {"MaxFloat", math.Float64bits(math.MaxFloat64)},
		{"Abs", 0x7fffffffffffffff}, {"Sign", 0x8000000000000000},
		{"FastMax", math.Float64bits(expFastMax)}, {"InvLn2N", math.Float64bits(invLn2N)},
		{"Shift", math.Float64bits(expShift)}, {"Ln2hiN", math.Float64bits(ln2hiN)}, {"Ln2loN", math.Float64bits(ln2loN)},
		{"Mask127", expN - 1}, {"C2", math.Float64bits(expC2)}, {"C3", math.Float64bits(expC3)},
		{"C4", math.Float64bits(expC4)}, {"C5", math.Float64bits(expC5)}, {"One", math.Float64bits(1)},
		{"LogOff", logOff}, {"ExpMask", 0xfff << 52}, {"Mask255", logN - 1}, {"Not511", ^uint64(1<<9 - 1)},
		{"Ln2hi", math.Float64bits(ln2hi)}, {"Ln2lo", math.Float64bits(ln2lo)},
		{"P2", math.Float64bits(logP2)}, {"P3", math.Float64bits(logP3)}, {"P4", math.Float64bits(logP4)},
		{"P5", math.Float64bits(logP5)}, {"P6", math.Float64bits(logP6)}, {"P7", math.Float64bits(logP7)},
		{"NaN", math.Float64bits(math.NaN())},
	}
}

// bernConst is one constant of the Bernoulli kernels.
type bernConst struct {
	name string
	bits uint64
}

const bernoulliAsmBody = `// Shared pieces, one instruction per Go operation of expKernel, logistic
// and logKernel, in the same order (so the same bits):
//
// EXPK: Y2 = exp(Y2) for |Y2| < expFastMax; clobbers Y3-Y8.
#define EXPK \
	VMULPD bInvLn2N<>(SB), Y2, Y3; \
	VADDPD bShift<>(SB), Y3, Y3; \
	VSUBPD bShift<>(SB), Y3, Y4; \
	VMULPD bLn2hiN<>(SB), Y4, Y5; \
	VSUBPD Y5, Y2, Y2; \
	VMULPD bLn2loN<>(SB), Y4, Y4; \
	VSUBPD Y4, Y2, Y2; \
	VPAND bMask127<>(SB), Y3, Y4; \
	VPSLLQ $4, Y4, Y4; \
	VPSLLQ $45, Y3, Y3; \
	VPCMPEQQ Y5, Y5, Y5; \
	VGATHERQPD Y5, 0(R8)(Y4*1), Y6; \
	VPCMPEQQ Y5, Y5, Y5; \
	VGATHERQPD Y5, 8(R8)(Y4*1), Y7; \
	VPADDQ Y3, Y7, Y7; \
	VMULPD Y2, Y2, Y3; \
	VMULPD bC3<>(SB), Y2, Y4; \
	VADDPD bC2<>(SB), Y4, Y4; \
	VMULPD Y4, Y3, Y4; \
	VMULPD bC5<>(SB), Y2, Y5; \
	VADDPD bC4<>(SB), Y5, Y5; \
	VMULPD Y3, Y3, Y8; \
	VMULPD Y5, Y8, Y5; \
	VADDPD Y2, Y6, Y6; \
	VADDPD Y4, Y6, Y6; \
	VADDPD Y5, Y6, Y6; \
	VMULPD Y6, Y7, Y6; \
	VADDPD Y6, Y7, Y2

// UDC: from e in Y2: u = 1 + e (Y3), d = 1/u (Y4), c = (e - (u - 1))*d (Y5).
#define UDC \
	VADDPD bOne<>(SB), Y2, Y3; \
	VMOVUPD bOne<>(SB), Y4; \
	VDIVPD Y3, Y4, Y4; \
	VSUBPD bOne<>(SB), Y3, Y5; \
	VSUBPD Y5, Y2, Y5; \
	VMULPD Y4, Y5, Y5

// LOGUC: Y8 = logKernel(u = Y3, c = Y5) for u in [1, 2]; clobbers Y6-Y14.
#define LOGUC \
	VPSUBQ bLogOff<>(SB), Y3, Y6; \
	VPAND bExpMask<>(SB), Y6, Y7; \
	VPSUBQ Y7, Y3, Y7; \
	VPSRLQ $44, Y6, Y8; \
	VPAND bMask255<>(SB), Y8, Y8; \
	VPSLLQ $1, Y8, Y9; \
	VPADDQ Y8, Y9, Y8; \
	VPCMPEQQ Y9, Y9, Y9; \
	VGATHERQPD Y9, 0(R9)(Y8*8), Y10; \
	VPCMPEQQ Y9, Y9, Y9; \
	VGATHERQPD Y9, 8(R9)(Y8*8), Y11; \
	VPCMPEQQ Y9, Y9, Y9; \
	VGATHERQPD Y9, 16(R9)(Y8*8), Y12; \
	VPAND bNot511<>(SB), Y7, Y9; \
	VSUBPD Y9, Y7, Y7; \
	VMULPD Y10, Y9, Y9; \
	VSUBPD bOne<>(SB), Y9, Y9; \
	VMULPD Y10, Y7, Y7; \
	VADDPD Y7, Y9, Y9; \
	VPSRLQ $52, Y6, Y6; \
	VPADDQ bShift<>(SB), Y6, Y6; \
	VSUBPD bShift<>(SB), Y6, Y6; \
	VMULPD bLn2hi<>(SB), Y6, Y7; \
	VADDPD Y11, Y7, Y7; \
	VMULPD bLn2lo<>(SB), Y6, Y6; \
	VADDPD Y12, Y6, Y6; \
	VADDPD Y9, Y7, Y8; \
	VSUBPD Y7, Y8, Y10; \
	VSUBPD Y10, Y8, Y11; \
	VSUBPD Y11, Y7, Y11; \
	VSUBPD Y10, Y9, Y10; \
	VADDPD Y10, Y11, Y11; \
	VMULPD Y9, Y9, Y10; \
	VMULPD bP3<>(SB), Y9, Y12; \
	VADDPD bP2<>(SB), Y12, Y12; \
	VMULPD bP5<>(SB), Y9, Y13; \
	VADDPD bP4<>(SB), Y13, Y13; \
	VMULPD Y13, Y10, Y13; \
	VADDPD Y13, Y12, Y12; \
	VMULPD bP7<>(SB), Y9, Y13; \
	VADDPD bP6<>(SB), Y13, Y13; \
	VMULPD Y10, Y10, Y14; \
	VMULPD Y13, Y14, Y13; \
	VADDPD Y13, Y12, Y12; \
	VMULPD Y12, Y10, Y12; \
	VADDPD Y6, Y11, Y11; \
	VADDPD Y12, Y11, Y11; \
	VADDPD Y5, Y11, Y11; \
	VADDPD Y11, Y8, Y8

// LOGGEN: Y8 = logKernel(ix = Y3, corr = Y5) for any positive normal finite x:
// as LOGUC but k = int64(tmp) >> 52 is signed (the high dword shifted
// arithmetically, moved down by VPERMD with the index in Y15, converted exactly).
#define LOGGEN \
	VPSUBQ bLogOff<>(SB), Y3, Y6; \
	VPAND bExpMask<>(SB), Y6, Y7; \
	VPSUBQ Y7, Y3, Y7; \
	VPSRLQ $44, Y6, Y8; \
	VPAND bMask255<>(SB), Y8, Y8; \
	VPSLLQ $1, Y8, Y9; \
	VPADDQ Y8, Y9, Y8; \
	VPCMPEQQ Y9, Y9, Y9; \
	VGATHERQPD Y9, 0(R9)(Y8*8), Y10; \
	VPCMPEQQ Y9, Y9, Y9; \
	VGATHERQPD Y9, 8(R9)(Y8*8), Y11; \
	VPCMPEQQ Y9, Y9, Y9; \
	VGATHERQPD Y9, 16(R9)(Y8*8), Y12; \
	VPAND bNot511<>(SB), Y7, Y9; \
	VSUBPD Y9, Y7, Y7; \
	VMULPD Y10, Y9, Y9; \
	VSUBPD bOne<>(SB), Y9, Y9; \
	VMULPD Y10, Y7, Y7; \
	VADDPD Y7, Y9, Y9; \
	VPSRAD $20, Y6, Y6; \
	VPERMD Y6, Y15, Y6; \
	VCVTDQ2PD X6, Y6; \
	VMULPD bLn2hi<>(SB), Y6, Y7; \
	VADDPD Y11, Y7, Y7; \
	VMULPD bLn2lo<>(SB), Y6, Y6; \
	VADDPD Y12, Y6, Y6; \
	VADDPD Y9, Y7, Y8; \
	VSUBPD Y7, Y8, Y10; \
	VSUBPD Y10, Y8, Y11; \
	VSUBPD Y11, Y7, Y11; \
	VSUBPD Y10, Y9, Y10; \
	VADDPD Y10, Y11, Y11; \
	VMULPD Y9, Y9, Y10; \
	VMULPD bP3<>(SB), Y9, Y12; \
	VADDPD bP2<>(SB), Y12, Y12; \
	VMULPD bP5<>(SB), Y9, Y13; \
	VADDPD bP4<>(SB), Y13, Y13; \
	VMULPD Y13, Y10, Y13; \
	VADDPD Y13, Y12, Y12; \
	VMULPD bP7<>(SB), Y9, Y13; \
	VADDPD bP6<>(SB), Y13, Y13; \
	VMULPD Y10, Y10, Y14; \
	VMULPD Y13, Y14, Y13; \
	VADDPD Y13, Y12, Y12; \
	VMULPD Y12, Y10, Y12; \
	VADDPD Y6, Y11, Y11; \
	VADDPD Y12, Y11, Y11; \
	VADDPD Y5, Y11, Y11; \
	VADDPD Y11, Y8, Y8

// SIGPN: from d (Y4), c (Y5), e (Y2): sp = d - c*d (Y4), sn = e*sp (Y2).
#define SIGPN \
	VMULPD Y4, Y5, Y6; \
	VSUBPD Y6, Y4, Y4; \
	VMULPD Y4, Y2, Y2

// BAIL(label): jump to label if a lane of Y3 (|x|) is >= expFastMax or NaN; clobbers Y14.
#define BAIL(label) \
	VCMPPD $5, bFastMax<>(SB), Y3, Y14; \
	VMOVMSKPD Y14, R10; \
	TESTQ R10, R10; \
	JNZ label

// func bernoulliLogitAVX2(eta, y, resid *float64, n int, acc *[4]float64) (done int)
//
// Processes n (a multiple of 4) elements, lane l of Y15 accumulating the
// terms of the elements i = l mod 4, and stops before the first group of four
// that holds an |eta| >= expFastMax or a NaN (the Go code handles it).
TEXT ·bernoulliLogitAVX2(SB), NOSPLIT, $0-48
	MOVQ eta+0(FP), DI
	MOVQ y+8(FP), SI
	MOVQ resid+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ acc+32(FP), AX
	XORQ BX, BX
	LEAQ ·expTab(SB), R8
	LEAQ ·logTab(SB), R9
	VMOVUPD (AX), Y15

bloop:
	TESTQ CX, CX
	JZ bdone
	// s = 2y - 1 (kept in Y1), NaN unless y is 0 or 1
	VMOVUPD (SI), Y6
	VADDPD Y6, Y6, Y1
	VSUBPD bOne<>(SB), Y1, Y1
	VXORPD Y9, Y9, Y9
	VCMPPD $4, Y9, Y6, Y10           // y != 0
	VCMPPD $4, bOne<>(SB), Y6, Y11   // y != 1
	VANDPD Y11, Y10, Y10
	VBLENDVPD Y10, bNaN<>(SB), Y1, Y1
	VMULPD (DI), Y1, Y0              // zz = s*x
	VANDPD bAbs<>(SB), Y0, Y3        // a = |zz|
	BAIL(bdone)
	VXORPD bSign<>(SB), Y3, Y2       // -a
	EXPK                             // e
	UDC
	LOGUC                            // l = log1p(e)
	SIGPN
	VXORPD Y9, Y9, Y9
	VBLENDVPD Y0, Y0, Y9, Y10        // min(zz, 0) by the sign bit
	VSUBPD Y8, Y10, Y10              // LogSigmoid(zz)
	VADDPD Y10, Y15, Y15
	VBLENDVPD Y0, Y4, Y2, Y10        // Sigmoid(-zz)
	VMULPD Y10, Y1, Y10
	VMOVUPD Y10, (DX)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $4, BX
	SUBQ $4, CX
	JMP bloop

bdone:
	VMOVUPD Y15, (AX)
	VZEROUPPER
	MOVQ BX, done+40(FP)
	RET

// func logSigmoidAVX2(dst, x *float64, n int, s float64) (done int)
//
// dst[i] = s*LogSigmoid(s*x[i]) for s = ±1 (LogSigmoid, or Softplus as
// -LogSigmoid(-x)); same stopping rule as bernoulliLogitAVX2.
TEXT ·logSigmoidAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DX
	MOVQ x+8(FP), DI
	MOVQ n+16(FP), CX
	VBROADCASTSD s+24(FP), Y1
	XORQ BX, BX
	LEAQ ·expTab(SB), R8
	LEAQ ·logTab(SB), R9

lloop:
	TESTQ CX, CX
	JZ ldone
	VMULPD (DI), Y1, Y0              // zz = s*x
	VANDPD bAbs<>(SB), Y0, Y3
	BAIL(ldone)
	VXORPD bSign<>(SB), Y3, Y2
	EXPK
	UDC
	LOGUC
	VXORPD Y9, Y9, Y9
	VBLENDVPD Y0, Y0, Y9, Y10
	VSUBPD Y8, Y10, Y10              // LogSigmoid(zz)
	VMULPD Y10, Y1, Y10
	VMOVUPD Y10, (DX)
	ADDQ $32, DI
	ADDQ $32, DX
	ADDQ $4, BX
	SUBQ $4, CX
	JMP lloop

ldone:
	VZEROUPPER
	MOVQ BX, done+32(FP)
	RET

// func sigmoidAVX2(dst, x *float64, n int) (done int)
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DX
	MOVQ x+8(FP), DI
	MOVQ n+16(FP), CX
	XORQ BX, BX
	LEAQ ·expTab(SB), R8

sloop:
	TESTQ CX, CX
	JZ sdone
	VMOVUPD (DI), Y0
	VANDPD bAbs<>(SB), Y0, Y3
	BAIL(sdone)
	VXORPD bSign<>(SB), Y3, Y2
	EXPK
	UDC
	SIGPN
	VBLENDVPD Y0, Y2, Y4, Y10        // x < 0 (sign bit): sn, else sp
	VMOVUPD Y10, (DX)
	ADDQ $32, DI
	ADDQ $32, DX
	ADDQ $4, BX
	SUBQ $4, CX
	JMP sloop

sdone:
	VZEROUPPER
	MOVQ BX, done+24(FP)
	RET

// func expAVX2(dst, x *float64, n int) (done int)
TEXT ·expAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DX
	MOVQ x+8(FP), DI
	MOVQ n+16(FP), CX
	XORQ BX, BX
	LEAQ ·expTab(SB), R8

eloop:
	TESTQ CX, CX
	JZ edone
	VMOVUPD (DI), Y2
	VANDPD bAbs<>(SB), Y2, Y3
	BAIL(edone)
	EXPK
	VMOVUPD Y2, (DX)
	ADDQ $32, DI
	ADDQ $32, DX
	ADDQ $4, BX
	SUBQ $4, CX
	JMP eloop

edone:
	VZEROUPPER
	MOVQ BX, done+24(FP)
	RET

// func logAVX2(dst, x *float64, n int) (done int)
//
// dst[i] = Log(x[i]); stops before a group of four holding a zero,
// subnormal, negative, infinite or NaN argument.
TEXT ·logAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DX
	MOVQ x+8(FP), DI
	MOVQ n+16(FP), CX
	XORQ BX, BX
	LEAQ ·logTab(SB), R9
	VMOVUPD bPermOdd<>(SB), Y15
	VXORPD Y5, Y5, Y5                // corr = 0, as Log passes

gloop:
	TESTQ CX, CX
	JZ gdone
	VMOVUPD (DI), Y3
	VCMPPD $9, bMinNormal<>(SB), Y3, Y14 // !(x >= 2^-1022), NaN included
	VCMPPD $6, bMaxFloat<>(SB), Y3, Y13  // !(x <= MaxFloat64)
	VORPD Y13, Y14, Y14
	VMOVMSKPD Y14, R10
	TESTQ R10, R10
	JNZ gdone
	LOGGEN
	VMOVUPD Y8, (DX)
	ADDQ $32, DI
	ADDQ $32, DX
	ADDQ $4, BX
	SUBQ $4, CX
	JMP gloop

gdone:
	VZEROUPPER
	MOVQ BX, done+24(FP)
	RET

// func log1pAVX2(dst, x *float64, n int) (done int)
//
// dst[i] = Log1p(x[i]): both branches of Log1p are computed and the lane
// takes the one Log1p takes; stops before a group of four holding a zero,
// an x <= -1, an infinite or a NaN argument.
TEXT ·log1pAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DX
	MOVQ x+8(FP), DI
	MOVQ n+16(FP), CX
	XORQ BX, BX
	LEAQ ·logTab(SB), R9
	VMOVUPD bPermOdd<>(SB), Y15

ploop:
	TESTQ CX, CX
	JZ pdone
	VMOVUPD (DI), Y0
	VCMPPD $10, bMinusOne<>(SB), Y0, Y14 // !(x > -1), NaN included
	VCMPPD $6, bMaxFloat<>(SB), Y0, Y13  // !(x <= MaxFloat64)
	VORPD Y13, Y14, Y14
	VXORPD Y13, Y13, Y13
	VCMPPD $0, Y13, Y0, Y13              // x == 0 (keeps its sign in Go)
	VORPD Y13, Y14, Y14
	VMOVMSKPD Y14, R10
	TESTQ R10, R10
	JNZ pdone

	// |x| < 2^-8: x + x^2*Q(x)
	VMULPD Y0, Y0, Y10
	VMULPD bP3<>(SB), Y0, Y12
	VADDPD bP2<>(SB), Y12, Y12
	VMULPD bP5<>(SB), Y0, Y13
	VADDPD bP4<>(SB), Y13, Y13
	VMULPD Y13, Y10, Y13
	VADDPD Y13, Y12, Y12
	VMULPD bP7<>(SB), Y0, Y13
	VADDPD bP6<>(SB), Y13, Y13
	VMULPD Y10, Y10, Y14
	VMULPD Y13, Y14, Y13
	VADDPD Y13, Y12, Y12
	VMULPD Y12, Y10, Y12
	VADDPD Y12, Y0, Y1

	// otherwise: log(u) + e/u with u = 1 + x
	VADDPD bOne<>(SB), Y0, Y3
	VSUBPD bOne<>(SB), Y3, Y4
	VSUBPD Y4, Y0, Y4                    // x - (u - 1)
	VSUBPD Y0, Y3, Y5
	VMOVUPD bOne<>(SB), Y6
	VSUBPD Y5, Y6, Y5                    // 1 - (u - x)
	VCMPPD $2, bOne<>(SB), Y0, Y6        // x <= 1
	VBLENDVPD Y6, Y4, Y5, Y5             // e
	VDIVPD Y3, Y5, Y5                    // e/u
	LOGGEN

	VANDPD bAbs<>(SB), Y0, Y2
	VCMPPD $1, bSmall<>(SB), Y2, Y2      // |x| < 2^-8
	VBLENDVPD Y2, Y1, Y8, Y8
	VMOVUPD Y8, (DX)
	ADDQ $32, DI
	ADDQ $32, DX
	ADDQ $4, BX
	SUBQ $4, CX
	JMP ploop

pdone:
	VZEROUPPER
	MOVQ BX, done+24(FP)
	RET
`
