"""The local Hugging Face reward-model path, for real and without the hub: a tiny random-weight sequence
classifier is built from a config, saved to a temporary folder and loaded through the ``hf:`` backend.

Scores are compared with direct inference (the model called on the tokenized text by hand): as a sentence pair
without a chat template, on the chat-templated conversation with one, batched or alone."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from judgebench.run.runner import RunSpec, run
from judgebench.schema import Decision

from .conftest import make_pair, write_jsonl

torch = pytest.importorskip("torch", reason="torch is the [hf] extra (pip install 'judgebench[hf]')")
transformers = pytest.importorskip("transformers", reason="transformers is the [hf] extra")


CHAT_TEMPLATE = "[CLS]{% for m in messages %} {{ m['role'] }} {{ m['content'] }} [SEP]{% endfor %}"
"""A chat template for the tiny tokenizer: every turn as ``role content [SEP]`` after one ``[CLS]``."""


def build_tiny_reward_model(folder: Path, *, chat_template: str | None = None) -> Path:
    from tokenizers import Tokenizer, models, pre_tokenizers

    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"] + [f"w{i}" for i in range(50)] + ["question", "answer", "alpha", "beta"] + [str(i) for i in range(40)] + ["?", "user", "assistant", "system"]
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]")
    if chat_template is not None:
        fast.chat_template = chat_template
    fast.save_pretrained(folder)
    torch.manual_seed(0)
    config = transformers.BertConfig(vocab_size=len(words), hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32, num_labels=1, max_position_embeddings=128, initializer_range=0.5)
    transformers.BertForSequenceClassification(config).eval().save_pretrained(folder)
    return folder


def reference_score(folder: Path, question: str, response: str) -> float:
    tok = transformers.AutoTokenizer.from_pretrained(folder)
    model = transformers.AutoModelForSequenceClassification.from_pretrained(folder).eval()
    with torch.no_grad():
        return float(model(**tok(question, response, return_tensors="pt")).logits[0, 0])


def reference_chat_score(folder: Path, messages: list[dict[str, str]]) -> float:
    """Direct inference on the chat-templated conversation (the response is its last, assistant turn)."""
    tok = transformers.AutoTokenizer.from_pretrained(folder)
    model = transformers.AutoModelForSequenceClassification.from_pretrained(folder).eval()
    text = tok.apply_chat_template(messages, tokenize=False)
    with torch.no_grad():
        return float(model(**tok(text, return_tensors="pt", add_special_tokens=False)).logits[0, 0])


def test_hf_reward_model_scores_pairs_like_direct_inference(tmp_path: Path) -> None:
    folder = build_tiny_reward_model(tmp_path / "rm")
    rows = [make_pair(i, response_A=f"answer alpha {i} w{i}", response_B=f"answer beta {i + 1} w{2 * i}", question=f"question {i} ?") for i in range(8)]
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    out = run(RunSpec(data=str(data), judge="reward_model", model=f"hf:{folder}", results_dir=str(tmp_path / "r"), cache_dir=str(tmp_path / "c"), progress=False))
    assert out.run_info["games"] == 1
    for r in out.results:
        sa = reference_score(folder, r.pair.question, r.pair.response_A)
        sb = reference_score(folder, r.pair.question, r.pair.response_B)
        g = r.games[0]
        assert g.scores == pytest.approx((sa, sb), abs=1e-5)
        assert g.decision == (Decision.A_BETTER if sa > sb else Decision.B_BETTER)


def test_hf_missing_model_folder_is_a_clear_failure(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "pairs.jsonl", [make_pair(0)])
    from judgebench.errors import InputError

    # refused before the results folder is made (it was an error from transformers about the hub id's characters)
    with pytest.raises(InputError, match="nope does not exist: an hf: model is a Hugging Face id"):
        run(RunSpec(data=str(data), judge="reward_model", model=f"hf:{tmp_path / 'nope'}", results_dir=str(tmp_path / "r"), cache=False, progress=False))
    assert not (tmp_path / "r").exists()


def test_a_two_turn_conversation_is_scored_through_the_chat_template(tmp_path: Path) -> None:
    from judgebench.backends.hf_local import HFLocalProvider
    from judgebench.backends.managed import ManagedBackend
    from judgebench.judges import JudgeContext, get_judge
    from judgebench.schema import Item, Response, Turn

    folder = build_tiny_reward_model(tmp_path / "rm", chat_template=CHAT_TEMPLATE)
    turns = (Turn("system", "w1 w2"), Turn("user", "question 1 ?"), Turn("assistant", "answer 7 w3"), Turn("user", "question 2 w4 ?"))
    item = Item("c1", turns, (Response("answer alpha 5 w9"), Response("answer beta w10 w11 w12")))
    backend = ManagedBackend(HFLocalProvider(str(folder)), cache=None)
    messages = [t.to_dict() for t in turns]
    expected = [reference_chat_score(folder, [*messages, {"role": "assistant", "content": r.text}]) for r in item.responses]
    # the transcript as one user turn would score differently: the check below can tell the two apart
    flat = [reference_chat_score(folder, [{"role": "user", "content": item.question}, {"role": "assistant", "content": r.text}]) for r in item.responses]
    assert all(abs(e - f) > 1e-4 for e, f in zip(expected, flat, strict=True))

    async def judge_both() -> tuple[Any, Any]:
        context = JudgeContext.of(item)
        pair = await get_judge("reward_model", backend).judge(context, item.responses[0].text, item.responses[1].text)
        point = await get_judge("reward_model_pointwise", backend).judge(context, item.responses[1].text)
        return pair, point

    pair, point = asyncio.run(judge_both())
    assert pair.scores == pytest.approx(tuple(expected), abs=1e-5) and pair.score_kind == "reward"
    assert point.rating == pytest.approx(expected[1], abs=1e-5) and point.score_kind == "reward"
    assert backend.raw.sequences_scored == 2 and backend.stats["deduplicated"] == 1  # the pointwise view read the memo


def test_batched_scores_equal_batch_one_scores(tmp_path: Path) -> None:
    from judgebench.backends.hf_local import HFLocalProvider

    folder = build_tiny_reward_model(tmp_path / "rm")
    requests = [(f"question {i} ?", " ".join(f"w{(i * 7 + k) % 50}" for k in range(1 + (i * 5) % 23)), None) for i in range(20)]
    batched = HFLocalProvider(str(folder), batch_size=8, max_wait=0.05)

    async def all_at_once() -> list[float]:
        return list(await asyncio.gather(*(batched.score_once(q, r) for q, r, _ in requests)))

    got = asyncio.run(all_at_once())
    # 20 requests arriving together, 8 per forward pass: 3 passes (not 20)
    assert (batched.forward_passes, batched.sequences_scored) == (3, 20)
    alone = HFLocalProvider(str(folder), batch_size=1)
    singles = [alone._score_sync(q, r) for q, r, _ in requests]
    assert alone.forward_passes == 20
    assert got == pytest.approx(singles, abs=1e-5)
    assert got == pytest.approx([reference_score(folder, q, r) for q, r, _ in requests], abs=1e-5)
