package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/gopm-dev/gopm/notebook"
)

// render is `pmrepl render NOTEBOOK.ipynb [-o OUT.ipynb] [--html OUT.html]`:
// it executes the notebook headless through the engine and writes the
// executed notebook (to standard output without -o or --html), and/or its
// HTML page. With --check it executes nothing and reports stale outputs.
func render(args []string) int {
	fs := flag.NewFlagSet("pmrepl render", flag.ContinueOnError)
	out := fs.String("o", "", "write the executed notebook to this file (\"-\" for standard output)")
	htmlOut := fs.String("html", "", "write the executed notebook as an HTML page to this file")
	check := fs.Bool("check", false, "execute nothing: fail if a code cell's stored outputs are not from its current source")
	executed := fs.String("executed", "", "with --check and one notebook: also fail if this copy of it, executed elsewhere (by Jupyter), has an error output or lacks a figure the stored outputs have")
	timeout := fs.Duration("timeout", 10*time.Minute, "interrupt a cell that runs longer than this")
	quiet := fs.Bool("q", false, "do not report each cell's time on standard error")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: pmrepl render [-o out.ipynb] [--html out.html] [--check] NOTEBOOK.ipynb ...\n\n"+
			"Executes each notebook top to bottom in a fresh gopm session (no Jupyter or Python needed)\n"+
			"and writes its outputs in nbformat 4. With -o the same file as the input, the stored\n"+
			"outputs are updated in place; without -o or --html the notebook goes to standard output.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(reorder(args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() == 0 || (fs.NArg() > 1 && !*check && (*out != "" || *htmlOut != "")) {
		if fs.NArg() > 1 {
			fmt.Fprintln(os.Stderr, "pmrepl render: -o and --html take one notebook")
		}
		fs.Usage()
		return 2
	}
	if *check {
		if *executed != "" {
			if fs.NArg() != 1 {
				fmt.Fprintln(os.Stderr, "pmrepl render: --executed takes one stored notebook")
				return 2
			}
			if c := checkExecuted(fs.Arg(0), *executed); c != 0 {
				return c
			}
		}
		return checkStale(fs.Args())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	code := 0
	for _, path := range fs.Args() {
		if c := renderOne(ctx, path, *out, *htmlOut, *timeout, *quiet); c != 0 {
			code = c
		}
	}
	return code
}

// reorder moves flags after the notebook names in front of them, so that
// `pmrepl render nb.ipynb -o out.ipynb` works as well.
func reorder(args []string) []string {
	var flags, names []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			names = append(names, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-") && a != "-":
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && (name == "o" || name == "html" || name == "timeout" || name == "executed") && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
		default:
			names = append(names, a)
		}
	}
	return append(flags, names...)
}

func renderOne(ctx context.Context, path, out, htmlOut string, timeout time.Duration, quiet bool) int {
	nb, err := notebook.Read(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pmrepl render:", err)
		return 1
	}
	start := time.Now()
	opts := notebook.Options{CellTimeout: timeout}
	if !quiet {
		opts.OnCell = func(n int, c *notebook.Cell, took time.Duration) {
			fmt.Fprintf(os.Stderr, "%s: cell %d: %.2fs\n", path, n, took.Seconds())
		}
	}
	execErr := notebook.Execute(ctx, nb, opts)
	if !quiet {
		fmt.Fprintf(os.Stderr, "%s: %.1fs\n", path, time.Since(start).Seconds())
	}
	code := 0
	if execErr != nil {
		fmt.Fprintf(os.Stderr, "pmrepl render: %s: %v\n", path, execErr)
		code = 1
	}
	if out == "" && htmlOut == "" {
		out = "-"
	}
	if out != "" {
		b, err := nb.Marshal()
		if err == nil {
			if out == "-" {
				_, err = os.Stdout.Write(b)
			} else {
				err = os.WriteFile(out, b, 0o644)
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "pmrepl render:", err)
			return 1
		}
	}
	if htmlOut != "" {
		title := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		if err := os.WriteFile(htmlOut, nb.HTML(title), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "pmrepl render:", err)
			return 1
		}
	}
	return code
}

// checkStale reports every code cell whose stored outputs are not from its
// current source; exit 1 if there is one.
func checkStale(paths []string) int {
	code := 0
	for _, path := range paths {
		nb, err := notebook.Read(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "pmrepl render:", err)
			code = 1
			continue
		}
		for _, s := range nb.Stale() {
			fmt.Fprintf(os.Stderr, "%s: %s\n", path, s)
			code = 1
		}
	}
	if code != 0 {
		fmt.Fprintln(os.Stderr, "stored notebook outputs are stale: run notebooks/update to re-execute them")
	}
	return code
}

// checkExecuted compares a notebook executed elsewhere with the stored one.
func checkExecuted(storedPath, executedPath string) int {
	stored, err := notebook.Read(storedPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pmrepl render:", err)
		return 1
	}
	executed, err := notebook.Read(executedPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pmrepl render:", err)
		return 1
	}
	problems := notebook.FigureProblems(stored, executed)
	for _, p := range problems {
		fmt.Fprintf(os.Stderr, "%s: %s\n", executedPath, p)
	}
	if len(problems) > 0 {
		return 1
	}
	return 0
}
