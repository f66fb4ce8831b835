"""A stand-in for the few calls of transformers that the snippet in
docs/attention.md makes (transformers is not installed where the tests run):
AutoTokenizer and AutoModel, from_pretrained, a tokenizer call with
return_tensors="pt", convert_ids_to_tokens, and a model call with
output_attentions=True returning .attentions, a tuple of one tensor per
layer, each [batch, heads, L, L] with rows that sum to 1, as a BERT's are.
tests/test_attentionfile.cpp runs the snippet with this module first on
PYTHONPATH."""
import types

import torch

LAYERS, HEADS = 3, 4


class AutoTokenizer:
    @classmethod
    def from_pretrained(cls, name):
        return cls()

    def __init__(self):
        self.vocab = ["[PAD]", "[CLS]", "[SEP]"]

    def __call__(self, text, return_tensors=None):
        assert return_tensors == "pt"
        words = ["[CLS]"] + text.lower().split() + ["[SEP]"]
        for w in words:
            if w not in self.vocab:
                self.vocab.append(w)
        ids = torch.tensor([[self.vocab.index(w) for w in words]])
        return {"input_ids": ids, "attention_mask": torch.ones_like(ids)}

    def convert_ids_to_tokens(self, ids):
        assert isinstance(ids, list), "convert_ids_to_tokens takes a list of ints"
        return [self.vocab[i] for i in ids]


class AutoModel:
    @classmethod
    def from_pretrained(cls, name, attn_implementation=None):
        assert attn_implementation == "eager", "sdpa and flash attention return no weights"
        return cls()

    def eval(self):
        return self

    def __call__(self, input_ids, attention_mask, output_attentions=False):
        assert output_attentions, "without output_attentions=True there are no attentions"
        assert not torch.is_grad_enabled(), "the snippet runs under torch.no_grad()"
        generator = torch.Generator().manual_seed(5)
        batch, length = input_ids.shape
        attentions = tuple(
            torch.softmax(3 * torch.randn(batch, HEADS, length, length, generator=generator), dim=-1)
            for _ in range(LAYERS))
        return types.SimpleNamespace(attentions=attentions)
