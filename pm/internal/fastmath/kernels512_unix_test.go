//go:build amd64 && !purego && unix

package fastmath

import (
	"math/rand/v2"
	"syscall"
	"testing"
	"unsafe"
)

// TestMat512PageEnd runs the AVX-512 matrix kernels on matrices that end
// where an inaccessible page begins: a masked load reaching past the last
// element would crash the test.
func TestMat512PageEnd(t *testing.T) {
	if !cpuHasAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 3*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	defer syscall.Munmap(mem)
	if err := syscall.Mprotect(mem[2*page:], syscall.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	all := unsafe.Slice((*float64)(unsafe.Pointer(&mem[0])), 2*page/8)
	rng := rand.New(rand.NewPCG(47, 48))
	for _, rows := range []int{8, 9, 16, 23} {
		for cols := 1; cols <= maxVecCols; cols++ {
			a := all[len(all)-rows*cols:]
			copy(a, randSlice(rng, rows*cols))
			x, r := randSlice(rng, cols), randSlice(rng, rows)
			got, want := make([]float64, rows), make([]float64, rows)
			matVec(got, a, rows, cols, x, nil)
			matVecGo(want, a, rows, cols, x, nil)
			if i := sameBits(got, want); i >= 0 {
				t.Fatalf("%dx%d at a page end: MatVec row %d = %v, Go %v", rows, cols, i, got[i], want[i])
			}
			gotT, wantT := make([]float64, cols), make([]float64, cols)
			matTVecAcc(gotT, a, rows, cols, r)
			matTVecGo(wantT, a, rows, cols, r)
			if j := sameBits(gotT, wantT); j >= 0 {
				t.Fatalf("%dx%d at a page end: MatTVec col %d = %v, Go %v", rows, cols, j, gotT[j], wantT[j])
			}
		}
	}
}
