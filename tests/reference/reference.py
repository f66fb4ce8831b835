#!/usr/bin/env python3
"""PyTorch reference of the multi-task attention model of docs MODEL.md.

An implementation independent of the C++ core, built from torch library
kernels (F.linear, F.layer_norm with eps 1e-5, exact F.gelu, softmax after
masked_fill(-inf), F.cross_entropy, torch.optim.AdamW and
torch.nn.utils.clip_grad_norm_). It computes in float64, so its numbers are
the "truth" up to float64 round-off, and stores them as float32.

Usage:  reference.py --out DIR [--self-check]

DIR gets, for every case C of CASES below:

  C.model.safetensors     a checkpoint exactly in the MODEL.md section 6 format
                          (8-byte little-endian header length, JSON header
                          padded with spaces to a multiple of 8, F32 data in
                          MODEL.md table order), with random non-trivial
                          weights: std ~1.2/sqrt(fan_in) weights, non-zero
                          biases, LayerNorm weights around 1, queries and
                          gates of order 1, so that every gradient is
                          non-trivial.

  C.expected.safetensors  a safetensors file of F32 tensors; __metadata__:
      reference_version  "1"
      case               C
      task_weights       JSON list, lambda_t
      optimizer          JSON {"kind": "adamw", "lr", "betas", "eps",
                         "weight_decay", "clip", "steps"}
      exact_zero_grads   JSON list of parameter names whose gradient is zero
                         in exact arithmetic (see EXACT ZEROS below)
    tensors:
      batch.tokens       [B, L]  text: token ids (as floats), 0 = <pad>
      batch.values       [B, L]  tabular: raw feature values, 0 where missing
      batch.mask         [B, L]  1 = real token / present feature, 0 = padding / missing
      batch.labels       [B, T]  class index, -1 = missing label
      logits.{t}         [B, C_t]
      loss.total         [1]     sum_t lambda_t loss_t
      loss.task          [T]     loss_t (0 for a task without labels)
      pool               [B, T, L]  the task attention a[b, t, j]
      queries            [T, d]  effective task queries q_t
      attn.{l}           [B, h, L, L]  self-attention of layer l (rows of
                                 padding queries are not part of the contract)
      hidden             [B, L, d]  final_ln output H (padding rows not part
                                 of the contract)
      grad.{name}        d loss.total / d parameter, for every trainable tensor
      adamw.loss         [S]     loss.total before each of the S AdamW steps
      after_adamw.{name} every trainable tensor after S steps of
                         torch.optim.AdamW with clip_grad_norm_ before each
                         step, on the same batch each step (every parameter
                         takes part, with a zero gradient where the loss does
                         not reach it, so weight decay applies to it too)
      adamw.conditioned.{name}  1 where after_adamw.{name} is determined to
                         float32 round-off, 0 where round-off decides it (see
                         EXACT ZEROS)

  manifest.json           {"reference_version": "1", "cases": [C, ...]}

Text batches are padded to their longest sample, which may be shorter than
max_len. Tabular batches have L = the number of features; input.mean and
input.std in the checkpoint are statistics of a small "training table" made
with MODEL.md 2's rules (population std in float64, constant feature -> mean
the value and std 1, missing values skipped); they are not trained.

EXACT ZEROS: the key bias of self-attention adds q_i . b_k to every score of
query i, which the softmax cancels, so d loss / d encoder.{l}.attn.k.bias is 0
in exact arithmetic and pure round-off in any implementation (1e-17 here,
around 1e-9 in float32). Adam normalises it (m / (sqrt(v) + eps) with eps
1e-8), so its value after AdamW is decided by round-off noise of size up to
lr per step. The same holds, rarely, for an element of another tensor
whose gradients all happen to lie within a few eps of 0: an element is
"conditioned" when sqrt(v_hat) >= 100 eps at every step or its gradient is
exactly 0 at every step (unused vocabulary rows, the padding token, a task
without labels, masked features: an implementation must give exact zeros
there too). The comparison treats the others accordingly.

--self-check repeats the computation in float32 with torch and prints how far
float32 torch is from the float64 truth under the metric that test_reference
uses: a float32 implementation that follows MODEL.md lands there.
"""

import argparse
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F

REFERENCE_VERSION = "1"
FORMAT = "attention-model/1"
ADAMW = {"kind": "adamw", "lr": 1e-2, "betas": [0.9, 0.999], "eps": 1e-8,
         "weight_decay": 0.01, "clip": 1.0, "steps": 5}
# An AdamW result is well-conditioned where sqrt(v_hat) >= CONDITIONED * eps at every step.
CONDITIONED = 100.0

# ---------------------------------------------------------------- safetensors


def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, float tensor) written in that order as F32."""
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()}}
    blobs = []
    offset = 0
    for name, t in tensors:
        data = t.detach().to(torch.float32).contiguous().cpu().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def read_safetensors(path):
    """Returns ({name: float32 tensor}, metadata). F32 only."""
    import numpy as np
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    meta = header.pop("__metadata__", {})
    out = {}
    for name, info in header.items():
        assert info["dtype"] == "F32", name
        b, e = info["data_offsets"]
        arr = np.frombuffer(data[b:e], dtype="<f4").reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out, meta


# ---------------------------------------------------------------- the cases

# Tasks and classes in byte order (MODEL.md 7); features in column order.
CASES = [
    dict(name="text_task_n1", input="text", mode="task", layers=1, dim=8, heads=2, ffn=12,
         max_len=9, lengths=[7, 3, 5, 1, 6], vocab=13,
         tasks=[("sentiment", ["negative", "positive"]), ("topic", ["billing", "shipping", "tech"]),
                ("urgency", ["high", "low"])],
         weights=[1.0, 0.5, 2.0], missing=[(0, 1), (2, 0), (3, 2), (4, 1)], seed=11),
    dict(name="text_shared_n0", input="text", mode="shared", layers=0, dim=8, heads=4, ffn=32,
         max_len=8, lengths=[8, 2, 5, 4], vocab=11,
         tasks=[("a", ["x", "y", "z"]), ("b", ["0", "1"])],
         weights=[1.0, 1.5], missing=[(1, 0), (2, 1)], seed=12),
    dict(name="text_gated_n2", input="text", mode="gated", layers=2, dim=8, heads=4, ffn=16,
         max_len=10, lengths=[6, 2, 6, 3, 1, 5], vocab=17,
         tasks=[("intent", ["ask", "buy", "cancel", "other"]), ("mood", ["bad", "good"]),
                ("spam", ["no", "yes"])],
         weights=[0.7, 1.0, 1.3], missing=[(0, 2), (1, 1), (5, 0), (3, 2)], seed=13),
    dict(name="text_task_n2_wide", input="text", mode="task", layers=2, dim=32, heads=4, ffn=64,
         max_len=16, lengths=[16, 9, 12, 3, 14, 7, 1, 10], vocab=40,
         tasks=[("sentiment", ["negative", "neutral", "positive"]),
                ("topic", ["billing", "delivery", "product", "support"]),
                ("urgency", ["high", "low"])],
         weights=[1.0, 1.0, 1.0], missing=[(1, 0), (3, 1), (6, 2), (2, 2)], seed=14),
    dict(name="tabular_task_n2", input="tabular", mode="task", layers=2, dim=8, heads=2, ffn=12,
         features=["age", "income", "constant", "score", "flag"], batch=6,
         tasks=[("churn", ["no", "yes"]), ("never_labelled", ["p", "q"]), ("tier", ["a", "b", "c"])],
         weights=[1.0, 3.0, 0.5], missing=[(2, 0), (4, 2)], unlabelled_task=1, seed=21),
    dict(name="tabular_shared_n1", input="tabular", mode="shared", layers=1, dim=8, heads=4,
         ffn=16, features=["x0", "x1", "constant", "x3"], batch=5,
         tasks=[("default", ["no", "yes"]), ("risk", ["high", "low", "medium"])],
         weights=[0.25, 2.0], missing=[(0, 1), (3, 0)], seed=22),
    dict(name="tabular_gated_n0", input="tabular", mode="gated", layers=0, dim=8, heads=2,
         ffn=16, features=["height", "weight", "constant", "pulse", "temp", "sugar"], batch=6,
         tasks=[("diagnosis", ["flu", "healthy", "other"]), ("severe", ["false", "true"])],
         weights=[1.0, 0.8], missing=[(1, 1), (5, 0)], seed=23),
]

VOCAB_WORDS = ["the", "not", "good", "bad", "café", "naïve", "日本", "ship", "refund", "\"quoted\"",
               "back\\slash", "late", "fast", "broken", "love", "hate", "order", "item", "price",
               "help", "now", "please", "box", "card", "email", "app", "crash", "slow", "thanks",
               "never", "always", "again", "today", "week", "size", "color", "return", "open",
               "tab\there", "emoji🙂"]


def param_specs(cfg, tasks):
    """MODEL.md 6: (name, shape) of every trainable tensor, in table order."""
    d, f = cfg["dim"], cfg["ffn"]
    specs = []
    if cfg["input"] == "text":
        specs += [("embed.token", [cfg["vocab_size"], d]), ("embed.position", [cfg["max_len"], d])]
    else:
        L = cfg["features"]
        specs += [("embed.feature_scale", [L, d]), ("embed.feature_bias", [L, d])]
    for l in range(cfg["layers"]):
        p = "encoder.%d." % l
        specs += [(p + "ln1.weight", [d]), (p + "ln1.bias", [d]),
                  (p + "ln2.weight", [d]), (p + "ln2.bias", [d])]
        for m in "qkvo":
            specs.append((p + "attn.%s.weight" % m, [d, d]))
        for m in "qkvo":
            specs.append((p + "attn.%s.bias" % m, [d]))
        specs += [(p + "ffn.up.weight", [f, d]), (p + "ffn.up.bias", [f]),
                  (p + "ffn.down.weight", [d, f]), (p + "ffn.down.bias", [d])]
    specs += [("final_ln.weight", [d]), ("final_ln.bias", [d]), ("pool.key.weight", [d, d])]
    T = len(tasks)
    specs.append(("pool.query", [1 if cfg["mode"] == "shared" else T, d]))
    if cfg["mode"] == "gated":
        specs += [("pool.shared_query", [d]), ("pool.gate", [T])]
    for t, (_, classes) in enumerate(tasks):
        specs += [("heads.%d.weight" % t, [len(classes), d]), ("heads.%d.bias" % t, [len(classes)])]
    return specs


def random_weights(specs, gen):
    """Non-trivial float32 weights (not the N(0, 0.02) initialisation)."""
    out = {}
    for name, shape in specs:
        z = torch.randn(shape, generator=gen, dtype=torch.float64)
        if name.endswith("ln1.weight") or name.endswith("ln2.weight") or name == "final_ln.weight":
            w = 1.0 + 0.3 * z
        elif name.endswith(".bias") or name == "embed.feature_bias":
            w = 0.2 * z
        elif name in ("embed.token", "embed.position", "embed.feature_scale"):
            w = 0.8 * z
        elif name in ("pool.query", "pool.shared_query", "pool.gate"):
            w = 1.0 * z
        else:  # [out, in] linear maps
            w = 1.2 / math.sqrt(shape[1]) * z
        out[name] = w.to(torch.float32)
    return out


def column_statistics(table):
    """MODEL.md 2: mean and population std over present values, in float64."""
    means, stds = [], []
    for j in range(table.shape[1]):
        col = [float(x) for x in table[:, j] if not math.isnan(float(x))]
        if not col:
            means.append(0.0); stds.append(1.0); continue
        if max(col) == min(col):
            means.append(col[0]); stds.append(1.0); continue
        m = math.fsum(col) / len(col)
        var = math.fsum((x - m) ** 2 for x in col) / len(col)
        s = math.sqrt(var)
        means.append(m); stds.append(s if s > 0 else 1.0)
    return torch.tensor(means, dtype=torch.float32), torch.tensor(stds, dtype=torch.float32)


def make_case(case):
    gen = torch.Generator().manual_seed(case["seed"])
    tasks = case["tasks"]
    T = len(tasks)
    cfg = {"dim": case["dim"], "heads": case["heads"], "ffn": case["ffn"], "layers": case["layers"],
           "mode": case["mode"], "input": case["input"]}
    meta = {"format": FORMAT}
    stats = None
    if case["input"] == "text":
        cfg["max_len"] = case["max_len"]
        vocab = ["<pad>", "<unk>"] + VOCAB_WORDS[:case["vocab"] - 2]
        cfg["vocab_size"] = len(vocab)
        lengths = case["lengths"]
        B, L = len(lengths), max(lengths)
        assert L <= case["max_len"]
        tokens = torch.zeros(B, L)
        mask = torch.zeros(B, L)
        for b, n in enumerate(lengths):
            tokens[b, :n] = torch.randint(1, len(vocab), (n,), generator=gen).float()
            mask[b, :n] = 1
        batch = {"batch.tokens": tokens, "batch.mask": mask}
        meta["vocab"] = json.dumps(vocab, ensure_ascii=False)
    else:
        names = case["features"]
        L, B = len(names), case["batch"]
        cfg["features"] = L
        cfg["max_len"] = 64  # not used by tabular models; written as the core writes it
        const_col = names.index("constant")
        # A small training table: features of different scales, some missing.
        rows = 20
        scale = torch.tensor([1.0 + 3.0 * j for j in range(L)], dtype=torch.float64)
        table = (torch.randn(rows, L, generator=gen, dtype=torch.float64) * scale + 2.0 * scale)
        table = table.float().double()
        table[:, const_col] = 3.25
        holes = torch.rand(rows, L, generator=gen) < 0.15
        table[holes] = float("nan")
        mean, std = column_statistics(table)
        stats = (mean, std)
        values = (torch.randn(B, L, generator=gen, dtype=torch.float64) * scale + 2.0 * scale).float()
        values[:, const_col] = 3.25
        mask = torch.ones(B, L)
        # Missing features: a few scattered ones, one sample with a single present feature,
        # and the constant feature missing in one sample.
        mask[0, 1] = 0
        mask[1, const_col] = 0
        mask[2, 1:] = 0
        mask[B - 1, L - 1] = 0
        values[mask == 0] = 0.0
        batch = {"batch.values": values, "batch.mask": mask}
        meta["features"] = json.dumps(names, ensure_ascii=False)
    labels = torch.zeros(B, T)
    for t, (_, classes) in enumerate(tasks):
        labels[:, t] = torch.randint(0, len(classes), (B,), generator=gen).float()
    for b, t in case["missing"]:
        labels[b, t] = -1
    if "unlabelled_task" in case:
        labels[:, case["unlabelled_task"]] = -1
    batch["batch.labels"] = labels
    config_json = {k: cfg[k] for k in ("dim", "heads", "ffn", "layers", "mode", "max_len", "input")}
    meta["config"] = json.dumps(config_json)
    meta["tasks"] = json.dumps([{"name": n, "classes": c} for n, c in tasks], ensure_ascii=False)
    specs = param_specs(cfg, tasks)
    weights = random_weights(specs, gen)
    return cfg, tasks, specs, weights, stats, batch, meta


# ---------------------------------------------------------------- the model


def forward(cfg, tasks, P, stats, batch, task_weights, dtype):
    """MODEL.md 2-5. P: name -> tensor of dtype. Returns a dict of outputs."""
    d, h, N = cfg["dim"], cfg["heads"], cfg["layers"]
    mask = batch["batch.mask"] > 0.5                      # [B, L] bool
    B, L = mask.shape
    # 2. embedding
    if cfg["input"] == "text":
        ids = batch["batch.tokens"].long()
        x = F.embedding(ids, P["embed.token"]) + P["embed.position"][:L].unsqueeze(0)
    else:
        mean, std = stats[0].to(dtype), stats[1].to(dtype)
        raw = batch["batch.values"].to(dtype)
        v = torch.where(mask, (raw - mean) / std, torch.zeros((), dtype=dtype))
        x = v.unsqueeze(-1) * P["embed.feature_scale"] + P["embed.feature_bias"]
    # 3. encoder
    attn = []
    dh = d // h
    for l in range(N):
        p = "encoder.%d." % l
        u = F.layer_norm(x, (d,), P[p + "ln1.weight"], P[p + "ln1.bias"], eps=1e-5)
        q = F.linear(u, P[p + "attn.q.weight"], P[p + "attn.q.bias"])
        k = F.linear(u, P[p + "attn.k.weight"], P[p + "attn.k.bias"])
        vv = F.linear(u, P[p + "attn.v.weight"], P[p + "attn.v.bias"])
        split = lambda t: t.view(B, L, h, dh).transpose(1, 2)          # [B, h, L, dh]
        q, k, vv = split(q), split(k), split(vv)
        s = q @ k.transpose(-1, -2) / math.sqrt(dh)                    # [B, h, L, L]
        s = s.masked_fill(~mask[:, None, None, :], float("-inf"))
        a = torch.softmax(s, dim=-1)
        attn.append(a)
        o = (a @ vv).transpose(1, 2).reshape(B, L, d)
        x = x + F.linear(o, P[p + "attn.o.weight"], P[p + "attn.o.bias"])
        u2 = F.layer_norm(x, (d,), P[p + "ln2.weight"], P[p + "ln2.bias"], eps=1e-5)
        up = F.linear(u2, P[p + "ffn.up.weight"], P[p + "ffn.up.bias"])
        x = x + F.linear(F.gelu(up), P[p + "ffn.down.weight"], P[p + "ffn.down.bias"])
    H = F.layer_norm(x, (d,), P["final_ln.weight"], P["final_ln.bias"], eps=1e-5)
    # 4. task attention pooling
    T = len(tasks)
    kp = F.linear(H, P["pool.key.weight"])                             # [B, L, d]
    if cfg["mode"] == "task":
        queries = P["pool.query"]
    elif cfg["mode"] == "shared":
        queries = P["pool.query"].expand(T, d)
    else:
        queries = P["pool.shared_query"].unsqueeze(0) + torch.sigmoid(P["pool.gate"]).unsqueeze(1) * P["pool.query"]
    s = torch.einsum("bjd,td->btj", kp, queries) / math.sqrt(d)
    s = s.masked_fill(~mask[:, None, :], float("-inf"))
    pool = torch.softmax(s, dim=-1)                                    # [B, T, L]
    z = torch.einsum("btj,bjd->btd", pool, H)
    logits = [F.linear(z[:, t], P["heads.%d.weight" % t], P["heads.%d.bias" % t]) for t in range(T)]
    # 5. loss
    labels = batch["batch.labels"].long()
    task_losses = []
    total = torch.zeros((), dtype=dtype)
    for t in range(T):
        have = labels[:, t] >= 0
        if int(have.sum()) == 0:
            task_losses.append(torch.zeros((), dtype=dtype))
            continue
        lt = F.cross_entropy(logits[t][have], labels[have, t], reduction="mean")
        task_losses.append(lt)
        total = total + task_weights[t] * lt
    return {"logits": logits, "loss": total, "task_losses": task_losses, "pool": pool,
            "attn": attn, "hidden": H, "queries": queries}


def gradients(cfg, tasks, specs, P, stats, batch, task_weights):
    out = forward(cfg, tasks, P, stats, batch, task_weights, next(iter(P.values())).dtype)
    params = [P[n] for n, _ in specs]
    grads = torch.autograd.grad(out["loss"], params, allow_unused=True)
    # A parameter the loss does not reach (a task without labels) has gradient 0.
    grads = [torch.zeros_like(p) if g is None else g for p, g in zip(params, grads)]
    return out, grads


def run_adamw(cfg, tasks, specs, weights, stats, batch, task_weights, dtype):
    """S steps of torch.optim.AdamW with clip_grad_norm_ before each, on one batch.

    Also returns, per element, whether its result is well-conditioned: Adam
    divides by sqrt(v_hat) + eps, so an element whose gradients are all within
    a few eps of 0 (but not exactly 0) moves by an amount that float32
    round-off decides. Such an element has min over steps of sqrt(v_hat) below
    CONDITIONED * eps; every other element (exactly-zero gradients included)
    is determined to float32 round-off."""
    P = {n: weights[n].detach().to(dtype).clone().requires_grad_(True) for n, _ in specs}
    params = [P[n] for n, _ in specs]
    b1, b2 = ADAMW["betas"]
    opt = torch.optim.AdamW(params, lr=ADAMW["lr"], betas=(b1, b2), eps=ADAMW["eps"],
                            weight_decay=ADAMW["weight_decay"])
    losses = []
    v = [torch.zeros_like(p, dtype=torch.float64) for p in params]
    min_rms = [torch.full_like(p, float("inf"), dtype=torch.float64) for p in params]
    all_zero = [torch.ones_like(p, dtype=torch.bool) for p in params]
    for step in range(1, ADAMW["steps"] + 1):
        opt.zero_grad(set_to_none=True)
        out = forward(cfg, tasks, P, stats, batch, task_weights, dtype)
        out["loss"].backward()
        # Decay applies to every trainable parameter, also one the loss does
        # not reach (MODEL.md 8: as torch.optim.AdamW(model.parameters())).
        for p in params:
            if p.grad is None:
                p.grad = torch.zeros_like(p)
        torch.nn.utils.clip_grad_norm_(params, max_norm=ADAMW["clip"])
        for i, p in enumerate(params):
            g = p.grad.double()
            v[i] = b2 * v[i] + (1 - b2) * g * g
            min_rms[i] = torch.minimum(min_rms[i], (v[i] / (1 - b2 ** step)).sqrt())
            all_zero[i] &= g == 0
        opt.step()
        losses.append(float(out["loss"]))
    conditioned = {n: ((min_rms[i] >= CONDITIONED * ADAMW["eps"]) | all_zero[i]).double()
                   for i, (n, _) in enumerate(specs)}
    return {n: P[n].detach() for n, _ in specs}, losses, conditioned


def compute(case, dtype):
    cfg, tasks, specs, weights, stats, batch, meta = make_case(case)
    task_weights = [float(torch.tensor(w, dtype=torch.float32)) for w in case["weights"]]
    P = {n: weights[n].detach().to(dtype).clone().requires_grad_(True) for n, _ in specs}
    out, grads = gradients(cfg, tasks, specs, P, stats, batch, task_weights)
    after, losses, conditioned = run_adamw(cfg, tasks, specs, weights, stats, batch,
                                           task_weights, dtype)
    T = len(tasks)
    exp = dict(batch)
    for t in range(T):
        exp["logits.%d" % t] = out["logits"][t]
    exp["loss.total"] = out["loss"].reshape(1)
    exp["loss.task"] = torch.stack(out["task_losses"]).reshape(T)
    exp["pool"] = out["pool"]
    exp["queries"] = out["queries"]
    for l, a in enumerate(out["attn"]):
        exp["attn.%d" % l] = a
    exp["hidden"] = out["hidden"]
    for (n, _), g in zip(specs, grads):
        exp["grad." + n] = g
    exp["adamw.loss"] = torch.tensor(losses, dtype=torch.float64)
    for n, _ in specs:
        exp["after_adamw." + n] = after[n]
    for n, _ in specs:
        exp["adamw.conditioned." + n] = conditioned[n]
    exp = {k: v.detach() for k, v in exp.items()}
    return cfg, tasks, specs, weights, stats, meta, task_weights, exp


def exact_zero_grads(cfg):
    return ["encoder.%d.attn.k.bias" % l for l in range(cfg["layers"])]


# ---------------------------------------------------------------- comparison metric
# The metric of tests/test_reference.cpp, per tensor:
#   err = max |a - b| / scale,  pass when err < 1e-4
# scale = max |b| for forward values (at least 1e-6); for gradients max |b|
# but at least 1e-6 G, G the largest gradient entry of the model, and G itself
# for the exact-zero gradients (their truth is 0: round-off relative to the
# terms that cancel); after AdamW, max |b| over the well-conditioned elements,
# while each ill-conditioned element must stay within 2 S lr (1.02) of the
# truth: both moved by at most about S lr from the decayed start.
# Attention rows of padding queries and hidden rows of padding tokens are
# left out (MODEL.md 2 does not define them).

TOLERANCE = 1e-4


def max_abs(x):
    return float(x.double().abs().max()) if x.numel() else 0.0


def compare(truth, other, specs, layers):
    """Returns ({tensor: err}, {tensor: (ill-conditioned elements, max |a - b|, bound)})."""
    G = max(max_abs(truth["grad." + n]) for n, _ in specs)
    zeros = set(exact_zero_grads({"layers": layers}))
    bound = 2 * ADAMW["steps"] * ADAMW["lr"] * 1.02
    errors, ill = {}, {}
    m = truth["batch.mask"] > 0.5
    for k, b in truth.items():
        if k.startswith("batch.") or k.startswith("adamw.conditioned."):
            continue
        a = other[k]
        if k == "hidden":
            a, b = a[m], b[m]
        elif k.startswith("attn."):
            a, b = a.permute(0, 2, 1, 3)[m], b.permute(0, 2, 1, 3)[m]
        name = k.split(".", 1)[-1]
        if k.startswith("after_adamw."):
            c = truth["adamw.conditioned." + name] > 0.5
            a, b, a_ill, b_ill = a[c], b[c], a[~c], b[~c]
            if a_ill.numel():
                ill[k] = (a_ill.numel(), max_abs(a_ill.double() - b_ill.double()), bound)
        if k.startswith("grad."):
            scale = G if name in zeros else max(max_abs(b), 1e-6 * G)
        else:
            scale = max(max_abs(b), 1e-6)
        errors[k] = max_abs(a.double() - b.double()) / scale
    return errors, ill


def self_check(case):
    _, _, specs, _, _, _, _, truth = compute(case, torch.float64)
    _, _, _, _, _, _, _, f32 = compute(case, torch.float32)
    errors, ill = compare(truth, f32, specs, case["layers"])
    top = sorted(errors.items(), key=lambda kv: -kv[1])[:4]
    print("  float32 torch vs the truth: worst %s" % ", ".join("%s %.2e" % kv for kv in top))
    for k, (n, d, bound) in ill.items():
        print("  %s: %d ill-conditioned elements, max |diff| %.2e (bound %.2e)" % (k, n, d, bound))
    bad = [k for k, e in errors.items() if not e < TOLERANCE] + [k for k, v in ill.items() if not v[1] <= v[2]]
    if bad:
        print("  FAILS: %s" % ", ".join(bad))
    return not bad


# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="directory to write the reference files to")
    ap.add_argument("--self-check", action="store_true",
                    help="also compare float32 torch with the float64 truth")
    args = ap.parse_args()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    names = []
    failed = False
    for case in CASES:
        cfg, tasks, specs, weights, stats, meta, task_weights, exp = compute(case, torch.float64)
        model = [(n, weights[n]) for n, _ in specs]
        if stats is not None:
            model += [("input.mean", stats[0]), ("input.std", stats[1])]
        write_safetensors(os.path.join(args.out, case["name"] + ".model.safetensors"), model, meta)
        emeta = {"reference_version": REFERENCE_VERSION, "case": case["name"],
                 "task_weights": json.dumps(task_weights), "optimizer": json.dumps(ADAMW),
                 "exact_zero_grads": json.dumps(exact_zero_grads(cfg))}
        write_safetensors(os.path.join(args.out, case["name"] + ".expected.safetensors"),
                          list(exp.items()), emeta)
        names.append(case["name"])
        print("%-20s loss %.6f  %d tensors" % (case["name"], float(exp["loss.total"]), len(exp)))
        if args.self_check and not self_check(case):
            failed = True
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump({"reference_version": REFERENCE_VERSION, "cases": names}, f, indent=1)
        f.write("\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
