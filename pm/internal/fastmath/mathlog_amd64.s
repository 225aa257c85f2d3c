//go:build amd64 && !purego

#include "textflag.h"

// mathLogAVX2 is the standard library's math.Log on amd64 (its assembly,
// which uses no FMA), four lanes at a time: the same operations in the same
// order, so each lane has math.Log's bits. math.Log splits x = f1·2^k with
// f1 in [1/2, 1), moves f1 to [√2/2, √2), and evaluates log(1+f) from
// s = f/(2+f) with two interleaved polynomials. The assembly takes normal
// positive finite arguments; it stops before a group of four holding
// another (zero, subnormal, negative, infinite, NaN), which the Go caller
// hands to math.Log itself.

DATA glMinNormal<>+0(SB)/8, $2.2250738585072014e-308
DATA glMinNormal<>+8(SB)/8, $2.2250738585072014e-308
DATA glMinNormal<>+16(SB)/8, $2.2250738585072014e-308
DATA glMinNormal<>+24(SB)/8, $2.2250738585072014e-308
GLOBL glMinNormal<>(SB), RODATA|NOPTR, $32

DATA glMaxFloat<>+0(SB)/8, $1.7976931348623157e308
DATA glMaxFloat<>+8(SB)/8, $1.7976931348623157e308
DATA glMaxFloat<>+16(SB)/8, $1.7976931348623157e308
DATA glMaxFloat<>+24(SB)/8, $1.7976931348623157e308
GLOBL glMaxFloat<>(SB), RODATA|NOPTR, $32

DATA glMant<>+0(SB)/8, $0x000FFFFFFFFFFFFF
DATA glMant<>+8(SB)/8, $0x000FFFFFFFFFFFFF
DATA glMant<>+16(SB)/8, $0x000FFFFFFFFFFFFF
DATA glMant<>+24(SB)/8, $0x000FFFFFFFFFFFFF
GLOBL glMant<>(SB), RODATA|NOPTR, $32

DATA glHalfBits<>+0(SB)/8, $0x3FE0000000000000
DATA glHalfBits<>+8(SB)/8, $0x3FE0000000000000
DATA glHalfBits<>+16(SB)/8, $0x3FE0000000000000
DATA glHalfBits<>+24(SB)/8, $0x3FE0000000000000
GLOBL glHalfBits<>(SB), RODATA|NOPTR, $32

DATA glTwo52<>+0(SB)/8, $0x4330000000000000
DATA glTwo52<>+8(SB)/8, $0x4330000000000000
DATA glTwo52<>+16(SB)/8, $0x4330000000000000
DATA glTwo52<>+24(SB)/8, $0x4330000000000000
GLOBL glTwo52<>(SB), RODATA|NOPTR, $32

DATA glTwo52F<>+0(SB)/8, $4503599627370496.0
DATA glTwo52F<>+8(SB)/8, $4503599627370496.0
DATA glTwo52F<>+16(SB)/8, $4503599627370496.0
DATA glTwo52F<>+24(SB)/8, $4503599627370496.0
GLOBL glTwo52F<>(SB), RODATA|NOPTR, $32

DATA glBias<>+0(SB)/8, $1022.0
DATA glBias<>+8(SB)/8, $1022.0
DATA glBias<>+16(SB)/8, $1022.0
DATA glBias<>+24(SB)/8, $1022.0
GLOBL glBias<>(SB), RODATA|NOPTR, $32

DATA glHSqrt2<>+0(SB)/8, $7.07106781186547524401e-01
DATA glHSqrt2<>+8(SB)/8, $7.07106781186547524401e-01
DATA glHSqrt2<>+16(SB)/8, $7.07106781186547524401e-01
DATA glHSqrt2<>+24(SB)/8, $7.07106781186547524401e-01
GLOBL glHSqrt2<>(SB), RODATA|NOPTR, $32

DATA glOne<>+0(SB)/8, $1.0
DATA glOne<>+8(SB)/8, $1.0
DATA glOne<>+16(SB)/8, $1.0
DATA glOne<>+24(SB)/8, $1.0
GLOBL glOne<>(SB), RODATA|NOPTR, $32

DATA glTwo<>+0(SB)/8, $2.0
DATA glTwo<>+8(SB)/8, $2.0
DATA glTwo<>+16(SB)/8, $2.0
DATA glTwo<>+24(SB)/8, $2.0
GLOBL glTwo<>(SB), RODATA|NOPTR, $32

DATA glHalf<>+0(SB)/8, $0.5
DATA glHalf<>+8(SB)/8, $0.5
DATA glHalf<>+16(SB)/8, $0.5
DATA glHalf<>+24(SB)/8, $0.5
GLOBL glHalf<>(SB), RODATA|NOPTR, $32

DATA glLn2Hi<>+0(SB)/8, $6.93147180369123816490e-01
DATA glLn2Hi<>+8(SB)/8, $6.93147180369123816490e-01
DATA glLn2Hi<>+16(SB)/8, $6.93147180369123816490e-01
DATA glLn2Hi<>+24(SB)/8, $6.93147180369123816490e-01
GLOBL glLn2Hi<>(SB), RODATA|NOPTR, $32

DATA glLn2Lo<>+0(SB)/8, $1.90821492927058770002e-10
DATA glLn2Lo<>+8(SB)/8, $1.90821492927058770002e-10
DATA glLn2Lo<>+16(SB)/8, $1.90821492927058770002e-10
DATA glLn2Lo<>+24(SB)/8, $1.90821492927058770002e-10
GLOBL glLn2Lo<>(SB), RODATA|NOPTR, $32

DATA glL1<>+0(SB)/8, $6.666666666666735130e-01
DATA glL1<>+8(SB)/8, $6.666666666666735130e-01
DATA glL1<>+16(SB)/8, $6.666666666666735130e-01
DATA glL1<>+24(SB)/8, $6.666666666666735130e-01
GLOBL glL1<>(SB), RODATA|NOPTR, $32

DATA glL2<>+0(SB)/8, $3.999999999940941908e-01
DATA glL2<>+8(SB)/8, $3.999999999940941908e-01
DATA glL2<>+16(SB)/8, $3.999999999940941908e-01
DATA glL2<>+24(SB)/8, $3.999999999940941908e-01
GLOBL glL2<>(SB), RODATA|NOPTR, $32

DATA glL3<>+0(SB)/8, $2.857142874366239149e-01
DATA glL3<>+8(SB)/8, $2.857142874366239149e-01
DATA glL3<>+16(SB)/8, $2.857142874366239149e-01
DATA glL3<>+24(SB)/8, $2.857142874366239149e-01
GLOBL glL3<>(SB), RODATA|NOPTR, $32

DATA glL4<>+0(SB)/8, $2.222219843214978396e-01
DATA glL4<>+8(SB)/8, $2.222219843214978396e-01
DATA glL4<>+16(SB)/8, $2.222219843214978396e-01
DATA glL4<>+24(SB)/8, $2.222219843214978396e-01
GLOBL glL4<>(SB), RODATA|NOPTR, $32

DATA glL5<>+0(SB)/8, $1.818357216161805012e-01
DATA glL5<>+8(SB)/8, $1.818357216161805012e-01
DATA glL5<>+16(SB)/8, $1.818357216161805012e-01
DATA glL5<>+24(SB)/8, $1.818357216161805012e-01
GLOBL glL5<>(SB), RODATA|NOPTR, $32

DATA glL6<>+0(SB)/8, $1.531383769920937332e-01
DATA glL6<>+8(SB)/8, $1.531383769920937332e-01
DATA glL6<>+16(SB)/8, $1.531383769920937332e-01
DATA glL6<>+24(SB)/8, $1.531383769920937332e-01
GLOBL glL6<>(SB), RODATA|NOPTR, $32

DATA glL7<>+0(SB)/8, $1.479819860511658591e-01
DATA glL7<>+8(SB)/8, $1.479819860511658591e-01
DATA glL7<>+16(SB)/8, $1.479819860511658591e-01
DATA glL7<>+24(SB)/8, $1.479819860511658591e-01
GLOBL glL7<>(SB), RODATA|NOPTR, $32

// func mathLogAVX2(dst, x *float64, n int) (done int)
TEXT ·mathLogAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DX
	MOVQ x+8(FP), DI
	MOVQ n+16(FP), CX
	XORQ BX, BX

loop:
	CMPQ CX, $4
	JLT  done
	VMOVUPD (DI), Y0
	VCMPPD  $9, glMinNormal<>(SB), Y0, Y5 // !(x >= 2^-1022), NaN included
	VCMPPD  $6, glMaxFloat<>(SB), Y0, Y6  // !(x <= MaxFloat64)
	VORPD   Y6, Y5, Y5
	VMOVMSKPD Y5, AX
	TESTQ   AX, AX
	JNZ     done

	// f1 = mantissa with exponent 2^-1, k = float64(biased exponent - 1022) (exact)
	VANDPD  glMant<>(SB), Y0, Y2
	VORPD   glHalfBits<>(SB), Y2, Y2
	VPSRLQ  $52, Y0, Y1
	VPOR    glTwo52<>(SB), Y1, Y1
	VSUBPD  glTwo52F<>(SB), Y1, Y1
	VSUBPD  glBias<>(SB), Y1, Y1

	// if f1 <= √2/2 { k -= 1; f1 *= 2 }, as CMPSD's not-less-than of √2/2 < f1
	VCMPPD  $2, glHSqrt2<>(SB), Y2, Y0    // f1 <= √2/2
	VANDPD  glOne<>(SB), Y0, Y3           // 0 or 1
	VSUBPD  Y3, Y1, Y1                    // k
	VADDPD  glOne<>(SB), Y3, Y3           // 1 or 2
	VMULPD  Y3, Y2, Y2                    // f1
	VSUBPD  glOne<>(SB), Y2, Y2           // f = f1 - 1

	// s = f / (2 + f), s2 = s·s, s4 = s2·s2
	VADDPD  glTwo<>(SB), Y2, Y0
	VDIVPD  Y0, Y2, Y3                    // s
	VMULPD  Y3, Y3, Y4                    // s2
	VMULPD  Y4, Y4, Y5                    // s4

	// t1 = s2·(L1 + s4·(L3 + s4·(L5 + s4·L7)))
	VMULPD  glL7<>(SB), Y5, Y6
	VADDPD  glL5<>(SB), Y6, Y6
	VMULPD  Y5, Y6, Y6
	VADDPD  glL3<>(SB), Y6, Y6
	VMULPD  Y5, Y6, Y6
	VADDPD  glL1<>(SB), Y6, Y6
	VMULPD  Y6, Y4, Y4                    // t1

	// t2 = s4·(L2 + s4·(L4 + s4·L6))
	VMULPD  glL6<>(SB), Y5, Y6
	VADDPD  glL4<>(SB), Y6, Y6
	VMULPD  Y5, Y6, Y6
	VADDPD  glL2<>(SB), Y6, Y6
	VMULPD  Y6, Y5, Y5                    // t2
	VADDPD  Y5, Y4, Y4                    // R = t1 + t2

	// hfsq = 0.5·f·f
	VMULPD  glHalf<>(SB), Y2, Y0
	VMULPD  Y2, Y0, Y0

	// k·Ln2Hi - ((hfsq - (s·(hfsq + R) + k·Ln2Lo)) - f)
	VADDPD  Y0, Y4, Y4
	VMULPD  Y4, Y3, Y3
	VMULPD  glLn2Lo<>(SB), Y1, Y4
	VADDPD  Y4, Y3, Y3
	VSUBPD  Y3, Y0, Y0
	VSUBPD  Y2, Y0, Y0
	VMULPD  glLn2Hi<>(SB), Y1, Y1
	VSUBPD  Y0, Y1, Y1

	VMOVUPD Y1, (DX)
	ADDQ    $32, DI
	ADDQ    $32, DX
	ADDQ    $4, BX
	SUBQ    $4, CX
	JMP     loop

done:
	VZEROUPPER
	MOVQ BX, done+24(FP)
	RET
