package tensor_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gopm-dev/gopm/pm/backend"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// Three everyday loop models, each written twice: with tensor.Scan as a user would, and as a
// hand-written Go loop with a hand-written gradient. The benchmarks compare the two per
// log-density + gradient; the tests check that they agree.

const log2Pi = 1.8378770664093454835606594728112

// normalLp is log N(x | m, s) and its derivative in x.
func normalLp(x, m, s float64) (lp, dx float64) {
	z := (x - m) / s
	return -0.5*z*z - math.Log(s) - 0.5*log2Pi, -z / s
}

func sigm(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// --- ARMA(1,1): err_0 = y_0 − (μ + φμ), err_t = y_t − (μ + φ y_{t−1} + θ err_{t−1}), err ~ N(0, σ).
// Parameters μ, φ, θ, log σ with Normal priors.

func armaData(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 7))
	y := make([]float64, n)
	e0, y0 := 0.0, 0.0
	for t := range y {
		e := 0.8 * r.NormFloat64()
		y[t] = 0.5 + 0.6*y0 + 0.3*e0 + e
		y0, e0 = y[t], e
	}
	return y
}

// armaScan builds the log-density with Scan; the parameters are scalars.
func armaScan(y []float64, p []*tensor.Tensor) *tensor.Tensor {
	mu, phi, theta, lsig := p[0], p[1], p[2], p[3]
	sigma := tensor.Exp(lsig)
	n := len(y)
	err0 := tensor.Sub(y[0], tensor.Add(mu, tensor.Mul(phi, mu)))
	lp := tensor.NormalLogp(err0, 0.0, sigma)
	if n > 1 {
		errs := tensor.Scan(func(a []*tensor.Tensor) []*tensor.Tensor {
			yt, yp, ep := a[0], a[1], a[2]
			nu := tensor.Add(tensor.Add(mu, tensor.Mul(phi, yp)), tensor.Mul(theta, ep))
			return []*tensor.Tensor{tensor.Sub(yt, nu)}
		}, tensor.ScanArgs{Sequences: []*tensor.Tensor{tensor.Const(y[1:]), tensor.Const(y[:n-1])}, OutputsInfo: []*tensor.Tensor{err0}})[0]
		lp = tensor.Add(lp, tensor.Sum(tensor.NormalLogp(errs, 0.0, sigma)))
	}
	return tensor.Add(lp, priors(p, []float64{10, 2, 2, 1}))
}

// priors is Σ log N(p_i | 0, s_i).
func priors(p []*tensor.Tensor, s []float64) *tensor.Tensor {
	var lp *tensor.Tensor
	for i, x := range p {
		t := tensor.NormalLogp(x, 0.0, s[i])
		if lp == nil {
			lp = t
		} else {
			lp = tensor.Add(lp, t)
		}
	}
	return lp
}

// handPriors adds Σ log N(p_i | 0, s_i) and its gradient.
func handPriors(p, s, grad []float64) float64 {
	lp := 0.0
	for i, x := range p {
		v, d := normalLp(x, 0, s[i])
		lp += v
		grad[i] += d
	}
	return lp
}

// armaHand is the ARMA(1,1) log-density with its gradient by forward-mode tangents, written
// out by hand.
func armaHand(y, p, grad []float64) float64 {
	mu, phi, theta, sigma := p[0], p[1], p[2], math.Exp(p[3])
	err := y[0] - (mu + phi*mu)
	dmu, dphi, dth := -(1 + phi), -mu, 0.0
	ss := err * err
	gmu, gphi, gth := err*dmu, err*dphi, 0.0
	for t := 1; t < len(y); t++ {
		dmu = -1 - theta*dmu
		dphi = -y[t-1] - theta*dphi
		dth = -err - theta*dth
		err = y[t] - (mu + phi*y[t-1] + theta*err)
		ss += err * err
		gmu += err * dmu
		gphi += err * dphi
		gth += err * dth
	}
	s2 := sigma * sigma
	n := float64(len(y))
	grad[0], grad[1], grad[2], grad[3] = -gmu/s2, -gphi/s2, -gth/s2, ss/s2-n
	lp := -0.5*ss/s2 - n*(p[3]+0.5*log2Pi)
	return lp + handPriors(p, []float64{10, 2, 2, 1}, grad)
}

// --- GARCH(1,1): y_t ~ N(μ, σ_t), σ²_t = α0 + α1 (y_{t−1} − μ)² + β1 σ²_{t−1}, σ_0 given.
// α0 = exp(a), α1 = logistic(b), β1 = (1 − α1) logistic(c); Normal(0, 1) priors on μ, a, b, c.

const garchSigma1 = 0.7

func garchData(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 11))
	y := make([]float64, n)
	s2, yp := garchSigma1*garchSigma1, 0.1
	for t := range y {
		if t > 0 {
			s2 = 0.2 + 0.3*(yp-0.1)*(yp-0.1) + 0.5*s2
		}
		y[t] = 0.1 + math.Sqrt(s2)*r.NormFloat64()
		yp = y[t]
	}
	return y
}

func garchScan(y []float64, p []*tensor.Tensor) *tensor.Tensor {
	mu := p[0]
	a0 := tensor.Exp(p[1])
	a1 := tensor.Sigmoid(p[2])
	b1 := tensor.Mul(tensor.Sub(1.0, a1), tensor.Sigmoid(p[3]))
	n := len(y)
	lp := tensor.NormalLogp(y[0], mu, garchSigma1)
	if n > 1 {
		s2 := tensor.Scan(func(a []*tensor.Tensor) []*tensor.Tensor {
			yp, sp := a[0], a[1]
			return []*tensor.Tensor{tensor.Add(tensor.Add(a0, tensor.Mul(a1, tensor.Square(tensor.Sub(yp, mu)))), tensor.Mul(b1, sp))}
		}, tensor.ScanArgs{Sequences: []*tensor.Tensor{tensor.Const(y[:n-1])}, OutputsInfo: []*tensor.Tensor{tensor.Const(garchSigma1 * garchSigma1)}})[0]
		lp = tensor.Add(lp, tensor.Sum(tensor.NormalLogp(y[1:], mu, tensor.Sqrt(s2))))
	}
	return tensor.Add(lp, priors(p, []float64{1, 1, 1, 1}))
}

// garchHand computes the variances forward, then the adjoints backward; buf holds len(y) floats.
func garchHand(y, p, grad, buf []float64) float64 {
	mu := p[0]
	a0 := math.Exp(p[1])
	a1 := sigm(p[2])
	sc := sigm(p[3])
	b1 := (1 - a1) * sc
	n := len(y)
	lp, dmu := normalLp(y[0], mu, garchSigma1)
	gmu := -dmu
	s2 := garchSigma1 * garchSigma1
	buf[0] = s2
	for t := 1; t < n; t++ {
		d := y[t-1] - mu
		s2 = a0 + a1*d*d + b1*s2
		buf[t] = s2
		r := y[t] - mu
		lp += -0.5*r*r/s2 - 0.5*math.Log(s2) - 0.5*log2Pi
		gmu += r / s2
	}
	var ga0, ga1, gb1, lam float64
	for t := n - 1; t >= 1; t-- {
		r := y[t] - mu
		s2 := buf[t]
		lam = 0.5*(r*r/s2-1)/s2 + b1*lam
		d := y[t-1] - mu
		ga0 += lam
		ga1 += lam * d * d
		gb1 += lam * buf[t-1]
		gmu -= 2 * lam * a1 * d
	}
	da1 := a1 * (1 - a1)
	grad[0] = gmu
	grad[1] = ga0 * a0
	grad[2] = ga1*da1 - gb1*sc*da1
	grad[3] = gb1 * (1 - a1) * sc * (1 - sc)
	return lp + handPriors(p, []float64{1, 1, 1, 1}, grad)
}

// --- A two-state HMM with Normal emissions, forward algorithm on the log scale:
// α_0 = log ½ + log N(y_0 | μ, σ), α_t[k] = logsumexp_j(α_{t−1}[j] + log A[j,k]) + log N(y_t | μ_k, σ),
// log p(y) = logsumexp(α_{T−1}). A's rows are (p, 1−p) and (1−q, q) with p = logistic(a),
// q = logistic(b). Parameters μ_1, μ_2, log σ, a, b.

func hmmData(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 13))
	y := make([]float64, n)
	s := 0
	for t := range y {
		if r.Float64() < 0.1 {
			s = 1 - s
		}
		y[t] = []float64{-1, 1.5}[s] + 0.8*r.NormFloat64()
	}
	return y
}

func hmmScan(y []float64, p []*tensor.Tensor) *tensor.Tensor {
	mus := tensor.Stack(0, p[0], p[1])
	sigma := tensor.Exp(p[2])
	la, lb := tensor.LogSigmoid(p[3]), tensor.LogSigmoid(p[4])
	na, nb := tensor.LogSigmoid(tensor.Neg(p[3])), tensor.LogSigmoid(tensor.Neg(p[4]))
	logA := tensor.Stack(0, tensor.Stack(0, la, na), tensor.Stack(0, nb, lb))
	alpha0 := tensor.Add(math.Log(0.5), tensor.NormalLogp(y[0], mus, sigma))
	last := alpha0
	if len(y) > 1 {
		alphas := tensor.Scan(func(a []*tensor.Tensor) []*tensor.Tensor {
			yt, ap := a[0], a[1]
			pred := tensor.LogSumExp(tensor.Add(tensor.ExpandDims(ap, 1), logA), 0)
			return []*tensor.Tensor{tensor.Add(pred, tensor.NormalLogp(yt, mus, sigma))}
		}, tensor.ScanArgs{Sequences: []*tensor.Tensor{tensor.Const(y[1:])}, OutputsInfo: []*tensor.Tensor{alpha0}})[0]
		last = tensor.At(alphas, -1)
	}
	return tensor.Add(tensor.LogSumExp(last), priors(p, []float64{5, 5, 1, 1.5, 1.5}))
}

// hmmHand stores the forward variables and the predictive weights, then runs the adjoints
// backward; buf holds 6·len(y) floats. It is written as carefully as a user would: log σ and
// 1/σ once, and each two-term log-sum-exp as max + log1p(e^(−|u0−u1|)), one exponential and
// one logarithm, its weights from the same exponential.
func hmmHand(y, p, grad, buf []float64) float64 {
	n := len(y)
	mu := [2]float64{p[0], p[1]}
	sigma := math.Exp(p[2])
	inv := 1 / sigma
	lc := -p[2] - 0.5*log2Pi // log N's constant: −log σ − ½ log 2π
	pa, pb := sigm(p[3]), sigm(p[4])
	logA := [2][2]float64{{math.Log(pa), math.Log1p(-pa)}, {math.Log1p(-pb), math.Log(pb)}}
	alpha := buf[:2*n]
	w := buf[2*n : 6*n] // w[4t + 2j + k]: weight of j in the log-sum-exp for state k at step t
	for k := 0; k < 2; k++ {
		z := (y[0] - mu[k]) * inv
		alpha[k] = math.Log(0.5) - 0.5*z*z + lc
	}
	for t := 1; t < n; t++ {
		a0, a1 := alpha[2*(t-1)], alpha[2*(t-1)+1]
		for k := 0; k < 2; k++ {
			u0 := a0 + logA[0][k]
			u1 := a1 + logA[1][k]
			m, e := u0, math.Exp(u1-u0)
			if u1 > u0 {
				m, e = u1, math.Exp(u0-u1)
			}
			r := 1 / (1 + e)
			if u1 > u0 {
				w[4*t+k], w[4*t+2+k] = e*r, r
			} else {
				w[4*t+k], w[4*t+2+k] = r, e*r
			}
			z := (y[t] - mu[k]) * inv
			alpha[2*t+k] = m + math.Log1p(e) - 0.5*z*z + lc
		}
	}
	a0, a1 := alpha[2*(n-1)], alpha[2*(n-1)+1]
	m := math.Max(a0, a1)
	s := math.Exp(a0-m) + math.Exp(a1-m)
	lp := m + math.Log(s)
	// adjoints of α_t
	b := [2]float64{math.Exp(a0 - lp), math.Exp(a1 - lp)}
	var gmu [2]float64
	var gls float64
	var gA [2][2]float64
	for t := n - 1; t >= 0; t-- {
		for k := 0; k < 2; k++ {
			z := (y[t] - mu[k]) / sigma
			gmu[k] += b[k] * z / sigma
			gls += b[k] * (z*z - 1)
		}
		if t == 0 {
			break
		}
		var nb [2]float64
		for k := 0; k < 2; k++ {
			for j := 0; j < 2; j++ {
				v := b[k] * w[4*t+2*j+k]
				nb[j] += v
				gA[j][k] += v
			}
		}
		b = nb
	}
	grad[0], grad[1], grad[2] = gmu[0], gmu[1], gls
	grad[3] = gA[0][0]*(1-pa) - gA[0][1]*pa
	grad[4] = gA[1][1]*(1-pb) - gA[1][0]*pb
	return lp + handPriors(p, []float64{5, 5, 1, 1.5, 1.5}, grad)
}

// scanModel is one model in both forms.
type scanModel struct {
	name  string
	np    int
	data  func(n int, seed uint64) []float64
	build func(y []float64, p []*tensor.Tensor) *tensor.Tensor
	hand  func(y, p, grad, buf []float64) float64
	point []float64
}

var scanModels = []scanModel{
	{"arma", 4, armaData, armaScan, func(y, p, g, _ []float64) float64 { return armaHand(y, p, g) }, []float64{0.4, 0.55, 0.25, math.Log(0.9)}},
	{"garch", 4, garchData, garchScan, garchHand, []float64{0.05, math.Log(0.25), -0.5, 0.3}},
	{"hmm", 5, hmmData, hmmScan, hmmHand, []float64{-0.8, 1.3, math.Log(0.7), 1.8, 2.1}},
}

// compileModel compiles the log-density and its gradient with respect to the scalar parameters.
func compileModel(tb testing.TB, m scanModel, y []float64, opts ...backend.Option) (*backend.Function, []*tensor.Array) {
	tb.Helper()
	ps := make([]*tensor.Tensor, m.np)
	ins := make([]any, m.np)
	args := make([]*tensor.Array, m.np)
	for i := range ps {
		ps[i] = tensor.Scalar("p" + string(rune('0'+i)))
		ins[i] = ps[i]
		args[i] = &tensor.Array{DType: tensor.Float64, Shape: []int{}, Data: []float64{m.point[i]}}
	}
	lp := m.build(y, ps)
	outs := append([]*tensor.Tensor{lp}, tensor.Grad(lp, ps...)...)
	f, err := backend.Compile(ins, outs, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return f, args
}

// BenchmarkScanModels times one log-density + gradient of each model written with Scan
// ("scan-ns/op") and of the hand-written loop ("hand-ns/op"), alternating the two; "x-hand" is
// the ratio. ns/op is the time of both together.
func BenchmarkScanModels(b *testing.B) {
	for _, m := range scanModels {
		for _, n := range []int{100, 200, 1000} {
			b.Run(m.name+"/T="+itoa(n), func(b *testing.B) {
				y := m.data(n, 1)
				f, args := compileModel(b, m, y)
				if _, err := f.Run(args...); err != nil {
					b.Fatal(err)
				}
				grad := make([]float64, m.np)
				buf := make([]float64, 6*n)
				b.ReportAllocs()
				b.ResetTimer()
				// Alternate the two so that both see the same load on a shared machine.
				// The minimum over calls is reported too: on a loaded machine it is the least
				// disturbed estimate of each one's cost.
				var scan, hand time.Duration
				minScan, minHand := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
				for i := 0; i < b.N; i++ {
					t0 := time.Now()
					f.Run(args...)
					t1 := time.Now()
					m.hand(y, m.point, grad, buf)
					t2 := time.Now()
					scan += t1.Sub(t0)
					hand += t2.Sub(t1)
					minScan = min(minScan, t1.Sub(t0))
					minHand = min(minHand, t2.Sub(t1))
				}
				b.ReportMetric(float64(scan.Nanoseconds())/float64(b.N), "scan-ns/op")
				b.ReportMetric(float64(minScan.Nanoseconds()), "scan-min-ns")
				b.ReportMetric(float64(minHand.Nanoseconds()), "hand-min-ns")
				b.ReportMetric(float64(minScan)/float64(minHand), "x-hand-min")
				b.ReportMetric(float64(hand.Nanoseconds())/float64(b.N), "hand-ns/op")
				b.ReportMetric(float64(scan)/float64(hand), "x-hand")
			})
		}
	}
}

func itoa(n int) string {
	s := ""
	for n > 0 || s == "" {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}

// TestScanModelsMatchHand checks each Scan model against its hand-written loop (value and
// gradient) on several lengths, T = 1 included.
func TestScanModelsMatchHand(t *testing.T) {
	for _, m := range scanModels {
		for _, n := range []int{1, 2, 7, 300} {
			y := m.data(n, 3)
			f, args := compileModel(t, m, y)
			out, err := f.Run(args...)
			if err != nil {
				t.Fatalf("%s T=%d: %v", m.name, n, err)
			}
			grad := make([]float64, m.np)
			want := m.hand(y, m.point, grad, make([]float64, 6*n))
			if !closeRel(out[0].Data[0], want, 1e-10) {
				t.Errorf("%s T=%d: log-density %v, hand-written %v", m.name, n, out[0].Data[0], want)
			}
			for i, g := range grad {
				if !closeRel(out[1+i].Data[0], g, 1e-9) {
					t.Errorf("%s T=%d: gradient %d is %v, hand-written %v", m.name, n, i, out[1+i].Data[0], g)
				}
			}
			if a := testing.AllocsPerRun(5, func() { f.Run(args...) }); a != 0 {
				t.Errorf("%s T=%d: a call allocates %v times", m.name, n, a)
			}
		}
	}
}

// closeRel reports |a − b| ≤ tol·max(1, |a|, |b|).
func closeRel(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// evalModel compiles the model with the loop compiler on or off and returns the log-density
// and the gradient at p.
func evalModel(t *testing.T, m scanModel, y, p []float64, compiled bool) []float64 {
	t.Helper()
	old := tensor.SetScanCompile(compiled)
	defer tensor.SetScanCompile(old)
	mm := m
	mm.point = p
	f, args := compileModel(t, mm, y)
	out, err := f.Run(args...)
	if err != nil {
		t.Fatal(err)
	}
	res := make([]float64, len(out))
	for i, o := range out {
		res[i] = o.Data[0]
	}
	return res
}

// TestScanModelsCompiledMatchGraph: the compiled loop and its one-op gradient give the values
// and gradients of Scan's graph form (a compiled body per step, backpropagation through time as
// a reverse scan), and of central finite differences with Richardson extrapolation.
func TestScanModelsCompiledMatchGraph(t *testing.T) {
	for _, m := range scanModels {
		for _, n := range []int{1, 2, 40} {
			y := m.data(n, 5)
			got := evalModel(t, m, y, m.point, true)
			want := evalModel(t, m, y, m.point, false)
			for i := range got {
				if !closeRel(got[i], want[i], 1e-10) {
					t.Errorf("%s T=%d: output %d is %v compiled, %v as a graph", m.name, n, i, got[i], want[i])
				}
			}
			lp := func(p []float64) float64 { return evalModel(t, m, y, p, true)[0] }
			for i := 0; i < m.np; i++ {
				fd := richardson(lp, m.point, i, 1e-3)
				if !closeRel(got[1+i], fd, 1e-7) {
					t.Errorf("%s T=%d: gradient %d is %v, finite differences %v", m.name, n, i, got[1+i], fd)
				}
			}
		}
	}
}

// richardson is the central difference of f in coordinate i, extrapolated from steps h and h/2.
func richardson(f func([]float64) float64, p []float64, i int, h float64) float64 {
	d := func(h float64) float64 {
		q := append([]float64(nil), p...)
		q[i] = p[i] + h
		a := f(q)
		q[i] = p[i] - h
		return (a - f(q)) / (2 * h)
	}
	return (4*d(h/2) - d(h)) / 3
}
