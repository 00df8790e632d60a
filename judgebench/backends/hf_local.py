"""Local Hugging Face models through ``transformers`` (optional extra: ``pip install 'judgebench[hf]'``).

``hf:PATH_OR_ID`` loads a sequence-classification reward model (``score``) or, failing that, a causal LM
(``chat``), from a local folder or the hub, on CUDA when available, else CPU. Inference runs in a worker thread
under a lock (one forward pass at a time per model), so the event loop stays free.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from ..errors import JudgebenchError, MissingDependencyError
from ..schema import Usage
from . import BackendError, ChatParams, Completion, Messages

logger = logging.getLogger(__name__)


def _import_hf() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError:
        raise MissingDependencyError("torch and transformers", "hf", "local Hugging Face models (hf:...)") from None
    return torch, transformers


class HFLocalProvider:
    def __init__(self, model: str, *, max_length: int = 4096):
        self.provider = "hf"
        self.model = model
        self.max_length = max_length
        self._lock = threading.Lock()
        self._loaded: dict[str, Any] = {}

    def _load(self, kind: str) -> tuple[Any, Any]:
        with self._lock:
            if kind in self._loaded:
                return self._loaded[kind]
            torch, tf = _import_hf()
            device = "cuda" if torch.cuda.is_available() else "cpu"
            try:
                tok = tf.AutoTokenizer.from_pretrained(self.model)
                cls = tf.AutoModelForSequenceClassification if kind == "reward" else tf.AutoModelForCausalLM
                model = cls.from_pretrained(self.model, torch_dtype=torch.bfloat16 if device == "cuda" else torch.float32).to(device).eval()
            except (OSError, ValueError) as e:
                raise JudgebenchError(f"cannot load {kind} model from {self.model!r}: {e}") from None
            logger.info("loaded %s model %s on %s", kind, self.model, device)
            self._loaded[kind] = (tok, model)
            return tok, model

    def _reward_input(self, tok: Any, question: str, response: str) -> Any:
        if getattr(tok, "chat_template", None):
            conv = [{"role": "user", "content": question}, {"role": "assistant", "content": response}]
            text = tok.apply_chat_template(conv, tokenize=False)
            return tok(text, return_tensors="pt", truncation=True, max_length=self.max_length, add_special_tokens=False)
        return tok(question, response, return_tensors="pt", truncation=True, max_length=self.max_length)

    def _score_sync(self, question: str, response: str) -> float:
        torch, _ = _import_hf()
        tok, model = self._load("reward")
        with self._lock, torch.no_grad():
            inputs = {k: v.to(model.device) for k, v in self._reward_input(tok, question, response).items()}
            logits = model(**inputs).logits[0].float()
        if logits.numel() == 1:
            return float(logits.item())
        return float(torch.softmax(logits, dim=-1)[-1].item())  # classifier RM: probability of the "good" class

    async def score_once(self, question: str, response: str) -> float:
        try:
            return await asyncio.to_thread(self._score_sync, question, response)
        except RuntimeError as e:  # e.g. CUDA OOM: not worth retrying blindly
            raise BackendError(f"local model error: {e}") from None

    def _chat_sync(self, messages: Messages, params: ChatParams) -> Completion:
        torch, _ = _import_hf()
        tok, model = self._load("chat")
        if getattr(tok, "chat_template", None):
            text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        else:
            text = "\n\n".join(m["content"] for m in messages) + "\n\n"
        inputs = tok(text, return_tensors="pt", truncation=True, max_length=self.max_length).to(model.device)
        sample = bool(params.temperature)
        gen_kwargs: dict[str, Any] = {"max_new_tokens": params.max_tokens or 512, "do_sample": sample, "pad_token_id": tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id}
        if sample:
            gen_kwargs["temperature"] = params.temperature
        with self._lock, torch.no_grad():
            if params.seed is not None:
                torch.manual_seed(params.seed)
            out = model.generate(**inputs, **gen_kwargs)
        new = out[0, inputs["input_ids"].shape[1] :]
        completion = tok.decode(new, skip_special_tokens=True)
        return Completion(texts=(completion,), usage=Usage(prompt_tokens=int(inputs["input_ids"].shape[1]), completion_tokens=int(new.shape[0])))

    async def chat_once(self, messages: Messages, params: ChatParams) -> Completion:
        try:
            return await asyncio.to_thread(self._chat_sync, messages, params)
        except RuntimeError as e:
            raise BackendError(f"local model error: {e}") from None


def make_hf(provider: str, model: str, *, base_url: str | None = None, timeout: float = 120.0) -> HFLocalProvider:
    return HFLocalProvider(model)
