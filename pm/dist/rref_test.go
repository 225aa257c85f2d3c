package dist

import (
	"bufio"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// The reference values of testdata/rref.txt come from R and CRAN packages packaged by Debian;
// testdata/rref.R generates them and names, on every line, the R function that computed each
// value.

// rrefLine is one line of testdata/rref.txt.
type rrefLine struct {
	dist, fn  string
	params, x []float64
	want      []float64
	src       string
}

func parseFloats(t *testing.T, s string) []float64 {
	t.Helper()
	var out []float64
	for _, f := range strings.Split(strings.TrimSpace(s), ",") {
		if f == "" {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			t.Fatalf("rref: %q: %v", s, err)
		}
		out = append(out, v)
	}
	return out
}

func readRref(t *testing.T) []rrefLine {
	t.Helper()
	f, err := os.Open("testdata/rref.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []rrefLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		p := strings.Split(sc.Text(), "|")
		if len(p) != 6 {
			t.Fatalf("rref: bad line %q", sc.Text())
		}
		out = append(out, rrefLine{dist: p[0], fn: p[1], params: parseFloats(t, p[2]), x: parseFloats(t, p[3]), want: parseFloats(t, p[4]), src: p[5]})
	}
	return out
}

// rrefBuild maps the distribution names of testdata/rref.R to constructors taking the parameters
// in the order the R script writes them (gopm's argument order).
var rrefBuild = map[string]func(p []float64) Dist{
	"Gamma":            func(p []float64) Dist { return Gamma(p[0], p[1]) },
	"InverseGamma":     func(p []float64) Dist { return InverseGamma(p[0], p[1]) },
	"ChiSquared":       func(p []float64) Dist { return ChiSquared(p[0]) },
	"Beta":             func(p []float64) Dist { return Beta(p[0], p[1]) },
	"StudentT":         func(p []float64) Dist { return StudentT(p[0], p[1], p[2]) },
	"HalfStudentT":     func(p []float64) Dist { return HalfStudentT(p[0], p[1]) },
	"Wald":             func(p []float64) Dist { return Wald(p[0], p[1]) },
	"Triangular":       func(p []float64) Dist { return Triangular(p[0], p[1], p[2]) },
	"Binomial":         func(p []float64) Dist { return Binomial(p[0], p[1]) },
	"NegativeBinomial": func(p []float64) Dist { return NegativeBinomial(p[0], p[1]) },
	"Poisson":          func(p []float64) Dist { return Poisson(p[0]) },
	"Bernoulli":        func(p []float64) Dist { return Bernoulli(p[0]) },
	"DiscreteUniform":  func(p []float64) Dist { return DiscreteUniform(p[0], p[1]) },

	"AsymmetricLaplace":            func(p []float64) Dist { return AsymmetricLaplace(p[0], p[1], p[2]) },
	"ExGaussian":                   func(p []float64) Dist { return ExGaussian(p[0], p[1], p[2]) },
	"Gumbel":                       func(p []float64) Dist { return Gumbel(p[0], p[1]) },
	"Kumaraswamy":                  func(p []float64) Dist { return Kumaraswamy(p[0], p[1]) },
	"LogitNormal":                  func(p []float64) Dist { return LogitNormal(p[0], p[1]) },
	"Moyal":                        func(p []float64) Dist { return Moyal(p[0], p[1]) },
	"Rice":                         func(p []float64) Dist { return Rice(p[0], p[1]) },
	"DiscreteWeibull":              func(p []float64) Dist { return DiscreteWeibull(p[0], p[1]) },
	"HyperGeometric":               func(p []float64) Dist { return HyperGeometric(p[0], p[1], p[2]) },
	"ZeroInflatedBinomial":         func(p []float64) Dist { return ZeroInflatedBinomial(p[0], p[1], p[2]) },
	"ZeroInflatedNegativeBinomial": func(p []float64) Dist { return ZeroInflatedNegativeBinomial(p[0], p[1], p[2]) },
	"HurdlePoisson":                func(p []float64) Dist { return HurdlePoisson(p[0], p[1]) },
	"HurdleNegativeBinomial":       func(p []float64) Dist { return HurdleNegativeBinomial(p[0], p[1], p[2]) },
	"HurdleGamma":                  func(p []float64) Dist { return HurdleGamma(p[0], p[1], p[2]) },
	"HurdleLogNormal":              func(p []float64) Dist { return HurdleLogNormal(p[0], p[1], p[2]) },
	"OrderedLogistic":              func(p []float64) Dist { return OrderedLogistic(p[0], p[1:]) },
	"OrderedProbit":                func(p []float64) Dist { return OrderedProbit(p[0], p[1:len(p)-1], p[len(p)-1]) },
	"Interpolated":                 func(p []float64) Dist { return Interpolated(p[:len(p)/2], p[len(p)/2:]) },
	"Cauchy":                       func(p []float64) Dist { return Cauchy(p[0], p[1]) },
	"HalfCauchy":                   func(p []float64) Dist { return HalfCauchy(p[0]) },
	"Laplace":                      func(p []float64) Dist { return Laplace(p[0], p[1]) },
	"SkewNormal":                   func(p []float64) Dist { return SkewNormal(p[0], p[1], p[2]) },
	"BetaBinomial":                 func(p []float64) Dist { return BetaBinomial(p[0], p[1], p[2]) },
	"ZeroInflatedPoisson":          func(p []float64) Dist { return ZeroInflatedPoisson(p[0], p[1]) },
	"NormalMixture":                func(p []float64) Dist { return NormalMixture(p[0:3], p[3:6], p[6:9]) },
	"MixtureGammaLogNormal": func(p []float64) Dist {
		return Mixture(p[0:2], Gamma(p[2], p[3]), LogNormal(p[4], p[5]))
	},
	"MixturePoissonBinomial": func(p []float64) Dist {
		return Mixture(p[0:2], Poisson(p[2]), Binomial(p[3], p[4]))
	},
}

// mvCases are the multivariate distributions of testdata/rref.R with the same inputs, and the
// shape of the values (written row-major on the line).
var mvCases = map[string]func() (Dist, []int){
	"mv:MvStudentT": func() (Dist, []int) {
		return MvStudentT(4.5, []float64{0.5, -1, 2}, [][]float64{{2, 0.5, -0.3}, {0.5, 1, 0.2}, {-0.3, 0.2, 1.5}}), []int{3, 3}
	},
	"mv:DirichletMultinomial": func() (Dist, []int) {
		return DirichletMultinomial(10.0, []float64{0.5, 1.5, 2, 4}), []int{3, 4}
	},
	"mv:MatrixNormal": func() (Dist, []int) {
		return MatrixNormal([][]float64{{0, 1, 2}, {-1, 0, 1}}, [][]float64{{1, 0.3}, {0.3, 2}},
			[][]float64{{2, 0.5, -0.3}, {0.5, 1, 0.2}, {-0.3, 0.2, 1.5}}), []int{2, 3}
	},
	"mv:KroneckerNormal": func() (Dist, []int) {
		return KroneckerNormal([]float64{0.2, 0.2, 0.2, 0.2, 0.2, 0.2}, [][]float64{{1, 0.3}, {0.3, 2}},
			[][]float64{{2, 0.5, -0.3}, {0.5, 1, 0.2}, {-0.3, 0.2, 1.5}}), []int{6}
	},
	"mv:CAR": func() (Dist, []int) {
		return CAR([]float64{0.1, 0.1, 0.1, 0.1}, carW, 0.6, 2.5), []int{4}
	},
	"mv:ICAR":                 func() (Dist, []int) { return ICAR(carW, 0.7, 0.001), []int{4} },
	"mv:StickBreakingWeights": func() (Dist, []int) { return StickBreakingWeights(2.5, 4), []int{5} },
	"mv:ZeroSumNormal":        func() (Dist, []int) { return ZeroSumNormal(1.3, 5), []int{5} },
}

// TestDistRReference checks log-densities, log-CDFs, log-CCDFs and quantiles against R.
func TestDistRReference(t *testing.T) {
	seen := map[string]bool{}
	for _, l := range readRref(t) {
		if mv, ok := mvCases[l.dist]; ok {
			d, shape := mv()
			if err := d.Err(); err != nil {
				t.Errorf("%s: %v", l.dist, err)
				continue
			}
			seen[l.dist] = true
			got := evalT(t, d.Logp(constOf(shape, l.x))).Data
			for i, w := range l.want {
				if !closeTo(got[i], w, 1e-9) {
					t.Errorf("%s logp[%d] = %.15g, R %.15g (%s)", l.dist, i, got[i], w, l.src)
				}
			}
			continue
		}
		build, ok := rrefBuild[l.dist]
		if !ok {
			t.Errorf("rref: no constructor for %s", l.dist)
			continue
		}
		d := build(l.params)
		if err := d.Err(); err != nil {
			t.Errorf("%s%v: %v", l.dist, l.params, err)
			continue
		}
		seen[l.dist+" "+l.fn] = true
		x := tensor.Const(l.x)
		if d.DType() == tensor.Int64 && l.fn != "icdf" {
			x = tensor.Cast(x, tensor.Int64)
		}
		var y *tensor.Tensor
		tol := 1e-9
		switch l.fn {
		case "logp":
			y = d.Logp(x)
		case "logcdf", "logccdf":
			c, ok := d.(CDFer)
			if !ok {
				t.Errorf("%s has no CDF", l.dist)
				continue
			}
			if l.fn == "logcdf" {
				y = c.LogCDF(x)
			} else {
				y = c.LogCCDF(x)
			}
		case "icdf":
			c, ok := d.(ICDFer)
			if !ok {
				t.Errorf("%s has no quantile function", l.dist)
				continue
			}
			y = c.ICDF(x)
			tol = 1e-8
		}
		got := evalT(t, y).Data
		for i, w := range l.want {
			g := got[i%len(got)]
			ok := g == w || math.Abs(g-w) <= tol*math.Max(1, math.Abs(w))
			if !ok {
				t.Errorf("%s%v %s at %v = %.15g, R %.15g (%s)", l.dist, l.params, l.fn, l.x[i], g, w, l.src)
			}
		}
	}
	t.Logf("checked %d distribution/function pairs against R", len(seen))
}

// TestDistRReferenceFresh regenerates the reference values with R and checks that they are the
// committed ones (so that testdata/rref.txt is what testdata/rref.R computes). It needs Rscript
// with the CRAN packages extraDistr, VGAM, actuar and mvtnorm (Debian's r-cran-*).
func TestDistRReferenceFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: R is not run")
	}
	if _, err := exec.LookPath("Rscript"); err != nil {
		t.Skip("Rscript is not installed (apt-get install r-base-core r-cran-extradistr r-cran-vgam r-cran-actuar r-cran-mvtnorm)")
	}
	check := exec.Command("Rscript", "-e", `for (p in c("extraDistr", "VGAM", "actuar", "mvtnorm")) if (!requireNamespace(p, quietly = TRUE)) quit(status = 1)`)
	if err := check.Run(); err != nil {
		t.Skip("R packages missing (apt-get install r-cran-extradistr r-cran-vgam r-cran-actuar r-cran-mvtnorm)")
	}
	out, err := exec.Command("Rscript", "testdata/rref.R").Output()
	if err != nil {
		t.Fatalf("Rscript testdata/rref.R: %v", err)
	}
	want, err := os.ReadFile("testdata/rref.txt")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSpace(string(out)), "\n")
	committed := strings.Split(strings.TrimSpace(string(want)), "\n")
	if len(got) != len(committed) {
		t.Fatalf("R writes %d lines, testdata/rref.txt has %d: regenerate it", len(got), len(committed))
	}
	for i := range got {
		g, c := strings.Split(got[i], "|"), strings.Split(committed[i], "|")
		if len(g) != 6 || len(c) != 6 || g[0] != c[0] || g[1] != c[1] || g[3] != c[3] {
			t.Fatalf("line %d differs: R %q, committed %q", i+1, got[i], committed[i])
		}
		gw, cw := parseFloats(t, g[4]), parseFloats(t, c[4])
		for k := range gw {
			if !closeTo(gw[k], cw[k], 1e-12) {
				t.Errorf("line %d (%s %s) value %d: R now gives %v, committed %v", i+1, g[0], g[1], k, gw[k], cw[k])
			}
		}
	}
}
