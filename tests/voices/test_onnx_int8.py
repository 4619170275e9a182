"""Kokoro's int8 convolutions on ONNX Runtime's u8×s8 kernels (with VNNI, or 7-bit weights on
AVX2): the same integers, the same audio."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import TensorProto, helper, numpy_helper

from render.voices.engines.kokoro import KokoroEngine, _runnable, default_model_dir, packaged_model, packaged_pack
from render.voices.engines.kokoro_graph import VERSION
from render.voices.engines.onnx_int8 import WEIGHT_MAX_7BIT, fast_model, has_vnni, rewrite_kind, signed_weights
from render.voices.voice import Voice

pytestmark = pytest.mark.slow  # real voices, renders or recognizers: not in the quick subset

LINE = "Kubernetes one point thirty-four made dynamic resource allocation generally available."


def _run(model: onnx.ModelProto, x: np.ndarray, threads: int = 1) -> np.ndarray:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    session = onnxruntime.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


def _conv_model(channels: int, out: int, kernel: int, bits: int = 7, **attrs: object) -> onnx.ModelProto:
    """DynamicQuantizeLinear -> ConvInteger, as ONNX Runtime's dynamic quantization writes it
    (weights of ``bits`` bits: 7 with ``reduce_range``, as every Kokoro convolution)."""
    rng = np.random.default_rng(kernel * 31 + out)
    weight = rng.integers(0, 2 ** bits, (out, channels, kernel), dtype=np.uint8)
    nodes = [helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xzp"]),
             helper.make_node("ConvInteger", ["xq", "w", "xzp", "wzp"], ["y"], name="conv", **attrs)]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, channels, None])],
                              [helper.make_tensor_value_info("y", TensorProto.INT32, None)],
                              [numpy_helper.from_array(weight, "w"),
                               numpy_helper.from_array(np.array(2 ** (bits - 1) + 3, np.uint8), "wzp")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@pytest.mark.parametrize("kernel,attrs", [
    (1, {}),
    (3, {"pads": [1, 1]}),
    (7, {"pads": [9, 9], "dilations": [3]}),
    (11, {"pads": [25, 25], "dilations": [5]}),
    (12, {"pads": [3, 3], "strides": [6]}),
    (3, {"pads": [1, 1], "strides": [2]}),
])
def test_a_convolution_as_a_signed_product_gives_the_same_integers(kernel: int, attrs: dict) -> None:
    """7-bit weights times signed bytes cannot saturate even ``vpmaddubsw`` (AVX2 without VNNI):
    the rewrite is exact on every x86 CPU render makes it on."""
    original = _conv_model(64, 48, kernel, **attrs)
    rewritten = onnx.ModelProto()
    rewritten.CopyFrom(original)
    assert signed_weights(rewritten, WEIGHT_MAX_7BIT) == 1
    assert [n.op_type for n in rewritten.graph.node].count("ConvInteger") == 0
    x = (np.random.default_rng(1).standard_normal((1, 64, 997)) * 3).astype(np.float32)
    expected = _run(original, x)
    got = _run(rewritten, x)
    assert got.dtype == np.int32 and got.shape == expected.shape
    assert np.array_equal(got, expected)  # exactly: the same sums of the same integers


def test_8_bit_weights_are_rewritten_only_where_the_cpu_has_vnni() -> None:
    original = _conv_model(64, 48, 3, bits=8, pads=[1, 1])
    assert signed_weights(onnx.load_from_string(original.SerializeToString()), WEIGHT_MAX_7BIT) == 0
    rewritten = onnx.load_from_string(original.SerializeToString())
    assert signed_weights(rewritten) == 1
    x = (np.random.default_rng(2).standard_normal((1, 64, 997)) * 3).astype(np.float32)
    same = np.array_equal(_run(rewritten, x), _run(original, x))
    # with VNNI exact; on AVX2 alone full-range weights saturate vpmaddubsw's 16-bit pair sums
    assert same == has_vnni() or rewrite_kind() is None


def test_grouped_or_2d_convolutions_are_left_alone() -> None:
    grouped = _conv_model(64, 64, 3, pads=[1, 1], group=2)
    grouped.graph.initializer[0].CopyFrom(numpy_helper.from_array(
        np.zeros((64, 32, 3), np.uint8), "w"))
    assert signed_weights(grouped) == 0


def test_kokoro_runs_the_rewritten_model_with_the_same_audio_bit_for_bit(tmp_path: Path) -> None:
    shipped = packaged_model(default_model_dir())
    voice = Voice(name="t", engine="kokoro", source="t.toml", voice="jm_kumo")
    runnable = _runnable(shipped, "cpu")
    # Every CPU runs the model with render's prosody inputs; x86 ones the u8×s8 kernels too.
    assert runnable != shipped and "prosody" in runnable.name and runnable.parent == default_model_dir()
    assert f"-{rewrite_kind() or 'graph'}-prosody" in runnable.name
    assert _runnable(shipped, "cuda") == shipped  # other providers run the model as shipped
    from kokoro_onnx import Kokoro

    from render.voices.engines.kokoro import blend_style

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 2
    as_shipped = Kokoro.from_session(onnxruntime.InferenceSession(str(shipped), options), str(packaged_pack()))
    expected, _ = as_shipped.create(LINE, blend_style(voice), 1.0, "en-us")
    got = KokoroEngine(voice, threads=2).synthesize(LINE).audio
    assert got.shape == expected.shape and np.array_equal(got, expected)


def test_a_damaged_rewrite_is_not_used_and_a_failed_check_is_remembered(tmp_path: Path) -> None:
    model = tmp_path / "m.onnx"
    onnx.save(_conv_model(16, 8, 3, pads=[1, 1]), str(model))
    if rewrite_kind() is None:
        assert fast_model(model, "1" * 24, tmp_path / "out", lambda a, b: True) == model
        return
    calls: list[int] = []

    def differs(a: Path, b: Path) -> bool:
        calls.append(1)
        return False

    assert fast_model(model, "1" * 24, tmp_path / "out", differs) == model
    assert fast_model(model, "1" * 24, tmp_path / "out", differs) == model and len(calls) == 1
    assert not list((tmp_path / "out").glob("*.onnx*"))  # nothing half-built is left
    fast = fast_model(model, "2" * 24, tmp_path / "out", lambda a, b: True)
    assert fast != model and f"-{rewrite_kind()}-" in fast.name and onnx.load(str(fast)).graph.node


def test_a_rewrite_damaged_on_disk_is_dropped_and_the_shipped_model_runs(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import version

    from render.voices.engines.kokoro import packaged_sha256

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = default_model_dir()
    assert folder == tmp_path / "render" / "models"
    kind = rewrite_kind() or "graph"
    damaged = folder / f"{packaged_sha256()[:24]}-{kind}-prosody{VERSION}-ort{version('onnxruntime')}.onnx"
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(b"not a model")
    voice = Voice(name="t", engine="kokoro", source="t.toml", voice="jm_kumo")
    clip = KokoroEngine(voice, threads=2).synthesize("Hello there.")
    assert clip.seconds > 0.3
    assert not damaged.exists()  # removed, to be built again next time


def test_every_byte_shifts_to_the_same_signed_difference() -> None:
    """The rewrite's u8 -> s8 shift (a wrapping 8-bit Sub, then Cast) is exact for all 256 values."""
    model = _conv_model(1, 1, 1)
    assert signed_weights(model) == 1
    shift = [n for n in model.graph.node if n.op_type in ("Sub", "Cast")]
    assert [n.op_type for n in shift] == ["Sub", "Cast", "Sub", "Cast"]  # input and zero point
    graph = helper.make_graph(shift[:2], "g", [helper.make_tensor_value_info(shift[0].input[0], TensorProto.UINT8, None)],
                              [helper.make_tensor_value_info(shift[1].output[0], TensorProto.INT8, None)],
                              [i for i in model.graph.initializer if i.name == shift[0].input[1]])
    session = onnxruntime.InferenceSession(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
                                           .SerializeToString(), providers=["CPUExecutionProvider"])
    every = np.arange(256, dtype=np.uint8)
    got = session.run(None, {shift[0].input[0]: every})[0]
    assert np.array_equal(got.astype(np.int16), every.astype(np.int16) - 128)
