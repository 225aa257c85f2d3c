//go:build !unix

package tensor_test

// processCPU is unknown here: the benchmarks report wall time only.
func processCPU() int64 { return 0 }
