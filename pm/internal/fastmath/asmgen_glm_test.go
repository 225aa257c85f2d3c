package fastmath

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// genGLM512Asm writes glm512_amd64.s: the GLM pass's AVX-512 matrix kernels
// in variants by the number K of eight-column groups (1..4), so that beta
// (glmMV512) or the accumulators (glmMT512) stay in registers. The last group
// is read under the mask K1 (AVX-512 masking suppresses faults on masked-off
// lanes, so no load reaches past the row). TestMatAsmGenerated keeps the file
// equal to this output.
func genGLM512Asm() []byte {
	var s bytes.Buffer
	s.WriteString(genHeader)
	s.WriteString("//go:build amd64 && !purego\n\n#include \"textflag.h\"\n\n")
	row := glmRow("SI", "R10")
	for k := 1; k <= 4; k++ {
		// glmMV512: eight rows per iteration; lane sums of row r in Zr
		// (fused multiply-adds from +0), beta's groups in Z24.., alpha
		// broadcast in Z31; the eight lane sums are reduced pairwise by a
		// transpose ((p0+p1)+(p2+p3)) + ((p4+p5)+(p6+p7)) into one vector of
		// eight rows.
		fmt.Fprintf(&s, "// func glmMV512x%d(eta, a *float64, rows int, beta *[32]float64, alpha float64, mask uint64, stride int)\n", k)
		fmt.Fprintf(&s, "TEXT ·glmMV512x%d(SB), NOSPLIT, $0-56\n", k)
		s.WriteString("\tMOVQ eta+0(FP), DI\n\tMOVQ a+8(FP), SI\n\tMOVQ rows+16(FP), CX\n\tMOVQ beta+24(FP), DX\n")
		s.WriteString("\tVBROADCASTSD alpha+32(FP), Z31\n\tMOVQ mask+40(FP), AX\n\tKMOVW AX, K1\n\tMOVQ stride+48(FP), R8\n\tLEAQ (R8)(R8*2), R9\n")
		for g := 0; g < k; g++ {
			fmt.Fprintf(&s, "\tVMOVUPD %d(DX), Z%d\n", 64*g, 24+g)
		}
		fmt.Fprintf(&s, "gmv%dloop:\n\tCMPQ CX, $8\n\tJLT gmv%ddone\n\tLEAQ (SI)(R8*4), R10\n", k, k)
		for _, l := range glmMVLines(k, row, 0, 8, "Z31", "K1") {
			fmt.Fprintf(&s, "\t%s\n", l)
		}
		s.WriteString("\tVMOVUPD Z0, (DI)\n\tADDQ $64, DI\n\tLEAQ (SI)(R8*8), SI\n\tSUBQ $8, CX\n")
		fmt.Fprintf(&s, "\tJMP gmv%dloop\ngmv%ddone:\n\tVZEROUPPER\n\tRET\n\n", k, k)

		// glmMT512: four rows per iteration; set m (rows i = m mod 4) of
		// group g accumulates in Z(m*k+g), r[i+m] broadcast in Z16+m.
		fmt.Fprintf(&s, "// func glmMT512x%d(acc *[4][32]float64, a *float64, rows int, r *float64, mask uint64, stride int)\n", k)
		fmt.Fprintf(&s, "TEXT ·glmMT512x%d(SB), NOSPLIT, $0-48\n", k)
		s.WriteString("\tMOVQ acc+0(FP), DI\n\tMOVQ a+8(FP), SI\n\tMOVQ rows+16(FP), CX\n\tMOVQ r+24(FP), DX\n")
		s.WriteString("\tMOVQ mask+32(FP), AX\n\tKMOVW AX, K1\n\tMOVQ stride+40(FP), R8\n\tLEAQ (R8)(R8*2), R9\n\tLEAQ (R8)(R8*1), R10\n\tADDQ R10, R10\n")
		for m := 0; m < 4; m++ {
			for g := 0; g < k; g++ {
				fmt.Fprintf(&s, "\tVMOVUPD %d(DI), Z%d\n", 256*m+64*g, m*k+g)
			}
		}
		fmt.Fprintf(&s, "gmt%dloop:\n\tCMPQ CX, $4\n\tJLT gmt%ddone\n", k, k)
		for m := 0; m < 4; m++ {
			fmt.Fprintf(&s, "\tVBROADCASTSD %d(DX), Z%d\n", 8*m, 16+m)
		}
		for g := 0; g < k; g++ {
			msk := ""
			if g == k-1 {
				msk = " K1,"
			}
			for m := 0; m < 4; m++ {
				fmt.Fprintf(&s, "\tVFMADD231PD %s, Z%d,%s Z%d\n", row(m, 64*g), 16+m, msk, m*k+g)
			}
		}
		fmt.Fprintf(&s, "\tADDQ R10, SI\n\tADDQ $32, DX\n\tSUBQ $4, CX\n\tJMP gmt%dloop\ngmt%ddone:\n", k, k)
		for m := 0; m < 4; m++ {
			for g := 0; g < k; g++ {
				fmt.Fprintf(&s, "\tVMOVUPD Z%d, %d(DI)\n", m*k+g, 256*m+64*g)
			}
		}
		s.WriteString("\tVZEROUPPER\n\tRET\n\n")
	}
	genGLMBern512(&s)
	genGLMMVB512(&s)
	genGLMBern256(&s)
	genGLMMat256(&s)
	return s.Bytes()
}

// glmRow returns the address of row r (0..7) plus off bytes of a group of
// eight rows: base0 (rows 0-3) or base1 = base0 + 4*stride (rows 4-7) plus
// 0, R8 = stride, 2*R8 or R9 = 3*stride.
func glmRow(base0, base1 string) func(r, off int) string {
	return func(r, off int) string {
		base := base0
		if r >= 4 {
			base = base1
		}
		switch r % 4 {
		case 0:
			return fmt.Sprintf("%d(%s)", off, base)
		case 1:
			return fmt.Sprintf("%d(%s)(R8*1)", off, base)
		case 2:
			return fmt.Sprintf("%d(%s)(R8*2)", off, base)
		default:
			return fmt.Sprintf("%d(%s)(R9*1)", off, base)
		}
	}
}

// glmMVLines is the predictor for eight rows: lane sums of row r in
// Z(acc+r) (fused multiply-adds from +0 with beta's groups in Z24.., the last
// group under mask), reduced pairwise by a transpose ((p0+p1)+(p2+p3)) +
// ((p4+p5)+(p6+p7)) into one vector of eight rows in Z(acc), plus alpha;
// Z(tmp) and Z(tmp+1) are scratch.
func glmMVLines(k int, row func(r, off int) string, acc, tmp int, alpha, mask string) []string {
	var l []string
	for r := 0; r < 8; r++ {
		l = append(l, fmt.Sprintf("VPXORQ Z%d, Z%d, Z%d", acc+r, acc+r, acc+r))
	}
	for g := 0; g < k; g++ {
		m := ""
		if g == k-1 {
			m = " " + mask + ","
		}
		for r := 0; r < 8; r++ {
			l = append(l, fmt.Sprintf("VFMADD231PD %s, Z%d,%s Z%d", row(r, 64*g), 24+g, m, acc+r))
		}
	}
	t0, t1 := tmp, tmp+1
	for r := 0; r < 8; r += 2 {
		l = append(l, fmt.Sprintf("VUNPCKLPD Z%d, Z%d, Z%d", acc+r+1, acc+r, t0), fmt.Sprintf("VUNPCKHPD Z%d, Z%d, Z%d", acc+r+1, acc+r, t1),
			fmt.Sprintf("VADDPD Z%d, Z%d, Z%d", t1, t0, acc+r))
	}
	for _, p := range [][2]int{{0, 2}, {4, 6}, {0, 4}} {
		l = append(l, fmt.Sprintf("VSHUFF64X2 $0x88, Z%d, Z%d, Z%d", acc+p[1], acc+p[0], t0), fmt.Sprintf("VSHUFF64X2 $0xdd, Z%d, Z%d, Z%d", acc+p[1], acc+p[0], t1),
			fmt.Sprintf("VADDPD Z%d, Z%d, Z%d", t1, t0, acc+p[0]))
	}
	return append(l, fmt.Sprintf("VADDPD %s, Z%d, Z%d", alpha, acc, acc))
}

// genGLMMVB512 writes glmMVB512x1..4: the predictor of the next block's
// rows (glmMVLines in Z16-Z23, Z29-Z30, rows at R11) and the Bernoulli kernel
// of the current block (glmBernLines) in one loop, eight of each per
// iteration, their instructions interleaved: the load-bound product and the
// arithmetic-bound likelihood overlap. The same bits as glmMV512 and
// bernoulliGLM512. It stops before a group of eight elements that
// bernoulliGLM512 would leave to the Go code (with as many rows done).
func genGLMMVB512(s *bytes.Buffer) {
	check, compute, store := glmBernLines()
	row := glmRow("R11", "R10")
	emit := func(lines ...string) {
		for _, l := range lines {
			fmt.Fprintf(s, "\t%s\n", l)
		}
	}
	for k := 1; k <= 4; k++ {
		fmt.Fprintf(s, "// func glmMVB512x%d(x *float64, n, stride int, beta *[32]float64, alpha float64, mask uint64, etaNext, eta, y, resid *float64, acc, racc *[4]float64) (done int)\n", k)
		fmt.Fprintf(s, "TEXT ·glmMVB512x%d(SB), NOSPLIT, $0-104\n", k)
		emit("MOVQ x+0(FP), R11", "MOVQ n+8(FP), CX", "MOVQ stride+16(FP), R8", "MOVQ beta+24(FP), DX",
			"VBROADCASTSD alpha+32(FP), Z28", "MOVQ mask+40(FP), AX", "KMOVW AX, K3", "MOVQ etaNext+48(FP), R12",
			"MOVQ eta+56(FP), DI", "MOVQ y+64(FP), SI", "LEAQ (R8)(R8*2), R9")
		for g := 0; g < k; g++ {
			emit(fmt.Sprintf("VMOVUPD %d(DX), Z%d", 64*g, 24+g))
		}
		emit("MOVQ resid+72(FP), DX", "MOVQ acc+80(FP), AX", "MOVQ racc+88(FP), R13", "VMOVUPD (AX), Y15", "VMOVUPD (R13), Y31", "XORQ BX, BX")
		fmt.Fprintf(s, "gmvb%dloop:\n", k)
		emit("CMPQ CX, $8", fmt.Sprintf("JLT gmvb%ddone", k))
		emit(check...)
		emit(fmt.Sprintf("JNE gmvb%ddone", k), "LEAQ (R11)(R8*4), R10")
		mv := glmMVLines(k, row, 16, 29, "Z28", "K3")
		for i := 0; i < max(len(mv), len(compute)); i++ {
			if i < len(mv) {
				emit(mv[i])
			}
			if i < len(compute) {
				emit(compute[i])
			}
		}
		emit(store...)
		emit("VMOVUPD Z16, (R12)", "ADDQ $64, DI", "ADDQ $64, SI", "ADDQ $64, DX", "ADDQ $64, R12", "LEAQ (R11)(R8*8), R11",
			"ADDQ $8, BX", "SUBQ $8, CX", fmt.Sprintf("JMP gmvb%dloop", k))
		fmt.Fprintf(s, "gmvb%ddone:\n", k)
		emit("VMOVUPD Y15, (AX)", "VMOVUPD Y31, (R13)", "VZEROUPPER", "MOVQ BX, done+96(FP)", "RET")
		s.WriteString("\n")
	}
}

// genGLMBern512 writes bernoulliGLM512: bernoulliGLMGo's arithmetic
// (logisticGLM), one instruction per Go operation, sixteen elements per
// iteration (two groups of eight, their instructions interleaved) while
// sixteen remain, then eight; lane l of Y15 accumulates the terms of the
// elements i = l mod 4 in order, and lane l of Y31 their residuals.
func genGLMBern512(s *bytes.Buffer) {
	writeBernConsts(s, glmBernConsts(), "g", 1)

	// The second group of an iteration is the first's 64 bytes on, in
	// Z16-Z30, K3-K4, Y26-Y29.
	check, compute, store := glmBernLines()
	reg := regexp.MustCompile(`\b([ZY])(\d+)\b|\bK([12])\b|\((DI|SI|DX)\)`)
	second := func(line string) string {
		return reg.ReplaceAllStringFunc(line, func(m string) string {
			switch {
			case m[0] == 'K':
				return fmt.Sprintf("K%d", int(m[1]-'0')+2)
			case m[0] == '(':
				return "64" + m
			case m == "Y15" || m == "Y31":
				return m
			}
			n, _ := strconv.Atoi(m[1:])
			return fmt.Sprintf("%c%d", m[0], n+16)
		})
	}
	emit := func(lines ...string) {
		for _, l := range lines {
			fmt.Fprintf(s, "\t%s\n", l)
		}
	}
	s.WriteString(`// func bernoulliGLM512(eta, y, resid *float64, n int, acc, racc *[4]float64) (done int)
TEXT ·bernoulliGLM512(SB), NOSPLIT, $0-56
	MOVQ eta+0(FP), DI
	MOVQ y+8(FP), SI
	MOVQ resid+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ acc+32(FP), AX
	MOVQ racc+40(FP), R8
	XORQ BX, BX
	VMOVUPD (AX), Y15
	VMOVUPD (R8), Y31
gbloop2:
	CMPQ CX, $16
	JLT gbloop1
`)
	emit(check...)
	emit("JNE gbloop1")
	for _, l := range check {
		emit(second(l))
	}
	emit("JNE gbloop1")
	for _, l := range compute {
		emit(l, second(l))
	}
	emit(store...)
	for _, l := range store {
		emit(second(l))
	}
	emit("ADDQ $128, DI", "ADDQ $128, SI", "ADDQ $128, DX", "ADDQ $16, BX", "SUBQ $16, CX", "JMP gbloop2")
	s.WriteString("gbloop1:\n")
	emit("CMPQ CX, $8", "JLT gbdone")
	emit(check...)
	emit("JNE gbdone")
	emit(compute...)
	emit(store...)
	emit("ADDQ $64, DI", "ADDQ $64, SI", "ADDQ $64, DX", "ADDQ $8, BX", "SUBQ $8, CX", "JMP gbloop1")
	s.WriteString("gbdone:\n")
	emit("VMOVUPD Y15, (AX)", "VMOVUPD Y31, (R8)", "VZEROUPPER", "MOVQ BX, done+48(FP)", "RET")
}

// glmBernLines returns the Bernoulli kernel for one group of eight elements
// (eta at (DI), y at (SI), resid at (DX)) in Z0-Z14, K1-K2, Y10-Y13: the
// check of the group (flags set for JNE when the Go code must take it), the
// arithmetic and the stores (terms into Y15, residuals into Y31 and (DX)).
// The check: a label y is 0 or 1 exactly when y*y (rounded) equals y (for
// any other y, including NaN, the rounded square differs from y), and
// |s eta| < expFastMax fails for NaN.
func glmBernLines() (check, compute, store []string) {
	check = strings.Split(strings.TrimSpace(`
VMOVUPD (SI), Z6
VADDPD Z6, Z6, Z1
VSUBPD gOne<>(SB), Z1, Z1
VMULPD (DI), Z1, Z0
VANDPD gAbs<>(SB), Z0, Z2
VMULPD Z6, Z6, Z9
VCMPPD $4, Z6, Z9, K1
VCMPPD $5, gFastMax<>(SB), Z2, K2
KORTESTB K2, K1`), "\n")
	var body bytes.Buffer
	body.WriteString(`VXORPD gSign<>(SB), Z2, Z3
VMOVUPD gShift<>(SB), Z4
VFMADD231PD gInvLn2<>(SB), Z3, Z4
VSUBPD gShift<>(SB), Z4, Z5
VFNMADD231PD gLn2hi<>(SB), Z5, Z3
VFNMADD231PD gLn2lo<>(SB), Z5, Z3
VMULPD Z3, Z3, Z5
VMULPD Z5, Z5, Z6
VMULPD Z6, Z6, Z7
`)
	// exp: a_j = c[2j+1] r + c[2j] in Z8+j; b_j = a_{2j+1} r2 + a_{2j};
	// p = (c[12] r4 + b2) r8 + (b1 r4 + b0); q = p r + 1.
	for j := 0; j < 6; j++ {
		fmt.Fprintf(&body, "VMOVUPD gE%d<>(SB), Z%d\nVFMADD231PD gE%d<>(SB), Z3, Z%d\n", 2*j, 8+j, 2*j+1, 8+j)
	}
	body.WriteString(`VFMADD231PD Z9, Z5, Z8
VFMADD231PD Z11, Z5, Z10
VFMADD231PD Z13, Z5, Z12
VFMADD231PD Z10, Z6, Z8
VFMADD231PD gE12<>(SB), Z6, Z12
VFMADD231PD Z12, Z7, Z8
VFMADD213PD gOne<>(SB), Z3, Z8
`)
	body.WriteString(`VPADDQ gBias<>(SB), Z4, Z4
VPSLLQ $52, Z4, Z4
VMULPD Z4, Z8, Z2
VADDPD gOne<>(SB), Z2, Z3
VMOVUPD gOne<>(SB), Z4
VDIVPD Z3, Z4, Z4
VSUBPD gOne<>(SB), Z3, Z5
VSUBPD Z5, Z2, Z5
VMULPD Z4, Z5, Z5
VPSUBQ gLogOff<>(SB), Z3, Z6
VPANDQ gExpMask<>(SB), Z6, Z7
VPSUBQ Z7, Z3, Z7
VPSRAQ $52, Z6, Z6
VPADDQ gShift<>(SB), Z6, Z6
VSUBPD gShift<>(SB), Z6, Z6
VSUBPD gOne<>(SB), Z7, Z7
VADDPD gTwo<>(SB), Z7, Z8
VDIVPD Z8, Z7, Z8
VMULPD Z8, Z8, Z9
VMULPD Z9, Z9, Z10
VMULPD Z10, Z10, Z11
`)
	// log: Q = (c[9] z + c[8]) z8 + ((a3 z2 + a2) z4 + (a1 z2 + a0)) with
	// a_j = c[2j+1] z + c[2j]; R = z Q.
	for j, r := range []int{12, 13, 13, 14} {
		fmt.Fprintf(&body, "VMOVUPD gL%d<>(SB), Z%d\nVFMADD231PD gL%d<>(SB), Z9, Z%d\n", 2*j, r, 2*j+1, r)
		if j == 1 {
			body.WriteString("VFMADD231PD Z13, Z10, Z12\n")
		}
	}
	body.WriteString(`VFMADD231PD Z14, Z10, Z13
VFMADD231PD Z13, Z11, Z12
VMOVUPD gL8<>(SB), Z13
VFMADD231PD gL9<>(SB), Z9, Z13
VMULPD Z11, Z11, Z11
VFMADD231PD Z13, Z11, Z12
`)
	body.WriteString(`VMULPD Z12, Z9, Z10
VMULPD Z7, Z7, Z11
VMULPD gHalf<>(SB), Z11, Z11
VADDPD Z10, Z11, Z10
VMOVAPD Z5, Z12
VFMADD231PD gLn2lo<>(SB), Z6, Z12
VFMADD231PD Z10, Z8, Z12
VSUBPD Z12, Z11, Z12
VSUBPD Z7, Z12, Z12
VMULPD gLn2hi<>(SB), Z6, Z6
VSUBPD Z12, Z6, Z6
VMOVAPD Z4, Z13
VFNMADD231PD Z5, Z4, Z13
VMULPD Z13, Z2, Z14
VPMOVQ2M Z0, K1
VMOVAPD.Z Z0, K1, Z10
VSUBPD Z6, Z10, Z10
VBLENDMPD Z13, Z14, K1, Z12
VMULPD Z12, Z1, Z12`)
	compute = strings.Split(body.String(), "\n")
	// Constants are read as 8-byte broadcasts ({1to8}): the kernel is bound by
	// the bytes its loads move, and full 64-byte constant operands cost as
	// much as data.
	bcst := func(lines []string) []string {
		out := make([]string, len(lines))
		for i, l := range lines {
			if strings.Contains(l, "<>(SB)") {
				op, rest, _ := strings.Cut(l, " ")
				if op == "VMOVUPD" {
					op = "VBROADCASTSD"
				} else {
					op += ".BCST"
				}
				l = op + " " + rest
			}
			out[i] = l
		}
		return out
	}
	store = []string{"VEXTRACTF64X4 $1, Z10, Y11", "VADDPD Y10, Y15, Y15", "VADDPD Y11, Y15, Y15",
		"VEXTRACTF64X4 $1, Z12, Y13", "VADDPD Y12, Y31, Y31", "VADDPD Y13, Y31, Y31", "VMOVUPD Z12, (DX)"}
	return bcst(check), bcst(compute), store
}

// glmBernConsts lists the constants of the GLM Bernoulli kernels (names
// without their g or h prefix), emitted from the Go constants.
func glmBernConsts() []bernConst {
	consts := []bernConst{
		{"One", math.Float64bits(1)}, {"Two", math.Float64bits(glmTwo)}, {"Half", math.Float64bits(glmHalf)},
		{"Abs", 0x7fffffffffffffff}, {"Sign", 0x8000000000000000}, {"FastMax", math.Float64bits(expFastMax)},
		{"InvLn2", math.Float64bits(glmInvLn2)}, {"Shift", math.Float64bits(expShift)},
		{"Ln2hi", math.Float64bits(ln2hi)}, {"Ln2lo", math.Float64bits(ln2lo)}, {"Bias", 1023},
		{"LogOff", logOff}, {"ExpMask", 0xfff << 52},
	}
	for k, c := range glmExpC {
		consts = append(consts, bernConst{fmt.Sprintf("E%d", k), math.Float64bits(c)})
	}
	for k, c := range glmLogC {
		consts = append(consts, bernConst{fmt.Sprintf("L%d", k), math.Float64bits(c)})
	}
	return consts
}

// genGLMBern256 writes bernoulliGLM256, the AVX2 (and FMA) form of
// bernoulliGLM512 for machines without AVX-512: the same instructions on
// four elements (Y registers, 32-byte constants), the sign selections by
// VBLENDVPD, the check by VMOVMSKPD and the residual sums in memory at
// (R8) (the sixteen Y registers hold the rest).
func genGLMBern256(s *bytes.Buffer) {
	writeBernConsts(s, glmBernConsts(), "h", 4)
	_, compute, _ := glmBernLines()
	var body []string
	for _, l := range compute {
		if strings.HasPrefix(l, "VPMOVQ2M") {
			break
		}
		l = strings.ReplaceAll(l, ".BCST", "")
		l = strings.ReplaceAll(l, "<>(SB)", "<>(SB)")
		l = regexp.MustCompile(`\bg([A-Za-z0-9]+<>)`).ReplaceAllString(l, "h$1")
		l = regexp.MustCompile(`\bZ(\d+)\b`).ReplaceAllString(l, "Y$1")
		l = strings.NewReplacer("VPSRAQ", "VPSRLQ", "VPANDQ", "VPAND", "VPXORQ", "VPXOR").Replace(l)
		body = append(body, l)
	}
	emit := func(lines ...string) {
		for _, l := range lines {
			fmt.Fprintf(s, "\t%s\n", l)
		}
	}
	s.WriteString(`// func bernoulliGLM256(eta, y, resid *float64, n int, acc, racc *[4]float64) (done int)
TEXT ·bernoulliGLM256(SB), NOSPLIT, $0-56
	MOVQ eta+0(FP), DI
	MOVQ y+8(FP), SI
	MOVQ resid+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ acc+32(FP), AX
	MOVQ racc+40(FP), R8
	XORQ BX, BX
	VMOVUPD (AX), Y15
gb2loop:
`)
	emit("CMPQ CX, $4", "JLT gb2done",
		"VMOVUPD (SI), Y6", "VADDPD Y6, Y6, Y1", "VSUBPD hOne<>(SB), Y1, Y1", "VMULPD (DI), Y1, Y0", "VANDPD hAbs<>(SB), Y0, Y2",
		"VMULPD Y6, Y6, Y9", "VCMPPD $4, Y6, Y9, Y9", "VCMPPD $5, hFastMax<>(SB), Y2, Y10", "VORPD Y10, Y9, Y9",
		"VMOVMSKPD Y9, R9", "TESTL R9, R9", "JNE gb2done")
	emit(body...)
	// term = (zz < 0 ? zz : 0) - l; resid = s * (zz < 0 ? sp : sn).
	emit("VXORPD Y9, Y9, Y9", "VBLENDVPD Y0, Y0, Y9, Y10", "VSUBPD Y6, Y10, Y10", "VBLENDVPD Y0, Y13, Y14, Y12", "VMULPD Y12, Y1, Y12",
		"VADDPD Y10, Y15, Y15", "VADDPD (R8), Y12, Y13", "VMOVUPD Y13, (R8)", "VMOVUPD Y12, (DX)",
		"ADDQ $32, DI", "ADDQ $32, SI", "ADDQ $32, DX", "ADDQ $4, BX", "SUBQ $4, CX", "JMP gb2loop")
	s.WriteString("gb2done:\n")
	emit("VMOVUPD Y15, (AX)", "VZEROUPPER", "MOVQ BX, done+48(FP)", "RET")
}

// genGLMMat256 writes the AVX2 (and FMA) forms of the GLM matrix kernels
// for machines without AVX-512, in variants by the number Q of four-column
// chunks, the last one read by VMASKMOVPD under the lane mask in Y14 (its
// masked lanes load +0, which leaves every sum unchanged):
//   - glmMV256xQ (Q = 1..8): four rows per iteration; lanes 0-3 of row r's
//     eight lane sums in Yr, lanes 4-7 in Y(4+r) (chunk q feeds half q mod 2,
//     beta read from memory), reduced by a transpose to ((p0+p1)+(p2+p3)) +
//     ((p4+p5)+(p6+p7)) for the four rows, plus alpha (Y15).
//   - glmMT256xQ (Q = 1..3): four rows per iteration, row m feeding sum m in
//     Y(m*Q+q), its residual broadcast in Y12.
func genGLMMat256(s *bytes.Buffer) {
	emit := func(lines ...string) {
		for _, l := range lines {
			fmt.Fprintf(s, "\t%s\n", l)
		}
	}
	row := func(r, off int) string {
		return []string{fmt.Sprintf("%d(SI)", off), fmt.Sprintf("%d(SI)(R8*1)", off), fmt.Sprintf("%d(SI)(R8*2)", off), fmt.Sprintf("%d(SI)(R9*1)", off)}[r]
	}
	for q := 1; q <= 8; q++ {
		fmt.Fprintf(s, "// func glmMV256x%d(eta, a *float64, rows int, beta *[32]float64, alpha float64, mask *[4]int64, stride int)\n", q)
		fmt.Fprintf(s, "TEXT ·glmMV256x%d(SB), NOSPLIT, $0-56\n", q)
		emit("MOVQ eta+0(FP), DI", "MOVQ a+8(FP), SI", "MOVQ rows+16(FP), CX", "MOVQ beta+24(FP), DX", "VBROADCASTSD alpha+32(FP), Y15",
			"MOVQ mask+40(FP), AX", "VMOVUPD (AX), Y14", "MOVQ stride+48(FP), R8", "LEAQ (R8)(R8*2), R9")
		fmt.Fprintf(s, "gmv2x%dloop:\n", q)
		emit("CMPQ CX, $4", fmt.Sprintf("JLT gmv2x%ddone", q))
		for r := 0; r < 8; r++ {
			emit(fmt.Sprintf("VXORPD Y%d, Y%d, Y%d", r, r, r))
		}
		for c := 0; c < q; c++ {
			for r := 0; r < 4; r++ {
				if c == q-1 {
					emit(fmt.Sprintf("VMASKMOVPD %s, Y14, Y%d", row(r, 32*c), 8+r))
				} else {
					emit(fmt.Sprintf("VMOVUPD %s, Y%d", row(r, 32*c), 8+r))
				}
				emit(fmt.Sprintf("VFMADD231PD %d(DX), Y%d, Y%d", 32*c, 8+r, r+4*(c%2)))
			}
		}
		emit("VUNPCKLPD Y1, Y0, Y8", "VUNPCKHPD Y1, Y0, Y9", "VADDPD Y9, Y8, Y8",
			"VUNPCKLPD Y3, Y2, Y9", "VUNPCKHPD Y3, Y2, Y10", "VADDPD Y10, Y9, Y9",
			"VUNPCKLPD Y5, Y4, Y10", "VUNPCKHPD Y5, Y4, Y11", "VADDPD Y11, Y10, Y10",
			"VUNPCKLPD Y7, Y6, Y11", "VUNPCKHPD Y7, Y6, Y12", "VADDPD Y12, Y11, Y11",
			"VPERM2F128 $0x20, Y9, Y8, Y12", "VPERM2F128 $0x31, Y9, Y8, Y13", "VADDPD Y13, Y12, Y12",
			"VPERM2F128 $0x20, Y11, Y10, Y0", "VPERM2F128 $0x31, Y11, Y10, Y1", "VADDPD Y1, Y0, Y0",
			"VADDPD Y0, Y12, Y0", "VADDPD Y15, Y0, Y0", "VMOVUPD Y0, (DI)",
			"ADDQ $32, DI", "LEAQ (SI)(R8*4), SI", "SUBQ $4, CX", fmt.Sprintf("JMP gmv2x%dloop", q))
		fmt.Fprintf(s, "gmv2x%ddone:\n", q)
		emit("VZEROUPPER", "RET")
		s.WriteString("\n")
	}
	for q := 1; q <= 3; q++ {
		fmt.Fprintf(s, "// func glmMT256x%d(acc *[4][32]float64, a *float64, rows int, r *float64, mask *[4]int64, stride int)\n", q)
		fmt.Fprintf(s, "TEXT ·glmMT256x%d(SB), NOSPLIT, $0-48\n", q)
		emit("MOVQ acc+0(FP), DI", "MOVQ a+8(FP), SI", "MOVQ rows+16(FP), CX", "MOVQ r+24(FP), DX", "MOVQ mask+32(FP), AX",
			"VMOVUPD (AX), Y14", "MOVQ stride+40(FP), R8", "LEAQ (R8)(R8*2), R9")
		for m := 0; m < 4; m++ {
			for c := 0; c < q; c++ {
				emit(fmt.Sprintf("VMOVUPD %d(DI), Y%d", 256*m+32*c, m*q+c))
			}
		}
		fmt.Fprintf(s, "gmt2x%dloop:\n", q)
		emit("CMPQ CX, $4", fmt.Sprintf("JLT gmt2x%ddone", q))
		for m := 0; m < 4; m++ {
			emit(fmt.Sprintf("VBROADCASTSD %d(DX), Y12", 8*m))
			for c := 0; c < q; c++ {
				if c == q-1 {
					emit(fmt.Sprintf("VMASKMOVPD %s, Y14, Y13", row(m, 32*c)), fmt.Sprintf("VFMADD231PD Y13, Y12, Y%d", m*q+c))
				} else {
					emit(fmt.Sprintf("VFMADD231PD %s, Y12, Y%d", row(m, 32*c), m*q+c))
				}
			}
		}
		emit("LEAQ (SI)(R8*4), SI", "ADDQ $32, DX", "SUBQ $4, CX", fmt.Sprintf("JMP gmt2x%dloop", q))
		fmt.Fprintf(s, "gmt2x%ddone:\n", q)
		for m := 0; m < 4; m++ {
			for c := 0; c < q; c++ {
				emit(fmt.Sprintf("VMOVUPD Y%d, %d(DI)", m*q+c, 256*m+32*c))
			}
		}
		emit("VZEROUPPER", "RET")
		s.WriteString("\n")
	}
}
