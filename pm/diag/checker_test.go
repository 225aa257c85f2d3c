package diag

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// close reports whether a and b agree to rel relative error, or are both NaN.
func closeRel(a, b, rel float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= rel*math.Max(math.Abs(a), math.Abs(b))
}

// checkerCases are draws [chain][draw] of the kinds the diagnostics treat apart: mixing and
// sticky chains, odd lengths (a middle draw dropped), ties, chains that disagree, and the
// undefined cases (constant, NaN, Inf, too short).
func checkerCases() map[string][][]float64 {
	cases := map[string][][]float64{
		"ar 0.5 4x1000":   ar1Chains(1, 4, 1000, 0.5),
		"ar 0.95 4x1000":  ar1Chains(2, 4, 1000, 0.95),
		"ar -0.6 2x501":   ar1Chains(3, 2, 501, -0.6),
		"ar 0.3 1x200":    ar1Chains(4, 1, 200, 0.3),
		"ar 0.99 3x7":     ar1Chains(5, 3, 7, 0.99),
		"ar 0 2x5":        ar1Chains(6, 2, 5, 0),
		"short 4x2":       ar1Chains(7, 4, 2, 0),
		"constant 2x100":  {make([]float64, 100), make([]float64, 100)},
		"shifted chain":   ar1Chains(8, 4, 300, 0.2),
		"ties 4x400":      ar1Chains(9, 4, 400, 0.4),
		"binary 4x300":    ar1Chains(10, 4, 300, 0.7),
		"nan 2x100":       ar1Chains(11, 2, 100, 0.1),
		"inf 2x100":       ar1Chains(12, 2, 100, 0.1),
		"signed zeros":    {{0, math.Copysign(0, -1), 1, -1, 0, 2, -2, 0}, {math.Copysign(0, -1), 0, 3, 0, -3, 0, 1, 0}},
		"heavy tail 4x99": nil,
	}
	for d := range cases["shifted chain"][3] {
		cases["shifted chain"][3][d] += 2
	}
	for _, ch := range cases["ties 4x400"] {
		for d := range ch {
			ch[d] = math.Round(ch[d] * 3)
		}
	}
	for _, ch := range cases["binary 4x300"] {
		for d := range ch {
			ch[d] = math.Max(0, math.Copysign(1, ch[d]))
		}
	}
	cases["nan 2x100"][1][50] = math.NaN()
	cases["inf 2x100"][0][3] = math.Inf(1)
	rng := rand.New(rand.NewPCG(13, 1))
	heavy := make([][]float64, 4)
	for c := range heavy {
		heavy[c] = make([]float64, 99)
		for d := range heavy[c] {
			heavy[c][d] = math.Tan(math.Pi * (rng.Float64() - 0.5))
		}
	}
	cases["heavy tail 4x99"] = heavy
	return cases
}

// The Checker's R-hat and ESS (radix sort, score table, lag-by-lag autocovariances) agree with
// RHat, ESSBulk and ESSTail (comparison sort, NormalQuantile per draw, FFT autocovariances),
// and are NaN in the same cases.
func TestCheckerMatchesDiagnostics(t *testing.T) {
	for name, x := range checkerCases() {
		k := NewChecker(len(x), len(x[0]))
		r, err := k.Add(name, pool(x))
		if err != nil {
			t.Fatal(err)
		}
		want := Row{RHat: RHat(x), ESSBulk: ESSBulk(x), ESSTail: ESSTail(x)}
		if !closeRel(r.RHat, want.RHat, 1e-12) || !closeRel(r.ESSBulk, want.ESSBulk, 1e-9) || !closeRel(r.ESSTail, want.ESSTail, 1e-9) {
			t.Errorf("%s: Checker R-hat %v, bulk %v, tail %v; want %v, %v, %v", name, r.RHat, r.ESSBulk, r.ESSTail, want.RHat, want.ESSBulk, want.ESSTail)
		}
		if !math.IsNaN(r.Mean) || !math.IsNaN(r.HDILow) || !math.IsNaN(r.MCSEMean) {
			t.Errorf("%s: columns the Checker does not compute are not NaN: %+v", name, r)
		}
	}
	if _, err := NewChecker(2, 10).Add("x", make([]float64, 19)); err == nil {
		t.Error("19 draws for 2 chains × 10: no error")
	}
}

// One Checker reused over many variables gives the warnings Warnings gives on their Summary,
// word for word, and allocates nothing per variable once warm.
func TestCheckerWarningsMatchSummary(t *testing.T) {
	const m, n = 4, 250
	var names []string
	var draws [][][]float64
	for i, phi := range []float64{0.2, 0.97, 0.5, 0.995, -0.3} {
		x := ar1Chains(uint64(20+i), m, n, phi)
		if i == 2 {
			for d := range x[1] {
				x[1][d] += 1.5 // one chain elsewhere: R-hat
			}
		}
		names = append(names, string(rune('a'+i)))
		draws = append(draws, x)
	}
	s, err := Summarize(names, draws)
	if err != nil {
		t.Fatal(err)
	}
	st := SamplerStats{Divergences: 2, TargetAccept: 0.8, MaxTreeDepth: 10, TreeDepthHits: 3}
	want := Warnings(s, st)
	k := NewChecker(m, n)
	for i := range names {
		if _, err := k.Add(names[i], pool(draws[i])); err != nil {
			t.Fatal(err)
		}
	}
	got := k.Warnings(st)
	if kinds(want) != "divergence,treedepth,rhat,ess" {
		t.Fatalf("test draws do not raise every warning: %s", kinds(want))
	}
	if len(got) != len(want) {
		t.Fatalf("Checker: %d warnings (%s), Summary: %d (%s)", len(got), kinds(got), len(want), kinds(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("warning %d:\n Checker %q\n Summary %q", i, got[i].Message, want[i].Message)
		}
	}
	x := pool(draws[0])
	if a := testing.AllocsPerRun(20, func() { k.rows = k.rows[:0]; k.Add("a", x) }); a > 0 {
		t.Errorf("Add allocates %v times per variable", a)
	}
}

func BenchmarkChecker4x1000(b *testing.B) {
	x := pool(ar1Chains(1, 4, 1000, 0.5))
	k := NewChecker(4, 1000)
	b.ReportAllocs()
	for b.Loop() {
		k.rows = k.rows[:0]
		r, _ := k.Add("x", x)
		sink = r.ESSBulk
	}
}

// BenchmarkRHatESSBulkTail4x1000 is what the Checker replaces: the three functions on one
// variable.
func BenchmarkRHatESSBulkTail4x1000(b *testing.B) {
	x := ar1Chains(1, 4, 1000, 0.5)
	b.ReportAllocs()
	for b.Loop() {
		v := newVariable(x)
		sink = v.rhat(BlomOffset) + v.essBulk(BlomOffset) + v.essTail()
	}
}

// The Checker's sort (a radix sort on the high halves of the keys, then runs of equal high
// halves sorted on the full keys) orders draws as a stable sort on their values does, with
// near-equal draws (equal high halves), exact ties, −0 and +0, and negative values.
func TestCheckerSortIsStableSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 13))
	for rep := 0; rep < 50; rep++ {
		const m, n = 4, 300
		x := make([]float64, m*n)
		for i := range x {
			switch rng.IntN(6) {
			case 0:
				x[i] = 1 + float64(rng.IntN(1000))*1e-12 // equal high halves, different values
			case 1:
				x[i] = float64(rng.IntN(5)) - 2 // exact ties
			case 2:
				x[i] = math.Copysign(0, -1)
			default:
				x[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-4))
			}
		}
		k := NewChecker(m, n)
		k.sort(x)
		want := make([]int, len(x))
		for i := range want {
			want[i] = i
		}
		sort.SliceStable(want, func(a, b int) bool { return x[want[a]] < x[want[b]] })
		for j := range want {
			if int(k.order[j]) != want[j] || k.sorted[j] != x[want[j]] {
				t.Fatalf("rep %d: position %d holds draw %d (%v), a stable sort puts draw %d (%v)", rep, j, k.order[j], k.sorted[j], want[j], x[want[j]])
			}
		}
	}
}
