package plots

import (
	"fmt"
	"math"
	"math/cmplx"
	"sort"

	"gonum.org/v1/gonum/dsp/fourier"
)

// Density is a kernel density estimate evaluated on an evenly spaced grid.
type Density struct {
	X, Y []float64
	// Bandwidth is the standard deviation of the Gaussian kernel.
	Bandwidth float64
	// Method says how the bandwidth was chosen: "isj" or "silverman" (the
	// fallback when the ISJ fixed-point equation has no root).
	Method string
}

// kdeGridLen is the number of points a density is evaluated at; 512 is
// ArviZ's grid_len and smooth at any figure size used here.
const kdeGridLen = 512

// isjBins is the histogram resolution of the ISJ bandwidth search. Botev et
// al. (2010) use 2^14; 2^12 keeps the bandwidth stable for heavy-tailed
// posteriors (where the bulk is a small part of the range) at a fraction of
// the cost.
const isjBins = 1 << 12

// KDE estimates the density of x with a Gaussian kernel whose bandwidth comes
// from the improved Sheather-Jones rule (Botev, Grotowski and Kroese 2010,
// "Kernel density estimation via diffusion", Ann. Statist. 38(5)), falling
// back to Silverman's rule when ISJ fails. lower and upper are reflecting
// boundaries: no mass is placed outside them (pass -Inf/+Inf for none). The
// figures pass the data's own minimum and maximum, as ArviZ does with
// bound_correction, so a positive variable never shows density below zero.
// NaN values are ignored.
func KDE(x []float64, lower, upper float64) (Density, error) {
	x = finite(x)
	if len(x) < 2 {
		return Density{}, fmt.Errorf("plots: KDE needs at least 2 finite values, got %d", len(x))
	}
	lo, hi := minMax(x)
	if lo < lower || hi > upper {
		return Density{}, fmt.Errorf("plots: KDE data range [%g, %g] lies outside the bounds [%g, %g]", lo, hi, lower, upper)
	}
	if hi == lo {
		return Density{}, fmt.Errorf("plots: KDE of a constant (%g) is undefined", lo)
	}
	h, method := BandwidthISJ(x)
	if !(h > 0) {
		h, method = BandwidthSilverman(x), "silverman"
	}
	return kdeWith(x, lower, upper, h, method), nil
}

// KDEBandwidth is KDE with a bandwidth chosen by the caller (h > 0).
func KDEBandwidth(x []float64, lower, upper, h float64) (Density, error) {
	x = finite(x)
	if len(x) < 1 {
		return Density{}, fmt.Errorf("plots: KDE needs at least one finite value")
	}
	if !(h > 0) || math.IsInf(h, 0) {
		return Density{}, fmt.Errorf("plots: KDE bandwidth %g is not a positive number", h)
	}
	lo, hi := minMax(x)
	if lo < lower || hi > upper || !(upper > lower) {
		return Density{}, fmt.Errorf("plots: KDE data range [%g, %g] lies outside the bounds [%g, %g]", lo, hi, lower, upper)
	}
	return kdeWith(x, lower, upper, h, "given"), nil
}

// kdeWith evaluates the reflected Gaussian KDE on the grid; x is finite and
// inside [lower, upper].
func kdeWith(x []float64, lower, upper, h float64, method string) Density {
	lo, hi := minMax(x)
	a, b := lo-4*h, hi+4*h
	if !math.IsInf(lower, -1) {
		a = lower
	}
	if !math.IsInf(upper, 1) {
		b = upper
	}
	d := Density{X: make([]float64, kdeGridLen), Y: make([]float64, kdeGridLen), Bandwidth: h, Method: method}
	m := kdeGridLen
	delta := (b - a) / float64(m-1)
	for i := range d.X {
		d.X[i] = a + float64(i)*delta
	}
	// Linear binning: each point's unit mass is split between its two grid
	// neighbours, which keeps the first moment and costs O(n) instead of the
	// O(n*m) of evaluating the kernel at every point.
	w := make([]float64, m)
	for _, v := range x {
		u := (v - a) / delta
		j := int(u)
		if j >= m-1 {
			w[m-1]++
			continue
		}
		f := u - float64(j)
		w[j] += 1 - f
		w[j+1] += f
	}
	// Kernel weights up to 5 bandwidths; beyond that the Gaussian is < 4e-6.
	J := int(math.Ceil(5 * h / delta))
	if J > 3*m {
		J = 3 * m
	}
	kern := make([]float64, J+1)
	ksum := 0.0
	for j := range kern {
		z := float64(j) * delta / h
		kern[j] = math.Exp(-0.5 * z * z)
		ksum += kern[j]
		if j > 0 {
			ksum += kern[j]
		}
	}
	// Normalise the discrete kernel to unit mass on the grid rather than
	// using 1/(h sqrt(2 pi)): the two agree when h spans many grid steps, and
	// the discrete sum stays right when it does not.
	norm := 1 / (float64(len(x)) * ksum * delta)
	for j := range kern {
		kern[j] *= norm
	}
	k := func(off int) float64 {
		if off < 0 {
			off = -off
		}
		if off > J {
			return 0
		}
		return kern[off]
	}
	reflLo := !math.IsInf(lower, -1)
	reflHi := !math.IsInf(upper, 1)
	for j, wj := range w {
		if wj == 0 {
			continue
		}
		iMin, iMax := max(j-J, 0), min(j+J, m-1)
		for i := iMin; i <= iMax; i++ {
			d.Y[i] += wj * kern[abs(i-j)]
		}
		// Reflection: the mirror image of grid point j about a boundary
		// returns the mass the kernel would put outside it.
		if reflLo && j <= J {
			for i := 0; i <= min(J-j, m-1); i++ {
				d.Y[i] += wj * k(i+j)
			}
		}
		if reflHi && (m-1-j) <= J {
			mirror := 2*(m-1) - j
			for i := max(mirror-J, 0); i < m; i++ {
				d.Y[i] += wj * k(mirror-i)
			}
		}
	}
	return d
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// BandwidthSilverman is Silverman's rule of thumb, 0.9 min(sd, IQR/1.349)
// n^(-1/5) (Silverman 1986, eq. 3.31); it is near-optimal for unimodal data.
func BandwidthSilverman(x []float64) float64 {
	x = finite(x)
	n := float64(len(x))
	if n < 2 {
		return math.NaN()
	}
	var mean, m2 float64
	for i, v := range x {
		d := v - mean
		mean += d / float64(i+1)
		m2 += d * (v - mean)
	}
	sd := math.Sqrt(m2 / (n - 1))
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	iqr := sortedQuantile(s, 0.75) - sortedQuantile(s, 0.25)
	spread := sd
	if iqr > 0 && iqr/1.349 < sd {
		spread = iqr / 1.349
	}
	return 0.9 * spread * math.Pow(n, -0.2)
}

// sortedQuantile is the linear-interpolation quantile (R type 7) of sorted s.
func sortedQuantile(s []float64, p float64) float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	h := p * float64(len(s)-1)
	i := int(math.Floor(h))
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[i] + (h-float64(i))*(s[i+1]-s[i])
}

// BandwidthISJ returns the improved Sheather-Jones bandwidth of Botev,
// Grotowski and Kroese (2010), section 5: the data are binned, the squared
// cosine-transform coefficients a_k^2 of the binned density give the
// functionals ||f^(j)||^2 of a Gaussian diffusion at time t, and the optimal
// t* solves t = xi(t) with l = 7 stages. The bandwidth is sqrt(t*) times the
// binning range. It returns method "isj", or (0, "silverman") when the
// fixed-point equation has no root in (0, 0.1], which happens for nearly
// discrete or tiny samples; the caller then uses Silverman's rule.
func BandwidthISJ(x []float64) (float64, string) {
	x = finite(x)
	n := len(x)
	if n < 2 {
		return 0, "silverman"
	}
	lo, hi := minMax(x)
	r := hi - lo
	if r == 0 {
		return 0, "silverman"
	}
	// The binning range is padded so the density is near zero at its ends,
	// as the cosine expansion (reflecting boundaries) assumes.
	a := lo - r/10
	R := 1.2 * r
	counts := make([]float64, isjBins)
	for _, v := range x {
		j := int((v - a) / R * isjBins)
		if j >= isjBins {
			j = isjBins - 1
		}
		counts[j] += 1 / float64(n)
	}
	c := dct2(counts)
	// ksq[k] = k^2 and a2[k] = c_k^2 for k >= 1.
	ksq := make([]float64, isjBins)
	a2 := make([]float64, isjBins)
	for k := 1; k < isjBins; k++ {
		ksq[k] = float64(k) * float64(k)
		a2[k] = c[k] * c[k]
	}
	// pw[s][k] = k^(2s), the weights of the s-th derivative functional.
	var pw [8][]float64
	for st := 2; st <= 7; st++ {
		pw[st] = make([]float64, isjBins)
		for k := 1; k < isjBins; k++ {
			v := 1.0
			for range st {
				v *= ksq[k]
			}
			pw[st][k] = v
		}
	}
	g := func(t float64) float64 { return t - isjXi(t, float64(n), ksq, a2, &pw) }
	// g(0+) < 0 always. Roots below t0 mean a bandwidth under two bins, an
	// artefact of binning (nearly discrete data), so they are rejected.
	// The root is bracketed by halving or doubling from Silverman's
	// bandwidth, usually within a step or two of it, up to Botev's upper
	// limit t = 0.1.
	t0 := math.Pow(2.0/isjBins, 2)
	ts := math.Pow(BandwidthSilverman(x)/R, 2)
	if !(ts > t0) || ts > 0.1 {
		ts = math.Sqrt(t0 * 0.1)
	}
	tl, th := ts, ts
	gl, gh := g(ts), g(ts)
	if math.IsNaN(gl) {
		return 0, "silverman"
	}
	for gh <= 0 {
		tl, gl = th, gh
		th *= 2
		if th > 0.1 {
			return 0, "silverman"
		}
		if gh = g(th); math.IsNaN(gh) {
			return 0, "silverman"
		}
	}
	for gl > 0 {
		th, gh = tl, gl
		tl /= 2
		if tl < t0 {
			return 0, "silverman"
		}
		if gl = g(tl); math.IsNaN(gl) {
			return 0, "silverman"
		}
	}
	// Illinois regula falsi: superlinear, and it never leaves the bracket.
	side := 0
	for range 100 {
		t := (tl*gh - th*gl) / (gh - gl)
		gt := g(t)
		if math.IsNaN(gt) {
			return 0, "silverman"
		}
		if gt > 0 {
			th, gh = t, gt
			if side == 1 {
				gl /= 2
			}
			side = 1
		} else {
			tl, gl = t, gt
			if side == -1 {
				gh /= 2
			}
			side = -1
		}
		if th-tl < 1e-6*th || gt == 0 {
			break
		}
	}
	return math.Sqrt(0.5*(tl+th)) * R, "isj"
}

// isjXi is Botev et al.'s xi(t) = (2 N sqrt(pi) ||f^(l)||^2)^(-2/5) computed by
// the l-stage plug-in recursion (their equations (29) and (30)) with l = 7.
func isjXi(t, N float64, ksq, a2 []float64, pw *[8][]float64) float64 {
	const l = 7
	f := normDeriv(l, t, ksq, a2, pw[l])
	for s := l - 1; s >= 2; s-- {
		// K0 = (1*3*5*...*(2s-1)) / sqrt(2 pi), the Gaussian's (2s)-th
		// derivative at zero up to sign.
		k0 := 1.0
		for j := 1; j <= 2*s-1; j += 2 {
			k0 *= float64(j)
		}
		k0 /= math.Sqrt(2 * math.Pi)
		cst := (1 + math.Pow(0.5, float64(s)+0.5)) / 3
		ts := math.Pow(2*cst*k0/(N*f), 2/(3+2*float64(s)))
		f = normDeriv(s, ts, ksq, a2, pw[s])
	}
	return math.Pow(2*N*math.Sqrt(math.Pi)*f, -0.4)
}

// normDeriv estimates ||f^(s)||^2 at diffusion time t from the cosine
// coefficients: 2 pi^(2s) sum_k k^(2s) (a_k/2)^2 exp(-k^2 pi^2 t), where our
// a_k/2 is c_k. Terms vanish once exp underflows, so the sum stops there.
func normDeriv(s int, t float64, ksq, a2, pw []float64) float64 {
	pi2t := math.Pi * math.Pi * t
	sum := 0.0
	for k := 1; k < len(ksq); k++ {
		e := ksq[k] * pi2t
		if e > 740 {
			break
		}
		sum += pw[k] * a2[k] * math.Exp(-e)
	}
	return 2 * math.Pow(math.Pi, 2*float64(s)) * sum
}

// dct2 returns c_k = sum_j x_j cos(pi k (j + 1/2) / n), the DCT-II, through one
// complex FFT of the even-odd reordered sequence (Makhoul 1980).
func dct2(x []float64) []float64 {
	n := len(x)
	v := make([]complex128, n)
	for j := 0; j < (n+1)/2; j++ {
		v[j] = complex(x[2*j], 0)
	}
	for j := 0; j < n/2; j++ {
		v[n-1-j] = complex(x[2*j+1], 0)
	}
	V := fourier.NewCmplxFFT(n).Coefficients(nil, v)
	out := make([]float64, n)
	for k := range out {
		out[k] = real(cmplx.Exp(complex(0, -math.Pi*float64(k)/(2*float64(n)))) * V[k])
	}
	return out
}

// histogram counts x into nb equal bins over [lo, hi]; the last bin is closed.
func histogram(x []float64, lo, hi float64, nb int) []float64 {
	c := make([]float64, nb)
	w := (hi - lo) / float64(nb)
	for _, v := range x {
		if v < lo || v > hi || math.IsNaN(v) {
			continue
		}
		j := int((v - lo) / w)
		if j >= nb {
			j = nb - 1
		}
		c[j]++
	}
	return c
}
