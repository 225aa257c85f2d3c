//go:build !unix

package fastmath

// cpuTime is not measured here; benchLoop then reports wall time only.
func cpuTime() int64 { return 0 }
