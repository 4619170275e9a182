"""Festival voices, driven through one long-lived ``festival --pipe`` process.

Starting Festival and loading a voice costs ~0.25 s; a podcast has dozens of
turns per host, so each worker keeps one process and feeds it sentences.
stdout is line-buffered with ``stdbuf`` so a marker line tells us when a
sentence's WAV file is complete.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import soundfile as sf

from render.errors import RenderError
from render.voices.engines.base import Clip, as_float32, split_rate, words_for_phonemes
from render.voices.voice import Voice, fingerprint

_MARK = "RENDER-DONE"


@lru_cache(maxsize=1)
def engine_version() -> str:
    exe = shutil.which("festival")
    if exe is None:
        raise RenderError("Festival is not installed",
                          hint="sudo apt-get install festival festvox-us-slt-hts "
                               "(the README's set-up commands do this)")
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
    # The suffix versions how this adapter drives Festival (speed via hts "-r" since v2).
    return (out.stdout or out.stderr).strip().splitlines()[0] + " render-adapter-2"


@lru_cache(maxsize=1)
def available_voices() -> tuple[str, ...]:
    """Names of the Festival voices installed on this machine."""
    engine_version()
    out = subprocess.run(["festival", "--pipe"], input='(print (voice.list))\n',
                         capture_output=True, text=True, timeout=60)
    return tuple(out.stdout.strip().strip("()").split())


def voice_fingerprint(voice: Voice) -> str:
    return fingerprint(voice, engine_version(), voice.voice or "")


def _scheme_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def setup_commands(voice: Voice) -> str:
    """Scheme that selects ``voice`` and its speed (also what a bare ``text2wave -eval`` gets)."""
    stretch = voice.length_scale
    # Duration_Stretch drives diphone and unit-selection voices; HTS voices ignore it and
    # take the hts_engine speed rate "-r" instead (> 1 is faster).
    return (f"(voice_{voice.voice or ''})\n"
            f"(Parameter.set 'Duration_Stretch {stretch})\n"
            f"(if (boundp 'hts_engine_params) (set! hts_engine_params "
            f"(append hts_engine_params (list (list \"-r\" {1 / max(stretch, 0.05):.4f})))))\n")


class FestivalEngine:
    """One Festival process with the voice loaded, reused for every sentence."""

    def __init__(self, voice: Voice, threads: int = 1) -> None:
        self.fingerprint = voice_fingerprint(voice)
        self._voice = voice
        self._tmp = Path(tempfile.mkdtemp(prefix="render-festival-"))
        self._proc: subprocess.Popen[str] | None = None
        self._start()
        probe = self.synthesize("Hello.")
        self.sample_rate = probe.sample_rate

    def _start(self) -> None:
        name = self._voice.voice or ""
        if name not in available_voices():
            raise RenderError(f"Festival voice '{name}' is not installed", self._voice.source,
                              hint="installed voices: " + ", ".join(available_voices())
                                   + "; for the default: sudo apt-get install festvox-us-slt-hts")
        self._proc = subprocess.Popen(
            ["stdbuf", "-oL", "festival", "--pipe"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self._send(setup_commands(self._voice))

    def _send(self, commands: str) -> None:
        assert self._proc is not None and self._proc.stdin and self._proc.stdout
        self._proc.stdin.write(commands + f'(format t "{_MARK}\\n")\n')
        self._proc.stdin.flush()
        while True:
            line = self._proc.stdout.readline()
            if not line:
                raise RenderError("Festival exited unexpectedly", self._voice.source,
                                  hint="run 'festival --pipe' by hand to see its error")
            if line.strip() == _MARK:
                return

    def synthesize(self, text: str) -> Clip:
        text = words_for_phonemes(split_rate(text, "Festival")[0], "Festival")
        out = self._tmp / "sentence.wav"
        out.unlink(missing_ok=True)
        self._send(f"(utt.save.wave (utt.synth (Utterance Text {_scheme_string(text)})) "
                   f"{_scheme_string(str(out))} 'riff)\n")
        if not out.exists():
            raise RenderError(f"Festival produced no audio for: {text[:60]!r}",
                              self._voice.source)
        audio, rate = sf.read(out, dtype="int16")
        return Clip(as_float32(audio), int(rate))

    def close(self) -> None:
        if self._proc is not None:
            if self._proc.stdin:
                self._proc.stdin.close()
            self._proc.terminate()
            self._proc.wait(timeout=10)
            self._proc = None
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __del__(self) -> None:
        if getattr(self, "_proc", None) is not None:
            self._proc.kill()  # type: ignore[union-attr]
