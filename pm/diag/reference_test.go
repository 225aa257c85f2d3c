package diag

import (
	"math"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mathext"
)

// This file holds the plain reference forms of the rank-based diagnostics:
// split, rank and fold step by step as posterior 1.4.0 writes them, with a
// full sort each time. The package computes the same numbers with one sort
// per variable (variable.go); TestFastMatchesReference checks that the
// shortcuts (shared order, merged fold order, filtered odd-length ranks)
// change nothing.

// rankNormalize pools the draws of x, ranks them with ties averaged, and
// returns the normal scores Φ⁻¹((r−c)/(S−2c+1)) in the shape of x
// (Vehtari et al. 2021, eq. 14; c = 3/8 is Blom's offset).
func rankNormalize(x [][]float64, c float64) [][]float64 {
	pooled := pool(x)
	s := len(pooled)
	idx := make([]int, s)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return pooled[idx[a]] < pooled[idx[b]] })
	z := make([]float64, s)
	denom := float64(s) - 2*c + 1
	for i := 0; i < s; {
		j := i + 1
		for j < s && pooled[idx[j]] == pooled[idx[i]] {
			j++
		}
		// Ranks i+1 … j share the average rank (i+1+j)/2.
		r := float64(i+1+j) / 2
		q := mathext.NormalQuantile((r - c) / denom)
		for k := i; k < j; k++ {
			z[idx[k]] = q
		}
		i = j
	}
	out := make([][]float64, len(x))
	off := 0
	for k, ch := range x {
		out[k] = z[off : off+len(ch)]
		off += len(ch)
	}
	return out
}

// refSplit splits chains into halves, dropping the middle draw of an
// odd-length chain.
func refSplit(chains [][]float64) [][]float64 {
	n := len(chains[0])
	h := n / 2
	var out [][]float64
	for _, ch := range chains {
		out = append(out, ch[:h])
	}
	for _, ch := range chains {
		out = append(out, ch[n-h:])
	}
	return out
}

func refRHatBulk(chains [][]float64, c float64) float64 {
	return splitRHat(rankNormalize(refSplit(chains), c), nil)
}

func refRHatTail(chains [][]float64, c float64) float64 {
	med := Quantile(pool(chains), 0.5)
	folded := make([][]float64, len(chains))
	for k, ch := range chains {
		folded[k] = make([]float64, len(ch))
		for d, v := range ch {
			folded[k][d] = math.Abs(v - med)
		}
	}
	return refRHatBulk(folded, c)
}

func refESSBulk(chains [][]float64, c float64) float64 {
	return essSplit(rankNormalize(refSplit(chains), c))
}

func TestFastMatchesReference(t *testing.T) {
	type tc struct {
		name   string
		chains [][]float64
	}
	cases := []tc{
		{"even", ar1Chains(30, 4, 200, 0.5)},
		{"odd", ar1Chains(31, 3, 201, 0.5)},
		{"odd single", ar1Chains(32, 1, 301, 0.2)},
	}
	// Rounded draws have many ties, also across the median fold.
	ties := ar1Chains(33, 4, 151, 0.3)
	for _, ch := range ties {
		for d := range ch {
			ch[d] = math.Round(ch[d] * 4)
		}
	}
	cases = append(cases, tc{"ties odd", ties})
	for _, k := range cases {
		for _, c := range []float64{BlomOffset, RStanOffset} {
			v := newVariable(k.chains)
			for _, p := range []struct {
				what      string
				got, want float64
			}{
				{"rhatBulk", v.rhatBulk(c), refRHatBulk(k.chains, c)},
				{"rhatTail", v.rhatTail(c), refRHatTail(k.chains, c)},
				{"essBulk", v.essBulk(c), refESSBulk(k.chains, c)},
			} {
				if p.got != p.want || math.IsNaN(p.got) {
					t.Errorf("%s c=%g %s: fast %.17g, reference %.17g", k.name, c, p.what, p.got, p.want)
				}
			}
		}
	}
}
