package pm

import (
	"fmt"
	"html"
	"math"
	"math/rand/v2"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// CompareMethod sets how Compare weights the models: "stacking" (the default; Yao, Vehtari,
// Simpson and Gelman 2018), "BB-pseudo-BMA" (pseudo-BMA+, Akaike-type weights regularized by
// the Bayesian bootstrap) or "pseudo-BMA" (weights proportional to exp(elpd)).
func CompareMethod(name string) ELPDOption { return func(c *elpdConfig) { c.method = name } }

// IC sets the criterion Compare ranks by: "loo" (the default) or "waic".
func IC(name string) ELPDOption { return func(c *elpdConfig) { c.ic = name } }

// BootstrapSeed seeds the Bayesian bootstrap of the BB-pseudo-BMA weights (default 0), and
// BootstrapDraws sets its number of replicates (default 1000, as loo and ArviZ).
func BootstrapSeed(s uint64) ELPDOption { return func(c *elpdConfig) { c.seed = s } }

// BootstrapDraws sets the number of Bayesian bootstrap replicates of BB-pseudo-BMA.
func BootstrapDraws(n int) ELPDOption { return func(c *elpdConfig) { c.bbDraws = n } }

// Comparison is ArviZ's compare table: the models ranked by elpd, with the difference to the
// best, its standard error and the models' weights. It prints as text and renders as HTML in
// Jupyter.
type Comparison struct {
	// IC is "loo" or "waic"; Method the weighting method.
	IC, Method string
	// Rows are the models, best first.
	Rows []CompareRow
}

// CompareRow is one model of a Comparison.
type CompareRow struct {
	Name string
	Rank int // 0 for the best model
	// ELPD and P are the model's elpd and effective number of parameters, SE the elpd's
	// standard error.
	ELPD, P, SE float64
	// ELPDDiff is the best model's elpd minus this one's (0 for the best, ArviZ's sign), DSE
	// the standard error of that difference, √(n·var(pointwise differences)).
	ELPDDiff, DSE float64
	// Weight is the model's weight by the Comparison's method; weights sum to 1.
	Weight float64
	// Warning is true when the model's estimate is unreliable (high Pareto k̂, or WAIC's
	// variance warning).
	Warning bool
	// Result is the model's full estimate.
	Result *ELPD
}

// Compare ranks models by their expected log predictive density from their traces' pointwise
// log-likelihoods (PSIS-LOO by default, WAIC with IC("waic")), as ArviZ's compare does, with
// stacking weights by default (CompareMethod for pseudo-BMA and BB-pseudo-BMA). Every model
// must have the log-likelihood of the same observations.
func Compare(traces map[string]*Trace, opts ...ELPDOption) (*Comparison, error) {
	c := elpdConfig{method: "stacking", ic: "loo", bbDraws: 1000}
	for _, o := range opts {
		o(&c)
	}
	if len(traces) < 2 {
		return nil, &Error{Op: "Compare", Msg: fmt.Sprintf("need at least 2 models, got %d", len(traces))}
	}
	method := strings.ToLower(c.method)
	if method != "stacking" && method != "bb-pseudo-bma" && method != "pseudo-bma" {
		return nil, &Error{Op: "Compare", Msg: fmt.Sprintf("unknown method %q (use stacking, BB-pseudo-BMA or pseudo-BMA)", c.method)}
	}
	if c.ic != "loo" && c.ic != "waic" {
		return nil, &Error{Op: "Compare", Msg: fmt.Sprintf("unknown criterion %q (use loo or waic)", c.ic)}
	}
	if method == "bb-pseudo-bma" && c.bbDraws < 1 {
		return nil, &Error{Op: "Compare", Msg: fmt.Sprintf("BootstrapDraws must be at least 1, got %d", c.bbDraws)}
	}
	res := map[string]*ELPD{}
	n := -1
	for _, name := range sortedKeys(traces) {
		var r *ELPD
		var err error
		if c.ic == "waic" {
			r, err = WAIC(traces[name], LogLikVar(c.varName))
		} else {
			r, err = LOO(traces[name], LogLikVar(c.varName))
		}
		if err != nil {
			return nil, &Error{Op: "Compare", Var: name, Msg: err.Error()}
		}
		if n >= 0 && r.NObs != n {
			return nil, &Error{Op: "Compare", Var: name, Msg: fmt.Sprintf("has %d observations but the other models have %d: models must be compared on the same data", r.NObs, n)}
		}
		n = r.NObs
		res[name] = r
	}
	names := sortedByELPD(res)
	points := make([][]float64, len(names))
	for k, name := range names {
		points[k] = res[name].Pointwise
	}
	var w []float64
	switch method {
	case "stacking":
		w = StackingWeights(points)
	case "pseudo-bma":
		w = PseudoBMAWeights(points)
	default:
		w = BBPseudoBMAWeights(points, c.bbDraws, c.seed)
	}
	cmp := &Comparison{IC: c.ic, Method: c.method}
	best := res[names[0]]
	for k, name := range names {
		r := res[name]
		row := CompareRow{Name: name, Rank: k, ELPD: r.ELPD, P: r.P, SE: r.SE, Weight: w[k], Warning: r.Warning, Result: r}
		if k > 0 {
			row.ELPDDiff = best.ELPD - r.ELPD
			d := make([]float64, n)
			for i := range d {
				d[i] = best.Pointwise[i] - r.Pointwise[i]
			}
			_, v := sumSE(d)
			row.DSE = math.Sqrt(float64(n) * v)
		}
		cmp.Rows = append(cmp.Rows, row)
	}
	return cmp, nil
}

// StackingWeights are the stacking weights of K models from their pointwise elpd values
// points[k][i] (Yao, Vehtari, Simpson and Gelman 2018): the weights on the simplex that
// maximize Σ_i log Σ_k w_k exp(points[k][i]), as loo::loo_model_weights(method = "stacking").
// The concave objective is climbed by EM steps and finished by constrained Newton steps on
// the models with positive weight.
func StackingWeights(points [][]float64) []float64 {
	k := len(points)
	if k == 0 {
		return nil
	}
	n := len(points[0])
	// Likelihoods scaled per observation by their maximum over models.
	p := make([][]float64, k)
	for j := range p {
		p[j] = make([]float64, n)
	}
	for i := range n {
		m := math.Inf(-1)
		for j := range k {
			m = max(m, points[j][i])
		}
		for j := range k {
			p[j][i] = math.Exp(points[j][i] - m)
		}
	}
	w := make([]float64, k)
	for j := range w {
		w[j] = 1 / float64(k)
	}
	s := make([]float64, n)
	mix := func() {
		for i := range s {
			t := 0.0
			for j := range k {
				t += w[j] * p[j][i]
			}
			s[i] = t
		}
	}
	next := make([]float64, k)
	for it := 0; it < 5000; it++ {
		mix()
		change := 0.0
		for j := range k {
			g := 0.0
			for i, v := range p[j] {
				g += v / s[i]
			}
			next[j] = w[j] * g / float64(n)
			change = max(change, math.Abs(next[j]-w[j]))
		}
		copy(w, next)
		if change < 1e-13 {
			break
		}
	}
	// Newton on the active set with Σw = 1: the KKT system [H 1; 1ᵀ 0][δ; λ] = [−g; 0].
	for it := 0; it < 20; it++ {
		var act []int
		for j := range k {
			if w[j] > 1e-9 {
				act = append(act, j)
			}
		}
		a := len(act)
		if a < 2 {
			break
		}
		mix()
		g := make([]float64, a)
		h := mat.NewDense(a+1, a+1, nil)
		for x, jx := range act {
			for i := range n {
				g[x] += p[jx][i] / s[i]
			}
			for y, jy := range act[:x+1] {
				hv := 0.0
				for i := range n {
					hv -= p[jx][i] * p[jy][i] / (s[i] * s[i])
				}
				h.Set(x, y, hv)
				h.Set(y, x, hv)
			}
			h.Set(x, a, 1)
			h.Set(a, x, 1)
		}
		rhs := mat.NewVecDense(a+1, nil)
		for x := range a {
			rhs.SetVec(x, -g[x])
		}
		var sol mat.VecDense
		if err := sol.SolveVec(h, rhs); err != nil {
			break
		}
		step := 1.0
		for x, j := range act {
			if d := sol.AtVec(x); w[j]+step*d < 0 {
				step = -w[j] / d * 0.5
			}
		}
		done := true
		for x, j := range act {
			d := step * sol.AtVec(x)
			w[j] += d
			if math.Abs(d) > 1e-15 {
				done = false
			}
		}
		if done {
			break
		}
	}
	sum := 0.0
	for j := range w {
		w[j] = max(w[j], 0)
		sum += w[j]
	}
	for j := range w {
		w[j] /= sum
	}
	return w
}

// PseudoBMAWeights are Akaike-type weights exp(elpd_k)/Σ exp(elpd_j) from pointwise elpd
// values points[k][i].
func PseudoBMAWeights(points [][]float64) []float64 {
	z := make([]float64, len(points))
	for k, p := range points {
		z[k], _ = sumSE(p)
	}
	return softmax(z)
}

// BBPseudoBMAWeights are pseudo-BMA+ weights (Yao et al. 2018): the average over draws
// Bayesian bootstrap replicates (Dirichlet(1, …, 1) weights α on the observations) of the
// pseudo-BMA weights of n·Σ_i α_i·points[k][i], as loo's pseudobma_weights(BB = TRUE).
func BBPseudoBMAWeights(points [][]float64, draws int, seed uint64) []float64 {
	k := len(points)
	n := len(points[0])
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	alpha := make([]float64, n)
	z := make([]float64, k)
	w := make([]float64, k)
	for range draws {
		sum := 0.0
		for i := range alpha {
			alpha[i] = rng.ExpFloat64() // Dirichlet(1, ..., 1) by normalized exponentials
			sum += alpha[i]
		}
		for j, p := range points {
			t := 0.0
			for i, v := range p {
				t += alpha[i] * v
			}
			z[j] = float64(n) * t / sum
		}
		for j, v := range softmax(z) {
			w[j] += v / float64(draws)
		}
	}
	return w
}

func softmax(z []float64) []float64 {
	m := math.Inf(-1)
	for _, v := range z {
		m = max(m, v)
	}
	out := make([]float64, len(z))
	s := 0.0
	for i, v := range z {
		out[i] = math.Exp(v - m)
		s += out[i]
	}
	for i := range out {
		out[i] /= s
	}
	return out
}

// Columns are the table's column names, ArviZ's.
func (c *Comparison) Columns() []string {
	return []string{"rank", "elpd_" + c.IC, "p_" + c.IC, "elpd_diff", "weight", "se", "dse", "warning"}
}

func (c *Comparison) cells(r CompareRow) []string {
	return []string{fmt.Sprint(r.Rank), fmt.Sprintf("%.2f", r.ELPD), fmt.Sprintf("%.2f", r.P),
		fmt.Sprintf("%.2f", r.ELPDDiff), fmt.Sprintf("%.3f", r.Weight), fmt.Sprintf("%.2f", r.SE),
		fmt.Sprintf("%.2f", r.DSE), fmt.Sprint(r.Warning)}
}

// Get returns a model's row by name.
func (c *Comparison) Get(name string) (CompareRow, bool) {
	for _, r := range c.Rows {
		if r.Name == name {
			return r, true
		}
	}
	return CompareRow{}, false
}

// String prints the table with aligned columns, best model first, and the models' warnings.
func (c *Comparison) String() string {
	if c == nil {
		return "<nil Comparison>"
	}
	cols := c.Columns()
	widths := make([]int, len(cols))
	for j, h := range cols {
		widths[j] = len(h)
	}
	nameW := 0
	cells := make([][]string, len(c.Rows))
	for i, r := range c.Rows {
		nameW = max(nameW, len([]rune(r.Name)))
		cells[i] = c.cells(r)
		for j, s := range cells[i] {
			widths[j] = max(widths[j], len(s))
		}
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", nameW))
	for j, h := range cols {
		fmt.Fprintf(&b, "  %*s", widths[j], h)
	}
	b.WriteByte('\n')
	for i, r := range c.Rows {
		b.WriteString(r.Name + strings.Repeat(" ", nameW-len([]rune(r.Name))))
		for j, s := range cells[i] {
			fmt.Fprintf(&b, "  %*s", widths[j], s)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "(weights by %s; elpd on the log scale, higher is better)\n", c.Method)
	for _, r := range c.Rows {
		if w := r.Result.brief(); w != "" {
			fmt.Fprintf(&b, "Warning (%s): %s\n", r.Name, w)
		}
	}
	return b.String()
}

// HTML renders the table with the classes pandas uses, so Jupyter styles it like ArviZ's.
func (c *Comparison) HTML() string {
	if c == nil {
		return "<p>nil Comparison</p>"
	}
	var b strings.Builder
	b.WriteString(`<table border="1" class="dataframe gopm-compare">` + "\n  <thead>\n    <tr style=\"text-align: right;\">\n      <th></th>\n")
	for _, h := range c.Columns() {
		fmt.Fprintf(&b, "      <th>%s</th>\n", h)
	}
	b.WriteString("    </tr>\n  </thead>\n  <tbody>\n")
	for _, r := range c.Rows {
		fmt.Fprintf(&b, "    <tr>\n      <th>%s</th>\n", html.EscapeString(r.Name))
		for _, s := range c.cells(r) {
			fmt.Fprintf(&b, "      <td>%s</td>\n", s)
		}
		b.WriteString("    </tr>\n")
	}
	b.WriteString("  </tbody>\n</table>\n")
	fmt.Fprintf(&b, "<p>Weights by %s.</p>\n", html.EscapeString(c.Method))
	for _, r := range c.Rows {
		if w := r.Result.brief(); w != "" {
			fmt.Fprintf(&b, "<p style=\"color: #a94442;\">Warning (%s): %s</p>\n", html.EscapeString(r.Name), html.EscapeString(w))
		}
	}
	return b.String()
}
