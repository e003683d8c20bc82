"""PyTorch reference for the atlas-native benchmark rows (worker/native/bench-native.ts runs it).

One training step as the TF.js rows time it (wall time and this process's CPU time): forward, softmax cross-entropy
(mean over the batch), batch accuracy, backward, plain SGD update, loss read back. Models: FCN 784-512-512-512-10
with ReLU, and the project's CNN (Myrtle-5, width
32: conv3x3 1->32, 32->32, maxpool 2, 32->64, maxpool 2, 64->128, global average pool, dense 128->10, ReLU after
every conv). Usage: python3 bench-torch.py <fcn|cnn> <batch> <steps>. Prints one JSON line.

The caller sets the BLAS environment (one thread; OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset for the comparison).
"""

import json
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def fcn() -> nn.Module:
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 512), nn.ReLU(),
        nn.Linear(512, 512), nn.ReLU(),
        nn.Linear(512, 512), nn.ReLU(),
        nn.Linear(512, 10),
    )


class Myrtle5(nn.Module):
    def __init__(self, width: int = 32) -> None:
        super().__init__()
        self.c0 = nn.Conv2d(1, width, 3, padding=1)
        self.c1 = nn.Conv2d(width, width, 3, padding=1)
        self.c2 = nn.Conv2d(width, 2 * width, 3, padding=1)
        self.c3 = nn.Conv2d(2 * width, 4 * width, 3, padding=1)
        self.readout = nn.Linear(4 * width, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.c0(x))
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = F.relu(self.c3(x))
        return self.readout(x.mean(dim=(2, 3)))


def main() -> None:
    kind, batch, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(1)
    torch.manual_seed(1)
    model = fcn() if kind == "fcn" else Myrtle5()
    x = torch.randn(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def step() -> float:
        opt.zero_grad(set_to_none=True)
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        # The product's step also computes the batch accuracy (a train row records it); so does this one.
        (logits.detach().argmax(1) == y).float().mean()
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(3):
        step()
    times = []
    cpu = []
    for _ in range(steps):
        t0 = time.perf_counter()
        c0 = time.process_time()
        step()
        cpu.append((time.process_time() - c0) * 1000)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    cpu.sort()
    print(json.dumps({
        "ms": times[len(times) // 2],
        "msMin": times[0],
        "cpuMs": cpu[len(cpu) // 2],
        "samples": len(times),
        "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
    }))


if __name__ == "__main__":
    main()
