"""Local Hugging Face models through ``transformers`` (optional extra [hf]: ``pip install -e '.[hf]'`` from the checkout).

``hf:PATH_OR_ID`` loads a sequence-classification reward model (``score``) or, failing that, a causal LM
(``chat``), from a local folder or the hub, on CUDA when available, else CPU. Inference runs in a worker thread
under a lock (one forward pass at a time per model), so the event loop stays free.

Reward scoring is batched: requests that arrive together (within ``max_wait``, 5 ms) are tokenized one by one,
sorted by length, padded on the right and scored ``batch_size`` (16, ``JUDGEBENCH_HF_BATCH_SIZE``) per forward
pass; a batch scores as each sequence alone would (up to float rounding). A conversation goes through the model's
chat template with the response as the assistant's turn; a tokenizer without a template gets the question (a
chat's transcript) and the response as a sentence pair.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from ..errors import InputError, JudgebenchError, MissingDependencyError
from ..schema import Usage
from . import BackendError, ChatParams, Completion, Messages

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 16
"""Reward requests per forward pass (``hf:`` reward models)."""
DEFAULT_MAX_WAIT = 0.005
"""Seconds a batch waits for more requests before it runs (unless it is already full)."""


def _import_hf() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError:
        raise MissingDependencyError("torch and transformers", "hf", "local Hugging Face models (hf:...)") from None
    return torch, transformers


class HFLocalProvider:
    def __init__(self, model: str, *, max_length: int = 4096, batch_size: int = DEFAULT_BATCH_SIZE, max_wait: float = DEFAULT_MAX_WAIT):
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.provider = "hf"
        self.model = model
        self.max_length = max_length
        self.batch_size = batch_size
        self.max_wait = max_wait
        self.forward_passes = 0
        """Forward passes of the reward model so far (one per batch)."""
        self.sequences_scored = 0
        """(prompt, response) sequences scored so far."""
        self._batcher: _Batcher | None = None
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
            limits = [x for x in (getattr(model.config, "max_position_embeddings", None), getattr(tok, "model_max_length", None)) if isinstance(x, int) and 0 < x < 1_000_000]
            limit = min(limits) if limits else None  # the tokenizer's is the usable one where positions carry an offset
            if limit is not None and limit < self.max_length:
                # inputs are cut at what the model can read (its position embeddings), not at a length it cannot take
                logger.info("%s reads at most %d tokens: longer inputs are truncated to that", self.model, limit)
                self.max_length = limit
            self._loaded[kind] = (tok, model)
            return tok, model

    def _reward_input(self, tok: Any, question: str, response: str, messages: Messages | None = None) -> dict[str, list[int]]:
        """The token ids of one (prompt, response), unpadded: with a chat template, the conversation (``messages``,
        or ``question`` as one user turn) with ``response`` as the assistant's turn through the template; without
        one, ``question`` (a chat's transcript) and ``response`` as a sentence pair."""
        if getattr(tok, "chat_template", None):
            conv = [*(messages or [{"role": "user", "content": question}]), {"role": "assistant", "content": response}]
            text = tok.apply_chat_template(conv, tokenize=False)
            return dict(tok(text, truncation=True, max_length=self.max_length, add_special_tokens=False))
        return dict(tok(question, response, truncation=True, max_length=self.max_length))

    def _can_batch(self, tok: Any, model: Any) -> bool:
        """Whether padded batches score as single sequences: the model must know its pad token (a causal reward
        model finds each sequence's last token by it; without one, transformers refuses batches and each request is
        its own forward pass)."""
        pad = getattr(model.config, "pad_token_id", None)
        if pad is None:
            return False
        if tok.pad_token_id is None:
            tok.pad_token = tok.convert_ids_to_tokens(pad)
        return tok.pad_token_id == pad

    def _score_batch_sync(self, requests: list[Request]) -> list[float | BackendError]:
        """The rewards of ``requests`` in their order: tokenized one by one (the same ids as alone), sorted by length
        so a batch pads little, padded on the right (the real tokens keep their positions) and run ``batch_size``
        at a time, one forward pass per batch. A request whose conversation cannot be encoded gets its error."""
        torch, _ = _import_hf()
        tok, model = self._load("reward")
        out: list[float | BackendError] = [BackendError("not scored")] * len(requests)
        encoded: dict[int, dict[str, list[int]]] = {}
        for i, (q, r, m) in enumerate(requests):
            try:
                encoded[i] = self._reward_input(tok, q, r, m)
            except Exception as e:  # a conversation the chat template refuses fails alone, not its batch
                out[i] = BackendError(f"cannot apply {self.model}'s chat template: {type(e).__name__}: {e}")
        size = self.batch_size if self._can_batch(tok, model) else 1
        order = sorted(encoded, key=lambda i: len(encoded[i]["input_ids"]))
        tok.padding_side = "right"
        for start in range(0, len(order), size):
            chunk = order[start : start + size]
            with self._lock, torch.no_grad():
                batch = tok.pad([encoded[i] for i in chunk], padding=True, return_tensors="pt")
                logits = model(**{k: v.to(model.device) for k, v in batch.items()}).logits.float()
                self.forward_passes += 1
                self.sequences_scored += len(chunk)
            for row, i in enumerate(chunk):
                out[i] = reward_of_logits(torch, logits[row])
        return out

    def _score_sync(self, question: str, response: str, messages: Messages | None = None) -> float:
        """One reward, alone (batch 1)."""
        got = self._score_batch_sync([(question, response, messages)])[0]
        if isinstance(got, BackendError):
            raise got
        return got

    async def score_once(self, question: str, response: str, messages: Messages | None = None) -> float:
        """The reward of ``response`` to ``question`` (or to the conversation ``messages``), scored in a batch with
        the requests that arrive with it (``batch_size``, ``max_wait``)."""
        loop = asyncio.get_running_loop()
        if self._batcher is None or self._batcher.loop is not loop:
            self._batcher = _Batcher(loop, self._run_batch, self.batch_size, self.max_wait)
        return await self._batcher.submit((question, response, messages))

    async def _run_batch(self, requests: list[Request]) -> list[float | BackendError]:
        try:
            return await asyncio.to_thread(self._score_batch_sync, requests)
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


def reward_of_logits(torch: Any, logits: Any) -> float:
    """One sequence's reward from its logits: the single logit of a regression head, else the probability of the
    last ("good") class of a classifier."""
    if logits.numel() == 1:
        return float(logits.reshape(()).item())
    return float(torch.softmax(logits, dim=-1)[-1].item())


Request = tuple[str, str, Messages | None]
"""One reward request: (question, response, the conversation's messages or ``None`` for one user turn)."""


class _Batcher:
    """Collects requests that arrive together and scores them in batches.

    ``submit`` queues a request and awaits its result. One drain task runs at a time: it waits ``max_wait``
    seconds for more requests unless a full batch is already queued, then hands up to ``8 * batch_size`` of them to
    ``run`` (which sorts them by length and cuts them into batches), and repeats while requests remain: requests
    that arrive while a batch runs form the next one.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, run: Callable[[list[Request]], Awaitable[list[float | BackendError]]], batch_size: int, max_wait: float):
        self.loop = loop
        self.run = run
        self.batch_size = batch_size
        self.max_wait = max_wait
        self.queue: list[tuple[Request, asyncio.Future[float]]] = []
        self.drain: asyncio.Task[None] | None = None

    async def submit(self, request: Request) -> float:
        fut: asyncio.Future[float] = self.loop.create_future()
        self.queue.append((request, fut))
        if self.drain is None or self.drain.done():
            self.drain = self.loop.create_task(self._drain())
        return await fut

    async def _drain(self) -> None:
        while self.queue:
            if len(self.queue) < self.batch_size and self.max_wait > 0:
                await asyncio.sleep(self.max_wait)
            take, self.queue = self.queue[: 8 * self.batch_size], self.queue[8 * self.batch_size :]
            take = [(r, f) for r, f in take if not f.done()]  # a caller that gave up (timeout) is not scored
            if not take:
                continue
            try:
                scores = await self.run([r for r, _ in take])
            except asyncio.CancelledError:
                for _, f in take:
                    f.cancel()
                raise
            except Exception as e:  # every waiter of the group gets the failure (a load error, OOM)
                for _, f in take:
                    if not f.done():
                        f.set_exception(e)
                continue
            for (_, f), value in zip(take, scores, strict=True):
                if f.done():
                    continue
                if isinstance(value, BaseException):
                    f.set_exception(value)
                else:
                    f.set_result(value)


def make_hf(provider: str, model: str, *, base_url: str | None = None, timeout: float = 120.0) -> HFLocalProvider:
    """``hf:MODEL``; ``JUDGEBENCH_HF_BATCH_SIZE`` sets the reward batch size (default ``DEFAULT_BATCH_SIZE``)."""
    raw = os.environ.get("JUDGEBENCH_HF_BATCH_SIZE", "").strip()
    try:
        batch_size = int(raw) if raw else DEFAULT_BATCH_SIZE
    except ValueError:
        raise JudgebenchError(f"JUDGEBENCH_HF_BATCH_SIZE must be a whole number >= 1, got {raw!r}") from None
    if batch_size < 1:
        raise JudgebenchError(f"JUDGEBENCH_HF_BATCH_SIZE must be a whole number >= 1, got {raw!r}")
    check_local_model(model)
    return HFLocalProvider(model, batch_size=batch_size)


def check_local_model(model: str) -> None:
    """Refuse, before anything is built or written, an ``hf:`` model written as a local path (``/...``, ``./...``,
    ``../...``, ``~/...``) that is not a folder: ``transformers`` would take it for a hub id and fail on its
    characters (``Repo id must use alphanumeric chars``), which hides that the folder is missing.

    Raises:
        InputError: (field ``--model``) naming the path.
    """
    if not model.startswith(("/", "./", "../", "~")):
        return  # a hub id (org/name); transformers reports an unknown one itself
    path = Path(model).expanduser()
    if not path.is_dir():
        what = "is a file, not a model folder" if path.exists() else "does not exist"
        raise InputError(f"{path} {what}: an hf: model is a Hugging Face id (org/name) or a folder written by save_pretrained", field="--model")
