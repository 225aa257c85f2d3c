package tensor

import (
	"math"
	"testing"
)

func TestRecurrenceValues(t *testing.T) {
	c := []float64{1, 2, -1, 0.5}
	out, err := Eval(Recurrence(c, 0.5), Apply1(RecurrenceOp{Reverse: true}, Const(c), Const(0.5)))
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1, 2.5, 0.25, 0.625}
	wantRev := []float64{0, 0, 0, 0.5}
	for i := 3; i >= 0; i-- {
		if i == 3 {
			wantRev[i] = c[i]
		} else {
			wantRev[i] = c[i] + 0.5*wantRev[i+1]
		}
	}
	for i := range want {
		if math.Abs(out[0].Data[i]-want[i]) > 1e-15 || math.Abs(out[1].Data[i]-wantRev[i]) > 1e-15 {
			t.Errorf("element %d: %v %v, want %v %v", i, out[0].Data[i], out[1].Data[i], want[i], wantRev[i])
		}
	}
}

func TestRecurrenceGradients(t *testing.T) {
	cases := []struct {
		name string
		f    func(in []*Tensor) *Tensor
		pt   []any
	}{
		{"vector", func(in []*Tensor) *Tensor { return Recurrence(in[0], in[1]) },
			[]any{[]float64{0.3, -1.2, 0.8, 2.0, -0.4}, 0.7}},
		{"matrix", func(in []*Tensor) *Tensor { return Recurrence(in[0], in[1]) },
			[]any{[][]float64{{0.3, 1}, {-1.2, 0.5}, {0.8, -0.1}}, -0.6}},
		{"second-order", func(in []*Tensor) *Tensor {
			return Grad(Sum(Square(Recurrence(in[0], in[1]))), in[1])[0]
		}, []any{[]float64{0.3, -1.2, 0.8, 2.0}, 0.4}},
		{"matches-scan", func(in []*Tensor) *Tensor {
			return Sub(Recurrence(in[0], in[1]), Concatenate(0, ExpandDims(in[0].At(0), 0), Scan(func(a []*Tensor) []*Tensor {
				return []*Tensor{Add(a[0], Mul(a[2], a[1]))}
			}, ScanArgs{Sequences: []*Tensor{Slice(in[0], 0, 1, None, 1)}, OutputsInfo: []*Tensor{in[0].At(0)}, NonSequences: []*Tensor{in[1]}})[0]))
		}, []any{[]float64{0.3, -1.2, 0.8}, 0.9}},
	}
	for _, c := range cases {
		if err := VerifyGrad(c.f, c.pt, nil); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// Recurrence and Scan agree in value.
	out, err := Eval(Sum(Abs(recurrenceScanDiff())))
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Data[0] > 1e-12 {
		t.Errorf("recurrence and scan differ by %v", out[0].Data[0])
	}
}

// recurrenceScanDiff builds recurrence − scan on fixed data.
func recurrenceScanDiff() *Tensor {
	c := Const([]float64{0.3, -1.2, 0.8, 2.0})
	phi := Const(0.9)
	s := Scan(func(a []*Tensor) []*Tensor { return []*Tensor{Add(a[0], Mul(a[2], a[1]))} },
		ScanArgs{Sequences: []*Tensor{Slice(c, 0, 1, None, 1)}, OutputsInfo: []*Tensor{c.At(0)}, NonSequences: []*Tensor{phi}})[0]
	return Sub(Recurrence(c, phi), Concatenate(0, ExpandDims(c.At(0), 0), s))
}

// TestRecurrenceVectorMatchesGeneral checks the vector loop against the general one (a
// matrix of one column runs the general loop), bit for bit, both directions.
func TestRecurrenceVectorMatchesGeneral(t *testing.T) {
	c := make([]float64, 37)
	for i := range c {
		c[i] = math.Sin(float64(i)*1.3) * float64(i%5+1)
	}
	col := make([][]float64, len(c))
	for i, v := range c {
		col[i] = []float64{v}
	}
	for _, rev := range []bool{false, true} {
		out, err := Eval(Apply1(RecurrenceOp{Reverse: rev}, Const(c), Const(0.83)), Apply1(RecurrenceOp{Reverse: rev}, Const(col), Const(0.83)))
		if err != nil {
			t.Fatal(err)
		}
		for i := range c {
			if out[0].Data[i] != out[1].Data[i] {
				t.Fatalf("reverse=%v element %d: vector %v, general %v", rev, i, out[0].Data[i], out[1].Data[i])
			}
		}
	}
}
