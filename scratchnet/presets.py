"""Named, reproducible set-ups: the two seed write-ups, a good default, and a few that
teach by going wrong. Each is data settings plus ``ScratchNetClassifier`` arguments.

    >>> from scratchnet.presets import PRESETS, preset_data
    >>> X_train, X_test, y_train, y_test = preset_data("moons-blog")
    >>> clf = ScratchNetClassifier(**PRESETS["moons-blog"]["params"], random_state=0)
    >>> clf.fit(X_train, y_train).score(X_test, y_test)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from scratchnet.datasets import make_dataset, split

BLOG_DATA = {
    "dataset": "moons",
    "n_samples": 5000,
    "noise": 0.1,
    "test_ratio": 0.25,
    "data_seed": 42,
}

#: The blog's published result for ``moons-blog``: mean and std of test accuracy, 100 runs.
BLOG_ACCURACY = (0.94541, 0.019558)

PRESETS: dict[str, dict[str, Any]] = {
    "good-default": {
        "description": "A sound start: 2-64-2 ReLU, He init, SGD at 0.1, batch 10. "
        "Over 0.99 test accuracy on the blog's moons within 10 epochs.",
        "data": BLOG_DATA,
        "params": {
            "hidden_layer_sizes": (64,),
            "activation": "relu",
            "output": "softmax",
            "init": "he",
            "optimizer": "sgd",
            "learning_rate": 0.1,
            "batch_size": 10,
            "epochs": 10,
        },
    },
    "moons-blog": {
        "description": "The blog post: 2-64-2 ReLU/softmax, standard-normal init, minibatch "
        "SGD, batch 10, 10 epochs. Its W += 1e-4 * (sum of a batch's gradients) is a "
        "learning rate of 1e-3 on the mean. Published: 0.94541 ± 0.0196 test accuracy.",
        "data": BLOG_DATA,
        "params": {
            "hidden_layer_sizes": (64,),
            "activation": "relu",
            "output": "softmax",
            "init": "normal",
            "optimizer": "sgd",
            "learning_rate": 1e-3,
            "batch_size": 10,
            "epochs": 10,
        },
    },
    "tutorial-2-5-1": {
        "description": "The tutorial's NeuralNet([2, 5, 1]): a 5-neuron ReLU layer, one sigmoid "
        "output with binary cross-entropy, standard-normal init, full-batch gradient "
        "descent, with its backward pass done right. (Its own 0.001 x 100 iterations barely "
        "move the loss; 0.5 x 1000 shows what the network can do.)",
        "data": BLOG_DATA,
        "params": {
            "hidden_layer_sizes": (5,),
            "activation": "relu",
            "output": "sigmoid",
            "init": "normal",
            "optimizer": "sgd",
            "learning_rate": 0.5,
            "batch_size": "full",
            "epochs": 1000,
        },
    },
    "diverging": {
        "description": "Teaches the learning rate: at 10 the steps of a 2-64-64-2 network "
        "overshoot, the weights blow up in the first epoch, and training stops with the "
        "last good weights. Lower the rate to 0.1 and it learns.",
        "data": {**BLOG_DATA, "n_samples": 1000},
        "params": {
            "hidden_layer_sizes": (64, 64),
            "activation": "relu",
            "output": "softmax",
            "init": "he",
            "optimizer": "sgd",
            "learning_rate": 10.0,
            "batch_size": 10,
            "epochs": 20,
        },
    },
    "too-small-for-spiral": {
        "description": "Teaches capacity: 2 hidden neurons draw at most two straight cuts, "
        "which cannot follow a spiral. Add neurons and layers to fix it.",
        "data": {
            "dataset": "spiral",
            "n_samples": 1000,
            "noise": 0.1,
            "test_ratio": 0.25,
            "data_seed": 0,
        },
        "params": {
            "hidden_layer_sizes": (2,),
            "activation": "tanh",
            "output": "softmax",
            "init": "glorot",
            "optimizer": "adam",
            "learning_rate": 0.01,
            "batch_size": 10,
            "epochs": 100,
        },
    },
    "overfitting": {
        "description": "Teaches overfitting: a big 2-128-128-2 network on 60 noisy points "
        "learns the noise; the test loss turns up while the training loss keeps falling. "
        "Try L2 or fewer neurons.",
        "data": {
            "dataset": "moons",
            "n_samples": 60,
            "noise": 0.35,
            "test_ratio": 0.5,
            "data_seed": 3,
        },
        "params": {
            "hidden_layer_sizes": (128, 128),
            "activation": "relu",
            "output": "softmax",
            "init": "he",
            "optimizer": "adam",
            "learning_rate": 0.01,
            "batch_size": 10,
            "epochs": 300,
        },
    },
}


def preset_data(
    name: str,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]:
    """(X_train, X_test, y_train, y_test) for preset ``name``: its data, split by its seed."""
    if name not in PRESETS:
        raise ValueError(f"Unknown preset {name!r}. Choose one of {', '.join(PRESETS)}.")
    d = PRESETS[name]["data"]
    X, y = make_dataset(d["dataset"], d["n_samples"], d["noise"], d["data_seed"])
    return split(X, y, d["test_ratio"], d["data_seed"])
