package tensor_test

import (
	"testing"

	"github.com/gopm-dev/gopm/pm/backend"
	"github.com/gopm-dev/gopm/pm/tensor"
)

// A function returning a shared variable returns its value before the call's updates, and
// updates that swap two shared variables see only old values (Theano's semantics).
func TestPlanUpdateSemantics(t *testing.T) {
	for _, be := range []string{"vm", "debug"} {
		s := tensor.Shared("s", 0.0)
		f, err := backend.Compile(nil, s, backend.Updates(s, s.Add(1.0)), backend.Use(be))
		if err != nil {
			t.Fatal(err)
		}
		for want := 0.0; want < 3; want++ {
			out, err := f.Call()
			if err != nil {
				t.Fatal(err)
			}
			if got := out[0].Float(); got != want {
				t.Errorf("%s: call returned %v, want %v", be, got, want)
			}
		}
		a, b := tensor.Shared("a", 1.0), tensor.Shared("b", 2.0)
		swap, err := backend.Compile(nil, nil, backend.Updates(a, b, b, a), backend.Use(be))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := swap.Call(); err != nil {
			t.Fatal(err)
		}
		if a.Get().Float() != 2 || b.Get().Float() != 1 {
			t.Errorf("%s: after swap a=%v b=%v, want 2 1", be, a.Get(), b.Get())
		}
	}
}
