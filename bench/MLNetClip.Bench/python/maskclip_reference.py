"""Plain-PyTorch MaskCLIP (maskclip and maskclip-efficient), op for op src/Pretraining/Methods.

The same modules under the same names (model.*, teacher.model.*, image_decoder.*, text_decoder.*,
text_mask_token, text_word_bias), the same masks (random patch masking by sorting uniform noise;
caption-word masking by ranking uniform keys), drawn in the same order from a generator seeded as
ours (both are libtorch's CPU generator, so the masks are identical), the same smooth-L1 on
removed patches against the EMA teacher's LayerNormed features, the same masked language
modelling (word logits through the tied token table at K slots per caption, cross-entropy over
the masked ones), the same momentum schedule.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from clip_reference import Block, Clip, contrastive_loss


class TokenDecoder(nn.Module):
    """Linear in -> + learned positions -> bidirectional blocks (gelu, MLP x4) -> LayerNorm -> Linear out."""

    def __init__(self, in_width, width, depth, heads, max_tokens, out_width):
        super().__init__()
        self.embed = nn.Linear(in_width, width)
        self.pos_embed = nn.Parameter(torch.empty(max_tokens, width))
        self.blocks = nn.ModuleList(Block(width, heads, 4 * width, "Gelu", False, 1e-5) for _ in range(depth))
        self.norm = nn.LayerNorm(width, eps=1e-5)
        self.head = nn.Linear(width, out_width)

    def decode(self, embedded):
        h = embedded + self.pos_embed.narrow(0, 0, embedded.size(1))
        for block in self.blocks:
            h = block(h)
        return self.head(self.norm(h))

    def forward(self, tokens):
        return self.decode(self.embed(tokens))


class PatchDecoder(nn.Module):
    """Student tokens [B, 1 + K, D] -> a prediction for every patch [B, N, out], mask tokens at the removed ones."""

    def __init__(self, in_width, width, depth, heads, patches, out_width):
        super().__init__()
        self.mask_token = nn.Parameter(torch.empty(width))
        self.decoder = TokenDecoder(in_width, width, depth, heads, 1 + patches, out_width)

    def forward(self, student_tokens, restore):
        b, n = restore.shape
        k = student_tokens.size(1) - 1
        x = self.decoder.embed(student_tokens)
        w = x.size(2)
        fill = self.mask_token.view(1, 1, w).expand(b, n - k, w)
        patches = torch.cat([x.narrow(1, 1, k), fill], 1).gather(1, restore.unsqueeze(-1).expand(b, n, w))
        return self.decoder.decode(torch.cat([x.narrow(1, 0, 1), patches], 1)).narrow(1, 1, n)


def random_patch_mask(batch, patches, ratio, generator):
    """(visible ids [B, K], mask [B, N] with 1 = removed, restore ids [B, N]); K = N - clamp(round-half-up(r N), 1, N - 1)."""
    keep = patches - min(max(math.floor(ratio * patches + 0.5), 1), patches - 1)
    shuffle = torch.rand(batch, patches, generator=generator).argsort(1, descending=True)
    restore = shuffle.argsort(1)
    removed = torch.arange(patches).ge(keep).to(torch.float32)
    return shuffle.narrow(1, 0, keep).contiguous(), removed.expand(batch, patches).gather(1, restore), restore


def random_text_mask(ids, end, ratio, generator):
    """bool [B, L], True = masked: round-half-up(r n) of each caption's n words (at least 1), never start, end or padding."""
    b, length = ids.shape
    position = torch.arange(length).view(1, length)
    end = end.view(b, 1)
    maskable = position.ge(1).logical_and(position.lt(end))
    words = (end - 1).clamp_min(0).to(torch.float64)
    count = (words * ratio + 0.5).floor().minimum(words).maximum(words.clamp_max(1))
    keys = torch.where(maskable, torch.rand(b, length, generator=generator), torch.full([1], 2.0))
    return keys.argsort(1).argsort(1).to(torch.float64).lt(count)


def momentum(opts, step, total):
    """Our MomentumSchedule.At: start/end from the options or from horizons of 1% and 10% of the run."""
    def from_horizon(h, cap):
        return 0.0 if h <= 1 else min(cap, 1 - 1 / h)

    start = opts["EmaStart"] if opts["EmaStart"] is not None else from_horizon(0.01 * total, 0.999)
    end = opts["EmaEnd"] if opts["EmaEnd"] is not None else from_horizon(0.1 * total, 0.9999)
    progress = 0.0 if total == 1 else min(max(step / (total - 1), 0.0), 1.0)
    shape = opts["EmaSchedule"].lower()
    if shape == "cosine":
        return end - (end - start) * (1 + math.cos(math.pi * progress)) / 2
    return start + (end - start) * progress if shape == "linear" else start


def masked_smooth_l1(prediction, target, mask, beta):
    per_token = F.smooth_l1_loss(prediction, target, reduction="none", beta=beta).mean(-1)
    return (per_token * mask).sum() / mask.sum().clamp_min(1)


def mask_count(maskable, ratio):
    """Our TextMasking.MaskCount: round-half-up(r n) words, at least 1, at most n."""
    return 0 if maskable <= 0 else min(max(math.floor(ratio * maskable + 0.5), 1), maskable)


def masked_cross_entropy(logits, targets, weights):
    """Cross-entropy per slot, averaged over the slots that hold a masked word (weight 1)."""
    per_slot = F.cross_entropy(logits.reshape(-1, logits.size(2)), targets.reshape(-1), reduction="none")
    w = weights.reshape(-1)
    return (per_slot * w).sum() / w.sum().clamp_min(1)


class EmaTeacher(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.model = Clip(cfg)
        self.model.requires_grad_(False)

    @torch.no_grad()
    def update(self, student, decay):
        for t, s in zip(self.model.parameters(), student.parameters()):
            t.lerp_(s.detach(), 1.0 - decay)


class MaskClipMethod(nn.Module):
    """maskclip (efficient=False: contrastive on the full image) or maskclip-efficient (on the student's visible view)."""

    def __init__(self, cfg, efficient):
        super().__init__()
        self.efficient, self.opts, self.total = efficient, cfg["mask_clip"], cfg["planned_steps"]
        model, vision, text = cfg["model"], cfg["model"]["Vision"], cfg["model"]["Text"]
        self.model, self.teacher = Clip(model), EmaTeacher(model)
        self.patches = vision["GridSize"] ** 2
        self.image_decoder = PatchDecoder(vision["Width"], vision["Width"], self.opts["DecoderDepth"], vision["Heads"],
                                          self.patches, vision["Width"])
        if self.opts["TextBranch"]:
            self.text_decoder = TokenDecoder(text["Width"], text["Width"], self.opts["TextDecoderDepth"], text["Heads"],
                                             text["ContextLength"], text["Width"])
            self.text_mask_token = nn.Parameter(torch.empty(text["Width"]))
            self.text_word_bias = nn.Parameter(torch.zeros(text["VocabSize"]))
        self.generator = torch.Generator().manual_seed(cfg["mask_seed"])

    def forward(self, images, ids, step):
        visible, mask, restore = random_patch_mask(images.size(0), self.patches, self.opts["MaskRatio"], self.generator)
        student, student_embedding = self.model.visual.encode(images, visible)
        image = student_embedding if self.efficient else self.model.visual(images)
        text = self.model.text(ids)
        predicted = self.image_decoder(self.model.visual.norm(student), restore)
        terms = {"ContrastiveLoss": contrastive_loss(F.normalize(image, dim=-1), F.normalize(text, dim=-1),
                                                     self.model.logit_scale_factor())}
        distill = masked_smooth_l1(predicted, self.teacher_patches(images), mask, self.opts["SmoothL1Beta"])
        terms["DistillLoss"] = distill * self.opts["DistillWeight"]
        if self.opts["TextBranch"]:
            terms["MlmLoss"] = self.masked_words(ids) * self.opts["MlmWeight"]
        terms["EmaMomentum"] = torch.tensor(momentum(self.opts, step, self.total))
        return terms

    def masked_words(self, ids):
        masked = random_text_mask(ids, self.model.text.end_token_index(ids), self.opts["TextMaskRatio"], self.generator)
        _, normed, _ = self.model.text.encode(ids, masked, self.text_mask_token)
        hidden = self.text_decoder(normed)                                                   # [B, L, Dt]
        slots_per_caption = max(1, mask_count(ids.size(1) - 2, self.opts["TextMaskRatio"]))
        weights, slots = masked.to(torch.float32).topk(slots_per_caption, dim=1)             # [B, K]
        picked = hidden.gather(1, slots.unsqueeze(-1).expand(slots.size(0), slots.size(1), hidden.size(2)))
        logits = F.linear(picked, self.model.text.token_embed.weight, self.text_word_bias)  # [B, K, V]
        return masked_cross_entropy(logits, ids.gather(1, slots), weights)

    @torch.no_grad()
    def teacher_patches(self, images):
        last, _ = self.teacher.model.visual.encode(images)
        return self.target(last.narrow(1, 1, last.size(1) - 1))

    def target(self, features):
        return F.layer_norm(features, [features.size(2)]) if self.opts["NormalizeTargets"] else features

    def after_step(self, step):
        self.teacher.update(self.model, momentum(self.opts, step, self.total))
