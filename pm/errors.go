package pm

import (
	"fmt"

	"github.com/gopm-dev/gopm/pm/tensor"
)

// Error is a mistake in building or using a model: the variable at fault (if any), the
// operation, and what is wrong. Model-building methods that return tensors (Var, Observe,
// Deterministic, ...) panic with *Error, so that the REPL and the kernel show it at the user's
// line; methods that do work (Compile, Sample, FindMAP, ...) return it as an error value.
type Error struct {
	Var string // the variable's name, if the mistake concerns one
	Op  string // the method, e.g. "Var" or "Observe"
	Msg string
}

// Error implements error.
func (e *Error) Error() string {
	if e.Var != "" {
		return fmt.Sprintf("pm: %s %q: %s", e.Op, e.Var, e.Msg)
	}
	return fmt.Sprintf("pm: %s: %s", e.Op, e.Msg)
}

func fail(op, v, format string, args ...any) {
	panic(&Error{Var: v, Op: op, Msg: fmt.Sprintf(format, args...)})
}

// Catch runs f and returns the *Error or *tensor.Error it panicked with, if any: model
// building in plain Go programs can turn mistakes into error values with it. Other panics
// propagate.
func Catch(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			switch e := r.(type) {
			case *Error:
				err = e
			case *tensor.Error:
				err = e
			default:
				panic(r)
			}
		}
	}()
	f()
	return nil
}

// catchInto converts a graph-building panic into an error for methods that return errors.
func catchInto(err *error) {
	if r := recover(); r != nil {
		switch e := r.(type) {
		case *Error:
			*err = e
		case *tensor.Error:
			*err = e
		default:
			panic(r)
		}
	}
}
