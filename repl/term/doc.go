// Package term is the terminal front-end of the gopm engine: an
// interactive prompt (chzyer/readline, persistent history, multi-line
// input while brackets are open, tab completion, :commands, Ctrl-C to
// interrupt a running cell) and the script runner behind `pmrepl file.go`
// and `echo code | pmrepl`.
//
// Values that render as images (plots, image.Image) are written as
// numbered files in a plots directory and their path is printed; every
// other value prints its text/plain representation.
package term
