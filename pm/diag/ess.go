package diag

import (
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
)

// ESSBulk returns the bulk effective sample size of chains[c][d]: the
// split-chain ESS of the rank-normalized draws (Vehtari, Gelman, Simpson,
// Carpenter and Bürkner 2021, "Rank-normalization, folding, and
// localization", Bayesian Analysis 16(2)).
//
// Ranks are pooled over all draws with ties averaged and mapped to normal
// scores with Blom's offset, z = Φ⁻¹((r−3/8)/(S+1/4)), as the R package
// posterior and ArviZ do. rstan 2.21 uses (r−1/2)/S instead; ESSBulkOffset
// with RStanOffset reproduces it.
//
// The result is NaN when the draws cannot be diagnosed: no chains, chains of
// different lengths (see Check), fewer than 3 draws per split half, any NaN or
// ±Inf draw, or draws that are all equal.
func ESSBulk(chains [][]float64) float64 {
	return ESSBulkOffset(chains, BlomOffset)
}

// BlomOffset is the rank offset c = 3/8 of Blom's normal scores
// Φ⁻¹((r−c)/(S−2c+1)), used by the R package posterior and by ArviZ.
const BlomOffset = 3.0 / 8

// RStanOffset is the rank offset c = 1/2 of rstan 2.21's z_scale,
// Φ⁻¹((r−1/2)/S).
const RStanOffset = 0.5

// ESSBulkOffset is ESSBulk with the rank offset c of the normal scores
// Φ⁻¹((r−c)/(S−2c+1)) chosen by the caller: BlomOffset (the default of
// ESSBulk) or RStanOffset.
func ESSBulkOffset(chains [][]float64, c float64) float64 {
	return newVariable(chains).essBulk(c)
}

// ESSTail returns the tail effective sample size of chains[c][d]: the
// smaller of the split-chain ESS of the indicators I(x ≤ q05) and
// I(x ≤ q95), where q05 and q95 are type-7 quantiles of all pooled draws
// (Vehtari et al. 2021). The indicators are not rank-normalized, so rstan
// and posterior agree on this value. NaN in the same cases as ESSBulk.
func ESSTail(chains [][]float64) float64 {
	return newVariable(chains).essTail()
}

// ESSQuantile returns the split-chain ESS of the indicator I(x ≤ q), with q
// the type-7 quantile of all pooled draws at probability p: the ESS that
// governs the Monte Carlo error of that quantile (Vehtari et al. 2021).
// NaN for p outside [0, 1] and in the cases listed at ESSBulk.
func ESSQuantile(chains [][]float64, p float64) float64 {
	return newVariable(chains).essQuantile(p)
}

// ESSMean returns the split-chain ESS of the raw draws, without rank
// normalization (posterior's ess_basic and ess_mean). It is the ESS that
// sets the Monte Carlo error of the posterior mean, and it is only
// meaningful when the mean and variance exist. NaN in the cases listed at
// ESSBulk.
func ESSMean(chains [][]float64) float64 {
	return newVariable(chains).essMean()
}

// MCSEMean returns the Monte Carlo standard error of the posterior mean,
// sd/√ESSMean, with sd the sample standard deviation (n−1) of all pooled
// draws (posterior's mcse_mean).
func MCSEMean(chains [][]float64) float64 {
	return newVariable(chains).mcseMean()
}

// MCSESD returns the Monte Carlo standard error of the posterior standard
// deviation, by the method of the R package posterior (mcse_sd): the
// variance of the variance estimate without assuming normality, Kenney and
// Keeping (1951, p. 141), (E[(x−x̄)⁴] − E[(x−x̄)²]²)/ESS, with ESS the
// split-chain ESS of (x−x̄)², carried to the sd by a first-order Taylor
// expansion, Var(sd) ≈ Var(var)/(4·E[(x−x̄)²]).
//
// Recent ArviZ releases use a different approximation based on the chi
// distribution, so its mcse_sd can differ in the second significant digit.
func MCSESD(chains [][]float64) float64 {
	return newVariable(chains).mcseSD()
}

// essSplit is the ESS estimator shared by all the ESS variants, applied to
// chains that are already split (and rank-normalized where wanted). It
// follows Stan's ess estimator (Geyer 1992's initial positive and initial
// monotone sequences on the combined autocorrelation of Vehtari et al. 2021,
// eq. 10), step for step as rstan 2.21's ess_rfun and posterior 1.4.0's
// .ess do it, so that results agree with theirs to rounding.
//
// The caller guarantees m ≥ 1 chains of equal length, all finite and not
// all equal.
func essSplit(x [][]float64) float64 {
	m := len(x)
	n := len(x[0])
	if n < 3 {
		return math.NaN()
	}
	acov := meanAutocov(x)
	chainMeans := make([]float64, m)
	for c, ch := range x {
		chainMeans[c] = mean(ch)
	}
	return geyerESS(n, chainMeans, func(t int) float64 { return acov[t] }, make([]float64, n))
}

// geyerESS is the ESS of m chains of n draws from their mean autocovariance at lag t, acov(t)
// (lags are asked in increasing order, and only as far as the initial positive sequence
// reaches), and their means; rho is scratch of length n.
func geyerESS(n int, chainMeans []float64, acov func(t int) float64, rho []float64) float64 {
	m := len(chainMeans)
	nf := float64(n)
	meanV := acov(0) * nf / (nf - 1)
	varPlus := meanV * (nf - 1) / nf
	if m > 1 {
		_, vb := meanVar(chainMeans)
		varPlus += vb
	}
	rho[0] = 1
	rhoEven := 1.0
	rhoOdd := 1 - (meanV-acov(1))/varPlus
	rho[1] = rhoOdd
	// Initial positive sequence: stop at the first pair whose sum is not
	// positive. The pair that stops the loop is not stored.
	t := 0
	for t < n-5 && !math.IsNaN(rhoEven+rhoOdd) && rhoEven+rhoOdd > 0 {
		t += 2
		rhoEven = 1 - (meanV-acov(t))/varPlus
		rhoOdd = 1 - (meanV-acov(t+1))/varPlus
		if rhoEven+rhoOdd >= 0 {
			rho[t] = rhoEven
			rho[t+1] = rhoOdd
		} else {
			rho[t], rho[t+1] = 0, 0 // rho may be reused scratch
		}
	}
	maxT := t
	// The last positive even lag enters the improved estimate of
	// Vehtari et al. (2021), which lowers the variance for antithetic chains.
	if rhoEven > 0 {
		rho[maxT] = rhoEven
	}
	// Initial monotone sequence: pair sums may not increase.
	t = 0
	for t <= maxT-4 {
		t += 2
		if rho[t]+rho[t+1] > rho[t-2]+rho[t-1] {
			rho[t] = (rho[t-2] + rho[t-1]) / 2
			rho[t+1] = rho[t]
		}
	}
	var sum float64
	if maxT == 0 {
		// R's rho_hat_t[1:max_t] is rho_hat_t[c(1, 0)] when max_t is 0,
		// which selects the first element; keep that result.
		sum = rho[0]
	}
	for i := 0; i < maxT; i++ {
		sum += rho[i]
	}
	total := float64(m * n)
	tau := -1 + 2*sum + rho[maxT]
	// Lower bound from Vehtari et al. (2021): ESS ≤ S·log10(S).
	if tau < 1/math.Log10(total) {
		tau = 1 / math.Log10(total)
	}
	return total / tau
}

// meanAutocov returns, for lags t = 0 … n−1, the mean over chains of the
// biased autocovariance (1/n)·Σ (x_i − x̄)(x_{i+t} − x̄) of each chain,
// computed by FFT with zero padding to at least 2n, so the circular
// correlation equals the linear one. rstan and posterior pad to
// 2·next_good_size(n) but scale by 2n², which is exact only when n is a
// 2^a·3^b·5^c number; this scaling is exact for every n.
func meanAutocov(x [][]float64) []float64 {
	n := len(x[0])
	size := nextGoodSize(2 * n)
	fft := fourier.NewFFT(size)
	buf := make([]float64, size)
	coef := make([]complex128, size/2+1)
	// The inverse transform is linear, so the power spectra of all chains
	// are summed first and transformed back once.
	power := make([]complex128, size/2+1)
	for _, ch := range x {
		mu := mean(ch)
		for i, v := range ch {
			buf[i] = v - mu
		}
		clear(buf[n:])
		fft.Coefficients(coef, buf)
		for i, z := range coef {
			power[i] += complex(real(z)*real(z)+imag(z)*imag(z), 0)
		}
	}
	out := fft.Sequence(buf, power)
	acov := make([]float64, n)
	scale := 1 / (float64(size) * float64(n) * float64(len(x)))
	for t := range acov {
		acov[t] = out[t] * scale
	}
	return acov
}

// nextGoodSize returns the smallest 2^a·3^b·5^c ≥ n, lengths the FFTPACK
// routines behind gonum's fourier package transform fastest.
func nextGoodSize(n int) int {
	if n <= 2 {
		return 2
	}
	for {
		m := n
		for _, f := range [...]int{2, 3, 5} {
			for m%f == 0 {
				m /= f
			}
		}
		if m == 1 {
			return n
		}
		n++
	}
}
