package fastmath

import (
	"bytes"
	"fmt"
	"strings"
)

// genBernoulli512Asm writes bernoulli512_amd64.s: the AVX-512 form of the
// BernoulliLogit loop body in fused.go. Each group of eight elements runs
// the instruction sequence of the AVX2 kernel (bernoulli_amd64.s) on Z
// registers, one instruction per Go operation and in the same order, so the
// bits are those of the Go code. Two groups (sixteen elements) are
// interleaved instruction by instruction in one loop iteration: the
// evaluation is a long chain of dependent operations, and two independent
// chains keep the vector units busy where one leaves them waiting. The
// terms of a group are added to the four-lane accumulator low half first,
// then high half, so lane l still sums the elements i = l mod 4 in
// increasing i (the order of Sum).
func genBernoulli512Asm() []byte {
	var s bytes.Buffer
	s.WriteString(genHeader)
	s.WriteString("//go:build amd64 && !purego\n\n#include \"textflag.h\"\n\n")
	consts := bernConsts()
	writeBernConsts(&s, consts, "z", 8)

	// Group g uses Z(16g)..Z(16g+14) and the mask registers K(1+3g)..K(3+3g).
	head := func(g int) []string { return bern512Head(16*g, 64*g, 1+3*g) }
	body := func(g int) []string { return bern512Body(16*g, 64*g, 1+3*g) }
	tail := func(g int) []string { return bern512Tail(16*g, 64*g, 1+3*g) }

	s.WriteString(`// func bernoulliLogitAVX512(eta, y, resid *float64, n int, acc *[4]float64) (done int)
//
// Processes n (a multiple of 8) elements, sixteen per iteration while at
// least sixteen remain, then eight; lane l of Y15 accumulates the terms of
// the elements i = l mod 4. It stops before the first iteration whose
// elements include an |eta| >= expFastMax or a NaN (the Go code handles them).
TEXT ·bernoulliLogitAVX512(SB), NOSPLIT, $0-48
	MOVQ eta+0(FP), DI
	MOVQ y+8(FP), SI
	MOVQ resid+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ acc+32(FP), AX
	XORQ BX, BX
	LEAQ ·expTab(SB), R8
	LEAQ ·logTab(SB), R9
	VMOVUPD (AX), Y15

zloop2:
	CMPQ CX, $16
	JLT zloop1
`)
	emit := func(lines []string) {
		for _, l := range lines {
			s.WriteString("\t" + l + "\n")
		}
	}
	emit(head(0))
	emit(head(1))
	emit(zip(body(0), body(1)))
	emit(tail(0))
	emit(tail(1))
	s.WriteString(`	ADDQ $128, DI
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $16, BX
	SUBQ $16, CX
	JMP zloop2

zloop1:
	TESTQ CX, CX
	JZ zdone
`)
	emit(head(0))
	emit(body(0))
	emit(tail(0))
	s.WriteString(`	ADDQ $64, DI
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $8, BX
	SUBQ $8, CX
	JMP zloop1

zdone:
	VMOVUPD Y15, (AX)
	VZEROUPPER
	MOVQ BX, done+40(FP)
	RET
`)
	return s.Bytes()
}

// zip interleaves two instruction lists one for one.
func zip(a, b []string) []string {
	var out []string
	for i := 0; i < len(a) || i < len(b); i++ {
		if i < len(a) {
			out = append(out, a[i])
		}
		if i < len(b) {
			out = append(out, b[i])
		}
	}
	return out
}

// bern512Regs rewrites the register names Z0..Z14, Y0..Y14 and K0..K2 in
// the instruction templates to those of a group (register offset r, mask
// offset k >= 1, since K0 as a write mask means no mask) and "+OFF" to its
// memory offset; Y15, the accumulator, is shared.
func bern512Regs(lines []string, r, off, k int) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		var b strings.Builder
		for j := 0; j < len(l); j++ {
			c := l[j]
			if (c == 'Z' || c == 'Y' || c == 'K') && j+1 < len(l) && l[j+1] >= '0' && l[j+1] <= '9' && (j == 0 || !isIdent(l[j-1])) {
				n, w := 0, 1
				for j+w < len(l) && l[j+w] >= '0' && l[j+w] <= '9' {
					n = 10*n + int(l[j+w]-'0')
					w++
				}
				switch {
				case c == 'K':
					n += k
				case n != 15: // Y15 is the shared accumulator
					n += r
				}
				fmt.Fprintf(&b, "%c%d", c, n)
				j += w - 1
				continue
			}
			b.WriteByte(c)
		}
		out[i] = strings.ReplaceAll(b.String(), "+OFF", fmt.Sprintf("%d", off))
	}
	return out
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// bern512Head loads a group, forms s = 2y - 1 (NaN for a label other than 0
// or 1) in Z1, zz = s*eta in Z0 and a = |zz| in Z3, and leaves the loop if a
// lane of a is >= expFastMax or NaN.
func bern512Head(r, off, k int) []string {
	return bern512Regs([]string{
		"VMOVUPD +OFF(SI), Z6",
		"VADDPD Z6, Z6, Z1",
		"VSUBPD zOne<>(SB), Z1, Z1",
		"VPXORQ Z9, Z9, Z9",
		"VCMPPD $4, Z9, Z6, K0",         // y != 0
		"VCMPPD $4, zOne<>(SB), Z6, K1", // y != 1
		"KANDB K1, K0, K0",
		"VMOVUPD zNaN<>(SB), K0, Z1",
		"VMULPD +OFF(DI), Z1, Z0", // zz = s*x
		"VPANDQ zAbs<>(SB), Z0, Z3",
		"VCMPPD $5, zFastMax<>(SB), Z3, K0", // !(a < expFastMax)
		"KORTESTB K0, K0",
		"JNE zdone",
	}, r, off, k)
}

// bern512Body computes, from zz (Z0) and a (Z3), the term LogSigmoid(zz) in
// Z10 and Sigmoid(-zz) in Z12, in the operation order of the Go code.
func bern512Body(r, off, k int) []string {
	return bern512Regs([]string{
		"VPXORQ zSign<>(SB), Z3, Z2", // -a
		// EXPK: Z2 = exp(Z2)
		"VMULPD zInvLn2N<>(SB), Z2, Z3",
		"VADDPD zShift<>(SB), Z3, Z3",
		"VSUBPD zShift<>(SB), Z3, Z4",
		"VMULPD zLn2hiN<>(SB), Z4, Z5",
		"VSUBPD Z5, Z2, Z2",
		"VMULPD zLn2loN<>(SB), Z4, Z4",
		"VSUBPD Z4, Z2, Z2",
		"VPANDQ zMask127<>(SB), Z3, Z4",
		"VPSLLQ $4, Z4, Z4",
		"VPSLLQ $45, Z3, Z3",
		"KXNORB K1, K1, K1",
		"VGATHERQPD 0(R8)(Z4*1), K1, Z6",
		"KXNORB K2, K2, K2",
		"VGATHERQPD 8(R8)(Z4*1), K2, Z7",
		"VPADDQ Z3, Z7, Z7",
		"VMULPD Z2, Z2, Z3",
		"VMULPD zC3<>(SB), Z2, Z4",
		"VADDPD zC2<>(SB), Z4, Z4",
		"VMULPD Z4, Z3, Z4",
		"VMULPD zC5<>(SB), Z2, Z5",
		"VADDPD zC4<>(SB), Z5, Z5",
		"VMULPD Z3, Z3, Z8",
		"VMULPD Z5, Z8, Z5",
		"VADDPD Z2, Z6, Z6",
		"VADDPD Z4, Z6, Z6",
		"VADDPD Z5, Z6, Z6",
		"VMULPD Z6, Z7, Z6",
		"VADDPD Z6, Z7, Z2",
		// UDC: u = 1 + e (Z3), d = 1/u (Z4), c = (e - (u - 1))*d (Z5)
		"VADDPD zOne<>(SB), Z2, Z3",
		"VMOVUPD zOne<>(SB), Z4",
		"VDIVPD Z3, Z4, Z4",
		"VSUBPD zOne<>(SB), Z3, Z5",
		"VSUBPD Z5, Z2, Z5",
		"VMULPD Z4, Z5, Z5",
		// LOGUC: Z8 = logKernel(u, c) for u in [1, 2]
		"VPSUBQ zLogOff<>(SB), Z3, Z6",
		"VPANDQ zExpMask<>(SB), Z6, Z7",
		"VPSUBQ Z7, Z3, Z7",
		"VPSRLQ $44, Z6, Z8",
		"VPANDQ zMask255<>(SB), Z8, Z8",
		"VPSLLQ $1, Z8, Z9",
		"VPADDQ Z8, Z9, Z8",
		"KXNORB K1, K1, K1",
		"VGATHERQPD 0(R9)(Z8*8), K1, Z10",
		"KXNORB K2, K2, K2",
		"VGATHERQPD 8(R9)(Z8*8), K2, Z11",
		"KXNORB K1, K1, K1",
		"VGATHERQPD 16(R9)(Z8*8), K1, Z12",
		"VPANDQ zNot511<>(SB), Z7, Z9",
		"VSUBPD Z9, Z7, Z7",
		"VMULPD Z10, Z9, Z9",
		"VSUBPD zOne<>(SB), Z9, Z9",
		"VMULPD Z10, Z7, Z7",
		"VADDPD Z7, Z9, Z9",
		"VPSRLQ $52, Z6, Z6",
		"VPADDQ zShift<>(SB), Z6, Z6",
		"VSUBPD zShift<>(SB), Z6, Z6",
		"VMULPD zLn2hi<>(SB), Z6, Z7",
		"VADDPD Z11, Z7, Z7",
		"VMULPD zLn2lo<>(SB), Z6, Z6",
		"VADDPD Z12, Z6, Z6",
		"VADDPD Z9, Z7, Z8",
		"VSUBPD Z7, Z8, Z10",
		"VSUBPD Z10, Z8, Z11",
		"VSUBPD Z11, Z7, Z11",
		"VSUBPD Z10, Z9, Z10",
		"VADDPD Z10, Z11, Z11",
		"VMULPD Z9, Z9, Z10",
		"VMULPD zP3<>(SB), Z9, Z12",
		"VADDPD zP2<>(SB), Z12, Z12",
		"VMULPD zP5<>(SB), Z9, Z13",
		"VADDPD zP4<>(SB), Z13, Z13",
		"VMULPD Z13, Z10, Z13",
		"VADDPD Z13, Z12, Z12",
		"VMULPD zP7<>(SB), Z9, Z13",
		"VADDPD zP6<>(SB), Z13, Z13",
		"VMULPD Z10, Z10, Z14",
		"VMULPD Z13, Z14, Z13",
		"VADDPD Z13, Z12, Z12",
		"VMULPD Z12, Z10, Z12",
		"VADDPD Z6, Z11, Z11",
		"VADDPD Z12, Z11, Z11",
		"VADDPD Z5, Z11, Z11",
		"VADDPD Z11, Z8, Z8",
		// SIGPN: sp = d - c*d (Z4), sn = e*sp (Z2)
		"VMULPD Z4, Z5, Z6",
		"VSUBPD Z6, Z4, Z4",
		"VMULPD Z4, Z2, Z2",
		// the sign bits of zz pick min(zz, 0) and Sigmoid(-zz)
		"VPMOVQ2M Z0, K0",
		"VMOVAPD.Z Z0, K0, Z10",     // min(zz, 0)
		"VSUBPD Z8, Z10, Z10",       // LogSigmoid(zz)
		"VBLENDMPD Z4, Z2, K0, Z12", // zz < 0: sp, else sn
		"VMULPD Z12, Z1, Z12",       // resid
	}, r, off, k)
}

// bern512Tail adds the group's terms to the accumulator (low half, then
// high half) and stores its residuals.
func bern512Tail(r, off, k int) []string {
	return bern512Regs([]string{
		"VEXTRACTF64X4 $1, Z10, Y11",
		"VADDPD Y10, Y15, Y15",
		"VADDPD Y11, Y15, Y15",
		"VMOVUPD Z12, +OFF(DX)",
	}, r, off, k)
}
