#!/usr/bin/env python3
"""The PyTorch peer of `ganimate bench --backend cpu`: the same GAN steps, timed the same way.

It trains the course network (G: 100 → 256 → 512 → 1024 → 784, Linear+ReLU, tanh; D: 784 → 512
→ 256 → 1, Linear+LeakyReLU(0.2)) exactly as ganimate's trainer does: one D step on the real and
the fake batch in one forward pass, then one G step that reuses that fake batch, BCE from
logits, Adam(lr 2e-4, β = (0.5, 0.999)), a fresh shuffle each epoch, and the gradient norms and
the four figures ganimate measures every step. With `--preset stable` it adds BatchNorm and
LeakyReLU to G, the real label 0.9 and the moving average of G's weights (not the translations).

With `--plain` it is instead the loop a PyTorch user would write: D on the real and on the
detached fake batch in two forward passes, G's step through a D whose weights still take
gradients (three D forwards in all), BCE, Adam, and no gradient norms, figures or averaged G.

    python3 bench/pytorch_peer.py --data ../shared/data/mnist [--plain] [--threads 2] [--steps 200]

Prints one line per preset: steps/s, samples/s, ms/step, like `ganimate bench`.
"""

import argparse
import gzip
import pathlib
import struct
import time

import torch
from torch import nn
import torch.nn.functional as F

WARMUP_STEPS = 10


def read_images(folder: pathlib.Path) -> torch.Tensor:
    for stem in ("train-images-idx3-ubyte", "t10k-images-idx3-ubyte"):
        for name in (stem + ".gz", stem):
            path = folder / name
            if path.exists():
                raw = path.read_bytes()
                if raw[:2] == b"\x1f\x8b":
                    raw = gzip.decompress(raw)
                _, count, rows, cols = struct.unpack(">IIII", raw[:16])
                pixels = torch.frombuffer(bytearray(raw[16:]), dtype=torch.uint8)
                pixels = pixels[: count * rows * cols].view(count, rows * cols)
                return pixels.float() / 127.5 - 1.0
    raise SystemExit(f"error: {folder}: no MNIST images (train-images-idx3-ubyte[.gz])")


def generator(stable: bool) -> nn.Sequential:
    widths = [100, 256, 512, 1024]
    layers = []
    for a, b in zip(widths, widths[1:]):
        layers.append(nn.Linear(a, b))
        if stable:
            layers += [nn.BatchNorm1d(b), nn.LeakyReLU(0.2)]
        else:
            layers.append(nn.ReLU())
    layers += [nn.Linear(1024, 784), nn.Tanh()]
    return nn.Sequential(*layers)


def discriminator() -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(784, 512), nn.LeakyReLU(0.2),
        nn.Linear(512, 256), nn.LeakyReLU(0.2),
        nn.Linear(256, 1),
    )


def grad_norm(module: nn.Module) -> torch.Tensor:
    return torch.sqrt(sum((p.grad ** 2).sum() for p in module.parameters()))


def measure(preset: str, images: torch.Tensor, steps: int, batch: int, plain: bool) -> None:
    stable = preset == "stable"
    real_label = 0.9 if stable else 1.0
    torch.manual_seed(42)
    g, d = generator(stable), discriminator()
    average = generator(stable) if stable and not plain else None
    if average is not None:
        average.load_state_dict(g.state_dict())
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-8)
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-8)
    count = images.shape[0]
    order, position, step = torch.randperm(count), 0, 0

    def plain_step():
        nonlocal order, position
        if position + batch > count:
            order, position = torch.randperm(count), 0
        real = images[order[position : position + batch]]
        position += batch
        fake = g(torch.randn(batch, 100))
        opt_d.zero_grad()
        real_logits = d(real)
        fake_logits = d(fake.detach())
        d_loss = F.binary_cross_entropy_with_logits(
            real_logits, torch.full_like(real_logits, real_label)
        ) + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad()
        g_logits = d(fake)
        g_loss = F.binary_cross_entropy_with_logits(g_logits, torch.ones_like(g_logits))
        g_loss.backward()
        opt_g.step()
        return g_loss

    def train_step():
        nonlocal order, position, step
        if position + batch > count:
            order, position = torch.randperm(count), 0
        real = images[order[position : position + batch]]
        position += batch
        fake = g(torch.randn(batch, 100))
        logits = d(torch.cat([real, fake.detach()]))
        real_logits, fake_logits = logits[:batch], logits[batch:]
        d_loss = F.binary_cross_entropy_with_logits(
            real_logits, torch.full_like(real_logits, real_label)
        ) + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        d_norm = grad_norm(d)
        opt_d.step()
        d.requires_grad_(False)  # as in ganimate: G's step does not differentiate D's weights
        g_logits = d(fake)
        g_loss = F.binary_cross_entropy_with_logits(g_logits, torch.ones_like(g_logits))
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        d.requires_grad_(True)
        g_norm = grad_norm(g)
        opt_g.step()
        step += 1
        if average is not None:
            decay = min(0.999, (1 + step) / (10 + step))
            with torch.no_grad():
                for a, p in zip(average.state_dict().values(), g.state_dict().values()):
                    if a.dtype.is_floating_point:
                        a.mul_(decay).add_(p, alpha=1 - decay)
        with torch.no_grad():
            return torch.stack([
                d_loss, g_loss, torch.sigmoid(real_logits).mean(),
                torch.sigmoid(fake_logits).mean(), g_norm, d_norm,
            ])

    run_step = plain_step if plain else train_step
    for _ in range(WARMUP_STEPS):
        run_step()
    started = time.perf_counter()
    for _ in range(steps):
        run_step()
    seconds = time.perf_counter() - started
    rate = steps / seconds
    loop = "plain" if plain else "exact"
    label = f"pytorch {torch.__version__.split('+')[0]} {loop} ({torch.get_num_threads()}t)"
    print(f"{preset:<8} {label:<28} {rate:>10.1f} {rate * batch:>12.0f} {1000 / rate:>10.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=pathlib.Path, required=True)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--preset", choices=["course", "stable", "both"], default="course")
    parser.add_argument("--plain", action="store_true", help="the loop a PyTorch user writes")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    images = read_images(args.data)
    presets = ["course", "stable"] if args.preset == "both" else [args.preset]
    print(f"{'preset':<8} {'backend':<28} {'steps/s':>10} {'samples/s':>12} {'ms/step':>10}")
    for preset in presets:
        measure(preset, images, args.steps, args.batch_size, args.plain)


if __name__ == "__main__":
    main()
