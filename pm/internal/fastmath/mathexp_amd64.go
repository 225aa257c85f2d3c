//go:build amd64 && !purego

package fastmath

import "golang.org/x/sys/cpu"

// useMathAVX2 selects mathExpAVX2 and mathLogAVX2. math.Exp takes its FMA path where the CPU
// has AVX and FMA; mathExpAVX2 replicates that path, so it runs only where math.Exp takes it.
var useMathAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// mathExpAVX2 sets dst[i] = math.Exp(x[i]) four at a time and returns how many it set: it
// stops before a group holding an argument outside [-708, 709] or a NaN.
//
//go:noescape
func mathExpAVX2(dst, x *float64, n int) (done int)

// mathLogAVX2 sets dst[i] = math.Log(x[i]) four at a time and returns how many it set: it
// stops before a group holding an argument that is not a normal positive finite number.
//
//go:noescape
func mathLogAVX2(dst, x *float64, n int) (done int)
