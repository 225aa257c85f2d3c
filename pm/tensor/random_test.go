package tensor

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

func rvDraw(t *testing.T, x *Tensor) *Array {
	t.Helper()
	r, err := Eval(x)
	if err != nil {
		t.Fatalf("%s: %v", PP(x), err)
	}
	return r[0]
}

// rvKS is the Kolmogorov-Smirnov distance between the sample and a CDF.
func rvKS(xs []float64, cdf func(float64) float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := float64(len(s))
	d := 0.0
	for i, v := range s {
		f := cdf(v)
		d = math.Max(d, math.Max(math.Abs(float64(i+1)/n-f), math.Abs(f-float64(i)/n)))
	}
	return d
}

// TestRandomContinuousMatchGonum compares 20000 draws of each continuous distribution with
// gonum's CDF (Kolmogorov-Smirnov distance below 1.95/sqrt(n), the 0.1% critical value) and, where
// they exist, its mean and variance (within 5 standard errors).
func TestRandomContinuousMatchGonum(t *testing.T) {
	const n = 20000
	rs := NewRandomStream(2024)
	type dist interface {
		CDF(float64) float64
	}
	cases := []struct {
		name      string
		draw      *Tensor
		d         dist
		mean, vr  float64 // NaN when they do not exist
		fourthMom float64 // E(x-mean)^4 for the variance's standard error, NaN to skip
	}{
		{"uniform", rs.Uniform(-1.0, 3.0, n), distuv.Uniform{Min: -1, Max: 3}, 1, 16.0 / 12, 256.0 / 80},
		{"normal", rs.Normal(2.0, 0.5, n), distuv.Normal{Mu: 2, Sigma: 0.5}, 2, 0.25, 3 * 0.0625},
		{"gamma", rs.Gamma(2.5, 2.0, n), distuv.Gamma{Alpha: 2.5, Beta: 2}, 1.25, 0.625, math.NaN()},
		{"gamma small shape", rs.Gamma(0.3, 1.0, n), distuv.Gamma{Alpha: 0.3, Beta: 1}, 0.3, 0.3, math.NaN()},
		{"beta", rs.Beta(2.0, 5.0, n), distuv.Beta{Alpha: 2, Beta: 5}, 2.0 / 7, 10.0 / (49 * 8), math.NaN()},
		{"exponential", rs.Exponential(4.0, n), distuv.Exponential{Rate: 4}, 0.25, 1.0 / 16, 9.0 / 256},
		{"student_t", rs.StudentT(5.0, 1.0, 2.0, n), distuv.StudentsT{Nu: 5, Mu: 1, Sigma: 2}, 1, 4 * 5.0 / 3, math.NaN()},
		{"cauchy", rs.Cauchy(1.0, 0.5, n), cauchyCDF{1, 0.5}, math.NaN(), math.NaN(), math.NaN()},
		{"laplace", rs.Laplace(-1.0, 2.0, n), distuv.Laplace{Mu: -1, Scale: 2}, -1, 8, 24 * 16},
		{"logistic", rs.Logistic(0.5, 1.5, n), logisticCDF{0.5, 1.5}, 0.5, math.Pi * math.Pi * 2.25 / 3, math.NaN()},
		{"lognormal", rs.LogNormal(0.2, 0.4, n), distuv.LogNormal{Mu: 0.2, Sigma: 0.4},
			math.Exp(0.2 + 0.08), (math.Exp(0.16) - 1) * math.Exp(0.4+0.16), math.NaN()},
		{"halfnormal", rs.HalfNormal(2.0, n), halfNormalCDF{2}, 2 * math.Sqrt(2/math.Pi), 4 * (1 - 2/math.Pi), math.NaN()},
	}
	for _, c := range cases {
		a := rvDraw(t, c.draw)
		if !sameShape(a.Shape, []int{n}) || a.DType != Float64 {
			t.Fatalf("%s: got %s", c.name, a.Type())
		}
		if ks := rvKS(a.Data, c.d.CDF); ks > 1.95/math.Sqrt(n) {
			t.Errorf("%s: KS distance %.4f exceeds %.4f", c.name, ks, 1.95/math.Sqrt(n))
		}
		if math.IsNaN(c.mean) {
			continue
		}
		m, v := stat.MeanVariance(a.Data, nil)
		if se := math.Sqrt(c.vr / n); math.Abs(m-c.mean) > 5*se {
			t.Errorf("%s: mean %.5f, want %.5f ± %.5f", c.name, m, c.mean, 5*se)
		}
		tol := 0.1 * c.vr // heavy-tailed cases: 10%
		if !math.IsNaN(c.fourthMom) {
			tol = 5 * math.Sqrt((c.fourthMom-c.vr*c.vr)/n)
		}
		if math.Abs(v-c.vr) > tol {
			t.Errorf("%s: variance %.5f, want %.5f ± %.5f", c.name, v, c.vr, tol)
		}
	}
}

type cauchyCDF struct{ loc, scale float64 }

func (c cauchyCDF) CDF(x float64) float64 { return 0.5 + math.Atan((x-c.loc)/c.scale)/math.Pi }

type logisticCDF struct{ mu, s float64 }

func (c logisticCDF) CDF(x float64) float64 { return 1 / (1 + math.Exp(-(x-c.mu)/c.s)) }

type halfNormalCDF struct{ sigma float64 }

func (c halfNormalCDF) CDF(x float64) float64 {
	if x < 0 {
		return 0
	}
	return math.Erf(x / (c.sigma * math.Sqrt2))
}

// TestRandomDiscrete compares the frequencies of discrete draws with gonum's probabilities.
func TestRandomDiscrete(t *testing.T) {
	const n = 20000
	rs := NewRandomStream(99)
	type pmf interface{ Prob(float64) float64 }
	cases := []struct {
		name string
		draw *Tensor
		d    pmf
		max  int
	}{
		{"poisson", rs.Poisson(3.5, n), distuv.Poisson{Lambda: 3.5}, 20},
		{"poisson large", rs.Poisson(60.0, n), distuv.Poisson{Lambda: 60}, 120},
		{"binomial", rs.Binomial(12, 0.3, n), distuv.Binomial{N: 12, P: 0.3}, 12},
		{"bernoulli", rs.Bernoulli(0.27, n), distuv.Bernoulli{P: 0.27}, 1},
	}
	for _, c := range cases {
		a := rvDraw(t, c.draw)
		if a.DType != Int64 {
			t.Fatalf("%s: dtype %s, want int64", c.name, a.DType)
		}
		counts := make([]float64, c.max+1)
		for _, v := range a.Data {
			if v != math.Trunc(v) || v < 0 || int(v) > c.max {
				t.Fatalf("%s: draw %v out of range", c.name, v)
			}
			counts[int(v)]++
		}
		for k, cnt := range counts {
			p := c.d.Prob(float64(k))
			se := math.Sqrt(p * (1 - p) / n)
			if math.Abs(cnt/n-p) > 5*se+1e-4 {
				t.Errorf("%s: frequency of %d is %.4f, want %.4f ± %.4f", c.name, k, cnt/n, p, 5*se)
			}
		}
	}
}

func TestRandomBroadcastAndShapes(t *testing.T) {
	rs := NewRandomStream(5)
	mu := []float64{0, 10, 100}
	x := rvDraw(t, rs.Normal(mu, []float64{1, 2, 3}, 4000, 3))
	if !sameShape(x.Shape, []int{4000, 3}) {
		t.Fatalf("shape %v", x.Shape)
	}
	for j := 0; j < 3; j++ {
		col := make([]float64, 4000)
		for i := range col {
			col[i] = x.Data[i*3+j]
		}
		m, sd := stat.MeanStdDev(col, nil)
		if math.Abs(m-mu[j]) > 5*float64(j+1)/math.Sqrt(4000) || math.Abs(sd-float64(j+1)) > 0.1*float64(j+1) {
			t.Errorf("column %d: mean %v sd %v", j, m, sd)
		}
	}
	// Without a shape the parameters' broadcast shape is the result's.
	if s := rs.Gamma(Const([][]float64{{1}, {2}}), []float64{1, 2, 3}).Shape(); !sameShape(s, []int{2, 3}) {
		t.Fatalf("broadcast shape %v", s)
	}
	if s := rs.Uniform(0.0, 1.0).Shape(); len(s) != 0 {
		t.Fatalf("scalar draw has shape %v", s)
	}
	err := Catch(func() { rs.Normal([]float64{1, 2, 3}, 1.0, 4) })
	if err == nil || !strings.Contains(err.Error(), "random_normal: parameters of shape [3] do not broadcast to the requested shape [4]") {
		t.Fatalf("got %v", err)
	}
	_, err = Eval(rs.Normal(0.0, []float64{1, -1}))
	if err == nil || !strings.Contains(err.Error(), "sigma = -1 must not be negative (element 1)") {
		t.Fatalf("got %v", err)
	}
	_, err = Eval(rs.Bernoulli(1.5))
	if err == nil || !strings.Contains(err.Error(), "p = 1.5 must be in [0, 1]") {
		t.Fatalf("got %v", err)
	}
	// Unknown parameter dimensions are checked when the function runs.
	v := Vector("v")
	fg, _ := NewFunctionGraph([]*Tensor{v}, []*Tensor{rs.Normal(v, 1.0, 2, 3)}, nil)
	p, _ := newRefProgram(fg)
	if _, err := p.Run([]*Array{{DType: Float64, Shape: []int{4}, Data: make([]float64, 4)}}); err == nil {
		t.Fatal("a run-time mismatch of shapes went through")
	}
}

func TestRandomSeedsAndSequences(t *testing.T) {
	build := func(seed uint64) (*RandomStream, []*Tensor) {
		rs := NewRandomStream(seed)
		return rs, []*Tensor{rs.Uniform(0.0, 1.0, 3), rs.Normal(0.0, 1.0, 2, 2), rs.Gamma(2.0, 1.0, 3), rs.Categorical([]float64{1, 2, 3}, 4)}
	}
	_, a := build(42)
	_, b := build(42)
	_, c := build(43)
	var seqA, seqB [][]float64
	for call := 0; call < 3; call++ {
		ra, err := Eval(a...)
		if err != nil {
			t.Fatal(err)
		}
		rb, _ := Eval(b...)
		rc, _ := Eval(c...)
		for i := range ra {
			seqA = append(seqA, ra[i].Data)
			seqB = append(seqB, rb[i].Data)
			if i < 3 {
				laClose(t, "different seeds differ", []float64{boolf(equalFloats(ra[i].Data, rc[i].Data))}, []float64{0}, 0)
			}
		}
	}
	for i := range seqA {
		if !equalFloats(seqA[i], seqB[i]) {
			t.Fatalf("draw %d differs between two streams with seed 42: %v vs %v", i, seqA[i], seqB[i])
		}
	}
	// Successive calls differ.
	if equalFloats(seqA[0], seqA[4]) || equalFloats(seqA[1], seqA[5]) {
		t.Fatal("successive calls gave the same draws")
	}
	// Seed restarts the sequences.
	rs, d := build(1)
	first, _ := Eval(d[0], d[1])
	Eval(d[0], d[1])
	rs.Seed(1)
	again, _ := Eval(d[0], d[1])
	if !equalFloats(first[0].Data, again[0].Data) || !equalFloats(first[1].Data, again[1].Data) {
		t.Fatal("Seed did not restart the sequence")
	}
	// A variable's sequence does not depend on the others being evaluated.
	_, e := build(42)
	re, _ := Eval(e[1])
	if !equalFloats(re[0].Data, seqA[1]) {
		t.Fatal("a variable's draws depend on the other variables")
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

func TestRandomMultivariate(t *testing.T) {
	rs := NewRandomStream(77)
	const n = 20000
	// Categorical: frequencies proportional to the weights.
	p := []float64{1, 0, 3, 4}
	c := rvDraw(t, rs.Categorical(p, n))
	if c.DType != Int64 || !sameShape(c.Shape, []int{n}) {
		t.Fatalf("categorical %s", c.Type())
	}
	counts := make([]float64, 4)
	for _, v := range c.Data {
		counts[int(v)]++
	}
	for k, w := range p {
		pk := w / 8
		if math.Abs(counts[k]/n-pk) > 5*math.Sqrt(pk*(1-pk)/n)+1e-9 {
			t.Errorf("category %d: frequency %v, want %v", k, counts[k]/n, pk)
		}
	}
	// A batch of probability vectors, one draw per row.
	cb := rvDraw(t, rs.Categorical([][]float64{{1, 0}, {0, 1}, {0, 1}}))
	laClose(t, "categorical batch", cb.Data, []float64{0, 1, 1}, 0)

	// Dirichlet: rows sum to one, means alpha / sum(alpha).
	alpha := []float64{1, 2, 5}
	d := rvDraw(t, rs.Dirichlet(alpha, n))
	if !sameShape(d.Shape, []int{n, 3}) {
		t.Fatalf("dirichlet shape %v", d.Shape)
	}
	for j, a := range alpha {
		col := make([]float64, n)
		for i := range col {
			col[i] = d.Data[i*3+j]
		}
		m := stat.Mean(col, nil)
		want := a / 8
		sd := math.Sqrt(want * (1 - want) / 9 / n)
		if math.Abs(m-want) > 5*sd {
			t.Errorf("dirichlet mean %d: %v, want %v", j, m, want)
		}
	}
	for i := 0; i < 10; i++ {
		s := d.Data[i*3] + d.Data[i*3+1] + d.Data[i*3+2]
		if math.Abs(s-1) > 1e-12 {
			t.Fatalf("dirichlet row sums to %v", s)
		}
	}

	// MvNormal: sample mean and covariance against mu and cov.
	mu := []float64{1, -2, 0.5}
	cov := [][]float64{{2, 0.6, -0.3}, {0.6, 1, 0.2}, {-0.3, 0.2, 0.5}}
	x := rvDraw(t, rs.MvNormal(mu, cov, n))
	if !sameShape(x.Shape, []int{n, 3}) {
		t.Fatalf("mvnormal shape %v", x.Shape)
	}
	xm := mat.NewDense(n, 3, x.Data)
	var sc mat.SymDense
	stat.CovarianceMatrix(&sc, xm, nil)
	for i := 0; i < 3; i++ {
		m := stat.Mean(mat.Col(nil, i, xm), nil)
		if math.Abs(m-mu[i]) > 5*math.Sqrt(cov[i][i]/n) {
			t.Errorf("mvnormal mean %d: %v, want %v", i, m, mu[i])
		}
		for j := 0; j < 3; j++ {
			se := math.Sqrt((cov[i][i]*cov[j][j] + cov[i][j]*cov[i][j]) / n)
			if math.Abs(sc.At(i, j)-cov[i][j]) > 5*se {
				t.Errorf("mvnormal cov[%d][%d]: %v, want %v", i, j, sc.At(i, j), cov[i][j])
			}
		}
	}
	if _, err := Eval(rs.MvNormal([]float64{0, 0}, [][]float64{{1, 2}, {2, 1}})); err == nil || !strings.Contains(err.Error(), "not positive definite") {
		t.Fatalf("non-PD cov: %v", err)
	}
	if err := Catch(func() { rs.MvNormal([]float64{0, 0}, [][]float64{{1, 0, 0}}) }); err == nil || !strings.Contains(err.Error(), "cov must be a square matrix") {
		t.Fatalf("got %v", err)
	}
}

// TestRandomNotRewritten checks that Rewrite neither folds draws with constant parameters nor
// merges two identical draws, and that draws have no gradient.
func TestRandomNotRewritten(t *testing.T) {
	rs := NewRandomStream(3)
	a := rs.Normal(0.0, 1.0, 3)
	b := rs.Normal(0.0, 1.0, 3)
	fg, err := NewFunctionGraph(nil, []*Tensor{a, b}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rfg, err := Rewrite(fg)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, nd := range rfg.Nodes {
		if _, ok := nd.Op.(RandomOp); ok {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("rewritten graph has %d draws, want 2", n)
	}
	p, _ := newRefProgram(rfg)
	r1, _ := p.Run(nil)
	x1 := r1[0].Clone()
	r2, _ := p.Run(nil)
	if equalFloats(x1.Data, r2[0].Data) || equalFloats(r2[0].Data, r2[1].Data) {
		t.Fatal("draws repeated")
	}
	mu := Scalar("mu")
	g := Grad(Sum(Mul(rs.Normal(mu, 1.0, 3), mu)), mu)[0]
	fg2, _ := NewFunctionGraph([]*Tensor{mu}, []*Tensor{g}, nil)
	if len(fg2.Nodes) == 0 {
		t.Fatal("no gradient graph")
	}
}

// TestRandomInsideScan draws inside a loop body: every step draws anew, the loop is stateful, and
// a gradient through it is refused with a clear error.
func TestRandomInsideScan(t *testing.T) {
	rs := NewRandomStream(11)
	walk := Scan(func(a []*Tensor) []*Tensor {
		return []*Tensor{Add(a[0], rs.Normal(0.0, 1.0))}
	}, ScanArgs{OutputsInfo: []*Tensor{Const(0.0)}, NSteps: 50})[0]
	if !isStateful(walk.Owner().Op) {
		t.Fatal("a scan with draws in its body must be stateful")
	}
	r := rvDraw(t, walk)
	steps := map[float64]bool{}
	prev := 0.0
	for _, v := range r.Data {
		steps[v-prev] = true
		prev = v
	}
	if len(steps) != 50 {
		t.Fatalf("%d distinct steps in 50", len(steps))
	}
	err := Catch(func() { Grad(Sum(walk), walk.Owner().Inputs[0]) })
	if err == nil || !strings.Contains(err.Error(), "draws random numbers") {
		t.Fatalf("got %v", err)
	}
}

func TestRandomAllocatesNothing(t *testing.T) {
	rs := NewRandomStream(8)
	outs := []*Tensor{rs.Normal(0.0, 1.0, 100), rs.Uniform(0.0, []float64{1, 2}, 50, 2), rs.Exponential(1.0, 20),
		rs.Bernoulli(0.5, 10), rs.Categorical([]float64{1, 1}, 5), rs.MvNormal([]float64{0, 0}, [][]float64{{1, 0}, {0, 1}}, 4),
		rs.Gamma(2.0, 1.0, 10), rs.Beta(2.0, 1.0, 10), rs.Poisson(3.0, 10), rs.Binomial(10, 0.3, 10),
		rs.StudentT(3.0, 0.0, 1.0, 10), rs.Dirichlet([]float64{1, 2}, 10), rs.Cauchy(0.0, 1.0, 3), rs.Laplace(0.0, 1.0, 3),
		rs.Logistic(0.0, 1.0, 3), rs.LogNormal(0.0, 1.0, 3), rs.HalfNormal(1.0, 3)}
	fg, _ := NewFunctionGraph(nil, outs, nil)
	p, _ := newRefProgram(fg)
	p.Run(nil)
	if n := testing.AllocsPerRun(20, func() { p.Run(nil) }); n != 0 {
		t.Fatalf("a call allocates %v times", n)
	}
}

func ExampleRandomStream() {
	rs := NewRandomStream(234)
	u := rs.Uniform(0.0, 1.0, 2)
	first, _ := Eval(u)
	second, _ := Eval(u)
	rs.Seed(234) // restart the sequence
	again, _ := Eval(u)
	fmt.Println(equalFloats(first[0].Data, second[0].Data), equalFloats(first[0].Data, again[0].Data))
	// Output: false true
}
