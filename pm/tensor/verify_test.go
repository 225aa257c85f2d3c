package tensor

import (
	"strings"
	"testing"
)

func TestVerifyGradElemwise(t *testing.T) {
	x := []float64{0.3, 1.7, 2.5}
	y := []float64{1.1, 0.4, 0.9}
	cases := []struct {
		name string
		f    func(in []*Tensor) *Tensor
		pt   []any
	}{
		{"add", func(in []*Tensor) *Tensor { return Add(in[0], in[1]) }, []any{x, y}},
		{"mul-broadcast", func(in []*Tensor) *Tensor { return Mul(in[0], in[1]) }, []any{x, 2.5}},
		{"div", func(in []*Tensor) *Tensor { return Div(in[0], in[1]) }, []any{x, y}},
		{"pow", func(in []*Tensor) *Tensor { return Pow(in[0], in[1]) }, []any{x, y}},
		{"exp", func(in []*Tensor) *Tensor { return Exp(in[0]) }, []any{x}},
		{"log1p", func(in []*Tensor) *Tensor { return Log1p(in[0]) }, []any{x}},
		{"sigmoid", func(in []*Tensor) *Tensor { return Sigmoid(in[0]) }, []any{x}},
		{"softplus", func(in []*Tensor) *Tensor { return Softplus(in[0]) }, []any{x}},
		{"logsigmoid", func(in []*Tensor) *Tensor { return LogSigmoid(in[0]) }, []any{x}},
		{"lgamma", func(in []*Tensor) *Tensor { return Lgamma(in[0]) }, []any{x}},
		{"digamma", func(in []*Tensor) *Tensor { return Digamma(in[0]) }, []any{x}},
		{"erf", func(in []*Tensor) *Tensor { return Erf(in[0]) }, []any{x}},
		{"tanh", func(in []*Tensor) *Tensor { return Tanh(in[0]) }, []any{x}},
		{"sum-axis", func(in []*Tensor) *Tensor { return Sum(in[0], 1) }, []any{[][]float64{{1, 2, 3}, {4, 5, 6}}}},
		{"matrix-row-broadcast", func(in []*Tensor) *Tensor { return Mul(in[0], in[1]) }, []any{[][]float64{{1, 2, 3}, {4, 5, 6}}, x}},
	}
	for _, c := range cases {
		if err := VerifyGrad(c.f, c.pt, nil); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestVerifyGradCatchesWrongGradient(t *testing.T) {
	// sign has a zero gradient; abs(x)*sign(x) == x would need gradient 1 if sign's were
	// wrong. Use a deliberately wrong composite: treat floor(x)+x as if differentiable.
	err := VerifyGrad(func(in []*Tensor) *Tensor { return Add(Floor(Mul(in[0], 100.0)), in[0]) }, []any{[]float64{0.30001}}, &VerifyOptions{Eps: 1e-3})
	if err == nil || !strings.Contains(err.Error(), "finite differences") {
		t.Fatalf("want a finite-difference mismatch, got %v", err)
	}
}
