#!/usr/bin/python3
"""The table of bench/run_bench.sh, from the JSON that bench_step and
torch_step.py wrote: python3 bench/bench_table.py OUT_DIR ROUNDS NAME...

Reads OUT_DIR/NAME-core-{1,2}-rR.json and OUT_DIR/NAME-torch-rR.json for
R = 1..ROUNDS. Each figure is the median over the rounds of that process's
median over its repeats; "best of 1 and 2 threads" picks the larger median.
"""

import json
import statistics
import sys

med = statistics.median
PEAK_KEYS = ("gemm_512", "gemm_model", "gemm_ffn", "gemm_512_cpu", "gemm_model_cpu", "gemm_ffn_cpu",
             "gemm_512_two_cores")
# bench_step's kernel_isa -> the gemm_peak build with the same instructions
PEAK_ISA = {"avx512": "avx512", "avx2+fma": "avx2+fma", "baseline": "portable"}


def load(path):
    with open(path) as f:
        return json.load(f)


def figures(out, name, rounds):
    R = range(1, rounds + 1)
    core = {n: [load(f"{out}/{name}-core-{n}-r{r}.json") for r in R] for n in (1, 2)}
    torch = [load(f"{out}/{name}-torch-r{r}.json") for r in R]
    for c, t in zip(core[1], torch):
        if c["batch_checksum"] != t["batch_checksum"] or c["parameters"] != t["parameters"]:
            sys.exit(f"{name}: the core and torch timed different batches or models: "
                     f"{c['batch_checksum']}, {c['parameters']} parameters vs "
                     f"{t['batch_checksum']}, {t['parameters']} parameters")
    trun = {n: [next(x for x in t["runs"] if x["threads"] == n) for t in torch] for n in (1, 2)}
    f = {
        "core": {n: med([c["steps_per_second"] for c in core[n]]) for n in (1, 2)},
        "torch": {n: med([x["steps_per_second"] for x in trun[n]]) for n in (1, 2)},
        "core_cpu": med([c["steps_per_cpu_second"] for c in core[1]]),
        "torch_cpu": med([x["steps_per_cpu_second"] for x in trun[1]]),
        "cpu_wall_core": {n: med([c["cpu_per_wall"] for c in core[n]]) for n in (1, 2)},
        "cpu_wall_torch": {n: med([x["cpu_per_wall"] for x in trun[n]]) for n in (1, 2)},
        "os_threads_2": max(c["os_threads"] for c in core[2]),
        # each round's ratio of the best of each engine, to show the spread
        "round_ratios": [max(core[1][i]["steps_per_second"], core[2][i]["steps_per_second"]) /
                         max(x["steps_per_second"] for x in torch[i]["runs"]) for i in range(rounds)],
        "round_ratios_cpu": [core[1][i]["steps_per_cpu_second"] / trun[1][i]["steps_per_cpu_second"]
                             for i in range(rounds)],
        "flops": core[1][0]["flops_per_step"],
        "isa": PEAK_ISA.get(core[1][0].get("kernel_isa", ""), "portable"),
        "rows_per_batch": core[1][0].get("token_rows_per_batch"),
        "config": core[1][0]["config"],
        "torch_info": f"torch {torch[0]['torch']}, {torch[0]['blas']}",
    }
    isas = [p["isa"] for p in core[1][0]["peaks"]]
    f["peaks"] = {isa: {k: med([next(p for p in c["peaks"] if p["isa"] == isa)[k] for c in core[1]])
                        for k in PEAK_KEYS} for isa in isas}
    return f


def peak(f, isa, key):
    return f["peaks"].get(isa, {}).get(key, float("nan"))


def main():
    out, rounds, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    rows = [(name, figures(out, name, rounds)) for name in names]

    print(f"Wall clock: steps/s, the median over {rounds} round(s) of each process's median over its repeats; "
          "core and torch each at the better of 1 and 2 threads. Peak: Eigen's float GEMM (512^3) built for the "
          "instructions the core's kernels use, on one core and on both at once.")
    print()
    print("| config | core steps/s (1 / 2 threads) | torch steps/s (1 / 2 threads) | core / torch (each round) | "
          "core GFLOP/s | GEMM peak: 1 core / 2 cores | achieved / 2-core peak |")
    print("|---|---|---|---|---|---|---|")
    for name, f in rows:
        cb, tb = max(f["core"].values()), max(f["torch"].values())
        g = f["flops"] * cb * 1e-9
        p1, p2 = peak(f, f["isa"], "gemm_512"), peak(f, f["isa"], "gemm_512_two_cores")
        spread = ", ".join(f"{r:.2f}" for r in f["round_ratios"])
        peaks = f"{p1:.1f} / {p2:.1f} ({f['isa']})" if f["peaks"] else "-"
        share = f"{100 * g / p2:.0f}%" if f["peaks"] else "-"
        print(f"| {name} | **{cb:.2f}** ({f['core'][1]:.2f} / {f['core'][2]:.2f}) | **{tb:.2f}** "
              f"({f['torch'][1]:.2f} / {f['torch'][2]:.2f}) | **{cb / tb:.2f}x** ({spread}) | {g:.2f} | "
              f"{peaks} | {share} |")
    print()
    print("CPU time, 1 thread: steps and FLOPs per CPU second of the process (does not drop when other jobs "
          "take the core; still feels their cache traffic).")
    print()
    print("| config | core steps/CPU-s | torch steps/CPU-s | core / torch (each round) | core GFLOP/CPU-s | "
          "GEMM peak per CPU-s, 1 core | achieved / peak |")
    print("|---|---|---|---|---|---|---|")
    for name, f in rows:
        c, t = f["core_cpu"], f["torch_cpu"]
        g = f["flops"] * c * 1e-9
        p1 = peak(f, f["isa"], "gemm_512_cpu")
        spread = ", ".join(f"{r:.2f}" for r in f["round_ratios_cpu"])
        peaks = f"{p1:.1f} ({f['isa']})" if f["peaks"] else "-"
        share = f"{100 * g / p1:.0f}%" if f["peaks"] else "-"
        print(f"| {name} | {c:.2f} | {t:.2f} | {c / t:.2f}x ({spread}) | {g:.2f} | {peaks} | {share} |")
    print()
    vocab = [(name, f) for name, f in rows if f["config"].get("samples")]
    if len(vocab) > 1:
        small = min(vocab, key=lambda x: x[1]["config"]["vocab"])
        print(f"The same corpus at different vocabulary sizes, against {small[0]} "
              f"(vocabulary {small[1]['config']['vocab']}): steps/s at the better thread count, steps per CPU second.")
        print()
        print("| config | vocabulary | token rows per batch | core steps/s | ratio | core steps/CPU-s | ratio | "
              "torch steps/s | ratio |")
        print("|---|---|---|---|---|---|---|---|---|")
        sb, sc, st = max(small[1]["core"].values()), small[1]["core_cpu"], max(small[1]["torch"].values())
        for name, f in vocab:
            cb, c, tb = max(f["core"].values()), f["core_cpu"], max(f["torch"].values())
            print(f"| {name} | {f['config']['vocab']} | {f['rows_per_batch']:.1f} | {cb:.2f} | **{cb / sb:.2f}** | "
                  f"{c:.2f} | **{c / sc:.2f}** | {tb:.2f} | {tb / st:.2f} |")
        print()
    for name, f in rows:
        cfg = f["config"]
        cb, tb = max(f["core"].values()), max(f["torch"].values())
        corpus = (f", corpus of {cfg['samples']} texts (Zipf {cfg['zipf']} over {cfg['words']} words)"
                  if cfg.get("samples") else "")
        print(f"- {name}: d {cfg['dim']}, {cfg['heads']} heads, {cfg['layers']} layers, f {cfg['ffn']}, "
              f"L {cfg['len']}, batch {cfg['batch']}, classes {cfg['classes']}, vocab {cfg['vocab']}, "
              f"{cfg['real_tokens']} real tokens{corpus}; {f['flops']:.4g} matmul FLOPs/step; core "
              f"{1000 / cb:.2f} ms/step, torch {1000 / tb:.2f} ms/step ({f['flops'] * tb * 1e-9:.2f} GFLOP/s); "
              f"CPU/wall core {f['cpu_wall_core'][1]:.2f} / {f['cpu_wall_core'][2]:.2f}, torch "
              f"{f['cpu_wall_torch'][1]:.2f} / {f['cpu_wall_torch'][2]:.2f} (1 / 2 threads); core OS threads "
              f"alive between repeats with --threads 2: {f['os_threads_2']}")
        if f["peaks"]:
            extra = "; ".join(f"{isa} {p['gemm_512']:.1f} / {p['gemm_model']:.1f} / {p['gemm_ffn']:.1f} "
                              f"(per CPU-s {p['gemm_512_cpu']:.1f} / {p['gemm_model_cpu']:.1f} / "
                              f"{p['gemm_ffn_cpu']:.1f}; two cores {p['gemm_512_two_cores']:.1f})"
                              for isa, p in f["peaks"].items())
            print(f"  Eigen GEMM GFLOP/s, 512^3 / BL x d x d / BL x f x d: {extra}")
    print(f"- {rows[0][1]['torch_info']}")


if __name__ == "__main__":
    main()
