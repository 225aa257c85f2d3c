package fastmath

import (
	"bytes"
	"fmt"
	"go/format"
)

// genMat512Asm writes mat512_amd64.s and mat512_decl_amd64.go: the AVX-512
// matrix-vector kernels, in variants by the number of column groups so that
// x (MatVec) or the column sums (MatTVec) stay in registers. Masked loads
// and stores (which never fault on masked-off lanes) read the last group of
// columns, so every row runs in assembly.
//
// MatVec (mvz1..mvz8, k groups of four columns): eight rows per iteration,
// two rows in a Z register (row i in lanes 0-3, row i+1 in lanes 4-7), so
// each lane still sums its columns j = l mod 4 in increasing j starting
// from +0; x's groups are broadcast to both halves. A transposition then
// forms (p_0 + p_1) + (p_2 + p_3) for the eight rows in one register.
//
// MatTVec (mtz1..mtz4, k groups of eight columns): the column sums stay in
// Z registers and receive one product per row, in row order.
func genMat512Asm() (asm, decl []byte) {
	var s, d bytes.Buffer
	s.WriteString(genHeader)
	s.WriteString("//go:build amd64 && !purego\n\n#include \"textflag.h\"\n\n")
	d.WriteString(genHeader)
	d.WriteString("//go:build amd64 && !purego\n\npackage fastmath\n\n")
	// VPERMI2PD indices gathering p_0 + p_1 and p_2 + p_3 of rows 0..7.
	for l, v := range []uint64{0, 4, 1, 5, 8, 12, 9, 13} {
		fmt.Fprintf(&s, "DATA zPermLo<>+%d(SB)/8, $%d\n", 8*l, v)
	}
	s.WriteString("GLOBL zPermLo<>(SB), RODATA|NOPTR, $64\n\n")
	for l, v := range []uint64{2, 6, 3, 7, 10, 14, 11, 15} {
		fmt.Fprintf(&s, "DATA zPermHi<>+%d(SB)/8, $%d\n", 8*l, v)
	}
	s.WriteString("GLOBL zPermHi<>(SB), RODATA|NOPTR, $64\n\n")

	// Row r of the eight is at SI + r*stride: stride in R8, 3*stride in
	// R9, 5*stride in R10, 7*stride in R11.
	rowAddr := []string{"(SI)", "(SI)(R8*1)", "(SI)(R8*2)", "(SI)(R9*1)", "(SI)(R8*4)", "(SI)(R10*1)", "(SI)(R9*2)", "(SI)(R11*1)"}
	for k := 1; k <= 8; k++ {
		fmt.Fprintf(&d, "// mvz%d computes rows (a multiple of eight) values of the MatVec lane order for %d groups of four columns; x has 4*%d elements (zero padded), mask has the lanes of the last group on and b may be nil.\n//\n//go:noescape\nfunc mvz%d(dst, a *float64, rows int, x, b *float64, mask uint64, stride int)\n\n", k, k, k, k)
		fmt.Fprintf(&s, "// func mvz%d(dst, a *float64, rows int, x, b *float64, mask uint64, stride int)\n", k)
		fmt.Fprintf(&s, "TEXT ·mvz%d(SB), NOSPLIT, $0-56\n", k)
		s.WriteString("\tMOVQ dst+0(FP), DI\n\tMOVQ a+8(FP), SI\n\tMOVQ rows+16(FP), CX\n\tMOVQ x+24(FP), DX\n\tMOVQ b+32(FP), BX\n\tMOVQ mask+40(FP), AX\n\tMOVQ stride+48(FP), R8\n")
		s.WriteString("\tKMOVB AX, K1\n\tSHLQ $4, AX\n\tKMOVB AX, K2\n")
		s.WriteString("\tLEAQ (R8)(R8*2), R9\n\tLEAQ (R8)(R8*4), R10\n\tLEAQ (R9)(R8*4), R11\n")
		for g := 0; g < k; g++ {
			fmt.Fprintf(&s, "\tVBROADCASTF64X4 %d(DX), Z%d\n", 32*g, 16+g)
		}
		s.WriteString("\tVMOVUPD zPermLo<>(SB), Z24\n\tVMOVUPD zPermHi<>(SB), Z25\n")
		fmt.Fprintf(&s, "mvz%dloop:\n\tTESTQ CX, CX\n\tJZ mvz%ddone\n", k, k)
		for q := 0; q < 4; q++ {
			fmt.Fprintf(&s, "\tVPXORQ Z%d, Z%d, Z%d\n", q, q, q)
		}
		for g := 0; g < k; g++ {
			for q := 0; q < 4; q++ {
				t := 8 + q + 4*(g%2)
				if g < k-1 {
					fmt.Fprintf(&s, "\tVMOVUPD %d%s, Y%d\n", 32*g, rowAddr[2*q], t)
					fmt.Fprintf(&s, "\tVINSERTF64X4 $1, %d%s, Z%d, Z%d\n", 32*g, rowAddr[2*q+1], t, t)
				} else {
					fmt.Fprintf(&s, "\tVMOVUPD.Z %d%s, K1, Y%d\n", 32*g, rowAddr[2*q], t)
					fmt.Fprintf(&s, "\tVBROADCASTF64X4 %d%s, K2, Z%d\n", 32*g, rowAddr[2*q+1], t)
				}
				fmt.Fprintf(&s, "\tVMULPD Z%d, Z%d, Z%d\n", 16+g, t, t)
				fmt.Fprintf(&s, "\tVADDPD Z%d, Z%d, Z%d\n", t, q, q)
			}
		}
		// Z4 = [r0.01, r2.01, r0.23, r2.23, r1.01, r3.01, r1.23, r3.23], Z6 likewise for rows 4-7.
		s.WriteString("\tVUNPCKLPD Z1, Z0, Z4\n\tVUNPCKHPD Z1, Z0, Z5\n\tVADDPD Z5, Z4, Z4\n")
		s.WriteString("\tVUNPCKLPD Z3, Z2, Z6\n\tVUNPCKHPD Z3, Z2, Z7\n\tVADDPD Z7, Z6, Z6\n")
		s.WriteString("\tVMOVAPD Z24, Z7\n\tVPERMI2PD Z6, Z4, Z7\n\tVMOVAPD Z25, Z5\n\tVPERMI2PD Z6, Z4, Z5\n\tVADDPD Z5, Z7, Z7\n")
		fmt.Fprintf(&s, "\tTESTQ BX, BX\n\tJZ mvz%dnob\n\tVADDPD (BX), Z7, Z7\n\tADDQ $64, BX\nmvz%dnob:\n", k, k)
		s.WriteString("\tVMOVUPD Z7, (DI)\n\tADDQ $64, DI\n\tLEAQ (SI)(R8*8), SI\n\tSUBQ $8, CX\n")
		fmt.Fprintf(&s, "\tJMP mvz%dloop\nmvz%ddone:\n\tVZEROUPPER\n\tRET\n\n", k, k)
	}
	for k := 1; k <= 4; k++ {
		fmt.Fprintf(&d, "// mtz%d adds A^T r into dst (len 8*%d - 8 + bits in mask) for %d groups of eight columns, the last masked by mask.\n//\n//go:noescape\nfunc mtz%d(dst, a *float64, rows int, r *float64, mask uint64, stride int)\n\n", k, k, k, k)
		fmt.Fprintf(&s, "// func mtz%d(dst, a *float64, rows int, r *float64, mask uint64, stride int)\n", k)
		fmt.Fprintf(&s, "TEXT ·mtz%d(SB), NOSPLIT, $0-48\n", k)
		s.WriteString("\tMOVQ dst+0(FP), DI\n\tMOVQ a+8(FP), SI\n\tMOVQ rows+16(FP), CX\n\tMOVQ r+24(FP), DX\n\tMOVQ mask+32(FP), AX\n\tMOVQ stride+40(FP), R8\n")
		s.WriteString("\tKMOVB AX, K1\n")
		for g := 0; g < k-1; g++ {
			fmt.Fprintf(&s, "\tVMOVUPD %d(DI), Z%d\n", 64*g, g)
		}
		fmt.Fprintf(&s, "\tVMOVUPD.Z %d(DI), K1, Z%d\n", 64*(k-1), k-1)
		// two rows per iteration, then one
		fmt.Fprintf(&s, "mtz%dloop2:\n\tCMPQ CX, $2\n\tJLT mtz%dloop1\n", k, k)
		s.WriteString("\tVBROADCASTSD (DX), Z8\n\tVBROADCASTSD 8(DX), Z9\n")

		for row := 0; row < 2; row++ {
			base := "(SI)"
			if row == 1 {
				base = "(SI)(R8*1)"
			}
			for g := 0; g < k; g++ {
				t := 10 + g + 4*row
				if g < k-1 {
					fmt.Fprintf(&s, "\tVMULPD %d%s, Z%d, Z%d\n", 64*g, base, 8+row, t)
				} else {
					fmt.Fprintf(&s, "\tVMULPD.Z %d%s, Z%d, K1, Z%d\n", 64*g, base, 8+row, t)
				}
			}
		}
		for row := 0; row < 2; row++ {
			for g := 0; g < k; g++ {
				fmt.Fprintf(&s, "\tVADDPD Z%d, Z%d, Z%d\n", 10+g+4*row, g, g)
			}
		}
		fmt.Fprintf(&s, "\tADDQ $16, DX\n\tLEAQ (SI)(R8*2), SI\n\tSUBQ $2, CX\n\tJMP mtz%dloop2\n", k)
		fmt.Fprintf(&s, "mtz%dloop1:\n\tTESTQ CX, CX\n\tJZ mtz%ddone\n\tVBROADCASTSD (DX), Z8\n", k, k)
		for g := 0; g < k; g++ {
			if g < k-1 {
				fmt.Fprintf(&s, "\tVMULPD %d(SI), Z8, Z%d\n", 64*g, 10+g)
			} else {
				fmt.Fprintf(&s, "\tVMULPD.Z %d(SI), Z8, K1, Z%d\n", 64*g, 10+g)
			}
			fmt.Fprintf(&s, "\tVADDPD Z%d, Z%d, Z%d\n", 10+g, g, g)
		}
		fmt.Fprintf(&s, "mtz%ddone:\n", k)
		for g := 0; g < k-1; g++ {
			fmt.Fprintf(&s, "\tVMOVUPD Z%d, %d(DI)\n", g, 64*g)
		}
		fmt.Fprintf(&s, "\tVMOVUPD Z%d, K1, %d(DI)\n\tVZEROUPPER\n\tRET\n\n", k-1, 64*(k-1))
	}
	src, err := format.Source(d.Bytes())
	if err != nil {
		panic(err)
	}
	return s.Bytes(), src
}
