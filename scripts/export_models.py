#!/usr/bin/python3
"""Exports the test models to models/<name>.onnx from torch, with seeded random weights.

Run with Debian's /usr/bin/python3 (python3-torch 1.13, python3-torchvision 0.14); nothing is
downloaded. Reference inputs and ONNX Runtime outputs come after, from make_reference_outputs.py.

  /usr/bin/python3 scripts/export_models.py [--out models] [--only NAME ...] [--force]
"""
import argparse
import inspect
import io
import math
import os
import sys
import time
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

SEED = 20240611


# ---------------------------------------------------------------------------------------------
# Weights. torchvision initialises BatchNorm to the identity (mean 0, var 1, scale 1, shift 0),
# which would let a broken BN fold pass unnoticed; calibrating the running statistics on random
# batches and jittering the affine parameters gives every BN something real to do.

def calibrate_batch_norm(model, input_shape, batches=2):
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not bns:
        return
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average over the calibration batches
        with torch.no_grad():
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.normal_(0.0, 0.1)
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            model(torch.randn(*input_shape))
    model.eval()


# ---------------------------------------------------------------------------------------------
# A BERT-base-shaped encoder, written with plain torch.nn modules so the exported graph shows
# the patterns a runtime must fuse: LayerNorm as ReduceMean/Sub/Pow/Sqrt/Div, GELU via Erf,
# attention as MatMul/Div/Softmax/MatMul with Reshape/Transpose around it.

class SelfAttention(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.heads = heads
        self.head_dim = hidden // heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.output = nn.Linear(hidden, hidden)

    def split(self, x):
        b, s, _ = x.shape
        return x.view(b, s, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x):
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        context = torch.matmul(torch.softmax(scores, dim=-1), v)
        b, _, s, _ = context.shape
        return self.output(context.permute(0, 2, 1, 3).reshape(b, s, -1))


class EncoderLayer(nn.Module):
    def __init__(self, hidden, heads, ffn):
        super().__init__()
        self.attention = SelfAttention(hidden, heads)
        self.attention_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.intermediate = nn.Linear(hidden, ffn)
        self.ffn_output = nn.Linear(ffn, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=1e-12)

    def forward(self, x):
        x = self.attention_norm(x + self.attention(x))
        return self.output_norm(x + self.ffn_output(F.gelu(self.intermediate(x))))


class BertEncoder(nn.Module):
    def __init__(self, vocab=30522, hidden=768, layers=12, heads=12, ffn=3072, max_positions=512):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, hidden)
        self.position_embeddings = nn.Embedding(max_positions, hidden)
        self.token_type_embeddings = nn.Embedding(2, hidden)
        self.embedding_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.layers = nn.ModuleList(EncoderLayer(hidden, heads, ffn) for _ in range(layers))
        for module in self.modules():  # BERT's initialiser: N(0, 0.02)
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)
        randomise_zero_weights(self)  # BERT zeroes the biases; small ones test them

    def forward(self, input_ids):
        positions = torch.arange(input_ids.shape[1], dtype=torch.int64, device=input_ids.device).unsqueeze(0)
        token_types = torch.zeros_like(input_ids)
        x = (self.word_embeddings(input_ids) + self.position_embeddings(positions) +
             self.token_type_embeddings(token_types))
        x = self.embedding_norm(x)
        for layer in self.layers:
            x = layer(x)
        return x


# ---------------------------------------------------------------------------------------------
# Small models with a dynamic batch (and more), for the ops and shape arithmetic that the big
# static models lack: Resize/Upsample, ConvTranspose, HardSigmoid, LSTM, If, Shape→Slice→Concat.

class TinyUNet(nn.Module):
    def __init__(self, mode, opset):
        super().__init__()
        self.opset = opset
        self.enc1 = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU())
        self.enc2 = nn.Sequential(nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU())
        self.pool = nn.MaxPool2d(2)
        self.bottom = nn.Sequential(nn.Conv2d(16, 16, 3, padding=1), nn.Hardsigmoid())
        self.up_transposed = nn.ConvTranspose2d(16, 16, 2, stride=2)
        self.up_resize = nn.Upsample(scale_factor=2, mode=mode)
        self.dec2 = nn.Sequential(nn.Conv2d(32, 8, 3, padding=1), nn.LeakyReLU(0.1))
        self.dec1 = nn.Sequential(nn.Conv2d(16, 4, 3, padding=1), nn.Hardsigmoid())

    def forward(self, x):
        e1 = self.enc1(x)                       # [N, 8, H, W]
        e2 = self.enc2(self.pool(e1))           # [N, 16, H/2, W/2]
        b = self.bottom(self.pool(e2))          # [N, 16, H/4, W/4]
        d2 = self.dec2(torch.cat([self.up_transposed(b), e2], dim=1))
        d1 = self.dec1(torch.cat([self.up_resize(d2), e1], dim=1))
        # Keep the first half of the channels (a Slice computed from Shape from opset 10 on; opset 9
        # slices have static bounds only), then flatten the rest (Shape → Gather → Concat → Reshape).
        half = d1[:, :2] if self.opset < 10 else d1[:, : d1.shape[1] // 2]
        return half.reshape(half.shape[0], half.shape[1], -1)


class TinyLstm(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(input_size=8, hidden_size=16, num_layers=2, batch_first=True,
                            bidirectional=True)
        self.head = nn.Linear(32, 5)

    def forward(self, x):                       # [N, T, 8]
        y, _ = self.lstm(x)                     # [N, T, 32]
        return self.head(y[:, -1])              # [N, 5]


class Branchy(nn.Module):
    """Scripted so that the data-dependent branch exports as an If node. The threshold picks
    which branch the reference input takes: both branches get tested across the two opsets."""

    def __init__(self, threshold):
        super().__init__()
        self.threshold = threshold
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.fc_pos = nn.Linear(4, 3)
        self.fc_neg = nn.Linear(4, 3)

    def forward(self, x):
        y = torch.relu(self.conv(x)).mean(dim=[2, 3])  # [N, 4]
        if bool(y.sum() > self.threshold * y.shape[0]):
            out = self.fc_pos(y)
        else:
            out = torch.sigmoid(self.fc_neg(y)) * 2.0
        n = out.shape[0]
        return torch.cat([out, torch.zeros(n, 1)], dim=1)


# ---------------------------------------------------------------------------------------------

def randomise_zero_weights(model):
    """Zero-initialised parameters (biases; ViT's whole head, which would make every output 0)
    hide mistakes such as a bias added twice or to the wrong channel: give them small values."""
    with torch.no_grad():
        for p in model.parameters():
            if not torch.any(p != 0):
                p.normal_(0.0, 0.02)


def torchvision_model(builder, **kwargs):
    def make():
        model = builder(weights=None, **kwargs)
        randomise_zero_weights(model)
        calibrate_batch_norm(model, (4, 3, 224, 224))
        return model
    return make


def unet(mode, opset):
    def make():
        model = TinyUNet(mode, opset)
        calibrate_batch_norm(model, (4, 3, 32, 32))
        return model
    return make


# name → (make model, example input, input name, output name, opset, dynamic axes, scripted)
IMAGE = lambda: torch.randn(1, 3, 224, 224)
SPECS = {
    "squeezenet1_1": (torchvision_model(torchvision.models.squeezenet1_1), IMAGE, "input",
                      "logits", 13, None, False),
    "mobilenet_v2": (torchvision_model(torchvision.models.mobilenet_v2), IMAGE, "input",
                     "logits", 13, None, False),
    "efficientnet_b0": (torchvision_model(torchvision.models.efficientnet_b0), IMAGE, "input",
                        "logits", 13, None, False),
    "resnet50": (torchvision_model(torchvision.models.resnet50), IMAGE, "input", "logits", 13,
                 None, False),
    "vit_b_16": (torchvision_model(torchvision.models.vit_b_16), IMAGE, "input", "logits", 13,
                 None, False),
    "bert_base": (BertEncoder, lambda: torch.randint(0, 30522, (1, 128), dtype=torch.int64),
                  "input_ids", "last_hidden_state", 13, None, False),
    # Opset 9 has Upsample, 11 and 13 Resize (nearest and bilinear → linear, align_corners off).
    "dynamic_unet_op9": (unet("nearest", 9), lambda: torch.randn(2, 3, 32, 32), "input", "output", 9,
                         {"input": {0: "batch", 2: "height", 3: "width"},
                          "output": {0: "batch", 2: "pixels"}}, False),
    "dynamic_unet_op11": (unet("bilinear", 11), lambda: torch.randn(2, 3, 32, 32), "input", "output",
                          11, {"input": {0: "batch", 2: "height", 3: "width"},
                               "output": {0: "batch", 2: "pixels"}}, False),
    "dynamic_unet_op13": (unet("nearest", 13), lambda: torch.randn(2, 3, 32, 32), "input", "output",
                          13, {"input": {0: "batch"}, "output": {0: "batch"}}, False),
    "dynamic_lstm_op9": (TinyLstm, lambda: torch.randn(2, 7, 8), "input", "output", 9,
                         {"input": {0: "batch", 1: "time"}, "output": {0: "batch"}}, False),
    "dynamic_lstm_op13": (TinyLstm, lambda: torch.randn(2, 7, 8), "input", "output", 13,
                          {"input": {0: "batch", 1: "time"}, "output": {0: "batch"}}, False),
    "dynamic_if_op11": (lambda: Branchy(0.0), lambda: torch.randn(2, 3, 8, 8), "input", "output", 11,
                        {"input": {0: "batch"}, "output": {0: "batch"}}, True),
    "dynamic_if_op13": (lambda: Branchy(1e6), lambda: torch.randn(2, 3, 8, 8), "input", "output", 13,
                        {"input": {0: "batch"}, "output": {0: "batch"}}, True),
}


def export(name, out_dir):
    make, example, input_name, output_name, opset, dynamic_axes, scripted = SPECS[name]
    torch.manual_seed(SEED)  # the same weights on every run and every machine
    model = make().eval()
    if scripted:
        model = torch.jit.script(model)
    path = os.path.join(out_dir, name + ".onnx")
    tmp = path + ".tmp"
    # Grad stays enabled: under no_grad torch 1.13 traces MultiheadAttention's fused fast path,
    # which has no ONNX export.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Newer torch (the GPU machine's) defaults to its dynamo exporter, whose graphs differ:
        # the TorchScript one gives every machine the same model.
        legacy = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
        torch.onnx.export(model, (example(),), tmp, input_names=[input_name],
                          output_names=[output_name], opset_version=opset,
                          dynamic_axes=dynamic_axes, do_constant_folding=True, **legacy)
    os.replace(tmp, path)  # a half-written model never looks exported
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "models"))
    parser.add_argument("--only", nargs="*", default=None, help="names to export (default: all)")
    parser.add_argument("--force", action="store_true", help="re-export models already there")
    parser.add_argument("--list", action="store_true", help="print the model names and exit")
    args = parser.parse_args()
    if args.list:
        print("\n".join(SPECS))
        return 0
    names = args.only or list(SPECS)
    unknown = [n for n in names if n not in SPECS]
    if unknown:
        parser.error("unknown model(s): " + ", ".join(unknown))
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    failed = []
    for name in names:
        path = os.path.join(args.out, name + ".onnx")
        if os.path.exists(path) and not args.force:
            continue
        start = time.time()
        try:
            export(name, args.out)
        except Exception as e:  # one model torch cannot export must not stop the others
            failed.append(name)
            print(f"export_models: {name}: failed: {type(e).__name__}: {e}", file=sys.stderr)
            continue
        size = os.path.getsize(path) / 2**20
        print(f"export_models: {name}: {path} ({size:.1f} MiB, {time.time() - start:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
