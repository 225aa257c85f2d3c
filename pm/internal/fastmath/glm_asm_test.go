//go:build amd64 && !purego

package fastmath

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The GLM kernels give the same bits with the assembly (AVX-512 where the CPU has it, AVX2)
// as with the portable Go code alone.
func TestGLMPassPureGo(t *testing.T) {
	for _, c := range glmCases() {
		for _, rows := range []int{7, 1025, 2600} {
			for _, cols := range []int{3, 25} {
				got, _ := runGLM(c, rand.New(rand.NewPCG(uint64(rows), uint64(cols))), rows, cols)
				a2, a512 := useAVX2, useAVX512
				useAVX2, useAVX512 = false, false
				goOut, _ := runGLM(c, rand.New(rand.NewPCG(uint64(rows), uint64(cols))), rows, cols)
				useAVX2, useAVX512 = a2, a512
				compareGLM(t, fmt.Sprintf("%s asm against Go %dx%d", c.name, rows, cols), got, goOut)
			}
		}
	}
}
