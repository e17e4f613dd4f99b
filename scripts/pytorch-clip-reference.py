#!/usr/bin/env python3
"""The reference CLIP step of `workbench bench clip`, written in plain PyTorch, for a side-by-side speed comparison.

Issue 11 asks the workbench's fp32 step to be at least as fast as PyTorch's on the same machine. This is the same model at
the same sizes (docs/benchmarks.md): a ViT on 32x32 RGB images with patch 4, width 128, 4 pre-norm blocks of 4 heads and an
MLP of 512, a class token and learned positions; a causal text Transformer of the same width and depth over 32 tokens of
a 1,000-word vocabulary, read at its end-of-text token; both projected to 128 and compared by a symmetric InfoNCE loss
with a learned temperature; AdamW at 1e-3, batch 128, synthetic inputs. It prints one JSON line per precision with the
median steps a second over --steps timed steps after --warmup, and the machine's fp32 and bf16 matmul GFLOP/s measured
in the same run (2048-cubed products), as `workbench bench` does.

    python3 scripts/pytorch-clip-reference.py [--threads 2] [--steps 10] [--warmup 3] [--precision fp32 bf16-autocast]

Needs PyTorch (Debian: `apt-get install python3-torch`); the workbench itself never does.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

WIDTH, LAYERS, HEADS, MLP = 128, 4, 4, 512
IMAGE, PATCH, VOCAB, CONTEXT, BATCH = 32, 4, 1000, 32, 128


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(WIDTH)
        self.attn = nn.MultiheadAttention(WIDTH, HEADS, batch_first=True)
        self.ln_2 = nn.LayerNorm(WIDTH)
        self.mlp = nn.Sequential(nn.Linear(WIDTH, MLP), nn.GELU(), nn.Linear(MLP, WIDTH))

    def forward(self, x, mask=None):
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.mlp(self.ln_2(x))


class Clip(nn.Module):
    def __init__(self):
        super().__init__()
        grid = (IMAGE // PATCH) ** 2
        self.patch = nn.Conv2d(3, WIDTH, PATCH, PATCH)
        self.cls = nn.Parameter(torch.randn(WIDTH) * 0.02)
        self.vpos = nn.Parameter(torch.randn(grid + 1, WIDTH) * 0.02)
        self.vblocks = nn.ModuleList(Block() for _ in range(LAYERS))
        self.vln = nn.LayerNorm(WIDTH)
        self.vproj = nn.Linear(WIDTH, WIDTH, bias=False)
        self.tok = nn.Embedding(VOCAB, WIDTH)
        self.tpos = nn.Parameter(torch.randn(CONTEXT, WIDTH) * 0.01)
        self.tblocks = nn.ModuleList(Block() for _ in range(LAYERS))
        self.tln = nn.LayerNorm(WIDTH)
        self.tproj = nn.Linear(WIDTH, WIDTH, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(2.6592))
        self.register_buffer("causal", torch.full((CONTEXT, CONTEXT), float("-inf")).triu(1))

    def forward(self, images, tokens):
        x = self.patch(images).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], 1, -1), x], 1) + self.vpos
        for block in self.vblocks:
            x = block(x)
        image = self.vproj(self.vln(x[:, 0]))
        t = self.tok(tokens) + self.tpos
        for block in self.tblocks:
            t = block(t, self.causal)
        t = self.tln(t)
        text = self.tproj(t[torch.arange(t.shape[0]), tokens.argmax(-1)])   # the end-of-text token has the largest id
        image, text = F.normalize(image, dim=-1), F.normalize(text, dim=-1)
        logits = self.logit_scale.exp() * image @ text.t()
        labels = torch.arange(logits.shape[0])
        return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2


def matmul_gflops(dtype, n=2048, repeats=5):
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    return 2 * n ** 3 / statistics.median(times) / 1e9


def steps_per_second(precision, steps, warmup):
    torch.manual_seed(0)
    model = Clip()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    images = torch.randn(BATCH, 3, IMAGE, IMAGE)
    tokens = torch.randint(1, VOCAB - 1, (BATCH, CONTEXT))
    tokens[:, -1] = VOCAB - 1
    times, losses = [], []
    for step in range(warmup + steps):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16-autocast"):
            loss = model(images, tokens)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if step >= warmup:
            times.append(time.perf_counter() - start)
    return 1 / statistics.median(times), losses[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--precision", nargs="+", default=["fp32"], choices=["fp32", "bf16-autocast"])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    fp32, bf16 = matmul_gflops(torch.float32), matmul_gflops(torch.bfloat16, n=512, repeats=3)
    for precision in args.precision:
        rate, loss = steps_per_second(precision, args.steps, args.warmup)
        print(json.dumps({"model": "clip (PyTorch reference)", "precision": precision, "torch": torch.__version__,
                          "threads": args.threads, "steps_per_second": round(rate, 3), "last_loss": round(loss, 4),
                          "matmul_fp32_gflops": round(fp32, 1), "matmul_bf16_gflops_512": round(bf16, 1)}))


if __name__ == "__main__":
    main()
