#!/usr/bin/python3
"""Writes the attention-file fixtures of tests/test_attentionfile.cpp (run once;
the files are committed): small valid and malformed files of each kind that
core/attentionfile.h reads. Every weight is a multiple of 1/8, so that float32,
float16 and the JSON text hold it exactly and the test can compare with ==.

    /usr/bin/python3 tests/data/attention/make_fixtures.py   (from the repository root)
"""
import io
import json
import os
import struct
import zipfile

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(here, name)


def maps(layers, heads, n, seed):
    """[layers, heads, n, n], each row n weights in eighths that sum to 1."""
    rng = np.random.default_rng(seed)
    a = np.zeros((layers, heads, n, n))
    for l in range(layers):
        for h in range(heads):
            for i in range(n):
                cells = rng.integers(0, n, size=8)  # eight eighths dropped into random cells
                for c in cells:
                    a[l, h, i, c] += 0.125
    return a


def pooling(n, seed):
    rng = np.random.default_rng(seed)
    w = np.zeros(n)
    for c in rng.integers(0, n, size=8):
        w[c] += 0.125
    return w


def write_json(name, value):
    with open(path(name), "w") as f:
        json.dump(value, f, indent=1)
        f.write("\n")


def write_text(name, text):
    with open(path(name), "w") as f:
        f.write(text)


tokens = ["the", "screen", "is", "not", "good"]
other = ["fast", "delivery", "!"]

# --- JSON in the schema of attnscope-cli attention ---------------------------
cli = {"samples": []}
for k, toks in enumerate([tokens, other]):
    n = len(toks)
    cli["samples"].append({
        "tokens": toks,
        "tasks": {"sentiment": pooling(n, 10 + k).tolist(), "topic": pooling(n, 20 + k).tolist()},
        "predictions": {
            "sentiment": {"class": ["negative", "positive"][k], "probabilities": [[0.75, 0.25], [0.125, 0.875]][k]},
            "topic": {"class": ["screen", "delivery"][k], "probabilities": [[0.125, 0.125, 0.5, 0.25], [0.0, 0.625, 0.25, 0.125]][k]},
        },
        "layers": maps(1, 2, n, k).tolist(),
    })
write_json("cli.json", cli)

# --- BertViz-style JSON: one sample, and a list --------------------------------
write_json("bertviz.json", {"tokens": tokens, "attention": maps(2, 2, 5, 3).tolist(),
                            "pooling": {"negation": pooling(5, 4).tolist()}})
write_json("bertviz_list.json", [{"tokens": tokens, "attention": maps(1, 1, 5, 5).tolist()},
                                 {"tokens": other, "attention": maps(1, 1, 3, 6).tolist()}])

# --- malformed JSON ------------------------------------------------------------
def one(attention, toks=tokens, **extra):
    d = {"tokens": toks, "attention": attention}
    d.update(extra)
    return d

m = maps(1, 1, 5, 7).tolist()
ragged = json.loads(json.dumps(m)); ragged[0][0][2] = ragged[0][0][2][:4]
write_json("bad_ragged.json", one(ragged))
rowsum = json.loads(json.dumps(m)); rowsum[0][0][3] = [0.5, 0.25, 0.125, 0.0, 0.0]
write_json("bad_rowsum.json", one(rowsum))
nan = json.loads(json.dumps(m)); nan[0][0][1][2] = None  # what the CLI writes for a NaN
write_json("bad_nan.json", one(nan))
negative = json.loads(json.dumps(m)); negative[0][0][4] = [1.25, -0.25, 0.0, 0.0, 0.0]
write_json("bad_negative.json", one(negative))
write_json("bad_token_count.json", one(m, toks=tokens[:4]))
write_json("bad_batch_level.json", one([[m[0]]]))   # [layers][batch][heads][L][L]: one level too many
heads = maps(2, 2, 5, 8).tolist(); heads[1] = heads[1][:1]
write_json("bad_heads.json", one(heads))
write_json("bad_pooling_sum.json", one(m, pooling={"sentiment": [0.5, 0.25, 0.0, 0.0, 0.0]}))
write_json("bad_tasks_differ.json", [one(m, pooling={"a": pooling(5, 1).tolist()}),
                                     one(m, pooling={"b": pooling(5, 1).tolist()})])
write_json("bad_layers_differ.json", [one(m), one(maps(2, 1, 5, 9).tolist())])
write_json("bad_probabilities.json", {"samples": [{"tokens": tokens, "tasks": {"a": pooling(5, 1).tolist()},
                                                   "predictions": {"a": {"class": "x", "probabilities": [0.5, 0.25]}},
                                                   "layers": []}]})
write_json("bad_no_samples.json", {"samples": []})
write_json("bad_not_attention.json", {"model": "bert-base-uncased"})
write_json("bad_no_tokens.json", {"attention": m})
write_text("bad_truncated.json", json.dumps(one(m))[:-40])
write_text("bad_twice.json", '{"tokens": ["a"], "attention": [[[[1]]]], "layers": [[[[1]]]]}\n')

# --- NumPy .npy with its tokens beside it ------------------------------------
a = maps(2, 3, 5, 11)
np.save(path("layers.npy"), a.astype(np.float32))
write_json("layers.tokens.json", tokens)
np.save(path("heads.npy"), maps(1, 2, 3, 12)[0].astype(np.float64))  # [heads, L, L], float64
write_json("heads.tokens.json", other)
np.save(path("half.npy"), maps(1, 1, 3, 13).astype(np.float16))
write_json("half.tokens.json", other)
np.save(path("bigendian.npy"), maps(1, 1, 3, 14).astype(">f4"))
write_json("bigendian.tokens.json", other)
np.save(path("bad_no_tokens.npy"), maps(1, 1, 3, 15).astype(np.float32))
np.save(path("bad_fortran.npy"), np.asfortranarray(maps(1, 2, 3, 16).astype(np.float32)))
write_json("bad_fortran.tokens.json", other)
np.save(path("bad_int.npy"), np.ones((1, 1, 3, 3), dtype=np.int32))
write_json("bad_int.tokens.json", other)
bad = maps(1, 1, 3, 17).astype(np.float32); bad[0, 0, 1, 1] = np.nan
np.save(path("bad_nan.npy"), bad)
write_json("bad_nan.tokens.json", other)
np.save(path("bad_token_count.npy"), maps(1, 1, 4, 18).astype(np.float32))
write_json("bad_token_count.tokens.json", other)

# A header that claims 10^9 weights over a body of 36 bytes.
def npy_header(descr, shape):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, repr(tuple(shape)))
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode()

with open(path("bad_huge.npy"), "wb") as f:
    f.write(npy_header("<f4", (1000, 1000, 1000)) + np.full(9, 1 / 3, dtype=np.float32).tobytes())
write_json("bad_huge.tokens.json", other)

# --- NumPy .npz ---------------------------------------------------------------
np.savez(path("sample.npz"), attention=maps(2, 2, 5, 21).astype(np.float32), tokens=np.array(tokens),
         pooling_sentiment=pooling(5, 22).astype(np.float32), pooling_topic=pooling(5, 23))
np.savez(path("pooling_only.npz"), tokens=np.array(other), pooling_urgency=pooling(3, 24).astype(np.float32))
np.savez(path("bytes_tokens.npz"), attention=maps(1, 1, 3, 25).astype(np.float32),
         tokens=np.array([t.encode() for t in other]))
np.savez_compressed(path("bad_compressed.npz"), attention=maps(1, 1, 3, 26).astype(np.float32),
                    tokens=np.array(other))
np.savez(path("bad_unnamed.npz"), maps(1, 1, 3, 27).astype(np.float32), np.array(other))
np.savez(path("bad_npz_no_tokens.npz"), attention=maps(1, 1, 3, 28).astype(np.float32))
np.savez(path("bad_object_tokens.npz"), attention=maps(1, 1, 3, 29).astype(np.float32),
         tokens=np.array(other, dtype=object))
np.savez(path("bad_npz_token_count.npz"), attention=maps(1, 1, 4, 30).astype(np.float32), tokens=np.array(other))
np.savez(path("bad_pooling_length.npz"), attention=maps(1, 1, 3, 31).astype(np.float32), tokens=np.array(other),
         pooling_a=pooling(4, 32).astype(np.float32))
# One byte of the attention's data changed after the zip was written: the CRC-32 catches it.
np.savez(path("bad_crc.npz"), attention=maps(1, 1, 3, 33).astype(np.float32), tokens=np.array(other))
with open(path("bad_crc.npz"), "r+b") as f:
    data = bytearray(f.read())
    at = data.index(b"\x93NUMPY") + 128 + 4  # inside the first map (after a 128-byte .npy header)
    data[at] ^= 0x01
    f.seek(0)
    f.write(data)
# A stored member whose header claims 10^9 weights.
with zipfile.ZipFile(path("bad_npz_huge.npz"), "w", zipfile.ZIP_STORED) as z:
    z.writestr("tokens.npy", (lambda b: (np.save(b, np.array(other)), b.getvalue())[1])(io.BytesIO()))
    z.writestr("attention.npy", npy_header("<f4", (1000, 1000, 1000)) + np.zeros(9, dtype=np.float32).tobytes())
