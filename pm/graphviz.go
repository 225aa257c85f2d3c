package pm

import (
	"fmt"
	"strings"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// Graph returns the model as Graphviz DOT text, as pm.model_to_graphviz draws it: free
// variables as ellipses, observed ones filled grey, deterministics as boxes, data as rounded
// boxes, an edge from every variable to those whose distribution or expression uses it, and
// variables of the same shape grouped in a plate labelled with the shape.
func (m *Model) Graph() string {
	var b strings.Builder
	b.WriteString("digraph model {\n\tgraph [rankdir=TB];\n")
	plates := map[string][]*RV{}
	var order []string
	for _, rv := range m.vars {
		key := ""
		if len(rv.Shape) > 0 {
			key = tensor.ShapeString(rv.Shape)
		}
		if _, ok := plates[key]; !ok {
			order = append(order, key)
		}
		plates[key] = append(plates[key], rv)
	}
	node := func(rv *RV) string {
		label := rv.Name
		attrs := ""
		switch rv.Kind {
		case Free:
			label += "\n~\n" + rv.Dist.Name()
			attrs = "shape=ellipse"
		case Observed:
			label += "\n~\n" + rv.Dist.Name()
			attrs = "shape=ellipse, style=filled, fillcolor=lightgrey"
		case Deterministic:
			label += "\n~\nDeterministic"
			attrs = "shape=box"
		case Potential:
			label += "\n~\nPotential"
			attrs = "shape=octagon"
		case Data:
			label += "\n~\nData"
			attrs = "shape=box, style=rounded"
		}
		return fmt.Sprintf("\t%q [label=%q, %s];\n", rv.Name, label, attrs)
	}
	for i, key := range order {
		if key == "" {
			for _, rv := range plates[key] {
				b.WriteString(node(rv))
			}
			continue
		}
		fmt.Fprintf(&b, "\tsubgraph cluster_%d {\n\t\tlabel=%q; labeljust=r; labelloc=b; style=rounded;\n", i, strings.Trim(key, "[]"))
		for _, rv := range plates[key] {
			b.WriteString("\t" + node(rv))
		}
		b.WriteString("\t}\n")
	}
	for _, to := range m.vars {
		var expr *tensor.Tensor
		switch to.Kind {
		case Free, Observed, Potential:
			expr = to.term
		case Deterministic:
			expr = to.Tensor
		default:
			continue
		}
		for _, from := range m.vars {
			if from == to || from.Kind == Potential || from.Kind == Observed && to.Kind != Deterministic {
				continue
			}
			if expr != nil && tensor.DependsOn(expr, from.Tensor) {
				fmt.Fprintf(&b, "\t%q -> %q;\n", from.Name, to.Name)
			}
		}
	}
	b.WriteString("}\n")
	return b.String()
}
