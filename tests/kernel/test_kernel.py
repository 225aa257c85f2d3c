"""Tests of gopm's Jupyter kernel through Debian's jupyter_client and jupyter_kernel_test.

Run with Debian's Python (it has the Jupyter packages), the kernelspec installed where
JUPYTER_PATH finds it:

    go build -o /tmp/pmrepl ./cmd/pmrepl && /tmp/pmrepl kernel install --prefix /tmp/jk
    JUPYTER_PATH=/tmp/jk/share/jupyter /usr/bin/python3 -m unittest -v tests/kernel/test_kernel.py
"""

import base64
import json
import os
import queue
import tempfile
import time
import unittest
import uuid

import jupyter_kernel_test
import zmq
from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

KERNEL = os.environ.get("GOPM_KERNEL", "gopm")

# A model that samples for a long time (2 chains, 300k draws of a mean given 2000 points).
LONG_SAMPLE = """m := pm.NewModel()
mu := m.Var("mu", pm.Normal(0, 10))
m.Observe("y", pm.Normal(mu, 1), make([]float64, 2000))
tr, err := m.Sample(pm.Draws(300000), pm.Tune(500), pm.Chains(2), pm.Seed(1))
fmt.Println("sampled", tr.NDraws(), err)
"""

# A 1x1 red PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
PNG_GO = "[]byte{" + ", ".join(str(b) for b in PNG) + "}"


class GopmKernelTests(jupyter_kernel_test.KernelTests):
    """The protocol suite: every message is validated against the 5.x schema."""

    kernel_name = KERNEL
    language_name = "go"
    file_extension = ".go"

    code_hello_world = 'fmt.Println("hello, world")'
    code_stderr = 'import "os"\nfmt.Fprintln(os.Stderr, "to stderr")'
    completion_samples = [
        {"text": "fmt.Printl", "matches": {"Println"}},
        {"text": "pm.NewMod", "matches": {"NewModel"}},
    ]
    complete_code_samples = ["1 + 2", 'fmt.Println("hi")', "func f() int { return 1 }", "x := []int{1, 2}"]
    incomplete_code_samples = ["func f() {", "x := []int{1,", "y := 1 +", "s := `raw"]
    invalid_code_samples = ["x := )", "}", "a := 1 @ 2"]
    code_generate_error = 'panic("boom")'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"a" + "b"', "result": "ab"},
        {"code": "math.Sqrt(16)", "result": "4"},
    ]
    code_display_data = [
        {"code": 'Display(display.HTML("<b>bold</b>"))', "mime": "text/html"},
        {"code": "Display(display.PNG(" + PNG_GO + "))", "mime": "image/png"},
        {"code": 'Display(display.Markdown("# title"))', "mime": "text/markdown"},
    ]
    code_history_pattern = "6 * *"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "fmt.Println"

    def test_gopm_execute_result_html(self):
        """A pm.Summary shows as an HTML table with text beside it."""
        self.flush_channels()
        code = (
            "m := pm.NewModel()\nmu := m.Var(\"mu\", pm.Normal(0, 1))\n"
            "m.Observe(\"y\", pm.Normal(mu, 1), []float64{0.5, 1.5})\n"
            "tr, _ := m.Sample(pm.Draws(300), pm.Tune(300), pm.Chains(2), pm.Seed(3))\n"
            "pm.Summary(tr)"
        )
        reply, outs = self.execute_helper(code, timeout=120)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        res = [m for m in outs if m["msg_type"] == "execute_result"]
        self.assertEqual(len(res), 1)
        data = res[0]["content"]["data"]
        self.assertIn("<table", data["text/html"])
        self.assertIn("r_hat", data["text/plain"])
        self.assertIn("mu", data["text/plain"])


def output_of(kc, code, timeout=60, **kw):
    """Runs code; returns the reply content and the iopub messages of the request."""
    msg_id = kc.execute(code, **kw)
    return collect(kc, msg_id, timeout)


def collect(kc, msg_id, timeout=60):
    outs = []
    deadline = time.time() + timeout
    while True:
        m = kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
        outs.append(m)
    while True:
        reply = kc.get_shell_msg(timeout=max(0.1, deadline - time.time()))
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"], outs


def stdout_of(outs, name="stdout"):
    return "".join(m["content"]["text"] for m in outs if m["msg_type"] == "stream" and m["content"]["name"] == name)


class GopmKernelBehaviour(unittest.TestCase):
    """What the protocol suite does not cover: interrupt, restart, signatures, stdin,
    long outputs, progress bars, sampling warnings."""

    def setUp(self):
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
        self.km = KernelManager(kernel_name=KERNEL)
        self.km.start_kernel(stderr=self.log)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def tearDown(self):
        self.kc.stop_channels()
        if self.km.is_alive():
            self.km.shutdown_kernel(now=False)
        self.log.close()
        os.unlink(self.log.name)

    def kernel_log(self):
        with open(self.log.name) as f:
            return f.read()

    def test_interrupt_during_sampling(self):
        """The stop button stops a sampler within a second; the partial trace and the
        session survive; the bars were updated in place."""
        msg_id = self.kc.execute(LONG_SAMPLE)
        bars = []
        deadline = time.time() + 120
        while not any(m["msg_type"] == "update_display_data" for m in bars):
            m = self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
            if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] in ("display_data", "update_display_data"):
                bars.append(m)
        time.sleep(1.0)
        t0 = time.time()
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=30)
        took = time.time() - t0
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "error", reply["content"])
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        self.assertLess(took, 1.0, "execute_reply %.2f s after the interrupt" % took)
        # The bars: one display_data with a display_id, then updates of that id.
        first = bars[0]
        self.assertEqual(first["msg_type"], "display_data")
        did = first["content"]["transient"]["display_id"]
        self.assertTrue(all(b["content"]["transient"]["display_id"] == did for b in bars))
        last = bars[-1]["content"]["data"]
        self.assertIn("chain 0 [", last["text/plain"])
        self.assertIn("chain 1 [", last["text/plain"])
        self.assertIn("<div", last["text/html"])
        # The partial trace is there, and the session goes on.
        reply, outs = output_of(self.kc, 'fmt.Println(tr.Cancelled, tr.NDraws() > 0, tr.NDraws() < 300000)\npm.Summary(tr, "mu")')
        self.assertEqual(reply["status"], "ok", reply)
        self.assertEqual(stdout_of(outs), "true true true\n")
        res = [m for m in outs if m["msg_type"] == "execute_result"]
        self.assertIn("<table", res[0]["content"]["data"]["text/html"])

    def test_interrupt_interpreted_loop(self):
        msg_id = self.kc.execute("n := 0\nfor {\n\tn++\n}")
        time.sleep(1.0)
        t0 = time.time()
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=30)
        self.assertLess(time.time() - t0, 1.0)
        self.assertEqual(reply["content"]["status"], "error")
        reply, outs = output_of(self.kc, "n > 0")
        self.assertEqual(reply["status"], "ok")
        self.assertEqual([m["content"]["data"]["text/plain"] for m in outs if m["msg_type"] == "execute_result"], ["true"])

    def test_sigint_interrupts(self):
        """Jupyter's signal interrupt mode (or Ctrl-C in a console) works too."""
        import signal

        msg_id = self.kc.execute("k := 0\nfor {\n\tk++\n}")
        time.sleep(1.0)
        os.kill(self.km.provisioner.process.pid, signal.SIGINT)
        reply, _ = collect(self.kc, msg_id, timeout=10)
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "Interrupted")
        reply, _ = output_of(self.kc, "k > 0")
        self.assertEqual(reply["status"], "ok")

    def test_huge_allocation_keeps_kernel(self):
        reply, outs = output_of(self.kc, "x := make([]float64, 1<<40)\nlen(x)")
        self.assertEqual(reply["status"], "error", reply)
        self.assertIn("needs 8.8 TB", reply["evalue"])
        reply, _ = output_of(self.kc, "1 + 1")
        self.assertEqual(reply["status"], "ok")

    def test_shutdown_exits_cleanly(self):
        proc = self.km.provisioner.process
        self.kc.shutdown()
        for _ in range(100):
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        self.assertEqual(proc.poll(), 0, "kernel exit status after shutdown_request")

    def test_restart_gives_fresh_session(self):
        reply, _ = output_of(self.kc, "keep := 41")
        self.assertEqual(reply["status"], "ok")
        self.km.restart_kernel(now=False)
        self.kc.wait_for_ready(timeout=60)
        reply, outs = output_of(self.kc, "keep + 1")
        self.assertEqual(reply["status"], "error")
        self.assertIn("undefined: keep", reply["evalue"])
        reply, outs = output_of(self.kc, "keep := 1\nkeep + 1")
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(reply["execution_count"], 2)

    def test_wrong_signature_ignored_and_logged(self):
        """Messages signed with another key, unsigned or malformed are dropped and logged;
        the kernel never runs them and keeps serving."""
        marker = os.path.join(tempfile.gettempdir(), "gopm-unsigned-" + uuid.uuid4().hex)
        code = 'import "os"\nos.WriteFile(%s, []byte("ran"), 0o644)' % json.dumps(marker)
        ctx = zmq.Context.instance()
        sock = ctx.socket(zmq.DEALER)
        sock.connect("%s://%s:%d" % (self.km.transport, self.km.ip, self.km.shell_port))
        try:
            bad = Session(key=b"not-the-key", username="attacker")
            bad.send(sock, bad.msg("execute_request", {"code": code, "silent": False}))
            unsigned = Session(key=b"", username="attacker")
            unsigned.send(sock, unsigned.msg("execute_request", {"code": code, "silent": False}))
            good = Session(key=self.km.session.key)
            frames = [b"{not json", b"{}", b"{}", b"{}"]
            sock.send_multipart([b"<IDS|MSG>", good.sign(frames)] + frames)
            sock.send_multipart([b"garbage"])
            time.sleep(1.0)
        finally:
            sock.close(0)
        reply, outs = output_of(self.kc, "1 + 1")
        self.assertEqual(reply["status"], "ok")
        self.assertFalse(os.path.exists(marker), "a wrongly signed message was executed")
        log = self.kernel_log()
        self.assertIn("signature does not match", log)
        self.assertIn("not signed", log)
        self.assertIn("malformed", log.lower())

    def test_stdin_input_request(self):
        code = 'var name string\nfmt.Print("name? ")\nfmt.Scanln(&name)\nfmt.Println("hello", name)'
        msg_id = self.kc.execute(code, allow_stdin=True)
        req = self.kc.get_stdin_msg(timeout=30)
        self.assertEqual(req["msg_type"], "input_request")
        self.assertEqual(req["parent_header"]["msg_id"], msg_id)
        self.kc.input("gopher")
        reply, outs = collect(self.kc, msg_id)
        self.assertEqual(reply["status"], "ok", reply)
        self.assertEqual(stdout_of(outs), "name? hello gopher\n")

    def test_stdin_bufio_os_stdin(self):
        code = 'import (\n\t"bufio"\n\t"os"\n)\nr := bufio.NewReader(os.Stdin)\nline, _ := r.ReadString(\'\\n\')\nfmt.Printf("%q\\n", line)'
        msg_id = self.kc.execute(code, allow_stdin=True)
        self.assertEqual(self.kc.get_stdin_msg(timeout=30)["msg_type"], "input_request")
        self.kc.input("two words")
        reply, outs = collect(self.kc, msg_id)
        self.assertEqual(reply["status"], "ok", reply)
        self.assertEqual(stdout_of(outs), '"two words\\n"\n')

    def test_stdin_not_allowed(self):
        reply, outs = output_of(self.kc, "var s string\n_, err := fmt.Scanln(&s)\nfmt.Println(err)", allow_stdin=False)
        self.assertEqual(reply["status"], "ok", reply)
        self.assertIn("standard input is not available", stdout_of(outs))

    def test_long_output_in_order(self):
        reply, outs = output_of(self.kc, 'for i := 0; i < 10000; i++ {\n\tfmt.Println("line", i)\n}\nDisplay(display.HTML("<p>after</p>"))\nfmt.Println("end")')
        self.assertEqual(reply["status"], "ok", reply)
        want = "".join("line %d\n" % i for i in range(10000))
        kinds = [m["msg_type"] for m in outs if m["msg_type"] in ("stream", "display_data")]
        i = kinds.index("display_data")
        text_before = "".join(m["content"]["text"] for m in outs[: [j for j, m in enumerate(outs) if m["msg_type"] == "display_data"][0]] if m["msg_type"] == "stream")
        self.assertEqual(text_before, want)
        self.assertEqual(stdout_of(outs), want + "end\n")
        self.assertEqual(kinds[i + 1 :], ["stream"])

    def test_panic_in_goroutine_and_errors_keep_kernel(self):
        for code in ['var m map[string]int\nm["a"] = 1', "x := []int{}\nx[3]", "import \"time\"\ngo func() { panic(\"in goroutine\") }()\ntime.Sleep(100 * time.Millisecond)", "undefinedThing()"]:
            reply, outs = output_of(self.kc, code)
        reply, outs = output_of(self.kc, "2 + 2")
        self.assertEqual(reply["status"], "ok")

    def test_sampling_warnings_shown(self):
        """A trace with divergences shows its warnings in the cell's output."""
        code = (
            "m := pm.NewModel()\n"
            "tau := m.Var(\"tau\", pm.HalfCauchy(5))\n"
            "theta := m.Var(\"theta\", pm.Normal(0, tau), pm.Shape(8))\n"
            "m.Observe(\"y\", pm.Normal(theta, []float64{15, 10, 16, 11, 9, 11, 10, 18}), []float64{28, 8, -3, 7, -1, 1, 18, 12})\n"
            "tr, _ := m.Sample(pm.Draws(500), pm.Tune(200), pm.Chains(2), pm.Seed(2))\n"
            "tr"
        )
        reply, outs = output_of(self.kc, code, timeout=180)
        self.assertEqual(reply["status"], "ok", reply)
        res = [m for m in outs if m["msg_type"] == "execute_result"][0]["content"]["data"]
        self.assertIn("divergences", res["text/html"])
        self.assertIn("Sampling warnings", res["text/html"])
        self.assertIn("warning: ", res["text/plain"])
        # Sampling itself writes the warnings to the cell's stderr, after the bars.
        self.assertIn("warning: ", stdout_of(outs, "stderr"))
        kinds = [m["msg_type"] for m in outs]
        self.assertLess(kinds.index("display_data"), kinds.index("stream"))

    def test_model_renders_as_graph(self):
        reply, outs = output_of(self.kc, 'm := pm.NewModel()\nmu := m.Var("mu", pm.Normal(0, 1))\nm.Observe("y", pm.Normal(mu, 1), []float64{1})\nm')
        self.assertEqual(reply["status"], "ok", reply)
        data = [m for m in outs if m["msg_type"] == "execute_result"][0]["content"]["data"]
        self.assertIn("mu", data["text/plain"])
        if any(os.access(os.path.join(p, "dot"), os.X_OK) for p in os.environ.get("PATH", "").split(os.pathsep)):
            self.assertIn("<svg", data["image/svg+xml"])

    def test_user_expressions(self):
        reply, _ = output_of(self.kc, "z := 20", user_expressions={"double": "z * 2", "bad": "nope"})
        self.assertEqual(reply["status"], "ok", reply)
        ue = reply["user_expressions"]
        self.assertEqual(ue["double"]["data"]["text/plain"], "40")
        self.assertEqual(ue["bad"]["status"], "error")

    def test_cell_commands(self):
        reply, outs = output_of(self.kc, 'import "os"\n%cd /tmp\n$ echo from-shell\nd, _ := os.Getwd()\nd')
        self.assertEqual(reply["status"], "ok", reply)
        self.assertIn("from-shell", stdout_of(outs))
        self.assertEqual([m["content"]["data"]["text/plain"] for m in outs if m["msg_type"] == "execute_result"], ["/tmp"])
        reply, outs = output_of(self.kc, "%help")
        self.assertIn("Display", stdout_of(outs))

    def test_figure_renders_as_png(self):
        code = (
            "m := pm.NewModel()\nmu := m.Var(\"mu\", pm.Normal(0, 1))\n"
            "tr, _ := m.Sample(pm.Draws(200), pm.Tune(200), pm.Chains(2), pm.Seed(1))\n"
            "plots.Trace(tr)"
        )
        reply, outs = output_of(self.kc, code, timeout=120)
        self.assertEqual(reply["status"], "ok", reply)
        data = [m for m in outs if m["msg_type"] == "execute_result"][0]["content"]["data"]
        self.assertTrue(base64.b64decode(data["image/png"]).startswith(b"\x89PNG"))


class NbconvertExecute(unittest.TestCase):
    """jupyter nbconvert --execute of a notebook that builds, samples and plots a model."""

    def test_nbconvert_execute(self):
        import shutil
        import subprocess

        nbconvert = shutil.which("jupyter-nbconvert")
        if not nbconvert:
            raise unittest.SkipTest("jupyter-nbconvert is not installed")
        src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata", "model.ipynb")
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "executed.ipynb")
            subprocess.run(
                [nbconvert, "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=300",
                 "--ExecutePreprocessor.kernel_name=" + KERNEL, "--output", out, src],
                check=True, capture_output=True, timeout=600,
            )
            with open(out) as f:
                nb = json.load(f)
        outputs = [o for c in nb["cells"] for o in c["outputs"]]
        self.assertFalse([o for o in outputs if o["output_type"] == "error"], outputs)
        html = [o for o in outputs if "text/html" in o.get("data", {}) and "<table" in "".join(o["data"]["text/html"])]
        png = [o for o in outputs if "image/png" in o.get("data", {})]
        self.assertEqual(len(png), 1)
        self.assertTrue(base64.b64decode(png[0]["data"]["image/png"]).startswith(b"\x89PNG"))
        self.assertGreaterEqual(len(html), 1)
        bars = [o for o in outputs if o["output_type"] == "display_data" and "gopm-progress" in "".join(o["data"].get("text/html", ""))]
        self.assertEqual(len(bars), 1, "progress bars: one display, updated in place")
        self.assertIn("done", "".join(bars[0]["data"]["text/plain"]))


if __name__ == "__main__":
    unittest.main()
