package repl

// Flush returns once everything interpreted code wrote to standard output and error so
// far has been passed to Options.OnOutput (a front-end calls it before asking for
// input, so that the prompt the cell printed shows first). It may be called while a
// cell runs, but not from OnOutput.
func (e *Engine) Flush() {
	e.stdout.flush()
	e.stderr.flush()
}
