// Package benchutil helps gopm's benchmarks report figures that survive a busy machine: besides
// wall time, the process CPU time per operation (cpu-ns/op), which does not count time spent
// waiting for a core that other work holds.
package benchutil

import (
	"syscall"
	"testing"
)

// CPUTime is the process's user plus system CPU time in nanoseconds.
func CPUTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// Loop runs f b.N times (with b.Loop), reports allocations, and adds the cpu-ns/op metric.
func Loop(b *testing.B, f func()) {
	b.ReportAllocs()
	c0 := CPUTime()
	n := 0
	for b.Loop() {
		f()
		n++
	}
	if c := CPUTime() - c0; c > 0 && n > 0 {
		b.ReportMetric(float64(c)/float64(n), "cpu-ns/op")
	}
}
