"""Plain-PyTorch CLIP, op for op the model in src/Models, for bench train's reference side.

Parameter names are ours (visual.blocks.0.attn.q_proj.weight, text.token_embed.weight, ...), so
the weights our side writes load with strict=True. On torch 1.13 attention is spelled out
(softmax(q k^T * scale) v, causal positions filled with -inf), which is what our native library
runs there. Also here: a reader for the safetensors format, which python3-torch 1.13 lacks.
"""
import json
import math
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

_DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16,
           "I64": torch.int64, "I32": torch.int32, "U8": torch.uint8, "BOOL": torch.bool}


def read_safetensors(path):
    """(tensors by name, metadata): 8-byte little-endian header length, JSON header, raw little-endian data."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = bytearray(f.read())
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        start, end = entry["data_offsets"]
        flat = torch.frombuffer(data, dtype=_DTYPES[entry["dtype"]], count=(end - start) // _itemsize(entry["dtype"]),
                                offset=start) if end > start else torch.empty(0, dtype=_DTYPES[entry["dtype"]])
        tensors[name] = flat.reshape(entry["shape"]).clone()
    return tensors, metadata


def _itemsize(dtype):
    return torch.empty(0, dtype=_DTYPES[dtype]).element_size()


def quick_gelu(x):
    return x * torch.sigmoid(x * 1.702)


ACTIVATIONS = {"Gelu": F.gelu, "GeluTanh": lambda x: F.gelu(x, approximate="tanh"), "QuickGelu": quick_gelu}


class Attention(nn.Module):
    def __init__(self, width, heads, causal):
        super().__init__()
        self.heads, self.head_dim, self.causal = heads, width // heads, causal
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(width, width) for _ in range(4))

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = (p(x).view(b, t, self.heads, self.head_dim).transpose(1, 2) for p in (self.q_proj, self.k_proj, self.v_proj))
        scores = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(self.head_dim))  # [B, H, T, T]
        if self.causal:
            keep = torch.ones(t, t, dtype=torch.bool, device=x.device).tril()
            scores = scores.masked_fill(keep.logical_not(), float("-inf"))
        mixed = torch.matmul(torch.softmax(scores, -1), v)                                   # [B, H, T, Dh]
        return self.out_proj(mixed.transpose(1, 2).reshape(b, t, d))


class Mlp(nn.Module):
    def __init__(self, width, hidden, activation):
        super().__init__()
        self.fc1, self.fc2, self.act = nn.Linear(width, hidden), nn.Linear(hidden, width), ACTIVATIONS[activation]

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, width, heads, hidden, activation, causal, eps):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(width, eps=eps), nn.LayerNorm(width, eps=eps)
        self.attn, self.mlp = Attention(width, heads, causal), Mlp(width, hidden, activation)

    def forward(self, x):
        h = x + self.attn(self.norm1(x))
        return h + self.mlp(self.norm2(h))


def blocks(cfg, causal):
    return nn.ModuleList(Block(cfg["Width"], cfg["Heads"], cfg["MlpHidden"], cfg["Activation"], causal, cfg["LayerNormEps"])
                         for _ in range(cfg["Layers"]))


class PatchEmbed(nn.Module):
    def __init__(self, patch, channels, width):
        super().__init__()
        self.patch, self.channels = patch, channels
        self.proj = nn.Conv2d(channels, width, patch, stride=patch, bias=False)

    def forward(self, images):                                                              # → [B, N, D]
        return self.proj(images).flatten(2).transpose(1, 2)

    def forward_visible(self, images, ids):
        """Tokens of the chosen patches only, ids [B, K]: pixels gathered, then the kernel as a matrix."""
        b, c, h, w = images.shape
        p, rows, cols = self.patch, h // self.patch, w // self.patch
        patches = images.reshape(b, c, rows, p, cols, p).permute(0, 2, 4, 1, 3, 5).reshape(b, rows * cols, c * p * p)
        chosen = patches.gather(1, ids.unsqueeze(-1).expand(ids.size(0), ids.size(1), c * p * p))
        return F.linear(chosen, self.proj.weight.reshape(self.proj.weight.size(0), c * p * p))


class VisionTransformer(nn.Module):
    def __init__(self, cfg, embed_dim):
        super().__init__()
        self.cfg, width, grid = cfg, cfg["Width"], cfg["GridSize"]
        self.patch_embed = PatchEmbed(cfg["PatchSize"], cfg["Channels"], width)
        self.cls_token = nn.Parameter(torch.empty(width))
        self.pos_embed = nn.Parameter(torch.empty(1 + grid * grid, width))
        self.norm_pre, self.norm = nn.LayerNorm(width, eps=cfg["LayerNormEps"]), nn.LayerNorm(width, eps=cfg["LayerNormEps"])
        self.blocks = blocks(cfg, causal=False)
        self.head = nn.Linear(width, embed_dim, bias=False)

    def encode(self, images, visible_ids=None):
        """(last hidden state [B, 1 + K, D] before the final norm, projected embedding [B, E])."""
        width = self.cfg["Width"]
        patch_pos = self.pos_embed.narrow(0, 1, self.pos_embed.size(0) - 1)                  # [N, D]
        if visible_ids is None:
            patches = self.patch_embed(images) + patch_pos
        else:
            pos = patch_pos.index_select(0, visible_ids.flatten()).view(visible_ids.size(0), visible_ids.size(1), width)
            patches = self.patch_embed.forward_visible(images, visible_ids) + pos
        cls = (self.cls_token + self.pos_embed.select(0, 0)).view(1, 1, width).expand(images.size(0), 1, width)
        h = self.norm_pre(torch.cat([cls, patches], 1))
        for block in self.blocks:
            h = block(h)
        normed = self.norm(h)
        pooled = normed.select(1, 0) if self.cfg["Pooling"] == "Cls" else normed.narrow(1, 1, normed.size(1) - 1).mean(1)
        return h, self.head(pooled)

    def forward(self, images):
        return self.encode(images)[1]


class TextTransformer(nn.Module):
    def __init__(self, cfg, embed_dim):
        super().__init__()
        self.cfg, width = cfg, cfg["Width"]
        self.token_embed = nn.Embedding(cfg["VocabSize"], width)
        self.pos_embed = nn.Parameter(torch.empty(cfg["ContextLength"], width))
        self.blocks = blocks(cfg, causal=True)
        self.norm = nn.LayerNorm(width, eps=cfg["LayerNormEps"])
        self.head = nn.Linear(width, embed_dim, bias=False)

    def end_token_index(self, ids):
        if self.cfg["Pooling"] == "ArgMax":
            return ids.argmax(-1)
        return ids.eq(self.cfg["EosTokenId"]).long().argmax(-1)

    def encode(self, ids, replaced=None, replacement=None):
        """(last block's output [B, L, D], the same after the final norm, projected embedding [B, E]).

        replaced (bool [B, L]) swaps those positions' token embeddings for replacement [D]."""
        tokens = self.token_embed(ids)
        if replaced is not None:
            tokens = torch.where(replaced.unsqueeze(-1), replacement, tokens)
        x = tokens + self.pos_embed.narrow(0, 0, ids.size(1))
        for block in self.blocks:
            x = block(x)
        normed = self.norm(x)
        b, width = normed.size(0), self.cfg["Width"]
        rows = self.end_token_index(ids).view(b, 1, 1).expand(b, 1, width)
        return x, normed, self.head(normed.gather(1, rows).squeeze(1))

    def forward(self, ids):
        return self.encode(ids)[2]


class Clip(nn.Module):
    MAX_LOGIT_SCALE = 100.0

    def __init__(self, cfg):
        super().__init__()
        self.visual = VisionTransformer(cfg["Vision"], cfg["EmbedDim"])
        self.text = TextTransformer(cfg["Text"], cfg["EmbedDim"])
        self.logit_scale = nn.Parameter(torch.tensor(cfg["LogitScaleInit"], dtype=torch.float32))

    def logit_scale_factor(self):
        return self.logit_scale.exp().clamp(max=self.MAX_LOGIT_SCALE)


def contrastive_loss(image, text, scale):
    """(CE over images + CE over captions) / 2 for normalised embeddings [B, E]; pair i is image i, caption i."""
    per_image = scale * image.matmul(text.t())
    labels = torch.arange(image.size(0), device=image.device)
    return (F.cross_entropy(per_image, labels) + F.cross_entropy(per_image.t(), labels)) / 2


class ClipMethod(nn.Module):
    """clip: symmetric InfoNCE between full images and their captions."""

    def __init__(self, cfg):
        super().__init__()
        self.model = Clip(cfg["model"])

    def forward(self, images, ids, step):
        image = F.normalize(self.model.visual(images), dim=-1)
        text = F.normalize(self.model.text(ids), dim=-1)
        return {"ContrastiveLoss": contrastive_loss(image, text, self.model.logit_scale_factor())}

    def after_step(self, step):
        pass
