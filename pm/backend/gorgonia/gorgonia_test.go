package gorgonia_test

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gopm-dev/gopm/pm/backend"
	_ "github.com/gopm-dev/gopm/pm/backend/gorgonia"
	_ "github.com/gopm-dev/gopm/pm/backend/vm"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// Two data vectors of one length that differ in one element stay two nodes (gorgonia merges
// constants whose printed values agree, and it elides long tensors when printing), and calls
// do not change the data.
func TestDistinctDataOfOneShape(t *testing.T) {
	a := make([]float64, 2000)
	b := make([]float64, 2000)
	b[1000] = 1
	x := tensor.Scalar("x")
	y := tensor.Sub(tensor.Sum(tensor.Mul(x, a)), tensor.Sum(tensor.Exp(tensor.Mul(x, b))))
	f, err := backend.Compile([]any{x}, y, backend.Use("gorgonia"))
	if err != nil {
		t.Fatal(err)
	}
	want := -(1999 + math.E)
	for i := 0; i < 3; i++ {
		r, err := f.Call(1.0)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(r[0].Data[0]-want) > 1e-12*math.Abs(want) {
			t.Fatalf("call %d: %v, want %v", i, r[0].Data[0], want)
		}
	}
	if b[1000] != 1 || a[1000] != 0 {
		t.Errorf("the data changed: %v %v", a[1000], b[1000])
	}
}

// A function with unknown input shapes is translated at its first call and again when the
// shapes change; a clone runs independently.
func TestShapesChangeAndClone(t *testing.T) {
	x := tensor.Vector("x")
	y := tensor.Sum(tensor.Square(x))
	f, err := backend.Compile([]any{x}, y, backend.Use("gorgonia"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		in   []float64
		want float64
	}{{[]float64{1, 2}, 5}, {[]float64{1, 2, 3}, 14}, {[]float64{3}, 9}} {
		r, err := f.Call(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if r[0].Data[0] != c.want {
			t.Errorf("%v: %v, want %v", c.in, r[0].Data[0], c.want)
		}
	}
	g := f.Clone()
	r, err := g.Call([]float64{2, 2})
	if err != nil || r[0].Data[0] != 8 {
		t.Errorf("clone: %v %v", r, err)
	}
}

// Shared variables are read at each call and updated after it, as on vm.
func TestSharedUpdates(t *testing.T) {
	acc := tensor.Shared("acc", 0.0)
	x := tensor.Scalar("x")
	f, err := backend.Compile([]any{x}, tensor.Add(acc, x), backend.Use("gorgonia"), backend.Updates(acc, tensor.Add(acc, x)))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float64{1, 3, 6} {
		r, err := f.Call(float64(i + 1))
		if err != nil {
			t.Fatal(err)
		}
		if r[0].Data[0] != want {
			t.Errorf("call %d: %v, want %v", i, r[0].Data[0], want)
		}
	}
	if v := acc.Get().Data[0]; v != 6 {
		t.Errorf("acc = %v, want 6", v)
	}
}

// A wrong input shape is an error naming the input, not a panic.
func TestBadInput(t *testing.T) {
	x := tensor.NewVar("x", tensor.Float64, 3)
	f, err := backend.Compile([]any{x}, tensor.Sum(x), backend.Use("gorgonia"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Call([]float64{1, 2}); err == nil {
		t.Error("no error for a vector of 2 where 3 are needed")
	}
}

// The config file's "backend" selects gorgonia like any backend.
func TestSelectedByConfigFile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PM_BACKEND", "")
	t.Setenv("XDG_CONFIG_HOME", dir)
	if err := os.MkdirAll(filepath.Join(dir, "gopm"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gopm", "config.json"), []byte(`{"backend": "gorgonia"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	x := tensor.Scalar("x")
	f, err := backend.Compile([]any{x}, tensor.Exp(x))
	if err != nil {
		t.Fatal(err)
	}
	if f.Backend() != "gorgonia" {
		t.Errorf("backend %q, want gorgonia", f.Backend())
	}
	r, err := f.Call(1.0)
	if err != nil || r[0].Data[0] != math.E {
		t.Errorf("exp(1) = %v, %v", r, err)
	}
}
