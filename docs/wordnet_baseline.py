#!/usr/bin/python3
"""Baselines for builtin:wordnet (docs/datasets.md, "The WordNet lesson").

Reads WordNet 3.0's data files as core/data/wordnet.cpp does (the definition
before the quoted examples; lexname, the lexicographer file; pos, the synset
type), splits them as `attnscope-cli train` does (splitDataset: splitmix64,
Fisher-Yates from the back, round(n * fraction) held out), and prints per task
the accuracy and macro-F1 on the validation split of

  - the majority class of the training split,
  - TF-IDF (word 1- and 2-grams, sublinear tf, min_df 2) + logistic regression
    (`logreg`, what issue 15 asks for: multinomial, fitted by the saga solver
    to a tolerance of 1e-3, half a CPU minute; the default lbfgs solver had
    not converged on lexname's 45 classes after 16 CPU minutes), and
  - the same features + a linear SVM (`svm`, LinearSVC, one-vs-rest).

Needs Debian's wordnet-base and python3-sklearn (a benchmark's tool, not the
build's): /usr/bin/python3 docs/wordnet_baseline.py [--seed 1] [--val-fraction 0.2]
[--classifiers logreg,svm] [--C 10] [--tol 1e-3]
"""
import argparse
import json
import math
import sys
import time

WORDNET = "/usr/share/wordnet"
LEXNAMES = [
    "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact",
    "noun.attribute", "noun.body", "noun.cognition", "noun.communication", "noun.event", "noun.feeling",
    "noun.food", "noun.group", "noun.location", "noun.motive", "noun.object", "noun.person",
    "noun.phenomenon", "noun.plant", "noun.possession", "noun.process", "noun.quantity", "noun.relation",
    "noun.shape", "noun.state", "noun.substance", "noun.time", "verb.body", "verb.change", "verb.cognition",
    "verb.communication", "verb.competition", "verb.consumption", "verb.contact", "verb.creation",
    "verb.emotion", "verb.motion", "verb.perception", "verb.possession", "verb.social", "verb.stative",
    "verb.weather", "adj.ppl"]
MASK = (1 << 64) - 1


def definition(gloss):
    """The text before the first quoted example, as wordnet.cpp's definition()."""
    end = len(gloss)
    i = gloss.find('"')
    while i >= 0:
        before = gloss[:i].strip(" \t")
        if not before or before.endswith(";"):
            end = i
            break
        i = gloss.find('"', i + 1)
    return gloss[:end].rstrip("; \n\r").strip(" \t")


def read_wordnet(directory):
    samples = []
    for name in ("data.noun", "data.verb", "data.adj", "data.adv"):
        with open(f"{directory}/{name}", "rb") as f:
            for raw in f:
                line = raw.decode("utf-8")
                if line.startswith(" "):
                    continue
                bar = line.find(" | ")
                text = definition(line[bar + 3:])
                if text:
                    samples.append((text, LEXNAMES[int(line[9:11])], line[12]))
    return samples


class SplitMix:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n if n > 0 else 0


def split(n, fraction, seed):
    """splitDataset of core/dataset.cpp: (train, val) indices, ascending."""
    n_val = 0
    if fraction > 0 and n >= 2:
        n_val = min(max(int(math.floor(n * min(fraction, 1.0) + 0.5)), 1), n - 1)
    order = list(range(n))
    if n_val > 0:
        rng = SplitMix(seed)
        for i in range(n - 1, 0, -1):
            j = rng.below(i + 1)
            order[i], order[j] = order[j], order[i]
    return sorted(order[n_val:]), sorted(order[:n_val])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--val-fraction", type=float, default=0.2)
    parser.add_argument("--C", type=float, default=10.0, help="inverse regularisation of the regression")
    parser.add_argument("--tol", type=float, default=1e-3, help="the regression's stopping tolerance (saga)")
    parser.add_argument("--svm-C", type=float, default=1.0, help="inverse regularisation of the linear SVM")
    parser.add_argument("--classifiers", default="logreg,svm", help="which of logreg and svm to fit")
    args = parser.parse_args()
    classifiers = [c for c in args.classifiers.split(",") if c]
    if set(classifiers) - {"logreg", "svm"}:
        parser.error(f"--classifiers: {args.classifiers}: each one logreg or svm")
    import numpy
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.svm import LinearSVC

    samples = read_wordnet(WORDNET)
    train, val = split(len(samples), args.val_fraction, args.seed)
    print(f"{len(samples)} synsets: {len(train)} train, {len(val)} val (seed {args.seed})", file=sys.stderr)
    texts = [s[0] for s in samples]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, lowercase=True)
    x_train = vectorizer.fit_transform([texts[i] for i in train])
    x_val = vectorizer.transform([texts[i] for i in val])
    results = {}
    for task, column in (("lexname", 1), ("pos", 2)):
        y_train = [samples[i][column] for i in train]
        y_val = [samples[i][column] for i in val]
        majority = max(set(y_train), key=y_train.count)
        guess = [majority] * len(y_val)
        results[task] = {
            "majority": {"class": majority, "accuracy": accuracy_score(y_val, guess),
                         "macro_f1": f1_score(y_val, guess, average="macro")}}
        for name in classifiers:
            start = time.time()
            cpu = time.process_time()
            model = (LogisticRegression(C=args.C, solver="saga", tol=args.tol, max_iter=1000) if name == "logreg"
                     else LinearSVC(C=args.svm_C))
            model.fit(x_train, y_train)
            predicted = model.predict(x_val)
            results[task]["tfidf_" + name] = {"accuracy": accuracy_score(y_val, predicted),
                                              "macro_f1": f1_score(y_val, predicted, average="macro"),
                                              "seconds": round(time.time() - start, 1),
                                              "cpu_seconds": round(time.process_time() - cpu, 1),
                                              "iterations": int(numpy.max(model.n_iter_))}
            print(f"{task} {name}: {results[task]['tfidf_' + name]}", file=sys.stderr, flush=True)
    results["settings"] = {"vectorizer": "TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)",
                           "logreg": f"LogisticRegression(C={args.C}, solver='saga', tol={args.tol}, max_iter=1000)",
                           "svm": f"LinearSVC(C={args.svm_C})",
                           "features": x_train.shape[1], "train": len(train), "val": len(val)}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
