package step

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm/diag"
)

// mvNormal is a zero-mean Gaussian with precision matrix P (row-major).
type mvNormal struct {
	n int
	p []float64
}

func (d *mvNormal) Dim() int { return d.n }
func (d *mvNormal) Logp(x []float64) float64 {
	g := make([]float64, d.n)
	return d.LogpGrad(x, g)
}
func (d *mvNormal) LogpGrad(x, g []float64) float64 {
	lp := 0.0
	for i := 0; i < d.n; i++ {
		row := d.p[i*d.n : (i+1)*d.n]
		s := 0.0
		for j, xj := range x {
			s += row[j] * xj
		}
		g[i] = -s
		lp -= 0.5 * x[i] * s
	}
	return lp
}

// ar1Gaussian has covariance Σ_ij = s_i s_j ρ^|i-j|, whose precision is
// tridiagonal in closed form.
func ar1Gaussian(n int, rho float64, scale []float64) *mvNormal {
	p := make([]float64, n*n)
	c := 1 / (1 - rho*rho)
	for i := 0; i < n; i++ {
		diag := c * (1 + rho*rho)
		if i == 0 || i == n-1 {
			diag = c
		}
		p[i*n+i] = diag / (scale[i] * scale[i])
		if i+1 < n {
			v := -c * rho / (scale[i] * scale[i+1])
			p[i*n+i+1] = v
			p[(i+1)*n+i] = v
		}
	}
	return &mvNormal{n: n, p: p}
}

// minESSPerGrad is the smallest ess_bulk over coordinates divided by all
// gradient evaluations, warm-up included.
func minESSPerGrad(r *Result, n int) (float64, float64) {
	minESS := math.Inf(1)
	for i := 0; i < n; i++ {
		minESS = math.Min(minESS, diag.ESSBulk(r.Column(i)))
	}
	var grads int64
	for _, c := range r.Chains {
		grads += c.GradEvals
	}
	return minESS / float64(grads), minESS
}

func TestDenseBeatsDiagOnCorrelatedGaussian(t *testing.T) {
	const n = 50
	scale := make([]float64, n)
	for i := range scale {
		scale[i] = 0.5 + float64(i%5)
	}
	d := ar1Gaussian(n, 0.95, scale)
	eff := map[Adapt]float64{}
	for _, a := range []Adapt{AdaptDiag, AdaptDense} {
		res := runOK(t, Config{
			NewMethod: func(int) (Method, error) { return NewNUTS(d, NUTSOptions{Adapt: a}) },
			Init:      [][]float64{make([]float64, n)}, Tune: 1000, Draws: 500, Chains: 2, Seed: 3,
		})
		e, ess := minESSPerGrad(res, n)
		eff[a] = e
		t.Logf("%v: min ess %.0f, ess/grad %.4f, step %.3f", a, ess, e, res.Chains[0].StepSize)
		// The sampled marginal sd of the widest coordinate must be right.
		checkMoments(t, a.String()+" x[4]", res.Column(4), 0, scale[4])
	}
	if !(eff[AdaptDense] > 1.5*eff[AdaptDiag]) {
		t.Errorf("dense ess/grad %.4f not clearly above diag %.4f", eff[AdaptDense], eff[AdaptDiag])
	}
}

// funnel is Neal's funnel in 10 dimensions, centred: v ~ N(0, 3²),
// x_i ~ N(0, exp(v/2)²).
var funnel = Func{N: 10, G: func(x, g []float64) float64 {
	v := x[0]
	lp := -v * v / 18
	g[0] = -v / 9
	ev := math.Exp(-v)
	for i := 1; i < 10; i++ {
		lp += -0.5*x[i]*x[i]*ev - 0.5*v
		g[0] += 0.5*x[i]*x[i]*ev - 0.5
		g[i] = -x[i] * ev
	}
	return lp
}}

func TestFunnelReportsDivergences(t *testing.T) {
	for _, a := range []Adapt{AdaptGradDiag, AdaptDiag} {
		t.Run(a.String(), func(t *testing.T) { testFunnel(t, a) })
	}
}

func testFunnel(t *testing.T, a Adapt) {
	var progDiv int
	res := runOK(t, Config{
		NewMethod: func(int) (Method, error) { return NewNUTS(funnel, NUTSOptions{Adapt: a}) },
		Init:      [][]float64{make([]float64, 10)}, Tune: 500, Draws: 1000, Chains: 4, Seed: 5,
		Progress: func(p Progress) {
			if p.Finished {
				progDiv += p.Divergences
			}
		},
	})
	div := 0
	for _, c := range res.Chains {
		div += c.Divergences()
		for _, s := range c.Stats {
			if s.Diverging && !(s.MaxEnergyError > 1000 || math.IsInf(s.MaxEnergyError, 1)) {
				t.Fatalf("divergent draw with max energy error %v", s.MaxEnergyError)
			}
		}
	}
	t.Logf("divergences %d", div)
	if div == 0 {
		t.Errorf("no divergences reported on the centred funnel")
	}
	if progDiv != div {
		t.Errorf("progress reported %d divergences, stats %d", progDiv, div)
	}
}

// coalData is the coal-mining disasters series from the shared bench data.
func coalData(t *testing.T) []float64 {
	t.Helper()
	b, err := os.ReadFile("../../bench/data/coal_marginal.json")
	if err != nil {
		t.Skipf("coal data not available: %v", err)
	}
	var v struct {
		T int
		D []float64
	}
	if err := json.Unmarshal(b, &v); err != nil || len(v.D) != v.T {
		t.Fatalf("coal data: %v (T=%d, len %d)", err, v.T, len(v.D))
	}
	return v.D
}

// coalModel is the switchpoint model over x = (log e, log l, s): e, l ~
// Exponential(1) sampled on the log scale, s uniform on 0..T-1 with years
// t < s at rate e and the rest at rate l. The gradient of the s
// coordinate is not defined and left 0.
func coalModel(D []float64) Func {
	T := len(D)
	lfact := 0.0
	for _, d := range D {
		v, _ := math.Lgamma(d + 1)
		lfact += v
	}
	return Func{N: 3, G: func(x, g []float64) float64 {
		le, ll := x[0], x[1]
		s := x[2]
		if s != math.Floor(s) || s < 0 || s > float64(T-1) {
			return math.Inf(-1)
		}
		e, l := math.Exp(le), math.Exp(ll)
		k := int(s)
		se, sl := 0.0, 0.0
		for t, d := range D {
			if t < k {
				se += d
			} else {
				sl += d
			}
		}
		ne, nl := float64(k), float64(T-k)
		lp := -e + le - l + ll + se*le - ne*e + sl*ll - nl*l - lfact
		g[0] = -e + 1 + se - ne*e
		g[1] = -l + 1 + sl - nl*l
		g[2] = 0
		return lp
	}}
}

// coalExact is the exact posterior: with Gamma(1, 1) priors the rates
// integrate out, p(s) ∝ Γ(1+S_e)/(1+n_e)^(1+S_e) · Γ(1+S_l)/(1+n_l)^(1+S_l).
func coalExact(D []float64) (meanS, meanE, meanL float64) {
	T := len(D)
	lw := make([]float64, T)
	mx := math.Inf(-1)
	for k := 0; k < T; k++ {
		se, sl := 0.0, 0.0
		for t, d := range D {
			if t < k {
				se += d
			} else {
				sl += d
			}
		}
		ne, nl := float64(k), float64(T-k)
		a, _ := math.Lgamma(1 + se)
		b, _ := math.Lgamma(1 + sl)
		lw[k] = a - (1+se)*math.Log(1+ne) + b - (1+sl)*math.Log(1+nl)
		mx = math.Max(mx, lw[k])
	}
	tot := 0.0
	for k := range lw {
		tot += math.Exp(lw[k] - mx)
	}
	for k := 0; k < T; k++ {
		p := math.Exp(lw[k]-mx) / tot
		se, sl := 0.0, 0.0
		for t, d := range D {
			if t < k {
				se += d
			} else {
				sl += d
			}
		}
		meanS += p * float64(k)
		meanE += p * (1 + se) / (1 + float64(k))
		meanL += p * (1 + sl) / (1 + float64(T-k))
	}
	return
}

func TestCoalSwitchpointCompound(t *testing.T) {
	D := coalData(t)
	d := coalModel(D)
	wantS, wantE, wantL := coalExact(D)
	blocks := []BlockInfo{
		{Name: "early_rate", Indices: []int{0}},
		{Name: "late_rate", Indices: []int{1}},
		{Name: "switchpoint", Indices: []int{2}, Discrete: true},
	}
	for _, gibbs := range []bool{false, true} {
		name := "metropolis"
		b := blocks
		if gibbs {
			name = "categorical-gibbs"
			b = append([]BlockInfo(nil), blocks...)
			b[2].Categories = len(D)
		}
		t.Run(name, func(t *testing.T) {
			var desc string
			res := runOK(t, Config{
				NewMethod: func(c int) (Method, error) {
					m, err := Assign(d, b, AssignOptions{})
					if err == nil && c == 0 {
						desc = m.String()
					}
					return m, err
				},
				Init: [][]float64{{0, 0, 55}}, Tune: 1000, Draws: 2000, Chains: 4, Seed: 9,
			})
			want := "CompoundStep\n>NUTS: [early_rate, late_rate]\n>Metropolis: [switchpoint]"
			if gibbs {
				want = "CompoundStep\n>NUTS: [early_rate, late_rate]\n>CategoricalGibbsMetropolis: [switchpoint]"
			}
			if desc != want || res.Method != want {
				t.Errorf("String() = %q, Result.Method = %q, want %q", desc, res.Method, want)
			}
			for _, c := range res.Chains {
				for _, x := range c.Draws {
					if x[2] != math.Floor(x[2]) {
						t.Fatalf("switchpoint %v is not an integer", x[2])
					}
				}
			}
			checkMean(t, "switchpoint", res.Column(2), wantS)
			checkMean(t, "early", transformCol(res, 0, math.Exp), wantE)
			checkMean(t, "late", transformCol(res, 1, math.Exp), wantL)
		})
	}
}

func checkMean(t *testing.T, name string, chains [][]float64, want float64) {
	t.Helper()
	m, _ := meanSD(chains)
	mcse := diag.MCSEMean(chains)
	if !(math.Abs(m-want) < 4*mcse) {
		t.Errorf("%s: mean %.4f, want %.4f ± 4·%.4f", name, m, want, mcse)
	}
	t.Logf("%s: mean %.4f (exact %.4f, mcse %.4f, ess %.0f)", name, m, want, mcse, diag.ESSBulk(chains))
}

func TestBinaryGibbs(t *testing.T) {
	// Three 0/1 coordinates with an interaction and a continuous one
	// sampled by NUTS alongside; the binary marginals are enumerated.
	a := []float64{0.5, -1, 0.2}
	const inter = 1.3
	lpBin := func(x []float64) float64 {
		return a[0]*x[0] + a[1]*x[1] + a[2]*x[2] + inter*x[0]*x[1]
	}
	d := Func{N: 4, G: func(x, g []float64) float64 {
		for i := 0; i < 3; i++ {
			if x[i] != 0 && x[i] != 1 {
				return math.Inf(-1)
			}
			g[i] = 0
		}
		// x3 | x0 ~ N(x0, 1)
		g[3] = -(x[3] - x[0])
		return lpBin(x) - 0.5*(x[3]-x[0])*(x[3]-x[0])
	}}
	var want [3]float64
	tot := 0.0
	for s := 0; s < 8; s++ {
		x := []float64{float64(s & 1), float64(s >> 1 & 1), float64(s >> 2 & 1)}
		w := math.Exp(lpBin(x))
		tot += w
		for i := range want {
			want[i] += w * x[i]
		}
	}
	res := runOK(t, Config{
		NewMethod: func(int) (Method, error) {
			return Assign(d, []BlockInfo{
				{Name: "z", Indices: []int{0, 1, 2}, Binary: true},
				{Name: "y", Indices: []int{3}},
			}, AssignOptions{})
		},
		Init: [][]float64{{0, 1, 0, 0}}, Tune: 500, Draws: 2000, Chains: 4, Seed: 2,
	})
	if want := "CompoundStep\n>NUTS: [y]\n>BinaryGibbsMetropolis: [z]"; res.Method != want {
		t.Errorf("method %q, want %q", res.Method, want)
	}
	for i := range want {
		checkMean(t, "P(z"+string(rune('0'+i))+"=1)", res.Column(i), want[i]/tot)
	}
	checkMean(t, "y", res.Column(3), want[0]/tot)
}

func TestCategoricalGibbsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	table := make([]float64, 4*3)
	for i := range table {
		table[i] = rng.NormFloat64()
	}
	d := Func{N: 2, F: func(x []float64) float64 {
		i, j := int(x[0]), int(x[1])
		if float64(i) != x[0] || float64(j) != x[1] || i < 0 || i > 3 || j < 0 || j > 2 {
			return math.NaN() // NaN must behave as a rejection
		}
		return table[i*3+j]
	}}
	var m0, m1, tot float64
	for i := 0; i < 4; i++ {
		for j := 0; j < 3; j++ {
			w := math.Exp(table[i*3+j])
			tot += w
			m0 += w * float64(i)
			m1 += w * float64(j)
		}
	}
	for _, name := range []string{"gibbs", "metropolis"} {
		t.Run(name, func(t *testing.T) {
			res := runOK(t, Config{
				NewMethod: func(int) (Method, error) {
					if name == "gibbs" {
						return NewCategoricalGibbsMetropolis(d, nil, []int{4, 3})
					}
					return NewMetropolis(d, MetropolisOptions{Discrete: true, Proposal: PoissonProposal})
				},
				Init: [][]float64{{0, 0}}, Tune: 500, Draws: 3000, Chains: 4, Seed: 8,
			})
			checkMean(t, "x0", res.Column(0), m0/tot)
			checkMean(t, "x1", res.Column(1), m1/tot)
		})
	}
}

func TestAssignRules(t *testing.T) {
	withGrad := Func{N: 5, G: func(x, g []float64) float64 { clear(g); return 0 }}
	noGrad := Func{N: 5, F: func(x []float64) float64 { return 0 }}
	blocks := []BlockInfo{
		{Name: "a", Indices: []int{0}},
		{Name: "b", Indices: []int{1}, NoGrad: true},
		{Name: "c", Indices: []int{2}, Binary: true},
		{Name: "d", Indices: []int{3}, Categories: 3},
		{Name: "e", Indices: []int{4}, Discrete: true},
	}
	c, err := Assign(withGrad, blocks, AssignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := "CompoundStep\n>NUTS: [a]\n>Slice: [b]\n>BinaryGibbsMetropolis: [c]\n>CategoricalGibbsMetropolis: [d]\n>Metropolis: [e]"
	if c.String() != want {
		t.Errorf("with gradient:\n%s\nwant\n%s", c, want)
	}
	c, err = Assign(noGrad, blocks[:2], AssignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Slice: [a, b]"; c.String() != want {
		t.Errorf("without gradient: %q, want %q", c, want)
	}
	if _, err := Assign(withGrad, []BlockInfo{{Name: "k", Indices: []int{0}, Categories: 1}}, AssignOptions{}); err == nil || !strings.Contains(err.Error(), `"k"`) {
		t.Errorf("1 category: err %v, want one naming the variable", err)
	}
	if _, err := NewCompoundStep([]Method{mustNUTS(t, withGrad, []int{0, 1}), mustSlice(t, withGrad, []int{1})}, nil); err == nil {
		t.Errorf("overlapping blocks accepted")
	}
}

func mustNUTS(t *testing.T, d GradDensity, block []int) Method {
	m, err := NewNUTS(d, NUTSOptions{Block: block})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustSlice(t *testing.T, d LogDensity, block []int) Method {
	m, err := NewSlice(d, SliceOptions{Block: block})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
