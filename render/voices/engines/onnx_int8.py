"""Run a dynamically quantized model's convolutions on ONNX Runtime's fast u8×s8 kernels.

ONNX Runtime's dynamic quantization (``quantize_dynamic``, how the Kokoro
int8 model was made) stores convolution weights as unsigned bytes, and
``ConvInteger`` multiplies them by the unsigned activations. On x86 with
VNNI (``vpdpbusd``: unsigned × signed bytes summed into 32 bits), ONNX
Runtime's integer GEMM is ~2.6× faster for unsigned × *signed* bytes than
for unsigned × unsigned, and ``ConvInteger`` has no fast path for a signed
operand at all (measured here: a 2000×1536×512 product in 21 ms u8×u8,
8.2 ms u8×s8; ``ConvInteger`` with s8 weights 91 ms).

So each 1-D ``ConvInteger`` becomes the same product as ``MatMulInteger``:
the weights ``[O, C, K]`` (unsigned, as shipped) laid out ``[O, K·C]`` on the
left; on the right the input, padded with its zero point (what
``ConvInteger`` pads with), shifted to signed bytes (``x - 128`` with zero
point ``z - 128``: the same differences ``x - z``), and its ``K``
dilated/strided views along time joined along channels (im2col in the graph).
The result is ``[1, O, T]`` as before, every 32-bit sum the same integer, so
the audio is bit for bit the same.

Without VNNI, x86 (AVX2) computes u8×s8 with ``vpmaddubsw``, which adds two
products in signed 16 bits and saturates past 32,767. Weights of at most 7
bits (0–127, as ``quantize_dynamic(reduce_range=True)`` writes them: every
Kokoro convolution) times signed bytes (−128–127) give pairs within
2 × 127 × 128 = 32,512, so there the rewrite is exact too, and it is made for
such convolutions only (:data:`REWRITE_7BIT`); one thread speaks Kokoro ~1.13× as fast
(u8×u8 30 ms, u8×s8 18 ms on the product above, this CPU). Either way the caller checks the
rewritten model's output against the original's, bit for bit, before using it.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import helper, numpy_helper

from render.files import atomic_path, write_text
from render.voices.engines.base import cpu_flags

REWRITE = "u8s8-v3"  # part of the rewritten model's file name
REWRITE_7BIT = "u8s8-7bit-v1"  # ...on x86 without VNNI: only convolutions whose weights fit 7 bits
WEIGHT_MAX_7BIT = 127


def _attrs(node: onnx.NodeProto) -> dict[str, Any]:
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _scalar_u8(inits: dict[str, onnx.TensorProto], name: str) -> np.ndarray | None:
    if name not in inits or inits[name].data_type != onnx.TensorProto.UINT8:
        return None
    value = numpy_helper.to_array(inits[name])
    return value if value.size == 1 else None


def _conv_as_matmul(node: onnx.NodeProto, weight: np.ndarray, add_init: Any) -> list[onnx.NodeProto] | None:
    """The nodes computing ``node`` (a 1-D ConvInteger) as im2col + u8×s8 MatMulInteger, or None."""
    a = _attrs(node)
    out_ch, in_ch, k = weight.shape
    if a.get("group", 1) != 1 or a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        return None
    if len(a.get("kernel_shape", [k])) != 1 or len(node.input) < 4 or not node.input[2]:
        return None
    pads = list(a.get("pads", [0, 0]))
    stride, dilation = int(a.get("strides", [1])[0]), int(a.get("dilations", [1])[0])
    x, xzp, wzp = node.input[0], node.input[2], node.input[3]
    base = node.name or node.output[0]
    nodes: list[onnx.NodeProto] = []

    def op(kind: str, inputs: list[str], **attrs: Any) -> str:
        out = f"{base}/render_{kind.lower()}{len(nodes)}"
        nodes.append(helper.make_node(kind, inputs, [out], name=out, **attrs))
        return out

    if any(pads):  # padded with the zero point, as ConvInteger pads
        x = op("Pad", [x, add_init(f"{base}/render_pads", np.array([0, 0, pads[0], 0, 0, pads[1]], np.int64)), xzp])
    shift = add_init(f"{base}/render_128", np.array(128, np.uint8))

    def signed(tensor: str) -> str:
        """u8 - 128 as s8, the same differences from the zero point: the subtraction wraps in 8
        bits and the cast reads the bits as two's complement (3.4x faster than through int16;
        the tests check every value)."""
        return op("Cast", [op("Sub", [tensor, shift])], to=onnx.TensorProto.INT8)

    xs, zs = signed(x), signed(xzp)
    cols = xs
    if k > 1 or stride > 1:
        axis = add_init(f"{base}/render_axis", np.array([2], np.int64))
        step = add_init(f"{base}/render_step", np.array([stride], np.int64))
        views = []
        for i in range(k):
            back = dilation * (k - 1 - i)  # the view ends this far before the end
            starts = add_init(f"{base}/render_start{i}", np.array([i * dilation], np.int64))
            ends = add_init(f"{base}/render_end{i}",
                            np.array([-back if back else np.iinfo(np.int64).max], np.int64))
            views.append(op("Slice", [xs, starts, ends, axis, step]))
        cols = op("Concat", views, axis=1) if k > 1 else views[0]
    # Rows of cols are k*C + c: the weights [O, C, K] as [O, K*C], unsigned as shipped.
    w = add_init(f"{base}/render_w", np.ascontiguousarray(weight.transpose(0, 2, 1).reshape(out_ch, k * in_ch)))
    nodes.append(helper.make_node("MatMulInteger", [w, cols, wzp, zs], list(node.output), name=f"{base}/render_matmul"))
    return nodes


def signed_weights(model: onnx.ModelProto, weight_max: int = 255) -> int:
    """Rewrite ``model``'s 1-D ConvInteger nodes in place; return how many changed (0: untouched).
    Only those whose weights are at most ``weight_max`` (:data:`WEIGHT_MAX_7BIT` where u8×s8
    saturates: see the module's docstring).

    (Its MatMulInteger weights are already signed: nothing to do there.)
    """
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    uses: dict[str, int] = {}
    for n in graph.node:
        for i in n.input:
            uses[i] = uses.get(i, 0) + 1
    added: list[onnx.TensorProto] = []

    def add_init(name: str, value: np.ndarray) -> str:
        added.append(numpy_helper.from_array(value, name))
        return name

    convs = 0
    out: list[onnx.NodeProto] = []
    for n in graph.node:
        if n.op_type == "ConvInteger" and len(n.input) > 3:
            zero, weight = _scalar_u8(inits, n.input[3]), inits.get(n.input[1])
            values = numpy_helper.to_array(weight) if weight is not None else None
            if (zero is not None and values is not None and values.dtype == np.uint8 and values.ndim == 3
                    and uses.get(n.input[1], 0) == 1 and int(values.max(initial=0)) <= weight_max):
                replaced = _conv_as_matmul(n, values, add_init)
                if replaced is not None:
                    out.extend(replaced)
                    convs += 1
                    continue
        out.append(n)
    if convs:
        del graph.node[:]
        graph.node.extend(out)
        graph.initializer.extend(added)
        used = {i for n in graph.node for i in n.input}
        keep = [i for i in graph.initializer if i.name in used]
        del graph.initializer[:]
        graph.initializer.extend(keep)
    return convs


def _flags() -> list[str]:
    line = cpu_flags()
    return line.split(":", 1)[1].split() if line.startswith("flags") else []


def _vnni(flags: list[str]) -> bool:
    return "avx512_vnni" in flags or "avx_vnni" in flags


def has_vnni() -> bool:
    """Whether this x86 CPU multiplies unsigned by signed bytes exactly (AVX-512 VNNI or AVX-VNNI)."""
    return _vnni(_flags())


def rewrite_kind() -> str | None:
    """The convolution rewrite this CPU gains from: :data:`REWRITE` with VNNI,
    :data:`REWRITE_7BIT` on x86 with AVX2 only, None elsewhere (ARM's dot products take
    u8×u8 at full speed)."""
    flags = _flags()
    if _vnni(flags):
        return REWRITE
    return REWRITE_7BIT if "avx2" in flags else None


def fast_model(model: Path, digest: str, folder: Path, same_output: Callable[[Path, Path], bool],
               also: tuple[str, Callable[[onnx.ModelProto], bool]] | None = None) -> Path:
    """``model`` as render runs it, built once into ``folder``: on CPUs with VNNI its
    convolutions on the u8×s8 kernels, and everywhere ``also`` (its name in the file name, a
    change made to the graph in the same pass, returning whether it applied). ``model`` itself
    where neither applies, or where the output is not bit for bit the same by
    ``same_output(original, rewritten)`` (remembered, so it is tried once).
    """
    rewrite = rewrite_kind()
    if not rewrite and also is None:
        return model
    tag = f"{digest[:24]}-{rewrite or 'graph'}{'-' + also[0] if also else ''}-ort{version('onnxruntime')}"
    fast, rejected = folder / f"{tag}.onnx", folder / f"{tag}.same-model"
    if fast.exists():
        return fast
    if rejected.exists():
        return model
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{tag}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # workers starting together: one builds, the others wait
        if fast.exists():
            return fast
        if rejected.exists():
            return model
        for stale in [*folder.glob(f"{digest[:24]}-u8s8-*"), *folder.glob(f"{digest[:24]}-graph-*")]:
            if not stale.name.startswith(tag):  # an older build of this model
                stale.unlink(missing_ok=True)
        try:
            return _build(model, fast, rejected, same_output, also[1] if also else None, rewrite)
        except Exception:  # a full disk, a model onnx cannot read: it costs speed, never the render
            return model


def _build(model: Path, fast: Path, rejected: Path, same_output: Callable[[Path, Path], bool],
           also: Callable[[onnx.ModelProto], bool] | None, rewrite: str | None) -> Path:
    loaded = onnx.load(str(model))
    changed = signed_weights(loaded, WEIGHT_MAX_7BIT if rewrite == REWRITE_7BIT else 255) if rewrite else 0
    if also is not None and also(loaded):
        changed += 1
    if not changed:
        rejected.parent.mkdir(parents=True, exist_ok=True)
        rejected.write_text("nothing to rewrite\n", encoding="utf-8")
        return model
    try:
        with atomic_path(fast, durable=False) as tmp:  # another worker sees no file or a whole one
            onnx.save(loaded, str(tmp))
            del loaded
            if not same_output(model, tmp):
                raise _Differs  # the temp file is dropped, never renamed
    except _Differs:
        write_text("the rewritten model's audio differed; running the original\n", rejected)
        return model
    return fast


class _Differs(Exception):
    """The rewritten model's audio was not bit-identical to the original's."""
