#!/usr/bin/python3
"""Times the training step of bench_step in PyTorch, written as PyTorch users
write it: an nn.Module implementing ../shared/docs/MODEL.md (nn.Linear,
F.layer_norm through nn.LayerNorm, exact F.gelu, softmax with masked_fill,
one nn.Linear head per task with F.cross_entropy), torch.optim.AdamW,
loss.backward() and optimizer.zero_grad(set_to_none=True).

Same configuration flags as bench_step, the same batch (drawn with the same
splitmix64 sequence, see bench_step.cpp: makeData; the printed checksum must
match the core's), timed the same way: warm-up steps, then the median of
--repeats blocks of --steps steps. Runs once per thread count in --threads
(default 1,2): torch.set_num_threads(n), and the same count for OpenBLAS
(Debian's torch calls BLAS through libblas.so.3; OpenBLAS' pthread build
keeps its own thread count, which torch.set_num_threads does not change), and
reports the best. A benchmark, not a test.

Run with Debian's interpreter: /usr/bin/python3 bench/torch_step.py [--json]
"""

import argparse
import bisect
import ctypes
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

MASK64 = (1 << 64) - 1


class SplitMix64:
    """core/random.h's Rng: splitmix64, below(n) = next() % n."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n if n else 0


def make_corpus(a):
    """The corpus of bench_step.cpp's makeData (--samples N): per text its
    length, its ids (Zipf-distributed word ranks folded into the vocabulary)
    and its labels; then the trainer's batches of B texts in order, each
    padded to its longest. Returns the batches and the checksum."""
    rng = SplitMix64(a.seed ^ 0xBE7C4)
    L = a.len
    cumulative, total = [], 0.0
    for k in range(a.words):
        total += math.pow(k + 1, -a.zipf)
        cumulative.append(total)
    lengths, ids, labels = [], [], []
    for _ in range(a.samples):
        n = a.min_real + rng.below(L - a.min_real + 1) if a.min_real is not None and 0 < a.min_real < L else L
        lengths.append(n)
        row = []
        for _ in range(n):
            if a.words > 0:
                u = (rng.next() >> 11) * 2.0 ** -53 * total
                rank = min(bisect.bisect_left(cumulative, u), a.words - 1)
            else:
                rank = rng.below(a.vocab - 2)
            row.append(2 + rank % (a.vocab - 2))
        ids.append(row)
        labels.append([rng.below(a.classes[t]) for t in range(a.tasks)])
    batches = []
    for first in range(0, a.samples, a.batch):
        rows = range(first, min(first + a.batch, a.samples))
        Lb = max(lengths[i] for i in rows)
        x = torch.tensor([ids[i] + [0] * (Lb - lengths[i]) for i in rows], dtype=torch.long)
        batches.append((x, x != 0, torch.tensor([labels[i] for i in rows], dtype=torch.long)))
    checksum = {"id_sum": sum(map(sum, ids)), "real_tokens": sum(lengths),
                "label_sum": sum(map(sum, labels))}
    return batches, checksum


def make_batch(a):
    """The batch of bench_step.cpp's makeData, padded to L: ids, mask, labels."""
    rng = SplitMix64(a.seed ^ 0xBE7C4)
    B, L = a.batch, a.len
    lengths = [L] * B
    if a.min_real is not None and 0 < a.min_real < L:
        for b in range(1, B):
            lengths[b] = a.min_real + rng.below(L - a.min_real + 1)
    ids = [[0] * L for _ in range(B)]
    for b in range(B):
        for j in range(L):
            token = 2 + rng.below(a.vocab - 2)
            if j < lengths[b]:
                ids[b][j] = token
    labels = [[rng.below(a.classes[t]) for t in range(a.tasks)] for b in range(B)]
    x = torch.tensor(ids, dtype=torch.long)
    mask = x != 0
    y = torch.tensor(labels, dtype=torch.long)
    checksum = {"id_sum": int(x.sum()), "real_tokens": int(mask.sum()), "label_sum": int(y.sum())}
    return x, mask, y, checksum


class EncoderLayer(nn.Module):
    """Pre-norm Transformer layer of MODEL.md section 3."""

    def __init__(self, d, heads, ffn):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d)
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.o = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.up = nn.Linear(d, ffn)
        self.down = nn.Linear(ffn, d)

    def forward(self, h, mask):
        B, L, d = h.shape
        dh = d // self.heads
        u = self.ln1(h)
        q = self.q(u).view(B, L, self.heads, dh).transpose(1, 2)
        k = self.k(u).view(B, L, self.heads, dh).transpose(1, 2)
        v = self.v(u).view(B, L, self.heads, dh).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(dh)
        scores = scores.masked_fill(~mask[:, None, None, :], float("-inf"))
        att = torch.softmax(scores, dim=-1)
        out = (att @ v).transpose(1, 2).reshape(B, L, d)
        h = h + self.o(out)
        return h + self.down(F.gelu(self.up(self.ln2(h))))


class MultiTaskAttention(nn.Module):
    """MODEL.md: text embedding, N encoder layers, final LayerNorm, task
    attention pooling (mode `task`), one linear head per task."""

    def __init__(self, vocab, max_len, d, heads, layers, ffn, classes):
        super().__init__()
        self.d = d
        self.token = nn.Embedding(vocab, d)
        self.position = nn.Parameter(torch.randn(max_len, d) * 0.02)
        self.layers = nn.ModuleList([EncoderLayer(d, heads, ffn) for _ in range(layers)])
        self.final_ln = nn.LayerNorm(d)
        self.pool_key = nn.Linear(d, d, bias=False)
        self.query = nn.Parameter(torch.randn(len(classes), d) * 0.02)
        self.heads = nn.ModuleList([nn.Linear(d, c) for c in classes])
        for name, p in self.named_parameters():  # MODEL.md 8
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif "ln" in name:
                nn.init.ones_(p)
            else:
                nn.init.normal_(p, 0.0, 0.02)

    def forward(self, x, mask, y):
        L = x.shape[1]
        h = self.token(x) + self.position[:L]
        for layer in self.layers:
            h = layer(h, mask)
        H = self.final_ln(h)
        keys = self.pool_key(H)                                           # (B, L, d)
        s = torch.einsum("bld,td->btl", keys, self.query) / math.sqrt(self.d)
        s = s.masked_fill(~mask[:, None, :], float("-inf"))
        a = torch.softmax(s, dim=-1)                                      # (B, T, L)
        z = a @ H                                                         # (B, T, d)
        loss = 0.0
        for t, head in enumerate(self.heads):
            loss = loss + F.cross_entropy(head(z[:, t]), y[:, t], ignore_index=-1)
        return loss


def flops_per_step(a, batches=None):
    """Matmul FLOPs of forward + backward, the formula of bench_step.cpp (a
    corpus: the mean over its batches' B and L)."""
    shapes = [tuple(x.shape) for x, _, _ in batches] if batches else [(a.batch, a.len)]
    return statistics.fmean(_flops(a, B, L) for B, L in shapes)


def _flops(a, B, L):
    d, f, N, T = a.dim, a.ffn, a.layers, a.tasks
    BL = B * L
    encoder = 3.0 * N * (8 * BL * d * d + 4 * BL * d * f + 4 * B * L * L * d)
    pool = 3.0 * (2 * BL * d * d + 4 * B * T * L * d)
    heads = 3.0 * (2 * B * d * sum(a.classes))
    return encoder + pool + heads


def openblas():
    """The OpenBLAS library this process loaded (through libblas.so.3), or None."""
    paths = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if "openblas" in path and ".so" in path:
                paths.add(path)
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return lib
        except (OSError, AttributeError):
            continue
    return None


def time_steps(a, step):
    """Warm-up, then --repeats blocks of --steps steps: steps per wall second
    and per CPU second of the process for each block, and CPU / wall overall."""
    for _ in range(a.warmup):
        step()
    rates, cpu_rates = [], []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(a.repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        for _ in range(a.steps):
            step()
        rates.append(a.steps / (time.perf_counter() - start))
        cpu_rates.append(a.steps / max(time.process_time() - cpu_start, 1e-9))
    cpu_per_wall = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    return rates, cpu_rates, cpu_per_wall


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--ffn", type=int, default=256)
    p.add_argument("--len", type=int, default=32)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--tasks", type=int, default=3)
    p.add_argument("--classes", default=None, help="C1,C2,... (default 2,4,2, cycled over the tasks)")
    p.add_argument("--vocab", type=int, default=1000)
    p.add_argument("--min-real", type=int, default=None)
    p.add_argument("--samples", type=int, default=0, help="a corpus of N texts, batches of B in order")
    p.add_argument("--words", type=int, default=0, help="corpus: Zipf-distributed ranks over W words")
    p.add_argument("--zipf", type=float, default=1.0)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts; the best is reported")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    classes = [int(c) for c in (a.classes or "2,4,2").split(",")]
    if len(classes) != a.tasks:
        if len(classes) != 1 and a.classes is not None:
            p.error(f"--classes has {len(classes)} values for {a.tasks} tasks")
        classes = [classes[t % len(classes)] for t in range(a.tasks)]
    a.classes = classes
    if a.dim % a.heads:
        p.error(f"--dim {a.dim} is not a multiple of --heads {a.heads}")
    threads = [int(n) for n in a.threads.split(",")]

    torch.manual_seed(a.seed)
    if a.samples > 0:
        batches, checksum = make_corpus(a)
    else:
        x, mask, y, checksum = make_batch(a)
        batches = [(x, mask, y)]
    blas = openblas()
    results = []
    for n in threads:
        torch.set_num_threads(n)
        if blas is not None:
            blas.openblas_set_num_threads(n)
        # A fresh model and optimiser per thread count, as a new run would have.
        torch.manual_seed(a.seed)
        model = MultiTaskAttention(a.vocab, a.len, a.dim, a.heads, a.layers, a.ffn, a.classes)
        optimizer = torch.optim.AdamW(model.parameters(), lr=0.003, weight_decay=0.01)
        parameters = sum(p.numel() for p in model.parameters())
        first_loss = []
        cursor = [0]

        def step():
            x, mask, y = batches[cursor[0]]
            cursor[0] = (cursor[0] + 1) % len(batches)
            optimizer.zero_grad(set_to_none=True)
            loss = model(x, mask, y)
            loss.backward()
            optimizer.step()
            if not first_loss:
                first_loss.append(float(loss))

        rates, cpu_rates, cpu_per_wall = time_steps(a, step)
        results.append({
            "threads": n,
            "openblas_threads": blas.openblas_get_num_threads() if blas is not None else None,
            "steps_per_second": statistics.median(rates),
            "steps_per_second_best": max(rates),
            "steps_per_second_worst": min(rates),
            "steps_per_cpu_second": statistics.median(cpu_rates),
            "cpu_per_wall": cpu_per_wall,
            "loss_first_step": first_loss[0],
        })
    best = max(results, key=lambda r: r["steps_per_second"])
    flops = flops_per_step(a, batches if a.samples > 0 else None)
    out = {
        "engine": "torch",
        "torch": torch.__version__,
        "blas": blas.openblas_get_config().decode() if blas is not None else "not OpenBLAS",
        "blas_core": blas.openblas_get_corename().decode() if blas is not None else None,
        "openblas_env": {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS")},
        "config": {"dim": a.dim, "heads": a.heads, "layers": a.layers, "ffn": a.ffn, "len": a.len,
                   "batch": a.batch, "tasks": a.tasks, "classes": a.classes, "vocab": a.vocab,
                   "real_tokens": checksum["real_tokens"], "samples": a.samples, "words": a.words,
                   "zipf": a.zipf},
        "batch_checksum": checksum,
        "parameters": parameters,
        "steps_per_repeat": a.steps, "repeats": a.repeats, "warmup": a.warmup,
        "flops_per_step": flops,
        "runs": results,
        "best_threads": best["threads"],
        "steps_per_second": best["steps_per_second"],
        "ms_per_step": 1000.0 / best["steps_per_second"],
        "gflops": flops * best["steps_per_second"] * 1e-9,
    }
    if a.json:
        json.dump(out, sys.stdout, indent=2)
        print()
        return
    print(f"torch {out['torch']} ({out['blas']}): d {a.dim}, {a.heads} heads, {a.layers} layers, f {a.ffn}, "
          f"L {a.len}, batch {a.batch}, {a.tasks} tasks ({','.join(map(str, a.classes))} classes), vocab {a.vocab}")
    print(f"batch checksum: id sum {checksum['id_sum']}, real tokens {checksum['real_tokens']}, "
          f"label sum {checksum['label_sum']}; {parameters} parameters")
    for r in results:
        print(f"  {r['threads']} thread(s) (OpenBLAS {r['openblas_threads']}): {r['steps_per_second']:.2f} steps/s "
              f"(median of {a.repeats} x {a.steps}; best {r['steps_per_second_best']:.2f}, "
              f"worst {r['steps_per_second_worst']:.2f}), CPU/wall {r['cpu_per_wall']:.2f}, "
              f"{r['steps_per_cpu_second']:.2f} steps per CPU second, "
              f"first-step loss {r['loss_first_step']:.4f}")
    print(f"best: {out['steps_per_second']:.2f} steps/s with {out['best_threads']} thread(s), "
          f"{out['ms_per_step']:.3f} ms/step, {out['gflops']:.2f} GFLOP/s (matmul FLOPs/step {flops:.4g})")


if __name__ == "__main__":
    main()
