package diag

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// Row is one variable's line of a Summary. HDILow and HDIHigh are the ends
// of the highest-density interval at the Summary's HDIProb.
type Row struct {
	Name     string
	Mean     float64
	SD       float64
	HDILow   float64
	HDIHigh  float64
	MCSEMean float64
	MCSESD   float64
	ESSBulk  float64
	ESSTail  float64
	RHat     float64
}

// Summary is ArviZ's summary table: one Row per variable with the columns
// mean, sd, hdi_<lo>%, hdi_<hi>%, mcse_mean, mcse_sd, ess_bulk, ess_tail and
// r_hat, in that order. It prints as an aligned text table (String) and
// renders as an HTML table (HTML) in Jupyter. Build it with Summarize.
type Summary struct {
	rows     []Row
	index    map[string]int
	hdiProb  float64
	decimals int
	chains   int
	draws    int
}

// Option changes how Summarize computes or prints a Summary.
type Option func(*summaryConfig)

type summaryConfig struct {
	hdiProb  float64
	decimals int
}

// HDIProb sets the probability mass of the HDI columns (default 0.94, whose
// labels are hdi_3% and hdi_97%; 0.89 gives hdi_5.5% and hdi_94.5%).
// Summarize fails unless 0 < p < 1.
func HDIProb(p float64) Option {
	return func(c *summaryConfig) { c.hdiProb = p }
}

// Decimals sets the number of decimals printed for the statistics columns
// (default 3). ESS columns always print as integers and r_hat with two
// decimals, as ArviZ does. It changes printing only, not the values.
func Decimals(n int) Option {
	return func(c *summaryConfig) { c.decimals = n }
}

// Summarize computes the summary table of variables names[v] with draws
// draws[v][chain][draw]: pooled mean and sd (n−1), the HDI, MCSE of the mean
// and sd, bulk and tail ESS and rank-normalized R-hat, each defined by the
// function of this package of that name.
//
// Every variable must have the same number of chains and draws. Variables
// whose draws hold NaN or are constant get NaN diagnostics, as in ArviZ;
// that is not an error.
func Summarize(names []string, draws [][][]float64, opts ...Option) (*Summary, error) {
	cfg := summaryConfig{hdiProb: 0.94, decimals: 3}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if !(cfg.hdiProb > 0 && cfg.hdiProb < 1) {
		return nil, fmt.Errorf("diag: HDI probability is %v, but must be in (0, 1)", cfg.hdiProb)
	}
	if cfg.decimals < 0 || cfg.decimals > 15 {
		return nil, fmt.Errorf("diag: Decimals is %d, but must be in [0, 15]", cfg.decimals)
	}
	if len(names) != len(draws) {
		return nil, fmt.Errorf("diag: %d names for %d variables of draws", len(names), len(draws))
	}
	s := &Summary{
		rows:     make([]Row, len(names)),
		index:    make(map[string]int, len(names)),
		hdiProb:  cfg.hdiProb,
		decimals: cfg.decimals,
	}
	for v, name := range names {
		if name == "" {
			return nil, fmt.Errorf("diag: variable %d has an empty name", v)
		}
		if _, dup := s.index[name]; dup {
			return nil, fmt.Errorf("diag: variable name %q appears twice", name)
		}
		s.index[name] = v
		x := draws[v]
		if err := Check(x); err != nil {
			return nil, fmt.Errorf("diag: variable %q: %s", name, strings.TrimPrefix(err.Error(), "diag: "))
		}
		if v == 0 {
			s.chains, s.draws = len(x), len(x[0])
		} else if len(x) != s.chains || len(x[0]) != s.draws {
			return nil, fmt.Errorf("diag: variable %q has %d chains × %d draws but %q has %d × %d",
				name, len(x), len(x[0]), names[0], s.chains, s.draws)
		}
		// One variable value shares the sort and the rank scores among
		// the columns.
		vv := newVariable(x)
		m, vr := meanVar(vv.pooled)
		lo, hi := math.NaN(), math.NaN()
		if !hasNaN(vv.pooled) {
			vv.sort()
			lo, hi = hdiSorted(vv.sorted, cfg.hdiProb)
		}
		s.rows[v] = Row{
			Name:     name,
			Mean:     m,
			SD:       math.Sqrt(vr),
			HDILow:   lo,
			HDIHigh:  hi,
			MCSEMean: vv.mcseMean(),
			MCSESD:   vv.mcseSD(),
			ESSBulk:  vv.essBulk(BlomOffset),
			ESSTail:  vv.essTail(),
			RHat:     vv.rhat(BlomOffset),
		}
	}
	return s, nil
}

// Rows returns a copy of the table's rows in the order of the names given
// to Summarize. The methods of Summary accept a nil receiver (the result of
// a failed Summarize) without panicking.
func (s *Summary) Rows() []Row {
	if s == nil {
		return nil
	}
	return append([]Row(nil), s.rows...)
}

// Names returns the variable names in row order.
func (s *Summary) Names() []string {
	if s == nil {
		return nil
	}
	out := make([]string, len(s.rows))
	for i, r := range s.rows {
		out[i] = r.Name
	}
	return out
}

// HDIProb returns the probability mass of the table's HDI columns.
func (s *Summary) HDIProb() float64 {
	if s == nil {
		return math.NaN()
	}
	return s.hdiProb
}

// Chains returns the number of chains the table was computed from.
func (s *Summary) Chains() int {
	if s == nil {
		return 0
	}
	return s.chains
}

// Draws returns the number of draws per chain the table was computed from.
func (s *Summary) Draws() int {
	if s == nil {
		return 0
	}
	return s.draws
}

// Columns returns the column labels in ArviZ's order, with the HDI labels
// following HDIProb: mean, sd, hdi_3%, hdi_97%, mcse_mean, mcse_sd,
// ess_bulk, ess_tail, r_hat for the default 0.94.
func (s *Summary) Columns() []string {
	lo, hi := hdiLabels(s.HDIProb())
	return []string{"mean", "sd", lo, hi, "mcse_mean", "mcse_sd", "ess_bulk", "ess_tail", "r_hat"}
}

// Get returns the value in row name and column column. Columns are named as
// in Columns; "hdi_low" and "hdi_high" also name the HDI columns whatever
// their probability.
func (s *Summary) Get(name, column string) (float64, error) {
	if s == nil {
		return math.NaN(), fmt.Errorf("diag: Get on a nil Summary (did Summarize fail?)")
	}
	i, ok := s.index[name]
	if !ok {
		return math.NaN(), fmt.Errorf("diag: summary has no variable %q (variables: %s)", name, strings.Join(s.Names(), ", "))
	}
	vals := rowValues(s.rows[i])
	for j, c := range s.Columns() {
		if c == column {
			return vals[j], nil
		}
	}
	switch column {
	case "hdi_low":
		return vals[2], nil
	case "hdi_high":
		return vals[3], nil
	}
	return math.NaN(), fmt.Errorf("diag: summary has no column %q (columns: %s)", column, strings.Join(s.Columns(), ", "))
}

func rowValues(r Row) []float64 {
	return []float64{r.Mean, r.SD, r.HDILow, r.HDIHigh, r.MCSEMean, r.MCSESD, r.ESSBulk, r.ESSTail, r.RHat}
}

// hdiLabels names the HDI columns by their tail percentages, rounded to
// remove binary noise: 0.94 gives hdi_3% and hdi_97% (ArviZ's labels).
func hdiLabels(prob float64) (lo, hi string) {
	pct := func(v float64) string {
		v = math.Round(v*1e8) / 1e8
		return "hdi_" + strconv.FormatFloat(v, 'f', -1, 64) + "%"
	}
	return pct(100 * (1 - prob) / 2), pct(100 * (1 + prob) / 2)
}

// cells formats a row's values as printed: statistics with s.decimals
// decimals, ESS as integers, r_hat with two decimals.
func (s *Summary) cells(r Row) []string {
	vals := rowValues(r)
	out := make([]string, len(vals))
	for j, v := range vals {
		switch {
		case math.IsNaN(v):
			out[j] = "NaN"
		case j == 6 || j == 7:
			out[j] = strconv.FormatFloat(math.Round(v), 'f', 0, 64)
		case j == 8:
			out[j] = strconv.FormatFloat(v, 'f', 2, 64)
		default:
			out[j] = strconv.FormatFloat(v, 'f', s.decimals, 64)
			if out[j] == "-"+strconv.FormatFloat(0, 'f', s.decimals, 64) {
				// Rounding a tiny negative value must not print "-0.000".
				out[j] = out[j][1:]
			}
		}
	}
	return out
}

// String returns the table as aligned text: variable names left-aligned,
// numbers right-aligned under their column labels, one row per line.
func (s *Summary) String() string {
	if s == nil {
		return "<nil Summary>"
	}
	cols := s.Columns()
	table := make([][]string, len(s.rows))
	nameW := 0
	widths := make([]int, len(cols))
	for j, c := range cols {
		widths[j] = len(c)
	}
	for i, r := range s.rows {
		table[i] = s.cells(r)
		nameW = max(nameW, len([]rune(r.Name)))
		for j, c := range table[i] {
			widths[j] = max(widths[j], len(c))
		}
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", nameW))
	for j, c := range cols {
		fmt.Fprintf(&b, "  %*s", widths[j], c)
	}
	b.WriteByte('\n')
	for i, r := range s.rows {
		b.WriteString(r.Name)
		b.WriteString(strings.Repeat(" ", nameW-len([]rune(r.Name))))
		for j, c := range table[i] {
			fmt.Fprintf(&b, "  %*s", widths[j], c)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// HTML returns the table as an HTML <table> with the classes pandas uses
// ("dataframe"), so Jupyter styles it like an ArviZ summary. Variable names
// are escaped.
func (s *Summary) HTML() string {
	if s == nil {
		return "<p>nil Summary</p>"
	}
	var b strings.Builder
	b.WriteString(`<table border="1" class="dataframe gopm-summary">` + "\n")
	b.WriteString("  <thead>\n    <tr style=\"text-align: right;\">\n      <th></th>\n")
	for _, c := range s.Columns() {
		fmt.Fprintf(&b, "      <th>%s</th>\n", html.EscapeString(c))
	}
	b.WriteString("    </tr>\n  </thead>\n  <tbody>\n")
	for _, r := range s.rows {
		fmt.Fprintf(&b, "    <tr>\n      <th>%s</th>\n", html.EscapeString(r.Name))
		for _, c := range s.cells(r) {
			fmt.Fprintf(&b, "      <td>%s</td>\n", c)
		}
		b.WriteString("    </tr>\n")
	}
	b.WriteString("  </tbody>\n</table>\n")
	return b.String()
}
