package tensor

import (
	"regexp"
	"strings"
	"testing"
)

// TestPPTable checks PP's output for expressions that exercise precedence, associativity, unary
// operators, negative constants, calls, names and leaves.
func TestPPTable(t *testing.T) {
	x, y, z := Scalar("x"), Scalar("y"), Scalar("z")
	v := Vector("")
	cases := []struct {
		e    *Tensor
		want string
	}{
		{Add(x, y), "x + y"},
		{Add(Add(x, y), z), "x + y + z"},
		{Add(x, Add(y, z)), "x + (y + z)"},
		{Sub(Sub(x, y), z), "x - y - z"},
		{Sub(x, Sub(y, z)), "x - (y - z)"},
		{Sub(x, Add(y, z)), "x - (y + z)"},
		{Add(Mul(x, y), z), "x * y + z"},
		{Mul(Add(x, y), z), "(x + y) * z"},
		{Mul(x, Add(y, z)), "x * (y + z)"},
		{Div(x, Mul(y, z)), "x / (y * z)"},
		{Div(Mul(x, y), z), "x * y / z"},
		{Pow(x, Pow(y, z)), "x ** y ** z"},
		{Pow(Pow(x, y), z), "(x ** y) ** z"},
		{Neg(Pow(x, 2)), "-x ** 2"},
		{Pow(Neg(x), 2), "(-x) ** 2"},
		{Neg(Neg(x)), "-(-x)"},
		{Neg(Add(x, y)), "-(x + y)"},
		{Neg(Mul(x, y)), "-(x * y)"},
		{Mul(Neg(x), y), "-x * y"},
		{Add(x, Neg(y)), "x + -y"},
		{Pow(x, Neg(y)), "x ** (-y)"},
		{Mul(x, -2.0), "x * -2"},
		{Pow(-2.0, x), "(-2) ** x"},
		{Neg(-2.0), "-(-2)"},
		{Lt(Add(x, 1.0), y), "x + 1 < y"},
		{Lt(Lt(x, y), z), "(x < y) < z"},
		{And(Lt(x, y), Gt(y, z)), "x < y & y > z"},
		{Or(And(Lt(x, y), Gt(y, z)), Eq(x, z)), "x < y & y > z | x == z"},
		{And(Or(Lt(x, y), Gt(y, z)), Eq(x, z)), "(x < y | y > z) & x == z"},
		{Not(Lt(x, y)), "~(x < y)"},
		{Exp(Add(x, y)), "exp(x + y)"},
		{Mul(Exp(x), Log(y)), "exp(x) * log(y)"},
		{Switch(Gt(x, 0.0), x, Neg(x)), "switch(x > 0, x, -x)"},
		{Add(Sum(v), x), "sum{axes=[0]}(<float64[?]>) + x"},
		{Mul(Add(x, y).Named("s"), z), "s * z"},
		{Add(x, y).Named("s"), "x + y"},
		{Add(Const([]float64{1, 2}), x), "[1 2] + x"},
		{Add(Const(make([]float64, 9)), x), "<float64[9] constant> + x"},
		{Add(Shared("w", 1.0), Shared("", []float64{1})), "w + <shared float64[1]>"},
		{Mul(IntDiv(x, y), Mod(x, y)), "x // y * (x % y)"},
	}
	for _, c := range cases {
		if got := PP(c.e); got != c.want {
			t.Errorf("PP = %q, want %q", got, c.want)
		}
	}
}

// TestPPLimit checks that a graph whose printed form doubles at each level is cut, quickly.
func TestPPLimit(t *testing.T) {
	e := Scalar("x")
	for i := 0; i < 60; i++ {
		e = Add(e, e)
	}
	s := PP(e)
	if len(s) > ppLimit+8 || !strings.HasSuffix(s, "…") || !strings.HasPrefix(s, "x + x + (x + x) + (x + x + (x + x))") {
		t.Fatalf("PP of a 2^60-leaf expression: %d characters, starts %q, ends %q", len(s), s[:20], s[len(s)-10:])
	}
}

var (
	dotNodeRE = regexp.MustCompile(`^\t(\w+) \[(.*)\];$`)
	dotEdgeRE = regexp.MustCompile(`^\t(\w+) -> (\w+) \[label="([^"]*)"\];$`)
)

// dotParse checks the structure of DOT text line by line and returns its nodes (id -> attributes)
// and edges (src, dst, label).
func dotParse(t *testing.T, s string) (map[string]string, [][3]string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if lines[0] != "digraph gopm {" || lines[len(lines)-1] != "}" {
		t.Fatalf("not a digraph block:\n%s", s)
	}
	nodes := map[string]string{}
	var edges [][3]string
	for _, l := range lines[1 : len(lines)-1] {
		if m := dotEdgeRE.FindStringSubmatch(l); m != nil {
			edges = append(edges, [3]string{m[1], m[2], m[3]})
			continue
		}
		if m := dotNodeRE.FindStringSubmatch(l); m != nil {
			if m[1] == "node" {
				continue
			}
			if _, dup := nodes[m[1]]; dup {
				t.Errorf("node %s declared twice", m[1])
			}
			nodes[m[1]] = m[2]
			continue
		}
		if l != "\trankdir=TB;" {
			t.Errorf("unparsed line %q", l)
		}
	}
	for _, e := range edges {
		if _, ok := nodes[e[0]]; !ok {
			t.Errorf("edge from undeclared node %s", e[0])
		}
		if _, ok := nodes[e[1]]; !ok {
			t.Errorf("edge to undeclared node %s", e[1])
		}
	}
	return nodes, edges
}

// TestDOT checks DOT's node and edge counts, kinds and labels for a graph with an input, a
// constant, a shared variable, a reused subexpression and two outputs.
func TestDOT(t *testing.T) {
	x := Vector("x")
	w := Shared("w", []float64{1, 2, 3})
	p := Mul(x, w)                // mul(x, w)
	s := Sum(Exp(p)).Named("s")   // exp, sum
	r := Add(Log(s), Mul(p, 2.0)) // log, mul, add
	text := DOT(r, s)
	nodes, edges := dotParse(t, text)
	// leaves: x, w, 2; ops: mul, exp, sum, log, mul, add; outputs: 2.
	if len(nodes) != 3+6+2 {
		t.Errorf("%d nodes, want 11:\n%s", len(nodes), text)
	}
	// op inputs: 2+1+1+1+2+2 = 9; output edges: 2.
	if len(edges) != 11 {
		t.Errorf("%d edges, want 11:\n%s", len(edges), text)
	}
	count := func(sub string) int {
		n := 0
		for _, a := range nodes {
			if strings.Contains(a, sub) {
				n++
			}
		}
		return n
	}
	if got := count("shape=ellipse"); got != 6 {
		t.Errorf("%d op nodes, want 6", got)
	}
	if got := count("style=dashed"); got != 1 || !strings.Contains(text, `label="2\nfloat64[]"`) {
		t.Errorf("%d constant nodes, want 1 labelled 2 float64[]:\n%s", got, text)
	}
	if got := count("filled"); got != 1 || !strings.Contains(text, `label="w\nshared\nfloat64[3]"`) {
		t.Errorf("%d shared nodes, want 1 (w):\n%s", got, text)
	}
	if !strings.Contains(text, `label="x\nfloat64[?]"`) || !strings.Contains(text, `label="output 1: s\nfloat64[]"`) {
		t.Errorf("missing input or output label:\n%s", text)
	}
	// The edges into the last op (add) are labelled 0 and 1, and p feeds two ops.
	labels := map[string]int{}
	fromP := 0
	for _, e := range edges {
		labels[e[2]]++
		if strings.Contains(nodes[e[0]], `label="mul\n`) && e[1] != "" {
			fromP++
		}
	}
	if labels["0"] != 6 || labels["1"] != 3 || labels[""] != 2 {
		t.Errorf("edge labels %v, want six 0, three 1 and two unlabelled output edges", labels)
	}
	if fromP < 3 { // p feeds exp and the second mul; the second mul feeds add
		t.Errorf("%d edges leave the mul nodes, want at least 3", fromP)
	}
}

// TestDOTQuoting checks that names with quotes and backslashes are escaped.
func TestDOTQuoting(t *testing.T) {
	x := Scalar(`a"b\c`)
	nodes, edges := dotParse(t, DOT(Exp(x)))
	if len(nodes) != 3 || len(edges) != 2 {
		t.Fatalf("%d nodes and %d edges, want 3 and 2", len(nodes), len(edges))
	}
	found := false
	for _, a := range nodes {
		if strings.Contains(a, `label="a\"b\\c\nfloat64[]"`) {
			found = true
		}
	}
	if !found {
		t.Errorf("escaped name not found in %v", nodes)
	}
}
