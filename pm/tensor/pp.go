package tensor

import (
	"fmt"
	"strings"
)

// PP pretty-prints an expression in the style of Theano's pp: infix arithmetic, comparisons and
// logical operators with the fewest parentheses that keep the tree's structure, function-call
// syntax for other ops, names for named tensors (except the top one, whose expression is the
// point), values for small constants and the type for unnamed leaves.
//
// Precedence follows Python from loosest to tightest: | ^ & (logical), comparisons, + −,
// * / // %, unary − and ~, **. Operators associate to the left except ** (to the right); an
// operand that would regroup differently is parenthesized, so a − (b − c), a + (b + c) and
// (a ** b) ** c keep their parentheses while (a − b) − c prints as a − b − c. Comparisons do not
// chain: a < b < c is not how a comparison of a comparison prints.
//
// A shared subexpression prints once per use, so PP of a large gradient graph can be long; the
// result is cut at about 16k characters, ending in "…".
func PP(t *Tensor) string {
	p := ppPrinter{limit: ppLimit}
	p.expr(t, 0, true)
	return p.b.String()
}

// ppLimit bounds PP's output: a graph that reuses a subexpression at every level prints in
// exponential length.
const ppLimit = 16 << 10

// Printer is implemented by ops that print themselves in PP given their printed inputs. The
// result is treated as an atom (like a function call), so it should not be an unparenthesized
// infix expression.
type Printer interface {
	PP(in []string) string
}

// Operator precedences for printing, loosest first.
const (
	ppOr = 1 + iota
	ppXor
	ppAnd
	ppCmp
	ppAdd
	ppMul
	ppUnary
	ppPow
	ppAtom
)

// ppInfix returns the precedence of an elementwise op's operator symbol (0 if unknown).
func ppInfix(op string) int {
	switch op {
	case "|":
		return ppOr
	case "^":
		return ppXor
	case "&":
		return ppAnd
	case "<", ">", "<=", ">=", "==", "!=":
		return ppCmp
	case "+", "-":
		return ppAdd
	case "*", "/", "//", "%":
		return ppMul
	case "**":
		return ppPow
	}
	return 0
}

type ppPrinter struct {
	b     strings.Builder
	limit int
	cut   bool
}

func (p *ppPrinter) write(s string) {
	if p.cut {
		return
	}
	if p.b.Len()+len(s) > p.limit {
		p.b.WriteString("…")
		p.cut = true
		return
	}
	p.b.WriteString(s)
}

// prec is the precedence of t's printed form: the operator at its root, or ppAtom.
func ppPrec(t *Tensor, top bool) int {
	if t.name != "" && (!top || t.owner == nil) {
		return ppAtom
	}
	if t.value != nil {
		if t.value.Size() == 1 && len(t.value.Shape) == 0 && strings.HasPrefix(t.value.String(), "-") {
			return ppUnary // a negative number reads like a negation
		}
		return ppAtom
	}
	if t.owner == nil {
		return ppAtom
	}
	if e, ok := t.owner.Op.(Elemwise); ok {
		s := e.s
		if s.infix != "" && len(t.owner.Inputs) == 2 {
			if pr := ppInfix(s.infix); pr > 0 {
				return pr
			}
		}
		if s == opNeg || s == opNot {
			return ppUnary
		}
	}
	return ppAtom
}

// expr prints t, in parentheses if its precedence is below min.
func (p *ppPrinter) expr(t *Tensor, min int, top bool) {
	if p.cut {
		return
	}
	pr := ppPrec(t, top)
	if pr < min {
		p.write("(")
		defer p.write(")")
	}
	if t.name != "" && (!top || t.owner == nil) {
		p.write(t.name)
		return
	}
	switch {
	case t.value != nil:
		if t.value.Size() <= 8 {
			p.write(t.value.String())
		} else {
			p.write(fmt.Sprintf("<%s constant>", t.typ))
		}
		return
	case t.shared != nil:
		p.write(fmt.Sprintf("<shared %s>", t.typ))
		return
	case t.owner == nil:
		p.write(fmt.Sprintf("<%s>", t.typ))
		return
	}
	n := t.owner
	if e, ok := n.Op.(Elemwise); ok {
		s := e.s
		switch {
		case pr != ppAtom && len(n.Inputs) == 2:
			left, right := pr, pr+1 // left-associative: only the right operand regroups
			switch pr {
			case ppPow:
				left, right = pr+1, pr // right-associative
			case ppCmp:
				left = pr + 1 // comparisons do not chain
			}
			p.expr(n.Inputs[0], left, false)
			p.write(" " + s.infix + " ")
			p.expr(n.Inputs[1], right, false)
			return
		case s == opNeg || s == opNot:
			if s == opNeg {
				p.write("-")
			} else {
				p.write("~")
			}
			// −x ** 2 is −(x ** 2), as in Python; (−x) ** 2 keeps its parentheses.
			p.expr(n.Inputs[0], ppPow, false)
			return
		}
	}
	args := make([]string, len(n.Inputs))
	for i, in := range n.Inputs {
		sub := ppPrinter{limit: p.limit - p.b.Len()}
		sub.expr(in, 0, false)
		args[i] = sub.b.String()
		if sub.cut {
			args = args[:i+1]
			break
		}
	}
	if pp, ok := n.Op.(Printer); ok && len(args) == len(n.Inputs) {
		p.write(pp.PP(args))
	} else {
		p.write(n.Op.String() + "(" + strings.Join(args, ", ") + ")")
	}
	if len(n.Outputs) > 1 {
		p.write(fmt.Sprintf("[%d]", t.index))
	}
}

// String prints the tensor as PP does.
func (t *Tensor) String() string { return PP(t) }

// DOT returns the graph computing outputs in Graphviz's DOT language, for `dot -Tsvg` and the
// like (Theano's pydotprint). Inputs are boxes, constants dashed boxes, shared variables filled
// boxes, ops ellipses labelled with the op and its output types; each edge is labelled with the
// position of the input it feeds (and, for ops with several outputs, "out k" for the output it
// comes from); each requested output is a bold box fed by the tensor it shows.
func DOT(outputs ...*Tensor) string {
	var b strings.Builder
	b.WriteString("digraph gopm {\n\trankdir=TB;\n\tnode [fontname=\"Helvetica\"];\n")
	leafID := map[*Tensor]string{}
	nodeID := map[*Apply]string{}
	nodes := Toposort(outputs...)
	for i, n := range nodes {
		nodeID[n] = fmt.Sprintf("n%d", i)
	}
	leaf := func(t *Tensor) string {
		if id, ok := leafID[t]; ok {
			return id
		}
		id := fmt.Sprintf("v%d", len(leafID))
		leafID[t] = id
		var label, attrs string
		switch {
		case t.value != nil:
			label = PP(t)
			if t.name != "" {
				label = t.name + " = " + ppConst(t)
			}
			attrs = "shape=box, style=dashed"
		case t.shared != nil:
			label = t.name
			if label == "" {
				label = "shared"
			}
			label += "\nshared"
			attrs = "shape=box, style=\"rounded,filled\", fillcolor=lightgrey"
		default:
			label = t.name
			if label == "" {
				label = "input"
			}
			attrs = "shape=box"
		}
		fmt.Fprintf(&b, "\t%s [%s, label=%s];\n", id, attrs, dotQuote(label+"\n"+t.typ.String()))
		return id
	}
	// source returns the DOT node a tensor comes from and, for a multi-output op, which output.
	source := func(t *Tensor) (string, string) {
		if t.owner == nil {
			return leaf(t), ""
		}
		if len(t.owner.Outputs) > 1 {
			return nodeID[t.owner], fmt.Sprintf(" (out %d)", t.index)
		}
		return nodeID[t.owner], ""
	}
	for _, n := range nodes {
		label := n.Op.String()
		for k, o := range n.Outputs {
			if len(n.Outputs) > 1 {
				label += fmt.Sprintf("\nout %d: %s", k, o.typ)
			} else {
				label += "\n" + o.typ.String()
			}
			if o.name != "" {
				label += " " + o.name
			}
		}
		fmt.Fprintf(&b, "\t%s [shape=ellipse, label=%s];\n", nodeID[n], dotQuote(label))
	}
	// Declare the leaves before the edges, in first-use order.
	for _, n := range nodes {
		for _, in := range n.Inputs {
			if in.owner == nil {
				leaf(in)
			}
		}
	}
	for _, o := range outputs {
		if o.owner == nil {
			leaf(o)
		}
	}
	for _, n := range nodes {
		for i, in := range n.Inputs {
			src, out := source(in)
			fmt.Fprintf(&b, "\t%s -> %s [label=%s];\n", src, nodeID[n], dotQuote(fmt.Sprintf("%d%s", i, out)))
		}
	}
	for i, o := range outputs {
		label := fmt.Sprintf("output %d", i)
		if o.name != "" {
			label += ": " + o.name
		}
		fmt.Fprintf(&b, "\to%d [shape=box, style=bold, label=%s];\n", i, dotQuote(label+"\n"+o.typ.String()))
		src, out := source(o)
		fmt.Fprintf(&b, "\t%s -> o%d [label=%s];\n", src, i, dotQuote(strings.TrimPrefix(out, " ")))
	}
	b.WriteString("}\n")
	return b.String()
}

// ppConst prints a constant's value (or its type when it is large).
func ppConst(t *Tensor) string {
	if t.value.Size() <= 8 {
		return t.value.String()
	}
	return fmt.Sprintf("<%s constant>", t.typ)
}

// dotQuote quotes s as a DOT string, with \n for line breaks.
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
