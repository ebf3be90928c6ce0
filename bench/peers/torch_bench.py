"""PyTorch peer on W1-W4: the same networks and steps as the lean NumPy
loop (full batch on the tutorial's points; W1 SGD, W2 Adam, W3 a 200 x 200
grid's predictions, W4 Adam on 64-64-64), idiomatic torch (nn.Sequential,
torch.optim), float64 like ours, on one thread. Prints JSON."""
import json
import sys

import torch
from torch import nn

from numpy_bench import grid_ms, per_second, tutorial_data

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)


def model(sizes):
    layers = []
    for a, b in zip(sizes, sizes[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def stepper(sizes, adam):
    torch.manual_seed(1)
    m = model(sizes)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3) if adam else torch.optim.SGD(m.parameters(), lr=0.1)
    loss_fn = nn.BCEWithLogitsLoss()

    def step(x, y):
        opt.zero_grad()
        loss_fn(m(x), y).backward()
        opt.step()

    return step, m


def main():
    x, y = tutorial_data()
    x, y = torch.tensor(x), torch.tensor(y)[:, None]
    s1, m1 = stepper([2, 10, 8, 1], False)

    def predict(g):
        with torch.no_grad():
            return torch.sigmoid(m1(torch.from_numpy(g)))

    out = {
        "W1": per_second(s1, x, y, 500),
        "W2": per_second(stepper([2, 10, 8, 1], True)[0], x, y, 500),
        "W3": grid_ms(predict),
        "W4": per_second(stepper([2, 64, 64, 64, 1], True)[0], x, y, 30),
        "version": torch.__version__,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
