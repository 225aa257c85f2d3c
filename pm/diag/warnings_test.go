package diag

import (
	"strings"
	"testing"
)

func kinds(ws []Warning) string {
	var k []string
	for _, w := range ws {
		k = append(k, string(w.Kind))
	}
	return strings.Join(k, ",")
}

func TestWarningsSampler(t *testing.T) {
	cases := []struct {
		name  string
		st    SamplerStats
		kinds string
		text  []string
	}{
		{"clean", SamplerStats{Draws: 4000, MaxTreeDepth: 10, EBFMI: []float64{0.9, 1.1}}, "", nil},
		{"one divergence", SamplerStats{Divergences: 1}, "divergence",
			[]string{"There was 1 divergence after tuning.", "Increase `target_accept`", "non-centered"}},
		{"divergences", SamplerStats{Divergences: 12, TargetAccept: 0.8}, "divergence",
			[]string{"There were 12 divergences after tuning.", "(now 0.8; try 0.9)", "reparameterize"}},
		{"high target", SamplerStats{Divergences: 2, TargetAccept: 0.95}, "divergence", []string{"try 0.98"}},
		{"tree depth", SamplerStats{Draws: 4000, MaxTreeDepth: 10, TreeDepthHits: 40}, "treedepth",
			[]string{"40 of 4000 (1%) transitions hit the maximum tree depth of 10", "`max_treedepth`"}},
		{"bfmi", SamplerStats{EBFMI: []float64{0.5, 0.2, 0.31, 0.1}}, "bfmi",
			[]string{"There were 2 chains", "chain 1: 0.2", "chain 3: 0.1", "Bayesian Fraction of Missing Information"}},
		{"all", SamplerStats{Divergences: 3, MaxTreeDepth: 10, TreeDepthHits: 1, EBFMI: []float64{0.1}}, "divergence,treedepth,bfmi",
			[]string{"There was 1 chain where", "1 transitions hit"}},
	}
	for _, c := range cases {
		ws := Warnings(nil, c.st)
		if got := kinds(ws); got != c.kinds {
			t.Errorf("%s: kinds %q, want %q", c.name, got, c.kinds)
		}
		all := ""
		for _, w := range ws {
			all += w.String() + "\n"
		}
		for _, want := range c.text {
			if !strings.Contains(all, want) {
				t.Errorf("%s: %q not in %q", c.name, want, all)
			}
		}
	}
}

// TestWarningsSummary: the oracle's shifted_chain (one chain off by 3 sd)
// must raise R-hat and ESS warnings naming the variable; well-mixed iid
// draws raise none; a constant variable (NaN diagnostics) raises none.
func TestWarningsSummary(t *testing.T) {
	var shifted, iid [][]float64
	for _, oc := range loadOracles(t) {
		switch oc.name {
		case "shifted_chain":
			shifted = oc.draws["x"]
		case "iid_normal":
			iid = oc.draws["x"]
		}
	}
	if shifted == nil || iid == nil {
		t.Fatal("oracle cases shifted_chain and iid_normal not found")
	}
	constant := [][]float64{make([]float64, 1000), make([]float64, 1000), make([]float64, 1000), make([]float64, 1000)}
	s, err := Summarize([]string{"good", "bad", "const"}, [][][]float64{iid, shifted, constant})
	if err != nil {
		t.Fatal(err)
	}
	ws := Warnings(s, SamplerStats{MaxTreeDepth: 10, TreeDepthHits: 8})
	if got := kinds(ws); got != "treedepth,rhat,ess" {
		t.Fatalf("kinds %q, want treedepth,rhat,ess: %v", got, ws)
	}
	if !strings.Contains(ws[0].Message, "8 of 4000 (0.2%)") {
		t.Errorf("tree depth share from the summary's size: %q", ws[0].Message)
	}
	if !strings.Contains(ws[1].Message, "bad (1.476)") || strings.Contains(ws[1].Message, "good") || strings.Contains(ws[1].Message, "const") {
		t.Errorf("rhat warning: %q", ws[1].Message)
	}
	if !strings.Contains(ws[2].Message, "bad (bulk 8, tail 30)") || !strings.Contains(ws[2].Message, "4 chains") || strings.Contains(ws[2].Message, "good") {
		t.Errorf("ess warning: %q", ws[2].Message)
	}
	if ws := Warnings(s, SamplerStats{}); len(ws) != 2 {
		t.Errorf("without sampler stats: %v", ws)
	}
}
