// Package kerneltest drives gopm's Jupyter kernel from a real browser: classic
// Notebook 6 served by Debian's jupyter-notebook, headless Debian chromium through
// its DevTools protocol (chromedp). tests/kernel/browser.sh starts the server and
// runs it; without NOTEBOOK_URL the test is skipped.
package kerneltest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// script waits for the kernel, runs every cell, waits until no cell runs and the
// kernel is idle, then checks what the model notebook (testdata/model.ipynb) shows:
// cell 0 samples (progress bars drawn once and updated in place to "done") and shows
// pm.Summary as an HTML table; cell 1 shows the trace plot as a PNG.
const script = `(async () => {
  const until = async (f) => { for (let i = 0; i < 1800; i++) { const v = f(); if (v) return v;
    await new Promise((r) => setTimeout(r, 100)); } throw new Error('timeout: ' + f); };
  const kernel = await until(() => { const d = document.querySelector('.modal-dialog');
    if (d) return 'dialog: ' + d.innerText.replace(/\s+/g, ' ');
    const nb = window.Jupyter && Jupyter.notebook;
    return nb && nb._fully_loaded && nb.kernel && nb.kernel.is_connected() && nb.kernel.name; });
  if (kernel.startsWith('dialog')) return { Kernel: kernel, Failures: [] };
  let sawBars = false;
  const watch = setInterval(() => { if (document.querySelector('.cell .output .gopm-progress')) sawBars = true; }, 20);
  Jupyter.notebook.execute_all_cells();
  let n = 0;
  await until(() => (document.querySelector('.cell.running, .kernel_busy_icon') ? (n = 0) : ++n) > 1);
  clearInterval(watch);
  const out = [...document.querySelectorAll('.cell .output')], f = [];
  const bars = out[0].querySelectorAll('.gopm-progress');
  if (!sawBars) f.push('no progress bars seen while sampling');
  if (bars.length !== 1) f.push(bars.length + ' progress displays (want 1, updated in place)');
  else if (!/chain 0[\s\S]*done[\s\S]*chain 1[\s\S]*done/.test(bars[0].innerText)) f.push('bars: ' + bars[0].innerText);
  const table = out[0].querySelector('.output_html table');
  if (!table || !table.innerText.includes('r_hat') || !table.innerText.includes('sigma')) f.push('no summary table');
  const img = out[1].querySelector('.output_png img');
  if (!img || !img.src.startsWith('data:image/png;base64,') || !img.naturalWidth) f.push('no PNG');
  if (document.querySelector('.output_error')) f.push('error: ' + document.querySelector('.output_error').innerText);
  Jupyter.notebook.get_cells().forEach((c, i) => c.cell_type === 'code' &&
    typeof c.input_prompt_number !== 'number' && f.push('cell ' + i + ' not run'));
  const height = document.getElementById('header').offsetHeight + document.getElementById('site').scrollHeight;
  return { Kernel: kernel, Failures: f, Height: height }; })()`

type result struct {
	Kernel   string
	Failures []string
	Height   int64
}

func TestNotebookInBrowser(t *testing.T) {
	url := os.Getenv("NOTEBOOK_URL") // set by browser.sh
	if url == "" {
		t.Skip("NOTEBOOK_URL not set: run tests/kernel/browser.sh (needs jupyter-notebook and chromium)")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	ctx, cancel = chromedp.NewContext(ctx, chromedp.WithAllocatorOptions(
		chromedp.ExecPath("/usr/bin/chromium"), chromedp.NoSandbox, chromedp.WindowSize(1200, 900)))
	defer cancel()
	var res result
	err := chromedp.Do(ctx, chromedp.Navigate(url))
	if err == nil {
		res, err = chromedp.Run(ctx, chromedp.Evaluate[result](script, chromedp.EvalAwaitPromise))
	}
	if err == nil { // Notebook 6 scrolls inside #site: grow the viewport to the notebook's height
		err = chromedp.Do(ctx, chromedp.EmulateViewport(1200, max(res.Height, 900)))
	}
	if err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	shot := os.Getenv("SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(os.TempDir(), "gopm-notebook-browser.png")
	}
	if err == nil {
		err = os.WriteFile(shot, png, 0o644)
		t.Logf("screenshot: %s", shot)
	}
	if err != nil || res.Kernel != "gopm" || len(res.Failures) > 0 {
		t.Fatalf("kernel %q (want gopm), failures %q, err %v", res.Kernel, res.Failures, err)
	}
}
