"""Write the Sphinx inventories (``objects.inv``) that link torch, Python and matplotlib names.

``intersphinx`` normally downloads each project's inventory at build time, which fails offline
and makes ``-W`` builds depend on the network. This file lists the names the site (pages, API
signatures, gallery scripts) links to, with their addresses in each project's own reference, and
writes inventories that ``conf.py`` hands to ``intersphinx_mapping`` as local files. A name that
is missing here shows up as a nitpicky warning in ``nox -s docs``: add it to the list.

Run it by hand to look at what it writes::

    python docs/_ext/inventories.py docs/_build/inventories
"""

from __future__ import annotations

import sys
import zlib
from pathlib import Path

# (name, role, page) — page "" means the usual generated/<name>.html page of that project.
Entry = tuple[str, str, str]

TORCH_URL = "https://docs.pytorch.org/docs/stable/"
_TORCH_GENERATED_CLASSES = [
    "torch.nn.RNN", "torch.nn.LSTM", "torch.nn.GRU", "torch.nn.RNNBase",
    "torch.nn.RNNCell", "torch.nn.LSTMCell", "torch.nn.GRUCell", "torch.nn.RNNCellBase",
    "torch.nn.Module", "torch.nn.Linear", "torch.nn.Embedding", "torch.nn.Dropout",
    "torch.nn.Sequential", "torch.nn.CrossEntropyLoss", "torch.nn.Parameter",
    "torch.nn.utils.rnn.PackedSequence", "torch.Generator", "torch.no_grad",
    "torch.optim.Adam", "torch.optim.SGD",
]  # fmt: skip
_TORCH_GENERATED_FUNCTIONS = [
    "torch.nn.utils.rnn.pack_padded_sequence", "torch.nn.utils.rnn.pad_packed_sequence",
    "torch.nn.utils.rnn.pack_sequence", "torch.nn.utils.rnn.pad_sequence",
    "torch.nn.utils.rnn.unpack_sequence", "torch.nn.utils.rnn.unpad_sequence",
    "torch.equal", "torch.allclose", "torch.cat", "torch.stack", "torch.flip", "torch.zeros",
    "torch.zeros_like", "torch.ones", "torch.full", "torch.randn", "torch.rand", "torch.arange",
    "torch.tensor", "torch.manual_seed", "torch.sigmoid", "torch.tanh", "torch.where",
    "torch.set_printoptions", "torch.get_default_dtype", "torch.set_default_dtype",
    "torch.set_num_threads", "torch.get_num_threads", "torch.use_deterministic_algorithms",
    "torch.autograd.grad", "torch.nn.functional.cross_entropy", "torch.nn.functional.dropout",
    "torch.nn.init.zeros_", "torch.nn.init.normal_",
]  # fmt: skip
_TENSOR_METHODS = [
    "view", "reshape", "transpose", "permute", "flip", "chunk", "split", "unsqueeze",
    "squeeze", "detach", "numpy", "tolist", "clone", "contiguous", "expand", "repeat",
    "argsort", "max", "mean", "sum", "abs", "index_select", "gather", "masked_fill", "size",
    "dim", "backward", "argmax", "item",
]  # fmt: skip
_MODULE_METHODS = [
    "train", "eval", "forward", "parameters", "named_parameters", "state_dict",
    "load_state_dict", "to", "zero_grad",
]  # fmt: skip

TORCH: list[Entry] = [
    ("torch", "module", "torch.html#module-torch"),
    ("torch.nn", "module", "nn.html#module-torch.nn"),
    ("torch.nn.utils.rnn", "module", "nn.html#module-torch.nn.utils.rnn"),
    ("torch.Tensor", "class", "tensors.html#torch.Tensor"),
    ("torch.Size", "class", "size.html#torch.Size"),
    ("torch.dtype", "class", "tensor_attributes.html#torch.dtype"),
    ("torch.device", "class", "tensor_attributes.html#torch.device"),
    ("torch.testing.assert_close", "function", "testing.html#torch.testing.assert_close"),
    ("torch.random.fork_rng", "function", "random.html#torch.random.fork_rng"),
    ("torch.finfo", "class", "type_info.html#torch.torch.finfo"),
    ("torch.iinfo", "class", "type_info.html#torch.torch.iinfo"),
    *[(name, "class", "") for name in _TORCH_GENERATED_CLASSES],
    *[(name, "function", "") for name in _TORCH_GENERATED_FUNCTIONS],
    *[(f"torch.Tensor.{m}", "method", "") for m in _TENSOR_METHODS],
    *[
        (f"torch.nn.Module.{m}", "method", f"generated/torch.nn.Module.html#torch.nn.Module.{m}")
        for m in _MODULE_METHODS
    ],
]
# The names autodoc writes in signatures for classes defined elsewhere than where they are
# documented, or imported by their short name only.
TORCH_ALIASES = {
    "torch.nn.modules.module.Module": "torch.nn.Module",
    "torch.nn.modules.rnn.RNNBase": "torch.nn.RNNBase",
    "torch.nn.modules.rnn.RNN": "torch.nn.RNN",
    "torch.nn.modules.rnn.LSTM": "torch.nn.LSTM",
    "torch.nn.modules.rnn.GRU": "torch.nn.GRU",
    "torch.nn.parameter.Parameter": "torch.nn.Parameter",
}

PYTHON_URL = "https://docs.python.org/3/"
PYTHON: list[Entry] = [
    *[(name, "class", f"library/functions.html#{name}")
      for name in ("int", "bool", "float", "object", "type", "range")],
    *[(name, "class", f"library/stdtypes.html#{name}")
      for name in ("str", "list", "dict", "tuple", "set", "frozenset", "bytes")],
    *[(name, "exception", f"library/exceptions.html#{name}")
      for name in ("ValueError", "TypeError", "AssertionError", "KeyError", "RuntimeError",
                   "UserWarning", "Exception")],
    *[(name, "data", f"library/constants.html#{name}") for name in ("None", "True", "False")],
    *[(f"typing.{name}", "data", f"library/typing.html#typing.{name}")
      for name in ("Any", "Literal", "Optional", "Union", "TYPE_CHECKING")],
    *[(f"collections.abc.{name}", "class", f"library/collections.abc.html#collections.abc.{name}")
      for name in ("Callable", "Iterable", "Iterator", "Mapping", "Sequence", "Set")],
    ("pathlib.Path", "class", "library/pathlib.html#pathlib.Path"),
    ("json", "module", "library/json.html#module-json"),
    ("warnings.catch_warnings", "class", "library/warnings.html#warnings.catch_warnings"),
]  # fmt: skip

MATPLOTLIB_URL = "https://matplotlib.org/stable/"
MATPLOTLIB: list[Entry] = [
    ("matplotlib.axes.Axes", "class", ""),
    ("matplotlib.figure.Figure", "class", ""),
    *[(f"matplotlib.pyplot.{name}", "function", "")
      for name in ("subplots", "figure", "show", "close", "colorbar")],
    *[(f"matplotlib.axes.Axes.{name}", "method", "")
      for name in ("imshow", "plot", "set", "legend", "bar", "barh", "annotate", "text")],
    *[(f"matplotlib.figure.Figure.{name}", "method", "")
      for name in ("subplots", "colorbar", "suptitle", "savefig")],
]  # fmt: skip

MATPLOTLIB_ALIASES = {"Axes": "matplotlib.axes.Axes", "Figure": "matplotlib.figure.Figure"}

SKLEARN_URL = "https://scikit-learn.org/stable/"
SKLEARN: list[Entry] = [
    ("sklearn.datasets.load_digits", "function", ""),
    ("sklearn.model_selection.train_test_split", "function", ""),
]

_PAGES = {
    "torch": lambda name: f"generated/{name}.html#{name}",
    "python": lambda name: f"library/{name.split('.')[0]}.html#{name}",
    "matplotlib": lambda name: f"api/_as_gen/{name}.html#{name}",
    "sklearn": lambda name: f"modules/generated/{name}.html#{name}",
}

ALIASES = {"torch": TORCH_ALIASES, "matplotlib": MATPLOTLIB_ALIASES}

PROJECTS: dict[str, tuple[str, str, list[Entry]]] = {
    "torch": ("PyTorch", TORCH_URL, TORCH),
    "python": ("Python", PYTHON_URL, PYTHON),
    "matplotlib": ("Matplotlib", MATPLOTLIB_URL, MATPLOTLIB),
    "sklearn": ("scikit-learn", SKLEARN_URL, SKLEARN),
}


def _page(project: str, name: str, role: str, page: str) -> str:
    if page:
        return page
    owner = name.rsplit(".", 1)[0]
    if project == "matplotlib" and role == "method" and not owner.endswith("Axes"):
        return f"api/_as_gen/{owner}.html#{name}"  # documented on its class's page
    return _PAGES[project](name)


def inventory(project: str) -> bytes:
    """The bytes of one project's ``objects.inv`` (format version 2)."""
    title, _, entries = PROJECTS[project]
    lines = []
    pages = {name: _page(project, name, role, page) for name, role, page in entries}
    for name, role, _ in entries:
        lines.append(f"{name} py:{role} 1 {pages[name]} -")
    roles = {name: role for name, role, _ in entries}
    for alias, name in sorted(ALIASES.get(project, {}).items()):
        lines.append(f"{alias} py:{roles[name]} 1 {pages[name]} {name}")
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {title}\n"
        "# Version: stable\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = "".join(line + "\n" for line in sorted(set(lines)))
    return header.encode() + zlib.compress(body.encode(), 9)


def write(directory: Path) -> dict[str, tuple[str, Path]]:
    """Write every project's inventory into ``directory`` (only if it changed).

    Returns ``{project: (base URL, inventory path)}`` for ``intersphinx_mapping``.
    """
    directory.mkdir(parents=True, exist_ok=True)
    mapping = {}
    for project, (_, url, _) in PROJECTS.items():
        path = directory / f"{project}.inv"
        data = inventory(project)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        mapping[project] = (url, path)
    return mapping


if __name__ == "__main__":
    for project, (url, path) in write(Path(sys.argv[1])).items():
        print(f"{project:<11} {url:<40} {path}")
