package diag

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func testSummary(t *testing.T, opts ...Option) (*Summary, [][][]float64) {
	t.Helper()
	draws := [][][]float64{ar1Chains(1, 4, 1000, 0.3), ar1Chains(2, 4, 1000, 0.6)}
	for c := range draws[1] {
		for d := range draws[1][c] {
			draws[1][c][d] = 10 + 3*draws[1][c][d]
		}
	}
	s, err := Summarize([]string{"alpha", "beta[0]"}, draws, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s, draws
}

// TestSummaryValues: each column equals the function that defines it.
func TestSummaryValues(t *testing.T) {
	s, draws := testSummary(t)
	if s.Chains() != 4 || s.Draws() != 1000 || s.HDIProb() != 0.94 {
		t.Fatalf("Chains, Draws, HDIProb = %d, %d, %g", s.Chains(), s.Draws(), s.HDIProb())
	}
	for i, r := range s.Rows() {
		x := draws[i]
		p := pool(x)
		m, v := meanVar(p)
		lo, hi := HDI(p, 0.94)
		want := []float64{m, math.Sqrt(v), lo, hi, MCSEMean(x), MCSESD(x), ESSBulk(x), ESSTail(x), RHat(x)}
		for j, col := range s.Columns() {
			got, err := s.Get(r.Name, col)
			if err != nil || got != want[j] {
				t.Errorf("%s %s = %g (err %v), want %g", r.Name, col, got, err, want[j])
			}
		}
	}
	if got, _ := s.Get("beta[0]", "mean"); math.Abs(got-10) > 0.3 {
		t.Errorf("beta[0] mean = %g, want about 10", got)
	}
	if got, _ := s.Get("beta[0]", "sd"); math.Abs(got-3) > 0.3 {
		t.Errorf("beta[0] sd = %g, want about 3", got)
	}
	lo, _ := s.Get("alpha", "hdi_low")
	lo2, _ := s.Get("alpha", "hdi_3%")
	if lo != lo2 {
		t.Errorf("hdi_low %g differs from hdi_3%% %g", lo, lo2)
	}
	if _, err := s.Get("gamma", "mean"); err == nil || !strings.Contains(err.Error(), `"gamma"`) {
		t.Errorf("Get of an unknown variable: err %v", err)
	}
	if _, err := s.Get("alpha", "median"); err == nil || !strings.Contains(err.Error(), `"median"`) {
		t.Errorf("Get of an unknown column: err %v", err)
	}
}

func TestSummaryLabels(t *testing.T) {
	for _, c := range []struct {
		prob   float64
		lo, hi string
	}{
		{0.94, "hdi_3%", "hdi_97%"},
		{0.89, "hdi_5.5%", "hdi_94.5%"},
		{0.95, "hdi_2.5%", "hdi_97.5%"},
		{0.5, "hdi_25%", "hdi_75%"},
	} {
		s, _ := testSummary(t, HDIProb(c.prob))
		cols := s.Columns()
		if cols[2] != c.lo || cols[3] != c.hi {
			t.Errorf("HDIProb(%g) labels %s, %s, want %s, %s", c.prob, cols[2], cols[3], c.lo, c.hi)
		}
		if !strings.Contains(s.String(), c.lo) || !strings.Contains(s.HTML(), "<th>"+c.hi+"</th>") {
			t.Errorf("HDIProb(%g): label missing from String or HTML", c.prob)
		}
		x := pool(ar1Chains(1, 4, 1000, 0.3))
		lo, _ := HDI(x, c.prob)
		if got, _ := s.Get("alpha", c.lo); got != lo {
			t.Errorf("HDIProb(%g): %s = %g, want %g", c.prob, c.lo, got, lo)
		}
	}
}

// TestSummaryString checks the layout: a header with ArviZ's columns in
// order, one line per variable, every column right-aligned, numbers rounded
// to 3 decimals, ESS to integers and r_hat to 2 decimals.
func TestSummaryString(t *testing.T) {
	s, _ := testSummary(t)
	lines := strings.Split(strings.TrimRight(s.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("String has %d lines, want 3:\n%s", len(lines), s)
	}
	header := strings.Fields(lines[0])
	if strings.Join(header, " ") != "mean sd hdi_3% hdi_97% mcse_mean mcse_sd ess_bulk ess_tail r_hat" {
		t.Errorf("header %q", lines[0])
	}
	for i, r := range s.Rows() {
		line := lines[i+1]
		if len(line) != len(lines[0]) {
			t.Errorf("line %q has length %d, header %d", line, len(line), len(lines[0]))
		}
		f := strings.Fields(line)
		if f[0] != r.Name || len(f) != 10 {
			t.Fatalf("row %q", line)
		}
		vals := rowValues(r)
		patterns := []string{`^-?\d+\.\d{3}$`, `^\d+\.\d{3}$`, `^-?\d+\.\d{3}$`, `^-?\d+\.\d{3}$`, `^\d+\.\d{3}$`, `^\d+\.\d{3}$`, `^\d+$`, `^\d+$`, `^\d\.\d{2}$`}
		for j, cell := range f[1:] {
			if !regexp.MustCompile(patterns[j]).MatchString(cell) {
				t.Errorf("%s column %d: %q does not match %s", r.Name, j, cell, patterns[j])
			}
			got, _ := strconv.ParseFloat(cell, 64)
			digits := []float64{3, 3, 3, 3, 3, 3, 0, 0, 2}[j]
			if math.Abs(got-vals[j]) > 0.5*math.Pow(10, -digits)+1e-12 {
				t.Errorf("%s column %d prints %q for %g", r.Name, j, cell, vals[j])
			}
		}
		// Right alignment: each cell ends where its header label ends.
		for _, h := range header {
			end := strings.Index(lines[0], " "+h) + 1 + len(h)
			if end > len(line) || line[end-1] == ' ' || (end < len(line) && line[end] != ' ') {
				t.Errorf("%s: column %s not right-aligned in %q", r.Name, h, line)
			}
		}
	}
	s2, _ := testSummary(t, Decimals(1))
	if f := strings.Fields(strings.Split(s2.String(), "\n")[1]); !regexp.MustCompile(`^-?\d+\.\d$`).MatchString(f[1]) {
		t.Errorf("Decimals(1) prints mean as %q", f[1])
	}
}

func TestSummaryHTML(t *testing.T) {
	x := ar1Chains(3, 2, 200, 0)
	y := [][]float64{make([]float64, 200), make([]float64, 200)} // constant: NaN diagnostics
	s, err := Summarize([]string{"a<b>&c", "zero"}, [][][]float64{x, y})
	if err != nil {
		t.Fatal(err)
	}
	h := s.HTML()
	for _, want := range []string{
		`<table border="1" class="dataframe gopm-summary">`, "<thead>", "<tbody>", "</table>",
		"<th>mean</th>", "<th>hdi_3%</th>", "<th>r_hat</th>", "<th>a&lt;b&gt;&amp;c</th>",
		"<th>zero</th>", "<td>NaN</td>",
	} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q:\n%s", want, h)
		}
	}
	if strings.Contains(h, "<b>") {
		t.Error("HTML does not escape variable names")
	}
	if n := strings.Count(h, "<td>"); n != 18 {
		t.Errorf("HTML has %d cells, want 18", n)
	}
	if n := strings.Count(h, "<tr"); n != 3 {
		t.Errorf("HTML has %d rows, want 3", n)
	}
	if m, _ := s.Get("zero", "mean"); m != 0 {
		t.Errorf("constant variable mean = %g, want 0", m)
	}
	if strings.Contains(s.String(), "-0.000") {
		t.Errorf("String prints negative zero:\n%s", s)
	}
}

func TestSummarizeErrors(t *testing.T) {
	x := ar1Chains(1, 2, 10, 0)
	short := ar1Chains(1, 2, 9, 0)
	cases := []struct {
		name  string
		names []string
		draws [][][]float64
		opts  []Option
		want  string
	}{
		{"count", []string{"a", "b"}, [][][]float64{x}, nil, "2 names for 1 variables"},
		{"duplicate", []string{"a", "a"}, [][][]float64{x, x}, nil, `"a" appears twice`},
		{"empty name", []string{""}, [][][]float64{x}, nil, "empty name"},
		{"ragged", []string{"a"}, [][][]float64{{x[0], short[0]}}, nil, `variable "a": chain 1 has 9 draws`},
		{"no chains", []string{"a"}, [][][]float64{nil}, nil, `variable "a": no chains`},
		{"mismatch", []string{"a", "b"}, [][][]float64{x, short}, nil, `"b" has 2 chains × 9 draws`},
		{"prob", []string{"a"}, [][][]float64{x}, []Option{HDIProb(1)}, "HDI probability is 1"},
		{"decimals", []string{"a"}, [][][]float64{x}, []Option{Decimals(-1)}, "Decimals is -1"},
	}
	for _, c := range cases {
		s, err := Summarize(c.names, c.draws, c.opts...)
		if err == nil || s != nil || !strings.HasPrefix(err.Error(), "diag: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestNilSummary(t *testing.T) {
	var s *Summary
	if s.Rows() != nil || s.Names() != nil || s.String() == "" || s.HTML() == "" || s.Chains() != 0 || s.Draws() != 0 || len(s.Columns()) != 9 {
		t.Error("nil Summary methods")
	}
	if _, err := s.Get("a", "mean"); err == nil {
		t.Error("Get on nil Summary gives no error")
	}
	if ws := Warnings(s, SamplerStats{Divergences: 1}); len(ws) != 1 {
		t.Errorf("Warnings(nil summary) = %v", ws)
	}
}
