"""Build a tiny, randomly initialised multi-speaker Coqui VITS model on disk.

Coqui's model zoo cannot be downloaded here, so tests save a few-MB model
with the same files a downloaded one has (checkpoint, config, speakers)
and load it through the same code path a user's local model takes.
"""

from __future__ import annotations

import json
from pathlib import Path

SPEAKERS = ["ava", "ben"]


def build_tiny_vits(folder: Path, seed: int = 0) -> tuple[Path, Path]:
    import torch
    from TTS.tts.configs.vits_config import VitsArgs, VitsConfig
    from TTS.tts.models.vits import Vits

    folder.mkdir(parents=True, exist_ok=True)
    speakers_file = folder / "speakers.json"
    speakers_file.write_text(json.dumps({name: i for i, name in enumerate(SPEAKERS)}))
    args = VitsArgs(
        hidden_channels=16, hidden_channels_ffn_text_encoder=32, num_layers_text_encoder=1,
        num_layers_posterior_encoder=1, num_layers_flow=1, upsample_initial_channel_decoder=16,
        resblock_kernel_sizes_decoder=[3], resblock_dilation_sizes_decoder=[[1, 3, 5]],
        upsample_rates_decoder=[8, 8, 4], upsample_kernel_sizes_decoder=[16, 16, 8],
        use_speaker_embedding=True, speaker_embedding_channels=8, spec_segment_size=8,
        init_discriminator=False, speakers_file=str(speakers_file))
    config = VitsConfig(model_args=args, use_phonemes=False, text_cleaner="english_cleaners",
                        use_speaker_embedding=True, speakers_file=str(speakers_file))
    config.audio.sample_rate = 16000
    torch.manual_seed(seed)
    model = Vits.init_from_config(config)
    checkpoint = folder / "model.pth"
    torch.save({"model": model.state_dict()}, checkpoint)
    config_path = folder / "config.json"
    config.save_json(str(config_path))
    return checkpoint, config_path
