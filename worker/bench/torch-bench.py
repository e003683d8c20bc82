"""PyTorch CPU reference for `npm run bench` and the atlas-native benchmark (worker/native/bench-native.ts): the same
models and train step as worker/bench/bench-row.ts.

Prints one JSON line in the RowResult shape of worker/bench/rows.ts (plus "msMin", "threads" and "torch").
Usage: python3 torch-bench.py <fcn|cnn> <batch> <steps>
The caller sets 1 thread and removes OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE from this command's environment.
"""
import json
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(1)

kind, batch, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


class Cnn(nn.Module):
    """Myrtle-5, width 32: convs [2, 1, 1] over stages 32, 64, 128; 2x2 max-pools; global average pool; dense."""

    def __init__(self):
        super().__init__()
        self.c = nn.ModuleList([nn.Conv2d(1, 32, 3, padding=1), nn.Conv2d(32, 32, 3, padding=1),
                                nn.Conv2d(32, 64, 3, padding=1), nn.Conv2d(64, 128, 3, padding=1)])
        self.out = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.c[0](x))
        x = F.max_pool2d(F.relu(self.c[1](x)), 2)
        x = F.max_pool2d(F.relu(self.c[2](x)), 2)
        x = F.relu(self.c[3](x))
        return self.out(x.mean(dim=(2, 3)))


if kind == 'fcn':
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                          nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    macs = [784 * 512, 512 * 512, 512 * 512, 512 * 10]
else:
    model = Cnn()
    macs = [784 * 9 * 32, 784 * 9 * 32 * 32, 196 * 9 * 32 * 64, 49 * 9 * 64 * 128, 128 * 10]
# forward 2·MACs, weight grads 2·MACs, input grads 2·MACs except the first layer (as trainStepFlopsPerExample)
flops = (6 * sum(macs) - 2 * macs[0]) * batch

opt = torch.optim.SGD(model.parameters(), lr=0.01)
x = torch.randn(batch, 1, 28, 28)
y = torch.randint(0, 10, (batch,))


def step():
    opt.zero_grad(set_to_none=True)
    logits = model(x)
    loss = F.cross_entropy(logits, y)
    # The TF.js step (lossAndGrads) also computes the batch accuracy, so the reference does too.
    (logits.detach().argmax(1) == y).float().mean()
    loss.backward()
    opt.step()
    return loss.item()


for _ in range(3):
    step()
times = []
cpu = []
for _ in range(steps):
    c0 = time.process_time()
    t0 = time.perf_counter()
    step()
    times.append((time.perf_counter() - t0) * 1e3)
    cpu.append((time.process_time() - c0) * 1e3)
ms = statistics.median(times)
p10 = sorted(times)[max(0, -(-len(times) // 10) - 1)]
print(json.dumps({"ok": True, "backend": "pytorch", "device": f"PyTorch {torch.__version__} CPU, 1 thread",
                  "ms": ms, "msMin": min(times), "p10Ms": p10, "cpuMs": statistics.median(cpu), "flops": flops, "gflops": flops / ms / 1e6,
                  "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "samples": len(times),
                  "threads": torch.get_num_threads(), "torch": torch.__version__}))
