#!/usr/bin/env python3
"""PyTorch reference of the multi-task attention model of docs MODEL.md.

An implementation independent of the C++ core, built from torch library
kernels (F.linear, F.layer_norm with eps 1e-5, exact F.gelu, softmax after
masked_fill(-inf), F.cross_entropy, torch.optim.AdamW and
torch.nn.utils.clip_grad_norm_, torch.autograd for every gradient). It
computes in float64, so its numbers are the "truth" up to float64 round-off,
and stores them as float32. It covers MODEL.md 2-5 (all four attention modes,
uniform included), 5b (rationale supervision with weight mu) and 9 (the five
explanation scores, ERASER faithfulness, plausibility).

Usage:  reference.py --out DIR [--self-check]

DIR gets, for every case C of CASES below:

  C.model.safetensors     a checkpoint exactly in the MODEL.md section 6 format
                          (8-byte little-endian header length, JSON header
                          padded with spaces to a multiple of 8, F32 data in
                          MODEL.md table order), with random non-trivial
                          weights: std ~1.2/sqrt(fan_in) weights, non-zero
                          biases, LayerNorm weights around 1, queries and
                          gates of order 1, so that every gradient is
                          non-trivial. config.mode may be "uniform" (no pool.*
                          tensors).

  C.expected.safetensors  a safetensors file of F32 tensors; __metadata__:
      reference_version  "2"
      case               C
      needs              JSON list of what the core must implement to run this
                         case's forward, backward and AdamW comparison beyond
                         reference 1: "uniform" (MODEL.md 4's uniform mode),
                         "rationale" (MODEL.md 5b with mu > 0). [] for the
                         seven cases of reference 1, whose tensors are the
                         same bit for bit.
      task_weights       JSON list, lambda_t
      rationale_weight   JSON number, mu (0: off; batch.rationale then only
                         feeds loss.att and the plausibility metrics)
      optimizer          JSON {"kind": "adamw", "lr", "betas", "eps",
                         "weight_decay", "clip", "steps"}
      exact_zero_grads   JSON list of parameter names whose gradient is zero
                         in exact arithmetic (see EXACT ZEROS below)
      explain            JSON {"methods": [...], "mass_methods": [...],
                         "percents": [1, 5, 10, 20, 50], "ig_steps": 20,
                         "variants": ["pred", "gold"]}: the order of the
                         method axis M and of the percent axis K below
    tensors:
      batch.tokens       [B, L]  text: token ids (as floats), 0 = <pad>
      batch.values       [B, L]  tabular: raw feature values, 0 where missing
      batch.mask         [B, L]  1 = real token / present feature, 0 = padding / missing
      batch.labels       [B, T]  class index, -1 = missing label
      batch.rationale    [B, T, L]  1 = token j is a rationale token of (b, t).
                                 Also set on padding and missing features,
                                 where it must be ignored (MODEL.md 5b counts
                                 rationale tokens among the real tokens only):
                                 see make_rationale for the patterns
      logits.{t}         [B, C_t]
      loss.total         [1]     sum_t lambda_t loss_t + mu sum_t att_t
      loss.task          [T]     loss_t (0 for a task without labels)
      loss.att           [T]     att_t of MODEL.md 5b (0 where P_t is empty),
                                 whatever mu is; uniform mode: a constant
      pool               [B, T, L]  the task attention a[b, t, j]
      queries            [T, d]  effective task queries q_t (not in uniform mode)
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

    MODEL.md 9, at the checkpoint's weights, for every sample b and task t
    (scores on real tokens only: padding and missing features hold 0 and are
    not part of the reference). M = 6 methods in the order attention,
    rollout, gradient, integrated, occlusion, random; K = 5 percents.
      explain.rollout    [B, T, L]  the rollout score (class-independent)
      explain.has_rationale  [B, T]  1 where (b, t) has a rationale token
                                 among its real tokens
      explain.mass       [B, T, 2]  attention and rollout mass on the
                                 rationale tokens (where has_rationale)
    and for each class variant V: "pred" explains the predicted class (the
    first largest logit), "gold" the gold class where the label exists;
    rows (b, t) without a class (gold: missing label) hold 0 and are not part
    of the reference:
      explain.V.class    [B, T]  the explained class c, -1 = none
      explain.V.f        [B, T]  f(e) = log softmax(logits[t])[c]
      explain.V.f_zero   [B, T]  f(0): all-zero embedding, mask unchanged
      explain.V.gradient, explain.V.integrated, explain.V.occlusion  [B, T, L]
      explain.V.gradient_terms, explain.V.integrated_terms  [B, T, L]
                         sum_k |e[j, k] g[j, k]|: the size of the terms that
                         the score adds up (the scale of its round-off, see
                         SCALES); not something the core must compute
      explain.V.integrated_delta  [B, T]  sum_j integrated_j - (f(e) - f(0))
      explain.V.order    [B, T, M, L]  each method's ranking of the real
                         tokens, positions in rank order, -1 after the n
                         real ones; "random" is a seeded permutation per
                         (b, t), the same for both variants
      explain.V.comprehensiveness_k, explain.V.sufficiency_k  [B, T, M, K]
                         p(x) - p(x without top_k), p(x) - p(only top_k),
                         with p the probability of class c
      explain.V.comprehensiveness, explain.V.sufficiency  [B, T, M]  their
                         means over K (ERASER's AOPC)
      explain.V.cut_gap  [B, T, M]  how firmly the ranking decides the
                         top_k sets (see SCALES); 1 where nothing to decide
      explain.V.auprc    [B, T, M]  average precision of the score against
                         the rationale tokens (where has_rationale); random:
                         of the rank (n - r for rank r)
      explain.V.set.comprehensiveness, .set.sufficiency  [T, M]  means over
                         the samples with a class
      explain.V.set.auprc [T, M], explain.V.set.mass [T, 2]  means over the
                         samples with a class and a rationale token
      explain.V.set.samples, explain.V.set.rationale_samples  [T]  those
                         counts (0: the mean is undefined and stored as 0)

  manifest.json           {"reference_version": "2", "cases": [C, ...],
                           "needs": {C: [...], ...}}

Text batches are padded to their longest sample, which may be shorter than
max_len. Tabular batches have L = the number of features; input.mean and
input.std in the checkpoint are statistics of a small "training table" made
with MODEL.md 2's rules (population std in float64, constant feature -> mean
the value and std 1, missing values skipped); they are not trained. Every
case has a sample with a single real token (occlusion and ERASER then reach
a sample with none, which predicts the uniform distribution).

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

SCALES of the explanations. gradient x input and integrated gradients add
up d terms e[j, k] g[j, k] that can cancel: at N = 0 the model sees e only
through final_ln, which is scale-invariant (LN(alpha e) = LN(e) up to eps),
so e . df/de is O(eps / var) and both scores are ~1e-5 of their terms, pure
cancellation. Their honest scale is max(|score|, terms), not |score|. The
rankings by such scores can then be decided by round-off: cut_gap is the
smallest gap between the last score inside a top_k and the first outside,
divided by that scale (for the other methods by max |score|); 0 is an exact
tie (uniform attention: every real token weighs 1/n exactly), broken by
position. Where 0 < cut_gap < 1e-4, a float32 implementation may rank
differently and its comprehensiveness and sufficiency of that (b, t, method)
may differ; explain.V.order lets a test compare the metrics for the
reference's own ranking instead.

--self-check repeats the computation in float32 with torch and prints how far
float32 torch is from the float64 truth under the metric that test_reference
uses (a float32 implementation that follows MODEL.md lands there), then
checks 5b and 9 by a second route in float64 (cross_check: samples alone,
padded differently, through forward() with edited masks; gradients by
central differences; rollout as the full product with padding) and
average_precision against scikit-learn's where python3-sklearn is installed.
"""

import argparse
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F

REFERENCE_VERSION = "2"
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
    # MODEL.md 4's uniform mode (the control: no pool.* tensors), with and
    # without rationale supervision, whose term is then a constant.
    dict(name="text_uniform_n0", input="text", mode="uniform", layers=0, dim=8, heads=2, ffn=12,
         max_len=8, lengths=[5, 1, 8, 3], vocab=12,
         tasks=[("a", ["x", "y"]), ("b", ["p", "q", "r"])],
         weights=[1.0, 0.6], missing=[(0, 1), (3, 0)], seed=31),
    dict(name="text_uniform_n1_mu", input="text", mode="uniform", layers=1, dim=8, heads=2, ffn=16,
         max_len=9, lengths=[6, 2, 9, 1, 4], vocab=15,
         tasks=[("sentiment", ["negative", "positive"]), ("topic", ["a", "b", "c"])],
         weights=[1.0, 1.0], missing=[(1, 0), (4, 1)], mu=0.7, seed=32),
    dict(name="text_uniform_n2", input="text", mode="uniform", layers=2, dim=8, heads=4, ffn=16,
         max_len=10, lengths=[7, 3, 10, 1, 5, 4], vocab=17,
         tasks=[("intent", ["ask", "buy", "other"]), ("mood", ["bad", "good"]), ("spam", ["no", "yes"])],
         weights=[0.7, 1.0, 1.3], missing=[(0, 2), (2, 1), (5, 0)], seed=33),
    dict(name="tabular_uniform_n0_mu", input="tabular", mode="uniform", layers=0, dim=8, heads=2,
         ffn=12, features=["a", "b", "constant", "d", "e"], batch=5,
         tasks=[("risk", ["high", "low"]), ("tier", ["a", "b", "c"])],
         weights=[1.0, 0.5], missing=[(0, 1), (3, 0)], mu=1.3, seed=34),
    dict(name="tabular_uniform_n1", input="tabular", mode="uniform", layers=1, dim=8, heads=2,
         ffn=12, features=["x0", "x1", "constant", "x3"], batch=5,
         tasks=[("default", ["no", "yes"]), ("risk", ["high", "low", "medium"])],
         weights=[0.25, 2.0], missing=[(0, 1), (3, 0)], seed=35),
    dict(name="tabular_uniform_n2_mu", input="tabular", mode="uniform", layers=2, dim=8, heads=4,
         ffn=16, features=["height", "weight", "constant", "pulse", "temp", "sugar"], batch=6,
         tasks=[("diagnosis", ["flu", "healthy", "other"]), ("severe", ["false", "true"])],
         weights=[1.0, 0.8], missing=[(1, 1), (5, 0)], mu=0.4, seed=36),
    # MODEL.md 5b's rationale supervision in the other modes: a task whose
    # rationales lie on padding only (P_t empty), a task without labels but
    # with rationales (att_t alone reaches the pooling).
    dict(name="text_task_n1_mu", input="text", mode="task", layers=1, dim=8, heads=2, ffn=12,
         max_len=9, lengths=[7, 3, 5, 1, 6, 9], vocab=13,
         tasks=[("sentiment", ["negative", "positive"]), ("topic", ["billing", "shipping", "tech"]),
                ("urgency", ["high", "low"])],
         weights=[1.0, 0.5, 2.0], missing=[(0, 1), (2, 0), (3, 2)], unlabelled_task=2, mu=0.5,
         seed=41),
    dict(name="text_shared_n0_mu", input="text", mode="shared", layers=0, dim=8, heads=4, ffn=32,
         max_len=8, lengths=[8, 2, 5, 4, 1], vocab=11,
         tasks=[("a", ["x", "y", "z"]), ("b", ["0", "1"])],
         weights=[1.0, 1.5], missing=[(1, 0), (2, 1)], mu=2.0, seed=42),
    dict(name="text_gated_n2_mu", input="text", mode="gated", layers=2, dim=16, heads=4, ffn=24,
         max_len=12, lengths=[6, 2, 12, 3, 1, 5, 9], vocab=21,
         tasks=[("intent", ["ask", "buy", "cancel", "other"]), ("mood", ["bad", "good"]),
                ("spam", ["no", "yes"])],
         weights=[0.7, 1.0, 1.3], missing=[(0, 2), (1, 1), (5, 0), (3, 2)], no_rationale_task=1,
         mu=0.8, seed=43),
    dict(name="tabular_task_n2_mu", input="tabular", mode="task", layers=2, dim=8, heads=2, ffn=12,
         features=["age", "income", "constant", "score", "flag"], batch=6,
         tasks=[("churn", ["no", "yes"]), ("never_labelled", ["p", "q"]), ("tier", ["a", "b", "c"])],
         weights=[1.0, 3.0, 0.5], missing=[(2, 0), (4, 2)], unlabelled_task=1, mu=1.0, seed=44),
    dict(name="tabular_gated_n1_mu", input="tabular", mode="gated", layers=1, dim=8, heads=2,
         ffn=16, features=["height", "weight", "constant", "pulse", "temp", "sugar"], batch=6,
         tasks=[("diagnosis", ["flu", "healthy", "other"]), ("severe", ["false", "true"])],
         weights=[1.0, 0.8], missing=[(1, 1), (5, 0)], no_rationale_task=0, mu=0.3, seed=45),
]

VOCAB_WORDS = ["the", "not", "good", "bad", "café", "naïve", "日本", "ship", "refund", "\"quoted\"",
               "back\\slash", "late", "fast", "broken", "love", "hate", "order", "item", "price",
               "help", "now", "please", "box", "card", "email", "app", "crash", "slow", "thanks",
               "never", "always", "again", "today", "week", "size", "color", "return", "open",
               "tab\there", "emoji🙂"]


def case_needs(case):
    """What the core needs beyond the first reference to run a case's
    forward, backward and AdamW steps (the manifest lists it per case)."""
    needs = []
    if case["mode"] == "uniform":
        needs.append("uniform")
    if case.get("mu", 0.0):
        needs.append("rationale")
    return needs


def make_rationale(case, mask, T):
    """batch.rationale [B, T, L]: 1 = a rationale token of (sample, task).

    Drawn from a generator of its own, after everything else, so that the
    first reference's cases keep their tensors bit for bit. Sample b and task
    t follow pattern (b + t) % 4: none; on padding (text: past the sample's
    end, tabular: a missing feature) only, which is no rationale token at all
    (P_t leaves the sample out); 1 to n/2 real tokens; real tokens and a
    padding one. A case's no_rationale_task gets padding flags only."""
    gen = torch.Generator().manual_seed(case["seed"] + 7777)
    B, L = mask.shape
    rat = torch.zeros(B, T, L)
    for b in range(B):
        real = [j for j in range(L) if mask[b, j] > 0.5]
        pad = [j for j in range(L) if mask[b, j] < 0.5]
        pick = lambda xs: xs[int(torch.randint(0, len(xs), (), generator=gen))]
        for t in range(T):
            pattern = (b + t) % 4
            if t == case.get("no_rationale_task"):
                pattern = 1
            if pattern == 0:
                continue
            if pattern == 1:
                if pad:
                    rat[b, t, pick(pad)] = 1
                continue
            count = 1 + int(torch.randint(0, max(1, len(real) // 2), (), generator=gen))
            for i in torch.randperm(len(real), generator=gen)[:count].tolist():
                rat[b, t, real[i]] = 1
            if pattern == 3 and pad:
                rat[b, t, pick(pad)] = 1
    return rat


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
    specs += [("final_ln.weight", [d]), ("final_ln.bias", [d])]
    T = len(tasks)
    if cfg["mode"] != "uniform":
        specs.append(("pool.key.weight", [d, d]))
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
    batch["batch.rationale"] = make_rationale(case, batch["batch.mask"], T)
    return cfg, tasks, specs, weights, stats, batch, meta


# ---------------------------------------------------------------- the model


def embed(cfg, P, stats, batch, dtype):
    """MODEL.md 2: the embedding output e [B, L, d] and the mask [B, L] (bool)."""
    mask = batch["batch.mask"] > 0.5
    L = mask.shape[1]
    if cfg["input"] == "text":
        ids = batch["batch.tokens"].long()
        e = F.embedding(ids, P["embed.token"]) + P["embed.position"][:L].unsqueeze(0)
    else:
        mean, std = stats[0].to(dtype), stats[1].to(dtype)
        raw = batch["batch.values"].to(dtype)
        v = torch.where(mask, (raw - mean) / std, torch.zeros((), dtype=dtype))
        e = v.unsqueeze(-1) * P["embed.feature_scale"] + P["embed.feature_bias"]
    return e, mask


def encode_pool(cfg, tasks, P, e, mask):
    """MODEL.md 3-4 from the embedding output e under the mask: logits, the task
    attention a and log a (s - logsumexp(s) over the real tokens, -inf on
    padding; uniform mode: -log n, no gradient), self-attention, H, queries."""
    d, h, N = cfg["dim"], cfg["heads"], cfg["layers"]
    B, L = mask.shape
    dtype = e.dtype
    x = e
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
    if cfg["mode"] == "uniform":
        # a = m / sum m for every task: no keys, queries or scores.
        m = mask.to(dtype)
        n = m.sum(-1, keepdim=True)                                    # [B, 1]
        pool = (m / n).unsqueeze(1).expand(B, T, L)
        logpool = torch.where(mask, -torch.log(n), torch.full((), float("-inf"), dtype=dtype))
        logpool = logpool.unsqueeze(1).expand(B, T, L)
        queries = None
    else:
        kp = F.linear(H, P["pool.key.weight"])                         # [B, L, d]
        if cfg["mode"] == "task":
            queries = P["pool.query"]
        elif cfg["mode"] == "shared":
            queries = P["pool.query"].expand(T, d)
        else:
            queries = P["pool.shared_query"].unsqueeze(0) + torch.sigmoid(P["pool.gate"]).unsqueeze(1) * P["pool.query"]
        s = torch.einsum("bjd,td->btj", kp, queries) / math.sqrt(d)
        s = s.masked_fill(~mask[:, None, :], float("-inf"))
        pool = torch.softmax(s, dim=-1)                                # [B, T, L]
        logpool = s - torch.logsumexp(s, dim=-1, keepdim=True)         # MODEL.md 5b
    z = torch.einsum("btj,bjd->btd", pool, H)
    logits = [F.linear(z[:, t], P["heads.%d.weight" % t], P["heads.%d.bias" % t]) for t in range(T)]
    return {"logits": logits, "pool": pool, "logpool": logpool, "attn": attn, "hidden": H,
            "queries": queries}


def forward(cfg, tasks, P, stats, batch, task_weights, dtype, mu=0.0):
    """MODEL.md 2-5 and 5b. P: name -> tensor of dtype. Returns a dict of outputs."""
    e, mask = embed(cfg, P, stats, batch, dtype)
    out = encode_pool(cfg, tasks, P, e, mask)
    T = len(tasks)
    logits = out["logits"]
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
    # 5b. rationale supervision: att_t over the samples with a rationale token
    # among their real tokens; r = 1 / R_bt on those tokens.
    att_losses = []
    if "batch.rationale" in batch:
        rat = (batch["batch.rationale"] > 0.5) & mask[:, None, :]     # [B, T, L]
        count = rat.sum(-1)                                            # R_bt
        zero = torch.zeros((), dtype=dtype)
        for t in range(T):
            in_p = count[:, t] > 0
            if int(in_p.sum()) == 0:
                att_losses.append(zero)
                continue
            r = rat[:, t].to(dtype) / count[:, t].clamp(min=1).to(dtype).unsqueeze(-1)
            ce = -(torch.where(rat[:, t], out["logpool"][:, t], zero) * r).sum(-1)   # [B]
            att_t = ce[in_p].mean()
            att_losses.append(att_t)
            if mu:
                total = total + mu * att_t
    out.update({"loss": total, "task_losses": task_losses, "att_losses": att_losses})
    return out


def gradients(cfg, tasks, specs, P, stats, batch, task_weights, mu):
    out = forward(cfg, tasks, P, stats, batch, task_weights, next(iter(P.values())).dtype, mu)
    params = [P[n] for n, _ in specs]
    grads = torch.autograd.grad(out["loss"], params, allow_unused=True)
    # A parameter the loss does not reach (a task without labels) has gradient 0.
    grads = [torch.zeros_like(p) if g is None else g for p, g in zip(params, grads)]
    return out, grads


def run_adamw(cfg, tasks, specs, weights, stats, batch, task_weights, mu, dtype):
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
        out = forward(cfg, tasks, P, stats, batch, task_weights, dtype, mu)
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


# ---------------------------------------------------------------- explanations (MODEL.md 9)

METHODS = ["attention", "rollout", "gradient", "integrated", "occlusion", "random"]
MASS_METHODS = ["attention", "rollout"]
PERCENTS = [1, 5, 10, 20, 50]
IG_STEPS = 20
VARIANTS = ["pred", "gold"]
EXPLAIN = {"methods": METHODS, "mass_methods": MASS_METHODS, "percents": PERCENTS,
           "ig_steps": IG_STEPS, "variants": VARIANTS}


def log_probs_under(cfg, tasks, P, e, masks):
    """Per task, [R, C_t] log-probabilities of the model on copies of one
    batch's embedding rows e [R, L, d] under masks [R, L]. A row left with no
    real token predicts the uniform distribution (log p = -log C_t)."""
    R = masks.shape[0]
    live = masks.any(-1)
    out = [torch.full((R, len(c)), -math.log(len(c)), dtype=e.dtype) for _, c in tasks]
    if bool(live.any()):
        res = encode_pool(cfg, tasks, P, e[live], masks[live])
        for t in range(len(tasks)):
            out[t][live] = F.log_softmax(res["logits"][t], dim=-1)
    return out


def rollout_scores(pool, attn, mask):
    """(a[t, :] R)[j] with R = M_{N-1} ... M_0, M_l = 0.5 mean_i A_{l,i} + 0.5 I,
    rows and columns restricted to the real tokens (not renormalised: each
    restricted row of mean_i A already sums to 1). 0 on padding."""
    B, T, L = pool.shape
    out = torch.zeros_like(pool)
    for b in range(B):
        idx = mask[b].nonzero().flatten()
        n = idx.numel()
        eye = torch.eye(n, dtype=pool.dtype)
        R = eye
        for A in attn:
            M = 0.5 * A[b].mean(0)[idx][:, idx] + 0.5 * eye
            R = M @ R
        out[b][:, idx] = pool[b][:, idx] @ R
    return out


def top_count(k, n):
    """ceil(k n / 100) in integers, at least 1 (MODEL.md 9)."""
    return max(1, (k * n + 99) // 100)


def ranking(scores, real):
    """Real positions by score, highest first, ties by position."""
    return sorted(real, key=lambda j: (-scores[j], j))


def cut_gap(scores, order, scale):
    """How firmly a ranking's top_k sets are decided: the smallest gap
    between the last score inside and the first outside top_k over the cuts
    with tokens on both sides, relative to the scale of the scores' round-off
    (see score_scale); 1 where there is no such cut. 0 is an exact tie
    (broken by position)."""
    n = len(order)
    gaps = [scores[order[c - 1]] - scores[order[c]] for c in {top_count(k, n) for k in PERCENTS} if c < n]
    if not gaps:
        return 1.0
    return min(gaps) / scale if scale > 0 else 0.0


def average_precision(scores, relevant):
    """scikit-learn's average_precision_score: sum over thresholds (the
    distinct scores, highest first; equal scores enter together) of
    (R_k - R_{k-1}) P_k. None when nothing is relevant."""
    positives = sum(1 for r in relevant if r)
    if positives == 0:
        return None
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    ap, last_recall, tp, seen, i = 0.0, 0.0, 0, 0, 0
    while i < len(order):
        threshold = scores[order[i]]
        while i < len(order) and scores[order[i]] == threshold:
            seen += 1
            tp += 1 if relevant[order[i]] else 0
            i += 1
        recall = tp / positives
        ap += (recall - last_recall) * (tp / seen)
        last_recall = recall
    return ap


def random_orders(case, mask, T):
    """The random ranking (the floor of MODEL.md 9): per sample and task, a
    seeded permutation of the real positions. [B, T, L] positions in rank
    order, -1 after the n real ones. The core draws its own; the reference
    stores these so that the metrics can be compared for the same ranking."""
    gen = torch.Generator().manual_seed(case["seed"] + 4242)
    B, L = mask.shape
    orders = torch.full((B, T, L), -1.0)
    for b in range(B):
        real = [j for j in range(L) if mask[b, j]]
        for t in range(T):
            perm = torch.randperm(len(real), generator=gen).tolist()
            orders[b, t, :len(real)] = torch.tensor([float(real[i]) for i in perm])
    return orders


def embedding_gradients(cfg, tasks, P, e, mask, t, classes):
    """d f / d e for f = log softmax(logits[t])[c] of each row whose class
    c >= 0 (rows are independent, so one backward of their sum gives every
    row's own gradient); 0 for the other rows."""
    E = e.detach().clone().requires_grad_(True)
    logits = encode_pool(cfg, tasks, P, E, mask)["logits"][t]
    lp = F.log_softmax(logits, dim=-1)
    have = classes >= 0
    if int(have.sum()) == 0:
        return torch.zeros_like(e)
    f = lp[have, classes[have]].sum()
    (g,) = torch.autograd.grad(f, E)
    return g


def explain(case, cfg, tasks, P, stats, batch):
    """MODEL.md 9 for every sample and task of a batch, for the predicted
    class ("pred") and the gold class ("gold", where a label exists)."""
    P = {k: v.detach() for k, v in P.items()}
    dtype = next(iter(P.values())).dtype
    with torch.no_grad():
        e, mask = embed(cfg, P, stats, batch, dtype)
        out = encode_pool(cfg, tasks, P, e, mask)
    B, L = mask.shape
    T = len(tasks)
    K, M = len(PERCENTS), len(METHODS)
    mask_list = mask.tolist()
    real = [[j for j in range(L) if mask_list[b][j]] for b in range(B)]
    pool = out["pool"]
    lp_full = [F.log_softmax(out["logits"][t], dim=-1) for t in range(T)]
    p_full = [torch.softmax(out["logits"][t], dim=-1) for t in range(T)]
    with torch.no_grad():
        rollout = rollout_scores(pool, out["attn"], mask)
        lp_zero = log_probs_under(cfg, tasks, P, torch.zeros_like(e), mask)
    rat = (batch["batch.rationale"] > 0.5) & mask[:, None, :]
    has_rat = rat.any(-1)
    orders = random_orders(case, mask, T)
    res = {"explain.rollout": rollout, "explain.has_rationale": has_rat.to(dtype)}
    mass = torch.zeros(B, T, len(MASS_METHODS), dtype=dtype)
    for i, scores in enumerate([pool, rollout]):
        mass[..., i] = torch.where(rat, scores, torch.zeros((), dtype=dtype)).sum(-1)
    res["explain.mass"] = mass

    # Occlusion: one copy of each sample per real token, without it.
    occ_rows, occ_masks = [], []
    for b in range(B):
        for j in real[b]:
            m = mask[b].clone()
            m[j] = False
            occ_rows.append(b)
            occ_masks.append(m)
    with torch.no_grad():
        lp_occ = log_probs_under(cfg, tasks, P, e[occ_rows], torch.stack(occ_masks))

    labels = batch["batch.labels"].long()
    pred = torch.stack([torch.argmax(out["logits"][t], dim=-1) for t in range(T)], dim=1)
    for v in VARIANTS:
        cls = pred if v == "pred" else labels                         # [B, T], -1: none
        pre = "explain.%s." % v
        f = torch.zeros(B, T, dtype=dtype)
        f0 = torch.zeros(B, T, dtype=dtype)
        grad_s = torch.zeros(B, T, L, dtype=dtype)
        ig_s = torch.zeros(B, T, L, dtype=dtype)
        occ_s = torch.zeros(B, T, L, dtype=dtype)
        grad_terms = torch.zeros(B, T, L, dtype=dtype)
        ig_terms = torch.zeros(B, T, L, dtype=dtype)
        for t in range(T):
            c = cls[:, t]
            have = c >= 0
            # gradient x input at e
            g = embedding_gradients(cfg, tasks, P, e, mask, t, c)
            grad_s[:, t] = (e * g).sum(-1) * mask
            grad_terms[:, t] = (e * g).abs().sum(-1) * mask
            # integrated gradients: S copies at (s / S) e, s = 1..S, same mask
            S = IG_STEPS
            alphas = torch.tensor([s / S for s in range(1, S + 1)], dtype=dtype)
            scaled = (alphas[:, None, None, None] * e.unsqueeze(0)).reshape(S * B, L, -1)
            gs = embedding_gradients(cfg, tasks, P, scaled, mask.repeat(S, 1), t, c.repeat(S))
            gbar = gs.reshape(S, B, L, -1).sum(0) / S
            ig_s[:, t] = (e * gbar).sum(-1) * mask
            ig_terms[:, t] = (e * gbar).abs().sum(-1) * mask
            for b in range(B):
                if not have[b]:
                    continue
                f[b, t] = lp_full[t][b, c[b]]
                f0[b, t] = lp_zero[t][b, c[b]]
        for r, (b, m) in enumerate(zip(occ_rows, occ_masks)):
            j = int((mask[b] & ~m).nonzero())
            for t in range(T):
                if cls[b, t] >= 0:
                    occ_s[b, t, j] = f[b, t] - lp_occ[t][r, cls[b, t]]
        ig_s = ig_s.detach()
        grad_s = grad_s.detach()
        delta = ig_s.sum(-1) - (f - f0)
        res[pre + "class"] = cls.to(dtype)
        res[pre + "f"] = f
        res[pre + "f_zero"] = f0
        res[pre + "gradient"] = grad_s
        res[pre + "gradient_terms"] = grad_terms.detach()
        res[pre + "integrated"] = ig_s
        res[pre + "integrated_terms"] = ig_terms.detach()
        res[pre + "integrated_delta"] = delta
        res[pre + "occlusion"] = occ_s

        # ERASER: p(x) - p(x without top_k) and p(x) - p(only top_k) for each
        # ranking, over every (sample, task, method, k) at once.
        score_of = {"attention": pool, "rollout": rollout, "gradient": grad_s,
                    "integrated": ig_s, "occlusion": occ_s}
        gap = torch.ones(B, T, M, dtype=dtype)
        ranks = torch.full((B, T, M, L), -1.0, dtype=dtype)
        auprc = torch.zeros(B, T, M, dtype=dtype)
        rows, masks, where = [], [], []
        for b in range(B):
            n = len(real[b])
            for t in range(T):
                if cls[b, t] < 0:
                    continue
                for mi, method in enumerate(METHODS):
                    if method == "random":
                        order = [int(x) for x in orders[b, t, :n].tolist()]
                        ap_scores = {j: float(n - r) for r, j in enumerate(order)}
                    else:
                        s = [float(x) for x in score_of[method][b, t].tolist()]
                        order = ranking(s, real[b])
                        terms = {"gradient": grad_terms, "integrated": ig_terms}.get(method)
                        scale = max(abs(s[j]) for j in real[b]) if terms is None \
                            else float(terms[b, t].max())
                        gap[b, t, mi] = cut_gap(s, order, scale)
                        ap_scores = {j: s[j] for j in real[b]}
                    ranks[b, t, mi, :n] = torch.tensor(order, dtype=dtype)
                    if has_rat[b, t]:
                        auprc[b, t, mi] = average_precision([ap_scores[j] for j in real[b]],
                                                            [bool(rat[b, t, j]) for j in real[b]])
                    for ki, k in enumerate(PERCENTS):
                        top = set(order[:top_count(k, n)])
                        rows += [b, b]
                        masks.append([bool(mask_list[b][j]) and j not in top for j in range(L)])
                        masks.append([j in top for j in range(L)])
                        where.append((b, t, mi, ki))
        comp_k = torch.zeros(B, T, M, K, dtype=dtype)
        suff_k = torch.zeros(B, T, M, K, dtype=dtype)
        if rows:
            with torch.no_grad():
                lp = log_probs_under(cfg, tasks, P, e[rows], torch.tensor(masks))
            for i, (b, t, mi, ki) in enumerate(where):
                c = int(cls[b, t])
                p = p_full[t][b, c]
                comp_k[b, t, mi, ki] = p - torch.exp(lp[t][2 * i, c])
                suff_k[b, t, mi, ki] = p - torch.exp(lp[t][2 * i + 1, c])
        res[pre + "comprehensiveness_k"] = comp_k
        res[pre + "sufficiency_k"] = suff_k
        res[pre + "comprehensiveness"] = comp_k.mean(-1)
        res[pre + "sufficiency"] = suff_k.mean(-1)
        res[pre + "order"] = ranks
        res[pre + "cut_gap"] = gap
        res[pre + "auprc"] = auprc

        # The set: comprehensiveness and sufficiency over the samples with a
        # class, AUPRC and mass over those of them with a rationale token.
        have = cls >= 0                                               # [B, T]
        with_rat = have & has_rat
        n_have = have.sum(0).to(dtype)                                # [T]
        n_rat = with_rat.sum(0).to(dtype)
        avg = lambda x, w, n: (x * w[..., None].to(dtype)).sum(0) / n.clamp(min=1)[:, None]
        res[pre + "set.samples"] = n_have
        res[pre + "set.rationale_samples"] = n_rat
        res[pre + "set.comprehensiveness"] = avg(res[pre + "comprehensiveness"], have, n_have)
        res[pre + "set.sufficiency"] = avg(res[pre + "sufficiency"], have, n_have)
        res[pre + "set.auprc"] = avg(auprc, with_rat, n_rat)
        res[pre + "set.mass"] = avg(mass, with_rat, n_rat)
    return res


def compute(case, dtype):
    cfg, tasks, specs, weights, stats, batch, meta = make_case(case)
    task_weights = [float(torch.tensor(w, dtype=torch.float32)) for w in case["weights"]]
    mu = float(torch.tensor(case.get("mu", 0.0), dtype=torch.float32))
    P = {n: weights[n].detach().to(dtype).clone().requires_grad_(True) for n, _ in specs}
    out, grads = gradients(cfg, tasks, specs, P, stats, batch, task_weights, mu)
    after, losses, conditioned = run_adamw(cfg, tasks, specs, weights, stats, batch,
                                           task_weights, mu, dtype)
    T = len(tasks)
    exp = dict(batch)
    for t in range(T):
        exp["logits.%d" % t] = out["logits"][t]
    exp["loss.total"] = out["loss"].reshape(1)
    exp["loss.task"] = torch.stack(out["task_losses"]).reshape(T)
    exp["loss.att"] = torch.stack(out["att_losses"]).reshape(T)
    exp["pool"] = out["pool"]
    if out["queries"] is not None:
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
    exp.update(explain(case, cfg, tasks, P, stats, batch))
    exp = {k: v.detach() for k, v in exp.items()}
    return cfg, tasks, specs, weights, stats, meta, task_weights, mu, exp


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
EXPLAIN_TOLERANCE = 1e-4


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
        if k.startswith("batch.") or k.startswith("adamw.conditioned.") or k.startswith("explain."):
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


# The explanations, per tensor, on the elements that are part of the
# reference: real tokens, (sample, task) pairs with a class (gold: a label),
# and for AUPRC and mass those with a rationale token. err = max |a - b| /
# scale, scale = max |reference| over those elements (at least 1e-6), except
# gradient and integrated: max(|score|, terms) (SCALES in the docstring), and
# integrated_delta (a difference of two nearly equal sums): max |f(e) - f(0)|.
# Also kept: the largest absolute difference. Each (sample, task, method)
# whose float32 ranking differs from the truth's is counted, split by
# whether its cut_gap is below 1e-4.
def compare_explanations(truth, other):
    errors = {}
    m = truth["batch.mask"] > 0.5                                      # [B, L]
    has_rat = truth["explain.has_rationale"] > 0.5                     # [B, T]
    flips = []

    def put(key, a, b, scale=None):
        if not b.numel():
            return
        s = max(max_abs(b), 1e-6) if scale is None else max(scale, 1e-6)
        d = max_abs(a.double() - b.double())
        errors[key] = (d / s, d)

    B, T = has_rat.shape
    real_bt = m[:, None, :].expand(B, T, m.shape[1])
    put("explain.rollout", other["explain.rollout"][real_bt], truth["explain.rollout"][real_bt])
    put("explain.mass", other["explain.mass"][has_rat], truth["explain.mass"][has_rat])
    for v in VARIANTS:
        pre = "explain.%s." % v
        cls_t, cls_o = truth[pre + "class"], other[pre + "class"]
        have = cls_t >= 0
        if bool((cls_t != cls_o).any()):
            flips.append("%s: the class differs at %d pairs" % (v, int((cls_t != cls_o).sum())))
        have &= cls_t == cls_o
        rows_tok = real_bt & have[..., None]
        for name in ("gradient", "integrated"):
            put(pre + name, other[pre + name][rows_tok], truth[pre + name][rows_tok],
                scale=max(max_abs(truth[pre + name][rows_tok]), max_abs(truth[pre + name + "_terms"][rows_tok])))
        put(pre + "occlusion", other[pre + "occlusion"][rows_tok], truth[pre + "occlusion"][rows_tok])
        for name in ("f", "f_zero"):
            put(pre + name, other[pre + name][have], truth[pre + name][have])
        put(pre + "integrated_delta", other[pre + "integrated_delta"][have],
            truth[pre + "integrated_delta"][have],
            scale=max_abs((truth[pre + "f"] - truth[pre + "f_zero"])[have]))
        for name in ("comprehensiveness", "sufficiency", "comprehensiveness_k", "sufficiency_k"):
            put(pre + name, other[pre + name][have], truth[pre + name][have])
        put(pre + "auprc", other[pre + "auprc"][have & has_rat], truth[pre + "auprc"][have & has_rat])
        for name in ("set.comprehensiveness", "set.sufficiency", "set.auprc", "set.mass"):
            put(pre + name, other[pre + name], truth[pre + name])
        differ = (truth[pre + "order"] != other[pre + "order"]).any(-1) & have[..., None]
        fragile = truth[pre + "cut_gap"] < 1e-4
        for what, sel in (("firm", differ & ~fragile), ("cut_gap < 1e-4", differ & fragile)):
            if bool(sel.any()):
                flips.append("%s: %d rankings differ (%s)" % (v, int(sel.sum()), what))
    return errors, flips


def self_check(case, summary):
    _, _, specs, _, _, _, _, _, truth = compute(case, torch.float64)
    _, _, _, _, _, _, _, _, f32 = compute(case, torch.float32)
    errors, ill = compare(truth, f32, specs, case["layers"])
    top = sorted(errors.items(), key=lambda kv: -kv[1])[:4]
    print("  float32 torch vs the truth: worst %s" % ", ".join("%s %.2e" % kv for kv in top))
    for k, (n, d, bound) in ill.items():
        print("  %s: %d ill-conditioned elements, max |diff| %.2e (bound %.2e)" % (k, n, d, bound))
    bad = [k for k, e in errors.items() if not e < TOLERANCE] + [k for k, v in ill.items() if not v[1] <= v[2]]
    # The explanations: how far float32 torch lands, gathered over the cases
    # per quantity (variant prefix dropped) for the summary at the end.
    xerr, flips = compare_explanations(truth, f32)
    for k, (e, d) in xerr.items():
        q = k.replace("explain.pred.", "explain.").replace("explain.gold.", "explain.")
        w = summary.setdefault(q, [0.0, 0.0, ""])
        if e >= w[0]:
            w[0], w[2] = e, case["name"]
        w[1] = max(w[1], d)
    top = sorted(xerr.items(), key=lambda kv: -kv[1][0])[:3]
    print("  explanations: worst %s" % ", ".join("%s %.2e" % (k, e) for k, (e, _) in top))
    fragile = {}
    for v in VARIANTS:
        gap = truth["explain.%s.cut_gap" % v][truth["explain.%s.class" % v] >= 0]     # [pairs, M]
        for mi, method in enumerate(METHODS):
            count = int(((gap[:, mi] > 0) & (gap[:, mi] < 1e-4)).sum())
            if count:
                fragile[method] = fragile.get(method, 0) + count
            summary.setdefault("_fragile", {}).setdefault(method, [0, 0])
            summary["_fragile"][method][0] += count
            summary["_fragile"][method][1] += gap.shape[0]
    if fragile:
        print("  rankings with 0 < cut_gap < 1e-4: %s" % ", ".join("%s %d" % kv for kv in fragile.items()))
    for f in flips:
        print("  " + f)
    bad += [f for f in flips if "cut_gap <" not in f] + [k for k, (e, _) in xerr.items() if not e < EXPLAIN_TOLERANCE]
    if bad:
        print("  FAILS: %s" % ", ".join(bad))
    return not bad


def cross_check(case):
    """Section 5b and 9 of the reference by a second, slower route, in
    float64: each sample alone through forward() on a batch of its own,
    padded 3 tokens further (rationale flags on the padding), with edited
    masks for occlusion and ERASER; gradient x input and integrated
    gradients as central differences along each token's embedding; rollout
    as the full L x L product with padding; att_t from log(pool); the
    rationale term's gradient by central differences. Returns the worst
    relative error seen (the float64 round-off of the routes, ~1e-8 for the
    differences)."""
    cfg, tasks, specs, weights, stats, meta, task_weights, mu, exp = compute(case, torch.float64)
    P = {n: weights[n].double() for n, _ in specs}
    T = len(tasks)
    batch = {k: v for k, v in exp.items() if k.startswith("batch.")}
    B, L = batch["batch.mask"].shape
    worst = {}

    def note(what, got, want, scale=1.0):
        err = abs(float(got) - float(want)) / max(scale, 1e-12)
        worst[what] = max(worst.get(what, 0.0), err)

    def one(b, mask_row=None):
        """Sample b alone (text: padded to max_len instead of the batch's
        length, rationale flags on the padding), mask_row in place of its own."""
        one = {}
        n = int(batch["batch.mask"][b].sum()) if cfg["input"] == "text" else L
        pad = cfg["max_len"] - n if cfg["input"] == "text" else 0
        for k, v in batch.items():
            row = v[b:b + 1].clone()
            if k == "batch.mask" and mask_row is not None:
                row[0] = mask_row.to(row.dtype)
            if k in ("batch.tokens", "batch.values", "batch.mask"):
                row = torch.cat([row[:, :n], torch.zeros(1, pad)], 1)
            if k == "batch.rationale":
                row = torch.cat([row[:, :, :n], torch.ones(1, T, pad)], 2)
            one[k] = row
        if cfg["input"] == "tabular":
            one["batch.values"] = torch.where(one["batch.mask"] > 0.5, one["batch.values"], torch.zeros(()))
        return one

    def logp(b, t, mask_row=None):
        m = batch["batch.mask"][b] if mask_row is None else mask_row
        if not bool((m > 0.5).any()):
            return torch.full((len(tasks[t][1]),), -math.log(len(tasks[t][1])), dtype=torch.float64)
        out = forward(cfg, tasks, P, stats, one(b, mask_row), task_weights, torch.float64)
        return F.log_softmax(out["logits"][t][0], -1)

    # 5b: att_t from log(pool), and the total.
    out = forward(cfg, tasks, P, stats, batch, task_weights, torch.float64, mu)
    mask = batch["batch.mask"] > 0.5
    rat = (batch["batch.rationale"] > 0.5) & mask[:, None, :]
    total = sum(task_weights[t] * float(out["task_losses"][t]) for t in range(T))
    for t in range(T):
        terms = [-sum(math.log(float(out["pool"][b, t, j])) for j in range(L) if rat[b, t, j]) / int(rat[b, t].sum())
                 for b in range(B) if rat[b, t].any()]
        att = sum(terms) / len(terms) if terms else 0.0
        note("loss.att", exp["loss.att"][t], att, 1.0)
        total += mu * att
    note("loss.total", exp["loss.total"][0], total, 1.0)
    # The rationale term's gradient, by central differences on a few weights.
    if mu:
        gen = torch.Generator().manual_seed(1)
        for name in [n for n in ("pool.query", "pool.key.weight", "embed.token", "embed.feature_scale",
                                 "final_ln.weight") if n in P]:
            for _ in range(3):
                i = int(torch.randint(0, P[name].numel(), (), generator=gen))
                h = 1e-6
                vals = []
                for sgn in (1, -1):
                    Q = dict(P)
                    Q[name] = P[name].clone()
                    Q[name].view(-1)[i] += sgn * h
                    vals.append(float(forward(cfg, tasks, Q, stats, batch, task_weights, torch.float64, mu)["loss"]))
                G = max(float(exp["grad." + n].abs().max()) for n, _ in specs)
                note("grad (mu)", exp["grad." + name].reshape(-1)[i], (vals[0] - vals[1]) / (2 * h), G)

    # Section 9, for two samples of each case (the shortest and the longest).
    lengths = [int(mask[b].sum()) for b in range(B)]
    samples = sorted({lengths.index(min(lengths)), lengths.index(max(lengths))})
    for v in VARIANTS:
        pre = "explain.%s." % v
        for b in samples:
            real = [j for j in range(L) if mask[b, j]]
            n = len(real)
            e, _ = embed(cfg, P, stats, one(b), torch.float64)
            m1 = one(b)["batch.mask"] > 0.5
            for t in range(T):
                c = int(exp[pre + "class"][b, t])
                if c < 0:
                    continue
                base = logp(b, t)
                note("f", exp[pre + "f"][b, t], base[c], abs(float(base[c])) + 1)
                f_of = lambda E: float(F.log_softmax(encode_pool(cfg, tasks, P, E, m1)["logits"][t][0], -1)[c])
                note("f_zero", exp[pre + "f_zero"][b, t], f_of(torch.zeros_like(e)), 1.0)
                for j in real:
                    row = torch.zeros_like(e)
                    row[0, j] = e[0, j]
                    h = 1e-5
                    d = lambda at: (f_of(at + h * row) - f_of(at - h * row)) / (2 * h)
                    scale = float(exp[pre + "gradient_terms"][b, t].max()) + 1e-3
                    note("gradient", exp[pre + "gradient"][b, t, j], d(e), scale)
                    ig = sum(d(s / IG_STEPS * e) for s in range(1, IG_STEPS + 1)) / IG_STEPS
                    scale = float(exp[pre + "integrated_terms"][b, t].max()) + 1e-3
                    note("integrated", exp[pre + "integrated"][b, t, j], ig, scale)
                    without = mask[b].clone()
                    without[j] = False
                    note("occlusion", exp[pre + "occlusion"][b, t, j], base[c] - logp(b, t, without)[c], 1.0)
                p = math.exp(float(base[c]))
                for mi in range(len(METHODS)):
                    order = [int(x) for x in exp[pre + "order"][b, t, mi, :n].tolist()]
                    comp, suff = 0.0, 0.0
                    for k in PERCENTS:
                        top = order[:top_count(k, n)]
                        without = mask[b].clone()
                        without[top] = False
                        only = torch.zeros_like(mask[b])
                        only[top] = True
                        comp += p - math.exp(float(logp(b, t, without)[c]))
                        suff += p - math.exp(float(logp(b, t, only)[c]))
                    note("comprehensiveness", exp[pre + "comprehensiveness"][b, t, mi], comp / len(PERCENTS))
                    note("sufficiency", exp[pre + "sufficiency"][b, t, mi], suff / len(PERCENTS))
                    # The ranking is the score's, highest first, ties by position.
                    if METHODS[mi] != "random":
                        s = exp["pool" if mi == 0 else "explain.rollout" if mi == 1 else pre + METHODS[mi]][b, t]
                        ok = all((s[order[i]] > s[order[i + 1]]) or (s[order[i]] == s[order[i + 1]] and order[i] < order[i + 1])
                                 for i in range(n - 1))
                        note("order", 0.0 if ok else 1.0, 0.0)
            # Rollout as the full L x L product (padding included) of the padded sample.
            o = encode_pool(cfg, tasks, P, e, m1)
            R = torch.eye(e.shape[1], dtype=torch.float64)
            for A in o["attn"]:
                R = (0.5 * A[0].mean(0) + 0.5 * torch.eye(e.shape[1], dtype=torch.float64)) @ R
            roll = o["pool"][0] @ R
            w = n if cfg["input"] == "text" else L
            for t in range(T):
                note("rollout", float((exp["explain.rollout"][b, t, :w] - roll[t, :w]).abs().max()), 0.0)
                note("rollout sum", float(exp["explain.rollout"][b, t].sum()), 1.0)
                note("rollout on padding", float(roll[t][~m1[0]].abs().sum()), 0.0)
    return worst


def check_average_precision():
    """average_precision() against scikit-learn's, where it is installed
    (python3-sklearn; not needed otherwise), on random scores with ties."""
    try:
        from sklearn.metrics import average_precision_score
    except ImportError:
        print("average_precision: scikit-learn is not installed, not cross-checked")
        return True
    gen = torch.Generator().manual_seed(5)
    worst = 0.0
    for trial in range(300):
        n = int(torch.randint(1, 30, (), generator=gen))
        scores = (torch.randint(0, 6, (n,), generator=gen).double() / 5).tolist()
        relevant = (torch.rand(n, generator=gen) < 0.3).tolist()
        if not any(relevant):
            continue
        worst = max(worst, abs(average_precision(scores, relevant)
                               - average_precision_score(relevant, scores)))
    print("average_precision vs scikit-learn: max |diff| %.1e over 300 tied rankings" % worst)
    return worst < 1e-12


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
    names, needs = [], {}
    failed = False
    summary = {}
    for case in CASES:
        cfg, tasks, specs, weights, stats, meta, task_weights, mu, exp = compute(case, torch.float64)
        model = [(n, weights[n]) for n, _ in specs]
        if stats is not None:
            model += [("input.mean", stats[0]), ("input.std", stats[1])]
        write_safetensors(os.path.join(args.out, case["name"] + ".model.safetensors"), model, meta)
        emeta = {"reference_version": REFERENCE_VERSION, "case": case["name"],
                 "task_weights": json.dumps(task_weights), "rationale_weight": json.dumps(mu),
                 "optimizer": json.dumps(ADAMW), "exact_zero_grads": json.dumps(exact_zero_grads(cfg)),
                 "needs": json.dumps(case_needs(case)), "explain": json.dumps(EXPLAIN)}
        write_safetensors(os.path.join(args.out, case["name"] + ".expected.safetensors"),
                          list(exp.items()), emeta)
        names.append(case["name"])
        needs[case["name"]] = case_needs(case)
        print("%-22s loss %.6f  %d tensors" % (case["name"], float(exp["loss.total"]), len(exp)))
        if args.self_check:
            if not self_check(case, summary):
                failed = True
            worst = cross_check(case)
            print("  cross-check (float64, a second route): worst %s" % ", ".join(
                "%s %.1e" % kv for kv in sorted(worst.items(), key=lambda kv: -kv[1])[:4]))
            if not all(w < 1e-6 for w in worst.values()):
                print("  FAILS the cross-check: %s" % ", ".join(k for k, w in worst.items() if not w < 1e-6))
                failed = True
    if args.self_check:
        print("explanations, float32 torch vs the truth over all cases (err = max |diff| / scale):")
        fragile = summary.pop("_fragile")
        for q in sorted(summary):
            e, d, where = summary[q]
            print("  %-40s err %.2e  max |diff| %.2e  (%s)" % (q, e, d, where))
        print("rankings whose top_k sets round-off may decide (0 < cut_gap < 1e-4), of all with a class: %s"
              % ", ".join("%s %d/%d" % (m, c, n) for m, (c, n) in fragile.items()))
        if not check_average_precision():
            failed = True
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump({"reference_version": REFERENCE_VERSION, "cases": names, "needs": needs}, f, indent=1)
        f.write("\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
