package diag

import "math"

// EBFMI returns the estimated Bayesian fraction of missing information of
// one chain's Hamiltonian energies (Betancourt 2016, "Diagnosing suboptimal
// cotangent disintegrations in Hamiltonian Monte Carlo", arXiv:1604.00695):
//
//	E-BFMI = Σₙ (Eₙ − Eₙ₋₁)² / (N−1)  ÷  Σₙ (Eₙ − Ē)² / N
//
// as ArviZ's bfmi computes it (mean squared step over the population
// variance). Values below 0.3 mean the momentum resampling explores the
// energy distribution poorly, often because of heavy tails. Call it once
// per chain: the energies of different chains must not be concatenated.
//
// NaN with fewer than two energies, a non-finite energy, or constant energy.
func EBFMI(energy []float64) float64 {
	n := len(energy)
	if n < 2 || !allFinite(energy) {
		return math.NaN()
	}
	var num float64
	for i := 1; i < n; i++ {
		d := energy[i] - energy[i-1]
		num += d * d
	}
	num /= float64(n - 1)
	_, v := meanVar(energy)
	den := v * float64(n-1) / float64(n)
	if den == 0 {
		return math.NaN()
	}
	return num / den
}
