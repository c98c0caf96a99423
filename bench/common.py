"""What the bench/ programs share: running a peer as a child process, and ONNX Runtime sessions
fed and timed the same way in every comparison."""
import os
import subprocess
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, timeout):
    """Runs `cmd` to completion; returns its stdout and stderr together. Raises with the last
    lines of its output when it fails."""
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout)
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-15:])
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}:\n{tail}")
    return proc.stdout


def run_measured(cmd, timeout):
    """Like run(), and also returns the child's peak resident memory in MiB, as GNU time (Debian's
    `time`) reports it. Not from this process's wait4: a child forked from here starts with this
    (large) process's resident set as its high-water mark, and Linux keeps that across exec; time's
    own child is forked from a small process."""
    with tempfile.NamedTemporaryFile("r") as peak:
        output = run(["/usr/bin/time", "-f", "%M", "-o", peak.name] + cmd, timeout)
        return output, int(peak.read().split()[-1]) / 1024  # %M is in KiB


# ---- ONNX Runtime ---------------------------------------------------------------------------------

def ort_inputs(session, seed):
    rng = np.random.default_rng(seed)
    feeds = {}
    for i in session.get_inputs():
        shape = [d if isinstance(d, int) and d > 0 else 1 for d in i.shape]
        if i.type == "tensor(float)":
            feeds[i.name] = rng.uniform(-1, 1, shape).astype(np.float32)
        elif i.type == "tensor(int64)":
            feeds[i.name] = rng.integers(0, 10, shape).astype(np.int64)
        else:
            raise RuntimeError(f"input {i.name}: {i.type} not handled by this script")
    return feeds


def ort_session(model, threads):
    """A CPU session of `threads` intra-op threads, graph optimisation at its default (all)."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def ort_loop(session, feeds, seconds, barrier=None):
    """Runs back to back for `seconds` (after the barrier, if given); returns the latencies in
    ms and the seconds taken."""
    session.run(None, feeds)  # warm-up, not counted
    if barrier is not None:
        barrier.wait()
    latencies = []
    start = time.perf_counter()
    end = start + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        session.run(None, feeds)
        latencies.append((time.perf_counter() - t0) * 1e3)
    return latencies, time.perf_counter() - start
