//go:build unix

package tensor_test

import "syscall"

// processCPU returns the user+system CPU time of the process in nanoseconds (0 if unknown):
// the GLM benchmarks report it beside wall time, which a shared machine inflates.
func processCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
