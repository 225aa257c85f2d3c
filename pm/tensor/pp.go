package tensor

import (
	"fmt"
	"strings"
)

// PP pretty-prints an expression, Theano's pp: infix arithmetic with the fewest parentheses,
// function calls for other ops, names for named tensors and values for small constants.
func PP(t *Tensor) string {
	var b strings.Builder
	ppTo(&b, t, 0, true)
	return b.String()
}

// Printer is implemented by ops that print themselves in PP given their printed inputs.
type Printer interface {
	PP(in []string) string
}

func ppTo(b *strings.Builder, t *Tensor, outer int, top bool) {
	if t.name != "" && (!top || t.owner == nil) {
		b.WriteString(t.name)
		return
	}
	switch {
	case t.value != nil:
		if t.value.Size() <= 8 {
			b.WriteString(t.value.String())
		} else {
			fmt.Fprintf(b, "<%s constant>", t.typ)
		}
		return
	case t.shared != nil:
		fmt.Fprintf(b, "<shared %s>", t.typ)
		return
	case t.owner == nil:
		fmt.Fprintf(b, "<%s>", t.typ)
		return
	}
	n := t.owner
	if e, ok := n.Op.(Elemwise); ok {
		s := e.s
		if s.infix != "" && len(n.Inputs) == 2 {
			if s.prec < outer {
				b.WriteByte('(')
			}
			ppTo(b, n.Inputs[0], s.prec, false)
			b.WriteString(" " + s.infix + " ")
			// Right operands of non-associative operators need parentheses at equal precedence.
			right := s.prec
			if s.name != "add" && s.name != "mul" {
				right++
			}
			ppTo(b, n.Inputs[1], right, false)
			if s.prec < outer {
				b.WriteByte(')')
			}
			return
		}
		if s.name == "neg" {
			b.WriteByte('-')
			ppTo(b, n.Inputs[0], 5, false)
			return
		}
	}
	args := make([]string, len(n.Inputs))
	for i, in := range n.Inputs {
		var ib strings.Builder
		ppTo(&ib, in, 0, false)
		args[i] = ib.String()
	}
	if p, ok := n.Op.(Printer); ok {
		b.WriteString(p.PP(args))
	} else {
		b.WriteString(n.Op.String() + "(" + strings.Join(args, ", ") + ")")
	}
	if len(n.Outputs) > 1 {
		fmt.Fprintf(b, "[%d]", t.index)
	}
}

// String prints the tensor as PP does.
func (t *Tensor) String() string { return PP(t) }
