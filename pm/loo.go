package pm

import (
	"fmt"
	"html"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// ELPD is an estimate of the expected log pointwise predictive density of new data, by
// PSIS-LOO (LOO) or WAIC (WAIC): the numbers of R's loo and ArviZ's ELPDData. It prints as
// loo's table and renders as HTML in Jupyter.
type ELPD struct {
	// Method is "loo" or "waic".
	Method string
	// Var is the observed variable whose log-likelihood was used.
	Var string
	// ELPD is elpd_loo or elpd_waic, SE its standard error √(n·var(pointwise)).
	ELPD, SE float64
	// P is the effective number of parameters p_loo or p_waic, PSE its standard error.
	P, PSE float64
	// IC is the information criterion on the deviance scale, −2·ELPD (looic, waic), with
	// standard error 2·SE.
	IC float64
	// NObs and NDraws are the dimensions of the log-likelihood matrix; NChains its chains.
	NObs, NDraws, NChains int
	// Pointwise is each observation's elpd contribution, PointwiseP its p contribution
	// (for WAIC the variance of its log-likelihood).
	Pointwise, PointwiseP []float64
	// ParetoK is each observation's Pareto k̂ (LOO only); KThreshold is the value above which
	// the estimate is unreliable: min(1 − 1/log10(S), 0.7) for S draws (Vehtari et al. 2024).
	ParetoK    []float64
	KThreshold float64
	// NEff is the PSIS effective sample size of each observation, RelEff the relative
	// efficiency of its likelihood values from the chains (loo's r_eff) (LOO only).
	NEff, RelEff []float64
	// Warnings say where the estimate is unreliable, in words.
	Warnings []string
	// Warning is true when any observation triggered a warning (k̂ above the threshold, or a
	// WAIC pointwise variance above 0.4): ArviZ's compare column.
	Warning bool
}

// ELPDOption configures LOO, WAIC and Compare.
type ELPDOption func(*elpdConfig)

type elpdConfig struct {
	varName string
	method  string
	ic      string
	seed    uint64
	bbDraws int
}

// LogLikVar picks the observed variable whose log-likelihood LOO, WAIC and Compare use; it is
// needed when the model has several.
func LogLikVar(name string) ELPDOption { return func(c *elpdConfig) { c.varName = name } }

// pointwiseLL returns the chosen variable's log-likelihood as a matrix of observations
// (flattened) by draws [chain][draw][obs].
func pointwiseLL(op string, t *Trace, c elpdConfig) (*TraceVar, error) {
	if t == nil {
		return nil, &Error{Op: op, Msg: "the trace is nil"}
	}
	if len(t.LogLikelihood) == 0 {
		return nil, &Error{Op: op, Msg: "the trace has no pointwise log-likelihood: call pm.ComputeLogLikelihood(trace, model) or sample with pm.StoreLogLikelihood()"}
	}
	var v *TraceVar
	if c.varName != "" {
		v = t.LogLikelihoodVar(c.varName)
		if v == nil {
			return nil, &Error{Op: op, Var: c.varName, Msg: fmt.Sprintf("no log-likelihood of that variable (the trace has %s)", llNames(t))}
		}
	} else {
		if len(t.LogLikelihood) > 1 {
			return nil, &Error{Op: op, Msg: fmt.Sprintf("the trace has the log-likelihood of several observed variables (%s): choose one with pm.LogLikVar", llNames(t))}
		}
		v = t.LogLikelihood[0]
	}
	nc := len(v.Draws)
	if nc == 0 || len(v.Draws[0]) < 2 {
		return nil, &Error{Op: op, Var: v.Name, Msg: "the log-likelihood needs at least 2 draws"}
	}
	for c, ch := range v.Draws {
		if len(ch) != len(v.Draws[0]) {
			return nil, &Error{Op: op, Var: v.Name, Msg: fmt.Sprintf("chain %d has %d draws but chain 0 has %d (chains must have equal length)", c, len(ch), len(v.Draws[0]))}
		}
	}
	if v.Size() == 0 {
		return nil, &Error{Op: op, Var: v.Name, Msg: "there are no observations"}
	}
	return v, nil
}

func llNames(t *Trace) string {
	var n []string
	for _, v := range t.LogLikelihood {
		n = append(n, v.Name)
	}
	return strings.Join(n, ", ")
}

// forObs runs f on every observation of v, each with its log-likelihood at every draw
// (chain after chain) and a per-goroutine scratch, on up to GOMAXPROCS goroutines. The
// observations are read in blocks so that the draws-major storage is gathered with
// contiguous reads.
func forObs[W any](v *TraceVar, newWork func() W, f func(w W, i int, ll []float64)) {
	nc, nd := len(v.Draws), len(v.Draws[0])
	s := nc * nd
	nobs := v.Size()
	const block = 128
	nblocks := (nobs + block - 1) / block
	workers := min(runtime.GOMAXPROCS(0), nblocks)
	var wg sync.WaitGroup
	next := make(chan int, nblocks)
	for b := range nblocks {
		next <- b
	}
	close(next)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWork()
			// Rows of the block are padded by a cache line: at a stride of a power-of-two
			// multiple of 4 KiB, the 32 writes per draw would all fall in one cache set.
			stride := s + 8
			buf := make([]float64, min(block, nobs)*stride)
			for b := range next {
				i0 := b * block
				i1 := min(i0+block, nobs)
				width := i1 - i0
				for c, ch := range v.Draws {
					// Four draws at a time: four reads of consecutive rows, four writes to
					// consecutive places of each observation's row.
					d := 0
					for ; d+8 <= nd; d += 8 {
						r0, r1, r2, r3 := ch[d][i0:i1], ch[d+1][i0:i1], ch[d+2][i0:i1], ch[d+3][i0:i1]
						r4, r5, r6, r7 := ch[d+4][i0:i1], ch[d+5][i0:i1], ch[d+6][i0:i1], ch[d+7][i0:i1]
						n := len(r0)
						r1, r2, r3, r4, r5, r6, r7 = r1[:n], r2[:n], r3[:n], r4[:n], r5[:n], r6[:n], r7[:n]
						o := c*nd + d
						for j, x := range r0 {
							dst := buf[o : o+8]
							dst[0], dst[1], dst[2], dst[3] = x, r1[j], r2[j], r3[j]
							dst[4], dst[5], dst[6], dst[7] = r4[j], r5[j], r6[j], r7[j]
							o += stride
						}
					}
					for ; d < nd; d++ {
						col := c*nd + d
						for j, x := range ch[d][i0:i1] {
							buf[j*stride+col] = x
						}
					}
				}
				for j := range width {
					f(w, i0+j, buf[j*stride:j*stride+s])
				}
			}
		}()
	}
	wg.Wait()
}

// LOO estimates the expected log pointwise predictive density by Pareto-smoothed importance
// sampling leave-one-out cross-validation (Vehtari, Gelman and Gabry 2017), from the pointwise
// log-likelihood stored in the trace, exactly as R's loo::loo does with r_eff from
// loo::relative_eff: elpd_loo, p_loo, looic with standard errors, and per observation the
// elpd, the Pareto k̂ diagnostic, the PSIS effective sample size and r_eff. Observations
// whose k̂ exceeds min(1 − 1/log10(S), 0.7) (Vehtari et al. 2024) are named in Warnings.
func LOO(t *Trace, opts ...ELPDOption) (*ELPD, error) {
	var c elpdConfig
	for _, o := range opts {
		o(&c)
	}
	v, err := pointwiseLL("LOO", t, c)
	if err != nil {
		return nil, err
	}
	r, _ := looOf(v, false)
	if err := r.finiteErr("LOO"); err != nil {
		return nil, err
	}
	return r, nil
}

// finiteErr names the first observation whose log-likelihood was not finite at some draw.
func (r *ELPD) finiteErr(op string) error {
	for i, p := range r.Pointwise {
		if math.IsNaN(p) {
			return &Error{Op: op, Var: r.Var, Msg: fmt.Sprintf("the log-likelihood of observation %d is not finite at some draws (-Inf, +Inf or NaN): the observation is impossible under part of the posterior, so its leave-one-out density cannot be estimated", i)}
		}
	}
	return nil
}

// looOf runs PSIS-LOO on a variable's log-likelihood; with keepWeights it also returns every
// observation's normalized log weights [obs][draw].
func looOf(v *TraceVar, keepWeights bool) (*ELPD, [][]float64) {
	nc, nd := len(v.Draws), len(v.Draws[0])
	s, n := nc*nd, v.Size()
	r := &ELPD{Method: "loo", Var: v.Name, NObs: n, NDraws: s, NChains: nc,
		Pointwise: make([]float64, n), PointwiseP: make([]float64, n), ParetoK: make([]float64, n),
		NEff: make([]float64, n), RelEff: make([]float64, n), KThreshold: KThreshold(s)}
	var lws [][]float64
	if keepWeights {
		lws = make([][]float64, n)
	}
	forObs(v, func() *psisWork { return newPSISWork(nc, nd) }, func(w *psisWork, i int, ll []float64) {
		o := w.psis(ll, nc, nd)
		if o.bad {
			o = psisObs{elpd: math.NaN(), lpd: math.NaN(), k: math.NaN(), neff: math.NaN(), reff: math.NaN()}
		}
		r.Pointwise[i] = o.elpd
		r.PointwiseP[i] = o.lpd - o.elpd
		r.ParetoK[i] = o.k
		r.NEff[i] = o.neff
		r.RelEff[i] = o.reff
		if keepWeights {
			lw := append([]float64(nil), w.lw...)
			lse := logSumExp(lw)
			for j := range lw {
				lw[j] -= lse
			}
			lws[i] = lw
		}
	})
	r.finish()
	r.kWarnings()
	return r, lws
}

// KThreshold is the Pareto k̂ above which PSIS with S draws is unreliable:
// min(1 − 1/log10(S), 0.7) (Vehtari, Simpson, Gelman, Yao and Gabry 2024, "Pareto smoothed
// importance sampling", JMLR 25(72)). Below 2,154 draws it is lower than 0.7.
func KThreshold(s int) float64 {
	if s <= 10 {
		return 0
	}
	return min(1-1/math.Log10(float64(s)), 0.7)
}

// finish sums the pointwise values into the estimates and their standard errors.
func (r *ELPD) finish() {
	n := float64(r.NObs)
	var se2 float64
	r.ELPD, se2 = sumSE(r.Pointwise)
	r.SE = math.Sqrt(n * se2)
	r.P, se2 = sumSE(r.PointwiseP)
	r.PSE = math.Sqrt(n * se2)
	r.IC = -2 * r.ELPD
}

// sumSE returns the sum of x and its sample variance (n−1).
func sumSE(x []float64) (sum, variance float64) {
	for _, v := range x {
		sum += v
	}
	m := sum / float64(len(x))
	for _, v := range x {
		variance += (v - m) * (v - m)
	}
	if len(x) > 1 {
		variance /= float64(len(x) - 1)
	}
	return sum, variance
}

// kWarnings lists observations with high Pareto k̂, in the words of loo and ArviZ.
func (r *ELPD) kWarnings() {
	var high, veryHigh []int
	for i, k := range r.ParetoK {
		if k > r.KThreshold || math.IsNaN(k) {
			high = append(high, i)
		}
		if k > 1 {
			veryHigh = append(veryHigh, i)
		}
	}
	if len(high) == 0 {
		return
	}
	r.Warning = true
	w := fmt.Sprintf("%d of %d Pareto k estimates exceed %.2f (observations %s of %q): the importance sampling estimate of elpd_loo is unreliable for them. This happens with highly influential observations and non-robust models (refit without them or use a more robust model; see loo's help('pareto-k-diagnostic')).",
		len(high), r.NObs, r.KThreshold, listIndices(high, 10), r.Var)
	if r.KThreshold < 0.7 {
		w += fmt.Sprintf(" With %d draws the threshold is 1 - 1/log10(S) = %.2f (Vehtari et al. 2024); more draws raise it up to 0.7.", r.NDraws, r.KThreshold)
	}
	r.Warnings = append(r.Warnings, w)
	if len(veryHigh) > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("%d Pareto k estimates exceed 1 (observations %s): the importance ratios have no finite mean there and the estimate may be badly biased.", len(veryHigh), listIndices(veryHigh, 10)))
	}
}

// brief is the warnings in one line, for the comparison table ("" if none).
func (r *ELPD) brief() string {
	if !r.Warning {
		return ""
	}
	if r.Method == "waic" {
		var high []int
		for i, p := range r.PointwiseP {
			if p > 0.4 {
				high = append(high, i)
			}
		}
		return fmt.Sprintf("p_waic > 0.4 at observations %s: WAIC is unreliable", listIndices(high, 10))
	}
	var high []int
	for i, k := range r.ParetoK {
		if k > r.KThreshold || math.IsNaN(k) {
			high = append(high, i)
		}
	}
	return fmt.Sprintf("Pareto k > %.2f at observations %s: elpd_loo is unreliable there (see pm.LOO)", r.KThreshold, listIndices(high, 10))
}

func listIndices(ix []int, most int) string {
	var s []string
	for j, i := range ix {
		if j == most {
			s = append(s, fmt.Sprintf("and %d more", len(ix)-most))
			break
		}
		s = append(s, fmt.Sprint(i))
	}
	return strings.Join(s, ", ")
}

// WAIC is the widely applicable information criterion (Watanabe 2010) from the pointwise
// log-likelihood stored in the trace, as loo::waic computes it: elpd_waic = lpd − p_waic with
// p_waic the sum of the pointwise variances of the log-likelihood, and waic = −2·elpd_waic.
// Observations whose variance exceeds 0.4 are named in Warnings (WAIC is then unreliable and
// PSIS-LOO is recommended).
func WAIC(t *Trace, opts ...ELPDOption) (*ELPD, error) {
	var c elpdConfig
	for _, o := range opts {
		o(&c)
	}
	v, err := pointwiseLL("WAIC", t, c)
	if err != nil {
		return nil, err
	}
	nc, nd := len(v.Draws), len(v.Draws[0])
	s, n := nc*nd, v.Size()
	r := &ELPD{Method: "waic", Var: v.Name, NObs: n, NDraws: s, NChains: nc,
		Pointwise: make([]float64, n), PointwiseP: make([]float64, n)}
	forObs(v, func() []float64 { return make([]float64, s) }, func(e []float64, i int, ll []float64) {
		for _, x := range ll {
			if math.IsInf(x, 0) || math.IsNaN(x) {
				r.Pointwise[i], r.PointwiseP[i] = math.NaN(), math.NaN()
				return
			}
		}
		lpd := logSumExp(ll) - math.Log(float64(s))
		_, vr := sumSE(ll)
		r.PointwiseP[i] = vr
		r.Pointwise[i] = lpd - vr
	})
	if err := r.finiteErr("WAIC"); err != nil {
		return nil, err
	}
	r.finish()
	var high []int
	for i, p := range r.PointwiseP {
		if p > 0.4 {
			high = append(high, i)
		}
	}
	if len(high) > 0 {
		r.Warning = true
		r.Warnings = append(r.Warnings, fmt.Sprintf("%d of %d (%.1f%%) pointwise variances of the log predictive density exceed 0.4 (observations %s of %q): WAIC is unreliable; use LOO.",
			len(high), n, 100*float64(len(high))/float64(n), listIndices(high, 10), r.Var))
	}
	return r, nil
}

func logSumExp(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = max(m, v)
	}
	if math.IsInf(m, 0) {
		return m
	}
	s := 0.0
	for _, v := range x {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

// KCounts counts the Pareto k̂ values in loo's bins: good (≤ KThreshold), bad (up to 1) and
// very bad (above 1, or not finite).
func (r *ELPD) KCounts() (good, bad, veryBad int) {
	for _, k := range r.ParetoK {
		switch {
		case k <= r.KThreshold:
			good++
		case k <= 1:
			bad++
		default:
			veryBad++
		}
	}
	return
}

func (r *ELPD) names() (elpd, p, ic string) {
	if r.Method == "waic" {
		return "elpd_waic", "p_waic", "waic"
	}
	return "elpd_loo", "p_loo", "looic"
}

// String prints the estimates as loo's print method does, with the Pareto k̂ table and the
// warnings.
func (r *ELPD) String() string {
	if r == nil {
		return "<nil ELPD>"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Computed from %d by %d log-likelihood matrix of %q (%d chains)\n\n", r.NDraws, r.NObs, r.Var, r.NChains)
	e, p, ic := r.names()
	fmt.Fprintf(&b, "%-10s %9s %7s\n", "", "Estimate", "SE")
	fmt.Fprintf(&b, "%-10s %9.1f %7.1f\n", e, r.ELPD, r.SE)
	fmt.Fprintf(&b, "%-10s %9.1f %7.1f\n", p, r.P, r.PSE)
	fmt.Fprintf(&b, "%-10s %9.1f %7.1f\n", ic, r.IC, 2*r.SE)
	if r.Method == "loo" {
		b.WriteString("------\n")
		good, bad, vbad := r.KCounts()
		if bad+vbad == 0 {
			fmt.Fprintf(&b, "All Pareto k estimates are good (k <= %.2f).\n", r.KThreshold)
		} else {
			b.WriteString("Pareto k diagnostic values:\n")
			fmt.Fprintf(&b, "%-24s %6s %7s\n", "", "Count", "Pct.")
			n := float64(r.NObs)
			fmt.Fprintf(&b, "%-24s %6d %6.1f%%\n", fmt.Sprintf("(-Inf, %.2f] (good)", r.KThreshold), good, 100*float64(good)/n)
			fmt.Fprintf(&b, "%-24s %6d %6.1f%%\n", fmt.Sprintf("   (%.2f, 1] (bad)", r.KThreshold), bad, 100*float64(bad)/n)
			fmt.Fprintf(&b, "%-24s %6d %6.1f%%\n", "   (1, Inf) (very bad)", vbad, 100*float64(vbad)/n)
		}
	}
	for _, w := range r.Warnings {
		b.WriteString("Warning: " + w + "\n")
	}
	return b.String()
}

// HTML renders the estimates as a pandas-style table with the warnings below it.
func (r *ELPD) HTML() string {
	if r == nil {
		return "<p>nil ELPD</p>"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<p>Computed from %d by %d log-likelihood matrix of <code>%s</code> (%d chains)</p>\n", r.NDraws, r.NObs, html.EscapeString(r.Var), r.NChains)
	b.WriteString(`<table border="1" class="dataframe gopm-elpd">` + "\n  <thead>\n    <tr style=\"text-align: right;\">\n      <th></th>\n      <th>Estimate</th>\n      <th>SE</th>\n    </tr>\n  </thead>\n  <tbody>\n")
	e, p, ic := r.names()
	for _, row := range []struct {
		name   string
		est, s float64
	}{{e, r.ELPD, r.SE}, {p, r.P, r.PSE}, {ic, r.IC, 2 * r.SE}} {
		fmt.Fprintf(&b, "    <tr>\n      <th>%s</th>\n      <td>%.2f</td>\n      <td>%.2f</td>\n    </tr>\n", row.name, row.est, row.s)
	}
	b.WriteString("  </tbody>\n</table>\n")
	if r.Method == "loo" {
		good, bad, vbad := r.KCounts()
		fmt.Fprintf(&b, "<p>Pareto k: %d good (k &le; %.2f), %d bad, %d very bad (k &gt; 1)</p>\n", good, r.KThreshold, bad, vbad)
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "<p style=\"color: #a94442;\">Warning: %s</p>\n", html.EscapeString(w))
	}
	return b.String()
}

// sortedByELPD returns the names in decreasing order of elpd (ties by name).
func sortedByELPD(m map[string]*ELPD) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := m[names[i]].ELPD, m[names[j]].ELPD
		if a != b {
			return a > b
		}
		return names[i] < names[j]
	})
	return names
}
