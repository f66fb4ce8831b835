#!/usr/bin/python3
"""The table of bench/run_bench.sh, from the JSON that bench_step and
torch_step.py wrote: python3 bench/bench_table.py OUT_DIR ROUNDS NAME...

Reads OUT_DIR/NAME-core-{1,2}-rR.json and OUT_DIR/NAME-torch-rR.json for
R = 1..ROUNDS. Each figure is the median over the rounds of that process's
median over its repeats; "best of 1 and 2 threads" picks the larger median.
The GEMM peak and "achieved / peak" come from each core process itself:
bench_step measures the peak on as many threads as it gives the core, in
blocks between its timed repeats, and divides each repeat's rate by the
larger block either side of it.
"""

import json
import statistics
import sys

med = statistics.median


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
        "rows_per_batch": core[1][0].get("token_rows_per_batch"),
        "config": core[1][0]["config"],
        "torch_info": f"torch {torch[0]['torch']}, {torch[0]['blas']}",
    }
    # the peak of each thread count, from the same processes: None with --no-peak
    f["peak"] = {n: None if core[n][0].get("peak") is None else {
        "isa": core[n][0]["peak"]["isa"],
        "gflops": med([c["peak"]["gflops_median"] for c in core[n]]),
        "gflops_cpu": med([med([b["gflops_cpu_per_thread"] for b in c["peak"]["blocks"]]) for c in core[n]]),
        "ratio": med([c["peak"]["achieved_over_peak_median"] for c in core[n]]),
        "ratio_cpu": med([c["peak"]["achieved_over_peak_cpu_median"] for c in core[n]]),
        "round_ratios": [c["peak"]["achieved_over_peak_median"] for c in core[n]],
        "block_range": (min(b["gflops"] for c in core[n] for b in c["peak"]["blocks"]),
                        max(b["gflops"] for c in core[n] for b in c["peak"]["blocks"])),
        "repeat_ratios": [r for c in core[n] for r in c["peak"]["achieved_over_peak"]],
        "shapes": {s["shape"]: med([next(x for x in c["peak"]["shapes"] if x["shape"] == s["shape"])["gflops_best"]
                                    for c in core[n]]) for s in core[n][0]["peak"]["shapes"]},
    } for n in (1, 2)}
    return f


def main():
    out, rounds, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    rows = [(name, figures(out, name, rounds)) for name in names]

    print(f"Wall clock: steps/s, the median over {rounds} round(s) of each process's median over its repeats; "
          "core and torch each at the better of 1 and 2 threads. GEMM peak: Eigen's float GEMM built for the "
          "instructions the core's kernels use, the best of a square 512^3 and the model's linear-map products "
          "(forward, dX, dW), on as many threads at once as the core process runs, measured between that process's "
          "timed repeats. Achieved / peak: each repeat's core GFLOP/s over the peak measured next to it, median.")
    print()
    print("| config | core steps/s (1 / 2 threads) | torch steps/s (1 / 2 threads) | core / torch (each round) | "
          "core GFLOP/s (1 / 2 threads) | GEMM peak GFLOP/s: 1 core / 2 cores | achieved / peak: 1 thread / "
          "2 threads (2 threads each round) |")
    print("|---|---|---|---|---|---|---|")
    for name, f in rows:
        cb, tb = max(f["core"].values()), max(f["torch"].values())
        g = {n: f["flops"] * f["core"][n] * 1e-9 for n in (1, 2)}
        spread = ", ".join(f"{r:.2f}" for r in f["round_ratios"])
        p1, p2 = f["peak"][1], f["peak"][2]
        peaks = f"{p1['gflops']:.1f} / {p2['gflops']:.1f} ({p2['isa']})" if p1 and p2 else "-"
        share = (f"{100 * p1['ratio']:.0f}% / **{100 * p2['ratio']:.0f}%** ("
                 + ", ".join(f"{100 * r:.0f}%" for r in p2["round_ratios"]) + ")") if p1 and p2 else "-"
        print(f"| {name} | **{cb:.2f}** ({f['core'][1]:.2f} / {f['core'][2]:.2f}) | **{tb:.2f}** "
              f"({f['torch'][1]:.2f} / {f['torch'][2]:.2f}) | **{cb / tb:.2f}x** ({spread}) | "
              f"{g[1]:.1f} / {g[2]:.1f} | {peaks} | {share} |")
    print()
    print("CPU time, 1 thread: steps and FLOPs per CPU second of the process (does not drop when other jobs "
          "take the core; still feels their cache traffic); the peak per CPU second of its thread.")
    print()
    print("| config | core steps/CPU-s | torch steps/CPU-s | core / torch (each round) | core GFLOP/CPU-s | "
          "GEMM peak per CPU-s, 1 core | achieved / peak |")
    print("|---|---|---|---|---|---|---|")
    for name, f in rows:
        c, t = f["core_cpu"], f["torch_cpu"]
        g = f["flops"] * c * 1e-9
        p1 = f["peak"][1]
        spread = ", ".join(f"{r:.2f}" for r in f["round_ratios_cpu"])
        peaks = f"{p1['gflops_cpu']:.1f} ({p1['isa']})" if p1 else "-"
        share = f"{100 * p1['ratio_cpu']:.0f}%" if p1 else "-"
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
        for n in (1, 2):
            if f["peak"][n]:
                shapes = "; ".join(f"{k} {v:.1f}" for k, v in f["peak"][n]["shapes"].items())
                print(f"  Eigen GEMM GFLOP/s on {n} core(s), each shape's best block (M x N x K): {shapes}")
    print(f"- {rows[0][1]['torch_info']}")
    for name, f in rows:
        if f["peak"][2]:
            p2 = f["peak"][2]
            lo, hi = p2["block_range"]
            print(f"\n{name}: ACHIEVED / TWO-CORE GEMM PEAK = {100 * p2['ratio']:.0f}% "
                  f"(median of the rounds: " + ", ".join(f"{100 * r:.0f}%" for r in p2["round_ratios"])
                  + f"; per CPU second {100 * p2['ratio_cpu']:.0f}%); core {f['flops'] * f['core'][2] * 1e-9:.1f} "
                  f"GFLOP/s on 2 threads against a peak of {p2['gflops']:.1f}")
            print(f"  two-core peak blocks {lo:.1f} to {hi:.1f} GFLOP/s over the run; the repeats' ratios "
                  f"{100 * min(p2['repeat_ratios']):.0f}% to {100 * max(p2['repeat_ratios']):.0f}%")


if __name__ == "__main__":
    main()
