"""Kokoro's graph opened where its prosody is made: what it predicts, and inputs to change it.

Kokoro-82M predicts, before its decoder turns them into sound, how many frames each phoneme
lasts, a pitch contour (F0, Hz, two values a frame) and an energy contour (N). render adds to
the shipped graph, without changing a weight:

- outputs ``duration`` (frames per token, the alignment's row sums: where each phoneme is
  spoken, which kokoro-onnx reads for its timings), ``f0`` and ``energy`` (the predictions);
- inputs ``frames`` (added to each token's length in frames, after the model rounds its
  prediction: lengthening by a factor would be rounded away on tokens two frames long),
  ``pitch`` (Hz added to the F0 contour, frame by frame) and ``loud`` (added to the energy
  contour).

Each input is also an initializer holding ``[0.0]`` (which broadcasts), so a caller that
does not feed it (kokoro-onnx) gets the model's own audio bit for bit;
:func:`render.voices.engines.onnx_int8.fast_model` checks that before the graph is used.
:mod:`render.voices.engines.kokoro_shaping` feeds them to make a question rise and a word
stand out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from render.files import atomic_path

ALIGNMENT = "/encoder/Cast_4_output_0"  # the token-to-frame alignment, [tokens + 2, frames]
ROUNDED = "/encoder/Round_output_0"  # each token's predicted length (sigmoid sums over speed), rounded to frames
F0 = "/encoder/Reshape_output_0"  # the F0 contour the decoder reads, [1, 2 × frames]
ENERGY = "/encoder/Reshape_1_output_0"  # the energy contour, [1, 2 × frames]
INPUTS = ("frames", "pitch", "loud")  # each 0 unless fed: the model's own audio
VERSION = 2  # in the built model's file name: bump it when what this module adds changes
OUTPUTS = ("duration", "f0", "energy")  # after "audio", in this order: kokoro-onnx reads the second


def with_prosody(model: Any) -> bool:
    """Add the inputs and outputs above to ``model`` (an ``onnx.ModelProto``) in place.
    False, and nothing changed, for a graph without the tensors (another export of Kokoro):
    its questions are shaped after synthesis and its emphasis is not shaped."""
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    made = {o for n in graph.node for o in n.output}
    if not {ALIGNMENT, F0, ENERGY, ROUNDED} <= made:
        return False
    readers = {name: [n for n in graph.node if name in n.input] for name in (F0, ENERGY, ROUNDED)}
    for name in INPUTS:
        graph.initializer.append(numpy_helper.from_array(np.array([0.0], np.float32), name))
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [f"{name}_length"]))
    added = [
        helper.make_node("Add", [ROUNDED, "frames"], ["render_frames"], name="render/frames"),
        helper.make_node("Add", [F0, "pitch"], ["render_f0"], name="render/pitch"),
        helper.make_node("Add", [ENERGY, "loud"], ["render_energy"], name="render/loud"),
        helper.make_node("ReduceSum", [ALIGNMENT, "render_duration_axes"], ["render_duration_f"], keepdims=0,
                         name="render/duration"),
        helper.make_node("Cast", ["render_duration_f"], ["duration"], to=TensorProto.INT64, name="render/duration_int"),
        helper.make_node("Identity", [F0], ["f0"], name="render/f0"),
        helper.make_node("Identity", [ENERGY], ["energy"], name="render/energy"),
    ]
    graph.initializer.append(numpy_helper.from_array(np.array([1], np.int64), "render_duration_axes"))
    for name, shaped in ((F0, "render_f0"), (ENERGY, "render_energy"), (ROUNDED, "render_frames")):
        for reader in readers[name]:
            for i, x in enumerate(reader.input):
                if x == name:
                    reader.input[i] = shaped
    graph.node.extend(added)  # ONNX Runtime sorts the graph when it loads it
    for name, kind in zip(OUTPUTS, (TensorProto.INT64, TensorProto.FLOAT, TensorProto.FLOAT), strict=True):
        graph.output.append(helper.make_tensor_value_info(name, kind, None))
    return True


def predictor(model: Path) -> Path:
    """The part of ``model`` (a graph :func:`with_prosody` changed) that makes the predictions,
    built once beside it: ONNX Runtime runs every node of a graph whatever outputs are asked
    for, and the predictions alone take ~5 % of a whole run (54 ms against 1.2 s for a
    38-phoneme sentence on 2 cores; 22 MB of the weights)."""
    import onnx
    from onnx.utils import Extractor

    out = model.with_name(f"{model.stem}-predictor.onnx")
    if out.exists():
        return out
    graph = onnx.load(str(model))
    inputs = [i.name for i in graph.graph.input if i.name not in ("pitch", "loud")]  # "frames" changes them
    part = Extractor(graph).extract_model(inputs, list(OUTPUTS))
    with atomic_path(out, durable=False) as tmp:  # two workers building it at once: either file is whole
        onnx.save(part, str(tmp))
    return out
